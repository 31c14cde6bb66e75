#include "mem.h"
#include "elfutil.h"
#include "inject.h"
#include "pagescan.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096ull
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)
#define CHUNK (8ull << 20) /* bytes read from the target per process_vm_readv */

struct smaps_vma {
	uint64_t start, end, pgoff, ino;
	unsigned dev_major, dev_minor;
	char perms[5];
	char *path;
	char vmflags[256];
};

static uint32_t vma_flags_from(const char *vmflags)
{
	static const struct { const char *tok; uint32_t flag; } map[] = {
		{"gd", CKPT_VMA_GROWSDOWN}, {"hg", CKPT_VMA_HUGEPAGE}, {"nh", CKPT_VMA_NOHUGEPAGE},
		{"dc", CKPT_VMA_DONTFORK}, {"wf", CKPT_VMA_WIPEONFORK}, {"dd", CKPT_VMA_DONTDUMP},
		{"lo", CKPT_VMA_LOCKED}, {"mw", CKPT_VMA_MAYWRITE}, {"nr", CKPT_VMA_NORESERVE},
	};
	uint32_t f = 0;
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", vmflags);
	for (char *t = strtok_r(copy, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		for (size_t i = 0; i < ARRAY_LEN(map); i++)
			if (strcmp(t, map[i].tok) == 0)
				f |= map[i].flag;
	return f;
}

/* Parses /proc/PID/maps or /proc/PID/smaps (which adds VmFlags) into a list of mappings. */
static int read_smaps(pid_t pid, const char *what, struct smaps_vma **out, size_t *n)
{
	char *s = read_proc(pid, what, NULL);
	if (!s)
		return ckpt_fail_errno("cannot read /proc/%d/%s", pid, what);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, b, off, ino;
		unsigned maj, min;
		char perms[8];
		int pos = 0;
		if (sscanf(l, "%llx-%llx %7s %llx %x:%x %llu %n", &a, &b, perms, &off, &maj, &min, &ino, &pos) >= 7 &&
		    strchr(l, '-') && strlen(perms) == 4) {
			struct smaps_vma *v = ARR_PUSH(*out, *n, cap);
			v->start = a;
			v->end = b;
			v->pgoff = off;
			v->ino = ino;
			v->dev_major = maj;
			v->dev_minor = min;
			memcpy(v->perms, perms, 5);
			const char *path = l + pos;
			while (*path == ' ')
				path++;
			v->path = *path ? xstrdup(path) : NULL;
		} else if (*n && strncmp(l, "VmFlags:", 8) == 0) {
			snprintf((*out)[*n - 1].vmflags, sizeof((*out)[0].vmflags), "%s", l + 8);
		}
	}
	free(s);
	return 0;
}

static int read_pagemap_fd(int fd, pid_t pid, uint64_t start, uint64_t end, uint64_t *out)
{
	size_t n = (end - start) / PAGE;
	if (pread_all(fd, out, n * 8, (off_t)(start / PAGE * 8)) < 0)
		return ckpt_fail_errno("cannot read the page map of pid %d", pid);
	return 0;
}

static int open_pagemap(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot open %s", path);
	return fd;
}

/* Calls fn for each run of pages of [start, end) that are present or swapped out, with the
 * run's PAGE_IS_* categories (PRESENT, SWAPPED, FILE); stops at the first non-zero return.
 * PAGEMAP_SCAN skips missing page tables whole, so a big reservation costs nothing; kernels
 * without it have their pagemap read page by page. */
typedef int (*page_run_fn)(void *arg, uint64_t start, uint64_t end, uint64_t categories);

static int for_each_populated_legacy(int pagemap, pid_t pid, uint64_t start, uint64_t end, page_run_fn fn, void *arg)
{
	for (uint64_t a = start; a < end;) {
		uint64_t span = end - a > (64ull << 20) ? (64ull << 20) : end - a;
		size_t np = span / PAGE;
		uint64_t *pm = xmalloc(np * 8);
		if (read_pagemap_fd(pagemap, pid, a, a + span, pm) < 0) {
			free(pm);
			return -1;
		}
		for (size_t i = 0; i < np;) {
			uint64_t cat = ((pm[i] & PM_PRESENT) ? PAGE_IS_PRESENT : 0) | ((pm[i] & PM_SWAPPED) ? PAGE_IS_SWAPPED : 0) |
				       ((pm[i] & PM_FILE) ? PAGE_IS_FILE : 0);
			size_t j = i + 1;
			while (j < np && (pm[j] & (PM_PRESENT | PM_SWAPPED | PM_FILE)) == (pm[i] & (PM_PRESENT | PM_SWAPPED | PM_FILE)))
				j++;
			int r = (cat & (PAGE_IS_PRESENT | PAGE_IS_SWAPPED)) ? fn(arg, a + i * PAGE, a + j * PAGE, cat) : 0;
			if (r) {
				free(pm);
				return r;
			}
			i = j;
		}
		free(pm);
		a += span;
	}
	return 0;
}

static int for_each_populated(int pagemap, pid_t pid, uint64_t start, uint64_t end, page_run_fn fn, void *arg)
{
	struct page_region regions[512];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)regions,
		.vec_len = ARRAY_LEN(regions),
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE,
	};
	while (a.start < end) {
		long n = ioctl(pagemap, PAGEMAP_SCAN, &a);
		if (n < 0 && a.start == start && (errno == ENOTTY || errno == EINVAL))
			return for_each_populated_legacy(pagemap, pid, start, end, fn, arg);
		if (n < 0)
			return ckpt_fail_errno("cannot scan the page map of pid %d", pid);
		for (long i = 0; i < n; i++) {
			int r = fn(arg, regions[i].start, regions[i].end, regions[i].categories);
			if (r)
				return r;
		}
		if (a.walk_end <= a.start)
			return ckpt_fail("cannot scan the page map of pid %d: no progress", pid);
		a.start = a.walk_end;
	}
	return 0;
}

