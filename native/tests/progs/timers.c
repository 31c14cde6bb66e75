/*
 * Timers across the checkpoint: POSIX timers with their ids (one deleted in between, so the
 * ids have a gap), a periodic one signalling the process, one signalling a thread
 * (SIGEV_THREAD_ID), one without notification that is due much later; a periodic ITIMER_REAL
 * (what alarm() uses) and an ITIMER_VIRTUAL.  The program counts expirations up to a number
 * and checks ids, signal values, periods and the time left.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define TO_PROCESS_EVERY_MS 20
#define TO_THREAD_EVERY_MS 30
#define ALARM_EVERY_MS 25

static int to_process, to_thread, later;
static pid_t worker_tid;
static volatile int worker_ready;

static int make_timer(clockid_t clock, int notify, int sig, int value, pid_t tid)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = notify;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = value;
	sev._sigev_un._tid = tid;
	int id;
	CHECK(syscall(SYS_timer_create, clock, &sev, &id) == 0, "timer_create");
	return id;
}

static void arm(int id, long first_ms, long every_ms)
{
	struct itimerspec its = {{every_ms / 1000, (every_ms % 1000) * 1000000}, {first_ms / 1000, (first_ms % 1000) * 1000000}};
	CHECK(syscall(SYS_timer_settime, id, 0, &its, NULL) == 0, "timer_settime");
}

static long gettime_ms(int id, long *every_ms)
{
	struct itimerspec its;
	CHECK(syscall(SYS_timer_gettime, id, &its) == 0, "timer_gettime");
	*every_ms = its.it_interval.tv_sec * 1000 + its.it_interval.tv_nsec / 1000000;
	return its.it_value.tv_sec * 1000 + its.it_value.tv_nsec / 1000000;
}

/* Counts expirations of one timer's signal up to `want`; a checkpoint may interrupt the wait
 * (EINTR), but three seconds without any signal means the timer is gone. */
static long count(int sig, int id, int value, long want)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	long n = 0;
	int idle = 0;
	while (n < want) {
		siginfo_t si;
		struct timespec wait = {0, 500 * 1000000};
		int got = sigtimedwait(&set, &si, &wait);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			CHECK(errno == EAGAIN && ++idle < 6, "the timer's signal keeps coming");
			continue;
		}
		idle = 0;
		CHECK(si.si_code == SI_TIMER && si.si_timerid == id && si.si_value.sival_int == value, "signal of the right timer");
		n += 1 + si.si_overrun;
	}
	return n;
}

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	worker_ready = 1;
	while (!to_thread)
		nap_ms(1);
	count(SIGRTMIN + 1, to_thread, 300, 1000 / TO_THREAD_EVERY_MS);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGALRM);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "block");
	pthread_t w;
	CHECK(pthread_create(&w, NULL, worker, NULL) == 0, "thread");
	while (!worker_ready)
		nap_ms(1);

	to_process = make_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN, 100, 0);
	int gone = make_timer(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN, 200, 0);
	int thread_timer = make_timer(CLOCK_REALTIME, SIGEV_THREAD_ID, SIGRTMIN + 1, 300, worker_tid);
	later = make_timer(CLOCK_BOOTTIME, SIGEV_NONE, 0, 0, 0);
	CHECK(syscall(SYS_timer_delete, gone) == 0, "timer_delete");
	arm(to_process, TO_PROCESS_EVERY_MS, TO_PROCESS_EVERY_MS);
	arm(thread_timer, TO_THREAD_EVERY_MS, TO_THREAD_EVERY_MS);
	arm(later, 100000, 0);
	to_thread = thread_timer;
	struct itimerval alarm_every = {{0, ALARM_EVERY_MS * 1000}, {0, ALARM_EVERY_MS * 1000}};
	struct itimerval virtual_later = {{500, 0}, {1000, 0}};
	CHECK(setitimer(ITIMER_REAL, &alarm_every, NULL) == 0 && setitimer(ITIMER_VIRTUAL, &virtual_later, NULL) == 0, "setitimer");

	ready(argv[1]);
	long n = count(SIGRTMIN, to_process, 100, 1000 / TO_PROCESS_EVERY_MS);
	printf("timer %d: signal SIGRTMIN with value 100 to the process, %s %d expirations\n", to_process,
	       n >= 1000 / TO_PROCESS_EVERY_MS ? "at least" : "fewer than", 1000 / TO_PROCESS_EVERY_MS);
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	int alarms = 0, idle = 0;
	while (alarms < 20) {
		struct timespec wait = {0, 500 * 1000000};
		int got = sigtimedwait(&alrm, NULL, &wait);
		if (got == SIGALRM) {
			alarms++;
			idle = 0;
		} else {
			CHECK(errno == EINTR || (errno == EAGAIN && ++idle < 6), "SIGALRM keeps coming");
		}
	}
	printf("itimer real: at least 20 alarms\n");
	CHECK(pthread_join(w, NULL) == 0, "join");
	printf("timer %d: signal SIGRTMIN+1 with value 300 to thread %s, at least %d expirations\n", thread_timer,
	       "worker", 1000 / TO_THREAD_EVERY_MS);

	long every, left = gettime_ms(to_process, &every);
	CHECK(every == TO_PROCESS_EVERY_MS && left <= TO_PROCESS_EVERY_MS, "period of the timer to the process");
	left = gettime_ms(thread_timer, &every);
	CHECK(every == TO_THREAD_EVERY_MS && left <= TO_THREAD_EVERY_MS, "period of the timer to the thread");
	left = gettime_ms(later, &every);
	CHECK(every == 0 && left > 90000 && left <= 100000, "time left of the timer without notification");
	printf("timer %d: no notification, due in 90 to 100 s\n", later);
	struct itimerspec its;
	CHECK(syscall(SYS_timer_gettime, gone, &its) < 0 && errno == EINVAL, "the deleted timer stays deleted");
	CHECK(syscall(SYS_timer_gettime, later + 1, &its) < 0 && errno == EINVAL, "no timer beyond the last");
	printf("timer %d: deleted, and no timer after %d\n", gone, later);
	struct itimerval v;
	CHECK(getitimer(ITIMER_REAL, &v) == 0 && v.it_interval.tv_usec == ALARM_EVERY_MS * 1000, "ITIMER_REAL period");
	CHECK(getitimer(ITIMER_VIRTUAL, &v) == 0 && v.it_interval.tv_sec == 500 && v.it_value.tv_sec >= 990, "ITIMER_VIRTUAL");
	printf("itimer real every %d ms, itimer virtual every 500 s with about 1000 s left\n", ALARM_EVERY_MS);
	return 0;
}
