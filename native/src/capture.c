/*
 * Capture: freeze a process tree, ask each resource module for its state, and write the
 * statefile.  This is the single implementation behind `ckpt dump` and gdb's `ckpt save`.
 */
#include "cpu.h"
#include "ckpt.h"
#include "annotation.h"
#include "files.h"
#include "inject.h"
#include "locks.h"
#include "mem.h"
#include "memtrack.h"
#include "mm.h"
#include "pageio.h"
#include "procattr.h"
#include "proctree.h"
#include "remote.h"
#include "seccomp.h"
#include "signals.h"
#include "sk_unix.h"
#include "statefile.h"
#include "sysvipc.h"
#include "threads.h"
#include "timers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SCRATCH 256

static int capture_process(struct frozen_proc *fp, struct process_image *p, const struct mem_hint *hint,
			   struct unix_in_flight *in_flight)
{
	pid_t pid = fp->pid;
	if (proctree_capture(fp, p) < 0 || procattr_capture(pid, p) < 0 || mem_capture_vmas(pid, p, hint) < 0)
		return -1;
	/* Before anything is injected: what a seccomp filter lets through. */
	if (seccomp_capture(fp, p) < 0 || inject_find_gadget(pid, &fp->gadget) < 0)
		return -1;
	/* What the process has once is asked in its first thread outside seccomp strict mode. */
	size_t asked = 0;
	while (asked < fp->ntasks && seccomp_strict(p, (uint32_t)fp->tasks[asked].tid))
		asked++;
	if (asked == fp->ntasks)
		return ckpt_fail("every thread of pid %d runs in seccomp strict mode, where ckpt cannot ask for its state", pid);
	for (size_t k = 0; k < fp->ntasks; k++) {
		struct frozen_task *ft = &fp->tasks[k];
		struct thread_image *t = ARR_PUSH(p->threads, p->nthreads, p->cap_threads);
		struct inject in;
		if (inject_begin(&in, ft->tid, fp->gadget, SCRATCH) < 0)
			return -1;
		in.filter = seccomp_of_thread(p, (uint32_t)ft->tid);
		int rc = threads_capture(&in, ft, k == 0, t);
		if (rc == 0)
			rc = signals_capture_thread(&in, ft, t);
		if (rc == 0 && k == asked)
			rc = signals_capture_process(&in, pid, p);
		if (rc == 0 && k == asked)
			rc = mm_capture(&in, pid, p);
		if (rc == 0 && k == asked)
			rc = timers_capture(&in, pid, p);
		if (rc == 0 && k == asked)
			rc = procattr_capture_injected(&in, p);
		if (inject_end(&in) < 0 || rc < 0)
			return -1;
	}
	p->rec.nr_threads = (uint32_t)p->nthreads;
	/* Fds in flight are captured as fds of the process, put in its table until the tree is
	 * captured (remove_in_flight). */
	*in_flight = (struct unix_in_flight){.pid = pid, .tid = fp->tasks[asked].tid, .gadget = fp->gadget};
	if (unix_in_flight_install(in_flight, seccomp_of_thread(p, (uint32_t)fp->tasks[asked].tid)) < 0 ||
	    files_capture(pid, p) < 0)
		return -1;
	unix_in_flight_mark(in_flight, p);
	return locks_capture(pid, p);
}

/* Closes the fds in flight that capture put in the processes' tables. */
static int remove_in_flight(struct unix_in_flight *in_flight, size_t n)
{
	int rc = 0;
	for (size_t i = 0; in_flight && i < n; i++)
		if (unix_in_flight_remove(&in_flight[i]) < 0)
			rc = ckpt_fail("cannot close the fds in flight that ckpt put in pid %d", in_flight[i].pid);
	return rc;
}

static int make_clone(struct frozen_proc *fp, struct pageio_clone *clone)
{
	struct inject in;
	if (inject_begin(&in, fp->tasks[0].tid, fp->gadget, SCRATCH) < 0)
		return -1;
	int rc = pageio_clone_create(&in, fp->pid, clone);
	if (inject_end(&in) < 0)
		rc = -1;
	return rc;
}

/* Kills the clones and reaps them inside their parents.  A parent that we already let go has
 * to be caught again for that, for the time of one injected wait4(); a killed one needs
 * nothing. */
