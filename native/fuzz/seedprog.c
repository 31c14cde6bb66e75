/*
 * A small program to capture for the fuzz seeds and the malformed corpus.
 *   seedprog single   one thread
 *   seedprog threads  three threads
 *   seedprog tree     a child process joined by a pipe, with bytes left in the pipe, an epoll
 *                     set over the pipe and an inotify fd that both share, and sockets: a
 *                     unix socketpair between them and a loopback TCP connection inside the
 *                     parent, with bytes queued both ways, a TCP listener, a UDP socket with a
 *                     datagram waiting, and a unix listener at the path argv[2] (its socket
 *                     file's mode and owner are saved)
 *   seedprog objects  kernel objects of every kind ckpt saves: a zombie child, POSIX timers and
 *                     an itimer, file locks on its stdout (a file), SysV shared memory,
 *                     semaphores and a message queue, a thread under a seccomp filter and one
 *                     in strict mode, a raw ICMP socket bound to loopback and a netlink socket
 *                     in a group, connected to another.  It prints "ipc SHM SHM SEM MSG" first, the SysV ids,
 *                     which outlive it and which its caller removes.
 * It prints "ready" on stdout once it is in its steady state, then sleeps until killed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/file.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *filtered(void *arg)
{
	(void)arg;
	/* Makes uname() fail with EPERM in this thread only. */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_uname, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {4, f};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	for (;;)
		pause();
	return NULL;
}

static int strict_pipe[2];

static void *strict(void *arg)
{
	(void)arg;
	char c;
	syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
	for (;;)
		syscall(SYS_read, strict_pipe[0], &c, 1);
	return NULL;
}

static void objects(void)
{
	if (fork() == 0)
		_exit(3); /* a zombie */
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigaddset(&rt, SIGALRM);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	timer_t t1, t2;
	timer_create(CLOCK_MONOTONIC, &sev, &t1);
	sev.sigev_notify = SIGEV_NONE;
	timer_create(CLOCK_BOOTTIME, &sev, &t2);
	struct itimerspec its = {{1, 0}, {100, 0}};
	timer_settime(t1, 0, &its, NULL);
	struct itimerval alarm_in = {{0, 0}, {1000, 0}};
	setitimer(ITIMER_REAL, &alarm_in, NULL);
	flock(1, LOCK_EX);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 50};
	fcntl(1, F_SETLK, &fl);
	int shm = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600), lone = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600), msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	char *at = shmat(shm, NULL, 0), *lone_at = shmat(lone, NULL, 0);
	memset(at, 0x33, 8192);
	memset(lone_at, 0x44, 100);
	shmdt(lone_at);
	struct sembuf up = {1, 5, 0};
	semop(sem, &up, 1);
	struct { long type; char text[8]; } m = {7, "message"};
	msgsnd(msg, &m, 8, 0);
	printf("ipc %d %d %d %d\n", shm, lone, sem, msg);
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(raw, (struct sockaddr *)&lo, sizeof(lo));
	int nl = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK);
	struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_pid = 1u << 30, .nl_groups = 2};
	connect(nl, (struct sockaddr *)&to, sizeof(to));
	int one = 1;
	setsockopt(nl, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &one, sizeof(one));
	pthread_t t;
	pipe(strict_pipe);
	pthread_create(&t, NULL, strict, NULL);
	pthread_create(&t, NULL, filtered, NULL);
	usleep(100000);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "single";
	static char heap_mark[64];
	char *heap = malloc(8192);
	memset(heap, 0x5a, 8192);
	snprintf(heap_mark, sizeof(heap_mark), "seedprog %s", mode);
	if (strcmp(mode, "threads") == 0) {
		for (int i = 0; i < 2; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, idle, NULL) != 0)
				return 1;
		}
	} else if (strcmp(mode, "tree") == 0) {
		int p[2], sv[2];
		if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return 1;
		int ep = epoll_create1(0);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x5eed};
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) < 0)
			return 1;
		/* ckpt dump needs CAP_DAC_READ_SEARCH for the paths inotify watches. */
		int in = geteuid() == 0 ? inotify_init1(0) : -1;
		if (in >= 0 && inotify_add_watch(in, "/", IN_CREATE | IN_DELETE) < 0)
			return 1;
		pid_t c = fork();
		if (c < 0)
			return 1;
		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(p[0]);
			close(sv[0]);
			if (write(p[1], "queued", 6) != 6 || write(sv[1], "to parent", 9) != 9)
				_exit(1);
			for (;;)
				pause();
		}
		close(p[1]);
		close(sv[1]);
		if (write(sv[0], "to child", 8) != 8)
			return 1;
		/* A listener, a connection it accepted and a UDP socket, all on loopback. */
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t al = sizeof(a);
		int l = socket(AF_INET, SOCK_STREAM, 0), t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
		if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0 ||
		    getsockname(l, (struct sockaddr *)&a, &al) < 0 || connect(t, (struct sockaddr *)&a, sizeof(a)) < 0)
			return 1;
		int s = accept(l, NULL, NULL);
		a.sin_port = 0;
		if (s < 0 || write(t, "request", 7) != 7 || write(s, "reply", 5) != 5 ||
		    bind(u, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(u, (struct sockaddr *)&a, &al) < 0 ||
		    sendto(u, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) != 8)
			return 1;
		struct sockaddr_un un = {.sun_family = AF_UNIX};
		int ul = socket(AF_UNIX, SOCK_STREAM, 0);
		if (argc < 3 || strlen(argv[2]) >= sizeof(un.sun_path))
			return 1;
		strcpy(un.sun_path, argv[2]);
		unlink(un.sun_path);
		if (bind(ul, (struct sockaddr *)&un, sizeof(un)) < 0 || listen(ul, 1) < 0)
			return 1;
		/* Wait until the child has written, and leave the bytes in the pipe. */
		usleep(100000);
	} else if (strcmp(mode, "objects") == 0) {
		objects();
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
