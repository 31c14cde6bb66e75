/*
 * Ghost files and memfds (fdkind.h): a regular file deleted while open, and a memfd, exist only
 * through their fds, so their contents go into the statefile (only the data extents) and restart
 * makes them again: a ghost file as a temporary file next to where it was, filled and unlinked
 * again; a memfd as a new memfd with the same name, filled and sealed as it was.  A FIFO,
 * directory or device node deleted while open (a ghost node) is made again empty, or with the
 * bytes that were queued in the FIFO, at its old name when that is free (else under a name of its
 * own beside it, or in the temporary directory), opened and removed again.
 */
#include "fdkind.h"
#include "files.h"
#include "json.h"
#include "portability.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define KNOWN_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/* Reads the data extents of fd (SEEK_DATA/SEEK_HOLE) into a blob laid out as format.h says. */
static int read_extents(int fd, const struct stat *st, uint32_t seals, struct fd_image *f, pid_t pid)
{
	struct ckpt_fd_ghost_extent *ext = NULL;
	size_t next = 0, cap = 0;
	uint64_t total = 0;
	off_t pos = 0;
	while (pos < st->st_size) {
		off_t data = lseek(fd, pos, SEEK_DATA);
		if (data < 0)
			break; /* ENXIO: only a hole is left */
		off_t hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || hole > st->st_size)
			hole = st->st_size;
		struct ckpt_fd_ghost_extent *e = ARR_PUSH(ext, next, cap);
		e->offset = (uint64_t)data;
		e->len = (uint64_t)(hole - data);
		total += e->len;
		pos = hole;
	}
	if (total > CKPT_GHOST_MAX_DATA) {
		free(ext);
		return ckpt_fail("fd %u of pid %d (%s) holds %llu bytes of data, more than the %u a statefile keeps for a "
				 "deleted file or memfd",
				 f->rec.fd, pid, f->path, (unsigned long long)total, CKPT_GHOST_MAX_DATA);
	}
	size_t len = sizeof(struct ckpt_fd_ghost) + next * sizeof(*ext) + total;
	uint8_t *blob = xcalloc(1, len);
	struct ckpt_fd_ghost *h = (struct ckpt_fd_ghost *)blob;
	h->size = (uint64_t)st->st_size;
	h->mode = st->st_mode & 07777;
	h->seals = seals;
	h->nextents = (uint32_t)next;
	h->uid = st->st_uid;
	h->gid = st->st_gid;
	h->atime_sec = st->st_atim.tv_sec;
	h->atime_nsec = (uint32_t)st->st_atim.tv_nsec;
	h->mtime_sec = st->st_mtim.tv_sec;
	h->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	if (next)
		memcpy(blob + sizeof(*h), ext, next * sizeof(*ext));
	uint8_t *bytes = blob + sizeof(*h) + next * sizeof(*ext);
	for (size_t i = 0; i < next; i++) {
		if (pread_all(fd, bytes, ext[i].len, (off_t)ext[i].offset) < 0) {
			free(ext);
			free(blob);
			return ckpt_fail_errno("cannot read the contents of fd %u of pid %d (%s)", f->rec.fd, pid, f->path);
		}
		bytes += ext[i].len;
	}
	free(ext);
	f->data = blob;
	f->rec.data_len = (uint32_t)len;
	f->rec.kind_flags |= CKPT_GHOST_ATTRS;
	return 0;
}

static int ghost_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	(void)fdinfo;
	/* A description of our own, for reading: the program's may be write-only, and reading through
	 * it would move its offset. */
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/fd/%u", pid, f->rec.fd);
	int fd = open(link, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(link, O_RDONLY | O_CLOEXEC); /* O_NOATIME is for the owner */
	if (fd < 0)
		return ckpt_fail_errno("cannot open fd %u of pid %d (%s) to read it", f->rec.fd, pid, f->path);
	struct stat st;
	int rc;
	if (fstat(fd, &st) < 0) {
		rc = ckpt_fail_errno("cannot stat fd %u of pid %d (%s)", f->rec.fd, pid, f->path);
	} else {
		uint32_t seals = 0;
		if (f->rec.kind == CKPT_FD_MEMFD) {
			int s = fcntl(fd, F_GET_SEALS);
			seals = s > 0 ? (uint32_t)s : 0;
		}
		rc = read_extents(fd, &st, seals, f, pid);
	}
	close(fd);
	return rc;
}

