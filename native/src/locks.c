/*
 * File locks: flock, POSIX record and OFD locks of a process, captured from fdinfo, checked,
 * taken again at restart and described (locks.h).  A lock that a process outside the tree
 * holds by now cannot be taken: the restart is refused in one line naming the file.  Leases
 * (F_SETLEASE) are kept with the locks; a write lease being broken to a read lease is broken
 * again at restart, from the process itself (a lease being broken to none is not kept).
 */
#include "locks.h"
#include "notes.h"
#include "remote.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_LOCKS (1u << 20)

static const char *const kind_names[] = {"?", "flock", "posix", "ofd", "lease"};

/* The kinds of fd that restart reopens from a path: those whose locks it can take again. */
static bool lockable_kind(uint32_t kind)
{
	return kind == CKPT_FD_REG || kind == CKPT_FD_DIR || kind == CKPT_FD_CHR || kind == CKPT_FD_BLK ||
	       kind == CKPT_FD_FIFO;
}

/* flock locks and leases: of the whole file, and of the open file description. */
static bool whole_file(uint32_t kind)
{
	return kind == CKPT_LOCK_FLOCK || kind == CKPT_LOCK_LEASE;
}

/* ---- capture ---- */

static bool same_lock(const struct ckpt_rec_lock *a, const struct ckpt_rec_lock *b)
{
	return a->kind == b->kind && a->type == b->type && a->start == b->start && a->end == b->end;
}

/* One "lock:" line of fdinfo: "1: FLOCK  ADVISORY  WRITE 9193 fe:00:2147203 0 EOF".  A lease
 * shows ACTIVE or BREAKING in place of the mode, and while it is broken, the type it is being
 * broken to (UNLCK: none). */
static int parse_lock_line(const char *v, pid_t pid, const struct fd_image *f, struct process_image *p)
{
	char kind[16], mode[16], type[16], end[24];
	int owner;
	unsigned long long start;
	if (sscanf(v, "%*d: %15s %15s %15s %d %*s %llu %23s", kind, mode, type, &owner, &start, end) != 6)
		return ckpt_fail("pid %d: fd %u shows a lock in a form ckpt does not know", pid, f->rec.fd);
	struct ckpt_rec_lock l = {.fd = f->rec.fd, .start = start};
	if (strcmp(kind, "FLOCK") == 0) {
		l.kind = CKPT_LOCK_FLOCK;
	} else if (strcmp(kind, "POSIX") == 0) {
		l.kind = CKPT_LOCK_POSIX;
	} else if (strcmp(kind, "OFDLCK") == 0) {
		l.kind = CKPT_LOCK_OFD;
	} else if (strcmp(kind, "LEASE") == 0 && f->rec.kind == CKPT_FD_REG) {
		l.kind = CKPT_LOCK_LEASE;
		if (strcmp(type, "UNLCK") == 0)
			return 0; /* being broken to none: the process would have given it up */
		/* Only a write lease is broken to a read one. */
		if (strcmp(mode, "BREAKING") == 0)
			l.flags = CKPT_LOCK_BREAKING;
	} else {
		ckpt_warn("pid %d holds a %s on %s (fd %u); restart does not take it again", pid, kind,
			  f->path ? f->path : "?", f->rec.fd);
		return 0;
	}
	if (strcmp(type, "READ") == 0)
		l.type = CKPT_LOCK_READ;
	else if (strcmp(type, "WRITE") == 0)
		l.type = CKPT_LOCK_WRITE;
	else
		return ckpt_fail("pid %d: fd %u shows a %s lock of type %s, which ckpt does not know", pid, f->rec.fd, kind, type);
	l.end = strcmp(end, "EOF") == 0 ? CKPT_LOCK_EOF : strtoull(end, NULL, 10);
	if (!lockable_kind(f->rec.kind)) {
		ckpt_warn("pid %d holds a %s lock on fd %u (%s), which restart does not reopen; the lock is not kept", pid,
			  kind_names[l.kind], f->rec.fd, f->path ? f->path : "?");
		return 0;
	}
	/* A POSIX lock shows on every fd of the process that shares its description. */
	for (size_t i = 0; i < p->nlocks; i++) {
		const struct fd_image *g = NULL;
		for (size_t k = 0; k < p->nfds && !g; k++)
			if (p->fds[k].rec.fd == p->locks[i].fd)
				g = &p->fds[k];
		if (l.kind == CKPT_LOCK_POSIX && same_lock(&p->locks[i], &l) && g && g->rec.dev == f->rec.dev &&
		    g->rec.ino == f->rec.ino)
			return 0;
	}
	*ARR_PUSH(p->locks, p->nlocks, p->cap_locks) = l;
	return 0;
}

