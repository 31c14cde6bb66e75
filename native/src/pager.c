/* Lazy restart: what restart leaves to the pager, and the pager process itself (pager.h). */
#include "pager.h"
#include "ckpt.h"
#include "inject.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ull
#define BATCH (2ull << 20) /* bytes copied per UFFDIO_COPY in the background */
#define LAZY_MIN_BYTES (4ull << 20) /* smaller mappings are filled at once */

#ifndef SYS_userfaultfd
#define SYS_userfaultfd 323
#endif

/* Page states. */
enum { PG_DATA = 0, PG_HOLE = 1, PG_DONE = 2 };

struct seg {
	uint64_t start, end;    /* current addresses */
	uint64_t file_offset;   /* statefile offset of the page at start */
	uint8_t *state;         /* one per page */
};

struct space {
	int uffd;
	struct seg *segs;
	size_t nsegs, cap;
	bool dead;
};

struct pager {
	int sf;
	struct space *spaces;   /* the last one is the process being restored */
	size_t nspaces, cap;
	uint8_t *buf;
	bool warned;            /* that paging could not be set up */
};

struct pager *pager_new(int statefile_fd)
{
	struct pager *pg = xcalloc(1, sizeof(*pg));
	pg->sf = statefile_fd;
	return pg;
}

static void classify(int sf, struct seg *s)
{
	/* Pages that are holes in the statefile were zero or never touched. */
	size_t n = (s->end - s->start) / PAGE;
	memset(s->state, PG_HOLE, n);
	uint64_t off = s->file_offset, end = s->file_offset + (s->end - s->start);
	uint64_t data, stop;
	for (; off < end && file_next_data(sf, off, end, &data, &stop) > 0; off = stop)
		for (uint64_t o = data & ~(PAGE - 1); o < stop; o += PAGE)
			s->state[(o - s->file_offset) / PAGE] = PG_DATA;
}

static struct seg *find_seg(struct space *sp, uint64_t addr)
{
	for (size_t i = 0; i < sp->nsegs; i++)
		if (addr >= sp->segs[i].start && addr < sp->segs[i].end)
			return &sp->segs[i];
	return NULL;
}

/* Not locked memory, which the program wants resident from the start (and which mlock would
 * fault in through the pager before it runs), nor droppable memory, which userfaultfd refuses. */
bool pager_wants(const struct vma_image *v)
{
	return (v->rec.flags & CKPT_VMA_ANON) && !(v->rec.flags & (CKPT_VMA_SHARED | CKPT_VMA_LOCKED | CKPT_VMA_DROPPABLE)) &&
	       (v->rec.prot & PROT_WRITE) && v->rec.store == CKPT_STORE_FULL && v->rec.stored_bytes >= LAZY_MIN_BYTES;
}

/* The process's own userfaultfd: it belongs to the process's mm, so the process itself creates
 * it; ckpt takes a copy and the process keeps none. */
static int make_uffd(struct inject *in, pid_t outer_pid)
{
	long fd_in_target;
	if (inject_syscall(in, SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0, 0, &fd_in_target) < 0)
		return -1;
	if (fd_in_target < 0) {
		errno = (int)-fd_in_target;
		return ckpt_fail_errno("cannot create a userfaultfd in pid %d", outer_pid);
	}
	int uffd = take_fd(outer_pid, (int)fd_in_target);
	int err = errno;
	long ret;
	inject_syscall(in, SYS_close, (uint64_t)fd_in_target, 0, 0, 0, 0, 0, &ret);
	if (uffd < 0) {
		errno = err;
		return ckpt_fail_errno("cannot reach the userfaultfd of pid %d", outer_pid);
	}
	struct uffdio_api api = {.api = UFFD_API,
				 .features = UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE |
					     UFFD_FEATURE_EVENT_UNMAP};
	if (ioctl(uffd, UFFDIO_API, &api) < 0) {
		close(uffd);
		return ckpt_fail_errno("cannot set up paging for pid %d", outer_pid);
	}
	return uffd;
}

bool pager_open_space(struct pager *pg, struct inject *in, const struct process_image *p, pid_t outer_pid)
{
	bool wanted = false;
	for (size_t k = 0; k < p->nvmas && !wanted; k++)
		wanted = pager_wants(&p->vmas[k]);
	if (!wanted)
		return false;
	int uffd = make_uffd(in, outer_pid);
	if (uffd < 0) {
		if (!pg->warned)
			ckpt_warn("memory is restored eagerly: %s", ckpt_last_error());
		pg->warned = true;
		ckpt_clear_error();
		return false;
	}
	ARR_PUSH(pg->spaces, pg->nspaces, pg->cap)->uffd = uffd;
	return true;
}

