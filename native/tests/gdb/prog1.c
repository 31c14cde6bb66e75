/* One thread.  main -> compute -> accumulate -> step_here (the breakpoint), with locals in
 * every frame and doubles in flight, then a result that depends on all of the saved state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double sink;

__attribute__((noinline)) static double step_here(double x, long round, long *cells)
{
	double scaled = x * 1.5 + (double)round;
	long marker = cells[round % 16] ^ 0x5a5a;
	sink = scaled;                       /* BREAK-HERE */
	return scaled / 3.0 + (double)(marker & 0xff);
}

__attribute__((noinline)) static double accumulate(long *cells, long n)
{
	double total = 0.25;
	char label[16];
	snprintf(label, sizeof(label), "acc-%ld", n);
	for (long round = 0; round < n; round++) {
		cells[round % 16] += round * 7;
		total += step_here(total * 0.5, round, cells);
	}
	return total + (double)strlen(label);
}

__attribute__((noinline)) static long compute(int seed)
{
	long *cells = calloc(16, sizeof(long));
	for (int i = 0; i < 16; i++)
		cells[i] = seed * (i + 1);
	double acc = accumulate(cells, 8);
	long digest = (long)(acc * 1000.0);
	for (int i = 0; i < 16; i++)
		digest = digest * 31 + cells[i];
	free(cells);
	return digest;
}

int main(int argc, char **argv)
{
	int seed = argc > 1 ? atoi(argv[1]) : 11;
	long r = compute(seed);
	printf("RESULT %ld\n", r);
	fflush(stdout);
	return 0;
}
