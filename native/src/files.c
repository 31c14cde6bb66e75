#include "files.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static bool is_tty(dev_t rdev)
{
	unsigned maj = major(rdev), min = minor(rdev);
	return (maj >= 136 && maj <= 143) || maj == 4 || (maj == 5 && min <= 2);
}

static int fd_kind(const char *path, const struct stat *st)
{
	if (strncmp(path, "pipe:", 5) == 0)
		return CKPT_FD_PIPE;
	if (strncmp(path, "socket:", 7) == 0)
		return CKPT_FD_SOCKET;
	if (strcmp(path, "anon_inode:[eventfd]") == 0)
		return CKPT_FD_EVENTFD;
	if (strncmp(path, "anon_inode:", 11) == 0 || path[0] != '/')
		return CKPT_FD_OTHER;
	if (S_ISREG(st->st_mode))
		return CKPT_FD_REG;
	if (S_ISDIR(st->st_mode))
		return CKPT_FD_DIR;
	if (S_ISCHR(st->st_mode))
		return is_tty(st->st_rdev) ? CKPT_FD_TTY : CKPT_FD_CHR;
	if (S_ISBLK(st->st_mode))
		return CKPT_FD_BLK;
	if (S_ISFIFO(st->st_mode))
		return CKPT_FD_FIFO;
	if (S_ISSOCK(st->st_mode))
		return CKPT_FD_SOCKET;
	return CKPT_FD_OTHER;
}

int files_capture(pid_t pid, struct process_image *p)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	DIR *d = opendir(dir);
	if (!d)
		return ckpt_fail_errno("cannot list the open files of pid %d", pid);
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) && rc == 0) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		char link[96], info[64];
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
		snprintf(info, sizeof(info), "fdinfo/%d", fd);
		char *path = read_link(link);
		char *fdinfo = read_proc(pid, info, NULL);
		struct stat st;
		if (!path || !fdinfo || stat(link, &st) < 0) {
			/* Closed while we looked: the process is stopped, so only a racing close. */
			free(path);
			free(fdinfo);
			continue;
		}
		struct fd_image *f = ARR_PUSH(p->fds, p->nfds, p->cap_fds);
		f->rec.fd = (uint32_t)fd;
		f->rec.kind = (uint32_t)fd_kind(path, &st);
		f->rec.dev = st.st_dev;
		f->rec.ino = st.st_ino;
		const char *v;
		if ((v = status_field(fdinfo, "pos")))
			f->rec.pos = strtoull(v, NULL, 10);
		if ((v = status_field(fdinfo, "flags"))) {
			unsigned long fl = strtoul(v, NULL, 8);
			f->rec.open_flags = (uint32_t)(fl & ~(unsigned long)O_CLOEXEC);
			if (fl & O_CLOEXEC)
				f->rec.fd_flags |= CKPT_FDF_CLOEXEC;
		}
		if (f->rec.kind == CKPT_FD_EVENTFD && (v = status_field(fdinfo, "eventfd-count")))
			f->rec.extra = strtoull(v, NULL, 16);
		if (f->rec.kind == CKPT_FD_REG && strstr(path, " (deleted)"))
			f->rec.fd_flags |= CKPT_FDF_DELETED;
		f->path = path;
		free(fdinfo);
	}
	closedir(d);
	return rc;
}

/* Copies the bytes queued in a pipe without consuming them: tee() into a pipe of our own. */
static int peek_pipe(pid_t pid, int fd, struct fd_image *f)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return ckpt_fail_errno("cannot open a pidfd for pid %d", pid);
	int src = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (src < 0)
		return ckpt_fail_errno("cannot reach pipe fd %d of pid %d", fd, pid);
	int size = fcntl(src, F_GETPIPE_SZ);
	f->rec.pipe_size = size > 0 ? (uint32_t)size : 0;
	int pp[2];
	if (pipe2(pp, O_NONBLOCK | O_CLOEXEC) < 0) {
		close(src);
		return ckpt_fail_errno("cannot create a pipe");
	}
	if (size > 0)
		fcntl(pp[1], F_SETPIPE_SZ, size);
	int rc = 0;
	ssize_t n = tee(src, pp[1], INT_MAX, SPLICE_F_NONBLOCK);
	if (n < 0 && errno != EAGAIN) {
		rc = ckpt_fail_errno("cannot copy the bytes queued in pipe fd %d of pid %d", fd, pid);
	} else if (n > 0) {
		f->data = xmalloc((size_t)n);
		if (read(pp[0], f->data, (size_t)n) != n)
			rc = ckpt_fail_errno("cannot read the bytes queued in pipe fd %d of pid %d", fd, pid);
		f->rec.data_len = (uint32_t)n;
		int avail = 0;
		/* Our pipe may be smaller than the source when the limit forbids growing it. */
		if (ioctl(src, FIONREAD, &avail) == 0 && avail > n)
			rc = ckpt_fail("pipe fd %d of pid %d holds %d bytes, more than ckpt can copy", fd, pid, avail);
	}
	close(pp[0]);
	close(pp[1]);
	close(src);
	return rc;
}

int files_capture_pipes(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			struct fd_image *f = &p->fds[k];
			if (f->rec.kind != CKPT_FD_PIPE)
				continue;
			bool reader = false, writer = false, first_reader = true;
			for (size_t j = 0; j < img->nprocs; j++)
				for (size_t m = 0; m < img->procs[j].nfds; m++) {
					struct fd_image *g = &img->procs[j].fds[m];
					if (g->rec.kind != CKPT_FD_PIPE || g->rec.ino != f->rec.ino)
						continue;
					int acc = g->rec.open_flags & O_ACCMODE;
					reader |= acc == O_RDONLY || acc == O_RDWR;
					writer |= acc == O_WRONLY || acc == O_RDWR;
					/* An earlier read end already holds the data. */
					if ((j < i || (j == i && m < k)) && (acc == O_RDONLY || acc == O_RDWR))
						first_reader = false;
				}
			if (!(reader && writer)) {
				f->rec.fd_flags |= CKPT_FDF_OUTSIDE;
				continue;
			}
			int acc = f->rec.open_flags & O_ACCMODE;
			if (first_reader && (acc == O_RDONLY || acc == O_RDWR) && peek_pipe((pid_t)p->rec.pid, (int)f->rec.fd, f) < 0)
				return -1;
		}
	}
	return 0;
}
