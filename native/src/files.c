/* Files: the fd table, captured and rebuilt at restart (files.h). */
#include "files.h"
#include "fdkind.h"
#include "statefile.h"
#include "tty.h"
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
#include <sys/xattr.h>
#include <unistd.h>

/* The kinds that rebuild their objects themselves, each in its own file. */
static const struct fd_kind *const fd_kinds[] = {&eventfd_fd_kind, &signalfd_fd_kind, &timerfd_fd_kind,
						 &epoll_fd_kind, &inotify_fd_kind, &unix_fd_kind, &inet_fd_kind,
						 &ghost_fd_kind, &memfd_fd_kind, &ghost_node_fd_kind, &symlink_fd_kind,
						 &pidfd_fd_kind, &pty_master_fd_kind, &pty_slave_fd_kind, &raw_fd_kind,
						 &netlink_fd_kind};

const struct fd_kind *fd_kind_of(uint32_t kind)
{
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (fd_kinds[i]->kind == kind)
			return fd_kinds[i];
	return NULL;
}

const struct fd_kind *fd_kind_for_link(const char *link)
{
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (fd_kinds[i]->link && strcmp(fd_kinds[i]->link, link) == 0)
			return fd_kinds[i];
	return NULL;
}

/* Whether proto is one of the space-separated names in list ("UNIX*" is a prefix). */
static bool proto_listed(const char *list, const char *proto)
{
	for (const char *w = list; w && *w;) {
		size_t n = strcspn(w, " ");
		bool prefix = n && w[n - 1] == '*';
		size_t m = prefix ? n - 1 : n;
		if (strncmp(w, proto, m) == 0 && (prefix || proto[m] == 0))
			return true;
		w += n;
		w += strspn(w, " ");
	}
	return false;
}

const struct fd_kind *fd_kind_for_socket(const char *proto)
{
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (proto_listed(fd_kinds[i]->sock_protos, proto))
			return fd_kinds[i];
	return NULL;
}

const char *fd_kind_name(uint32_t kind)
{
	static const char *const names[] = {"?", "file", "directory", "char-device", "block-device", "fifo",
					    "pipe", "socket", "eventfd", "other", "tty"};
	const struct fd_kind *k = fd_kind_of(kind);
	if (k)
		return k->name;
	return kind < ARRAY_LEN(names) ? names[kind] : "?";
}

bool deleted_path(const char *path)
{
	size_t n = strlen(path), k = strlen(" (deleted)");
	return n > k && strcmp(path + n - k, " (deleted)") == 0;
}

/* The kind of the fd at proc_link (/proc/PID/fd/N), which readlink gives as path. */
static int fd_kind(const char *proc_link, const char *path, const struct stat *st)
{
	const struct fd_kind *k = fd_kind_for_link(path);
	if (k)
		return (int)k->kind;
	if (strncmp(path, "pipe:", 5) == 0)
		return CKPT_FD_PIPE;
	if (strncmp(path, "socket:", 7) == 0) {
		/* The protocol's name, as sockfs gives it: "UNIX-STREAM", "TCP", "UDPv6"... */
		char proto[32];
		ssize_t n = getxattr(proc_link, "system.sockprotoname", proto, sizeof(proto) - 1);
		proto[n > 0 ? n : 0] = 0;
		k = fd_kind_for_socket(proto);
		return k ? (int)k->kind : CKPT_FD_SOCKET;
	}
	if (strncmp(path, "anon_inode:", 11) == 0 || path[0] != '/')
		return CKPT_FD_OTHER;
	if (strncmp(path, "/memfd:", 7) == 0 && S_ISREG(st->st_mode))
		return CKPT_FD_MEMFD;
	if (S_ISREG(st->st_mode) && st->st_nlink == 0 && deleted_path(path))
		return CKPT_FD_GHOST; /* its contents are saved (ghost.c) */
	if ((S_ISFIFO(st->st_mode) || S_ISDIR(st->st_mode) || S_ISBLK(st->st_mode) ||
	     (S_ISCHR(st->st_mode) && tty_device_kind(st->st_rdev) == CKPT_FD_CHR)) &&
	    st->st_nlink == 0 && deleted_path(path))
		return CKPT_FD_GHOST_NODE; /* made again (ghost.c) */
	if (S_ISREG(st->st_mode))
		return CKPT_FD_REG;
	if (S_ISDIR(st->st_mode))
		return CKPT_FD_DIR;
	if (S_ISCHR(st->st_mode))
		return (int)tty_device_kind(st->st_rdev);
	if (S_ISBLK(st->st_mode))
		return CKPT_FD_BLK;
	if (S_ISFIFO(st->st_mode))
		return CKPT_FD_FIFO;
	if (S_ISSOCK(st->st_mode))
		return CKPT_FD_SOCKET;
	if (S_ISLNK(st->st_mode))
		return CKPT_FD_SYMLINK; /* O_PATH | O_NOFOLLOW: the link itself (ghost.c) */
	return CKPT_FD_OTHER;
}