static int stop_at_private(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	(void)arg, (void)start, (void)end;
	return (cat & PAGE_IS_SWAPPED) || !(cat & PAGE_IS_FILE);
}

/* Whether a private file mapping has pages the process changed (now anonymous copies). */
static int has_private_pages(pid_t pid, uint64_t start, uint64_t end, bool *dirty)
{
	int fd = open_pagemap(pid);
	if (fd < 0)
		return -1;
	int r = for_each_populated(fd, pid, start, end, stop_at_private, NULL);
	close(fd);
	*dirty = r > 0;
	return r < 0 ? -1 : 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Adds the backing file of a mapping to p->files; returns its index, or -1 if the file on disk
 * is no longer the mapped one (deleted or replaced). */
static int add_backing_file(struct process_image *p, const struct smaps_vma *v)
{
	struct stat st;
	if (ends_with(v->path, " (deleted)") || stat(v->path, &st) < 0 || st.st_ino != v->ino ||
	    major(st.st_dev) != v->dev_major || minor(st.st_dev) != v->dev_minor)
		return -1;
	struct ckpt_rec_file rec = {
		.dev = st.st_dev, .ino = st.st_ino, .size = (uint64_t)st.st_size,
		.mtime_sec = st.st_mtim.tv_sec, .mtime_nsec = (uint32_t)st.st_mtim.tv_nsec, .mode = st.st_mode,
	};
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].rec.dev == rec.dev && p->files[i].rec.ino == rec.ino && strcmp(p->files[i].path, v->path) == 0)
			return (int)i;
	int fd = open(v->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		rec.build_id_len = (uint32_t)elf_build_id(fd, rec.build_id, sizeof(rec.build_id));
		close(fd);
	}
	return image_file_index(p, v->path, &rec);
}

static int is_elf_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int r = elf_is_elf(fd);
	close(fd);
	return r;
}

static void free_smaps(struct smaps_vma *sv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sv[i].path);
	free(sv);
}

int mem_hint_read(pid_t pid, struct mem_hint *h)
{
	memset(h, 0, sizeof(*h));
	h->pid = pid;
	int r = read_smaps(pid, "smaps", &h->vmas, &h->n);
	ckpt_clear_error();
	return r;
}

void mem_hint_free(struct mem_hint *h)
{
	free_smaps(h->vmas, h->n);
	memset(h, 0, sizeof(*h));
}

static bool same_vma(const struct smaps_vma *a, const struct smaps_vma *b)
{
	return a->start == b->start && a->end == b->end && a->pgoff == b->pgoff && a->ino == b->ino &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && strcmp(a->perms, b->perms) == 0;
}

/* The mappings with their VmFlags.  Reading smaps walks every page table, a cost that grows
 * with the process's memory, so flags come from a hint read before the freeze when the layout
 * has not changed since; otherwise smaps is read now. */
static int read_layout(pid_t pid, const struct mem_hint *hint, struct smaps_vma **sv, size_t *n)
{
	if (!hint || hint->pid != pid)
		return read_smaps(pid, "smaps", sv, n);
	if (read_smaps(pid, "maps", sv, n) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		const struct smaps_vma *h = NULL;
		for (size_t k = 0; k < hint->n && !h; k++)
			if (same_vma(&(*sv)[i], &hint->vmas[k]))
				h = &hint->vmas[k];
		if (!h) {
			free_smaps(*sv, *n);
			return read_smaps(pid, "smaps", sv, n);
		}
		memcpy((*sv)[i].vmflags, h->vmflags, sizeof(h->vmflags));
	}
	return 0;
}

