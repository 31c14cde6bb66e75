/* Memory write tracking between captures: see memtrack.h. */
#include "memtrack.h"
#include "inject.h"
#include "pagescan.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The C library's kernel headers may predate this (Linux 6.7); the kernel decides at run time. */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

struct tracked_proc {
	pid_t pid;
	unsigned long long start_time; /* a pid reused by another process is not this one */
	int uffd;
	struct addr_range *armed;      /* mappings write-protected at the last capture */
	size_t narmed, cap_armed;
};

struct ckpt_tracker {
	struct tracked_proc *procs;
	size_t nprocs, cap_procs;
	/* The statefile of the last committed capture; ino 0: none. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct ckpt_tracker *ckpt_tracker_new(void)
{
	return xcalloc(1, sizeof(struct ckpt_tracker));
}

void ckpt_tracker_free(struct ckpt_tracker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nprocs; i++) {
		close(t->procs[i].uffd);
		free(t->procs[i].armed);
	}
	free(t->procs);
	free(t);
}

/* Private anonymous memory, which a clone serves: what tracking covers. */
static bool trackable(const struct ckpt_rec_vma *v)
{
	return (v->flags & CKPT_VMA_ANON) && v->store == CKPT_STORE_FULL &&
	       !(v->flags & (CKPT_VMA_SHARED | CKPT_VMA_DONTFORK | CKPT_VMA_WIPEONFORK | CKPT_VMA_VDSO |
			     CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL | CKPT_VMA_SYSVSHM));
}

static unsigned long long start_time_of(pid_t pid)
{
	unsigned long long f[53];
	char state;
	return proc_stat(pid, f, &state, NULL) < 0 ? 0 : f[22];
}

/* A userfaultfd of the frozen process's mm, made inside it and moved to us. */
static int take_uffd(struct frozen_proc *fp)
{
	if (inject_filtered(fp->pid))
		return -1;
	struct inject in;
	if (inject_begin(&in, fp->tasks[0].tid, fp->gadget, 0) < 0)
		return -1;
	long remote = -1, ignored;
	int uffd = -1;
	if (inject_syscall(&in, SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY, 0, 0, 0, 0, 0, &remote) == 0 &&
	    remote >= 0) {
		uffd = take_fd(fp->pid, (int)remote);
		inject_syscall(&in, SYS_close, (uint64_t)remote, 0, 0, 0, 0, 0, &ignored);
	}
	if (inject_end(&in) < 0 && uffd >= 0) {
		close(uffd);
		return -1;
	}
	if (uffd < 0)
		return -1;
	/* Not UFFD_FEATURE_WP_UNPOPULATED: it would fill the page tables of every reservation. */
	struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_WP_ASYNC};
	if (ioctl(uffd, UFFDIO_API, &api) < 0) {
		close(uffd);
		return -1;
	}
	return uffd;
}

/* Write-protects what a mapping has, so that its next writes are seen.  Not
 * UFFDIO_WRITEPROTECT: it would fill page tables for all of a big reservation; this walk only
 * visits the page tables that exist. */
static bool protect(int pagemap, const struct ckpt_rec_vma *v)
{
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		.start = v->start,
		.end = v->end,
	};
	while (a.start < v->end) {
		if (ioctl(pagemap, PAGEMAP_SCAN, &a) < 0 || a.walk_end <= a.start)
			return false;
		a.start = a.walk_end;
	}
	return true;
}

static bool arm(int uffd, int pagemap, const struct ckpt_rec_vma *v)
{
	struct uffdio_register reg = {.range = {v->start, v->end - v->start}, .mode = UFFDIO_REGISTER_MODE_WP};
	return ioctl(uffd, UFFDIO_REGISTER, &reg) == 0 && protect(pagemap, v);
}

/* The pages of a mapping written since it was armed, then protected again.  Pages written and
 * then dropped (MADV_DONTNEED) count as written, and read as zeros now; so do pages that have
 * no page table, which cost a cheap pagemap read. */
static bool take_written(int pagemap, struct vma_image *vi)
{
	struct page_region regions[256];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = PM_SCAN_CHECK_WPASYNC,
		.start = vi->rec.start,
		.end = vi->rec.end,
		.vec = (uint64_t)(uintptr_t)regions,
		.vec_len = sizeof(regions) / sizeof(regions[0]),
		.category_anyof_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN,
	};
	vi->nwritten = 0;
	while (a.start < vi->rec.end) {
		long n = ioctl(pagemap, PAGEMAP_SCAN, &a);
		if (n < 0 || a.walk_end <= a.start)
			return false;
		for (long i = 0; i < n; i++) {
			if (vi->nwritten && vi->written[vi->nwritten - 1].end == regions[i].start)
				vi->written[vi->nwritten - 1].end = regions[i].end;
			else
				*ARR_PUSH(vi->written, vi->nwritten, vi->cap_written) =
					(struct addr_range){regions[i].start, regions[i].end};
		}
		a.start = a.walk_end;
	}
	return protect(pagemap, &vi->rec);
}

