/*
 * Kernel event sources held across the checkpoint: an eventfd in semaphore mode with a count
 * left in it, a signalfd with a blocked signal waiting to be read, and a periodic timerfd that
 * keeps ticking.  The program counts what it reads until the timer has fired 40 times.
 */
#include "common.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int efd = eventfd(7, EFD_SEMAPHORE | EFD_NONBLOCK);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &mask, NULL) == 0, "block");
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	CHECK(efd >= 0 && sfd >= 0 && tfd >= 0, "create");
	struct itimerspec its = {{0, 20 * 1000000}, {0, 20 * 1000000}};
	CHECK(timerfd_settime(tfd, 0, &its, NULL) == 0, "arm");
	raise(SIGUSR1); /* waits in the signalfd across the checkpoint */
	uint64_t one;
	CHECK(read(efd, &one, 8) == 8 && one == 1, "semaphore read"); /* 6 left */

	ready(argv[1]);
	uint64_t ticks = 0, reads = 0;
	while (ticks < 40) {
		struct pollfd p = {.fd = tfd, .events = POLLIN};
		CHECK(poll(&p, 1, 2000) == 1, "timer fires");
		uint64_t n;
		CHECK(read(tfd, &n, 8) == 8 && n >= 1, "timer read");
		ticks += n;
		reads++;
	}
	int left = 0;
	while (read(efd, &one, 8) == 8)
		left++;
	struct signalfd_siginfo si;
	CHECK(read(sfd, &si, sizeof(si)) == sizeof(si), "signal waiting");
	CHECK(read(sfd, &si.ssi_errno, 4) < 0, "one signal only");
	struct itimerspec now;
	CHECK(timerfd_gettime(tfd, &now) == 0 && now.it_interval.tv_nsec == 20 * 1000000, "period kept");
	int fl = fcntl(tfd, F_GETFL);
	CHECK(fl & O_NONBLOCK, "timerfd nonblocking");
	printf("timer ticks %s40\neventfd semaphore left %d\nsignal %u\n", ticks >= 40 ? ">=" : "<", left, si.ssi_signo);
	return 0;
}
