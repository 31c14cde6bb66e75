/* One thread: stack, heap, brk, static data and floating-point/SSE/AVX registers in flight. */
#include "common.h"

#include <math.h>

static char static_buf[8192] = "static data";

/* Keeps a value in the upper half of an AVX register (ymm8) across the checkpoint: nothing
 * between the two asm statements touches vector registers, only nanosleep and open/close. */
__attribute__((noinline)) static double work(int steps, const char *ready_path, double out[4])
{
	const double in[4] = {1.5, 2.5, 3.5, 4.5};
	__asm__ volatile("vmovupd %0, %%ymm8" : : "m"(in) : "xmm8");
	double acc = 1.0;
	for (int i = 0; i < steps; i++) {
		if (i == 3)
			ready(ready_path);
		acc = acc * 1.000001 + sqrt((double)i);
		nap_ms(25);
	}
	__asm__ volatile("vmovupd %%ymm8, %0" : "=m"(*(double(*)[4])out));
	return acc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t pid = getpid();
	char stack_buf[4096];
	for (size_t i = 0; i < sizeof(stack_buf); i++)
		stack_buf[i] = (char)(i * 7);
	char *heap = malloc(3 << 20);
	for (size_t i = 0; i < (3u << 20); i += 64)
		heap[i] = (char)(i >> 6);
	char *brk_mem = sbrk(1 << 16);
	memset(brk_mem, 0x5a, 1 << 16);
	snprintf(static_buf + 100, 100, "pid-independent %d", 42);

	double out[4];
	double acc = work(40, argv[1], out);
	uint64_t h = fnv(14695981039346656037ull, stack_buf, sizeof(stack_buf));
	h = fnv(h, heap, 3 << 20);
	h = fnv(h, brk_mem, 1 << 16);
	h = fnv(h, static_buf, sizeof(static_buf));
	CHECK(getpid() == pid, "same pid");
	CHECK(sbrk(0) == brk_mem + (1 << 16), "same program break");
	printf("acc %.17g\nvec %g %g %g %g\nchecksum %016llx\n", acc, out[0], out[1], out[2], out[3],
	       (unsigned long long)h);
	return 0;
}
