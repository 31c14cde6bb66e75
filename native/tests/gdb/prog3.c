/* Three threads.  Two workers block in read() at a known place, each with locals in every
 * frame; the main thread then stops at a breakpoint in a nested function.  The final result
 * depends on the state of all three threads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct worker {
	int id;
	int fd[2];
	pid_t tid;
	long partial;
};

static volatile double sink;

__attribute__((noinline)) static long worker_wait(struct worker *w, long base)
{
	char go = 0;
	long before = base * 3 + w->id;
	if (read(w->fd[0], &go, 1) != 1)     /* workers sit here */
		abort();
	return before + go;
}

__attribute__((noinline)) static long worker_loop(struct worker *w)
{
	long base = 100 * (w->id + 1);
	for (int i = 0; i < 1000; i++)
		base += i % (w->id + 2);
	return worker_wait(w, base) * 2;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	w->tid = gettid();
	w->partial = worker_loop(w);
	return NULL;
}

static int sleeping(pid_t tid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *e = strrchr(buf, ')');
	return e && e[2] == 'S';
}

__attribute__((noinline)) static double step_here(double x, int k)
{
	double half = x / 2.0;
	int twice = k * 2;
	sink = half;                         /* BREAK-HERE */
	return half + twice;
}

__attribute__((noinline)) static double blend(struct worker *ws, int n)
{
	double mix = 0.75;
	for (int k = 0; k < n; k++)
		mix = step_here(mix * 3.0 + ws[k].id, k);
	return mix;
}

int main(void)
{
	struct worker ws[2];
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		memset(&ws[i], 0, sizeof(ws[i]));
		ws[i].id = i;
		if (pipe(ws[i].fd) < 0)
			return 1;
		pthread_create(&th[i], NULL, worker_main, &ws[i]);
		char name[16];
		snprintf(name, sizeof(name), "worker-%d", i);
		pthread_setname_np(th[i], name);
	}
	/* Wait until both workers sleep in read(), so that every run stops in the same place. */
	for (int i = 0; i < 2; i++)
		while (!ws[i].tid || !sleeping(ws[i].tid))
			usleep(1000);
	double mix = blend(ws, 2);
	for (int i = 0; i < 2; i++) {
		char go = (char)(5 + i);
		if (write(ws[i].fd[1], &go, 1) != 1)
			return 1;
		pthread_join(th[i], NULL);
	}
	printf("RESULT %ld\n", (long)(mix * 1000.0) + ws[0].partial * 7 + ws[1].partial);
	fflush(stdout);
	return 0;
}
