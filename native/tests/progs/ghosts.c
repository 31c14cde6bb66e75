/*
 * Files that exist only through their fds: a temporary file deleted while open, with data at two
 * offsets 8 MiB apart and a hole between, whose fd a forked child shares (offset included); and a
 * sealed memfd with contents, mapped MAP_SHARED.  After the work both are read back and checked:
 * the file still deleted in /proc/self/fd, the hole still zeros, the memfd's name, seals, size and
 * its mapping still one object.
 */
#include "common.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define FAR (8u << 20)

static void fill_pattern(char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)('a' + (i * 7 + seed) % 26);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	char path[4096];
	snprintf(path, sizeof(path), "%s/ghost.tmp", argv[2]);
	int tmp = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
	CHECK(tmp >= 0 && unlink(path) == 0, "temp file");
	char a[5000], b[3000];
	fill_pattern(a, sizeof(a), 1);
	fill_pattern(b, sizeof(b), 2);
	CHECK(pwrite(tmp, a, sizeof(a), 0) == (ssize_t)sizeof(a), "first write");
	CHECK(pwrite(tmp, b, sizeof(b), FAR) == (ssize_t)sizeof(b), "far write");
	CHECK(lseek(tmp, 100, SEEK_SET) == 100, "offset");

	int mfd = memfd_create("ghost-buffer", MFD_ALLOW_SEALING);
	CHECK(mfd >= 0 && ftruncate(mfd, 3 * 4096) == 0, "memfd");
	char *map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(map != MAP_FAILED, "map memfd");
	fill_pattern(map, 2 * 4096, 3);
	CHECK(fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0, "seal");

	int sync[2];
	CHECK(pipe(sync) == 0, "pipe");
	pid_t child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		/* Reads on through the shared offset once the parent has moved it. */
		char c;
		CHECK(read(sync[0], &c, 1) == 1, "child waits");
		char got[50];
		CHECK(read(tmp, got, sizeof(got)) == (ssize_t)sizeof(got) && memcmp(got, a + 200, sizeof(got)) == 0,
		      "child reads at the shared offset");
		_exit(0);
	}
	ready(argv[1]);
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 30; i++) {
		h = fnv(h, &i, sizeof(i));
		nap_ms(20);
	}
	/* After the work (and any restart): everything as it was. */
	char got[FAR / 512];
	CHECK(read(tmp, got, 100) == 100 && memcmp(got, a + 100, 100) == 0, "read at the saved offset");
	CHECK(write(sync[1], "x", 1) == 1, "wake the child");
	int status;
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	CHECK(lseek(tmp, 0, SEEK_CUR) == 250, "the child moved the shared offset");
	struct stat st;
	CHECK(fstat(tmp, &st) == 0 && st.st_size == FAR + sizeof(b) && st.st_nlink == 0 && (st.st_mode & 07777) == 0640,
	      "size, link count and mode");
	char all[sizeof(a)];
	CHECK(pread(tmp, all, sizeof(a), 0) == (ssize_t)sizeof(a) && memcmp(all, a, sizeof(a)) == 0, "first data");
	CHECK(pread(tmp, all, sizeof(b), FAR) == (ssize_t)sizeof(b) && memcmp(all, b, sizeof(b)) == 0, "far data");
	int zeros = 1;
	for (off_t off = sizeof(a); off < FAR; off += sizeof(got)) {
		size_t n = FAR - off < sizeof(got) ? FAR - off : sizeof(got);
		CHECK(pread(tmp, got, n, off) == (ssize_t)n, "hole read");
		for (size_t i = 0; i < n; i++)
			zeros &= got[i] == 0;
	}
	CHECK(zeros, "the hole reads as zeros");
	char link[64], target[4200];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", tmp);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	CHECK(n > 0, "readlink");
	target[n] = 0;
	CHECK(strstr(target, " (deleted)") != NULL, "still deleted in /proc/self/fd");

	char expect[2 * 4096];
	fill_pattern(expect, sizeof(expect), 3);
	CHECK(memcmp(map, expect, sizeof(expect)) == 0, "memfd mapping");
	CHECK(pread(mfd, got, sizeof(expect), 0) == (ssize_t)sizeof(expect) && memcmp(got, expect, sizeof(expect)) == 0,
	      "memfd contents through the fd");
	map[4096 * 2] = 'Q'; /* written through the mapping, read through the fd: one object */
	CHECK(pread(mfd, got, 1, 2 * 4096) == 1 && got[0] == 'Q', "mapping and fd share one object");
	CHECK(fcntl(mfd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW), "seals");
	CHECK(ftruncate(mfd, 4096) < 0 && ftruncate(mfd, 8 * 4096) < 0, "seals hold");
	CHECK(fstat(mfd, &st) == 0 && st.st_size == 3 * 4096, "memfd size");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", mfd);
	n = readlink(link, target, sizeof(target) - 1);
	CHECK(n > 0, "readlink memfd");
	target[n] = 0;
	CHECK(strcmp(target, "/memfd:ghost-buffer (deleted)") == 0, "memfd name");
	printf("ghosts ok %016llx\n", (unsigned long long)h);
	return 0;
}
