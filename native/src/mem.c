/* Memory: the layout of a process's mappings, and rebuilding them at restart (mem.h). */
#include "mem.h"
#include "elfutil.h"
#include "files.h"
#include "inject.h"
#include "pagescan.h"
#include "procattr.h"
#include "remote.h"
#include "sysvipc.h"
#include "util.h"
#include "vdso.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ull
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif

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
		{"sr", CKPT_VMA_SEQUENTIAL}, {"rr", CKPT_VMA_RANDOM}, {"mg", CKPT_VMA_MERGEABLE},
		{"dp", CKPT_VMA_DROPPABLE}, {"lf", CKPT_VMA_LOCKONFAULT},
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

static int stop_at_private(void *arg, uint64_t start, uint64_t end, uint64_t cat)
{
	(void)arg, (void)start, (void)end;
	return (cat & PAGE_IS_SWAPPED) || !(cat & PAGE_IS_FILE);
}

/* Whether a private file mapping has pages the process changed (now anonymous copies). */
static int has_private_pages(pid_t pid, uint64_t start, uint64_t end, bool *dirty)
{
	int fd = pagemap_open(pid);
	if (fd < 0)
		return -1;
	int r = pagemap_for_each_populated(fd, pid, start, end, stop_at_private, NULL);
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

/* A file no longer on disk under its name: recorded by its identity and its old path. */
static uint32_t deleted_file_index(struct process_image *p, const struct smaps_vma *v)
{
	struct ckpt_rec_file rec = {.ino = v->ino, .dev = makedev(v->dev_major, v->dev_minor)};
	char *clean = xstrdup(v->path);
	if (ends_with(clean, " (deleted)"))
		clean[strlen(clean) - 10] = 0;
	uint32_t i = (uint32_t)image_file_index(p, clean, &rec);
	free(clean);
	return i;
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

/* The flags that come from VmFlags (vma_flags_from): advice changes some of them in place
 * (madvise, mlock), and a mapping made again at the same place may have others. */
#define SMAPS_FLAGS (CKPT_VMA_GROWSDOWN | CKPT_VMA_HUGEPAGE | CKPT_VMA_NOHUGEPAGE | CKPT_VMA_DONTFORK | \
		     CKPT_VMA_WIPEONFORK | CKPT_VMA_DONTDUMP | CKPT_VMA_LOCKED | CKPT_VMA_MAYWRITE | \
		     CKPT_VMA_NORESERVE | CKPT_VMA_SEQUENTIAL | CKPT_VMA_RANDOM | CKPT_VMA_MERGEABLE | \
		     CKPT_VMA_DROPPABLE | CKPT_VMA_LOCKONFAULT)

/* The mappings with their VmFlags.  Reading smaps walks every page table, a cost that grows
 * with the process's memory, so flags come from a hint when the layout (maps) is the hint's;
 * otherwise smaps is read now.  A kept hint is also checked against the locked total (mlock
 * changes no layout); the other advice it may miss is put right by mem_hint_refresh. */
static int read_layout(pid_t pid, const struct mem_hint *hint, struct smaps_vma **sv, size_t *n)
{
	if (!hint || hint->pid != pid)
		return read_smaps(pid, "smaps", sv, n);
	if (read_smaps(pid, "maps", sv, n) < 0)
		return -1;
	long long locked = 0;
	for (size_t i = 0; i < *n; i++) {
		const struct smaps_vma *h = NULL;
		for (size_t k = 0; k < hint->n && !h; k++)
			if (same_vma(&(*sv)[i], &hint->vmas[k]))
				h = &hint->vmas[k];
		if (!h)
			goto changed;
		memcpy((*sv)[i].vmflags, h->vmflags, sizeof(h->vmflags));
		if (vma_flags_from(h->vmflags) & CKPT_VMA_LOCKED)
			locked += (long long)(h->end - h->start);
	}
	if (hint->kept && locked != procattr_locked_kib(pid) * 1024)
		goto changed;
	return 0;
changed:
	free_smaps(*sv, *n);
	return read_smaps(pid, "smaps", sv, n);
}

size_t mem_hint_refresh(struct process_image *p, const struct mem_hint *fresh)
{
	size_t changed = 0;
	for (size_t i = 0; i < p->nvmas; i++) {
		struct ckpt_rec_vma *r = &p->vmas[i].rec;
		for (size_t k = 0; k < fresh->n; k++) {
			const struct smaps_vma *s = &fresh->vmas[k];
			if (s->start != r->start || s->end != r->end)
				continue;
			uint32_t now = vma_flags_from(s->vmflags) & SMAPS_FLAGS;
			if ((r->flags & SMAPS_FLAGS) != now) {
				ckpt_debug("mapping %#llx-%#llx: flags %#x, not %#x as kept", (unsigned long long)r->start,
					   (unsigned long long)r->end, now, r->flags & SMAPS_FLAGS);
				r->flags = (r->flags & ~SMAPS_FLAGS) | now;
				changed++;
			}
			break;
		}
	}
	return changed;
}

/* A private mapping of a memory object (a memfd, shared anonymous memory, a deleted file)
 * shows the object's pages until the process changes one.  Restart maps the object again when
 * something else of the process keeps it: a shared mapping of it, or an fd of a memfd or a
 * deleted file (their contents are saved, ghost.c). */
static bool object_kept(pid_t pid, const struct smaps_vma *sv, size_t n, const struct smaps_vma *v, bool shmem)
{
	for (size_t i = 0; i < n; i++)
		if (sv[i].perms[3] == 's' && sv[i].ino == v->ino && sv[i].dev_major == v->dev_major &&
		    sv[i].dev_minor == v->dev_minor)
			return true;
	if (shmem && strncmp(v->path, "/memfd:", 7) != 0)
		return false; /* an fd of shared anonymous memory is saved as a file of its own */
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	DIR *d = opendir(dir);
	bool kept = false;
	for (struct dirent *e; d && !kept && (e = readdir(d));) {
		char link[PATH_MAX], target[PATH_MAX];
		struct stat st;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (e->d_name[0] == '.' || len <= 0 || stat(link, &st) < 0)
			continue;
		target[len] = 0;
		kept = S_ISREG(st.st_mode) && st.st_ino == v->ino && major(st.st_dev) == v->dev_major &&
		       minor(st.st_dev) == v->dev_minor && strcmp(target, v->path) == 0;
	}
	if (d)
		closedir(d);
	return kept;
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

		bool shmem = strncmp(path, "/memfd:", 7) == 0 || strcmp(path, "/dev/zero (deleted)") == 0;
		if (vdso_capture(path, r)) {
			/* the kernel's own (vdso.h) */
		} else if (!shared && (shmem || ends_with(path, " (deleted)")) && object_kept(pid, sv, n, s, shmem)) {
			/* Only the changed pages are stored: the others come from the object. */
			r->store = CKPT_STORE_COW;
			if (shmem) {
				r->flags |= CKPT_VMA_ANON;
				r->shmem_id = s->ino;
			} else {
				r->flags |= CKPT_VMA_DELETED;
				r->file = deleted_file_index(p, s);
			}
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
				r->file = deleted_file_index(p, s);
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

static bool same_object(const struct process_image *p, const struct ckpt_rec_vma *v, uint32_t kind, uint64_t dev,
			uint64_t ino)
{
	if (v->flags & CKPT_VMA_ANON)
		return kind == CKPT_FD_MEMFD && ino == v->shmem_id;
	const struct ckpt_rec_file *f = &p->files[v->file].rec;
	return kind == CKPT_FD_GHOST && dev == f->dev && ino == f->ino;
}

int mem_check_objects(const struct process_image *p)
{
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct ckpt_rec_vma *v = &p->vmas[i].rec;
		if (v->store != CKPT_STORE_COW)
			continue;
		bool kept = false;
		for (size_t k = 0; k < p->nvmas && !kept; k++) {
			const struct ckpt_rec_vma *w = &p->vmas[k].rec;
			if (!(w->flags & CKPT_VMA_SHARED) || (w->flags & CKPT_VMA_ANON) != (v->flags & CKPT_VMA_ANON))
				continue;
			if (v->flags & CKPT_VMA_ANON)
				kept = w->shmem_id == v->shmem_id;
			else
				kept = (w->flags & CKPT_VMA_DELETED) && w->file != CKPT_NO_INDEX &&
				       same_object(p, v, CKPT_FD_GHOST, p->files[w->file].rec.dev, p->files[w->file].rec.ino);
		}
		for (size_t k = 0; k < p->nfds && !kept; k++)
			kept = same_object(p, v, p->fds[k].rec.kind, p->fds[k].rec.dev, p->fds[k].rec.ino);
		if (!kept)
			return ckpt_fail("pid %u: the private mapping at 0x%llx keeps only its changed pages, but the process "
					 "keeps no other mapping or fd of the object it maps",
					 p->rec.pid, (unsigned long long)v->start);
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Restart                                                                                   */

#include "pager.h"

#include <pthread.h>

bool mem_relies_on_file(const struct ckpt_rec_vma *v)
{
	return v->file != CKPT_NO_INDEX && !(v->flags & CKPT_VMA_DELETED) && v->store != CKPT_STORE_FULL;
}

enum mem_file_state mem_file_state(const struct file_image *f, const struct ckpt_rec_vma *v, char **why)
{
	*why = NULL;
	struct stat st;
	if (stat(f->path, &st) < 0) {
		*why = xasprintf("is gone (%s)", strerror(errno));
		return MEM_FILE_MISSING;
	}
	/* A shared writable mapping writes into its file: the file changing is expected. */
	if ((v->flags & CKPT_VMA_SHARED) && (v->flags & CKPT_VMA_MAYWRITE))
		return MEM_FILE_SAME;
	if ((uint64_t)st.st_size != f->rec.size) {
		*why = xasprintf("changed since the snapshot (size %llu, now %llu)", (unsigned long long)f->rec.size,
				 (unsigned long long)st.st_size);
		return MEM_FILE_CHANGED;
	}
	uint8_t id[32];
	size_t idlen = 0;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		idlen = elf_build_id(fd, id, sizeof(id));
		close(fd);
	}
	if (f->rec.build_id_len || idlen) {
		if (idlen != f->rec.build_id_len || memcmp(id, f->rec.build_id, idlen) != 0) {
			*why = xstrdup("changed since the snapshot (its build-id differs)");
			return MEM_FILE_CHANGED;
		}
		return MEM_FILE_SAME; /* same build-id: the same contents, even if the file was copied or touched */
	}
	if (st.st_mtim.tv_sec != f->rec.mtime_sec || (uint32_t)st.st_mtim.tv_nsec != f->rec.mtime_nsec) {
		*why = xstrdup("changed since the snapshot (modification time differs)");
		return MEM_FILE_CHANGED;
	}
	return MEM_FILE_SAME;
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

/* A shared memory object that several mappings of the tree use, or that fds of the tree hold
 * too: ckpt keeps an fd of it, inherited by the skeleton, that every process maps.  Shared
 * anonymous memory is kept in a memfd; a deleted file mapped MAP_SHARED in a deleted file. */
struct shared_object {
	uint64_t id;       /* shmem_id, or the deleted file's inode */
	uint64_t dev;      /* the deleted file's device */
	bool deleted_file;
	bool holds_bytes;  /* made again by files.c from an fd's saved contents: nothing to fill */
	int fd;
};

struct mem_restore {
	const struct statefile_image *img;
	int sf_fd;
	uint64_t tramp;
	struct shared_object *shared;
	size_t nshared, cap_shared;
};

/* Mappings of a memory object: shared ones, and private ones that keep only the pages they
 * changed (CKPT_STORE_COW). */
static bool maps_object(const struct ckpt_rec_vma *v)
{
	return (v->flags & CKPT_VMA_SHARED) || v->store == CKPT_STORE_COW;
}

static bool maps_anon_object(const struct ckpt_rec_vma *v)
{
	return (v->flags & CKPT_VMA_ANON) && maps_object(v);
}

static bool maps_deleted_object(const struct ckpt_rec_vma *v)
{
	return !(v->flags & CKPT_VMA_ANON) && maps_object(v) && (v->flags & CKPT_VMA_DELETED) && v->file != CKPT_NO_INDEX;
}

/* The object a shared mapping of the process maps, NULL if it has none of its own. */
static const struct shared_object *find_shared(const struct mem_restore *m, const struct process_image *p,
					       const struct ckpt_rec_vma *v)
{
	bool deleted = maps_deleted_object(v);
	if (!deleted && !maps_anon_object(v))
		return NULL;
	const struct ckpt_rec_file *file = deleted ? &p->files[v->file].rec : NULL;
	for (size_t i = 0; i < m->nshared; i++) {
		const struct shared_object *o = &m->shared[i];
		if (deleted ? o->deleted_file && o->id == file->ino && o->dev == file->dev
			    : !o->deleted_file && o->id == v->shmem_id)
			return o;
	}
	return NULL;
}

/* A read-write fd of an object files.c made again: its mappings may be writable even when the
 * program's fds are not.  Where its mode forbids that, the fd itself (read-only mappings work). */
static int reopen_writable(int fd, int fd_base)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int r = open(self, O_RDWR | O_CLOEXEC);
	if (r >= 0)
		return fd_move_up(r, fd_base);
	r = fcntl(fd, F_DUPFD_CLOEXEC, fd_base);
	return r < 0 ? ckpt_fail_errno("cannot share a memfd or deleted file with its mappings") : r;
}

/* The size a deleted file that only mappings hold comes back with: as far as they reach. */
static uint64_t mapped_extent(const struct statefile_image *img, const struct ckpt_rec_file *file)
{
	uint64_t size = 0;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++) {
			const struct ckpt_rec_vma *w = &img->procs[i].vmas[k].rec;
			const struct ckpt_rec_file *f = maps_deleted_object(w) ? &img->procs[i].files[w->file].rec : NULL;
			if (f && f->ino == file->ino && f->dev == file->dev && w->pgoff + (w->end - w->start) > size)
				size = w->pgoff + (w->end - w->start);
		}
	return size;
}

/* The deleted files mapped MAP_SHARED come back as deleted files: the one files.c made when fds
 * of the tree hold it, else a new one that every mapping of it shares, filled from the mappings. */
static int prepare_deleted_files(struct mem_restore *m, const struct files_restore *fr, int fd_base)
{
	const struct statefile_image *img = m->img;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++) {
			const struct process_image *p = &img->procs[i];
			const struct ckpt_rec_vma *v = &p->vmas[k].rec;
			if (!maps_deleted_object(v) || find_shared(m, p, v))
				continue;
			const struct ckpt_rec_file *file = &p->files[v->file].rec;
			int made = fr ? files_restore_object(fr, CKPT_FD_GHOST, &file->dev, file->ino) : -1;
			int fd = made >= 0 ? reopen_writable(made, fd_base)
					   : ghost_make_unlinked(p->files[v->file].path, p->rec.pid, mapped_extent(img, file));
			if (fd < 0)
				return -1;
			struct shared_object *o = ARR_PUSH(m->shared, m->nshared, m->cap_shared);
			o->id = file->ino;
			o->dev = file->dev;
			o->deleted_file = true;
			o->holds_bytes = made >= 0;
			o->fd = made >= 0 ? fd : fd_move_up(fd, fd_base);
		}
	return 0;
}

struct mem_restore *mem_restore_prepare(const struct statefile_image *img, const struct files_restore *fr, int sf_fd,
					uint64_t tramp, int fd_base)
{
	struct mem_restore *m = xcalloc(1, sizeof(*m));
	m->img = img;
	m->sf_fd = sf_fd;
	m->tramp = tramp;
	/* A shared anonymous object seen in more than one mapping must stay one object. */
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nvmas; k++) {
			const struct ckpt_rec_vma *v = &img->procs[i].vmas[k].rec;
			if (!maps_anon_object(v) || find_shared(m, &img->procs[i], v) || sysvipc_attaches(img, v))
				continue;
			/* A memfd that fds of the tree hold too: the mappings map the one files.c made. */
			int memfd = fr ? files_restore_object(fr, CKPT_FD_MEMFD, NULL, v->shmem_id) : -1;
			if (memfd >= 0) {
				int fd = reopen_writable(memfd, fd_base);
				if (fd < 0) {
					mem_restore_free(m);
					return NULL;
				}
				struct shared_object *o = ARR_PUSH(m->shared, m->nshared, m->cap_shared);
				o->id = v->shmem_id;
				o->holds_bytes = true;
				o->fd = fd;
				continue;
			}
			unsigned uses = 0;
			uint64_t size = 0;
			for (size_t j = 0; j < img->nprocs; j++)
				for (size_t n = 0; n < img->procs[j].nvmas; n++) {
					const struct ckpt_rec_vma *w = &img->procs[j].vmas[n].rec;
					if (maps_anon_object(w) && w->shmem_id == v->shmem_id) {
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
	if (prepare_deleted_files(m, fr, fd_base) < 0) {
		mem_restore_free(m);
		return NULL;
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
		bool keep = sscanf(l, "%llx-%llx", &a, &b) != 2 || a == m->tramp || vdso_in_maps_line(l);
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

/* Whether restart copies bytes from the statefile into this mapping (a restored SysV segment,
 * memfd or deleted file has its bytes already). */
static bool needs_fill(const struct mem_restore *m, const struct process_image *p, const struct vma_image *v)
{
	const struct shared_object *s = find_shared(m, p, &v->rec);
	if (v->rec.store == CKPT_STORE_COW)
		return true;
	return v->rec.store == CKPT_STORE_FULL && v->file_size && !vdso_is_special(&v->rec) &&
	       !sysvipc_attaches(m->img, &v->rec) && !(s && s->holds_bytes);
}

static int map_one(const struct mem_restore *m, struct inject *in, const struct process_image *p, const struct vma_image *v,
		   int *file_fds)
{
	const struct ckpt_rec_vma *r = &v->rec;
	uint64_t len = r->end - r->start;
	int prot = (int)r->prot | (needs_fill(m, p, v) ? PROT_WRITE : 0);
	long ret;
	int flags = MAP_FIXED | ((r->flags & CKPT_VMA_GROWSDOWN) ? MAP_GROWSDOWN : 0) |
		    ((r->flags & CKPT_VMA_NORESERVE) ? MAP_NORESERVE : 0);
	/* A shared object of the tree; unless it holds its bytes already, every process fills in the
	 * pages it had present: together, the whole object. */
	const struct shared_object *s = find_shared(m, p, r);
	if (s)
		return inject_syscall_checked(in, "mmap (shared memory)", SYS_mmap, r->start, len, (uint64_t)prot,
					      (uint64_t)(flags | ((r->flags & CKPT_VMA_SHARED) ? MAP_SHARED : MAP_PRIVATE)),
					      (uint64_t)s->fd, r->pgoff, &ret);
	if (r->store == CKPT_STORE_COW)
		return ckpt_fail("pid %u: the private mapping at 0x%llx keeps only its changed pages, but nothing in the "
				 "statefile holds the memory object it maps",
				 p->rec.pid, (unsigned long long)r->start);
	if (r->flags & CKPT_VMA_ANON) {
		if (r->flags & CKPT_VMA_SHARED)
			return inject_syscall_checked(in, "mmap (shared anonymous)", SYS_mmap, r->start, len, (uint64_t)prot,
					       (uint64_t)(flags | MAP_SHARED | MAP_ANONYMOUS), (uint64_t)-1, 0, &ret);
		if (r->flags & CKPT_VMA_DROPPABLE) {
			if (inject_syscall(in, SYS_mmap, r->start, len, (uint64_t)prot, (uint64_t)(flags | MAP_DROPPABLE | MAP_ANONYMOUS),
					   (uint64_t)-1, 0, &ret) < 0)
				return -1;
			if (ret != -EINVAL)
				return ret < 0 ? (errno = (int)-ret, ckpt_fail_errno("mmap (droppable) in the restarted process")) : 0;
			/* A kernel before 6.11: memory that is never dropped is what the program may see anyway. */
			ckpt_warn("pid %u: this kernel has no MAP_DROPPABLE; the mapping at 0x%llx is kept as ordinary memory",
				  p->rec.pid, (unsigned long long)r->start);
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
		{CKPT_VMA_DONTDUMP, MADV_DONTDUMP}, {CKPT_VMA_SEQUENTIAL, MADV_SEQUENTIAL},
		{CKPT_VMA_RANDOM, MADV_RANDOM}, {CKPT_VMA_MERGEABLE, MADV_MERGEABLE},
	};
	/* As at capture, an advice this kernel lacks (MADV_MERGEABLE without KSM) is not an error. */
	for (size_t i = 0; i < ARRAY_LEN(adv); i++) {
		long ret;
		if ((r->flags & adv[i].flag) &&
		    inject_syscall(in, SYS_madvise, r->start, r->end - r->start, (uint64_t)adv[i].advice, 0, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

/* Locked mappings are locked again once their contents are in place (the pager leaves them
 * alone, pager_wants): mlock faults in the rest, MLOCK_ONFAULT locks what is there and what
 * comes.  What the restarting user may not lock runs on unlocked, with one warning. */
static int lock_mappings(struct inject *in, const struct process_image *p, pid_t outer_pid)
{
	uint64_t locked = 0;
	for (size_t k = 0; k < p->nvmas; k++)
		if (p->vmas[k].rec.flags & CKPT_VMA_LOCKED)
			locked += p->vmas[k].rec.end - p->vmas[k].rec.start;
	if (!locked)
		return 0;
	procattr_raise_memlock(outer_pid, p);
	bool warned = false;
	for (size_t k = 0; k < p->nvmas; k++) {
		const struct ckpt_rec_vma *r = &p->vmas[k].rec;
		if (!(r->flags & CKPT_VMA_LOCKED))
			continue;
		long ret;
		uint64_t how = (r->flags & CKPT_VMA_LOCKONFAULT) ? MLOCK_ONFAULT : 0;
		if (inject_syscall(in, SYS_mlock2, r->start, r->end - r->start, how, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret < 0 && !warned) {
			bool limit = ret == -ENOMEM || ret == -EPERM || ret == -EAGAIN;
			ckpt_warn("pid %u: cannot lock all of its %llu KiB of locked memory again (at 0x%llx: %s%s); "
				  "what does not fit runs unlocked",
				  p->rec.pid, (unsigned long long)(locked / 1024), (unsigned long long)r->start,
				  strerror((int)-ret), limit ? ", beyond RLIMIT_MEMLOCK here?" : "");
			warned = true;
		}
	}
	return 0;
}

int mem_restore_process(const struct mem_restore *m, struct inject *in, const struct process_image *p, pid_t outer_pid,
			struct pager *lazy)
{
	if (munmap_skeleton(m, in, outer_pid) < 0 || vdso_move(in, p, outer_pid, m->sf_fd, m->tramp) < 0)
		return -1;
	int *file_fds = xmalloc((p->nfiles + 1) * sizeof(int));
	for (size_t i = 0; i < p->nfiles; i++)
		file_fds[i] = -1;
	int rc = 0;
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		if (vdso_is_special(&v->rec))
			continue;
		rc = sysvipc_attaches(m->img, &v->rec) ? sysvipc_attach(in, m->sf_fd, m->img, p, k) : map_one(m, in, p, v, file_fds);
		if (rc == 0)
			rc = advise_one(in, &v->rec);
	}
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		if (!needs_fill(m, p, v))
			continue;
		rc = lazy && pager_wants(v) ? fill_lazily(m, in, p, v, lazy) : fill_one(m, in, v);
	}
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct vma_image *v = &p->vmas[k];
		long ret;
		if (needs_fill(m, p, v) && !(v->rec.prot & PROT_WRITE))
			rc = inject_syscall_checked(in, "mprotect", SYS_mprotect, v->rec.start, v->rec.end - v->rec.start,
						    v->rec.prot, 0, 0, 0, &ret);
	}
	if (rc == 0)
		rc = lock_mappings(in, p, outer_pid);
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
