/*
 * A program that unmapped its vDSO and vvar pages (as one booted with vdso=0 has none): restart
 * must not give them back, nor fail moving them. From the unmap on it uses only plain system
 * calls (glibc's clock_gettime would jump into the vDSO).
 */
#include "common.h"

#include <sys/mman.h>

/* Unmaps every special mapping of the kernel's vDSO; returns how many there were. */
static int unmap_vdso(void)
{
	char maps[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, maps, sizeof(maps) - 1);
	CHECK(n > 0, "read maps");
	close(fd);
	maps[n] = 0;
	int found = 0;
	for (char *line = maps; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		unsigned long start, end;
		if ((strstr(line, "[vdso]") || strstr(line, "[vvar]") || strstr(line, "[vvar_vclock]")) &&
		    sscanf(line, "%lx-%lx", &start, &end) == 2) {
			CHECK(munmap((void *)start, end - start) == 0, "munmap");
			found++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return found;
}

static int count_vdso(void)
{
	char maps[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, maps, sizeof(maps) - 1);
	CHECK(n > 0, "read maps again");
	close(fd);
	maps[n] = 0;
	int found = 0;
	for (const char *s = maps; (s = strstr(s, "[v")); s++)
		found += strncmp(s, "[vdso]", 6) == 0 || strncmp(s, "[vvar]", 6) == 0 || strncmp(s, "[vvar_vclock]", 13) == 0;
	return found;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	CHECK(unmap_vdso() > 0, "a vDSO to unmap");
	ready(argv[1]);
	uint64_t h = 14695981039346656037ull;
	for (int i = 0; i < 50; i++) {
		h = fnv(h, &i, sizeof(i));
		nap_ms(20);
	}
	CHECK(count_vdso() == 0, "no vDSO came back");
	printf("checksum %llx\nno vDSO, as before\n", (unsigned long long)h);
	return 0;
}