int mem_capture_vmas(pid_t pid, struct process_image *p, const struct mem_hint *hint)
{
	struct smaps_vma *sv = NULL;
	size_t n = 0;
	if (read_layout(pid, hint, &sv, &n) < 0)
		return -1;
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		const struct smaps_vma *s = &sv[i];
		struct vma_image *v = ARR_PUSH(p->vmas, p->nvmas, p->cap_vmas);
		struct ckpt_rec_vma *r = &v->rec;
		r->start = s->start;
		r->end = s->end;
		r->pgoff = s->pgoff;
		r->file = CKPT_NO_INDEX;
		r->prot = (s->perms[0] == 'r' ? PROT_READ : 0) | (s->perms[1] == 'w' ? PROT_WRITE : 0) |
			  (s->perms[2] == 'x' ? PROT_EXEC : 0);
		r->flags = vma_flags_from(s->vmflags);
		bool shared = s->perms[3] == 's';
		if (shared)
			r->flags |= CKPT_VMA_SHARED;
		bool readable = r->prot & PROT_READ;
		const char *path = s->path ? s->path : "";

		if (strcmp(path, "[vdso]") == 0) {
			r->flags |= CKPT_VMA_VDSO;
			r->store = CKPT_STORE_FULL;
		} else if (strcmp(path, "[vvar]") == 0) {
			r->flags |= CKPT_VMA_VVAR;
			r->store = CKPT_STORE_NONE;
		} else if (strcmp(path, "[vvar_vclock]") == 0) {
			r->flags |= CKPT_VMA_VVAR_VCLOCK;
			r->store = CKPT_STORE_NONE;
		} else if (strcmp(path, "[vsyscall]") == 0) {
			r->flags |= CKPT_VMA_VSYSCALL;
			r->store = CKPT_STORE_NONE;
		} else if (path[0] != '/' || strncmp(path, "/dev/zero", 9) == 0 || strncmp(path, "/SYSV", 5) == 0 ||
			   (strncmp(path, "/memfd:", 7) == 0 && shared)) {
			/* Anonymous memory, private or shared (shared anonymous memory shows as a
			 * deleted /dev/zero; SysV segments as /SYSV...). */
			r->flags |= CKPT_VMA_ANON;
			if (strcmp(path, "[heap]") == 0)
				r->flags |= CKPT_VMA_HEAP;
			if (strcmp(path, "[stack]") == 0)
				r->flags |= CKPT_VMA_STACK;
			if (shared) {
				r->shmem_id = s->ino;
				if (strncmp(path, "/SYSV", 5) == 0)
					r->flags |= CKPT_VMA_SYSVSHM;
			}
			r->store = CKPT_STORE_FULL;
			if (!readable) {
				/* PROT_NONE reservations are usually empty; keep them empty then. */
				bool dirty;
				if (has_private_pages(pid, s->start, s->end, &dirty) < 0)
					goto out;
				if (!dirty)
					r->store = CKPT_STORE_NONE;
			}
		} else {
			int fi = add_backing_file(p, s);
			if (fi < 0) {
				/* The file was deleted or replaced: its bytes exist only in memory now. */
				r->flags |= CKPT_VMA_DELETED;
				struct ckpt_rec_file rec = {.ino = s->ino, .dev = makedev(s->dev_major, s->dev_minor)};
				char *clean = xstrdup(path);
				if (ends_with(clean, " (deleted)"))
					clean[strlen(clean) - 10] = 0;
				r->file = (uint32_t)image_file_index(p, clean, &rec);
				free(clean);
				r->store = CKPT_STORE_FULL;
			} else {
				r->file = (uint32_t)fi;
				bool dirty = false;
				if (!shared && has_private_pages(pid, s->start, s->end, &dirty) < 0)
					goto out;
				if (dirty)
					r->store = CKPT_STORE_FULL;
				else if (s->pgoff == 0 && readable && is_elf_file(path))
					r->store = CKPT_STORE_HEADER; /* the ELF header, as the kernel's cores keep it */
				else
					r->store = CKPT_STORE_NONE;
			}
		}
	}
	rc = 0;
out:
	free_smaps(sv, n);
	return rc;
}

uint64_t mem_stored_estimate(const struct process_image *p)
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

static void report(struct mem_progress *prog, uint64_t bytes)
{
	prog->done += bytes;
	if (prog->opts && prog->opts->progress)
		prog->opts->progress(prog->opts->progress_arg, prog->done, prog->total);
}

/* Where memory is read from.  A clone's pages are shared copy-on-write with the running
 * process, and process_vm_readv pins pages, which makes the kernel copy every shared one:
 * clones are read through /proc/PID/mem, which does not. */
struct mem_reader {
	pid_t pid;
	int memfd;   /* /proc/PID/mem, or -1: process_vm_readv */
	int pagemap; /* /proc/PID/pagemap */
};

static int reader_read(const struct mem_reader *rd, uint64_t addr, void *buf, size_t len, bool force)
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

/* Writes [addr, addr+len) of a mapping; zero pages become holes when `sparse`. */
static int copy_range(const struct mem_reader *rd, int fd, const struct vma_image *v, uint64_t addr, uint64_t len,
		      bool sparse, bool force, uint8_t *buf, uint8_t *pbuf, int64_t parent_off, struct mem_progress *prog,
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
		/* Runs of pages of one kind: zero (a hole), unchanged since the parent, or new. */
		for (uint64_t i = 0; i < n;) {
			if (sparse && page_is_zero(buf + i)) {
				i += PAGE;
				continue;
			}
			bool same = have_parent && memcmp(buf + i, pbuf + i, PAGE) == 0;
			uint64_t j = i + PAGE;
			while (j < n && !(sparse && page_is_zero(buf + j)) &&
			       (have_parent && memcmp(buf + j, pbuf + j, PAGE) == 0) == same)
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
		addr += n;
		len -= n;
	}
	return 0;
}

/* The parent's copy of a mapping: the same range, stored in full the same way. */
static const struct vma_image *parent_vma(const struct mem_progress *prog, const struct process_image *p,
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
	const struct mem_reader *rd;
	int fd;
	const struct vma_image *v;
	bool force;
	uint8_t *buf, *pbuf;
	int64_t poff;
	struct mem_progress *prog;
	uint64_t *stored;
};