/* Whether two saved fds are the same deleted file or memfd (perhaps through two open file
 * descriptions, as a second open of /proc/self/fd/N makes). */
static bool same_object(const struct fd_image *a, const struct fd_image *b)
{
	return a->rec.kind == b->rec.kind && a->rec.dev == b->rec.dev && a->rec.ino == b->rec.ino;
}

static bool is_ghost(const struct fd_image *f)
{
	return f->rec.kind == CKPT_FD_GHOST || f->rec.kind == CKPT_FD_MEMFD || f->rec.kind == CKPT_FD_GHOST_NODE;
}

/* The first fd of the tree (processes, then fds, in image order) that is the same object as
 * procs[i].fds[k], or that fd itself. */
static const struct fd_image *first_of_object(const struct statefile_image *img, size_t i, size_t k)
{
	const struct fd_image *f = &img->procs[i].fds[k];
	for (size_t j = 0; j <= i; j++)
		for (size_t m = 0; m < img->procs[j].nfds; m++) {
			if (j == i && m >= k)
				return f;
			if (same_object(&img->procs[j].fds[m], f))
				return &img->procs[j].fds[m];
		}
	return f;
}

/* The contents go on the first fd of each object only: restart makes the object for that fd and
 * opens it again for every other open file description of it. */
static int ghost_capture_tree(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			struct fd_image *f = &img->procs[i].fds[k];
			if (is_ghost(f) && first_of_object(img, i, k) != f) {
				free(f->data);
				f->data = NULL;
				f->rec.data_len = 0;
			}
		}
	return 0;
}

/* An fd without contents follows an fd of the same object that has them, and restart opens. */
static int ghost_check_tree(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			if (!is_ghost(f) || f->rec.data_len)
				continue;
			const struct fd_image *first = first_of_object(img, i, k);
			if (first == f || !first->rec.data_len || (first->rec.fd_flags & CKPT_FDF_LOST))
				return ckpt_fail("fd %u of pid %u: a deleted file, node or memfd without contents, and no "
						 "earlier fd of the same one has them",
						 f->rec.fd, img->procs[i].rec.pid);
		}
	return 0;
}

/* The saved header of a deleted file or memfd, and its size: a file written before
 * CKPT_GHOST_ATTRS has no owner or times (uid and gid -1: left as restart makes them). */
static size_t ghost_header(const struct fd_image *f, struct ckpt_fd_ghost *h)
{
	size_t n = f->rec.kind_flags & CKPT_GHOST_ATTRS ? sizeof(*h) : offsetof(struct ckpt_fd_ghost, uid);
	memset(h, 0, sizeof(*h));
	if (f->rec.data_len < n)
		return 0;
	memcpy(h, f->data, n);
	if (n < sizeof(*h))
		h->uid = h->gid = (uint32_t)-1;
	return n;
}

static int ghost_check_saved(const struct fd_image *f)
{
	if ((f->rec.kind_flags & ~CKPT_GHOST_ATTRS) || !f->path || f->path[0] != '/')
		return ckpt_fail("fd %u: a deleted file or memfd needs an absolute path and no flags but ATTRS", f->rec.fd);
	if (f->rec.kind == CKPT_FD_MEMFD && strncmp(f->path, "/memfd:", 7) != 0)
		return ckpt_fail("fd %u: a memfd's path must start with /memfd:", f->rec.fd);
	if (!f->rec.data_len)
		return 0; /* a later fd of a description: the first one holds the contents */
	struct ckpt_fd_ghost h;
	size_t hsize = ghost_header(f, &h);
	if (!hsize)
		return ckpt_fail("fd %u: the contents of a deleted file or memfd are truncated", f->rec.fd);
	bool attrs = f->rec.kind_flags & CKPT_GHOST_ATTRS;
	if ((h.mode & ~07777u) || h.reserved || (h.seals & ~(uint32_t)KNOWN_SEALS) ||
	    (f->rec.kind == CKPT_FD_GHOST && h.seals) || (attrs && (h.uid == (uint32_t)-1 || h.gid == (uint32_t)-1)) ||
	    h.atime_nsec >= 1000000000u || h.mtime_nsec >= 1000000000u)
		return ckpt_fail("fd %u: a deleted file or memfd has a mode, seals, owner, times or fields it cannot have", f->rec.fd);
	uint64_t room = f->rec.data_len - hsize;
	if (h.nextents > room / sizeof(struct ckpt_fd_ghost_extent))
		return ckpt_fail("fd %u: a deleted file or memfd lists more extents than its data holds", f->rec.fd);
	uint64_t bytes = room - (uint64_t)h.nextents * sizeof(struct ckpt_fd_ghost_extent), sum = 0, end = 0;
	for (uint32_t i = 0; i < h.nextents; i++) {
		struct ckpt_fd_ghost_extent e;
		memcpy(&e, f->data + hsize + i * sizeof(e), sizeof(e));
		if (e.len == 0 || e.offset < end || e.len > h.size || e.offset > h.size - e.len || e.len > bytes - sum)
			return ckpt_fail("fd %u: extent %u of a deleted file or memfd is out of order or out of range",
					 f->rec.fd, i);
		end = e.offset + e.len;
		sum += e.len;
	}
	if (sum != bytes || sum > CKPT_GHOST_MAX_DATA)
		return ckpt_fail("fd %u: the extents of a deleted file or memfd do not add up to its data", f->rec.fd);
	return 0;
}