/* The owner that O_ASYNC signals, and the signal, of the fd's description (through a duplicate
 * of it: both belong to the description). An fd that has none (O_PATH) has no owner. */
static void capture_owner(pid_t pid, struct fd_image *f)
{
	int fd = take_fd(pid, (int)f->rec.fd);
	if (fd < 0)
		return;
	struct f_owner_ex own;
	if (fcntl(fd, F_GETOWN_EX, &own) == 0 && own.pid > 0) {
		f->rec.owner_type = (uint32_t)own.type;
		f->rec.owner = (uint32_t)own.pid;
	}
	int sig = fcntl(fd, F_GETSIG);
	f->rec.owner_sig = sig > 0 ? (uint32_t)sig : 0;
	close(fd);
}

int files_capture(pid_t pid, struct process_image *p)
{
	DIR *d = opendir_proc(pid, "fd");
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
		f->rec.kind = (uint32_t)fd_kind(link, path, &st);
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
		if (deleted_path(path) && (f->rec.kind == CKPT_FD_REG || f->rec.kind == CKPT_FD_DIR ||
					   f->rec.kind == CKPT_FD_FIFO || f->rec.kind == CKPT_FD_CHR ||
					   f->rec.kind == CKPT_FD_BLK))
			f->rec.fd_flags |= CKPT_FDF_DELETED;
		f->path = path;
		capture_owner(pid, f);
		const struct fd_kind *k = fd_kind_of(f->rec.kind);
		if (k && k->capture)
			rc = k->capture(pid, f, fdinfo);
		free(fdinfo);
	}
	closedir(d);
	return rc;
}

int pipe_copy_queued(int src, pid_t pid, struct fd_image *f)
{
	int size = fcntl(src, F_GETPIPE_SZ);
	f->rec.pipe_size = size > 0 ? (uint32_t)size : 0;
	int pp[2];
	if (pipe2(pp, O_NONBLOCK | O_CLOEXEC) < 0)
		return ckpt_fail_errno("cannot create a pipe");
	if (size > 0)
		fcntl(pp[1], F_SETPIPE_SZ, size);
	int rc = 0;
	ssize_t n = tee(src, pp[1], INT_MAX, SPLICE_F_NONBLOCK);
	if (n < 0 && errno != EAGAIN) {
		rc = ckpt_fail_errno("cannot copy the bytes queued in pipe fd %u of pid %d", f->rec.fd, pid);
	} else if (n > 0) {
		f->data = xmalloc((size_t)n);
		if (read(pp[0], f->data, (size_t)n) != n)
			rc = ckpt_fail_errno("cannot read the bytes queued in pipe fd %u of pid %d", f->rec.fd, pid);
		f->rec.data_len = (uint32_t)n;
		int avail = 0;
		/* Our pipe may be smaller than the source when the limit forbids growing it. */
		if (ioctl(src, FIONREAD, &avail) == 0 && avail > n)
			rc = ckpt_fail("pipe fd %u of pid %d holds %d bytes, more than ckpt can copy", f->rec.fd, pid, avail);
	}
	close(pp[0]);
	close(pp[1]);
	return rc;
}

/* The bytes queued in a pipe or FIFO, through the program's own read end. */
static int peek_pipe(pid_t pid, int fd, struct fd_image *f)
{
	int src = take_fd(pid, fd);
	if (src < 0)
		return ckpt_fail_errno("cannot reach pipe fd %d of pid %d", fd, pid);
	int rc = pipe_copy_queued(src, pid, f);
	close(src);
	return rc;
}