static int copy_run(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	(void)cat;
	struct populated_copy *c = arg;
	return copy_range(c->rd, c->fd, c->v, start, end - start, true, c->force, c->buf, c->pbuf, c->poff, c->prog,
			  c->stored);
}

static int write_populated(const struct mem_reader *rd, int fd, const struct vma_image *v, uint64_t from, uint64_t to,
			   bool force, uint8_t *buf, uint8_t *pbuf, int64_t poff, struct mem_progress *prog, uint64_t *stored)
{
	struct populated_copy c = {rd, fd, v, force, buf, pbuf, poff, prog, stored};
	return for_each_populated(rd->pagemap, rd->pid, from, to, copy_run, &c) < 0 ? -1 : 0;
}

/* Copies [poff, poff+len) of the parent statefile to off in ours, holes as holes: by sharing
 * extents in one call where the file system can, else data extent by data extent. */
static int copy_unchanged(struct mem_progress *prog, uint64_t poff, int fd, uint64_t off, uint64_t len)
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

/* A tracked mapping (memtrack.h): its written pages are read, the rest is the parent's copy. */
static int write_tracked(const struct mem_reader *rd, int fd, const struct vma_image *v, const struct vma_image *pv,
			 bool force, uint8_t *buf, uint8_t *pbuf, struct mem_progress *prog, uint64_t *stored)
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
		uint64_t we = w < v->nwritten ? v->written[w].end : r->end;
		if (a < ws && copy_unchanged(prog, poff + (a - r->start), fd, v->file_offset + (a - r->start), ws - a) < 0)
			return -1;
		/* Written pages rarely match the parent's: no comparing them. */
		if (ws < we && write_populated(rd, fd, v, ws, we, force, buf, pbuf, -1, prog, stored) < 0)
			return -1;
		a = we;
	}
	prog->from_parent += shared;
	*stored += shared;
	return 0;
}

static int write_vma(const struct mem_reader *rd, int fd, const struct process_image *p, struct vma_image *v, uint8_t *buf,
		     uint8_t *pbuf, struct mem_progress *prog)
{
	struct ckpt_rec_vma *r = &v->rec;
	const struct vma_image *pv = parent_vma(prog, p, v);
	int64_t poff = pv ? (int64_t)pv->file_offset : -1;
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
	} else if (r->store == CKPT_STORE_FULL) {
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

int mem_write(pid_t pid, int fd, struct process_image *p, struct mem_progress *prog, enum mem_pass pass)
{
	slow_for_tests = getenv("CKPT_TEST_SLOW_WRITE") != NULL;
	struct mem_reader rd = {pid, -1, open_pagemap(pid)};
	if (rd.pagemap < 0)
		return -1;
	if (pass == MEM_FROM_CLONE) {
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
		if ((pass == MEM_WHILE_FROZEN && from_clone) || (pass == MEM_FROM_CLONE && !from_clone))
			continue;
		rc = write_vma(&rd, fd, p, &p->vmas[i], buf, pbuf, prog);
	}
	free(buf);
	free(pbuf);
	if (rd.memfd >= 0)
		close(rd.memfd);
	close(rd.pagemap);
	return rc;
}

int mem_clone_create(struct inject *in, pid_t pid, struct mem_clone *clone)
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
		mem_clone_kill(clone);
		return ckpt_fail("the clone of pid %d did not stop", pid);
	}
	return 0;
}

void mem_clone_kill(struct mem_clone *clone)
{
	if (clone->pid <= 0)
		return;
	kill(clone->pid, SIGKILL);
	int status;
	while (waitpid(clone->pid, &status, __WALL) < 0 && errno == EINTR)
		;
}

int mem_clone_reap(struct inject *in, const struct mem_clone *clone)
{
	long ret;
	return inject_syscall(in, SYS_wait4, (uint64_t)clone->inner_pid, 0, __WALL, 0, 0, 0, &ret);
}

/* ---------------------------------------------------------------------------------------- */
/* Restart                                                                                   */

#include "pager.h"

#include <pthread.h>

static bool relies_on_file(const struct ckpt_rec_vma *v)
{
	return v->file != CKPT_NO_INDEX && !(v->flags & CKPT_VMA_DELETED) && v->store != CKPT_STORE_FULL;
}

static int check_file(const struct process_image *p, const struct ckpt_rec_vma *v)
{
	const struct file_image *f = &p->files[v->file];
	struct stat st;
	if (stat(f->path, &st) < 0)
		return ckpt_fail_errno("cannot restart: the program's mapped file %s is gone", f->path);
	/* A shared writable mapping writes into its file: the file changing is expected. */
	if ((v->flags & CKPT_VMA_SHARED) && (v->flags & CKPT_VMA_MAYWRITE))
		return 0;
	if ((uint64_t)st.st_size != f->rec.size)
		return ckpt_fail("cannot restart: %s changed since the snapshot (size %llu, now %llu)", f->path,
				 (unsigned long long)f->rec.size, (unsigned long long)st.st_size);
	uint8_t id[32];
	size_t idlen = 0;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		idlen = elf_build_id(fd, id, sizeof(id));
		close(fd);
	}
	if (f->rec.build_id_len || idlen) {
		if (idlen != f->rec.build_id_len || memcmp(id, f->rec.build_id, idlen) != 0)
			return ckpt_fail("cannot restart: %s changed since the snapshot (its build-id differs)", f->path);
		return 0; /* same build-id: the same contents, even if the file was copied or touched */
	}
	if (st.st_mtim.tv_sec != f->rec.mtime_sec || (uint32_t)st.st_mtim.tv_nsec != f->rec.mtime_nsec)
		return ckpt_fail("cannot restart: %s changed since the snapshot (modification time differs)", f->path);
	return 0;
}