/* Fills fd with the saved extents and gives it the saved size. */
static int fill(int fd, const struct fd_image *f, const struct ckpt_fd_ghost *h, size_t hsize)
{
	if (ftruncate(fd, (off_t)h->size) < 0)
		return -1;
	const uint8_t *bytes = f->data + hsize + (size_t)h->nextents * sizeof(struct ckpt_fd_ghost_extent);
	for (uint32_t i = 0; i < h->nextents; i++) {
		struct ckpt_fd_ghost_extent e;
		memcpy(&e, f->data + hsize + i * sizeof(e), sizeof(e));
		if (pwrite_all(fd, bytes, e.len, (off_t)e.offset) < 0)
			return -1;
		bytes += e.len;
	}
	return 0;
}

/* The saved path without the kernel's " (deleted)". */
static char *saved_name(const char *path)
{
	char *s = xstrdup(path);
	size_t n = strlen(s), k = strlen(" (deleted)");
	if (n > k && strcmp(s + n - k, " (deleted)") == 0)
		s[n - k] = 0;
	return s;
}

/* SETFL-able status flags (as files.c). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* Reopens fd (a file that may be deleted) with the saved access mode and flags, at the saved offset. */
static int reopen_saved(int fd, const struct fd_image *f)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	/* An O_TMPFILE file's flags say so (O_TMPFILE holds O_DIRECTORY): not for reopening. */
	uint32_t fl = f->rec.open_flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC | O_TMPFILE);
	int r = open(self, (int)(fl | O_CLOEXEC));
	if (r < 0)
		return -1;
	fcntl(r, F_SETFL, (int)(fl & SETFL_MASK));
	if (lseek(r, (off_t)f->rec.pos, SEEK_SET) < 0) {
		close(r);
		return -1;
	}
	return r;
}

/* Makes a node of `type` (S_IFREG, S_IFIFO, S_IFDIR, S_IFCHR, S_IFBLK, or S_IFLNK to `target`) at
 * `name`, which must be free, opens it (a regular file read-write, the others with open_flags) and
 * removes the name again. -1 with errno; EEXIST: the name is taken. */
static int make_at(const char *name, mode_t type, dev_t rdev, const char *target, int open_flags)
{
	if (type == S_IFREG) {
		int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlink(name);
		return fd;
	}
	int made = type == S_IFDIR ? mkdir(name, 0700) : type == S_IFLNK ? symlink(target, name) : mknod(name, type | 0600, rdev);
	if (made < 0)
		return -1;
	int fd = open(name, open_flags | O_CLOEXEC);
	int saved = errno;
	/* A directory someone put something in meanwhile cannot go: it is not ours to empty. */
	if ((type == S_IFDIR ? rmdir(name) : unlink(name)) < 0 && fd >= 0) {
		saved = errno;
		close(fd);
		fd = -1;
	}
	errno = saved;
	return fd;
}

