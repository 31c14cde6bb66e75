/* Big address-space reservations, as sanitizers and garbage collectors make them: 16 TiB of
 * PROT_NONE and 64 GiB of writable MAP_NORESERVE memory, each with a few pages in use.  Capture
 * must not walk them page by page, and restart must map them again without reserving swap. */
#include "common.h"

#include <sys/mman.h>

#define TIB (1ull << 40)
#define GIB (1ull << 30)

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	unsigned char *shadow = mmap(NULL, 16 * TIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned char *heap = mmap(NULL, 64 * GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(shadow != MAP_FAILED && heap != MAP_FAILED, "reservations");
	unsigned char *used = shadow + 8 * TIB;
	CHECK(mprotect(used, 1 << 20, PROT_READ | PROT_WRITE) == 0, "mprotect");
	uint64_t offsets[] = {0, 7 * GIB + 12345, 32 * GIB, 64 * GIB - 1};
	for (int i = 0; i < 1 << 20; i++)
		used[i] = (unsigned char)(i * 31 + 7);
	for (int i = 0; i < 4; i++)
		heap[offsets[i]] = (unsigned char)(0x40 + i);
	ready(argv[1]);
	uint64_t h = 14695981039346656037ull;
	for (int round = 0; round < 10; round++) {
		nap_ms(50);
		h = fnv(h, used, 1 << 20);
		for (int i = 0; i < 4; i++)
			h = fnv(h, heap + offsets[i], 1);
	}
	/* The rest of the reservation is still there, still unused. */
	unsigned char *more = shadow + 12 * TIB;
	CHECK(mprotect(more, 4096, PROT_READ | PROT_WRITE) == 0 && more[100] == 0, "reservation kept");
	more[100] = 1;
	CHECK(heap[GIB] == 0 && heap[40 * GIB] == 0, "untouched memory reads zero");
	printf("reservations checksum %016llx\n", (unsigned long long)h);
	return 0;
}