int mem_check_files(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nvmas; k++)
			if (relies_on_file(&p->vmas[k].rec) && check_file(p, &p->vmas[k].rec) < 0)
				return -1;
	}
	return 0;
}

struct special {
	uint64_t start, end;
};

/* The vDSO-related mappings of a maps text: [vvar], [vvar_vclock], [vdso]. */
static void find_specials(const char *maps, struct special sp[3])
{
	memset(sp, 0, 3 * sizeof(*sp));
	static const char *names[3] = {"[vvar]", "[vvar_vclock]", "[vdso]"};
	for (const char *l = maps; l && *l;) {
		unsigned long long a, b;
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		if (sscanf(l, "%llx-%llx", &a, &b) == 2)
			for (int k = 0; k < 3; k++) {
				size_t nlen = strlen(names[k]);
				if (len >= nlen && memcmp(l + len - nlen, names[k], nlen) == 0)
					sp[k] = (struct special){a, b};
			}
		l = nl ? nl + 1 : NULL;
	}
}

static void saved_specials(const struct process_image *p, struct special sp[3])
{
	memset(sp, 0, 3 * sizeof(*sp));
	for (size_t k = 0; k < p->nvmas; k++) {
		const struct ckpt_rec_vma *v = &p->vmas[k].rec;
		int kind = v->flags & CKPT_VMA_VVAR ? 0 : v->flags & CKPT_VMA_VVAR_VCLOCK ? 1 : v->flags & CKPT_VMA_VDSO ? 2 : -1;
		if (kind >= 0)
			sp[kind] = (struct special){v->start, v->end};
	}
}

int mem_check_vdso(const struct statefile_image *img, int sf_fd)
{
	char *maps = read_file("/proc/self/maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read /proc/self/maps");
	struct special cur[3];
	find_specials(maps, cur);
	free(maps);
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		struct special sv[3];
		saved_specials(p, sv);
		for (int k = 0; k < 3; k++)
			if (sv[k].end - sv[k].start != cur[k].end - cur[k].start)
				return ckpt_fail("cannot restart: the statefile's vDSO layout differs from this kernel's "
						 "(saved on kernel %s); restart it on the kernel it was saved on",
						 img->kernel_release ? img->kernel_release : "?");
		for (size_t k = 0; k < p->nvmas; k++) {
			const struct vma_image *v = &p->vmas[k];
			if (!(v->rec.flags & CKPT_VMA_VDSO) || v->file_size != v->rec.end - v->rec.start)
				continue;
			uint8_t *saved = xmalloc(v->file_size);
			int r = pread_all(sf_fd, saved, v->file_size, (off_t)v->file_offset);
			bool same = r == 0 && memcmp(saved, (void *)(uintptr_t)cur[2].start, v->file_size) == 0;
			free(saved);
			if (r < 0)
				return ckpt_fail_errno("cannot read the saved vDSO");
			if (!same)
				return ckpt_fail("cannot restart: the statefile was saved on kernel %s, whose vDSO differs from "
						 "this kernel's; restart it on that kernel",
						 img->kernel_release ? img->kernel_release : "?");
		}
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

int mem_pick_trampoline(const struct statefile_image *img, uint64_t *addr)
{
	uint64_t (*r)[2] = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++) {
			uint64_t *e = *ARR_PUSH(r, n, cap);
			e[0] = img->procs[i].vmas[k].rec.start;
			e[1] = img->procs[i].vmas[k].rec.end;
		}
	char *maps = read_file("/proc/self/maps", NULL);
	for (char *l = maps; l && *l;) {
		unsigned long long a, b;
		if (sscanf(l, "%llx-%llx", &a, &b) == 2) {
			uint64_t *e = *ARR_PUSH(r, n, cap);
			e[0] = a;
			e[1] = b;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	free(maps);
	qsort(r, n, sizeof(*r), cmp_range);
	uint64_t cand = 0x10000; /* vm.mmap_min_addr */
	for (size_t i = 0; i < n; i++) {
		if (r[i][0] >= cand + PAGE)
			break;
		if (r[i][1] > cand)
			cand = r[i][1];
	}
	free(r);
	if (cand + PAGE > (1ull << 47))
		return ckpt_fail("no free address for the restore trampoline");
	*addr = cand;
	return 0;
}

/* A shared anonymous memory object that several mappings of the tree use: ckpt keeps it in a
 * memfd, inherited by the skeleton, that every process maps. */
struct shared_object {
	uint64_t id;
	int fd;
};

struct mem_restore {
	int sf_fd;
	uint64_t tramp;
	struct shared_object *shared;
	size_t nshared, cap_shared;
};

static const struct shared_object *find_shared(const struct mem_restore *m, uint64_t id)
{
	for (size_t i = 0; i < m->nshared; i++)
		if (m->shared[i].id == id)
			return &m->shared[i];
	return NULL;
}

static bool is_shared_anon(const struct ckpt_rec_vma *v)
{
	return (v->flags & CKPT_VMA_ANON) && (v->flags & CKPT_VMA_SHARED);
}

struct mem_restore *mem_restore_prepare(const struct statefile_image *img, int sf_fd, uint64_t tramp, int fd_base)
{
	struct mem_restore *m = xcalloc(1, sizeof(*m));
	m->sf_fd = sf_fd;
	m->tramp = tramp;
	/* A shared anonymous object seen in more than one mapping must stay one object. */
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++) {
			const struct ckpt_rec_vma *v = &img->procs[i].vmas[k].rec;
			if (!is_shared_anon(v) || find_shared(m, v->shmem_id))
				continue;
			unsigned uses = 0;
			uint64_t size = 0;
			for (size_t j = 0; j < img->nprocs; j++)
				for (size_t n = 0; n < img->procs[j].nvmas; n++) {
					const struct ckpt_rec_vma *w = &img->procs[j].vmas[n].rec;
					if (is_shared_anon(w) && w->shmem_id == v->shmem_id) {
						uses++;
						if (w->pgoff + (w->end - w->start) > size)
							size = w->pgoff + (w->end - w->start);
					}
				}
			if (uses < 2)
				continue;
			int fd = (int)syscall(SYS_memfd_create, "ckpt-shared", 0);
			if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
				ckpt_fail_errno("cannot create shared memory for the restart");
				if (fd >= 0)
					close(fd);
				mem_restore_free(m);
				return NULL;
			}
			struct shared_object *o = ARR_PUSH(m->shared, m->nshared, m->cap_shared);
			o->id = v->shmem_id;
			o->fd = fd_move_up(fd, fd_base);
		}
	return m;
}