int locks_capture(pid_t pid, struct process_image *p)
{
	for (size_t k = 0; k < p->nfds; k++) {
		const struct fd_image *f = &p->fds[k];
		if (f->rec.kind == CKPT_FD_PIPE || f->rec.kind == CKPT_FD_SOCKET)
			continue;
		char what[64];
		snprintf(what, sizeof(what), "fdinfo/%u", f->rec.fd);
		char *info = read_proc(pid, what, NULL);
		if (!info)
			continue; /* closed meanwhile: only a racing close, the process is stopped */
		int rc = 0;
		for (char *l = info; l && *l && rc == 0;) {
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = 0;
			if (strncmp(l, "lock:", 5) == 0)
				rc = parse_lock_line(l + 5 + strspn(l + 5, " \t"), pid, f, p);
			l = nl ? nl + 1 : NULL;
		}
		free(info);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static const struct fd_image *fd_of(const struct process_image *p, uint32_t fd)
{
	for (size_t k = 0; k < p->nfds; k++)
		if (p->fds[k].rec.fd == fd)
			return &p->fds[k];
	return NULL;
}

void locks_capture_tree(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		size_t kept = 0;
		for (size_t n = 0; n < p->nlocks; n++) {
			const struct ckpt_rec_lock *l = &p->locks[n];
			const struct fd_image *f = fd_of(p, l->fd);
			bool seen = false;
			/* flock and OFD locks belong to the description: once, on its first fd in the tree. */
			for (size_t j = 0; j <= i && !seen && l->kind != CKPT_LOCK_POSIX && f; j++) {
				const struct process_image *q = &img->procs[j];
				size_t upto = j == i ? kept : q->nlocks;
				for (size_t m = 0; m < upto && !seen; m++) {
					const struct fd_image *g = fd_of(q, q->locks[m].fd);
					seen = g && g->rec.desc == f->rec.desc && same_lock(&q->locks[m], l);
				}
			}
			if (!seen)
				p->locks[kept++] = *l;
		}
		p->nlocks = kept;
	}
}

void locks_write_note(struct buf *notes, const struct process_image *p)
{
	if (!p->nlocks)
		return;
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_lock));
	for (size_t i = 0; i < p->nlocks; i++)
		tw_add(&tw, &p->locks[i]);
	tw_emit(&tw, notes, CKPT_NT_LOCKS);
}

/* ---- reading a statefile ---- */

int locks_parse_note(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_lock), MAX_LOCKS, &t) < 0)
		return -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct ckpt_rec_lock *l = ARR_PUSH(p->locks, p->nlocks, p->cap_locks);
		table_rec(&t, i, l, sizeof(*l));
		if (l->kind < CKPT_LOCK_FLOCK || l->kind > CKPT_LOCK_LEASE || (l->type != CKPT_LOCK_READ && l->type != CKPT_LOCK_WRITE))
			return ckpt_fail("lock %u of pid %u has an unknown kind %u or type %u", i, p->rec.pid, l->kind, l->type);
		if (l->flags & ~CKPT_LOCK_BREAKING ||
		    (l->flags && (l->kind != CKPT_LOCK_LEASE || l->type != CKPT_LOCK_READ)))
			return ckpt_fail("lock %u of pid %u has flags 0x%x, which only a read lease being broken may have", i,
					 p->rec.pid, l->flags);
		/* Ranges as fcntl takes them: offsets below 2^63, start before end. */
		if (l->start > l->end || l->start >= (1ull << 63) || (l->end != CKPT_LOCK_EOF && l->end >= (1ull << 63)) ||
		    (whole_file(l->kind) && (l->start || l->end != CKPT_LOCK_EOF)))
			return ckpt_fail("lock %u of pid %u covers a range no lock can (%llu to %llu)", i, p->rec.pid,
					 (unsigned long long)l->start, (unsigned long long)l->end);
	}
	return 0;
}

