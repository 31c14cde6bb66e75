/*
 * What a program keeps of files it deleted, besides their contents (ghosts.c): a deleted file
 * open write-only whose mode, modification time and (as root) owner it changed, and an O_TMPFILE
 * file that never had a name; a deleted FIFO with bytes queued, held by a write-only and a
 * read-only fd; a deleted directory that is both an fd and the working directory, and a child
 * whose working directory was deleted with no fd holding it; as root, a deleted device node
 * (/dev/null's); an O_PATH fd of a file; O_PATH fds of a symbolic link and of a deleted one.
 * After the work, each is checked as it was.
 */
#include "common.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

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

	/* The write-only end first: ckpt must read the queued bytes through an end of its own. */
	snprintf(path, sizeof(path), "%s/fifo", argv[2]);
	CHECK(mkfifo(path, 0640) == 0, "mkfifo");
	int fifo_rd = open(path, O_RDONLY | O_NONBLOCK);
	int fifo_wr = open(path, O_WRONLY);
	CHECK(fifo_rd >= 0 && fifo_wr >= 0 && write(fifo_wr, "queued", 6) == 6 && unlink(path) == 0, "deleted FIFO");

	snprintf(path, sizeof(path), "%s/gone", argv[2]);
	CHECK(mkdir(path, 0750) == 0, "mkdir");
	int dir = open(path, O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0 && chdir(path) == 0 && rmdir(path) == 0, "deleted directory, also the working directory");

	/* Where the device node can be made and opened (a nodev mount forbids opening it). */
	int dev = -1;
	snprintf(path, sizeof(path), "%s/null", argv[2]);
	if (getuid() == 0 && mknod(path, S_IFCHR | 0600, makedev(1, 3)) == 0) {
		dev = open(path, O_WRONLY);
		CHECK(unlink(path) == 0, "deleted device node");
	}

	snprintf(path, sizeof(path), "%s/plain", argv[2]);
	int plain = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(plain >= 0 && close(plain) == 0, "plain file");
	int opath = open(path, O_PATH);
	CHECK(opath >= 0, "O_PATH fd");

	snprintf(path, sizeof(path), "%s/link", argv[2]);
	unlink(path); /* left by an earlier run in the same directory */
	CHECK(symlink("plain", path) == 0, "symlink");
	int link = open(path, O_PATH | O_NOFOLLOW);
	snprintf(path, sizeof(path), "%s/gone-link", argv[2]);
	CHECK(symlink("nowhere/at/all", path) == 0, "second symlink");
	int gone_link = open(path, O_PATH | O_NOFOLLOW);
	CHECK(link >= 0 && gone_link >= 0 && unlink(path) == 0, "O_PATH fds of symbolic links, one deleted");

	int sync[2];
	CHECK(pipe(sync) == 0, "pipe");
	snprintf(path, sizeof(path), "%s/childs", argv[2]);
	CHECK(mkdir(path, 0700) == 0, "child's directory");
	pid_t child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		close(sync[1]); /* the parent gone, the read below ends */
		CHECK(chdir(path) == 0 && rmdir(path) == 0, "the child's working directory, deleted");
		char c;
		CHECK(read(sync[0], &c, 1) == 1, "child waits");
		struct stat st;
		CHECK(stat(".", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 0, "the child's working directory still deleted");
		CHECK(getcwd(path, sizeof(path)) == NULL, "the child's working directory has no name");
		_exit(0);
	}

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
	char queued[8] = {0};
	CHECK(read(fifo_rd, queued, sizeof(queued)) == 6 && memcmp(queued, "queued", 6) == 0, "the FIFO's queued bytes");
	CHECK((fcntl(fifo_wr, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == O_WRONLY &&
	      (fcntl(fifo_rd, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDONLY | O_NONBLOCK), "the FIFO's ends' flags");
	CHECK(write(fifo_wr, "more", 4) == 4 && read(fifo_rd, queued, 4) == 4 && memcmp(queued, "more", 4) == 0,
	      "the FIFO's ends are one FIFO");
	struct stat st, st2;
	CHECK(fstat(fifo_rd, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_nlink == 0 && (st.st_mode & 07777) == 0640,
	      "the FIFO still deleted, its mode");
	CHECK(fstat(dir, &st) == 0 && stat(".", &st2) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 0 &&
	      (st.st_mode & 07777) == 0750 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
	      "the deleted directory, still the working directory");
	CHECK(getcwd(path, sizeof(path)) == NULL, "the working directory has no name");
	if (dev >= 0)
		CHECK(fstat(dev, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) && st.st_nlink == 0 &&
		      write(dev, "x", 1) == 1, "the deleted device node");
	CHECK((fcntl(opath, F_GETFL) & O_PATH) && fstat(opath, &st) == 0 && S_ISREG(st.st_mode), "the O_PATH fd");
	char target[64] = {0};
	CHECK(fstat(link, &st) == 0 && S_ISLNK(st.st_mode) && st.st_nlink == 1 && readlinkat(link, "", target, sizeof(target)) == 5 &&
	      memcmp(target, "plain", 5) == 0, "the symbolic link's fd");
	CHECK(fstat(gone_link, &st) == 0 && S_ISLNK(st.st_mode) && st.st_nlink == 0 &&
	      readlinkat(gone_link, "", target, sizeof(target)) == 14 && memcmp(target, "nowhere/at/all", 14) == 0,
	      "the deleted symbolic link's fd");
	CHECK(write(sync[1], "x", 1) == 1, "wake the child");
	int status;
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	printf("deleted ok %016llx\n", (unsigned long long)h);
	return 0;
}
