/*
 * Files that exist only through their fds: a temporary file deleted while open, with data at two
 * offsets 8 MiB apart and a hole between, whose fd a forked child shares (offset included); and a
 * sealed memfd with contents, mapped MAP_SHARED.  After the work both are read back and checked:
 * the file still deleted in /proc/self/fd, the hole still zeros, the memfd's name, seals, size and
 * its mapping still one object.  Also: a deleted file mapped MAP_SHARED through an fd it keeps, and
 * one mapped MAP_SHARED whose fd was closed (shared with the child), both still file mappings whose
 * writes the fd, or the other process, sees; and second opens (through /proc/self/fd) of the memfd
 * and of the deleted file, still the same objects.
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

	/* A deleted file mapped shared, its fd kept; another mapped shared with no fd left. */
	snprintf(path, sizeof(path), "%s/shared.tmp", argv[2]);
	int sfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(sfd >= 0 && ftruncate(sfd, 2 * 4096) == 0, "shared file");
	char *smap = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	CHECK(smap != MAP_FAILED && unlink(path) == 0, "map the shared file, delete it");
	fill_pattern(smap, 4096, 4);
	snprintf(path, sizeof(path), "%s/lone.tmp", argv[2]);
	int lfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(lfd >= 0 && ftruncate(lfd, 4096) == 0, "lone file");
	char *lmap = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	CHECK(lmap != MAP_FAILED && unlink(path) == 0 && close(lfd) == 0, "map the lone file, delete and close it");
	fill_pattern(lmap, 4096, 5);
	/* Second opens of one memfd and of one deleted file: other descriptions, same objects. */
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", mfd);
	int mfd2 = open(self, O_RDWR);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", tmp);
	int tmp2 = open(self, O_RDONLY);
	CHECK(mfd2 >= 0 && tmp2 >= 0, "second opens");

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
		lmap[10] = 'Z'; /* seen by the parent: the lone file's mapping is still shared */
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

	char sexpect[4096];
	fill_pattern(sexpect, sizeof(sexpect), 4);
	CHECK(memcmp(smap, sexpect, sizeof(sexpect)) == 0, "deleted shared mapping contents");
	CHECK(pread(sfd, got, sizeof(sexpect), 0) == (ssize_t)sizeof(sexpect) && memcmp(got, sexpect, sizeof(sexpect)) == 0,
	      "deleted shared mapping contents through the fd");
	smap[4096 + 5] = 'M';
	CHECK(pread(sfd, got, 1, 4096 + 5) == 1 && got[0] == 'M', "deleted file: mapping writes reach the fd");
	CHECK(pwrite(sfd, "F", 1, 7) == 1 && smap[7] == 'F', "deleted file: fd writes reach the mapping");
	CHECK(fstat(sfd, &st) == 0 && st.st_nlink == 0 && st.st_size == 2 * 4096, "deleted shared file still deleted");
	fill_pattern(sexpect, sizeof(sexpect), 5);
	sexpect[10] = 'Z';
	CHECK(memcmp(lmap, sexpect, sizeof(sexpect)) == 0, "lone deleted mapping contents, the child's write seen");
	/* Still a mapping of a deleted file, not anonymous memory. */
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[4400];
	int lone_file = 0;
	while (maps && fgets(line, sizeof(line), maps))
		if (strtoull(line, NULL, 16) == (unsigned long long)(uintptr_t)lmap)
			lone_file = strstr(line, " rw-s ") && strstr(line, " (deleted)");
	CHECK(maps && fclose(maps) == 0 && lone_file, "the lone mapping is a shared mapping of a deleted file");
	struct stat st2;
	CHECK(fstat(mfd, &st) == 0 && fstat(mfd2, &st2) == 0 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
	      "two opens of one memfd are one memfd");
	CHECK(pwrite(mfd2, "W", 1, 3) == 1 && map[3] == 'W', "the second open of the memfd writes into its mapping");
	CHECK(fstat(tmp, &st) == 0 && fstat(tmp2, &st2) == 0 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
	      "two opens of one deleted file are one file");
	CHECK(pread(tmp2, got, 5, FAR) == 5 && memcmp(got, b, 5) == 0, "the second open of the deleted file reads it");
	printf("ghosts ok %016llx\n", (unsigned long long)h);
	return 0;
}
