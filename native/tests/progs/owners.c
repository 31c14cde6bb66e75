/*
 * Owners of open file descriptions: a pipe whose read end signals (O_ASYNC) this process with
 * SIGUSR1 (F_SETOWN, F_SETSIG) when data comes, and its write end owned by a child's thread
 * (F_SETOWN_EX, F_OWNER_TID). After the work the owners, the signal and the exact status flags
 * are as they were (a pipe end has no O_LARGEFILE), and data written by the child signals us.
 */
#include "common.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile sig_atomic_t signalled;

static void on_usr1(int sig)
{
	(void)sig;
	signalled++;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	int p[2], sync[2], told[2];
	CHECK(pipe(p) == 0 && pipe(sync) == 0 && pipe(told) == 0, "pipes");
	CHECK(fcntl(p[0], F_SETOWN, getpid()) == 0 && fcntl(p[0], F_SETSIG, SIGUSR1) == 0 &&
	      fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) == 0, "the read end's owner, signal and flags");
	pid_t child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		close(sync[1]); /* the parent gone, the read below ends */
		struct f_owner_ex own = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
		CHECK(fcntl(p[1], F_SETOWN_EX, &own) == 0 && write(told[1], "x", 1) == 1, "the write end's owner");
		char c;
		CHECK(read(sync[0], &c, 1) == 1, "child waits");
		CHECK(fcntl(p[1], F_GETOWN_EX, &own) == 0 && own.type == F_OWNER_TID && own.pid == syscall(SYS_gettid),
		      "the write end still owned by the child's thread");
		CHECK(write(p[1], "data", 4) == 4, "the child writes");
		_exit(0);
	}
	char c;
	CHECK(read(told[0], &c, 1) == 1, "the child took the write end");

	ready(argv[1]);
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 30; i++) {
		h = fnv(h, &i, sizeof(i));
		nap_ms(20);
	}

	CHECK(fcntl(p[0], F_GETOWN) == getpid(), "the read end's owner");
	CHECK(fcntl(p[0], F_GETSIG) == SIGUSR1, "the read end's signal");
	CHECK(fcntl(p[0], F_GETFL) == (O_RDONLY | O_ASYNC | O_NONBLOCK), "the read end's exact flags");
	CHECK(fcntl(p[1], F_GETFL) == O_WRONLY, "the write end's exact flags");
	CHECK(write(sync[1], "x", 1) == 1, "wake the child");
	int status;
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	char got[4];
	CHECK(read(p[0], got, 4) == 4 && memcmp(got, "data", 4) == 0, "the child's data");
	CHECK(signalled > 0, "SIGUSR1 for the data");
	printf("owners ok %016llx\n", (unsigned long long)h);
	return 0;
}
