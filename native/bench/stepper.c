/*
 * The program that bench/travel.sh steps through: a heap of MIB MiB, every page touched, then a
 * loop whose one line writes STRIDE-th of the pages (1% by default) and which gdb steps over
 * with `next`.  Not a test: it prints nothing but its result.
 *   stepper MIB ROUNDS [PERCENT]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static void scribble(unsigned char *heap, size_t pages, size_t every, int round)
{
	for (size_t p = (size_t)round % every; p < pages; p += every)
		heap[p * 4096 + (size_t)round % 4096] ^= (unsigned char)(round + 1);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t pages = strtoul(argv[1], NULL, 10) << 8;
	int rounds = atoi(argv[2]);
	size_t every = argc > 3 ? 100 / strtoul(argv[3], NULL, 10) : 100;
	unsigned char *heap = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED)
		return 2;
	for (size_t p = 0; p < pages; p++)
		heap[p * 4096] = (unsigned char)p | 1;
	uint64_t sum = 0;
	for (int round = 0; round < rounds; round++) {
		scribble(heap, pages, every, round); /* STEP-HERE */
		sum += heap[(size_t)round * 4096 % (pages * 4096)];
	}
	printf("RESULT %llu\n", (unsigned long long)sum);
	return 0;
}