int locks_check_image(const struct process_image *p)
{
	for (size_t i = 0; i < p->nlocks; i++) {
		const struct ckpt_rec_lock *l = &p->locks[i];
		const struct fd_image *f = fd_of(p, l->fd);
		if (!f || !lockable_kind(f->rec.kind))
			return ckpt_fail("a lock of pid %u is held through fd %u, which is not a file it has open", p->rec.pid,
					 l->fd);
		if (l->kind == CKPT_LOCK_LEASE && f->rec.kind != CKPT_FD_REG)
			return ckpt_fail("pid %u holds a lease through fd %u, which is not a regular file", p->rec.pid, l->fd);
		int acc = f->rec.open_flags & O_ACCMODE;
		bool may = whole_file(l->kind) ||
			   (l->type == CKPT_LOCK_READ ? acc == O_RDONLY || acc == O_RDWR : acc == O_WRONLY || acc == O_RDWR);
		if (!may)
			return ckpt_fail("pid %u holds a %s lock through fd %u, which is not open for %s", p->rec.pid,
					 l->type == CKPT_LOCK_READ ? "read" : "write", l->fd,
					 l->type == CKPT_LOCK_READ ? "reading" : "writing");
	}
	return 0;
}

/* ---- restart ---- */

/*
 * A write lease being broken to a read one: the process opens its own file for reading, which
 * begins the break (O_NONBLOCK: the open fails at once).  The kernel tells the fd's owner that
 * the break began; nobody owns the fd meanwhile, so the program gets no signal for it.
 */
static int break_lease(struct inject *in, const struct process_image *p, const struct ckpt_rec_lock *l)
{
	struct f_owner_ex owner;
	char self[32];
	int n = snprintf(self, sizeof(self), "/proc/self/fd/%u", l->fd) + 1;
	long ret, opened = 0;
	if (inject_syscall(in, SYS_fcntl, l->fd, F_GETOWN_EX, in->scratch, 0, 0, 0, &ret) < 0 || ret < 0 ||
	    remote_read(in->tid, in->scratch, &owner, sizeof(owner)) < 0 ||
	    inject_syscall(in, SYS_fcntl, l->fd, F_SETOWN, 0, 0, 0, 0, &ret) < 0 || ret < 0 ||
	    remote_write(in->tid, in->scratch, self, (size_t)n) < 0 ||
	    inject_syscall(in, SYS_openat, (uint64_t)AT_FDCWD, in->scratch, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0, 0, 0,
			   &opened) < 0 ||
	    remote_write(in->tid, in->scratch, &owner, sizeof(owner)) < 0 ||
	    inject_syscall(in, SYS_fcntl, l->fd, F_SETOWN_EX, in->scratch, 0, 0, 0, &ret) < 0)
		return ckpt_fail("cannot break the lease of pid %u on fd %u again", p->rec.pid, l->fd);
	if (opened >= 0) {
		inject_syscall(in, SYS_close, (uint64_t)opened, 0, 0, 0, 0, 0, &ret);
		return ckpt_fail("cannot break the lease of pid %u on fd %u again: the file opened without a break",
				 p->rec.pid, l->fd);
	}
	if (opened != -EWOULDBLOCK || ret < 0) {
		errno = (int)-(opened != -EWOULDBLOCK ? opened : ret);
		return ckpt_fail_errno("cannot break the lease of pid %u on fd %u again", p->rec.pid, l->fd);
	}
	return 0;
}