static void drop_clones(struct frozen_tree *tree, struct pageio_clone *clones, size_t n, int release)
{
	for (size_t i = 0; i < n; i++) {
		if (!clones[i].pid)
			continue;
		pageio_clone_kill(&clones[i]);
		struct frozen_task *ft = &tree->procs[i].tasks[0];
		if (ft->released && release == CKPT_KILL)
			continue;
		bool catch_again = ft->released;
		int st;
		if (catch_again && (ptrace(PTRACE_SEIZE, ft->tid, NULL, NULL) < 0 ||
				    ptrace(PTRACE_INTERRUPT, ft->tid, NULL, NULL) < 0 || wait_task(ft->tid, &st) < 0 ||
				    threads_restart_after_our_stop(ft->tid) < 0))
			continue;
		struct inject in;
		if (inject_begin(&in, ft->tid, tree->procs[i].gadget, SCRATCH) == 0) {
			pageio_clone_reap(&in, &clones[i]);
			inject_end(&in);
		}
		if (catch_again)
			ptrace(PTRACE_DETACH, ft->tid, NULL, NULL);
	}
	ckpt_clear_error();
}

/* Nanoseconds that the threads of fp spent on a CPU, and their number of turns on one, as one
 * sum that changes whenever one of them runs; 0 when it cannot be read. */
static uint64_t runtime_of(const struct frozen_proc *fp)
{
	uint64_t sum = 0;
	for (size_t k = 0; k < fp->ntasks; k++) {
		char what[64];
		snprintf(what, sizeof(what), "task/%d/schedstat", fp->tasks[k].tid);
		char *text = read_proc(fp->pid, what, NULL);
		unsigned long long run = 0, wait = 0, turns = 0;
		bool ok = text && sscanf(text, "%llu %llu %llu", &run, &wait, &turns) == 3;
		free(text);
		if (!ok)
			return 0;
		sum += run + turns;
	}
	return sum ? sum : 1;
}

static void fill_header(struct statefile_image *img, const struct ckpt_capture_options *o)
{
	struct utsname u;
	uname(&u);
	img->engine_version = xstrdup(ckpt_version());
	img->kernel_release = xstrdup(u.release);
	img->hostname = xstrdup(u.nodename);
	img->stop_function = o->stop_function ? xstrdup(o->stop_function) : NULL;
	img->stop_file = o->stop_file ? xstrdup(o->stop_file) : NULL;
	cpu_describe(&img->cpu);
	img->has_cpu = true;
	struct ckpt_rec_header *h = &img->hdr;
	h->format_version = CKPT_FORMAT_VERSION;
	h->page_size = 4096;
	h->time_ns = realtime_ns();
	h->stop_line = o->stop_line;
	h->flags = o->from_debugger ? CKPT_HDR_FROM_DEBUGGER : 0;
	const struct thread_image *t0 = &img->procs[0].threads[0];
	h->stop_tid = t0->rec.tid;
	h->stop_pc = t0->regs.rip;
	h->xsave_size = (uint32_t)t0->xstate_len;
	h->xcr0 = xstate_xcr0_of(t0->xstate, t0->xstate_len);
}

struct ckpt_capture_job;
static int open_parent(struct ckpt_capture_job *job, pid_t pid);

/* A capture in progress: frozen and released by ckpt_capture_start, memory written and
 * committed by ckpt_capture_finish, clones dropped by ckpt_capture_cleanup. */
struct ckpt_capture_job {
	struct ckpt_capture_options opts;
	char *path, *tmp;
	int fd;
	struct frozen_tree tree;
	struct statefile_image img;
	struct statefile_layout lay;
	struct pageio_clone *clones;
	struct unix_in_flight *in_flight; /* one per process of the tree */
	struct pageio_held *held;      /* of processes captured without a clone (PAGEIO_HOLD) */
	bool *holds;
	struct pageio_progress prog;
	struct pageio_parent parent;
	bool has_parent;
	struct annotation ann;
	uint64_t t_start, t_frozen, t_released;
	bool committed;
	bool hint_kept;                /* the root's flags came from the layout its last save kept */
	uint64_t root_runtime;         /* the root's threads' time on a CPU at the release; 0: unknown */
};

static void job_free(struct ckpt_capture_job *job)
{
	if (job->has_parent) {
		image_free(&job->parent.img);
		close(job->parent.fd);
	}
	free((char *)job->opts.parent);
	statefile_layout_free(&job->lay);
	/* Before image_free, which forgets how many processes there were. */
	for (size_t i = 0; job->held && i < job->img.nprocs; i++)
		pageio_held_free(&job->held[i]);
	free(job->held);
	image_free(&job->img);
	tree_free(&job->tree);
	free(job->clones);
	free(job->in_flight);
	free(job->holds);
	if (job->fd >= 0)
		close(job->fd);
	if (job->tmp && !job->committed)
		unlink(job->tmp);
	free(job->tmp);
	free(job->path);
	free((char *)job->opts.stop_function);
	free((char *)job->opts.stop_file);
	free((void *)job->opts.patches);
	annotation_free(&job->ann);
	free(job);
}