/* make_at under a name of its own in dir ("" is the root): dir/.ckpt-ghost-PID-XXXXXX. */
static int make_private(const char *dir, uint32_t pid, mode_t type, dev_t rdev, const char *target, int open_flags)
{
	char *tmp = xasprintf("%s/.ckpt-ghost-%u-XXXXXX", dir, pid);
	char *x = tmp + strlen(tmp) - 6;
	int fd = -1;
	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		unsigned v = (unsigned)rand() ^ (unsigned)getpid() << 8 ^ (unsigned)tries;
		for (int i = 0; i < 6; i++)
			x[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[(v >> (i * 5)) % 36];
		fd = make_at(tmp, type, rdev, target, open_flags);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	free(tmp);
	return fd;
}

/* The directory part of a path without " (deleted)" ("" for the root). */
static char *dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	return xasprintf("%.*s", slash ? (int)(slash - name) : 0, name);
}

int ghost_make_unlinked(const char *path, uint32_t pid, uint64_t size)
{
	char *name = saved_name(path);
	/* Next to where it was, under a name of its own, then deleted again. */
	char *dir = dir_of(name);
	int fd = make_private(dir, pid, S_IFREG, 0, NULL, 0);
	if (fd < 0) {
		ckpt_fail_errno("cannot make deleted file %s of pid %u again in its directory", name, pid);
	} else if (ftruncate(fd, (off_t)size) < 0) {
		ckpt_fail_errno("cannot make deleted file %s of pid %u again", name, pid);
		close(fd);
		fd = -1;
	}
	free(dir);
	free(name);
	return fd;
}

/* Gives a made file or node its saved owner and mode (chown first: it clears the set-user-ID
 * bits). Without the privilege to give it another owner it stays restart's, with a warning. */
static int set_owner_mode(int fd, const struct process_image *p, const struct fd_image *f, uint32_t uid, uint32_t gid,
			  uint32_t mode)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	/* fd may be O_PATH (a device node): the calls that take a path work on those. */
	if ((st.st_uid != uid || st.st_gid != gid) && fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0) {
		if (errno != EPERM)
			return -1;
		ckpt_warn("fd %u of pid %u (%s) comes back owned by %u:%u, not %u:%u: %s", f->rec.fd, p->rec.pid, f->path,
			  (unsigned)st.st_uid, (unsigned)st.st_gid, uid, gid, strerror(EPERM));
	}
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	return chmod(self, mode & 07777);
}

/* Gives the made file its saved owner, mode and times (after filling it: writes move the
 * modification time). */
static int set_attributes(int fd, const struct process_image *p, const struct fd_image *f, const struct ckpt_fd_ghost *h)
{
	struct timespec times[2] = {{h->atime_sec, h->atime_nsec}, {h->mtime_sec, h->mtime_nsec}};
	if (!(f->rec.kind_flags & CKPT_GHOST_ATTRS)) /* saved without owner and times */
		return fchmod(fd, h->mode & 07777);
	return set_owner_mode(fd, p, f, h->uid, h->gid, h->mode) < 0 || futimens(fd, times) < 0 ? -1 : 0;
}