#ifndef SYS_kcmp
#define SYS_kcmp 312
#endif
#define KCMP_FILE 0

/* Numbers the open file descriptions of the tree: two fds share one when kcmp says so. */
static void number_descriptions(struct statefile_image *img)
{
	uint32_t next = 1;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			struct fd_image *f = &img->procs[i].fds[k];
			for (size_t j = 0; j <= i && !f->rec.desc; j++)
				for (size_t m = 0; m < img->procs[j].nfds && !f->rec.desc; m++) {
					struct fd_image *g = &img->procs[j].fds[m];
					if (j == i && m >= k)
						break;
					if (g->rec.ino == f->rec.ino && g->rec.dev == f->rec.dev &&
					    syscall(SYS_kcmp, (pid_t)img->procs[i].rec.pid, (pid_t)img->procs[j].rec.pid, KCMP_FILE,
						    f->rec.fd, g->rec.fd) == 0)
						f->rec.desc = g->rec.desc;
				}
			if (!f->rec.desc)
				f->rec.desc = next++;
		}
}

/* What restart cannot rebuild, in words that say what it is; for a socket, its protocol as the
 * live fd names it ("NETLINK", "PACKET"...), in buf. */
static const char *unrestorable_what(const struct process_image *p, const struct fd_image *f, char *buf, size_t size)
{
	if (f->rec.kind == CKPT_FD_SOCKET) {
		char link[64], proto[32];
		snprintf(link, sizeof(link), "/proc/%u/fd/%u", p->rec.pid, f->rec.fd);
		ssize_t n = getxattr(link, "system.sockprotoname", proto, sizeof(proto) - 1);
		if (n <= 0)
			return "a socket of a kind restart cannot rebuild";
		proto[n] = 0;
		snprintf(buf, size, "a socket of a kind restart cannot rebuild (%s)", proto);
		return buf;
	}
	if (f->rec.kind == CKPT_FD_OTHER)
		return f->path && strcmp(f->path, "anon_inode:[pidfd]") == 0
			       ? "a pidfd of a process outside the tree, which restart cannot rebuild"
			       : "a kernel object restart cannot rebuild";
	if (f->rec.fd_flags & CKPT_FDF_DELETED)
		return f->rec.kind == CKPT_FD_DIR    ? "a deleted directory, which restart cannot open again"
		       : f->rec.kind == CKPT_FD_FIFO ? "a deleted FIFO, which restart cannot open again"
						     : "a deleted file, which restart cannot open again";
	return NULL;
}

int files_check_restorable(struct statefile_image *img, bool allow)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			struct fd_image *f = &p->fds[k];
			char buf[96];
			const char *what = unrestorable_what(p, f, buf, sizeof(buf));
			if (!what)
				continue;
			if (!allow)
				return ckpt_fail("cannot save fd %u of pid %u (%s): it is %s, and would come back as /dev/null; "
						 "save anyway with --allow-unrestorable",
						 f->rec.fd, p->rec.pid, f->path ? f->path : "?", what);
			f->rec.fd_flags |= CKPT_FDF_LOST;
			ckpt_warn("fd %u of pid %u (%s) is %s: it will come back as /dev/null", f->rec.fd, p->rec.pid,
				  f->path ? f->path : "?", what);
		}
	}
	return 0;
}

/* The index of the process of the tree that the owner of f is (its thread, for F_OWNER_TID; its
 * process group's leader, for F_OWNER_PGRP), and in *thread the thread's index; -1 if none. */
static long owner_process(const struct statefile_image *img, const struct fd_image *f, size_t *thread)
{
	*thread = 0;
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *q = &img->procs[i];
		if (f->rec.owner_type == F_OWNER_TID) {
			for (size_t k = 0; k < q->nthreads; k++)
				if (q->threads[k].rec.tid == f->rec.owner) {
					*thread = k;
					return (long)i;
				}
		} else if (q->rec.pid == f->rec.owner && (f->rec.owner_type == F_OWNER_PID || q->rec.pgid == q->rec.pid)) {
			return (long)i;
		}
	}
	return -1;
}

