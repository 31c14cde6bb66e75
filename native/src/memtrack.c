/* Memory write tracking between captures: see memtrack.h. */
#include "memtrack.h"
#include "inject.h"
#include "mem.h"
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
	int last_capture;              /* that capture's entry in the history once committed; -1 */
};

/* A statefile as it was when committed: one saved over later is another. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* A committed capture of a one-process tree, for rewinding (memtrack_rewind_plan): which
 * mappings' writes since its parent capture are known, and those writes. */
struct saved_capture {
	struct file_id file;
	int parent;                    /* index in history of the capture this one is relative to; -1 */
	pid_t pid;
	unsigned long long start_time;
	struct addr_range *tracked;    /* mappings whose writes since the parent are known */
	size_t ntracked, cap_tracked;
	struct addr_range *written;    /* those writes, in address order */
	size_t nwritten, cap_written;
};

#define HISTORY_MAX 4096

struct ckpt_tracker {
	struct tracked_proc *procs;
	size_t nprocs, cap_procs;
	/* The statefile of the last committed capture; ino 0: none. */
	struct file_id last;
	struct saved_capture pending;  /* of the capture in progress, until it commits */
	bool have_pending;
	struct saved_capture *history;
	size_t nhistory, cap_history;
	/* The last captured root's layout with its flags, read after that capture, for the next
	 * capture of the same process (memtrack_layout); pid 0: none. */
	struct mem_hint layout;
	unsigned long long layout_start_time;
};

struct ckpt_tracker *ckpt_tracker_new(void)
{
	return xcalloc(1, sizeof(struct ckpt_tracker));
}

static void saved_capture_free(struct saved_capture *c)
{
	free(c->tracked);
	free(c->written);
	memset(c, 0, sizeof(*c));
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
	for (size_t i = 0; i < t->nhistory; i++)
		saved_capture_free(&t->history[i]);
	free(t->history);
	saved_capture_free(&t->pending);
	mem_hint_free(&t->layout);
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

static void append_range(struct addr_range **out, size_t *n, size_t *cap, size_t first, uint64_t start, uint64_t end)
{
	if (*n > first && (*out)[*n - 1].end == start)
		(*out)[*n - 1].end = end;
	else
		*ARR_PUSH(*out, *n, *cap) = (struct addr_range){start, end};
}

/* Appends the pages of [start, end) written since they were last protected, adjacent ones
 * merged, and with protect_again write-protects exactly those (the others still are), in the
 * same walk.  Pages written and then dropped (MADV_DONTNEED) count as written, and read as
 * zeros now; so do pages that have no page table, which cost a cheap pagemap read.  With pop,
 * the written pages present or swapped out are appended there too. */
static bool scan_written(int pagemap, uint64_t start, uint64_t end, bool protect_again, struct addr_range **out,
			 size_t *n, size_t *cap, struct addr_range **pop, size_t *npop, size_t *cappop)
{
	struct page_region regions[256];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = PM_SCAN_CHECK_WPASYNC | (protect_again ? PM_SCAN_WP_MATCHING : 0),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)regions,
		.vec_len = ARRAY_LEN(regions),
		.category_anyof_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN | (pop ? PAGE_IS_PRESENT | PAGE_IS_SWAPPED : 0),
	};
	size_t first = *n, first_pop = pop ? *npop : 0;
	while (a.start < end) {
		long got = ioctl(pagemap, PAGEMAP_SCAN, &a);
		if (got < 0 || a.walk_end <= a.start)
			return false;
		for (long i = 0; i < got; i++) {
			append_range(out, n, cap, first, regions[i].start, regions[i].end);
			if (pop && (regions[i].categories & (PAGE_IS_PRESENT | PAGE_IS_SWAPPED)))
				append_range(pop, npop, cappop, first_pop, regions[i].start, regions[i].end);
		}
		a.start = a.walk_end;
	}
	return true;
}

/* The pages of a mapping written since it was armed, protected again: one walk, which
 * writes to the page tables of the written pages only. */