/* Marks [start, end) of the open space as already filled. */
static void mark_placed(struct pager *pg, uint64_t start, uint64_t end)
{
	struct space *sp = &pg->spaces[pg->nspaces - 1];
	for (uint64_t a = start & ~(PAGE - 1); a < end; a += PAGE) {
		struct seg *s = find_seg(sp, a);
		if (s)
			s->state[(a - s->start) / PAGE] = PG_DONE;
	}
}

struct addr_range *pager_take(struct pager *pg, const struct process_image *p, const struct vma_image *v, size_t *n)
{
	struct space *sp = &pg->spaces[pg->nspaces - 1];
	struct seg *s = ARR_PUSH(sp->segs, sp->nsegs, sp->cap);
	s->start = v->rec.start;
	s->end = v->rec.end;
	s->file_offset = v->file_offset;
	s->state = xmalloc((s->end - s->start) / PAGE + 1);
	classify(pg->sf, s);

	struct addr_range *now = xmalloc(2 * p->nthreads * sizeof(*now));
	*n = 0;
	for (size_t k = 0; k < p->nthreads; k++) {
		const struct thread_image *t = &p->threads[k];
		uint64_t want[2][2] = {
			{(t->regs.rsp & ~(PAGE - 1)) - (64u << 10), (t->regs.rsp & ~(PAGE - 1)) + (256u << 10)},
			{t->rec.rseq_addr & ~(PAGE - 1), (t->rec.rseq_addr & ~(PAGE - 1)) + PAGE},
		};
		for (int w = 0; w < 2; w++) {
			uint64_t lo = want[w][0] > v->rec.start ? want[w][0] : v->rec.start;
			uint64_t hi = want[w][1] < v->rec.end ? want[w][1] : v->rec.end;
			if (lo >= hi || (w == 1 && !(t->rec.flags & CKPT_THR_RSEQ)))
				continue;
			now[(*n)++] = (struct addr_range){lo, hi};
			mark_placed(pg, lo, hi);
		}
	}
	return now;
}

int pager_commit_space(struct pager *pg)
{
	struct space *sp = &pg->spaces[pg->nspaces - 1];
	for (size_t i = 0; i < sp->nsegs; i++) {
		struct uffdio_register r = {
			.range = {sp->segs[i].start, sp->segs[i].end - sp->segs[i].start},
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};
		if (ioctl(sp->uffd, UFFDIO_REGISTER, &r) < 0)
			return ckpt_fail_errno("cannot register memory for paging");
	}
	return 0;
}

bool pager_empty(const struct pager *pg)
{
	return pg->nspaces == 0;
}

void pager_free(struct pager *pg)
{
	if (!pg)
		return;
	for (size_t i = 0; i < pg->nspaces; i++) {
		for (size_t k = 0; k < pg->spaces[i].nsegs; k++)
			free(pg->spaces[i].segs[k].state);
		free(pg->spaces[i].segs);
		if (pg->spaces[i].uffd >= 0)
			close(pg->spaces[i].uffd);
	}
	free(pg->spaces);
	free(pg->buf);
	free(pg);
}

/* ---- inside the pager process ---- */

static void mark_done(struct seg *s, uint64_t addr, uint64_t len)
{
	for (uint64_t a = addr; a < addr + len; a += PAGE)
		s->state[(a - s->start) / PAGE] = PG_DONE;
}

/* Puts pages [addr, addr+len) of a segment into the process: their bytes from the statefile,
 * or zeros.  Returns 0 when done, 1 when the layout is changing (read events, then retry),
 * -1 when the address space is gone. */
