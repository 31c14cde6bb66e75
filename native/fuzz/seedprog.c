/*
 * A small program to capture for the fuzz seeds and the malformed corpus.
 *   seedprog single   one thread
 *   seedprog threads  three threads
 *   seedprog tree     a child process joined by a pipe, with bytes left in the pipe, an epoll
 *                     set over the pipe and an inotify fd that both share, and sockets: a
 *                     unix socketpair between them and a loopback TCP connection inside the
 *                     parent, with bytes queued both ways, a TCP listener, a UDP socket with a
 *                     datagram waiting
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
#include <unistd.h>

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
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
		/* Wait until the child has written, and leave the bytes in the pipe. */
		usleep(100000);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