/* The parent statefile must be one of the same program, or its pages mean nothing here. */
static int open_parent(struct ckpt_capture_job *job, pid_t pid)
{
	const char *path = job->opts.parent;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ckpt_fail_errno("cannot open the parent statefile %s", path);
	if (statefile_read(fd, &job->parent.img) < 0) {
		close(fd);
		return -1;
	}
	job->parent.fd = fd;
	job->has_parent = true;
	char exe_link[64];
	snprintf(exe_link, sizeof(exe_link), "/proc/%d/exe", pid);
	char *exe = read_link(exe_link);
	if (!exe && errno == ENOENT)
		return ckpt_fail("no process with pid %d", pid);
	const struct process_image *root = &job->parent.img.procs[0];
	bool same = root->rec.pid == (uint32_t)pid && exe && root->exe && strcmp(exe, root->exe) == 0;
	free(exe);
	if (!same)
		return ckpt_fail("%s is not a statefile of pid %d (it holds pid %u, %s)", path, pid, root->rec.pid,
				 root->exe ? root->exe : "?");
	/* Comparing pages with the parent only pays where the file system can share the unchanged
	 * ones (reflinks): on others it writes them just the same, after reading the parent.  With
	 * write tracking the parent still serves the unchanged pages, copied without comparing. */
	struct file_clone_range probe = {.src_fd = fd, .src_offset = 0, .src_length = 4096, .dest_offset = 0};
	job->parent.shares_extents = ioctl(job->fd, FICLONERANGE, &probe) == 0;
	if (job->parent.shares_extents && ftruncate(job->fd, 0) < 0)
		return ckpt_fail_errno("cannot write the statefile");
	if (!job->parent.shares_extents && !job->opts.tracker) {
		/* result->parent_bytes stays 0, which says so. */
		image_free(&job->parent.img);
		close(fd);
		job->has_parent = false;
	}
	return 0;
}