static int place(struct pager *pg, struct space *sp, struct seg *s, uint64_t addr, uint64_t len, bool zero)
{
	while (len) {
		int64_t result;
		int r;
		if (zero) {
			struct uffdio_zeropage z = {.range = {addr, len}};
			r = ioctl(sp->uffd, UFFDIO_ZEROPAGE, &z);
			result = z.zeropage;
		} else {
			if (pread_all(pg->sf, pg->buf, len, (off_t)(s->file_offset + (addr - s->start))) < 0)
				return -1;
			struct uffdio_copy c = {.dst = addr, .src = (uint64_t)(uintptr_t)pg->buf, .len = len};
			r = ioctl(sp->uffd, UFFDIO_COPY, &c);
			result = c.copy;
		}
		if (r == 0) {
			mark_done(s, addr, len);
			return 0;
		}
		int err = errno;
		uint64_t done = result > 0 ? (uint64_t)result : 0;
		mark_done(s, addr, done);
		addr += done;
		len -= done;
		if (err == EEXIST && len) {
			/* That page is there already: skip it. */
			mark_done(s, addr, PAGE);
			addr += PAGE;
			len -= PAGE;
			continue;
		}
		return err == EAGAIN ? 1 : -1;
	}
	return 0;
}

/* Removes [start, end) from the segments of a space (munmap), or marks it dropped. */
static void forget(struct space *sp, uint64_t start, uint64_t end, bool drop_only)
{
	for (size_t i = 0; i < sp->nsegs; i++) {
		struct seg *s = &sp->segs[i];
		uint64_t a = start > s->start ? start : s->start, b = end < s->end ? end : s->end;
		if (a >= b)
			continue;
		/* A dropped page reads as zeros from now on; an unmapped one is no longer ours. */
		for (uint64_t x = a; x < b; x += PAGE)
			s->state[(x - s->start) / PAGE] = PG_DONE;
		(void)drop_only;
	}
}

/* mremap: the pages of [from, from+len) now live at [to, to+len). */
static void remap(struct space *sp, uint64_t from, uint64_t to, uint64_t len)
{
	for (size_t i = 0; i < sp->nsegs; i++) {
		struct seg *s = &sp->segs[i];
		if (from >= s->end || from + len <= s->start)
			continue;
		uint64_t a = from > s->start ? from : s->start, b = from + len < s->end ? from + len : s->end;
		size_t n = (b - a) / PAGE;
		struct seg *m = ARR_PUSH(sp->segs, sp->nsegs, sp->cap);
		s = &sp->segs[i]; /* the array may have moved */
		m->start = to + (a - from);
		m->end = m->start + (b - a);
		m->file_offset = s->file_offset + (a - s->start);
		m->state = xmalloc(n + 1);
		memcpy(m->state, s->state + (a - s->start) / PAGE, n);
		/* The old addresses hold nothing of ours any more. */
		memset(s->state + (a - s->start) / PAGE, PG_DONE, n);
	}
}

static int handle_events(struct pager *pg, struct space *sp)
{
	for (;;) {
		struct uffd_msg msg;
		ssize_t r = read(sp->uffd, &msg, sizeof(msg));
		if (r < 0 && errno == EAGAIN)
			return 0;
		if (r != (ssize_t)sizeof(msg))
			return -1;
		switch (msg.event) {
		case UFFD_EVENT_PAGEFAULT: {
			uint64_t addr = msg.arg.pagefault.address & ~(PAGE - 1);
			struct seg *s = find_seg(sp, addr);
			int rc;
			if (!s) {
				struct uffdio_zeropage z = {.range = {addr, PAGE}};
				rc = ioctl(sp->uffd, UFFDIO_ZEROPAGE, &z) < 0 && errno != EEXIST ? -1 : 0;
			} else {
				uint8_t st = s->state[(addr - s->start) / PAGE];
				if (st == PG_DATA) {
					/* Bring its pending neighbours along: programs touch memory in runs. */
					uint64_t end = addr + PAGE;
					while (end < s->end && end - addr < (256u << 10) && s->state[(end - s->start) / PAGE] == PG_DATA)
						end += PAGE;
					rc = place(pg, sp, s, addr, end - addr, false);
				} else {
					rc = place(pg, sp, s, addr, PAGE, true);
				}
			}
			if (rc < 0)
				return -1;
			break;
		}
		case UFFD_EVENT_REMOVE:
			forget(sp, msg.arg.remove.start, msg.arg.remove.end, true);
			break;
		case UFFD_EVENT_UNMAP:
			forget(sp, msg.arg.remove.start, msg.arg.remove.end, false);
			break;
		case UFFD_EVENT_REMAP:
			remap(sp, msg.arg.remap.from, msg.arg.remap.to, msg.arg.remap.len);
			break;
		case UFFD_EVENT_FORK: {
			/* The child has the pages the parent had; the rest it gets from us too. */
			struct space *child = ARR_PUSH(pg->spaces, pg->nspaces, pg->cap);
			sp = NULL; /* the array may have moved; the caller re-reads */
			child->uffd = (int)msg.arg.fork.ufd;
			return 2;
		}
		}
	}
}

