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
#include "proctree.h"
#include "remote.h"
#include "restore.h"
#include "signals.h"
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

/* Programs restarted running, which ckpt_restart_wait may wait for: the keeper reports the
 * root's wait status on status_fd.  Kept here, by the root's pid, so that the public result
 * carries nothing internal. */
struct waitable {
	pid_t root, keeper;
	int status_fd;
	struct waitable *next;
};
static struct waitable *waitables;
static pthread_mutex_t waitables_lock = PTHREAD_MUTEX_INITIALIZER;

static struct waitable *take_waitable(pid_t root)
{
	pthread_mutex_lock(&waitables_lock);
	struct waitable **pw = &waitables;
	while (*pw && (*pw)->root != root)
		pw = &(*pw)->next;
	struct waitable *w = *pw;
	if (w)
		*pw = w->next;
	pthread_mutex_unlock(&waitables_lock);
	return w;
}

static void remember_waitable(pid_t root, pid_t keeper, int status_fd)
{
	/* One left over from an earlier program with this pid was never waited for. */
	struct waitable *old = take_waitable(root);
	if (old) {
		close(old->status_fd);
		waitpid(old->keeper, NULL, WNOHANG);
		free(old);
	}
	struct waitable *w = xmalloc(sizeof(*w));
	*w = (struct waitable){root, keeper, status_fd, NULL};
	pthread_mutex_lock(&waitables_lock);
	w->next = waitables;
	waitables = w;
	pthread_mutex_unlock(&waitables_lock);
}

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

static void skeleton_setup(struct restore_ctx *c, struct process_image *p)
{
	signals_restore_skeleton(c, p);
	files_restore_skeleton(c, p);
	procattr_restore_skeleton(c, p);
}

/* Any saved pid or tid already in use here? */
static bool pids_busy(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nthreads; k++) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%u", img->procs[i].threads[k].rec.tid);
			if (access(path, F_OK) == 0)
				return true;
		}
	return false;
}

static int seize_all(struct restore_ctx *c)
{
	for (size_t i = 0; i < c->img->nprocs; i++)
		for (size_t k = 0; k < c->img->procs[i].nthreads; k++) {
			pid_t tid = c->outer_tids[i][k];
			int st;
			if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)PTRACE_O_TRACESYSGOOD) < 0)
				return ckpt_fail_errno("cannot trace rebuilt thread %d", tid);
			if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 || wait_task(tid, &st) < 0)
				return ckpt_fail_errno("cannot stop rebuilt thread %d", tid);
			if (!WIFSTOPPED(st))
				return ckpt_fail("rebuilt thread %d ended", tid);
		}
	return 0;
}

static int drop_caps(struct inject *in)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	long ret;
	if (remote_write(in->tid, in->scratch, &h, sizeof(h)) < 0 ||
	    remote_write(in->tid, in->scratch + 64, d, sizeof(d)) < 0)
		return -1;
	return inject_syscall_checked(in, "capset", SYS_capset, in->scratch, in->scratch + 64, 0, 0, 0, 0, &ret);
}

static size_t main_thread(const struct process_image *p)
{
	for (size_t k = 0; k < p->nthreads; k++)
		if (p->threads[k].rec.tid == p->rec.pid)
			return k;
	return 0;
}