static int ghost_open(const struct process_image *p, const struct fd_image *f)
{
	struct ckpt_fd_ghost h;
	size_t hsize = ghost_header(f, &h);
	int fd = -1, r = -1;
	if (f->rec.kind == CKPT_FD_MEMFD) {
		char *name = saved_name(f->path);
		fd = memfd_create(name + 7, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		free(name);
		if (fd < 0 || fill(fd, f, &h, hsize) < 0 || set_attributes(fd, p, f, &h) < 0 ||
		    (r = reopen_saved(fd, f)) < 0 || (h.seals && fcntl(fd, F_ADD_SEALS, (int)h.seals) < 0)) {
			ckpt_fail_errno("cannot make memfd %u of pid %u (%s) again", f->rec.fd, p->rec.pid, f->path);
			if (r >= 0)
				close(r);
			r = -1;
		}
	} else {
		fd = ghost_make_unlinked(f->path, p->rec.pid, 0);
		if (fd >= 0 && (fill(fd, f, &h, hsize) < 0 || (r = reopen_saved(fd, f)) < 0 || set_attributes(fd, p, f, &h) < 0)) {
			ckpt_fail_errno("cannot fill deleted file %u of pid %u (%s) again", f->rec.fd, p->rec.pid, f->path);
			if (r >= 0)
				close(r);
			r = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return r;
}

static int ghost_open_again(const struct process_image *p, const struct fd_image *f, int made)
{
	int r = reopen_saved(made, f);
	if (r < 0)
		ckpt_fail_errno("cannot open %s again for fd %u of pid %u", f->path, f->rec.fd, p->rec.pid);
	return r;
}

/* ckpt check: restart makes a deleted file again in its old directory, which must take it. */
static void ghost_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *r)
{
	if (!f->rec.data_len)
		return; /* the object's first fd says it */
	char *name = saved_name(f->path);
	char *slash = strrchr(name, '/');
	char *dir = xasprintf("%.*s", slash == name ? 1 : (int)(slash - name), name);
	if (access(dir, W_OK | X_OK) == 0)
		portability_add(r, "open file", PORTABILITY_OK, xstrdup(f->path),
				xasprintf("restart makes it again in %s, which it can write", dir), NULL);
	else
		portability_add(r, "open file", PORTABILITY_PROBLEM, xstrdup(f->path),
				xasprintf("was deleted while fd %u of pid %u had it open; restart makes it again in %s, "
					  "which it cannot write here (%s)",
					  f->rec.fd, p->rec.pid, dir, strerror(errno)),
				"create that directory and let this user write in it");
	free(dir);
	free(name);
}

static void ghost_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	struct ckpt_fd_ghost h;
	if (!ghost_header(f, &h))
		return;
	buf_printf(out, " size %llu, %u data extents, mode %04o", (unsigned long long)h.size, h.nextents, h.mode);
	if (f->rec.kind_flags & CKPT_GHOST_ATTRS)
		buf_printf(out, ", owner %u:%u", h.uid, h.gid);
	if (f->rec.kind == CKPT_FD_MEMFD)
		buf_printf(out, ", seals 0x%x", h.seals);
}

static void ghost_describe_json(const struct fd_image *f, struct json *j)
{
	struct ckpt_fd_ghost h;
	if (!ghost_header(f, &h))
		return;
	json_u64(j, "size", h.size);
	json_u64(j, "extents", h.nextents);
	json_u64(j, "mode", h.mode);
	if (f->rec.kind_flags & CKPT_GHOST_ATTRS) {
		json_u64(j, "uid", h.uid);
		json_u64(j, "gid", h.gid);
	}
	if (f->rec.kind == CKPT_FD_MEMFD)
		json_u64(j, "seals", h.seals);
}

/* ---- ghost nodes: deleted FIFOs, directories and device nodes ---- */

static int node_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	(void)fdinfo;
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/fd/%u", pid, f->rec.fd);
	struct stat st;
	if (stat(link, &st) < 0)
		return ckpt_fail_errno("cannot stat fd %u of pid %d (%s)", f->rec.fd, pid, f->path);
	struct ckpt_fd_ghost_node h = {.mode = st.st_mode & (S_IFMT | 07777), .uid = st.st_uid, .gid = st.st_gid};
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		h.rdev = st.st_rdev;
	if (S_ISFIFO(st.st_mode)) {
		/* A read end of ckpt's own (the program's fd may be write-only), not blocking: the
		 * program's ends keep the FIFO open. */
		int src = open(link, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (src < 0)
			return ckpt_fail_errno("cannot open FIFO fd %u of pid %d (%s) to read it", f->rec.fd, pid, f->path);
		int rc = pipe_copy_queued(src, pid, f);
		close(src);
		if (rc < 0)
			return -1;
	}
	uint8_t *blob = xmalloc(sizeof(h) + f->rec.data_len);
	memcpy(blob, &h, sizeof(h));
	if (f->rec.data_len)
		memcpy(blob + sizeof(h), f->data, f->rec.data_len);
	free(f->data);
	f->data = blob;
	f->rec.data_len += (uint32_t)sizeof(h);
	return 0;
}

static bool node_type_known(uint32_t type)
{
	return type == S_IFIFO || type == S_IFDIR || type == S_IFCHR || type == S_IFBLK;
}

static int node_check_saved(const struct fd_image *f)
{
	if (f->rec.kind_flags || !f->path || f->path[0] != '/')
		return ckpt_fail("fd %u: a deleted node needs an absolute path and no flags", f->rec.fd);
	if (!f->rec.data_len)
		return 0; /* a later fd of the node: the first one holds what it was */
	struct ckpt_fd_ghost_node h;
	if (f->rec.data_len < sizeof(h))
		return ckpt_fail("fd %u: the record of a deleted node is truncated", f->rec.fd);
	memcpy(&h, f->data, sizeof(h));
	uint32_t type = h.mode & S_IFMT, queued = f->rec.data_len - (uint32_t)sizeof(h);
	if (!node_type_known(type) || (h.mode & ~(uint32_t)(S_IFMT | 07777)) || h.reserved || h.uid == (uint32_t)-1 ||
	    h.gid == (uint32_t)-1 || (h.rdev && type != S_IFCHR && type != S_IFBLK))
		return ckpt_fail("fd %u: a deleted node has a type, mode, owner, device or fields it cannot have", f->rec.fd);
	if (queued && (type != S_IFIFO || queued > f->rec.pipe_size))
		return ckpt_fail("fd %u: a deleted node holds %u queued bytes, which its type and pipe size (%u) do not allow",
				 f->rec.fd, queued, f->rec.pipe_size);
	return 0;
}

static const char *node_type_name(uint32_t type)
{
	return type == S_IFIFO ? "FIFO" : type == S_IFDIR ? "directory" : type == S_IFCHR ? "char-device" : "block-device";
}

/* The flags ckpt's own first open of a node takes: a FIFO both ends (never blocks, and keeps
 * the queued bytes), a directory to read, a device only as a path (no driver's open). */
static int node_first_flags(uint32_t type)
{
	return type == S_IFIFO ? O_RDWR | O_NONBLOCK : type == S_IFDIR ? O_RDONLY | O_DIRECTORY : O_PATH;
}

/* A node made again from its saved path: at that name when free, else beside it, else in the
 * temporary directory (its old directory may be gone too). */
static int make_node(const char *path, uint32_t pid, uint32_t type, dev_t rdev, const char *target, int open_flags)
{
	char *name = saved_name(path);
	int fd = make_at(name, type, rdev, target, open_flags);
	if (fd < 0) {
		char *dir = dir_of(name);
		fd = make_private(dir, pid, type, rdev, target, open_flags);
		free(dir);
	}
	if (fd < 0) {
		const char *tmp = getenv("TMPDIR");
		fd = make_private(tmp && tmp[0] == '/' ? tmp : "/tmp", pid, type, rdev, target, open_flags);
	}
	free(name);
	return fd;
}

int ghost_make_dir(const char *path, uint32_t pid)
{
	return make_node(path, pid, S_IFDIR, 0, NULL, node_first_flags(S_IFDIR));
}

/* The node that fd holds (a FIFO made or opened by ckpt) opened again with fd f's saved access
 * mode and flags. */
static int reopen_node(int fd, const struct fd_image *f, uint32_t type)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	uint32_t fl = f->rec.open_flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
	if (type == S_IFDIR)
		return open(self, (int)(O_RDONLY | O_DIRECTORY | O_CLOEXEC | (fl & O_PATH)));
	int both = -1;
	if (type == S_IFIFO) {
		/* While both ends are open here, a write-only end opens without blocking. */
		both = open(self, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (both < 0)
			return -1;
		snprintf(self, sizeof(self), "/proc/self/fd/%d", both);
	}
	int r = open(self, (int)(fl | O_NONBLOCK | O_CLOEXEC));
	int saved = errno;
	if (both >= 0)
		close(both);
	if (r >= 0)
		fcntl(r, F_SETFL, (int)(fl & SETFL_MASK));
	errno = saved;
	return r;
}

static int node_open(const struct process_image *p, const struct fd_image *f)
{
	struct ckpt_fd_ghost_node h;
	memcpy(&h, f->data, sizeof(h)); /* the first fd of the node: check_tree said so */
	uint32_t type = h.mode & S_IFMT;
	int made = make_node(f->path, p->rec.pid, type, (dev_t)h.rdev, NULL, node_first_flags(type)), r = -1;
	uint32_t queued = f->rec.data_len - (uint32_t)sizeof(h);
	if (made >= 0 && type == S_IFIFO && f->rec.pipe_size)
		fcntl(made, F_SETPIPE_SZ, (int)f->rec.pipe_size);
	if (made < 0 || (queued && write_all(made, f->data + sizeof(h), queued) < 0) ||
	    (r = reopen_node(made, f, type)) < 0 || set_owner_mode(made, p, f, h.uid, h.gid, h.mode) < 0) {
		ckpt_fail_errno("cannot make deleted %s %u of pid %u (%s) again", node_type_name(type), f->rec.fd, p->rec.pid,
				f->path);
		if (r >= 0)
			close(r);
		r = -1;
	}
	if (made >= 0)
		close(made);
	return r;
}

static int node_open_again(const struct process_image *p, const struct fd_image *f, int made)
{
	struct stat st;
	int r = fstat(made, &st) < 0 ? -1 : reopen_node(made, f, st.st_mode & S_IFMT);
	if (r < 0)
		ckpt_fail_errno("cannot open %s again for fd %u of pid %u", f->path, f->rec.fd, p->rec.pid);
	return r;
}

/* Whether this process may make device nodes (CAP_MKNOD in its effective set). */
static bool can_mknod(void)
{
	char *st = read_proc(getpid(), "status", NULL);
	const char *v = st ? status_field(st, "CapEff") : NULL;
	bool can = v && (strtoull(v, NULL, 16) >> CAP_MKNOD) & 1;
	free(st);
	return can;
}

/* ckpt check, and restart before anything is made: a device node needs CAP_MKNOD to be made again. */
static void node_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *r)
{
	if (!f->rec.data_len)
		return; /* the node's first fd says it */
	struct ckpt_fd_ghost_node h;
	memcpy(&h, f->data, sizeof(h));
	uint32_t type = h.mode & S_IFMT;
	if ((type == S_IFCHR || type == S_IFBLK) && !can_mknod())
		portability_add(r, "open file", PORTABILITY_PROBLEM, xstrdup(f->path),
				xasprintf("is a device node deleted while fd %u of pid %u had it open; restart cannot make "
					  "it again here without CAP_MKNOD",
					  f->rec.fd, p->rec.pid),
				"restart as a user who may make device nodes");
	else
		portability_add(r, "open file", PORTABILITY_OK, xstrdup(f->path),
				xasprintf("a deleted %s: restart makes it again", node_type_name(type)), NULL);
}

