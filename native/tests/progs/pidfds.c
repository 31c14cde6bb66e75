/*
 * pidfds of processes of the tree: of a child that runs on (non-blocking, and dup'ed), of the
 * program itself, of a zombie child, and of a child already reaped.  After the work each must
 * still be a pidfd of the same process: the running child's pidfd not ready until the child is
 * told to exit, then its status read through waitid(P_PIDFD); the zombie's status read through
 * its pidfd; the reaped one's signals refused, and a second pidfd of it, opened on its own, still of
 * the same process (the same inode).
 */
#include "common.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* The pid a pidfd is of, as its fdinfo says (-1: reaped). */
static long pid_of(int fd)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	CHECK(f, "fdinfo");
	long pid = -2;
	while (fgets(buf, sizeof(buf), f))
		if (strncmp(buf, "Pid:", 4) == 0)
			pid = strtol(buf + 4, NULL, 10);
	fclose(f);
	return pid;
}

static bool ready_now(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int go[2];
	CHECK(pipe(go) == 0, "pipe");
	pid_t runner = fork();
	CHECK(runner >= 0, "fork runner");
	if (runner == 0) {
		char c;
		CHECK(read(go[0], &c, 1) == 1, "runner waits");
		_exit(7);
	}
	pid_t zombie = fork();
	CHECK(zombie >= 0, "fork zombie");
	if (zombie == 0)
		_exit(5);
	pid_t gone = fork();
	CHECK(gone >= 0, "fork gone");
	if (gone == 0)
		_exit(0);
	int run_fd = pidfd_open(runner, PIDFD_NONBLOCK);
	int run_dup = dup(run_fd);
	int self_fd = pidfd_open(getpid(), 0);
	int zombie_fd = pidfd_open(zombie, 0);
	int gone_fd = pidfd_open(gone, 0), gone_fd2 = pidfd_open(gone, 0);
	CHECK(run_fd >= 0 && run_dup >= 0 && self_fd >= 0 && zombie_fd >= 0 && gone_fd >= 0 && gone_fd2 >= 0, "pidfd_open");
	CHECK(waitpid(gone, NULL, 0) == gone, "reap gone");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT) == 0, "the zombie has exited");
	ready(argv[1]);
	for (int i = 0; i < 30; i++)
		nap_ms(20);

	CHECK(pid_of(run_fd) == runner && pid_of(run_dup) == runner, "the runner's pidfds are of the runner");
	CHECK(pid_of(self_fd) == getpid(), "the program's own pidfd");
	CHECK(pid_of(zombie_fd) == zombie && pid_of(gone_fd) == -1, "the zombie's and the reaped child's pidfds");
	struct stat a, b, z;
	CHECK(fstat(gone_fd, &a) == 0 && fstat(gone_fd2, &b) == 0 && fstat(zombie_fd, &z) == 0 && a.st_ino == b.st_ino &&
	      a.st_ino != z.st_ino, "the reaped child's two pidfds are of one process");
	CHECK((fcntl(run_fd, F_GETFL) & O_NONBLOCK) && !(fcntl(self_fd, F_GETFL) & O_NONBLOCK), "non-blocking flags");
	CHECK(!ready_now(run_fd) && ready_now(zombie_fd), "ready only when exited");
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PIDFD, (id_t)run_fd, &si, WEXITED) < 0 && errno == EAGAIN, "a non-blocking pidfd's wait");
	/* ESRCH; EINVAL after a restart in a pid namespace of its own, where the stand-in for the
	 * reaped child was a process outside it (README). */
	CHECK(syscall(SYS_pidfd_send_signal, gone_fd, 0, NULL, 0) < 0 && (errno == ESRCH || errno == EINVAL),
	      "the reaped child is gone");
	CHECK(syscall(SYS_pidfd_send_signal, self_fd, 0, NULL, 0) == 0, "signal to self through its pidfd");
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PIDFD, (id_t)zombie_fd, &si, WEXITED) == 0 && si.si_pid == zombie && si.si_status == 5,
	      "the zombie's status through its pidfd");
	CHECK(write(go[1], "x", 1) == 1, "tell the runner");
	struct pollfd p = {.fd = run_dup, .events = POLLIN};
	CHECK(poll(&p, 1, 10000) == 1, "the runner's pidfd becomes ready");
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PIDFD, (id_t)run_dup, &si, WEXITED) == 0 && si.si_pid == runner && si.si_status == 7,
	      "the runner's status through its pidfd");
	printf("pidfds ok\n");
	return 0;
}