/* An owner outside the tree cannot be given back: the fd keeps its other state, without it. */
static void drop_outside_owners(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			struct fd_image *f = &img->procs[i].fds[k];
			size_t thread;
			if (f->rec.owner && owner_process(img, f, &thread) < 0) {
				ckpt_warn("fd %u of pid %u (%s): its owner %u, which O_ASYNC signals, is outside the tree: "
					  "it will come back without one",
					  f->rec.fd, img->procs[i].rec.pid, f->path ? f->path : "?", f->rec.owner);
				f->rec.owner_type = 0;
				f->rec.owner = 0;
			}
		}
}

int files_check_owner(const struct fd_image *f)
{
	if (f->rec.owner_type > F_OWNER_PGRP || (!f->rec.owner && f->rec.owner_type) || f->rec.owner >= PID_LIMIT ||
	    f->rec.owner_sig > 64 || f->rec.owner_reserved)
		return ckpt_fail("fd %u has an owner or owner signal out of range", f->rec.fd);
	return 0;
}

int files_capture_tree(struct statefile_image *img)
{
	number_descriptions(img);
	drop_outside_owners(img);
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			struct fd_image *f = &p->fds[k];
			if (f->rec.kind != CKPT_FD_PIPE && f->rec.kind != CKPT_FD_FIFO)
				continue;
			bool reader = false, writer = false, first_reader = true;
			for (size_t j = 0; j < img->nprocs; j++)
				for (size_t m = 0; m < img->procs[j].nfds; m++) {
					struct fd_image *g = &img->procs[j].fds[m];
					if (g->rec.kind != f->rec.kind || g->rec.ino != f->rec.ino || g->rec.dev != f->rec.dev)
						continue;
					int acc = g->rec.open_flags & O_ACCMODE;
					reader |= acc == O_RDONLY || acc == O_RDWR;
					writer |= acc == O_WRONLY || acc == O_RDWR;
					/* An earlier read end already holds the data. */
					if ((j < i || (j == i && m < k)) && (acc == O_RDONLY || acc == O_RDWR))
						first_reader = false;
				}
			/* A FIFO keeps its bytes for a reader alone; a pipe with an end outside is stdio. */
			if (f->rec.kind == CKPT_FD_PIPE && !(reader && writer)) {
				f->rec.fd_flags |= CKPT_FDF_OUTSIDE;
				continue;
			}
			int acc = f->rec.open_flags & O_ACCMODE;
			if (first_reader && (acc == O_RDONLY || acc == O_RDWR) && peek_pipe((pid_t)p->rec.pid, (int)f->rec.fd, f) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (fd_kinds[i]->capture_tree && fd_kinds[i]->capture_tree(img) < 0)
			return -1;
	return 0;
}

void files_capture_before_kill(const struct statefile_image *img)
{
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (fd_kinds[i]->before_kill)
			fd_kinds[i]->before_kill(img);
}

/* ---------------------------------------------------------------------------------------- */
/* Restart                                                                                   */

/* An anonymous pipe of the tree, created by ckpt; its ends hold it while each open file
 * description of it is opened from them. */
struct restore_pipe {
	uint64_t ino;      /* the saved pipe inode */
	int rfd, wfd;      /* ckpt's ends */
	bool rgiven, wgiven; /* whether an fd of the tree has the description of that end */
};

/* An open file description of the tree (a regular file, directory, device...), opened once
 * by ckpt so that every fd sharing it shares offset and flags again. */
struct restore_desc {
	uint32_t desc;
	uint32_t kind;             /* the saved fd's CKPT_FD_* kind, dev and inode */
	uint64_t dev, ino;
	int fd;
};

struct files_restore {
	int stdio[3];              /* ckpt's own stdin/stdout/stderr */
	struct restore_pipe *pipes;
	size_t npipes, cap_pipes;
	struct restore_desc *descs;
	size_t ndescs, cap_descs;
};

int files_max_fd(const struct statefile_image *img)
{
	int max = 2;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++)
			if ((int)img->procs[i].fds[k].rec.fd > max)
				max = (int)img->procs[i].fds[k].rec.fd;
	return max;
}

/* Whether restart opens this fd's object once in ckpt, to be shared by every fd of its
 * open file description; the other kinds come from pipes, stdio or /dev/null. */