static void node_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	if (!f->rec.data_len)
		return;
	struct ckpt_fd_ghost_node h;
	memcpy(&h, f->data, sizeof(h));
	buf_printf(out, " %s, mode %04o, owner %u:%u", node_type_name(h.mode & S_IFMT), h.mode & 07777, h.uid, h.gid);
	if (h.rdev)
		buf_printf(out, ", device %u:%u", major((dev_t)h.rdev), minor((dev_t)h.rdev));
	if (f->rec.data_len > sizeof(h))
		buf_printf(out, ", %u bytes queued", f->rec.data_len - (uint32_t)sizeof(h));
}

static void node_describe_json(const struct fd_image *f, struct json *j)
{
	if (!f->rec.data_len)
		return;
	struct ckpt_fd_ghost_node h;
	memcpy(&h, f->data, sizeof(h));
	json_str(j, "type", node_type_name(h.mode & S_IFMT));
	json_u64(j, "mode", h.mode & 07777);
	if (f->rec.kind_flags & CKPT_GHOST_ATTRS) {
		json_u64(j, "uid", h.uid);
		json_u64(j, "gid", h.gid);
	}
	json_u64(j, "rdev", h.rdev);
	json_u64(j, "queued", f->rec.data_len - sizeof(h));
}

/* ---- symbolic links held by O_PATH fds ---- */

