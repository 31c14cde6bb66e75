/*
 * The raw copy limit: read every populated byte of a stopped process's writable anonymous
 * memory with large process_vm_readv calls and write it to a file, nothing else.  This is
 * the least any dump must do, so ckpt's dump time is measured against it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	pid_t pid = atoi(argv[1]);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *maps = fopen(path, "r");
	int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (!maps || out < 0)
		return 1;
	size_t chunk = 8 << 20;
	char *buf = malloc(chunk), line[512];
	unsigned long long total = 0;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long a, b;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) != 3 || perms[0] != 'r' || perms[1] != 'w' ||
		    strchr(line, '/'))
			continue;
		for (unsigned long long x = a; x < b;) {
			size_t n = b - x > chunk ? chunk : b - x;
			struct iovec l = {buf, n}, r = {(void *)x, n};
			ssize_t got = process_vm_readv(pid, &l, 1, &r, 1, 0);
			if (got <= 0)
				break;
			if (write(out, buf, (size_t)got) != got)
				return 1;
			total += (unsigned long long)got;
			x += (unsigned long long)got;
		}
	}
	fsync(out);
	close(out);
	printf("%llu\n", total);
	return 0;
}
