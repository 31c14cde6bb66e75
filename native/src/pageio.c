/*
 * Page I/O at capture: the contents of a process's stored mappings written into the
 * statefile at the offsets laid out for them, sparsely, with unchanged pages copied from a
 * parent statefile, read from the process itself or from a copy-on-write clone (pageio.h),
 * and the pages of a read-only file mapping that the process did not change from its file.
 */
#include "pageio.h"
#include "inject.h"
#include "pagescan.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096ull
#define CHUNK (8ull << 20) /* bytes read from the target per process_vm_readv */

uint64_t pageio_estimate(const struct process_image *p)
{
	uint64_t t = 0;
	for (size_t i = 0; i < p->nvmas; i++)
		t += p->vmas[i].file_size;
	return t;
}

static bool page_is_zero(const uint8_t *p)
{
	/* Most pages of a program hold data early on: stop at the first non-zero block. */
	const uint64_t *w = (const uint64_t *)p;
	for (size_t i = 0; i < PAGE / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	return true;
}

static void apply_patches(const struct ckpt_capture_options *o, uint64_t addr, uint8_t *buf, uint64_t len)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->npatches; i++) {
		const struct ckpt_patch *pt = &o->patches[i];
		for (uint32_t k = 0; k < pt->len && k < sizeof(pt->bytes); k++)
			if (pt->addr + k >= addr && pt->addr + k < addr + len)
				buf[pt->addr + k - addr] = pt->bytes[k];
	}
}

/* CKPT_TEST_SLOW_WRITE makes the memory pass slow enough for tests to interrupt it. */
static int slow_for_tests;

static void report(struct pageio_progress *prog, uint64_t bytes)
{
	prog->done += bytes;
	if (prog->opts && prog->opts->progress)
		prog->opts->progress(prog->opts->progress_arg, prog->done, prog->total);
}

/* Where memory is read from.  A clone's pages are shared copy-on-write with the running
 * process, and process_vm_readv pins pages, which makes the kernel copy every shared one:
 * clones are read through /proc/PID/mem, which does not. */
struct page_reader {
	pid_t pid;
	int memfd;   /* /proc/PID/mem, or -1: process_vm_readv */
	int pagemap; /* /proc/PID/pagemap */
};

static int reader_read(const struct page_reader *rd, uint64_t addr, void *buf, size_t len, bool force)
{
	if (rd->memfd >= 0)
		return pread_all(rd->memfd, buf, len, (off_t)addr);
	return force ? remote_read_force(rd->pid, addr, buf, len) : remote_try_read(rd->pid, addr, buf, len);
}

