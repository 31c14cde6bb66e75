/*
 * What a program keeps of files it deleted, besides their contents (ghosts.c): a deleted file
 * open write-only whose mode, modification time and (as root) owner it changed, and an O_TMPFILE
 * file that never had a name. After the work, each is checked as it was.
 */
#include "common.h"

#include <sys/stat.h>

#define MTIME 1234567890

static void check_attributes(int fd, const char *what, uid_t uid, gid_t gid)
{
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0, what);
	CHECK((st.st_mode & 07777) == 0751, "mode");
	CHECK(st.st_mtim.tv_sec == MTIME && st.st_mtim.tv_nsec == 5000, "modification time");
	CHECK(st.st_uid == uid && st.st_gid == gid, "owner");
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	char path[4096];
	uid_t uid = getuid() ? getuid() : 4321;
	gid_t gid = getuid() ? getgid() : 4322;
	struct timespec times[2] = {{MTIME - 100, 0}, {MTIME, 5000}};

	/* Write-only: ckpt cannot read it through the program's own description. */
	snprintf(path, sizeof(path), "%s/wronly.tmp", argv[2]);
	int wronly = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(wronly >= 0 && unlink(path) == 0, "write-only file");
	CHECK(write(wronly, "written", 7) == 7, "write");
	CHECK(fchmod(wronly, 0751) == 0 && (getuid() || fchown(wronly, uid, gid) == 0) && futimens(wronly, times) == 0,
	      "attributes");

	int tmpfile = open(argv[2], O_RDWR | O_TMPFILE, 0600);
	CHECK(tmpfile >= 0 && write(tmpfile, "unnamed", 7) == 7, "O_TMPFILE file");
	CHECK(fchmod(tmpfile, 0751) == 0 && (getuid() || fchown(tmpfile, uid, gid) == 0) && futimens(tmpfile, times) == 0,
	      "attributes of the O_TMPFILE file");

	ready(argv[1]);
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 30; i++) {
		h = fnv(h, &i, sizeof(i));
		nap_ms(20);
	}

	check_attributes(wronly, "write-only file still deleted", uid, gid);
	CHECK((fcntl(wronly, F_GETFL) & O_ACCMODE) == O_WRONLY && lseek(wronly, 0, SEEK_CUR) == 7, "write-only at its offset");
	char self[64], got[8] = {0};
	snprintf(self, sizeof(self), "/proc/self/fd/%d", wronly);
	int rd = open(self, O_RDONLY);
	CHECK(rd >= 0 && read(rd, got, 7) == 7 && memcmp(got, "written", 7) == 0 && close(rd) == 0,
	      "write-only file's contents");
	check_attributes(tmpfile, "O_TMPFILE file still unnamed", uid, gid);
	CHECK(pread(tmpfile, got, 7, 0) == 7 && memcmp(got, "unnamed", 7) == 0, "O_TMPFILE file's contents");
	printf("deleted ok %016llx\n", (unsigned long long)h);
	return 0;
}
