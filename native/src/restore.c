/*
 * Restart: rebuild the tree saved in a statefile (see restore.h for the plan) and hand it
 * over running or stopped.
 */
#include "ckpt.h"
#include "files.h"
#include "inject.h"
#include "mem.h"
#include "mm.h"
#include "procattr.h"
#include "remote.h"
#include "restore.h"
#include "signals.h"
#include "skeleton.h"
#include "statefile.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads the statefile ahead of the restore, on the other core, so that the preads injected
 * into the rebuilt processes find their data in the page cache. */
struct readahead {
	pthread_t thread;
	int fd;
	uint64_t size;
	volatile int stop;
	bool running;
};

static void *readahead_main(void *arg)
{
	struct readahead *ra = arg;
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

static void readahead_start(struct readahead *ra, int fd, uint64_t size)
{
	ra->fd = fd;
	ra->size = size;
	ra->stop = 0;
	ra->running = pthread_create(&ra->thread, NULL, readahead_main, ra) == 0;
}

static void readahead_stop(struct readahead *ra)
{
	if (!ra->running)
		return;
	ra->stop = 1;
	pthread_join(ra->thread, NULL);
	ra->running = false;
}

/* What each skeleton process sets up for itself before it parks. */
static int setup_inside(struct restore_ctx *c, const struct process_image *p)
{
	if (signals_restore_handlers(p) < 0 || files_restore_inside(c, p) < 0 || procattr_restore_inside(p) < 0)
		return -1;
	return 0;
}

static int restore_process(struct restore_ctx *c, size_t pi)
{
	struct process_image *p = &c->img->procs[pi];
	size_t m = image_main_thread(p);
	struct inject main_in;
	long ret;
	if (getenv("CKPT_DEBUG")) {
		char *maps = read_proc(c->outer_pids[pi], "maps", NULL);
		ckpt_debug("skeleton maps of %d:\n%s", c->outer_pids[pi], maps ? maps : "?");
		free(maps);
	}
	if (inject_begin_rebuilt(&main_in, c->outer_tids[pi][m], c->tramp) < 0 ||
	    mem_restore(c, &main_in, p, c->outer_pids[pi]) < 0)
		return -1;
	int uffd = -1;
	if (c->nlazy) {
		uffd = mem_lazy_begin(c, &main_in, c->outer_pids[pi]);
		if (uffd < 0) {
			static int warned;
			if (!warned++)
				ckpt_warn("memory is restored eagerly: %s", ckpt_last_error());
			ckpt_clear_error();
			if (mem_fill_lazy_eagerly(c, &main_in, p) < 0)
				return -1;
		}
	}
	if (mm_restore(&main_in, p) < 0 || signals_restore_process(&main_in, p) < 0)
		return -1;
	/* ckpt's own fds that the skeleton kept for us. */
	int ours[2] = {c->sf_fd, c->report_fd};
	for (size_t i = 0; i < 2; i++)
		if (ours[i] >= 0 && inject_syscall(&main_in, SYS_close, (uint64_t)ours[i], 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
	for (size_t i = 0; i < c->nshmems; i++)
		if (inject_syscall(&main_in, SYS_close, (uint64_t)c->shmems[i].fd, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
	if (inject_syscall_checked(&main_in, "prctl(PR_SET_PDEATHSIG)", SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0, 0, &ret) < 0)
		return -1;

	/* Thread attributes in every thread, then final state; the trampoline goes last. */
	size_t last = m; /* the main thread unmaps the trampoline */
	for (size_t k = 0; k < p->nthreads; k++) {
		struct inject in_k, *in = &main_in;
		if (k != m) {
			if (inject_begin_rebuilt(&in_k, c->outer_tids[pi][k], c->tramp) < 0)
				return -1;
			in = &in_k;
		}
		struct thread_image *t = &p->threads[k];
		if (threads_restore_attrs(in, t) < 0 || signals_restore_thread(in, t, (pid_t)p->rec.pid) < 0)
			return -1;
		if (c->drop_caps && procattr_drop_caps(in) < 0)
			return -1;
		if (k == last)
			continue;
		if (threads_restore_final(c->outer_tids[pi][k], t, c->img->hdr.xsave_size) < 0 ||
		    signals_restore_mask(c->outer_tids[pi][k], t) < 0)
			return -1;
	}
	if (inject_syscall_checked(&main_in, "munmap (trampoline)", SYS_munmap, c->tramp, 4096, 0, 0, 0, 0, &ret) < 0)
		return -1;
	struct thread_image *t = &p->threads[last];
	if (threads_restore_final(c->outer_tids[pi][last], t, c->img->hdr.xsave_size) < 0 ||
	    signals_restore_mask(c->outer_tids[pi][last], t) < 0)
		return -1;
	if (procattr_restore_limits(c->outer_pids[pi], p) < 0)
		return -1;
	/* Paging starts only now: nothing of the restore itself may wait for a page. */
	return uffd >= 0 ? mem_lazy_commit(c, uffd) : 0;
}

static void ctx_close_fds(struct restore_ctx *c)
{
	for (size_t i = 0; i < c->npipes; i++) {
		close(c->pipes[i].rfd);
		close(c->pipes[i].wfd);
	}
	for (size_t i = 0; i < c->nshmems; i++)
		close(c->shmems[i].fd);
	for (size_t i = 0; i < c->ndescs; i++)
		close(c->descs[i].fd);
	for (int i = 0; i < 3; i++)
		if (c->stdio[i] >= 0)
			close(c->stdio[i]);
	free(c->pipes);
	free(c->shmems);
	free(c->descs);
	/* A second attempt starts from nothing. */
	c->pipes = NULL;
	c->shmems = NULL;
	c->descs = NULL;
	c->npipes = c->cap_pipes = c->nshmems = c->cap_shmems = c->ndescs = c->cap_descs = 0;
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
}

static void ctx_free_maps(struct restore_ctx *c)
{
	pager_free(c->pager);
	c->pager = NULL;
	free(c->lazy_ranges);
	free(c->placed);
	c->lazy_ranges = c->placed = NULL;
	c->nlazy = c->nplaced = c->cap_lazy = c->cap_placed = 0;
}

/* One attempt in one pid mode.  c->pids_taken is set when saved pids turned out to be taken. */
static int attempt(struct restore_ctx *c, const struct ckpt_restart_options *o, struct ckpt_restart_result *res)
{
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	bool ok = false;
	if (files_restore_prepare(c) < 0 || mem_restore_prepare(c) < 0 || skeleton_build(c, setup_inside) < 0 ||
	    skeleton_find_tasks(c) < 0 || skeleton_seize(c) < 0)
		goto out;
	for (size_t i = 0; i < c->img->nprocs; i++) {
		if (check_interrupted() < 0 || restore_process(c, i) < 0)
			goto out;
	}
	if (c->pager && !pager_empty(c->pager) && pager_start(c->pager, c->sf_fd) < 0)
		goto out;
	skeleton_release(c, o->mode == CKPT_RESTART_STOPPED);
	if (skeleton_hand_over(c, o->mode == CKPT_RESTART_RUN) < 0)
		goto out;
	res->pid = c->outer_pids[0];
	res->saved_pid = (pid_t)c->img->procs[0].rec.pid;
	res->in_namespace = c->ns_mode;
	res->processes = (uint32_t)c->img->nprocs;
	for (size_t i = 0; i < c->img->nprocs; i++)
		res->threads += (uint32_t)c->img->procs[i].nthreads;
	ok = true;
out:
	skeleton_finish(c, !ok);
	ctx_close_fds(c);
	ctx_free_maps(c);
	return ok ? 0 : -1;
}

int ckpt_restart(const char *path, const struct ckpt_restart_options *options, struct ckpt_restart_result *result)
{
	static const struct ckpt_restart_options defaults;
	const struct ckpt_restart_options *o = options ? options : &defaults;
	struct ckpt_restart_result local;
	struct ckpt_restart_result *res = result ? result : &local;
	memset(res, 0, sizeof(*res));
	ckpt_clear_error();
	uint64_t t0 = now_ns();

	/* O_NONBLOCK: a FIFO given as the statefile must not hang us; the reader refuses it. */
	int sf = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (sf < 0)
		return ckpt_fail_errno("cannot open %s", path);
	fcntl(sf, F_SETFL, 0);
	struct statefile_image img;
	if (statefile_read(sf, &img) < 0) {
		close(sf);
		return -1;
	}
	struct restore_ctx c = {.img = &img, .path = path, .report_fd = -1};
	int rc = -1;
	bool tramp_mapped = false;
	struct readahead ra = {0};
	int ra_fd = -1;
	if (skeleton_check(&img) < 0 || mem_check_files(&img) < 0 || mem_check_vdso(&img, sf) < 0)
		goto out;
	files_warn_lost(&img);

	c.fd_base = files_max_fd(&img) + 1;
	c.sf_fd = fd_move_up(sf, c.fd_base);
	sf = -1;
	if (mem_pick_trampoline(&img, &c.tramp) < 0)
		goto out;
	if (inject_trampoline_map(c.tramp) < 0)
		goto out;
	tramp_mapped = true;

	/* A separate fd: the reading thread's offsets are its own. */
	ra_fd = o->lazy ? -1 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (ra_fd >= 0)
		readahead_start(&ra, ra_fd, img.file_size);
	bool can_choose = skeleton_can_choose_pids();
	c.ns_mode = o->use_namespace || !can_choose || skeleton_pids_busy(&img);
	c.lazy = o->lazy;
	for (;;) {
		/* Who may choose pids may also make a pid namespace without a user namespace; others
		 * need both, and their tasks must not keep the capabilities they hold in it. */
		c.user_ns = c.ns_mode && !can_choose;
		c.drop_caps = c.user_ns;
		if (attempt(&c, o, res) == 0) {
			rc = 0;
			break;
		}
		if (!c.pids_taken || c.ns_mode)
			break;
		/* A pid that looked free was still held (by a zombie's group, say): go the namespace way. */
		ckpt_clear_error();
		c.ns_mode = true;
	}
out:
	readahead_stop(&ra);
	if (ra_fd >= 0)
		close(ra_fd);
	if (tramp_mapped)
		inject_trampoline_unmap(c.tramp);
	if (sf >= 0)
		close(sf);
	if (c.sf_fd > 0)
		close(c.sf_fd);
	image_free(&img);
	res->total_ns = now_ns() - t0;
	return rc;
}

int ckpt_restart_wait(const struct ckpt_restart_result *r, int *wait_status)
{
	return skeleton_wait(r->pid, wait_status);
}