/* copy_file_range until done; returns the bytes it could not copy (0: all). */
static uint64_t copy_file_bytes(int in_fd, uint64_t in_off, int out_fd, uint64_t out_off, uint64_t len)
{
	loff_t in = (loff_t)in_off, out = (loff_t)out_off;
	while (len) {
		ssize_t n = copy_file_range(in_fd, &in, out_fd, &out, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len -= (uint64_t)n;
	}
	return len;
}

/* Copies [poff, poff+len) of the parent statefile to [off, off+len) of ours; falls back to
 * writing buf when the file systems cannot. */
static int copy_from_parent(int pfd, uint64_t poff, int fd, uint64_t off, uint64_t len, const uint8_t *buf)
{
	uint64_t left = copy_file_bytes(pfd, poff, fd, off, len);
	return left ? pwrite_all(fd, buf + (len - left), left, (off_t)(off + len - left)) : 0;
}

/* Stores n bytes of pages read from the process at off in the statefile, in runs of pages of
 * one kind: zero (a hole, when `sparse`), the same as pbuf (the parent's copy at poff, when
 * given: copied from it), or new. */
static int store_pages(int fd, uint64_t off, const uint8_t *buf, uint64_t n, bool sparse, const uint8_t *pbuf,
		       uint64_t poff, struct pageio_progress *prog, uint64_t *stored)
{
	for (uint64_t i = 0; i < n;) {
		if (sparse && page_is_zero(buf + i)) {
			i += PAGE;
			continue;
		}
		bool same = pbuf && memcmp(buf + i, pbuf + i, PAGE) == 0;
		uint64_t j = i + PAGE;
		while (j < n && !(sparse && page_is_zero(buf + j)) && (pbuf && memcmp(buf + j, pbuf + j, PAGE) == 0) == same)
			j += PAGE;
		int w = same ? copy_from_parent(prog->parent->fd, poff + i, fd, off + i, j - i, buf + i)
			     : pwrite_all(fd, buf + i, j - i, (off_t)(off + i));
		if (w < 0)
			return ckpt_fail_errno("cannot write the statefile");
		if (same)
			prog->from_parent += j - i;
		*stored += j - i;
		i = j;
	}
	report(prog, n);
	return 0;
}

/* Writes [addr, addr+len) of a mapping; zero pages become holes when `sparse`. */
static int copy_range(const struct page_reader *rd, int fd, const struct vma_image *v, uint64_t addr, uint64_t len,
		      bool sparse, bool force, uint8_t *buf, uint8_t *pbuf, int64_t parent_off, struct pageio_progress *prog,
		      uint64_t *stored)
{
	while (len) {
		if (check_interrupted() < 0)
			return -1;
		uint64_t n = len > CHUNK ? CHUNK : len;
		int r = reader_read(rd, addr, buf, n, force);
		if (r < 0 && !force) {
			/* Some page cannot be read (a file mapping beyond the end of its file, say):
			 * read page by page and keep what cannot be read as zeros, as the program would
			 * fault on it anyway. */
			for (uint64_t o = 0; o < n; o += PAGE)
				if (reader_read(rd, addr + o, buf + o, PAGE, false) < 0)
					memset(buf + o, 0, PAGE);
			r = 0;
		}
		if (r < 0)
			return -1;
		apply_patches(prog->opts, addr, buf, n);
		if (slow_for_tests)
			usleep(20000);
		uint64_t off = v->file_offset + (addr - v->rec.start);
		uint64_t poff = parent_off >= 0 ? (uint64_t)parent_off + (addr - v->rec.start) : 0;
		bool have_parent = parent_off >= 0 && pread_all(prog->parent->fd, pbuf, n, (off_t)poff) == 0;
		if (store_pages(fd, off, buf, n, sparse, have_parent ? pbuf : NULL, poff, prog, stored) < 0)
			return -1;
		addr += n;
		len -= n;
	}
	return 0;
}

/* The parent's copy of a mapping: the same range, stored in full the same way. */
static const struct vma_image *parent_vma(const struct pageio_progress *prog, const struct process_image *p,
					  const struct vma_image *v)
{
	if (!prog->parent)
		return NULL;
	const struct process_image *pp = NULL;
	for (size_t i = 0; i < prog->parent->img.nprocs && !pp; i++)
		if (prog->parent->img.procs[i].rec.pid == p->rec.pid)
			pp = &prog->parent->img.procs[i];
	if (!pp)
		return NULL;
	for (size_t i = 0; i < pp->nvmas; i++) {
		const struct vma_image *w = &pp->vmas[i];
		if (w->rec.start == v->rec.start && w->rec.end == v->rec.end && w->rec.store == v->rec.store &&
		    w->file_size == v->file_size && (w->rec.flags & CKPT_VMA_ANON) == (v->rec.flags & CKPT_VMA_ANON))
			return w;
	}
	return NULL;
}

/* Anonymous memory: only populated pages are read, and zero pages are holes. */
struct populated_copy {
	const struct page_reader *rd;
	int fd;
	const struct vma_image *v;
	bool force;
	uint8_t *buf, *pbuf;
	int64_t poff;
	struct pageio_progress *prog;
	uint64_t *stored;
};

static int copy_run(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	(void)cat;
	struct populated_copy *c = arg;
	return copy_range(c->rd, c->fd, c->v, start, end - start, true, c->force, c->buf, c->pbuf, c->poff, c->prog,
			  c->stored);
}

/* A private mapping of a memory object: only the pages it changed, its own copies, and those
 * even when zero (a hole would bring the object's page back). */
static int copy_own_run(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	struct populated_copy *c = arg;
	if (!(cat & PAGE_IS_SWAPPED) && (cat & PAGE_IS_FILE))
		return 0;
	return copy_range(c->rd, c->fd, c->v, start, end - start, false, c->force, c->buf, c->pbuf, c->poff, c->prog,
			  c->stored);
}

static int write_populated(const struct page_reader *rd, int fd, const struct vma_image *v, uint64_t from, uint64_t to,
			   bool force, uint8_t *buf, uint8_t *pbuf, int64_t poff, struct pageio_progress *prog, uint64_t *stored)
{
	struct populated_copy c = {rd, fd, v, force, buf, pbuf, poff, prog, stored};
	int (*copy)(void *, uint64_t, uint64_t, uint64_t) = v->rec.store == CKPT_STORE_COW ? copy_own_run : copy_run;
	return pagemap_for_each_populated(rd->pagemap, rd->pid, from, to, copy, &c) < 0 ? -1 : 0;
}

/* Copies [poff, poff+len) of the parent statefile to off in ours, holes as holes: by sharing
 * extents in one call where the file system can, else data extent by data extent. */
static int copy_unchanged(struct pageio_progress *prog, uint64_t poff, int fd, uint64_t off, uint64_t len)
{
	int pfd = prog->parent->fd;
	struct file_clone_range whole = {.src_fd = pfd, .src_offset = poff, .src_length = len, .dest_offset = off};
	if (ioctl(fd, FICLONERANGE, &whole) < 0) {
		uint64_t start, stop;
		for (uint64_t at = poff; at < poff + len; at = stop) {
			if (check_interrupted() < 0)
				return -1;
			int r = file_next_data(pfd, at, poff + len, &start, &stop);
			if (r < 0)
				return ckpt_fail_errno("cannot read the parent statefile");
			if (r == 0)
				break;
			if (copy_file_bytes(pfd, start, fd, off + (start - poff), stop - start))
				return ckpt_fail_errno("cannot copy from the parent statefile");
		}
	}
	report(prog, len);
	return 0;
}

/* Bytes of data (not holes) in [off, off+len) of a file. */
static uint64_t data_bytes(int fd, uint64_t off, uint64_t len)
{
	uint64_t n = 0, start, stop;
	for (uint64_t at = off; at < off + len && file_next_data(fd, at, off + len, &start, &stop) > 0; at = stop)
		n += stop - start;
	return n;
}

/* The pages of a tracked mapping (memtrack.h) that were not written since the parent: the
 * parent's copy pv of them. */
static int copy_unwritten(struct pageio_progress *prog, int fd, const struct vma_image *v, const struct vma_image *pv,
			  uint64_t *stored)
{
	const struct ckpt_rec_vma *r = &v->rec;
	uint64_t poff = pv->file_offset, shared = pv->rec.stored_bytes;
	for (size_t w = 0; w < v->nwritten; w++) {
		uint64_t gone = data_bytes(prog->parent->fd, poff + (v->written[w].start - r->start),
					   v->written[w].end - v->written[w].start);
		shared = gone < shared ? shared - gone : 0;
	}
	uint64_t a = r->start;
	for (size_t w = 0; w <= v->nwritten; w++) {
		uint64_t ws = w < v->nwritten ? v->written[w].start : r->end;
		if (a < ws && copy_unchanged(prog, poff + (a - r->start), fd, v->file_offset + (a - r->start), ws - a) < 0)
			return -1;
		a = w < v->nwritten ? v->written[w].end : r->end;
	}
	prog->from_parent += shared;
	*stored += shared;
	return 0;
}

/* A tracked mapping: its written pages are read, the rest is the parent's copy. */
static int write_tracked(const struct page_reader *rd, int fd, const struct vma_image *v, const struct vma_image *pv,
			 bool force, uint8_t *buf, uint8_t *pbuf, struct pageio_progress *prog, uint64_t *stored)
{
	if (copy_unwritten(prog, fd, v, pv, stored) < 0)
		return -1;
	/* Written pages rarely match the parent's: no comparing them. */
	for (size_t w = 0; w < v->nwritten; w++)
		if (write_populated(rd, fd, v, v->written[w].start, v->written[w].end, force, buf, pbuf, -1, prog, stored) < 0)
			return -1;
	return 0;
}

/* Mappings PAGEIO_HOLD reads into memory: what a clone would serve and process_vm_readv can
 * read (not PROT_NONE). */
static bool clone_can_serve(const struct ckpt_rec_vma *v);

static bool holdable(const struct vma_image *v)
{
	return clone_can_serve(&v->rec) && (v->rec.prot & PROT_READ);
}

/* Whether only a mapping's written pages are held: a tracked one, with the parent's copy for
 * the rest. */
static bool only_written(const struct pageio_progress *prog, const struct process_image *p, const struct vma_image *v)
{
	return v->tracked && parent_vma(prog, p, v);
}

static void add_run(struct held_vma *h, uint64_t start, uint64_t end)
{
	if (h->nruns && h->runs[h->nruns - 1].end == start)
		h->runs[h->nruns - 1].end = end;
	else
		*ARR_PUSH(h->runs, h->nruns, h->cap_runs) = (struct addr_range){start, end};
	h->bytes += end - start;
}

static int add_populated_run(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	(void)cat;
	add_run(arg, start, end);
	return 0;
}

static int add_changed_file_run(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	if ((cat & PAGE_IS_SWAPPED) || !(cat & PAGE_IS_FILE))
		add_run(arg, start, end);
	return 0;
}

/* Whether fd is still the regular file the capture recorded: same device, inode, size and
 * modification time. */
static bool same_file(int fd, const struct file_image *f)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == f->rec.dev && st.st_ino == f->rec.ino &&
	       (uint64_t)st.st_size == f->rec.size && (int64_t)st.st_mtim.tv_sec == f->rec.mtime_sec &&
	       (uint32_t)st.st_mtim.tv_nsec == f->rec.mtime_nsec;
}