static bool opened_by_description(const struct fd_image *f)
{
	if (f->rec.fd_flags & CKPT_FDF_LOST)
		return false;
	switch (f->rec.kind) {
	case CKPT_FD_REG:
	case CKPT_FD_DIR:
	case CKPT_FD_CHR:
	case CKPT_FD_BLK:
	case CKPT_FD_FIFO:
		return true;
	default: {
		const struct fd_kind *k = fd_kind_of(f->rec.kind);
		return k && k->open;
	}
	}
}

static int find_description(const struct files_restore *fr, uint32_t desc)
{
	for (size_t i = 0; i < fr->ndescs; i++)
		if (fr->descs[i].desc == desc)
			return fr->descs[i].fd;
	return -1;
}

/* SETFL-able status flags. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* The description ckpt opened for an earlier fd of this kind with the same inode, or NULL. */
static const struct restore_desc *find_inode(const struct files_restore *fr, uint32_t kind, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < fr->ndescs; i++)
		if (fr->descs[i].kind == kind && fr->descs[i].dev == dev && fr->descs[i].ino == ino)
			return &fr->descs[i];
	return NULL;
}

/* A FIFO's description with its saved access mode, and the bytes that were queued in it. */
static int open_fifo(const struct process_image *p, const struct fd_image *f, uint32_t fl)
{
	/* Both ends at once never block, and while this fd is open a write-only end opens too. */
	int both = open(f->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (both < 0)
		return ckpt_fail_errno("cannot reopen FIFO fd %u of pid %u (%s)", f->rec.fd, p->rec.pid, f->path);
	struct stat st;
	if (fstat(both, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(both);
		return ckpt_fail("cannot reopen fd %u of pid %u: %s is no longer a FIFO", f->rec.fd, p->rec.pid, f->path);
	}
	int acc = (int)(fl & O_ACCMODE);
	int fd = acc == O_RDWR ? both : open(f->path, acc | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		close(both);
		return ckpt_fail_errno("cannot reopen FIFO fd %u of pid %u (%s)", f->rec.fd, p->rec.pid, f->path);
	}
	if (f->rec.pipe_size)
		fcntl(both, F_SETPIPE_SZ, (int)f->rec.pipe_size);
	/* The bytes stay in the FIFO as long as the description is open. */
	int rc = f->rec.data_len ? write_all(both, f->data, f->rec.data_len) : 0;
	if (fd != both)
		close(both);
	if (rc < 0) {
		close(fd);
		return ckpt_fail_errno("cannot refill FIFO fd %u of pid %u with its %u bytes", f->rec.fd, p->rec.pid,
				       f->rec.data_len);
	}
	fcntl(fd, F_SETFL, (int)(fl & SETFL_MASK));
	return fd;
}

/* Opens the object of a saved open file description; returns an fd, or -1 with an error. */
static int open_description(const struct files_restore *fr, const struct process_image *p, const struct fd_image *f)
{
	uint32_t fl = f->rec.open_flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	const struct fd_kind *k = fd_kind_of(f->rec.kind);
	const struct restore_desc *made = k && k->open_again ? find_inode(fr, f->rec.kind, f->rec.dev, f->rec.ino) : NULL;
	if (made)
		return k->open_again(p, f, made->fd);
	if (k && k->open)
		return k->open(p, f);
	int fd;
	switch (f->rec.kind) {
	case CKPT_FD_FIFO:
		return open_fifo(p, f, fl);
	case CKPT_FD_DIR:
		fd = open(f->path, (int)(O_RDONLY | O_DIRECTORY | (fl & O_PATH)));
		break;
	default: {
		if (f->rec.fd_flags & CKPT_FDF_DELETED)
			return ckpt_fail("fd %u of pid %u refers to a deleted file, which cannot be reopened (%s)", f->rec.fd,
					 p->rec.pid, f->path ? f->path : "?");
		/* Opened without blocking, and only if it still is what it was: a path that now names
		 * a FIFO must not hang the restart. */
		fd = open(f->path ? f->path : "/dev/null", (int)(fl | O_NONBLOCK));
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0) {
			bool same = f->rec.kind == CKPT_FD_REG ? S_ISREG(st.st_mode)
				    : f->rec.kind == CKPT_FD_CHR ? S_ISCHR(st.st_mode)
								 : S_ISBLK(st.st_mode);
			if (!same) {
				close(fd);
				return ckpt_fail("cannot reopen fd %u of pid %u: %s is no longer a %s", f->rec.fd, p->rec.pid,
						 f->path ? f->path : "?",
						 f->rec.kind == CKPT_FD_REG ? "regular file" : "device");
			}
			fcntl(fd, F_SETFL, (int)(fl & SETFL_MASK));
		}
		/* An O_PATH fd has no offset. */
		if (fd >= 0 && f->rec.kind == CKPT_FD_REG && !(fl & O_PATH) && lseek(fd, (off_t)f->rec.pos, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
		break;
	}
	}
	if (fd < 0)
		return ckpt_fail_errno("cannot reopen fd %u of pid %u (%s)", f->rec.fd, p->rec.pid, f->path ? f->path : "?");
	return fd;
}

static struct restore_pipe *find_pipe(const struct files_restore *fr, uint64_t ino)
{
	for (size_t i = 0; i < fr->npipes; i++)
		if (fr->pipes[i].ino == ino)
			return &fr->pipes[i];
	return NULL;
}

/* The tree's pipe with this fd's inode, created (and refilled with its saved bytes) the first
 * time one of its ends is seen. */
static int prepare_pipe(struct files_restore *fr, const struct process_image *p, const struct fd_image *f, int fd_base)
{
	struct restore_pipe *rp = find_pipe(fr, f->rec.ino);
	if (!rp) {
		int pp[2];
		if (pipe2(pp, O_CLOEXEC) < 0)
			return ckpt_fail_errno("cannot create a pipe");
		rp = ARR_PUSH(fr->pipes, fr->npipes, fr->cap_pipes);
		rp->ino = f->rec.ino;
		rp->rfd = fd_move_up(pp[0], fd_base);
		rp->wfd = fd_move_up(pp[1], fd_base);
	}
	if (f->rec.pipe_size)
		fcntl(rp->wfd, F_SETPIPE_SZ, (int)f->rec.pipe_size);
	if (f->rec.data_len) {
		/* The bytes that were queued: written now, read by the program later. */
		int fl = fcntl(rp->wfd, F_GETFL);
		fcntl(rp->wfd, F_SETFL, fl | O_NONBLOCK);
		int r = write_all(rp->wfd, f->data, f->rec.data_len);
		fcntl(rp->wfd, F_SETFL, fl);
		if (r < 0)
			return ckpt_fail_errno("cannot refill pipe fd %u of pid %u with %u bytes", f->rec.fd, p->rec.pid,
					       f->rec.data_len);
	}
	return 0;
}

/* One open file description of a pipe of the tree, with its own access mode and status flags:
 * fds that were dup'ed share one, and an end opened again through /proc has its own. */
static int open_pipe_description(struct files_restore *fr, const struct process_image *p, const struct fd_image *f)
{
	struct restore_pipe *rp = find_pipe(fr, f->rec.ino);
	int acc = (int)(f->rec.open_flags & O_ACCMODE);
	bool *given = acc == O_RDONLY ? &rp->rgiven : &rp->wgiven;
	int fd;
	if (!*given && !(f->rec.open_flags & O_LARGEFILE)) {
		/* The end as pipe() made it: an open() would add O_LARGEFILE, which it did not have. */
		fd = fcntl(acc == O_RDONLY ? rp->rfd : rp->wfd, F_DUPFD_CLOEXEC, 0);
		*given = true;
	} else {
		char end[32];
		snprintf(end, sizeof(end), "/proc/self/fd/%d", acc == O_RDONLY ? rp->rfd : rp->wfd);
		/* Not blocking: both ends are open here. */
		fd = open(end, acc | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd < 0)
		return ckpt_fail_errno("cannot open pipe fd %u of pid %u again", f->rec.fd, p->rec.pid);
	fcntl(fd, F_SETFL, (int)(f->rec.open_flags & SETFL_MASK));
	return fd;
}

struct files_restore *files_restore_prepare(const struct statefile_image *img, int fd_base)
{
	struct files_restore *fr = xcalloc(1, sizeof(*fr));
	tty_restore_prepare(img);
	for (int i = 0; i < 3; i++) {
		int fd = fcntl(i, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		fr->stdio[i] = fd_move_up(fd, fd_base);
	}
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			const struct fd_image *f = &p->fds[k];
			bool tree_pipe = f->rec.kind == CKPT_FD_PIPE && !(f->rec.fd_flags & CKPT_FDF_OUTSIDE);
			if (tree_pipe && prepare_pipe(fr, p, f, fd_base) < 0)
				goto fail;
			if ((opened_by_description(f) || tree_pipe) && find_description(fr, f->rec.desc) < 0) {
				int fd = tree_pipe ? open_pipe_description(fr, p, f) : open_description(fr, p, f);
				if (fd < 0)
					goto fail;
				struct restore_desc *d = ARR_PUSH(fr->descs, fr->ndescs, fr->cap_descs);
				d->desc = f->rec.desc;
				d->kind = f->rec.kind;
				d->dev = f->rec.dev;
				d->ino = f->rec.ino;
				d->fd = fd_move_up(fd, fd_base);
			}
		}
	}
	/* What joins descriptions (sockets to their peers) once all of them are open. */
	if (getenv("CKPT_TEST_FAIL_JOIN")) {
		ckpt_fail("failing before the sockets are joined, as CKPT_TEST_FAIL_JOIN asks");
		goto fail;
	}
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (fd_kinds[i]->restore_ready && fd_kinds[i]->restore_ready(img, fr) < 0)
			goto fail;
	return fr;
fail:
	for (size_t i = 0; i < ARRAY_LEN(fd_kinds); i++)
		if (fd_kinds[i]->restore_abandon)
			fd_kinds[i]->restore_abandon(img);
	files_restore_free(fr);
	return NULL;
}

void files_restore_free(struct files_restore *fr)
{
	if (!fr)
		return;
	for (size_t i = 0; i < fr->npipes; i++) {
		close(fr->pipes[i].rfd);
		close(fr->pipes[i].wfd);
	}
	for (size_t i = 0; i < fr->ndescs; i++)
		close(fr->descs[i].fd);
	for (int i = 0; i < 3; i++)
		if (fr->stdio[i] >= 0)
			close(fr->stdio[i]);
	free(fr->pipes);
	free(fr->descs);
	free(fr);
}

/* Where a restored fd's object comes from. */
enum fd_source {
	FROM_DESCRIPTION,  /* opened once by ckpt (opened_by_description, or a pipe of the tree) */
	FROM_STDIO,        /* it pointed outside the tree: restart's own stdio */
	FROM_NOWHERE,      /* nothing can stand for it: /dev/null */
};

static enum fd_source fd_source(const struct fd_image *f)
{
	if (f->rec.fd_flags & CKPT_FDF_LOST)
		return FROM_NOWHERE;
	bool outside = (f->rec.fd_flags & CKPT_FDF_OUTSIDE) || f->rec.kind == CKPT_FD_TTY;
	if (opened_by_description(f) || (f->rec.kind == CKPT_FD_PIPE && !outside))
		return FROM_DESCRIPTION;
	if (f->rec.fd <= 2 || outside)
		return FROM_STDIO;
	return FROM_NOWHERE;
}

void files_warn_lost(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			if (fd_source(f) == FROM_NOWHERE)
				ckpt_warn("fd %u of pid %u (%s) cannot be restored and is now /dev/null", f->rec.fd,
					  img->procs[i].rec.pid, f->path ? f->path : "?");
		}
}

/* An fd for a saved fd's object, from what ckpt prepared (any number). */
static int reopen_fd(const struct files_restore *fr, const struct fd_image *f)
{
	int acc = f->rec.open_flags & O_ACCMODE;
	switch (fd_source(f)) {
	case FROM_DESCRIPTION:
		return fcntl(find_description(fr, f->rec.desc), F_DUPFD, 0);
	case FROM_STDIO: {
		/* Pointed outside the tree: rebound to restart's own stdio. */
		int std = f->rec.fd <= 2 ? (int)f->rec.fd : acc == O_RDONLY ? 0 : 2;
		return fcntl(fr->stdio[std], F_DUPFD, 0);
	}
	case FROM_NOWHERE:
		break;
	}
	return open("/dev/null", acc == O_RDONLY ? O_RDONLY : acc == O_WRONLY ? O_WRONLY : O_RDWR);
}

int files_restore_desc_fd(const struct files_restore *fr, uint32_t desc)
{
	return find_description(fr, desc);
}

int files_restore_object(const struct files_restore *fr, uint32_t kind, const uint64_t *dev, uint64_t ino)
{
	for (size_t i = 0; i < fr->ndescs; i++)
		if (fr->descs[i].kind == kind && fr->descs[i].ino == ino && (!dev || fr->descs[i].dev == *dev))
			return fr->descs[i].fd;
	return -1;
}

int files_restore_dup(const struct files_restore *fr, const struct fd_image *f)
{
	return reopen_fd(fr, f);
}

int files_restore_inside(const struct files_restore *fr, const struct process_image *p, const int *keep, size_t nkeep)
{
	for (size_t k = 0; k < p->nfds; k++) {
		const struct fd_image *f = &p->fds[k];
		int fd = reopen_fd(fr, f);
		if (fd < 0)
			return ckpt_fail_errno("cannot reopen fd %u of pid %u (%s)", f->rec.fd, p->rec.pid,
					       f->path ? f->path : "?");
		if (fd != (int)f->rec.fd) {
			if (dup2(fd, (int)f->rec.fd) < 0)
				return ckpt_fail_errno("cannot place fd %u of pid %u", f->rec.fd, p->rec.pid);
			close(fd);
		}
		fcntl((int)f->rec.fd, F_SETFD, (f->rec.fd_flags & CKPT_FDF_CLOEXEC) ? FD_CLOEXEC : 0);
	}
	/* What needs the whole table in place (an epoll set's interest list). */
	for (size_t k = 0; k < p->nfds; k++) {
		const struct fd_kind *kind = fd_kind_of(p->fds[k].rec.kind);
		if (kind && kind->finish_inside && kind->finish_inside(p, &p->fds[k]) < 0)
			return -1;
	}
	/* Everything else goes, and the fds in flight (sent again with their messages, sk_unix.c),
	 * which were placed only for what finish_inside does with them. */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return ckpt_fail_errno("cannot list /proc/self/fd");
	int dfd = dirfd(d);
	int *close_list = NULL;
	size_t nclose = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd == dfd)
			continue;
		bool wanted = false;
		for (size_t k = 0; k < p->nfds; k++)
			wanted |= (int)p->fds[k].rec.fd == fd && !(p->fds[k].rec.fd_flags & CKPT_FDF_IN_FLIGHT);
		for (size_t i = 0; i < nkeep; i++)
			wanted |= keep[i] == fd;
		if (!wanted)
			*ARR_PUSH(close_list, nclose, cap) = fd;
	}
	closedir(d);
	for (size_t i = 0; i < nclose; i++)
		close(close_list[i]);
	free(close_list);
	return 0;
}

