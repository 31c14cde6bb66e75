/* A loop for the time-travel checks: stop_here is called once per round, and between two calls
 * exactly these change in the main thread: its arguments and local, main's round and total,
 * the globals counter, table and (in round 3) phase, and one page of the heap.  ratio,
 * untouched, fixed and the heap pointer never change.  Meanwhile a second thread runs a long
 * computation of its own, so that the loop is saved while another thread runs.  The result
 * depends on all of it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int counter;
long table[64];
double ratio = 1.5;
static char phase[16] = "start";
int untouched = 7;
static long *heap;

static void *churn(void *rounds)
{
	unsigned long h = 1469598103934665603ul;
	for (long i = 0; i < (long)rounds; i++)
		h = (h ^ (unsigned long)i) * 1099511628211ul;
	return (void *)h;
}

__attribute__((noinline)) static long stop_here(int step, long weight)
{
	long local = weight * 2 + step;
	return local;                        /* BREAK-HERE */
}

int main(void)
{
	heap = calloc(1 << 17, sizeof(long)); /* 1 MiB: 256 pages */
	pthread_t worker;
	pthread_create(&worker, NULL, churn, (void *)300000000L);
	long total = 0;
	int fixed = 42;
	for (int round = 0; round < 6; round++) {
		counter += 3;
		table[round * 7 % 64] += round + 1;
		heap[round * 4096 / sizeof(long)] = round + 1;
		if (round == 3)
			strcpy(phase, "late");
		total += stop_here(round, total % 1000 + fixed);
	}
	void *churned;
	pthread_join(worker, &churned);
	long digest = (long)churned + total * 31 + counter + (long)(ratio * 2) + untouched + (long)strlen(phase);
	for (int i = 0; i < 64; i++)
		digest = digest * 31 + table[i];
	for (int i = 0; i < 6; i++)
		digest = digest * 31 + heap[i * 4096 / sizeof(long)];
	printf("RESULT %ld\n", digest);
	fflush(stdout);
	return 0;
}