/* The file that a read-only private file mapping maps (a library's code, which a debugger's
 * breakpoint made partly the process's own), opened for reading when it is still the file the
 * capture recorded; -1 otherwise, and for a writable mapping, whose file pages the program
 * could change once it runs again. */
static int open_mapped_file(const struct process_image *p, const struct vma_image *v)
{
	if ((v->rec.prot & PROT_WRITE) || v->rec.file == CKPT_NO_INDEX || v->rec.file >= p->nfiles ||
	    (v->rec.flags & CKPT_VMA_DELETED) || !S_ISREG(p->files[v->rec.file].rec.mode))
		return -1;
	const struct file_image *f = &p->files[v->rec.file];
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0 && !same_file(fd, f)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Finds the runs of mapping k to hold: its populated pages (one pagemap walk), or of a tracked
 * mapping its written pages still there (from tracking's own walk).  Of a read-only private
 * file mapping, only the pages it changed (copies of its own, often one with a debugger's
 * breakpoint in a library's code) are read in the freeze; the rest is the file's, read from
 * it afterwards. */
static int hold_vma(const struct page_reader *rd, const struct pageio_progress *prog, const struct process_image *p,
		    size_t k, struct pageio_held *held)
{
	const struct vma_image *v = &p->vmas[k];
	struct held_vma *h = ARR_PUSH(held->vmas, held->nvmas, held->cap_vmas);
	*h = (struct held_vma){.vma = k, .only_written = only_written(prog, p, v), .offset = held->bytes, .file_fd = -1};
	if (!(v->rec.flags & CKPT_VMA_ANON)) {
		h->file_fd = open_mapped_file(p, v);
		if (h->file_fd < 0)
			add_run(h, v->rec.start, v->rec.end);
		else if (pagemap_for_each_populated(rd->pagemap, rd->pid, v->rec.start, v->rec.end, add_changed_file_run, h) < 0)
			return -1;
	} else if (h->only_written) {
		/* The written pages still there: tracking found them in its walk of the freeze. */
		for (size_t w = 0; w < v->nwritten_populated; w++)
			add_run(h, v->written_populated[w].start, v->written_populated[w].end);
	} else if (pagemap_for_each_populated(rd->pagemap, rd->pid, v->rec.start, v->rec.end, add_populated_run, h) < 0) {
		return -1;
	}
	held->bytes += h->bytes;
	return 0;
}

/* Memory for held pages.  Fresh memory costs a page fault per page, more than reading the
 * page does: the last buffer (up to SPARE_MAX) is kept for the next capture. */
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *spare;
static uint64_t spare_len;
#define SPARE_MAX (64ull << 20)

static uint8_t *take_buffer(uint64_t len, uint64_t *cap)
{
	pthread_mutex_lock(&spare_lock);
	uint8_t *b = NULL;
	if (spare && spare_len >= len) {
		b = spare;
		*cap = spare_len;
		spare = NULL;
	}
	pthread_mutex_unlock(&spare_lock);
	if (!b) {
		*cap = len;
		b = xmalloc(len ? len : 1);
	}
	return b;
}

static void give_back(uint8_t *b, uint64_t len)
{
	pthread_mutex_lock(&spare_lock);
	if (b && len <= SPARE_MAX && (!spare || spare_len < len)) {
		uint8_t *old = spare;
		spare = b;
		spare_len = len;
		b = old;
	}
	pthread_mutex_unlock(&spare_lock);
	free(b);
}

/* Reads every held run, a few process_vm_readv calls per mapping. */
static void read_held(const struct page_reader *rd, struct pageio_held *held)
{
	held->data = take_buffer(held->bytes, &held->cap_bytes);
	for (size_t i = 0; i < held->nvmas; i++) {
		const struct held_vma *h = &held->vmas[i];
		uint8_t *d = held->data + h->offset;
		if (remote_try_read_runs(rd->pid, h->runs, h->nruns, d) == 0)
			continue;
		/* Some page cannot be read: page by page, the unreadable ones as zeros, as copy_range does. */
		for (size_t r = 0; r < h->nruns; r++)
			for (uint64_t a = h->runs[r].start; a < h->runs[r].end; a += PAGE, d += PAGE)
				if (remote_try_read(rd->pid, a, d, PAGE) < 0)
					memset(d, 0, PAGE);
	}
}

/* Stores a held run; pages the parent holds the same are copied from it, as copy_range does,
 * except the written pages of tracked mappings, which rarely match. */
static int store_held_run(int fd, const struct vma_image *v, const struct vma_image *pv, uint64_t addr, uint8_t *d,
			  uint64_t len, uint8_t *pbuf, struct pageio_progress *prog, uint64_t *stored)
{
	bool sparse = v->rec.flags & CKPT_VMA_ANON;
	while (len) {
		if (check_interrupted() < 0)
			return -1;
		uint64_t n = len > CHUNK ? CHUNK : len;
		uint64_t poff = pv ? pv->file_offset + (addr - v->rec.start) : 0;
		bool have_parent = pv && pread_all(prog->parent->fd, pbuf, n, (off_t)poff) == 0;
		apply_patches(prog->opts, addr, d, n);
		if (slow_for_tests)
			usleep(20000);
		if (store_pages(fd, v->file_offset + (addr - v->rec.start), d, n, sparse, have_parent ? pbuf : NULL, poff, prog,
				stored) < 0)
			return -1;
		addr += n;
		d += n;
		len -= n;
	}
	return 0;
}

/* Reads up to n bytes at off, as many as the file has; the rest of buf is zeros (past the end). */
static int pread_full(int fd, uint8_t *buf, uint64_t n, uint64_t off)
{
	uint64_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (uint64_t)r;
	}
	memset(buf + got, 0, n - got);
	return 0;
}

/* A held private file mapping: chunk by chunk, the file's bytes with the held changed pages
 * laid over them; refused when the file changed meanwhile. */
static int store_file_held(int fd, const struct process_image *p, const struct vma_image *v,
			   const struct vma_image *compare, const struct held_vma *h, const uint8_t *data, uint8_t *buf,
			   uint8_t *pbuf, struct pageio_progress *prog, uint64_t *stored)
{
	size_t r = 0;
	const uint8_t *d = data;
	int rc = 0;
	for (uint64_t a = v->rec.start; a < v->rec.end && rc == 0; a += CHUNK) {
		uint64_t n = v->rec.end - a < CHUNK ? v->rec.end - a : CHUNK;
		if (pread_full(h->file_fd, buf, n, v->rec.pgoff + (a - v->rec.start)) < 0) {
			rc = ckpt_fail_errno("cannot read the file mapped at 0x%llx", (unsigned long long)v->rec.start);
			break;
		}
		for (; r < h->nruns && h->runs[r].start < a + n; r++) {
			uint64_t s = h->runs[r].start > a ? h->runs[r].start : a;
			uint64_t e = h->runs[r].end < a + n ? h->runs[r].end : a + n;
			memcpy(buf + (s - a), d + (s - h->runs[r].start), e - s);
			if (h->runs[r].end > a + n)
				break; /* the rest of this run is in the next chunk */
			d += h->runs[r].end - h->runs[r].start;
		}
		rc = store_held_run(fd, v, compare, a, buf, n, pbuf, prog, stored);
	}
	if (rc == 0 && !same_file(h->file_fd, &p->files[v->rec.file]))
		rc = ckpt_fail("%s changed while the save was being written; save again",
			       p->files[v->rec.file].path);
	return rc;
}

int pageio_write_held(int fd, struct process_image *p, struct pageio_progress *prog, const struct pageio_held *held)
{
	uint8_t *pbuf = prog->parent ? xmalloc(CHUNK) : NULL, *fbuf = NULL;
	int rc = 0;
	for (size_t i = 0; i < held->nvmas && rc == 0; i++) {
		const struct held_vma *h = &held->vmas[i];
		struct vma_image *v = &p->vmas[h->vma];
		const struct vma_image *pv = parent_vma(prog, p, v);
		const struct vma_image *compare = !h->only_written && pv && prog->parent->shares_extents ? pv : NULL;
		uint64_t stored = 0;
		if (h->only_written && copy_unwritten(prog, fd, v, pv, &stored) < 0) {
			rc = -1;
			break;
		}
		uint8_t *d = held->data + h->offset;
		if (h->file_fd >= 0) {
			if (!fbuf)
				fbuf = xmalloc(CHUNK);
			rc = store_file_held(fd, p, v, compare, h, d, fbuf, pbuf, prog, &stored);
			v->rec.stored_bytes = stored;
			continue;
		}
		for (size_t r = 0; r < h->nruns && rc == 0; r++) {
			uint64_t len = h->runs[r].end - h->runs[r].start;
			rc = store_held_run(fd, v, compare, h->runs[r].start, d, len, pbuf, prog, &stored);
			d += len;
		}
		v->rec.stored_bytes = stored;
	}
	free(pbuf);
	free(fbuf);
	return rc;
}

void pageio_held_free(struct pageio_held *held)
{
	for (size_t i = 0; i < held->nvmas; i++) {
		free(held->vmas[i].runs);
		if (held->vmas[i].file_fd >= 0)
			close(held->vmas[i].file_fd);
	}
	free(held->vmas);
	give_back(held->data, held->cap_bytes);
	memset(held, 0, sizeof(*held));
}

static int write_vma(const struct page_reader *rd, int fd, const struct process_image *p, struct vma_image *v, uint8_t *buf,
		     uint8_t *pbuf, struct pageio_progress *prog)
{
	struct ckpt_rec_vma *r = &v->rec;
	const struct vma_image *pv = parent_vma(prog, p, v);
	int64_t poff = pv && prog->parent->shares_extents ? (int64_t)pv->file_offset : -1;
	uint64_t stored = 0;
	bool force = !(r->prot & PROT_READ);
	if (r->store == CKPT_STORE_HEADER) {
		if (copy_range(rd, fd, v, r->start, PAGE, false, force, buf, pbuf, poff, prog, &stored) < 0)
			return -1;
	} else if (r->store == CKPT_STORE_FULL && !(r->flags & CKPT_VMA_ANON) && !(r->flags & CKPT_VMA_VDSO)) {
		/* Changed private file pages: every page, so restart can lay them over the file. */
		if (copy_range(rd, fd, v, r->start, r->end - r->start, false, force, buf, pbuf, poff, prog, &stored) < 0)
			return -1;
	} else if (r->store == CKPT_STORE_FULL && v->tracked && pv) {
		if (write_tracked(rd, fd, v, pv, force, buf, pbuf, prog, &stored) < 0)
			return -1;
	} else if (r->store == CKPT_STORE_FULL || r->store == CKPT_STORE_COW) {
		if (write_populated(rd, fd, v, r->start, r->end, force, buf, pbuf, poff, prog, &stored) < 0)
			return -1;
	}
	r->stored_bytes = stored;
	return 0;
}

/* Private memory of a clone is the process's memory at the freeze.  Shared memory keeps
 * changing with the other processes that map it, and a clone lacks DONTFORK mappings and has
 * WIPEONFORK ones empty: those are read while the tree is frozen. */
static bool clone_can_serve(const struct ckpt_rec_vma *v)
{
	return !(v->flags & (CKPT_VMA_SHARED | CKPT_VMA_DONTFORK | CKPT_VMA_WIPEONFORK | CKPT_VMA_VDSO)) &&
	       v->store == CKPT_STORE_FULL;
}

/* Without a clone the freeze reads all of each mapping a clone would serve, except that
 * tracked ones are only their written pages.  That pays where it is a small part of what a
 * clone would serve: forking copies the page tables of all of it, and every page the program
 * writes afterwards is copied once more. */
#define HOLD_SMALL (4ull << 20)
#define HOLD_MAX (256ull << 20)

bool pageio_clone_pays(const struct process_image *p, const struct pageio_progress *prog)
{
	uint64_t frozen = 0, served = 0;
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct vma_image *v = &p->vmas[i];
		if (!clone_can_serve(&v->rec))
			continue;
		served += v->rec.end - v->rec.start;
		if (!only_written(prog, p, v)) {
			frozen += v->rec.end - v->rec.start;
			continue;
		}
		for (size_t w = 0; w < v->nwritten; w++)
			frozen += v->written[w].end - v->written[w].start;
	}
	return frozen > HOLD_MAX || (frozen > HOLD_SMALL && frozen * 16 > served);
}

int pageio_write(pid_t pid, int fd, struct process_image *p, struct pageio_progress *prog, enum pageio_pass pass,
		 struct pageio_held *held)
{
	slow_for_tests = getenv("CKPT_TEST_SLOW_WRITE") != NULL;
	struct page_reader rd = {pid, -1, pagemap_open(pid)};
	if (rd.pagemap < 0)
		return -1;
	if (pass == PAGEIO_FROM_CLONE) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		rd.memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (rd.memfd < 0) {
			close(rd.pagemap);
			return ckpt_fail_errno("cannot open %s", path);
		}
	}
	uint8_t *buf = xmalloc(CHUNK), *pbuf = prog->parent ? xmalloc(CHUNK) : NULL;
	int rc = 0;
	for (size_t i = 0; i < p->nvmas && rc == 0; i++) {
		bool from_clone = clone_can_serve(&p->vmas[i].rec);
		if ((pass == PAGEIO_WHILE_FROZEN && from_clone) || (pass == PAGEIO_FROM_CLONE && !from_clone))
			continue;
		if (pass == PAGEIO_HOLD && holdable(&p->vmas[i]))
			rc = hold_vma(&rd, prog, p, i, held);
		else
			rc = write_vma(&rd, fd, p, &p->vmas[i], buf, pbuf, prog);
	}
	if (pass == PAGEIO_HOLD && rc == 0)
		read_held(&rd, held);
	free(buf);
	free(pbuf);
	if (rd.memfd >= 0)
		close(rd.memfd);
	close(rd.pagemap);
	return rc;
}

