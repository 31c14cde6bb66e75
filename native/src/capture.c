/*
 * Capture: freeze a process tree, ask each resource module for its state, and write the
 * statefile.  This is the single implementation behind `ckpt dump` and gdb's `ckpt save`.
 */
#include "ckpt.h"
#include "files.h"
#include "inject.h"
#include "mem.h"
#include "mm.h"
#include "procattr.h"
#include "proctree.h"
#include "remote.h"
#include "signals.h"
#include "statefile.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SCRATCH 256

static int capture_process(struct frozen_proc *fp, struct process_image *p)
{
	pid_t pid = fp->pid;
	if (proctree_capture(fp, p) < 0 || procattr_capture(pid, p) < 0 || mem_capture_vmas(pid, p) < 0)
		return -1;
	if (inject_find_gadget(pid, &fp->gadget) < 0)
		return -1;
	for (size_t k = 0; k < fp->ntasks; k++) {
		struct frozen_task *ft = &fp->tasks[k];
		struct thread_image *t = ARR_PUSH(p->threads, p->nthreads, p->cap_threads);
		struct inject in;
		if (inject_begin(&in, ft->tid, fp->gadget, SCRATCH) < 0)
			return -1;
		int rc = threads_capture(&in, ft, k == 0, t);
		if (rc == 0)
			rc = signals_capture_thread(&in, ft, t);
		if (rc == 0 && k == 0)
			rc = signals_capture_process(&in, pid, p);
		if (rc == 0 && k == 0)
			rc = mm_capture(&in, pid, p);
		if (inject_end(&in) < 0 || rc < 0)
			return -1;
	}
	p->rec.nr_threads = (uint32_t)p->nthreads;
	return files_capture(pid, p);
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

int ckpt_capture(pid_t pid, const pid_t *held, size_t nheld, const char *path,
		 const struct ckpt_capture_options *options, struct ckpt_capture_result *result)
{
	static const struct ckpt_capture_options defaults;
	const struct ckpt_capture_options *o = options ? options : &defaults;
	ckpt_clear_error();
	if (!path || !*path)
		return ckpt_fail("no statefile path given");
	uint64_t t_start = now_ns();

	/* The file first: a bad path must fail before the program is disturbed at all. */
	char *tmp = NULL;
	int fd = statefile_create_tmp(path, &tmp);
	if (fd < 0)
		return -1;

	struct frozen_tree tree;
	struct statefile_image img = {0};
	struct statefile_layout lay = {0};
	bool frozen = false;
	if (tree_freeze(pid, held, nheld, o->first_tid, &tree) < 0)
		goto fail;
	frozen = true;
	uint64_t t_frozen = now_ns();

	for (size_t i = 0; i < tree.nprocs; i++) {
		struct process_image *p = ARR_PUSH(img.procs, img.nprocs, img.cap_procs);
		if (capture_process(&tree.procs[i], p) < 0)
			goto fail;
		if (check_interrupted() < 0)
			goto fail;
	}
	if (files_capture_tree(&img) < 0)
		goto fail;
	fill_header(&img, o);
	if (statefile_layout(&img, &lay) < 0)
		goto fail;

	struct mem_progress prog = {.opts = o};
	for (size_t i = 0; i < img.nprocs; i++)
		prog.total += mem_stored_estimate(&img.procs[i]);
	for (size_t i = 0; i < img.nprocs; i++)
		if (mem_write((pid_t)img.procs[i].rec.pid, fd, &img.procs[i], &prog) < 0)
			goto fail;

	tree_release(&tree, (enum ckpt_release)o->release);
	frozen = false;
	uint64_t t_released = now_ns();

	/* The notes now carry what only the memory pass knew: stored bytes and timings. */
	img.hdr.freeze_ns = t_released - t_frozen;
	img.hdr.total_ns = now_ns() - t_start;
	statefile_layout_free(&lay);
	if (statefile_layout(&img, &lay) < 0 || statefile_write_headers(fd, &img, &lay) < 0)
		goto fail;
	if (statefile_commit(fd, tmp, path) < 0)
		goto fail;
	close(fd);
	fd = -1;

	if (result) {
		memset(result, 0, sizeof(*result));
		result->processes = (uint32_t)img.nprocs;
		for (size_t i = 0; i < img.nprocs; i++) {
			result->threads += (uint32_t)img.procs[i].nthreads;
			for (size_t k = 0; k < img.procs[i].nvmas; k++) {
				result->mapped_bytes += img.procs[i].vmas[k].rec.end - img.procs[i].vmas[k].rec.start;
				result->stored_bytes += img.procs[i].vmas[k].rec.stored_bytes;
			}
		}
		result->file_bytes = lay.total_size;
		result->freeze_ns = img.hdr.freeze_ns;
		result->total_ns = now_ns() - t_start;
	}
	statefile_layout_free(&lay);
	image_free(&img);
	tree_free(&tree);
	free(tmp);
	return 0;

fail:
	/* Whatever failed, the program goes back to exactly the state it had. */
	if (frozen)
		tree_release(&tree, CKPT_LEAVE_RUNNING);
	if (frozen || tree.procs)
		tree_free(&tree);
	statefile_layout_free(&lay);
	image_free(&img);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return -1;
}

void ckpt_interrupt(int on)
{
	ckpt_interrupted = on;
}

void ckpt_free(void *p)
{
	free(p);
}