struct ckpt_capture_job *ckpt_capture_start(pid_t pid, const pid_t *held, size_t nheld, const char *path,
					     const struct ckpt_capture_options *options)
{
	ckpt_clear_error();
	if (!path || !*path) {
		ckpt_fail("no statefile path given");
		return NULL;
	}
	struct ckpt_capture_job *job = xcalloc(1, sizeof(*job));
	job->fd = -1;
	if (options)
		job->opts = *options;
	struct ckpt_capture_options *o = &job->opts;
	o->stop_function = o->stop_function ? xstrdup(o->stop_function) : NULL;
	o->stop_file = o->stop_file ? xstrdup(o->stop_file) : NULL;
	o->parent = o->parent ? xstrdup(o->parent) : NULL;
	if (o->npatches) {
		struct ckpt_patch *pp = xmalloc(o->npatches * sizeof(*pp));
		memcpy(pp, o->patches, o->npatches * sizeof(*pp));
		o->patches = pp;
	} else {
		o->patches = NULL;
	}
	job->path = xstrdup(path);
	job->t_start = now_ns();
	if (annotation_from_options(&job->ann, o) < 0) {
		job_free(job);
		return NULL;
	}

	/* The file first: a bad path must fail before the program is disturbed at all. */
	job->fd = statefile_create_tmp(path, &job->tmp);
	if (job->fd < 0) {
		job_free(job);
		return NULL;
	}
	struct statefile_image *img = &job->img;
	bool frozen = false;
	struct mem_hint read_now = {0};
	const struct mem_hint *hint = &read_now;
	if (o->parent && open_parent(job, pid) < 0)
		goto fail;
	ckpt_debug("parent statefile read after %.3f ms", (now_ns() - job->t_start) / 1e6);
	/* The root's layout, read while it still runs, so that the pause does not pay for it; a
	 * session's later save of the same process takes the one its last save kept instead. */
	const struct mem_hint *kept = o->tracker ? memtrack_layout(o->tracker, pid) : NULL;
	job->hint_kept = kept != NULL;
	if (kept)
		hint = kept;
	else
		mem_hint_read(pid, &read_now);
	ckpt_debug("layout read after %.3f ms", (now_ns() - job->t_start) / 1e6);
	if (tree_freeze(pid, held, nheld, o->first_tid, &job->tree) < 0)
		goto fail;
	frozen = true;
	job->t_frozen = now_ns();
	ckpt_debug("frozen after %.3f ms", (job->t_frozen - job->t_start) / 1e6);

	job->in_flight = xcalloc(job->tree.nprocs, sizeof(*job->in_flight));
	for (size_t i = 0; i < job->tree.nprocs; i++) {
		struct process_image *p = ARR_PUSH(img->procs, img->nprocs, img->cap_procs);
		if (capture_process(&job->tree.procs[i], p, hint, &job->in_flight[i]) < 0 || check_interrupted() < 0)
			goto fail;
	}
	proctree_capture_zombies(&job->tree, img);
	if (files_capture_tree(img) < 0 || files_check_restorable(img, o->allow_unrestorable) < 0 ||
	    remove_in_flight(job->in_flight, job->tree.nprocs) < 0)
		goto fail;
	locks_capture_tree(img);
	if (sysvipc_capture_tree(img) < 0)
		goto fail;
	if (o->tracker)
		memtrack_capture(o->tracker, &job->tree, img, job->has_parent && memtrack_is_last(o->tracker, job->parent.fd));
	fill_header(img, o);
	if (statefile_layout_annotated(img, &job->ann, &job->lay) < 0)
		goto fail;
	job->prog.opts = &job->opts;
	job->prog.parent = job->has_parent ? &job->parent : NULL;
	for (size_t i = 0; i < img->nprocs; i++)
		job->prog.total += pageio_estimate(&img->procs[i]);
	ckpt_debug("metadata captured after %.3f ms", (now_ns() - job->t_frozen) / 1e6);

	/* A copy-on-write clone of each process serves its private memory later, so the tree runs
	 * again as soon as the clones exist and what they cannot serve is written.  Where write
	 * tracking leaves little to read, the written pages are read into memory instead. */
	job->clones = xcalloc(img->nprocs, sizeof(*job->clones));
	job->held = xcalloc(img->nprocs, sizeof(*job->held));
	job->holds = xcalloc(img->nprocs, sizeof(*job->holds));
	/* A clone lacks DONTFORK mappings and has WIPEONFORK ones empty, so it may serve only what
	 * flags read now say it can: kept flags are checked first (the rare save that clones). */
	if (job->hint_kept && !getenv("CKPT_NO_CLONE") && pageio_clone_pays(&img->procs[0], &job->prog)) {
		struct mem_hint now;
		if (mem_hint_read(pid, &now) == 0)
			mem_hint_refresh(&img->procs[0], &now);
		mem_hint_free(&now);
		job->hint_kept = false; /* its flags are the freeze's own now */
	}
	for (size_t i = 0; i < img->nprocs; i++) {
		job->holds[i] = !getenv("CKPT_NO_CLONE") && !pageio_clone_pays(&img->procs[i], &job->prog);
		if (!job->holds[i] && (getenv("CKPT_NO_CLONE") || make_clone(&job->tree.procs[i], &job->clones[i]) < 0)) {
			ckpt_debug("no clone for pid %d: %s", job->tree.procs[i].pid, ckpt_last_error());
			ckpt_clear_error();
			job->clones[i].pid = 0;
		}
	}
	ckpt_debug("clones made after %.3f ms", (now_ns() - job->t_frozen) / 1e6);
	for (size_t i = 0; i < img->nprocs; i++) {
		enum pageio_pass pass = job->holds[i] ? PAGEIO_HOLD : job->clones[i].pid ? PAGEIO_WHILE_FROZEN : PAGEIO_ALL;
		if (pageio_write((pid_t)img->procs[i].rec.pid, job->fd, &img->procs[i], &job->prog, pass, &job->held[i]) < 0)
			goto fail;
		if (job->holds[i])
			ckpt_debug("pid %d: no clone, %llu bytes held", job->tree.procs[i].pid,
				   (unsigned long long)job->held[i].bytes);
	}
	ckpt_debug("memory read in the freeze after %.3f ms", (now_ns() - job->t_frozen) / 1e6);
	if (o->release == CKPT_KILL)
		files_capture_before_kill(img);
	if (job->hint_kept)
		job->root_runtime = runtime_of(&job->tree.procs[0]);
	tree_release(&job->tree, (enum ckpt_release)o->release);
	job->t_released = now_ns();
	ckpt_debug("released after %.3f ms", (job->t_released - job->t_frozen) / 1e6);
	mem_hint_free(&read_now);
	return job;

fail:
	/* Whatever failed, the program goes back to exactly the state it had. */
	if (job->clones)
		drop_clones(&job->tree, job->clones, img->nprocs, CKPT_LEAVE_RUNNING);
	if (frozen) {
		remove_in_flight(job->in_flight, job->tree.nprocs);
		tree_release(&job->tree, CKPT_LEAVE_RUNNING);
	}
	mem_hint_free(&read_now);
	job_free(job);
	return NULL;
}