int pageio_clone_create(struct inject *in, pid_t pid, struct pageio_clone *clone)
{
	memset(clone, 0, sizeof(*clone));
	if (inject_filtered(pid))
		return ckpt_fail("pid %d runs under seccomp", pid);
	pid_t *before, *after;
	size_t nbefore = proc_children(pid, in->tid, &before);
	long ret;
	/* CLONE_PTRACE: traced by us from birth, so it stops before its first instruction.  No
	 * exit signal: the process is not told when it goes. */
	if (inject_syscall(in, SYS_clone, CLONE_PTRACE, 0, 0, 0, 0, 0, &ret) < 0) {
		free(before);
		return -1;
	}
	if (ret <= 0) {
		free(before);
		errno = ret < 0 ? (int)-ret : EINVAL;
		return ckpt_fail_errno("cannot clone pid %d", pid);
	}
	clone->inner_pid = (pid_t)ret;
	/* Its pid as we see it: the child of that thread that was not there before. */
	size_t nafter = proc_children(pid, in->tid, &after);
	for (size_t i = 0; i < nafter && !clone->pid; i++) {
		bool old = false;
		for (size_t j = 0; j < nbefore; j++)
			old |= after[i] == before[j];
		if (!old)
			clone->pid = after[i];
	}
	free(before);
	free(after);
	if (!clone->pid)
		clone->pid = clone->inner_pid;
	int status;
	if (wait_task(clone->pid, &status) < 0 || !WIFSTOPPED(status)) {
		pageio_clone_kill(clone);
		return ckpt_fail("the clone of pid %d did not stop", pid);
	}
	return 0;
}

void pageio_clone_kill(struct pageio_clone *clone)
{
	if (clone->pid <= 0)
		return;
	kill(clone->pid, SIGKILL);
	int status;
	while (waitpid(clone->pid, &status, __WALL) < 0 && errno == EINTR)
		;
}

int pageio_clone_reap(struct inject *in, const struct pageio_clone *clone)
{
	long ret;
	return inject_syscall(in, SYS_wait4, (uint64_t)clone->inner_pid, 0, __WALL, 0, 0, 0, &ret);
}