int files_check_owners(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			size_t thread;
			if (f->rec.owner && owner_process(img, f, &thread) < 0)
				return ckpt_fail("fd %u of pid %u: its owner %u is no process of the tree", f->rec.fd,
						 img->procs[i].rec.pid, f->rec.owner);
		}
	return 0;
}

int files_restore_owners(const struct statefile_image *img, const struct files_restore *fr, const pid_t *outer_pids,
			 pid_t *const *outer_tids)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			int fd = fd_source(f) == FROM_DESCRIPTION ? find_description(fr, f->rec.desc) : -1;
			if (fd < 0 || (!f->rec.owner && !f->rec.owner_sig))
				continue;
			size_t thread;
			long owner = f->rec.owner ? owner_process(img, f, &thread) : -1; /* files_check_owners: found */
			/* Ckpt's copy of the description is the program's: outer pids, as ckpt sees them. */
			struct f_owner_ex own = {.type = (int)f->rec.owner_type};
			if (owner >= 0)
				own.pid = f->rec.owner_type == F_OWNER_TID ? outer_tids[owner][thread] : outer_pids[owner];
			if ((owner >= 0 && fcntl(fd, F_SETOWN_EX, &own) < 0) ||
			    (f->rec.owner_sig && fcntl(fd, F_SETSIG, (int)f->rec.owner_sig) < 0))
				return ckpt_fail_errno("cannot give fd %u of pid %u its owner %u and signal %u again", f->rec.fd,
						       img->procs[i].rec.pid, f->rec.owner, f->rec.owner_sig);
		}
	return 0;
}
