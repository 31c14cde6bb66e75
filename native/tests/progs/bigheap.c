/* A heap of several hundred MiB (argument 2, MiB), partly touched, checksummed after; it works
 * in argument 3 steps of 40 ms (default 20) and forks a child that reads the whole heap at step
 * argument 4 (default 10; -1: no child). */
#include "common.h"

#include <sys/mman.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t mib = strtoul(argv[2], NULL, 10);
	int steps = argc > 3 ? atoi(argv[3]) : 20;
	int fork_step = argc > 4 ? atoi(argv[4]) : 10;
	size_t len = mib << 20;
	unsigned char *heap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED)
		return 2;
	/* Touch 3 of every 4 MiB; the rest is never populated and must stay a hole. */
	for (size_t off = 0; off < len; off += 4096)
		if ((off >> 20) % 4 != 3)
			heap[off] = (unsigned char)(off >> 12);
	/* Some pages of zeros that were touched: holes in the file too. */
	memset(heap + (8u << 20), 0, 1 << 20);
	ready(argv[1]);
	uint64_t h = 14695981039346656037ull;
	/* A fork during the run: the child must see the heap as the parent does. */
	for (int step = 0; step < steps; step++) {
		if (step == fork_step) {
			pid_t c = fork();
			if (c == 0) {
				uint64_t hc = 14695981039346656037ull;
				for (size_t off = 0; off < len; off += 4096)
					hc = fnv(hc, heap + off, 8);
				_exit((int)(hc & 0x7f));
			}
			int st;
			CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st), "child");
			uint64_t hp = 14695981039346656037ull;
			for (size_t off = 0; off < len; off += 4096)
				hp = fnv(hp, heap + off, 8);
			CHECK(WEXITSTATUS(st) == (int)(hp & 0x7f), "child sees the same heap");
		}
		nap_ms(40);
		heap[(size_t)step * 4096 * 7 % len] ^= (unsigned char)step;
	}
	for (size_t off = 0; off < len; off += 4096)
		h = fnv(h, heap + off, 8);
	/* Dropped anonymous memory reads back as zeros, also while a lazy restart pages it in. */
	size_t far = (len - (16u << 20)) & ~(size_t)4095;
	CHECK(madvise(heap + far, 1 << 20, MADV_DONTNEED) == 0, "madvise");
	for (size_t off = 0; off < (1u << 20); off += 8)
		CHECK(*(uint64_t *)(heap + far + off) == 0, "dropped memory is zero");
	printf("heap %zu MiB checksum %016llx\n", mib, (unsigned long long)h);
	return 0;
}