static bool take_written(int pagemap, struct vma_image *vi)
{
	vi->nwritten = vi->nwritten_populated = 0;
	return scan_written(pagemap, vi->rec.start, vi->rec.end, true, &vi->written, &vi->nwritten, &vi->cap_written,
			    &vi->written_populated, &vi->nwritten_populated, &vi->cap_written_populated);
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

/* Takes the writes since the process's last capture and arms tracking again.  Returns false
 * when the process has no tracking; *previous is the history entry of its last committed
 * capture, which the writes taken are relative to (-1: none), and *start_time its start. */
static bool track_process(struct ckpt_tracker *t, struct frozen_proc *fp, struct process_image *p, bool parent_is_last,
			  int *previous, unsigned long long *start_time_out)
{
	unsigned long long start_time = start_time_of(fp->pid);
	*start_time_out = start_time;
	*previous = -1;
	struct tracked_proc *tp = find_proc(t, fp->pid, start_time);
	bool known = tp != NULL;
	if (tp) {
		/* Until this capture commits, the writes since then are no one's. */
		*previous = tp->last_capture;
		tp->last_capture = -1;
	} else {
		int uffd = take_uffd(fp);
		if (uffd < 0) {
			ckpt_debug("no write tracking for pid %d", fp->pid);
			return false;
		}
		tp = ARR_PUSH(t->procs, t->nprocs, t->cap_procs);
		tp->pid = fp->pid;
		tp->start_time = start_time;
		tp->uffd = uffd;
		tp->last_capture = -1;
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
		bool armed = known && pagemap >= 0 && was_armed(before, nbefore, &vi->rec) && take_written(pagemap, vi);
		if (armed) {
			vi->writes_known = true;
			vi->tracked = parent_is_last;
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
	return true;
}

/* What a rewind needs of this capture, kept once it commits: only for a tree of one process. */
static void remember_capture(struct ckpt_tracker *t, struct frozen_tree *tree, struct statefile_image *img,
			     unsigned long long start_time, int previous)
{
	saved_capture_free(&t->pending);
	t->have_pending = tree->nprocs == 1 && img->nprocs == 1;
	if (!t->have_pending)
		return;
	struct saved_capture *c = &t->pending;
	c->pid = tree->procs[0].pid;
	c->start_time = start_time;
	c->parent = previous;
	const struct process_image *p = &img->procs[0];
	for (size_t k = 0; k < p->nvmas && c->parent >= 0; k++) {
		const struct vma_image *vi = &p->vmas[k];
		if (!vi->writes_known)
			continue;
		*ARR_PUSH(c->tracked, c->ntracked, c->cap_tracked) = (struct addr_range){vi->rec.start, vi->rec.end};
		for (size_t w = 0; w < vi->nwritten; w++)
			*ARR_PUSH(c->written, c->nwritten, c->cap_written) = vi->written[w];
	}
}

void memtrack_capture(struct ckpt_tracker *t, struct frozen_tree *tree, struct statefile_image *img, bool parent_is_last)
{
	int root_previous = -1;
	unsigned long long root_start = 0;
	bool root_tracked = false;
	for (size_t i = 0; i < tree->nprocs && i < img->nprocs; i++) {
		int previous;
		unsigned long long start_time;
		bool tracked = track_process(t, &tree->procs[i], &img->procs[i], parent_is_last, &previous, &start_time);
		if (i == 0) {
			root_tracked = tracked;
			root_previous = previous;
			root_start = start_time;
		}
	}
	if (root_tracked)
		remember_capture(t, tree, img, root_start, root_previous);
	else
		t->have_pending = false;
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

static bool file_id_of(int fd, struct file_id *id)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return false;
	*id = (struct file_id){st.st_dev, st.st_ino, st.st_size, st.st_mtim};
	return true;
}

static bool same_file(const struct file_id *a, const struct file_id *b)
{
	return a->ino && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int history_index(const struct ckpt_tracker *t, const struct file_id *id)
{
	for (size_t i = t->nhistory; i-- > 0;)
		if (same_file(&t->history[i].file, id))
			return (int)i;
	return -1;
}

void memtrack_committed(struct ckpt_tracker *t, int fd)
{
	if (!file_id_of(fd, &t->last))
		return;
	if (!t->have_pending)
		return;
	t->have_pending = false;
	if (t->nhistory == HISTORY_MAX) {
		/* The oldest goes; parents that pointed to it or before it are cut there. */
		saved_capture_free(&t->history[0]);
		memmove(t->history, t->history + 1, (t->nhistory - 1) * sizeof(*t->history));
		t->nhistory--;
		for (size_t i = 0; i < t->nhistory; i++)
			t->history[i].parent = t->history[i].parent > 0 ? t->history[i].parent - 1 : -1;
		t->pending.parent = t->pending.parent > 0 ? t->pending.parent - 1 : -1;
		for (size_t i = 0; i < t->nprocs; i++)
			t->procs[i].last_capture = t->procs[i].last_capture > 0 ? t->procs[i].last_capture - 1 : -1;
	}
	t->pending.file = t->last;
	/* A statefile saved over (same inode, new contents) is a new entry; the old one is stale. */
	for (size_t i = 0; i < t->nhistory; i++)
		if (t->history[i].file.dev == t->last.dev && t->history[i].file.ino == t->last.ino)
			t->history[i].file.ino = 0;
	*ARR_PUSH(t->history, t->nhistory, t->cap_history) = t->pending;
	memset(&t->pending, 0, sizeof(t->pending));
	int idx = (int)t->nhistory - 1;
	struct tracked_proc *tp = find_proc(t, t->history[idx].pid, t->history[idx].start_time);
	if (tp)
		tp->last_capture = idx;
	ckpt_debug("tracker: capture %d of pid %d follows %d", idx, t->history[idx].pid, t->history[idx].parent);
}

void memtrack_forget_file(struct ckpt_tracker *t)
{
	t->last.ino = 0;
}

bool memtrack_is_last(const struct ckpt_tracker *t, int fd)
{
	struct file_id id;
	return file_id_of(fd, &id) && same_file(&t->last, &id);
}

/* ---- rewinding (rewind.c) ---- */

static bool has_range(const struct addr_range *r, size_t n, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start == start && r[i].end == end)
			return true;
	return false;
}

static int cmp_range(const void *a, const void *b)
{
	const struct addr_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Puts runs in address order and merges those that touch, so that each is written once;
 * returns how many are left. */
static size_t sort_merge(struct addr_range *r, size_t n)
{
	qsort(r, n, sizeof(*r), cmp_range);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out && r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
		} else {
			r[out++] = r[i];
		}
	}
	return out;
}

void memtrack_rewind_plan_merge(struct rewind_plan *plan)
{
	plan->npages = sort_merge(plan->pages, plan->npages);
}

int memtrack_rewind_plan(struct ckpt_tracker *t, pid_t pid, int fd, const struct process_image *p,
			 struct rewind_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	struct file_id id;
	int target = file_id_of(fd, &id) ? history_index(t, &id) : -1;
	if (target < 0)
		return ckpt_fail("it was not saved in this session, or was saved over since");
	const struct saved_capture *tc = &t->history[target];
	unsigned long long start_time = start_time_of(pid);
	if (tc->pid != pid || tc->start_time != start_time)
		return ckpt_fail("it was saved from another process than process %d", pid);
	struct tracked_proc *tp = find_proc(t, pid, start_time);
	if (!tp)
		return ckpt_fail("process %d has no write tracking", pid);
	int last = tp->last_capture;
	if (last < 0)
		return ckpt_fail("the last save of process %d did not complete", pid);

	/* The captures between the last one and the target, through their closest common one:
	 * each one's writes, since its parent, may differ from the target. */
	bool *on_last_line = xcalloc(t->nhistory, sizeof(bool));
	for (int i = last; i >= 0; i = t->history[i].parent)
		on_last_line[i] = true;
	int common = target;
	while (common >= 0 && !on_last_line[common])
		common = t->history[common].parent;
	ckpt_debug("tracker: rewind from capture %d to %d through %d", last, target, common);
	if (common < 0) {
		free(on_last_line);
		return ckpt_fail("the session's saves do not link it with the program's present state");
	}
	int *between = NULL;
	size_t nbetween = 0, cap_between = 0;
	for (int i = last; i != common; i = t->history[i].parent)
		*ARR_PUSH(between, nbetween, cap_between) = i;
	for (int i = target; i != common; i = t->history[i].parent)
		*ARR_PUSH(between, nbetween, cap_between) = i;
	free(on_last_line);

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int pagemap = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	plan->whole = xcalloc(p->nvmas ? p->nvmas : 1, sizeof(bool));
	for (size_t k = 0; k < p->nvmas && rc == 0; k++) {
		const struct ckpt_rec_vma *v = &p->vmas[k].rec;
		bool known = trackable(v) && pagemap >= 0 && has_range(tp->armed, tp->narmed, v->start, v->end);
		for (size_t b = 0; b < nbetween && known; b++)
			known = has_range(t->history[between[b]].tracked, t->history[between[b]].ntracked, v->start, v->end);
		if (!known) {
			plan->whole[k] = true;
			continue;
		}
		size_t first = plan->npages;
		if (!scan_written(pagemap, v->start, v->end, false, &plan->pages, &plan->npages, &plan->cap_pages, NULL, NULL,
				  NULL)) {
			rc = ckpt_fail_errno("cannot read which pages process %d wrote", pid);
			break;
		}
		for (size_t b = 0; b < nbetween; b++) {
			const struct saved_capture *c = &t->history[between[b]];
			for (size_t w = 0; w < c->nwritten; w++)
				if (c->written[w].start < v->end && c->written[w].end > v->start)
					*ARR_PUSH(plan->pages, plan->npages, plan->cap_pages) = (struct addr_range){
						c->written[w].start > v->start ? c->written[w].start : v->start,
						c->written[w].end < v->end ? c->written[w].end : v->end};
		}
		plan->npages = first + sort_merge(plan->pages + first, plan->npages - first);
	}
	if (pagemap >= 0)
		close(pagemap);
	free(between);
	if (rc < 0)
		memtrack_rewind_plan_free(plan);
	return rc;
}

void memtrack_rewind_plan_free(struct rewind_plan *plan)
{
	free(plan->whole);
	free(plan->pages);
	memset(plan, 0, sizeof(*plan));
}

int memtrack_rewound(struct ckpt_tracker *t, pid_t pid, int fd)
{
	struct tracked_proc *tp = find_proc(t, pid, start_time_of(pid));
	struct file_id id;
	int target = file_id_of(fd, &id) ? history_index(t, &id) : -1;
	memtrack_forget_file(t);
	if (!tp || target < 0)
		return ckpt_fail("lost track of process %d's writes", pid);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int pagemap = open(path, O_RDONLY | O_CLOEXEC);
	if (pagemap < 0)
		return ckpt_fail_errno("cannot open %s", path);
	/* The program's memory is the target's again: what it writes from now on is relative to
	 * the target, so the next save takes the target as its parent. */
	/* A mapping that the rewind unmapped or mapped again is no longer tracked: the next
	 * capture takes it whole and arms it again. */
	size_t kept = 0;
	for (size_t i = 0; i < tp->narmed; i++) {
		struct ckpt_rec_vma v = {.start = tp->armed[i].start, .end = tp->armed[i].end};
		if (protect(pagemap, &v))
			tp->armed[kept++] = tp->armed[i];
		else
			ckpt_debug("tracker: %#llx-%#llx is tracked no more", (unsigned long long)v.start,
				   (unsigned long long)v.end);
	}
	tp->narmed = kept;
	close(pagemap);
	mem_hint_free(&t->layout); /* the rewind may have given mappings their old advice back */
	t->last = id;
	tp->last_capture = target;
	return 0;
}

const struct mem_hint *memtrack_layout(const struct ckpt_tracker *t, pid_t pid)
{
	if (!t->layout.pid || t->layout.pid != pid || t->layout_start_time != start_time_of(pid))
		return NULL;
	return &t->layout;
}

void memtrack_keep_layout(struct ckpt_tracker *t, struct mem_hint *h)
{
	mem_hint_free(&t->layout);
	t->layout = *h;
	t->layout.kept = true;
	t->layout_start_time = start_time_of(h->pid);
	memset(h, 0, sizeof(*h));
}
