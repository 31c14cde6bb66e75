/*
 * File locks across the checkpoint: the parent holds a flock, two POSIX record locks (a write
 * lock on bytes 0-99 and a read lock from 200 to the end, through a file it also has dup'ed)
 * and an OFD lock; its child holds a POSIX lock of its own.  After the checkpoint the child,
 * a process of the tree, and a fresh process started then (outside the saved tree) check from
 * descriptors of their own that each lock is held, by whom, and nothing more.  The parent also
 * holds leases: a read lease, a write lease and a write lease it began to break to a read lease
 * by opening the file itself; after the checkpoint each has its type and no break signal came.
 *   locks READY DIR          the program
 *   locks --check DIR P C    the outside checker (P: the parent's pid, C: the child's)
 */
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

static char dir[3000];
static volatile sig_atomic_t lease_signals;

static void lease_broken(int sig)
{
	(void)sig;
	lease_signals++;
}

static int open_in(const char *name, int flags)
{
	char path[3100];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, flags | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0, "open a lock file");
	return fd;
}

static void posix_lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	CHECK(fcntl(fd, cmd, &fl) == 0, "take a lock");
}

/* Who holds a lock that conflicts with a write lock on byte `at`: "parent", "child", "nobody"... */
static const char *holder(int fd, int cmd, off_t at, pid_t parent, pid_t child, const char **type)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = at, .l_len = 1};
	CHECK(fcntl(fd, cmd, &fl) == 0, "F_GETLK");
	*type = fl.l_type == F_WRLCK ? "write" : fl.l_type == F_RDLCK ? "read" : "no";
	if (fl.l_type == F_UNLCK)
		return "nobody";
	return fl.l_pid == parent ? "the parent" : fl.l_pid == child ? "the child" : fl.l_pid == -1 ? "a description" : "someone else";
}

/* What a process that shares no descriptor with the lock holders sees. */
static void check_from_outside(const char *who, pid_t parent, pid_t child)
{
	int f = open_in("flock.lck", O_RDWR), p = open_in("posix.lck", O_RDWR), o = open_in("ofd.lck", O_RDWR),
	    c = open_in("child.lck", O_RDWR);
	CHECK(flock(f, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK, "the flock is held");
	const char *t1, *t2, *t3, *t4, *t5;
	const char *h1 = holder(p, F_GETLK, 50, parent, child, &t1), *h3 = holder(p, F_GETLK, 5000, parent, child, &t3),
		   *h4 = holder(o, F_OFD_GETLK, 15, parent, child, &t4);
	holder(p, F_GETLK, 150, parent, child, &t2);
	printf("%s sees: flock held; posix.lck byte 50: %s lock of %s, byte 150: %s lock, byte 5000: %s lock of %s; "
	       "ofd.lck byte 15: %s lock of %s",
	       who, t1, h1, t2, t3, h3, t4, h4);
	/* A process does not conflict with its own locks: the child cannot see its lock this way. */
	if (getpid() != child) {
		const char *h5 = holder(c, F_GETLK, 0, parent, child, &t5);
		printf("; child.lck: %s lock of %s", t5, h5);
	}
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--check") == 0) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		check_from_outside("a process outside the tree", (pid_t)atoi(argv[3]), (pid_t)atoi(argv[4]));
		return 0;
	}
	if (argc < 3)
		return 2;
	snprintf(dir, sizeof(dir), "%s", argv[2]);
	int f = open_in("flock.lck", O_RDWR), p = open_in("posix.lck", O_RDWR), o = open_in("ofd.lck", O_RDWR);
	CHECK(flock(f, LOCK_EX | LOCK_NB) == 0, "flock");
	posix_lock(p, F_SETLK, F_WRLCK, 0, 100);
	posix_lock(p, F_SETLK, F_RDLCK, 200, 0);
	int p2 = fcntl(p, F_DUPFD_CLOEXEC, 10);
	CHECK(p2 >= 0, "dup");
	posix_lock(o, F_OFD_SETLK, F_WRLCK, 10, 10);
	pid_t parent = getpid();

	signal(SIGIO, lease_broken);
	int lr = open_in("lease-r.lck", O_RDONLY), lw = open_in("lease-w.lck", O_WRONLY), lb = open_in("lease-b.lck", O_WRONLY);
	CHECK(fcntl(lr, F_SETLEASE, F_RDLCK) == 0 && fcntl(lw, F_SETLEASE, F_WRLCK) == 0 &&
		      fcntl(lb, F_SETLEASE, F_WRLCK) == 0, "take the leases");
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", lb);
	CHECK(open(self, O_RDONLY | O_NONBLOCK) < 0 && errno == EWOULDBLOCK, "begin to break a lease");
	while (!lease_signals)
		nap_ms(1);

	int go[2];
	CHECK(pipe2(go, O_CLOEXEC) == 0, "pipe");
	pid_t child = fork();
	if (child == 0) {
		close(go[1]);
		int c = open_in("child.lck", O_RDWR);
		posix_lock(c, F_SETLK, F_WRLCK, 0, 0);
		char x;
		CHECK(read(go[0], &x, 1) == 1, "told to check");
		check_from_outside("the child", parent, getpid());
		_exit(0);
	}
	close(go[0]);
	/* The child's lock is there before the checkpoint. */
	int c = open_in("child.lck", O_RDWR);
	for (int i = 0; i < 500; i++) {
		const char *type;
		if (strcmp(holder(c, F_GETLK, 0, parent, child, &type), "the child") == 0)
			break;
		nap_ms(5);
	}

	ready(argv[1]);
	for (int step = 0; step < 40; step++)
		nap_ms(20);

	/* A fresh process, which the checkpoint never saw. */
	int st;
	pid_t outside = fork();
	if (outside == 0) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", parent);
		snprintf(b, sizeof(b), "%d", child);
		execl("/proc/self/exe", "locks", "--check", dir, a, b, (char *)NULL);
		_exit(127);
	}
	CHECK(waitpid(outside, &st, 0) == outside && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the outside process checked");
	int types[] = {fcntl(lr, F_GETLEASE), fcntl(lw, F_GETLEASE), fcntl(lb, F_GETLEASE)};
	printf("the parent's leases: %s, %s, %s (the one being broken); break signals: %d\n",
	       types[0] == F_RDLCK ? "read" : "not read", types[1] == F_WRLCK ? "write" : "not write",
	       types[2] == F_RDLCK ? "read" : "not read", (int)lease_signals);
	CHECK(write(go[1], "c", 1) == 1, "tell the child");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child checked");
	/* The parent's own locks are still its own: taking them again changes nothing. */
	CHECK(flock(f, LOCK_EX | LOCK_NB) == 0, "the parent's flock is the parent's");
	close(p2); /* closing any fd of the file drops the process's POSIX locks on it */
	const char *type;
	int q = fork();
	if (q == 0) {
		int again = open_in("posix.lck", O_RDWR);
		_exit(strcmp(holder(again, F_GETLK, 50, parent, child, &type), "nobody") == 0 ? 0 : 1);
	}
	CHECK(waitpid(q, &st, 0) == q && WIFEXITED(st) && WEXITSTATUS(st) == 0, "closing a dup drops the POSIX locks");
	printf("the parent: closing a duplicate dropped its POSIX locks, as before\n");
	return 0;
}
