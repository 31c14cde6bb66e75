/*
 * A small program to capture for the fuzz seeds and the malformed corpus.
 *   seedprog single   one thread
 *   seedprog threads  three threads
 *   seedprog tree     a child process joined by a pipe, with bytes left in the pipe, and an
 *                     epoll set over the pipe and an inotify fd that both share
 * It prints "ready" on stdout once it is in its steady state, then sleeps until killed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
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
		int p[2];
		if (pipe(p) < 0)
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
			if (write(p[1], "queued", 6) != 6)
				_exit(1);
			for (;;)
				pause();
		}
		close(p[1]);
		/* Wait until the child has written, and leave the bytes in the pipe. */
		usleep(100000);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
