#include "mem.h"
#include "elfutil.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PAGE 4096ull
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)
#define CHUNK (4ull << 20) /* bytes read from the target per process_vm_readv */

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
		{"lo", CKPT_VMA_LOCKED}, {"mw", CKPT_VMA_MAYWRITE},
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

/* Parses /proc/PID/smaps into a list of mappings. */
static int read_smaps(pid_t pid, struct smaps_vma **out, size_t *n)
{
	char *s = read_proc(pid, "smaps", NULL);
	if (!s)
		return ckpt_fail_errno("cannot read /proc/%d/smaps", pid);
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

static int read_pagemap(pid_t pid, uint64_t start, uint64_t end, uint64_t *out)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot open %s", path);
	size_t n = (end - start) / PAGE;
	int r = pread_all(fd, out, n * 8, (off_t)(start / PAGE * 8));
	close(fd);
	if (r < 0)
		return ckpt_fail_errno("cannot read the page map of pid %d", pid);
	return 0;
}

/* Whether a private file mapping has pages the process changed (now anonymous copies). */
static int has_private_pages(pid_t pid, uint64_t start, uint64_t end, bool *dirty)
{
	*dirty = false;
	for (uint64_t a = start; a < end;) {
		uint64_t len = end - a > (64ull << 20) ? (64ull << 20) : end - a;
		size_t n = len / PAGE;
		uint64_t *pm = xmalloc(n * 8);
		if (read_pagemap(pid, a, a + len, pm) < 0) {
			free(pm);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if ((pm[i] & PM_SWAPPED) || ((pm[i] & PM_PRESENT) && !(pm[i] & PM_FILE)))
				*dirty = true;
		free(pm);
		if (*dirty)
			return 0;
		a += len;
	}
	return 0;
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

int mem_capture_vmas(pid_t pid, struct process_image *p)
{
	struct smaps_vma *sv = NULL;
	size_t n = 0;
	if (read_smaps(pid, &sv, &n) < 0)
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
	for (size_t i = 0; i < n; i++)
		free(sv[i].path);
	free(sv);
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
	const uint64_t *w = (const uint64_t *)p;
	uint64_t acc = 0;
	for (size_t i = 0; i < PAGE / 8; i += 8)
		acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7];
	return acc == 0;
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

static void report(struct mem_progress *prog, uint64_t bytes)
{
	prog->done += bytes;
	if (prog->opts && prog->opts->progress)
		prog->opts->progress(prog->opts->progress_arg, prog->done, prog->total);
}

/* Writes [addr, addr+len) of a mapping; zero pages become holes when `sparse`. */
static int copy_range(pid_t pid, int fd, const struct vma_image *v, uint64_t addr, uint64_t len, bool sparse,
		      bool force, uint8_t *buf, struct mem_progress *prog, uint64_t *stored)
{
	while (len) {
		if (check_interrupted() < 0)
			return -1;
		uint64_t n = len > CHUNK ? CHUNK : len;
		int r = force ? remote_read_force(pid, addr, buf, n) : remote_read(pid, addr, buf, n);
		if (r < 0)
			return -1;
		apply_patches(prog->opts, addr, buf, n);
		uint64_t off = v->file_offset + (addr - v->rec.start);
		/* Write maximal runs of non-zero pages. */
		for (uint64_t i = 0; i < n;) {
			if (sparse && page_is_zero(buf + i)) {
				i += PAGE;
				continue;
			}
			uint64_t j = i + PAGE;
			while (j < n && !(sparse && page_is_zero(buf + j)))
				j += PAGE;
			if (pwrite_all(fd, buf + i, j - i, (off_t)(off + i)) < 0)
				return ckpt_fail_errno("cannot write the statefile");
			*stored += j - i;
			i = j;
		}
		report(prog, n);
		addr += n;
		len -= n;
	}
	return 0;
}

static int write_vma(pid_t pid, int fd, struct vma_image *v, uint8_t *buf, struct mem_progress *prog)
{
	struct ckpt_rec_vma *r = &v->rec;
	uint64_t stored = 0;
	bool force = !(r->prot & PROT_READ);
	if (r->store == CKPT_STORE_HEADER) {
		if (copy_range(pid, fd, v, r->start, PAGE, false, force, buf, prog, &stored) < 0)
			return -1;
	} else if (r->store == CKPT_STORE_FULL && !(r->flags & CKPT_VMA_ANON) && !(r->flags & CKPT_VMA_VDSO)) {
		/* Changed private file pages: every page, so restart can lay them over the file. */
		if (copy_range(pid, fd, v, r->start, r->end - r->start, false, force, buf, prog, &stored) < 0)
			return -1;
	} else if (r->store == CKPT_STORE_FULL) {
		/* Anonymous memory: only populated pages are read, and zero pages are holes. */
		for (uint64_t a = r->start; a < r->end;) {
			uint64_t span = r->end - a > (64ull << 20) ? (64ull << 20) : r->end - a;
			size_t np = span / PAGE;
			uint64_t *pm = xmalloc(np * 8);
			if (read_pagemap(pid, a, a + span, pm) < 0) {
				free(pm);
				return -1;
			}
			for (size_t i = 0; i < np;) {
				if (!(pm[i] & (PM_PRESENT | PM_SWAPPED))) {
					i++;
					continue;
				}
				size_t j = i + 1;
				while (j < np && (pm[j] & (PM_PRESENT | PM_SWAPPED)))
					j++;
				if (copy_range(pid, fd, v, a + i * PAGE, (j - i) * PAGE, true, force, buf, prog, &stored) < 0) {
					free(pm);
					return -1;
				}
				i = j;
			}
			free(pm);
			a += span;
		}
	}
	r->stored_bytes = stored;
	return 0;
}

int mem_write(pid_t pid, int fd, struct process_image *p, struct mem_progress *prog)
{
	uint8_t *buf = xmalloc(CHUNK);
	int rc = 0;
	for (size_t i = 0; i < p->nvmas && rc == 0; i++)
		rc = write_vma(pid, fd, &p->vmas[i], buf, prog);
	free(buf);
	return rc;
}
