/* Maps a data file (argv[2]) privately and reads it: restart relies on that file's identity. */
#include "common.h"

#include <sys/mman.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int fd = open(argv[2], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return 2;
	const unsigned char *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	ready(argv[1]);
	uint64_t h = 14695981039346656037ull;
	for (int i = 0; i < 10; i++) {
		nap_ms(50);
		h = fnv(h, p, (size_t)st.st_size);
	}
	printf("mapped %lld bytes checksum %016llx\n", (long long)st.st_size, (unsigned long long)h);
	return 0;
}