/* The first pending data page, or 0. */
static int next_pending(struct space *sp, struct seg **out, uint64_t *addr, uint64_t *len)
{
	for (size_t i = 0; i < sp->nsegs; i++) {
		struct seg *s = &sp->segs[i];
		size_t n = (s->end - s->start) / PAGE;
		for (size_t p = 0; p < n; p++) {
			if (s->state[p] != PG_DATA)
				continue;
			size_t q = p + 1;
			while (q < n && s->state[q] == PG_DATA && (q - p) * PAGE < BATCH)
				q++;
			*out = s;
			*addr = s->start + p * PAGE;
			*len = (q - p) * PAGE;
			return 1;
		}
	}
	return 0;
}

static void unregister_all(struct space *sp)
{
	for (size_t i = 0; i < sp->nsegs; i++) {
		struct uffdio_range r = {sp->segs[i].start, sp->segs[i].end - sp->segs[i].start};
		ioctl(sp->uffd, UFFDIO_UNREGISTER, &r);
	}
}

static void copy_segments(struct space *to, const struct space *from)
{
	for (size_t i = 0; i < from->nsegs; i++) {
		struct seg *s = ARR_PUSH(to->segs, to->nsegs, to->cap);
		*s = from->segs[i];
		size_t n = (s->end - s->start) / PAGE;
		s->state = xmalloc(n + 1);
		memcpy(s->state, from->segs[i].state, n);
	}
}

static void pager_main(struct pager *pg) __attribute__((noreturn));
static void pager_main(struct pager *pg)
{
	pg->buf = xmalloc(BATCH);
	/* CKPT_TEST_SLOW_PAGER keeps pages missing for longer, so tests see the pager at work. */
	bool slow = getenv("CKPT_TEST_SLOW_PAGER") != NULL;
	for (;;) {
		bool any = false;
		for (size_t i = 0; i < pg->nspaces; i++) {
			struct space *sp = &pg->spaces[i];
			if (sp->dead)
				continue;
			int ev = handle_events(pg, sp);
			if (ev == 2) {
				/* A fork: the child's space starts as a copy of the parent's. */
				copy_segments(&pg->spaces[pg->nspaces - 1], &pg->spaces[i]);
				sp = &pg->spaces[i];
			}
			if (ev < 0) {
				sp->dead = true;
				continue;
			}
			struct seg *s;
			uint64_t addr, len;
			if (next_pending(sp, &s, &addr, &len)) {
				any = true;
				if (slow)
					usleep(20000);
				if (place(pg, sp, s, addr, len, false) < 0)
					sp->dead = true;
			} else {
				/* Everything is in place: plain anonymous memory from now on. */
				unregister_all(sp);
				close(sp->uffd);
				sp->dead = true;
			}
		}
		if (!any) {
			bool live = false;
			for (size_t i = 0; i < pg->nspaces; i++)
				live |= !pg->spaces[i].dead;
			if (!live)
				_exit(0);
		}
	}
}

pid_t pager_start(struct pager *pg)
{
	int statefile_fd = pg->sf;
	pid_t pid = fork();
	if (pid == 0) {
		/* Free of the terminal and of ckpt's stdio and pipes: it may outlive ckpt, and a pipe
		 * end kept here would never let the program see EOF. */
		setsid();
		prctl(PR_SET_NAME, "ckpt-pager");
		int null = open("/dev/null", O_RDWR);
		for (int i = 0; i < 3; i++)
			dup2(null, i);
		for (int fd = 3; fd < 65536; fd++) {
			bool keep = fd == statefile_fd;
			for (size_t i = 0; i < pg->nspaces; i++)
				keep |= fd == pg->spaces[i].uffd;
			if (!keep)
				close(fd);
		}
		signal(SIGPIPE, SIG_IGN);
		pager_main(pg);
	}
	for (size_t i = 0; i < pg->nspaces; i++) {
		close(pg->spaces[i].uffd);
		pg->spaces[i].uffd = -1;
	}
	if (pid < 0)
		return ckpt_fail_errno("cannot start the pager");
	return pid;
}