int locks_restore(struct inject *in, const struct process_image *p)
{
	for (size_t i = 0; i < p->nlocks; i++) {
		const struct ckpt_rec_lock *l = &p->locks[i];
		const struct fd_image *f = fd_of(p, l->fd);
		const char *path = f && f->path ? f->path : "?";
		long ret;
		if (l->kind == CKPT_LOCK_FLOCK) {
			int op = (l->type == CKPT_LOCK_WRITE ? LOCK_EX : LOCK_SH) | LOCK_NB;
			if (inject_syscall(in, SYS_flock, l->fd, (uint64_t)op, 0, 0, 0, 0, &ret) < 0)
				return -1;
		} else if (l->kind == CKPT_LOCK_LEASE) {
			bool writes = l->type == CKPT_LOCK_WRITE || (l->flags & CKPT_LOCK_BREAKING);
			if (inject_syscall(in, SYS_fcntl, l->fd, F_SETLEASE, writes ? F_WRLCK : F_RDLCK, 0, 0, 0, &ret) < 0)
				return -1;
			if (ret == -EAGAIN)
				return ckpt_fail("cannot restart: %s is open elsewhere by now, which the %s lease of pid %u "
						 "(fd %u) does not allow", path, writes ? "write" : "read", p->rec.pid, l->fd);
			if (ret == 0 && (l->flags & CKPT_LOCK_BREAKING) && break_lease(in, p, l) < 0)
				return -1;
		} else {
			struct flock fl = {.l_type = l->type == CKPT_LOCK_WRITE ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET,
					   .l_start = (off_t)l->start,
					   .l_len = l->end == CKPT_LOCK_EOF ? 0 : (off_t)(l->end - l->start + 1)};
			if (remote_write(in->tid, in->scratch, &fl, sizeof(fl)) < 0 ||
			    inject_syscall(in, SYS_fcntl, l->fd, l->kind == CKPT_LOCK_OFD ? F_OFD_SETLK : F_SETLK, in->scratch, 0, 0,
					   0, &ret) < 0)
				return -1;
		}
		if (l->kind != CKPT_LOCK_LEASE && (ret == -EAGAIN || ret == -EACCES))
			return ckpt_fail("cannot restart: another process holds a lock on %s, where pid %u held a %s %s lock "
					 "(fd %u)", path, p->rec.pid, kind_names[l->kind], l->type == CKPT_LOCK_WRITE ? "write" : "read",
					 l->fd);
		if (ret < 0) {
			errno = (int)-ret;
			return ckpt_fail_errno("cannot take the %s lock of pid %u on %s again", kind_names[l->kind], p->rec.pid, path);
		}
	}
	return 0;
}

/* ---- ckpt info ---- */

static void range_text(char *out, size_t n, const struct ckpt_rec_lock *l)
{
	if (l->end == CKPT_LOCK_EOF)
		snprintf(out, n, "%llu-EOF", (unsigned long long)l->start);
	else
		snprintf(out, n, "%llu-%llu", (unsigned long long)l->start, (unsigned long long)l->end);
}

void locks_describe(struct buf *b, const struct process_image *p)
{
	if (!p->nlocks)
		return;
	buf_printf(b, "  Locks:    %zu\n", p->nlocks);
	for (size_t i = 0; i < p->nlocks; i++) {
		const struct ckpt_rec_lock *l = &p->locks[i];
		const struct fd_image *f = fd_of(p, l->fd);
		char range[48];
		range_text(range, sizeof(range), l);
		buf_printf(b, "    %-4u %-5s %-5s %-20s %s%s\n", l->fd, kind_names[l->kind], l->type == CKPT_LOCK_WRITE ? "write" : "read",
			   whole_file(l->kind) ? "whole file" : range, f && f->path ? f->path : "?",
			   l->flags & CKPT_LOCK_BREAKING ? " (a write lease being broken to read)" : "");
	}
}

void locks_json(struct json *j, const struct process_image *p)
{
	json_array_begin(j, "locks");
	for (size_t i = 0; i < p->nlocks; i++) {
		const struct ckpt_rec_lock *l = &p->locks[i];
		const struct fd_image *f = fd_of(p, l->fd);
		json_object_begin(j, NULL);
		json_u64(j, "fd", l->fd);
		json_str(j, "kind", kind_names[l->kind]);
		json_str(j, "type", l->type == CKPT_LOCK_WRITE ? "write" : "read");
		json_bool(j, "breaking", l->flags & CKPT_LOCK_BREAKING);
		json_u64(j, "start", l->start);
		if (l->end == CKPT_LOCK_EOF)
			json_null(j, "end");
		else
			json_u64(j, "end", l->end);
		json_str(j, "path", f ? f->path : NULL);
		json_object_end(j);
	}
	json_array_end(j);
}
