/* Changes its memory between saves in every way write tracking must see: plain writes, pages
 * dropped with MADV_DONTNEED, pages filled by the kernel (read from a pipe), a mapping replaced
 * at the same place, and a growing heap.  Prints a checksum of all of it at the end. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define NPAGES 16384 /* 64 MiB */

static unsigned char *area;
static unsigned char *heap[8];

void __attribute__((noinline)) snap(int round)
{
	__asm__ volatile("" : : "r"(round) : "memory"); /* BREAK-HERE */
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

int main(void)
{
	area = mmap(NULL, (size_t)NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < NPAGES; i += 1 + i % 3) /* every page but some */
		area[i * PAGE + i % 4000] = (unsigned char)(i * 7 + 1);
	for (int r = 1; r <= 4; r++) {
		snap(r);
		for (size_t k = 0; k < NPAGES / 100; k++) {
			size_t pg = (k * 131 + (size_t)r * 17) % NPAGES;
			area[pg * PAGE + (size_t)r * 5] ^= (unsigned char)(k + (size_t)r);
		}
		madvise(area + (size_t)(r * 101 % NPAGES) * PAGE, 3 * PAGE, MADV_DONTNEED);
		int p[2];
		unsigned char buf[2 * PAGE];
		memset(buf, 0x30 + r, sizeof(buf));
		if (pipe(p) < 0 || write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
		    read(p[0], area + (size_t)(r * 211 % NPAGES) * PAGE + 100, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 3;
		close(p[0]);
		close(p[1]);
		if (r == 2) {
			unsigned char *at = area + 5000 * (size_t)PAGE;
			if (mmap(at, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at)
				return 4;
			memset(at + PAGE, 0x5a, 2 * PAGE);
		}
		heap[r] = malloc(20000 * (size_t)r);
		memset(heap[r], r, 20000 * (size_t)r);
	}
	uint64_t h = fnv(1469598103934665603ull, area, (size_t)NPAGES * PAGE);
	for (int r = 1; r <= 4; r++)
		h = fnv(h, heap[r], 20000 * (size_t)r);
	printf("RESULT %llu\n", (unsigned long long)(h % 1000000007ull));
	return 0;
}
