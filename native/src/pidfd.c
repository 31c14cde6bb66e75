/*
 * pidfds (fdkind.h): a pidfd of a process of the tree comes back as a pidfd of that process,
 * restored with its pid; one whose process was already reaped comes back as a pidfd of a process
 * that is gone.  A pidfd of a process outside the tree is refused at dump (files.c names it).
 */
#include "fdkind.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

/* The kernel's largest pid (PID_MAX_LIMIT). */
#define MAX_PID 4194304u

static int pidfd_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	const char *v = status_field(fdinfo, "Pid");
	if (!v)
		return ckpt_fail("fd %u of pid %d: the kernel does not show which process the pidfd is of", f->rec.fd, pid);
	long target = strtol(v, NULL, 10);
	if (target == -1)
		f->rec.kind_flags |= CKPT_PIDFD_REAPED;
	else if (target > 0)
		f->rec.extra = (uint64_t)target;
	/* 0: a live process in a pid namespace ckpt cannot see, outside the tree (extra 0 is no
	 * pid of it): pidfd_capture_tree makes it an object restart cannot rebuild. */
	return 0;
}

/* A pidfd of a process outside the tree is an object restart cannot rebuild: files.c refuses it
 * (or, allowed, gives it back as /dev/null). */
static int pidfd_capture_tree(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			struct fd_image *f = &img->procs[i].fds[k];
			if (f->rec.kind == CKPT_FD_PIDFD && !(f->rec.kind_flags & CKPT_PIDFD_REAPED) && !image_has_pid(img, f->rec.extra)) {
				f->rec.kind = CKPT_FD_OTHER;
				f->rec.kind_flags = 0;
				f->rec.extra = 0;
			}
		}
	return 0;
}

static int pidfd_check_saved(const struct fd_image *f)
{
	bool reaped = f->rec.kind_flags & CKPT_PIDFD_REAPED;
	if ((f->rec.kind_flags & ~CKPT_PIDFD_REAPED) || f->rec.data_len ||
	    (reaped ? f->rec.extra != 0 : f->rec.extra == 0 || f->rec.extra > MAX_PID))
		return ckpt_fail("pidfd %u has a pid or flags no pidfd can have", f->rec.fd);
	return 0;
}

static int pidfd_check_tree(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			if (f->rec.kind == CKPT_FD_PIDFD && !(f->rec.kind_flags & CKPT_PIDFD_REAPED) && !image_has_pid(img, f->rec.extra))
				return ckpt_fail("pidfd %u of pid %u is of pid %llu, which is not in the tree", f->rec.fd,
						 img->procs[i].rec.pid, (unsigned long long)f->rec.extra);
		}
	return 0;
}

static unsigned pidfd_flags(const struct fd_image *f)
{
	return (f->rec.open_flags & O_NONBLOCK) ? PIDFD_NONBLOCK : 0;
}

/* In ckpt, before the tree exists: a reaped process's pidfd is made of a child of ckpt's that
 * exits at once and is reaped; a tree process's pidfd stands in as /dev/null until the skeleton
 * has its process (pidfd_finish_inside). */
static int pidfd_open_saved(const struct process_image *p, const struct fd_image *f)
{
	if (!(f->rec.kind_flags & CKPT_PIDFD_REAPED)) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return fd < 0 ? ckpt_fail_errno("cannot open /dev/null") : fd;
	}
	pid_t child = fork();
	if (child < 0)
		return ckpt_fail_errno("cannot make pidfd %u of pid %u again", f->rec.fd, p->rec.pid);
	if (child == 0)
		_exit(0);
	int fd = (int)syscall(SYS_pidfd_open, child, pidfd_flags(f));
	int err = errno;
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (fd < 0) {
		errno = err;
		return ckpt_fail_errno("cannot make pidfd %u of pid %u again", f->rec.fd, p->rec.pid);
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* A further description of a pidfd already made.  Of a reaped process, the one made stands in:
 * pidfds of one process share its inode, which no new process could give; its flags are then
 * shared too, so only when they are the same.  Of a process of the tree, pidfd_finish_inside
 * opens it again. */
static int pidfd_open_again(const struct process_image *p, const struct fd_image *f, int made)
{
	int made_flags = fcntl(made, F_GETFL);
	if (!(f->rec.kind_flags & CKPT_PIDFD_REAPED) || made_flags < 0 ||
	    (unsigned)(made_flags & O_NONBLOCK) != (f->rec.open_flags & O_NONBLOCK))
		return pidfd_open_saved(p, f);
	int fd = fcntl(made, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? ckpt_fail_errno("cannot make pidfd %u of pid %u again", f->rec.fd, p->rec.pid) : fd;
}

/* In the skeleton, its fd table in place: the pidfd of a process of the tree.  The process may
 * be a sibling that its parent has not created yet, so it is waited for, a while. */
static int pidfd_finish_inside(const struct process_image *p, const struct fd_image *f)
{
	if (f->rec.kind_flags & CKPT_PIDFD_REAPED)
		return 0;
	int fd = -1;
	for (size_t k = 0; k < p->nfds && &p->fds[k] != f && fd < 0; k++)
		if (p->fds[k].rec.kind == CKPT_FD_PIDFD && p->fds[k].rec.desc == f->rec.desc)
			fd = fcntl((int)p->fds[k].rec.fd, F_DUPFD_CLOEXEC, 0); /* another fd of this description has it */
	for (int tries = 0; tries < 5000 && fd < 0; tries++) {
		fd = (int)syscall(SYS_pidfd_open, (pid_t)f->rec.extra, pidfd_flags(f));
		if (fd < 0 && errno != ESRCH)
			break;
		if (fd < 0) {
			struct timespec ms = {0, 1000000};
			nanosleep(&ms, NULL);
		}
	}
	if (fd < 0)
		return ckpt_fail_errno("cannot make pidfd %u of pid %u (of pid %llu) again", f->rec.fd, p->rec.pid,
				       (unsigned long long)f->rec.extra);
	/* In place of the stand-in, keeping its close-on-exec flag. */
	int fd_flags = fcntl((int)f->rec.fd, F_GETFD);
	int rc = dup2(fd, (int)f->rec.fd);
	close(fd);
	if (rc < 0)
		return ckpt_fail_errno("cannot place pidfd %u of pid %u", f->rec.fd, p->rec.pid);
	fcntl((int)f->rec.fd, F_SETFD, fd_flags > 0 ? fd_flags : 0);
	return 0;
}

static void pidfd_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	if (f->rec.kind_flags & CKPT_PIDFD_REAPED)
		buf_printf(out, " of a reaped process");
	else
		buf_printf(out, " of pid %llu", (unsigned long long)f->rec.extra);
}

static void pidfd_describe_json(const struct fd_image *f, struct json *j)
{
	if (f->rec.kind_flags & CKPT_PIDFD_REAPED)
		json_null(j, "pid");
	else
		json_u64(j, "pid", f->rec.extra);
}

const struct fd_kind pidfd_fd_kind = {
	.kind = CKPT_FD_PIDFD,
	.name = "pidfd",
	.link = "anon_inode:[pidfd]",
	.capture = pidfd_capture,
	.check_saved = pidfd_check_saved,
	.open = pidfd_open_saved,
	.open_again = pidfd_open_again,
	.finish_inside = pidfd_finish_inside,
	.capture_tree = pidfd_capture_tree,
	.check_tree = pidfd_check_tree,
	.describe_text = pidfd_describe_text,
	.describe_json = pidfd_describe_json,
};