int *mem_restore_fds(const struct mem_restore *m, size_t *n)
{
	int *fds = xmalloc((m->nshared + 1) * sizeof(int));
	for (size_t i = 0; i < m->nshared; i++)
		fds[i] = m->shared[i].fd;
	*n = m->nshared;
	return fds;
}

void mem_restore_free(struct mem_restore *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nshared; i++)
		close(m->shared[i].fd);
	free(m->shared);
	free(m);
}

/* Writes a string into the scratch page of the rebuilt task. */
static int put_string(struct inject *in, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n > in->scratch_len)
		return ckpt_fail("path too long for the restore: %s", s);
	return remote_write(in->tid, in->scratch, s, n);
}

static int munmap_skeleton(const struct mem_restore *m, struct inject *in, pid_t outer_pid)
{
	char *maps = read_proc(outer_pid, "maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read the maps of rebuilt pid %d", outer_pid);
	uint64_t run_start = 0, run_end = 0;
	int rc = 0;
	for (char *l = maps; l && *l && rc == 0;) {
		unsigned long long a, b;
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		bool keep = sscanf(l, "%llx-%llx", &a, &b) != 2 || a == m->tramp || strstr(l, "[vdso]") ||
			    strstr(l, "[vvar]") || strstr(l, "[vvar_vclock]") || strstr(l, "[vsyscall]");
		if (!keep && a == run_end) {
			run_end = b;
		} else {
			long ret;
			if (run_end > run_start)
				rc = inject_syscall_checked(in, "munmap", SYS_munmap, run_start, run_end - run_start, 0, 0, 0, 0, &ret);
			run_start = run_end = 0;
			if (!keep) {
				run_start = a;
				run_end = b;
			}
		}
		l = nl ? nl + 1 : NULL;
	}
	long ret;
	if (rc == 0 && run_end > run_start)
		rc = inject_syscall_checked(in, "munmap", SYS_munmap, run_start, run_end - run_start, 0, 0, 0, 0, &ret);
	free(maps);
	return rc;
}