static bool was_armed(const struct addr_range *armed, size_t n, const struct ckpt_rec_vma *v)
{
	for (size_t i = 0; i < n; i++)
		if (armed[i].start == v->start && armed[i].end == v->end)
			return true;
	return false;
}

static void drop_proc(struct ckpt_tracker *t, size_t i)
{
	close(t->procs[i].uffd);
	free(t->procs[i].armed);
	t->procs[i] = t->procs[--t->nprocs];
}

static struct tracked_proc *find_proc(struct ckpt_tracker *t, pid_t pid, unsigned long long start_time)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		if (t->procs[i].pid != pid)
			continue;
		if (t->procs[i].start_time == start_time)
			return &t->procs[i];
		drop_proc(t, i); /* another process now has this pid: what we tracked is gone */
		break;
	}
	return NULL;
}

static void track_process(struct ckpt_tracker *t, struct frozen_proc *fp, struct process_image *p, bool parent_is_last)
{
	unsigned long long start_time = start_time_of(fp->pid);
	struct tracked_proc *tp = find_proc(t, fp->pid, start_time);
	bool known = tp != NULL;
	if (!tp) {
		int uffd = take_uffd(fp);
		if (uffd < 0) {
			ckpt_debug("no write tracking for pid %d", fp->pid);
			return;
		}
		tp = ARR_PUSH(t->procs, t->nprocs, t->cap_procs);
		tp->pid = fp->pid;
		tp->start_time = start_time;
		tp->uffd = uffd;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", fp->pid);
	int pagemap = open(path, O_RDONLY | O_CLOEXEC);
	struct addr_range *before = tp->armed;
	size_t nbefore = tp->narmed;
	tp->armed = NULL;
	tp->narmed = tp->cap_armed = 0;
	uint64_t t0 = now_ns(), written = 0, tracked = 0;
	for (size_t k = 0; k < p->nvmas; k++) {
		struct vma_image *vi = &p->vmas[k];
		if (!trackable(&vi->rec))
			continue;
		bool armed = known && parent_is_last && pagemap >= 0 && was_armed(before, nbefore, &vi->rec) &&
			     take_written(pagemap, vi);
		if (armed) {
			vi->tracked = true;
			for (size_t w = 0; w < vi->nwritten; w++)
				written += vi->written[w].end - vi->written[w].start;
			tracked += vi->rec.end - vi->rec.start;
		} else if (pagemap < 0 || !arm(tp->uffd, pagemap, &vi->rec)) {
			continue;
		}
		*ARR_PUSH(tp->armed, tp->narmed, tp->cap_armed) = (struct addr_range){vi->rec.start, vi->rec.end};
	}
	free(before);
	if (pagemap >= 0)
		close(pagemap);
	ckpt_debug("pid %d: %llu of %llu tracked bytes written since the last capture; armed in %.3f ms", fp->pid,
		   (unsigned long long)written, (unsigned long long)tracked, (now_ns() - t0) / 1e6);
}

void memtrack_capture(struct ckpt_tracker *t, struct frozen_tree *tree, struct statefile_image *img, bool parent_is_last)
{
	for (size_t i = 0; i < tree->nprocs && i < img->nprocs; i++)
		track_process(t, &tree->procs[i], &img->procs[i], parent_is_last);
	memtrack_forget_file(t); /* until this capture commits */
	/* Processes that left the tree keep nothing of ours alive. */
	for (size_t i = 0; i < t->nprocs;) {
		bool in_tree = false;
		for (size_t k = 0; k < tree->nprocs; k++)
			in_tree |= tree->procs[k].pid == t->procs[i].pid;
		if (in_tree)
			i++;
		else
			drop_proc(t, i);
	}
	ckpt_clear_error();
}

void memtrack_committed(struct ckpt_tracker *t, int fd)
{
	struct stat st;
	if (fstat(fd, &st) == 0) {
		t->dev = st.st_dev;
		t->ino = st.st_ino;
		t->size = st.st_size;
		t->mtime = st.st_mtim;
	}
}

void memtrack_forget_file(struct ckpt_tracker *t)
{
	t->dev = 0;
	t->ino = 0;
}

bool memtrack_is_last(const struct ckpt_tracker *t, int fd)
{
	struct stat st;
	return t->ino && fstat(fd, &st) == 0 && st.st_dev == t->dev && st.st_ino == t->ino && st.st_size == t->size &&
	       st.st_mtim.tv_sec == t->mtime.tv_sec && st.st_mtim.tv_nsec == t->mtime.tv_nsec;
}