uint64_t ckpt_capture_pause_ns(const struct ckpt_capture_job *job)
{
	return job->t_released - job->t_frozen;
}

/* For the next save of the root in this session: its layout read now, off the pause.  When this
 * capture took its flags from a kept layout and the root has not run since its release (gdb
 * holds it while the file is written), the advice read now is what it had at the freeze, and
 * what advice changed in place since that layout was kept (madvise of a whole mapping) is put
 * right before the notes are written. */
static void keep_layout(struct ckpt_capture_job *job)
{
	const struct frozen_proc *root = &job->tree.procs[0];
	struct mem_hint fresh;
	if (mem_hint_read(root->pid, &fresh) < 0) {
		fresh.pid = 0;
		memtrack_keep_layout(job->opts.tracker, &fresh); /* none: the next save reads smaps */
		return;
	}
	if (job->hint_kept) {
		if (job->root_runtime && job->root_runtime == runtime_of(root))
			mem_hint_refresh(&job->img.procs[0], &fresh);
		else
			ckpt_debug("pid %d ran on before the flags it may have kept could be checked", root->pid);
	}
	memtrack_keep_layout(job->opts.tracker, &fresh);
}

int ckpt_capture_finish(struct ckpt_capture_job *job, struct ckpt_capture_result *result)
{
	ckpt_clear_error();
	struct statefile_image *img = &job->img;
	for (size_t i = 0; i < img->nprocs; i++) {
		if (job->clones[i].pid &&
		    pageio_write(job->clones[i].pid, job->fd, &img->procs[i], &job->prog, PAGEIO_FROM_CLONE, NULL) < 0)
			return -1;
		if (job->holds[i] && pageio_write_held(job->fd, &img->procs[i], &job->prog, &job->held[i]) < 0)
			return -1;
		pageio_held_free(&job->held[i]);
	}
	ckpt_debug("memory written after %.3f ms", (now_ns() - job->t_start) / 1e6);
	if (job->opts.tracker && job->opts.release != CKPT_KILL)
		keep_layout(job);
	/* The notes now carry what only the memory pass knew: stored bytes and timings. */
	img->hdr.freeze_ns = job->t_released - job->t_frozen;
	img->hdr.total_ns = now_ns() - job->t_start;
	statefile_layout_free(&job->lay);
	if (statefile_layout_annotated(img, &job->ann, &job->lay) < 0 || statefile_write_headers(job->fd, img, &job->lay) < 0 ||
	    statefile_commit(job->fd, job->tmp, job->path) < 0)
		return -1;
	job->committed = true;
	if (job->opts.tracker)
		memtrack_committed(job->opts.tracker, job->fd);
	ckpt_debug("committed after %.3f ms", (now_ns() - job->t_start) / 1e6);
	if (result) {
		memset(result, 0, sizeof(*result));
		result->processes = (uint32_t)img->nprocs;
		for (size_t i = 0; i < img->nprocs; i++) {
			result->threads += (uint32_t)img->procs[i].nthreads;
			for (size_t k = 0; k < img->procs[i].nvmas; k++) {
				result->mapped_bytes += img->procs[i].vmas[k].rec.end - img->procs[i].vmas[k].rec.start;
				result->stored_bytes += img->procs[i].vmas[k].rec.stored_bytes;
			}
		}
		result->file_bytes = job->lay.total_size;
		result->freeze_ns = img->hdr.freeze_ns;
		result->total_ns = now_ns() - job->t_start;
		result->parent_bytes = job->prog.from_parent;
	}
	return 0;
}

void ckpt_capture_cleanup(struct ckpt_capture_job *job)
{
	if (!job)
		return;
	drop_clones(&job->tree, job->clones, job->img.nprocs, job->opts.release);
	job_free(job);
}

int ckpt_capture(pid_t pid, const pid_t *held, size_t nheld, const char *path,
		 const struct ckpt_capture_options *options, struct ckpt_capture_result *result)
{
	struct ckpt_capture_job *job = ckpt_capture_start(pid, held, nheld, path, options);
	if (!job)
		return -1;
	int rc = ckpt_capture_finish(job, result);
	/* Cleaning up is best effort and clears the error: keep finish's. */
	char *error = rc < 0 ? xstrdup(ckpt_last_error()) : NULL;
	uint64_t t = now_ns();
	ckpt_capture_cleanup(job);
	ckpt_debug("clones dropped in %.3f ms", (now_ns() - t) / 1e6);
	if (error) {
		ckpt_fail("%s", error);
		free(error);
	}
	return rc;
}

void ckpt_interrupt(int on)
{
	ckpt_interrupted = on;
}

void ckpt_free(void *p)
{
	free(p);
}
