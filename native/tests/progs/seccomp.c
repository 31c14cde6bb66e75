/*
 * seccomp across the checkpoint.  In the parent, thread V enters strict mode and echoes bytes
 * through pipes; then the main thread sets no_new_privs and a filter that makes uname() fail
 * with errno 46, starts thread T, adds a filter for getcwd() (errno 54) for itself only, and
 * starts thread U, which adds one more of its own (getpriority, errno 55).  A child process
 * has two threads sharing their filters; after the checkpoint it adds one more with TSYNC,
 * which works only if its threads still share them.  Every thread checks which filters are
 * in force.
 */
#include "common.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* A filter that makes one syscall fail with err and lets everything else through. */
static long add_filter(int nr, int err, unsigned flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* The errno a syscall fails with, 0 when it works. */
static int err_of(long nr)
{
	char buf[4096];
	long r = nr == SYS_getpriority ? syscall(nr, 0, 0) : nr == SYS_getppid ? syscall(nr) : syscall(nr, buf, sizeof(buf));
	return r < 0 ? errno : 0;
}

struct probe {
	volatile int go, done;
	int uname_err, getcwd_err, getpriority_err, getppid_err;
};

static void probe_now(struct probe *p)
{
	p->uname_err = err_of(SYS_uname);
	p->getcwd_err = err_of(SYS_getcwd);
	p->getpriority_err = err_of(SYS_getpriority);
	p->getppid_err = err_of(SYS_getppid);
	p->done = 1;
}

static void *probing_thread(void *arg)
{
	struct probe *p = arg;
	while (!p->go)
		nap_ms(5);
	probe_now(p);
	return NULL;
}

static struct probe t_probe, u_probe;
static volatile int u_ready;

static void *thread_u(void *arg)
{
	(void)arg;
	CHECK(add_filter(SYS_getpriority, 55, 0) == 0, "thread U's own filter");
	u_ready = 1;
	return probing_thread(&u_probe);
}

static int to_v[2], from_v[2];
static volatile pid_t v_tid;

/* In strict mode only read, write and exit work: it echoes each byte plus one. */
static void *thread_v(void *arg)
{
	(void)arg;
	char c = 0;
	v_tid = (pid_t)syscall(SYS_gettid);
	syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
	for (;;) {
		if (syscall(SYS_read, to_v[0], &c, 1) != 1)
			syscall(SYS_exit, 1);
		c++;
		syscall(SYS_write, from_v[1], &c, 1);
	}
	return NULL;
}

static int seccomp_mode_of(pid_t tid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "status");
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0, "read status");
	buf[n] = 0;
	char *s = strstr(buf, "\nSeccomp:");
	return s ? atoi(s + 9) : -1;
}

/* The child: two threads that share their filters. */
static int child_main(void)
{
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && add_filter(SYS_uname, 46, 0) == 0, "child filter");
	struct probe p = {0};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, probing_thread, &p) == 0, "child thread");
	CHECK(add_filter(SYS_getcwd, 54, SECCOMP_FILTER_FLAG_TSYNC) == 0, "child TSYNC before");
	for (int step = 0; step < 40; step++)
		nap_ms(20);
	long r = add_filter(SYS_getppid, 56, SECCOMP_FILTER_FLAG_TSYNC);
	CHECK(r == 0, "the child's threads still share their filters (TSYNC)");
	p.go = 1;
	CHECK(pthread_join(t, NULL) == 0, "join");
	printf("child: its threads share their filters; one added with TSYNC reaches the other thread: uname %d, "
	       "getcwd %d, getppid %d\n", p.uname_err, p.getcwd_err, p.getppid_err);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	CHECK(pipe(to_v) == 0 && pipe(from_v) == 0, "pipes");
	pid_t child = fork();
	if (child == 0)
		return child_main();

	/* Strict mode only from no seccomp at all: V first. */
	pthread_t t, u, v;
	CHECK(pthread_create(&v, NULL, thread_v, NULL) == 0, "thread V");
	char c = 'a';
	CHECK(write(to_v[1], &c, 1) == 1 && read(from_v[0], &c, 1) == 1 && c == 'b', "thread V echoes");
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	CHECK(add_filter(SYS_uname, 46, 0) == 0, "first filter");
	CHECK(pthread_create(&t, NULL, probing_thread, &t_probe) == 0, "thread T");
	CHECK(add_filter(SYS_getcwd, 54, 0) == 0, "second filter, after T");
	CHECK(pthread_create(&u, NULL, thread_u, NULL) == 0, "thread U");
	while (!u_ready)
		nap_ms(1);
	/* The child has its filters in place before the checkpoint. */
	for (int i = 0; i < 400; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", child);
		if (access(path, F_OK) == 0)
			break;
		nap_ms(5);
	}
	nap_ms(50);

	ready(argv[1]);
	for (int step = 0; step < 40; step++)
		nap_ms(20);

	/* The child's line comes first. */
	int st;
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child");
	struct probe main_probe;
	probe_now(&main_probe);
	printf("main thread: uname fails with errno %d, getcwd with %d, getpriority with %d; no_new_privs %d\n",
	       main_probe.uname_err, main_probe.getcwd_err, main_probe.getpriority_err, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	t_probe.go = u_probe.go = 1;
	CHECK(pthread_join(t, NULL) == 0 && pthread_join(u, NULL) == 0, "join");
	printf("thread T: uname fails with errno %d, getcwd with %d, getpriority with %d\n", t_probe.uname_err,
	       t_probe.getcwd_err, t_probe.getpriority_err);
	printf("thread U: uname fails with errno %d, getcwd with %d, getpriority with %d\n", u_probe.uname_err,
	       u_probe.getcwd_err, u_probe.getpriority_err);
	c = 'x';
	CHECK(write(to_v[1], &c, 1) == 1 && read(from_v[0], &c, 1) == 1, "thread V answers");
	printf("thread V: seccomp mode %d (strict), echoes %c for x\n", seccomp_mode_of(v_tid), c);
	printf("main thread: seccomp mode %d (filter)\n", seccomp_mode_of((pid_t)syscall(SYS_gettid)));
	return 0;
}
