/* A heap of several hundred MiB (argument 2, MiB), partly touched, checksummed after. */
#include "common.h"

#include <sys/mman.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t mib = strtoul(argv[2], NULL, 10);
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
	for (int step = 0; step < 20; step++) {
		nap_ms(40);
		heap[(size_t)step * 4096 * 7 % len] ^= (unsigned char)step;
	}
	for (size_t off = 0; off < len; off += 4096)
		h = fnv(h, heap + off, 8);
	printf("heap %zu MiB checksum %016llx\n", mib, (unsigned long long)h);
	return 0;
}