static int move_specials(struct inject *in, const struct process_image *p, pid_t outer_pid)
{
	char *maps = read_proc(outer_pid, "maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read the maps of rebuilt pid %d", outer_pid);
	struct special cur[3], want[3];
	find_specials(maps, cur);
	free(maps);
	saved_specials(p, want);
	bool clash = false;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (i != j && want[i].end > want[i].start && want[i].start < cur[j].end && cur[j].start < want[i].end)
				clash = true;
	long ret;
	if (clash) {
		/* Step aside first: a free range right above the trampoline, free in the saved layout. */
		uint64_t tmp = 0;
		for (int i = 0; i < 3; i++)
			if (cur[i].end > tmp)
				tmp = cur[i].end;
		tmp += 64 * PAGE;
		for (int i = 0; i < 3; i++) {
			if (cur[i].end == cur[i].start)
				continue;
			uint64_t len = cur[i].end - cur[i].start, dst = tmp + (cur[i].start - cur[0].start);
			if (inject_syscall_checked(in, "mremap (vDSO)", SYS_mremap, cur[i].start, len, len,
					    MREMAP_MAYMOVE | MREMAP_FIXED, dst, 0, &ret) < 0)
				return -1;
			cur[i].end = dst + len;
			cur[i].start = dst;
		}
	}
	for (int i = 0; i < 3; i++) {
		uint64_t len = cur[i].end - cur[i].start;
		if (!len || cur[i].start == want[i].start)
			continue;
		if (inject_syscall_checked(in, "mremap (vDSO)", SYS_mremap, cur[i].start, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				    want[i].start, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

static bool is_special(const struct ckpt_rec_vma *v)
{
	return v->flags & (CKPT_VMA_VDSO | CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL);
}

/* Whether restart copies bytes from the statefile into this mapping. */
static bool needs_fill(const struct vma_image *v)
{
	return v->rec.store == CKPT_STORE_FULL && v->file_size && !is_special(&v->rec);
}

static int map_one(const struct mem_restore *m, struct inject *in, const struct process_image *p, const struct vma_image *v,
		   int *file_fds)
{
	const struct ckpt_rec_vma *r = &v->rec;
	uint64_t len = r->end - r->start;
	int prot = (int)r->prot | (needs_fill(v) ? PROT_WRITE : 0);
	long ret;
	int flags = MAP_FIXED | ((r->flags & CKPT_VMA_GROWSDOWN) ? MAP_GROWSDOWN : 0) |
		    ((r->flags & CKPT_VMA_NORESERVE) ? MAP_NORESERVE : 0);
	if (r->flags & CKPT_VMA_ANON) {
		if (r->flags & CKPT_VMA_SHARED) {
			const struct shared_object *s = find_shared(m, r->shmem_id);
			if (s) {
				if (inject_syscall_checked(in, "mmap (shared memory)", SYS_mmap, r->start, len, (uint64_t)prot,
						    (uint64_t)(flags | MAP_SHARED), (uint64_t)s->fd, r->pgoff, &ret) < 0)
					return -1;
				/* Every process fills in the pages it had present: together, the whole object. */
				return 0;
			}
			return inject_syscall_checked(in, "mmap (shared anonymous)", SYS_mmap, r->start, len, (uint64_t)prot,
					       (uint64_t)(flags | MAP_SHARED | MAP_ANONYMOUS), (uint64_t)-1, 0, &ret);
		}
		return inject_syscall_checked(in, "mmap (anonymous)", SYS_mmap, r->start, len, (uint64_t)prot,
				       (uint64_t)(flags | MAP_PRIVATE | MAP_ANONYMOUS), (uint64_t)-1, 0, &ret);
	}
	if (r->file == CKPT_NO_INDEX || (r->flags & CKPT_VMA_DELETED)) {
		/* The file is gone; its pages are in the statefile. */
		return inject_syscall_checked(in, "mmap (anonymous)", SYS_mmap, r->start, len, (uint64_t)prot,
				       (uint64_t)(flags | MAP_PRIVATE | MAP_ANONYMOUS), (uint64_t)-1, 0, &ret);
	}
	int *fdp = &file_fds[r->file];
	if (*fdp < 0) {
		/* One open per file; read-write if any shared writable mapping of it needs that. */
		bool rw = false;
		for (size_t k = 0; k < p->nvmas; k++)
			rw |= p->vmas[k].rec.file == r->file && (p->vmas[k].rec.flags & CKPT_VMA_SHARED) &&
			      (p->vmas[k].rec.flags & CKPT_VMA_MAYWRITE);
		const char *path = p->files[r->file].path;
		if (put_string(in, path) < 0)
			return -1;
		if (inject_syscall(in, SYS_open, in->scratch, (uint64_t)((rw ? O_RDWR : O_RDONLY) | O_CLOEXEC), 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret < 0) {
			if (r->store == CKPT_STORE_FULL) /* the statefile has every page: map them anonymously */
				return inject_syscall_checked(in, "mmap (anonymous)", SYS_mmap, r->start, len, (uint64_t)prot,
						       (uint64_t)(flags | MAP_PRIVATE | MAP_ANONYMOUS), (uint64_t)-1, 0, &ret);
			errno = (int)-ret;
			return ckpt_fail_errno("cannot open %s in the restarted process", path);
		}
		*fdp = (int)ret;
	}
	return inject_syscall_checked(in, "mmap (file)", SYS_mmap, r->start, len, (uint64_t)prot,
			       (uint64_t)(flags | ((r->flags & CKPT_VMA_SHARED) ? MAP_SHARED : MAP_PRIVATE)), (uint64_t)*fdp,
			       r->pgoff, &ret);
}

/* Copies the stored pages of [lo, hi) of a mapping straight from the statefile into the rebuilt
 * process: one pread per run of data, so the kernel copies page-cache pages into its memory. */
static int fill_range(const struct mem_restore *m, struct inject *in, const struct vma_image *v, uint64_t lo, uint64_t hi)
{
	uint64_t off = v->file_offset + (lo - v->rec.start), end = v->file_offset + (hi - v->rec.start);
	uint64_t data, stop;
	while (off < end && file_next_data(m->sf_fd, off, end, &data, &stop) > 0) {
		for (uint64_t o = data; o < stop;) {
			if (check_interrupted() < 0)
				return -1;
			uint64_t n = stop - o > (1ull << 30) ? (1ull << 30) : stop - o;
			long ret;
			uint64_t addr = v->rec.start + (o - v->file_offset);
			/* Allocating the pages in one go is much faster than a fault per page during the
			 * copy; only the runs with data, so holes stay unpopulated. */
			if (n >= (1u << 20))
				inject_syscall(in, SYS_madvise, addr & ~(PAGE - 1), ALIGN_UP(addr + n, PAGE) - (addr & ~(PAGE - 1)),
					       MADV_POPULATE_WRITE, 0, 0, 0, &ret);
			if (inject_syscall_checked(in, "pread (memory)", SYS_pread64, (uint64_t)m->sf_fd, addr, n, o, 0, 0, &ret) < 0)
				return -1;
			if ((uint64_t)ret != n)
				return ckpt_fail("short read of the statefile at offset %llu (truncated?)", (unsigned long long)o);
			o += n;
		}
		off = stop;
	}
	return 0;
}

static int fill_one(const struct mem_restore *m, struct inject *in, const struct vma_image *v)
{
	return fill_range(m, in, v, v->rec.start, v->rec.start + v->file_size);
}

/* Leaves a mapping to the pager but for what must be there at once, which is filled now. */
static int fill_lazily(const struct mem_restore *m, struct inject *in, const struct process_image *p,
		       const struct vma_image *v, struct pager *lazy)
{
	size_t n;
	struct addr_range *now = pager_take(lazy, p, v, &n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fill_range(m, in, v, now[i].start, now[i].end);
	free(now);
	return rc;
}

static int advise_one(struct inject *in, const struct ckpt_rec_vma *r)
{
	static const struct { uint32_t flag; int advice; } adv[] = {
		{CKPT_VMA_HUGEPAGE, MADV_HUGEPAGE}, {CKPT_VMA_NOHUGEPAGE, MADV_NOHUGEPAGE},
		{CKPT_VMA_DONTFORK, MADV_DONTFORK}, {CKPT_VMA_WIPEONFORK, MADV_WIPEONFORK},
		{CKPT_VMA_DONTDUMP, MADV_DONTDUMP},
	};
	for (size_t i = 0; i < ARRAY_LEN(adv); i++) {
		long ret;
		if ((r->flags & adv[i].flag) &&
		    inject_syscall(in, SYS_madvise, r->start, r->end - r->start, (uint64_t)adv[i].advice, 0, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

int mem_restore_process(const struct mem_restore *m, struct inject *in, const struct process_image *p, pid_t outer_pid,
			struct pager *lazy)
{
	if (munmap_skeleton(m, in, outer_pid) < 0 || move_specials(in, p, outer_pid) < 0)
		return -1;
	int *file_fds = xmalloc((p->nfiles + 1) * sizeof(int));
	for (size_t i = 0; i < p->nfiles; i++)
		file_fds[i] = -1;
	int rc = 0;
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		if (is_special(&v->rec))
			continue;
		rc = map_one(m, in, p, v, file_fds);
		if (rc == 0)
			rc = advise_one(in, &v->rec);
	}
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		if (!needs_fill(v))
			continue;
		rc = lazy && pager_wants(v) ? fill_lazily(m, in, p, v, lazy) : fill_one(m, in, v);
	}
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		long ret;
		if (needs_fill(v) && !(v->rec.prot & PROT_WRITE))
			rc = inject_syscall_checked(in, "mprotect", SYS_mprotect, v->rec.start, v->rec.end - v->rec.start,
						    v->rec.prot, 0, 0, 0, &ret);
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		long ret;
		if (file_fds[i] >= 0 && rc == 0)
			rc = inject_syscall_checked(in, "close", SYS_close, (uint64_t)file_fds[i], 0, 0, 0, 0, 0, &ret);
	}
	free(file_fds);
	return rc;
}

/* Reads the statefile ahead of the restore, on the other core, so that the preads injected
 * into the rebuilt processes find their data in the page cache. */
struct mem_readahead {
	pthread_t thread;
	int fd;        /* its own: the reading thread's offsets are its own */
	uint64_t size;
	volatile int stop;
};

static void *readahead_main(void *arg)
{
	struct mem_readahead *ra = arg;
	size_t chunk = 4u << 20;
	char *buf = malloc(chunk);
	for (uint64_t off = 0; buf && off < ra->size && !ra->stop;) {
		off_t data = lseek(ra->fd, (off_t)off, SEEK_DATA);
		if (data < 0)
			break;
		ssize_t n = pread(ra->fd, buf, chunk, data);
		if (n <= 0)
			break;
		off = (uint64_t)data + (uint64_t)n;
	}
	free(buf);
	return NULL;
}

struct mem_readahead *mem_readahead_start(const char *path, uint64_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct mem_readahead *ra = xcalloc(1, sizeof(*ra));
	ra->fd = fd;
	ra->size = size;
	if (pthread_create(&ra->thread, NULL, readahead_main, ra) != 0) {
		close(fd);
		free(ra);
		return NULL;
	}
	return ra;
}

void mem_readahead_stop(struct mem_readahead *ra)
{
	if (!ra)
		return;
	ra->stop = 1;
	pthread_join(ra->thread, NULL);
	close(ra->fd);
	free(ra);
}
