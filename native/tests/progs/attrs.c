/*
 * Process attributes across the checkpoint (CKPT_NT_PROCATTR), as an ordinary user may set them:
 * the program is a child subreaper with THP disabled, its nice value 5 above where it started,
 * its oom_score_adj 100 higher, registered for private expedited membarrier and, when run by
 * root (whom ckpt needs to save such a process), not dumpable.  Its child M has a child C whose
 * parent-death signal is SIGUSR1.  After the work the program checks each attribute again, and
 * checks two of them by what they do: when M exits, C gets SIGUSR1 and is reparented to the
 * program (the subreaper), which reaps it.
 */
#include "common.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MB_PRIVATE_EXPEDITED (1 << 3)
#define MB_REGISTER_PRIVATE_EXPEDITED (1 << 4)

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int read_oom_score_adj(void)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "r");
	int v = 0;
	CHECK(f && fscanf(f, "%d", &v) == 1, "read oom_score_adj");
	fclose(f);
	return v;
}

static void write_oom_score_adj(int v)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");
	CHECK(f && fprintf(f, "%d", v) > 0 && fclose(f) == 0, "write oom_score_adj");
}

static void write_all(int fd, const void *p, size_t n)
{
	CHECK(write(fd, p, n) == (ssize_t)n, "write");
}

static void read_all(int fd, void *p, size_t n)
{
	ssize_t r;
	while ((r = read(fd, p, n)) < 0 && errno == EINTR)
		;
	CHECK(r == (ssize_t)n, "read");
}

/* C: reports its parent-death signal, then waits for it to come. */
static void grandchild(pid_t program, int report)
{
	signal(SIGUSR1, on_usr1);
	CHECK(prctl(PR_SET_PDEATHSIG, SIGUSR1) == 0, "PR_SET_PDEATHSIG");
	pid_t self = getpid();
	write_all(report, &self, sizeof(self)); /* one write: M writes nothing to this pipe */
	/* Three seconds without the signal: it is lost. */
	for (int i = 0; i < 300 && !got_usr1; i++) {
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL); /* the signal ends a nap */
	}
	int sig = 0;
	CHECK(prctl(PR_GET_PDEATHSIG, &sig) == 0, "PR_GET_PDEATHSIG");
	/* The parent died: the subreaper is the new parent. */
	char r[2] = {got_usr1 && sig == SIGUSR1 ? 's' : '?', getppid() == program ? 'p' : '?'};
	write_all(report, r, 2);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t program = getpid();
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER");
	CHECK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0, "PR_SET_THP_DISABLE");
	errno = 0;
	int nice0 = getpriority(PRIO_PROCESS, 0);
	CHECK(errno == 0, "getpriority");
	int nice_want = nice0 + 5 > 19 ? 19 : nice0 + 5;
	CHECK(setpriority(PRIO_PROCESS, 0, nice_want) == 0, "setpriority");
	int oom0 = read_oom_score_adj();
	int oom_want = oom0 + 100 > 1000 ? 1000 : oom0 + 100;
	write_oom_score_adj(oom_want);
	bool membarrier = syscall(SYS_membarrier, MB_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
	bool root = geteuid() == 0;
	if (root)
		CHECK(prctl(PR_SET_DUMPABLE, 0) == 0, "PR_SET_DUMPABLE");

	int report[2], quit[2];
	CHECK(pipe(report) == 0 && pipe(quit) == 0, "pipe");
	pid_t middle = fork();
	CHECK(middle >= 0, "fork");
	if (middle == 0) {
		close(report[0]);
		close(quit[1]);
		pid_t c = fork();
		CHECK(c >= 0, "fork");
		if (c == 0) {
			close(quit[0]);
			grandchild(program, report[1]);
		}
		char b;
		while (read(quit[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0); /* C's parent-death signal */
	}
	close(report[1]);
	close(quit[0]);
	pid_t c;
	read_all(report[0], &c, sizeof(c)); /* C is set up */

	ready(argv[1]);
	for (int step = 0; step < 40; step++)
		nap_ms(20);

	int v = 0;
	printf("child subreaper: %d\n", prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 ? v : -1);
	printf("THP disabled: %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	printf("nice: %s\n", errno == 0 && nice == nice_want ? "5 above the start" : "CHANGED");
	printf("oom_score_adj: %s\n", read_oom_score_adj() == oom_want ? "100 above the start" : "CHANGED");
	if (membarrier)
		printf("membarrier private expedited: %s\n",
		       syscall(SYS_membarrier, MB_PRIVATE_EXPEDITED, 0, 0) == 0 ? "registered" : "NOT REGISTERED");
	else
		printf("membarrier private expedited: not available here\n");
	printf("dumpable: %d (%s)\n", prctl(PR_GET_DUMPABLE), root ? "root set 0" : "left as it was");

	/* M exits: C gets its signal and comes to us. */
	close(quit[1]);
	int st;
	pid_t w;
	while ((w = waitpid(middle, &st, 0)) < 0 && errno == EINTR)
		;
	CHECK(w == middle && WIFEXITED(st), "the middle child exits");
	char got[2];
	read_all(report[0], got, 2);
	printf("grandchild: parent-death signal %s, reparented to the subreaper %s\n", got[0] == 's' ? "SIGUSR1" : "NOT RECEIVED",
	       got[1] == 'p' ? "yes" : "NO");
	while ((w = waitpid(c, &st, 0)) < 0 && errno == EINTR)
		;
	printf("grandchild reaped by the subreaper: %s\n", w == c && WIFEXITED(st) ? "yes" : "NO");
	return 0;
}