static int symlink_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	(void)fdinfo;
	int fd = take_fd(pid, (int)f->rec.fd);
	if (fd < 0)
		return ckpt_fail_errno("cannot reach fd %u of pid %d (%s)", f->rec.fd, pid, f->path);
	char target[PATH_MAX];
	struct stat st;
	ssize_t n = readlinkat(fd, "", target, sizeof(target));
	int rc = 0;
	if (n <= 0 || n >= (ssize_t)sizeof(target) || fstat(fd, &st) < 0) {
		rc = ckpt_fail_errno("cannot read the symbolic link of fd %u of pid %d (%s)", f->rec.fd, pid, f->path);
	} else {
		f->data = xmalloc((size_t)n);
		memcpy(f->data, target, (size_t)n);
		f->rec.data_len = (uint32_t)n;
		if (st.st_nlink == 0)
			f->rec.kind_flags = CKPT_SYMLINK_DELETED;
	}
	close(fd);
	return rc;
}

static int symlink_check_saved(const struct fd_image *f)
{
	if (!f->path || f->path[0] != '/' || (f->rec.kind_flags & ~CKPT_SYMLINK_DELETED) || !(f->rec.open_flags & O_PATH))
		return ckpt_fail("fd %u: a symbolic link's fd needs an absolute path, O_PATH and known flags", f->rec.fd);
	if (!f->rec.data_len || f->rec.data_len >= PATH_MAX || memchr(f->data, 0, f->rec.data_len))
		return ckpt_fail("fd %u: a symbolic link's target is empty, too long or holds a NUL", f->rec.fd);
	return 0;
}

