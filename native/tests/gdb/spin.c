/* Two threads that keep running (for saves of a running program).  Each counts in a loop
 * with short sleeps; the program ends after `seconds` (first argument, default 60) and prints
 * how far each thread got.  A second argument touches that many MiB of heap first, so that
 * writing a statefile takes a while.  "SPIN READY" says both threads run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile long counters[2];
static volatile int stop;

static void *count(void *arg)
{
	long i = (long)arg;
	while (!stop) {
		counters[i]++;
		usleep(500);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 60;
	long mib = argc > 2 ? atol(argv[2]) : 0;
	if (mib > 0) {
		unsigned char *heap = malloc((size_t)mib << 20);
		if (!heap)
			return 1;
		for (size_t i = 0; i < ((size_t)mib << 20); i += 4096)
			heap[i] = (unsigned char)(i >> 12) | 1;
	}
	pthread_t th;
	pthread_create(&th, NULL, count, (void *)1L);
	/* Tests wait for this line instead of guessing how long the heap takes to touch. */
	printf("SPIN READY\n");
	fflush(stdout);
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		counters[0]++;
		usleep(500);
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("SPIN %ld %ld\n", counters[0] > 0 ? 1L : 0L, counters[1] > 0 ? 1L : 0L);
	fflush(stdout);
	return 0;
}