static int restore_process(struct restore_ctx *c, size_t pi)
{
	struct process_image *p = &c->img->procs[pi];
	size_t m = main_thread(p);
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
	int ours[2] = {c->sf_fd, c->report_fd_in_tree};
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
		if (c->drop_caps && drop_caps(in) < 0)
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

static void release_all(struct restore_ctx *c, bool stopped)
{
	for (size_t i = 0; i < c->img->nprocs; i++) {
		if (stopped)
			kill(c->outer_pids[i], SIGSTOP);
		for (size_t k = 0; k < c->img->procs[i].nthreads; k++)
			ptrace(PTRACE_DETACH, c->outer_tids[i][k], NULL, NULL);
	}
	if (!stopped)
		return;
	/* Hand over only once every thread is really in its group-stop. */
	for (int tries = 0; tries < 500; tries++) {
		bool all = true;
		for (size_t i = 0; i < c->img->nprocs && all; i++)
			for (size_t k = 0; k < c->img->procs[i].nthreads && all; k++) {
				char what[64];
				snprintf(what, sizeof(what), "task/%d/stat", c->outer_tids[i][k]);
				char *s = read_proc(c->outer_pids[i], what, NULL);
				char *e = s ? strrchr(s, ')') : NULL;
				all = e && e[1] && e[2] == 'T';
				free(s);
			}
		if (all)
			return;
		usleep(2000);
	}
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
	if (c->outer_tids)
		for (size_t i = 0; i < c->img->nprocs; i++)
			free(c->outer_tids[i]);
	free(c->outer_tids);
	free(c->outer_pids);
	c->outer_tids = NULL;
	c->outer_pids = NULL;
}

/* One attempt in one pid mode.  *retry_in_ns is set when saved pids turned out to be taken. */
static int attempt(struct restore_ctx *c, const struct ckpt_restart_options *o, struct ckpt_restart_result *res,
		   bool *retry_in_ns)
{
	*retry_in_ns = false;
	struct keeper k = {.pid = -1, .status_fd = -1, .ack_fd = -1, .report_fd = -1};
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	c->outer_pids = xcalloc(c->img->nprocs, sizeof(pid_t));
	c->outer_tids = xcalloc(c->img->nprocs, sizeof(pid_t *));
	for (size_t i = 0; i < c->img->nprocs; i++)
		c->outer_tids[i] = xcalloc(c->img->procs[i].nthreads, sizeof(pid_t));

	bool taken = false;
	if (files_restore_prepare(c) < 0 || mem_restore_prepare(c) < 0)
		goto fail;
	if (proctree_restore(c, skeleton_setup, &k, &taken) < 0) {
		*retry_in_ns = taken && !c->ns_mode;
		goto fail;
	}
	c->report_fd_in_tree = k.report_fd_in_tree;
	if (proctree_map_outer(c, &k) < 0 || seize_all(c) < 0)
		goto fail;
	for (size_t i = 0; i < c->img->nprocs; i++) {
		if (check_interrupted() < 0 || restore_process(c, i) < 0)
			goto fail;
	}
	if (c->pager && !pager_empty(c->pager) && pager_start(c->pager, c->sf_fd) < 0)
		goto fail;
	release_all(c, o->mode == CKPT_RESTART_STOPPED);
	if (proctree_keeper_detach(&k) < 0)
		goto fail;
	res->pid = c->outer_pids[0];
	res->saved_pid = (pid_t)c->img->procs[0].rec.pid;
	res->in_namespace = c->ns_mode;
	res->processes = (uint32_t)c->img->nprocs;
	for (size_t i = 0; i < c->img->nprocs; i++)
		res->threads += (uint32_t)c->img->procs[i].nthreads;
	if (o->mode == CKPT_RESTART_RUN)
		remember_waitable(res->pid, k.pid, k.status_fd);
	else
		close(k.status_fd);
	close(k.ack_fd);
	close(k.report_fd);
	ctx_close_fds(c);
	ctx_free_maps(c);
	return 0;
fail:
	proctree_abort(c, &k);
	if (k.status_fd >= 0)
		close(k.status_fd);
	if (k.ack_fd >= 0)
		close(k.ack_fd);
	if (k.report_fd >= 0)
		close(k.report_fd);
	ctx_close_fds(c);
	ctx_free_maps(c);
	return -1;
}

static int check_image(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		bool has_main = false;
		for (size_t k = 0; k < p->nthreads; k++)
			has_main |= p->threads[k].rec.tid == p->rec.pid;
		if (!has_main)
			return ckpt_fail("pid %u's main thread had exited when it was saved; such a process cannot be restarted",
					 p->rec.pid);
		if (p->rec.pid <= 1 && img->nprocs)
			return ckpt_fail("pid %u cannot be restarted", p->rec.pid);
	}
	return 0;
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
	struct restore_ctx c = {.img = &img, .path = path, .report_fd = -1, .report_fd_in_tree = -1};
	int rc = -1;
	bool tramp_mapped = false;
	struct readahead ra = {0};
	int ra_fd = -1;
	if (check_image(&img) < 0 || mem_check_files(&img) < 0 || mem_check_vdso(&img, sf) < 0)
		goto out;

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
	bool can_choose = proctree_can_choose_pids();
	c.ns_mode = o->use_namespace || !can_choose || pids_busy(&img);
	c.lazy = o->lazy;
	for (;;) {
		/* Who may choose pids may also make a pid namespace without a user namespace; others
		 * need both, and their tasks must not keep the capabilities they hold in it. */
		c.user_ns = c.ns_mode && !can_choose;
		c.drop_caps = c.user_ns;
		bool retry = false;
		if (attempt(&c, o, res, &retry) == 0) {
			rc = 0;
			break;
		}
		if (!retry)
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
	struct waitable *w = take_waitable(r->pid);
	if (!w)
		return ckpt_fail("pid %d is not a running program that this process restarted", r->pid);
	int rc = -1;
	for (;;) {
		int st;
		ssize_t n = read(w->status_fd, &st, sizeof(st));
		if (n == (ssize_t)sizeof(st)) {
			*wait_status = st;
			rc = 0;
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		ckpt_fail("lost track of the restarted program");
		break;
	}
	close(w->status_fd);
	/* The keeper ends once the tree is gone, usually at once: reap it then, but do not wait
	 * for children the program left running. */
	for (int i = 0; i < 40; i++) {
		if (waitpid(w->keeper, NULL, WNOHANG) == w->keeper)
			break;
		usleep(5000);
	}
	free(w);
	return rc;
}