static int symlink_open(const struct process_image *p, const struct fd_image *f)
{
	char *target = xasprintf("%.*s", (int)f->rec.data_len, (const char *)f->data);
	int fl = O_PATH | O_NOFOLLOW | O_CLOEXEC, fd;
	struct stat st;
	if (f->rec.kind_flags & CKPT_SYMLINK_DELETED) {
		fd = make_node(f->path, p->rec.pid, S_IFLNK, 0, target, fl);
		if (fd < 0)
			ckpt_fail_errno("cannot make deleted symbolic link %u of pid %u (%s) again", f->rec.fd, p->rec.pid,
					f->path);
	} else {
		fd = open(f->path, fl);
		if (fd < 0) {
			ckpt_fail_errno("cannot reopen fd %u of pid %u (%s)", f->rec.fd, p->rec.pid, f->path);
		} else if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
			ckpt_fail("cannot reopen fd %u of pid %u: %s is no longer a symbolic link", f->rec.fd, p->rec.pid, f->path);
			close(fd);
			fd = -1;
		}
	}
	free(target);
	return fd;
}

/* ckpt check, and restart before anything is made: a link that was not deleted must still be one. */
static void symlink_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *r)
{
	struct stat st;
	if (f->rec.kind_flags & CKPT_SYMLINK_DELETED)
		portability_add(r, "open file", PORTABILITY_OK, xstrdup(f->path),
				xstrdup("a deleted symbolic link: restart makes it again"), NULL);
	else if (lstat(f->path, &st) == 0 && S_ISLNK(st.st_mode))
		portability_add(r, "open file", PORTABILITY_OK, xstrdup(f->path), xstrdup("a symbolic link, as when saved"), NULL);
	else
		portability_add(r, "open file", PORTABILITY_PROBLEM, xstrdup(f->path),
				xasprintf("fd %u of pid %u held this symbolic link, which is not one here", f->rec.fd,
					  p->rec.pid),
				"make the link again");
}

static void symlink_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	buf_printf(out, " -> %.*s%s", (int)f->rec.data_len, (const char *)f->data,
		   (f->rec.kind_flags & CKPT_SYMLINK_DELETED) ? " (the link was deleted)" : "");
}

static void symlink_describe_json(const struct fd_image *f, struct json *j)
{
	char *target = xasprintf("%.*s", (int)f->rec.data_len, (const char *)f->data);
	json_str(j, "target", target);
	json_bool(j, "deleted", (f->rec.kind_flags & CKPT_SYMLINK_DELETED) != 0);
	free(target);
}

const struct fd_kind ghost_fd_kind = {
	.kind = CKPT_FD_GHOST,
	.name = "deleted-file",
	.capture = ghost_capture,
	.check_saved = ghost_check_saved,
	.open = ghost_open,
	.open_again = ghost_open_again,
	.capture_tree = ghost_capture_tree,
	.check_tree = ghost_check_tree,
	.check_here = ghost_check_here,
	.describe_text = ghost_describe_text,
	.describe_json = ghost_describe_json,
};

const struct fd_kind memfd_fd_kind = {
	.kind = CKPT_FD_MEMFD,
	.name = "memfd",
	.capture = ghost_capture,
	.check_saved = ghost_check_saved,
	.open = ghost_open,
	.open_again = ghost_open_again,
	.describe_text = ghost_describe_text,
	.describe_json = ghost_describe_json,
};

const struct fd_kind ghost_node_fd_kind = {
	.kind = CKPT_FD_GHOST_NODE,
	.name = "deleted-node",
	.capture = node_capture,
	.check_saved = node_check_saved,
	.open = node_open,
	.open_again = node_open_again,
	.check_here = node_check_here,
	.describe_text = node_describe_text,
	.describe_json = node_describe_json,
};

const struct fd_kind symlink_fd_kind = {
	.kind = CKPT_FD_SYMLINK,
	.name = "symlink",
	.capture = symlink_capture,
	.check_saved = symlink_check_saved,
	.open = symlink_open,
	.check_here = symlink_check_here,
	.describe_text = symlink_describe_text,
	.describe_json = symlink_describe_json,
};
