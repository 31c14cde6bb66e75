/* Two threads that keep running (for saves of a running program).  Each counts in a loop
 * with short sleeps; the program ends after `seconds` (argument, default 60) and prints how
 * far each thread got. */
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
	pthread_t th;
	pthread_create(&th, NULL, count, (void *)1L);
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
