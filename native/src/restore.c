/*
 * Restart: the order of its phases, written once as a table of named steps, and the loop that
 * runs them and cleans up after them (see restore.h for how a tree comes back).
 */
#include "ckpt.h"
#include "files.h"
#include "inject.h"
#include "locks.h"
#include "tty.h"
#include "mem.h"
#include "mm.h"
#include "pathmap.h"
#include "pager.h"
#include "procattr.h"
#include "restore.h"
#include "pack.h"
#include "portability.h"
#include "seccomp.h"
#include "signals.h"
#include "skeleton.h"
#include "statefile.h"
#include "sysvipc.h"
#include "threads.h"
#include "timers.h"
#include "util.h"
#include "vdso.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ckpt's own fds that the rebuilt processes inherit and that ckpt still injects through: the
 * statefile, the report pipe and the shared memory objects.  Malloc'ed. */
static int *inherited_fds(const struct restore_ctx *c, size_t *n)
{
	size_t nshared;
	int *shared = mem_restore_fds(c->mem, &nshared);
	int *fds = xmalloc((2 + nshared) * sizeof(int));
	fds[0] = c->sf_fd;
	fds[1] = c->report_fd;
	memcpy(fds + 2, shared, nshared * sizeof(int));
	free(shared);
	*n = 2 + nshared;
	return fds;
}

/* What each skeleton process sets up for itself before it parks. */
static int setup_inside(struct restore_ctx *c, const struct process_image *p)
{
	size_t nkeep;
	int *keep = inherited_fds(c, &nkeep);
	int rc = signals_restore_handlers(p);
	if (rc == 0)
		rc = tty_restore_inside(c->img, c->files, p);
	if (rc == 0)
		rc = files_restore_inside(c->files, p, keep, nkeep);
	if (rc == 0)
		rc = procattr_restore_inside(p);
	if (rc == 0)
		rc = timers_restore_inside(p);
	free(keep);
	return rc;
}

/* ---- one rebuilt process, injected from its main thread ---- */

struct process_restore {
	const struct process_image *p;
	pid_t pid;          /* outer */
	pid_t *tids;        /* outer, parallel to p->threads */
	size_t main;        /* the main thread, which unmaps the trampoline last */
	struct inject in;   /* open in the main thread */
	bool paged;         /* its large mappings are left to the pager */
};

static int open_main_thread(struct restore_ctx *c, struct process_restore *r)
{
	if (getenv("CKPT_DEBUG")) {
		char *maps = read_proc(r->pid, "maps", NULL);
		ckpt_debug("skeleton maps of %d:\n%s", r->pid, maps ? maps : "?");
		free(maps);
	}
	return inject_begin_rebuilt(&r->in, r->tids[r->main], c->tramp);
}

static int open_paging(struct restore_ctx *c, struct process_restore *r)
{
	r->paged = c->pager && pager_open_space(c->pager, &r->in, r->p, r->pid);
	return 0;
}

static int restore_memory(struct restore_ctx *c, struct process_restore *r)
{
	return mem_restore_process(c->mem, &r->in, r->p, r->pid, r->paged ? c->pager : NULL);
}

static int restore_mm(struct restore_ctx *c, struct process_restore *r)
{
	return mm_restore(&r->in, r->p);
}

static int restore_removed_segments(struct restore_ctx *c, struct process_restore *r)
{
	return sysvipc_restore_removed(&r->in, c->img, r->p);
}

static int restore_process_signals(struct restore_ctx *c, struct process_restore *r)
{
	return signals_restore_process(&r->in, r->p);
}

static int close_inherited_fds(struct restore_ctx *c, struct process_restore *r)
{
	size_t n;
	int *fds = inherited_fds(c, &n);
	long ret;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (fds[i] >= 0)
			rc = inject_syscall(&r->in, SYS_close, (uint64_t)fds[i], 0, 0, 0, 0, 0, &ret);
	free(fds);
	return rc;
}

/* The skeleton died with its parent; the program's processes have their own signal, if any. */
static int restore_pdeathsig(struct restore_ctx *c, struct process_restore *r)
{
	return procattr_restore_pdeath_sig(&r->in, r->p);
}

static int restore_attributes(struct restore_ctx *c, struct process_restore *r)
{
	return procattr_restore_process(&r->in, r->pid, r->p);
}

static int restore_dumpable(struct restore_ctx *c, struct process_restore *r)
{
	return procattr_restore_dumpable(&r->in, r->p);
}

static int finish_thread(struct restore_ctx *c, struct process_restore *r, size_t k)
{
	const struct thread_image *t = &r->p->threads[k];
	if (threads_restore_final(r->tids[k], t, c->img->hdr.xsave_size) < 0 || signals_restore_mask(r->tids[k], t) < 0)
		return -1;
	return 0;
}

/* Thread attributes in every thread, then the final state of all but the main thread, which
 * still has to unmap the trampoline. */
static int restore_threads(struct restore_ctx *c, struct process_restore *r)
{
	for (size_t k = 0; k < r->p->nthreads; k++) {
		struct inject other, *in = &r->in;
		if (k != r->main) {
			if (inject_begin_rebuilt(&other, r->tids[k], c->tramp) < 0)
				return -1;
			in = &other;
		}
		const struct thread_image *t = &r->p->threads[k];
		if (threads_restore_attrs(in, t) < 0 || signals_restore_thread(in, t, (pid_t)r->p->rec.pid) < 0)
			return -1;
		if (c->user_ns ? procattr_drop_caps(in) < 0 : procattr_restore_creds(in, r->tids[k], r->p, k == r->main) < 0)
			return -1;
		if (k != r->main && (seccomp_restore_thread(r->pid, r->tids[k], r->p, k) < 0 || finish_thread(c, r, k) < 0))
			return -1;
	}
	return 0;
}

/* Once nothing else will close a descriptor of their files. */
static int restore_locks(struct restore_ctx *c, struct process_restore *r)
{
	return locks_restore(&r->in, r->p);
}

static int arm_timers(struct restore_ctx *c, struct process_restore *r)
{
	return timers_restore_arm(&r->in, r->p);
}

/* The trampoline unmaps itself in its last syscall: the main thread's registers are replaced
 * before it runs another instruction through it. */
static int drop_trampoline(struct restore_ctx *c, struct process_restore *r)
{
	long ret;
	return inject_syscall_checked(&r->in, "munmap (trampoline)", SYS_munmap, c->tramp, 4096, 0, 0, 0, 0, &ret);
}

/* Last, since its filter applies to ckpt's syscalls too (the other threads got theirs in
 * restore_threads). */
static int restore_main_seccomp(struct restore_ctx *c, struct process_restore *r)
{
	return seccomp_restore_thread(r->pid, r->tids[r->main], r->p, r->main);
}

static int finish_main_thread(struct restore_ctx *c, struct process_restore *r)
{
	return finish_thread(c, r, r->main);
}

static int restore_limits(struct restore_ctx *c, struct process_restore *r)
{
	if (procattr_restore_limits(r->pid, r->p) < 0)
		return -1;
	return procattr_restore_outside(r->pid, r->tids, r->p);
}

static int commit_paging(struct restore_ctx *c, struct process_restore *r)
{
	return r->paged ? pager_commit_space(c->pager) : 0;
}

static const struct process_step {
	const char *name;
	int (*run)(struct restore_ctx *c, struct process_restore *r);
} process_steps[] = {
	{"inject into the main thread", open_main_thread},
	{"open lazy paging", open_paging},
	{"memory", restore_memory},
	{"removed SysV segments", restore_removed_segments},
	{"mm fields", restore_mm},
	{"process-wide pending signals", restore_process_signals},
	{"close ckpt's fds", close_inherited_fds},
	{"file locks", restore_locks},
	{"process attributes", restore_attributes},
	{"resource limits, scheduling", restore_limits}, /* before the ids, after which ckpt may not */
	{"threads", restore_threads},
	{"the parent-death signal", restore_pdeathsig}, /* after the ids, whose change clears it */
	{"timers", arm_timers},
	{"dumpable flag", restore_dumpable},
	{"unmap the trampoline", drop_trampoline},
	{"seccomp of the main thread", restore_main_seccomp},
	{"final state of the main thread", finish_main_thread},
	{"start lazy paging", commit_paging},
};

static int restore_process(struct restore_ctx *c, size_t i)
{
	const struct process_image *p = &c->img->procs[i];
	struct process_restore r = {.p = p, .pid = c->outer_pids[i], .tids = c->outer_tids[i], .main = image_main_thread(p)};
	for (size_t s = 0; s < ARRAY_LEN(process_steps); s++) {
		uint64_t t0 = now_ns();
		int rc = process_steps[s].run(c, &r);
		ckpt_debug("restart: pid %u: %s: %.3f ms%s", p->rec.pid, process_steps[s].name, (now_ns() - t0) / 1e6,
			   rc < 0 ? " (failed)" : "");
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- the steps of a restart ---- */

static int read_statefile(struct restore_ctx *c)
{
	/* O_NONBLOCK: a FIFO given as the statefile must not hang us; the reader refuses it. */
	c->sf_fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (c->sf_fd < 0)
		return ckpt_fail_errno("cannot open %s", c->path);
	fcntl(c->sf_fd, F_SETFL, 0);
	return statefile_read(c->sf_fd, c->img);
}

static void close_statefile(struct restore_ctx *c, bool failed)
{
	image_free(c->img);
	if (c->sf_fd >= 0)
		close(c->sf_fd);
}

static int check_tree(struct restore_ctx *c)
{
	return skeleton_check(c->img);
}

/* What ckpt check reports: restart refuses on its first problem, in the same words. */
static int check_this_machine(struct restore_ctx *c)
{
	struct portability_report r;
	struct portability_options o = {.path_maps = c->opts->path_maps, .npath_maps = c->opts->npath_maps};
	if (pathmap_validate(o.path_maps, o.npath_maps) < 0 || portability_check(c->img, c->sf_fd, &o, &r) < 0)
		return -1;
	int rc = portability_refuse(&r);
	portability_report_free(&r);
	return rc;
}

/* Files and working directories that moved (--map-path) are opened at their new place. */
static int map_moved_paths(struct restore_ctx *c)
{
	pathmap_apply(c->img, c->opts->path_maps, c->opts->npath_maps);
	return 0;
}

/* A packed statefile's files that this machine has differently or not at all come from their
 * embedded copies (pack.h). */
static int use_embedded_files(struct restore_ctx *c)
{
	if (pack_use_embedded(c->img, c->sf_fd) < 0)
		return -1;
	return pack_recreate_open_files(c->img, c->sf_fd);
}

/* Said once the skeleton has its fds, as a skeleton that gets that far would say it. */
static int warn_lost_fds(struct restore_ctx *c)
{
	files_warn_lost(c->img);
	return 0;
}

/* ckpt's fds that the skeleton inherits must not sit where the tree's fds go. */
static int keep_fds_above_the_tree(struct restore_ctx *c)
{
	c->fd_base = files_max_fd(c->img) + 1;
	c->sf_fd = fd_move_up(c->sf_fd, c->fd_base);
	return 0;
}

/* The trampoline page is ours before the fork, so every skeleton process has it. */
static int map_trampoline(struct restore_ctx *c)
{
	uint64_t addr;
	if (mem_pick_trampoline(c->img, &addr) < 0 || inject_trampoline_map(addr) < 0)
		return -1;
	c->tramp = addr;
	return 0;
}

static void unmap_trampoline(struct restore_ctx *c, bool failed)
{
	if (c->tramp)
		inject_trampoline_unmap(c->tramp);
}

/* Before any thread gets its registers (vdso.h). */
static int redirect_vdso_threads(struct restore_ctx *c)
{
	return vdso_redirect_threads(c->img, c->sf_fd, c->tramp);
}

/* A lazy restart reads the statefile on demand instead. */
static int start_readahead(struct restore_ctx *c)
{
	if (!c->opts->lazy)
		c->readahead = mem_readahead_start(c->path, c->img->file_size);
	return 0;
}

static void stop_readahead(struct restore_ctx *c, bool failed)
{
	mem_readahead_stop(c->readahead);
}

static int choose_pid_mode(struct restore_ctx *c)
{
	c->can_choose_pids = skeleton_can_choose_pids();
	c->ns_mode = c->opts->use_namespace || !c->can_choose_pids || skeleton_pids_busy(c->img);
	return 0;
}

static int open_files(struct restore_ctx *c)
{
	c->files = files_restore_prepare(c->img, c->fd_base);
	return c->files ? 0 : -1;
}

static void close_files(struct restore_ctx *c, bool failed)
{
	files_restore_free(c->files);
	c->files = NULL;
}

static int prepare_memory(struct restore_ctx *c)
{
	c->mem = mem_restore_prepare(c->img, c->files, c->sf_fd, c->tramp, c->fd_base);
	return c->mem ? 0 : -1;
}

static void free_memory(struct restore_ctx *c, bool failed)
{
	mem_restore_free(c->mem);
	c->mem = NULL;
}

static int prepare_pager(struct restore_ctx *c)
{
	if (c->opts->lazy)
		c->pager = pager_new(c->sf_fd);
	return 0;
}

static void free_pager(struct restore_ctx *c, bool failed)
{
	pager_free(c->pager);
	c->pager = NULL;
}

static int prepare_sysv(struct restore_ctx *c)
{
	return sysvipc_prepare(c);
}

static void finish_sysv(struct restore_ctx *c, bool failed)
{
	sysvipc_finish(c, failed);
}

static int build_skeleton(struct restore_ctx *c)
{
	return skeleton_build(c, setup_inside);
}

static int find_tasks(struct restore_ctx *c)
{
	return skeleton_find_tasks(c);
}

static int seize_tasks(struct restore_ctx *c)
{
	return skeleton_seize(c);
}

static int give_file_owners(struct restore_ctx *c)
{
	return files_restore_owners(c->img, c->files, c->outer_pids, c->outer_tids);
}

static int restore_processes(struct restore_ctx *c)
{
	for (size_t i = 0; i < c->img->nprocs; i++)
		if (check_interrupted() < 0 || restore_process(c, i) < 0)
			return -1;
	return 0;
}

static int start_pager(struct restore_ctx *c)
{
	return c->pager && !pager_empty(c->pager) && pager_start(c->pager) < 0 ? -1 : 0;
}

static int release_tree(struct restore_ctx *c)
{
	skeleton_release(c, c->opts->mode == CKPT_RESTART_STOPPED);
	return 0;
}

static int hand_over(struct restore_ctx *c)
{
	if (skeleton_hand_over(c, c->opts->mode == CKPT_RESTART_RUN) < 0)
		return -1;
	struct ckpt_restart_result *res = c->result;
	res->pid = c->outer_pids[0];
	res->saved_pid = (pid_t)c->img->procs[0].rec.pid;
	res->in_namespace = c->ns_mode;
	res->processes = (uint32_t)c->img->nprocs;
	for (size_t i = 0; i < c->img->nprocs; i++)
		res->threads += (uint32_t)c->img->procs[i].nthreads;
	return 0;
}

/*
 * The phases of a restart, in order.  When one fails, the `finish` of every step that was
 * started runs in reverse order with failed set; when all succeed, they run the same way
 * without it.  The steps from the one marked `attempt` on are one attempt in one pid mode:
 * when saved pids turn out to be taken (a pid that looked free was still held by a zombie's
 * group, say), they are finished and run again inside a new pid namespace.
 */
static const struct restart_step {
	const char *name;
	int (*run)(struct restore_ctx *c);
	void (*finish)(struct restore_ctx *c, bool failed);
	bool attempt;
} restart_steps[] = {
	{"read the statefile", read_statefile, close_statefile, false},
	{"check the tree", check_tree, NULL, false},
	{"check this machine", check_this_machine, NULL, false},
	{"map moved paths", map_moved_paths, NULL, false},
	{"use the embedded files", use_embedded_files, NULL, false},
	{"keep ckpt's fds above the tree's", keep_fds_above_the_tree, NULL, false},
	{"map the trampoline", map_trampoline, unmap_trampoline, false},
	{"point threads into this kernel's vDSO", redirect_vdso_threads, NULL, false},
	{"read ahead", start_readahead, stop_readahead, false},
	{"choose the pid mode", choose_pid_mode, NULL, false},
	{"open the tree's files", open_files, close_files, true},
	{"prepare shared memory", prepare_memory, free_memory, false},
	{"prepare lazy paging", prepare_pager, free_pager, false},
	{"prepare SysV IPC objects", prepare_sysv, finish_sysv, false},
	{"build the skeleton", build_skeleton, skeleton_finish, false},
	{"warn about lost fds", warn_lost_fds, NULL, false},
	{"find the rebuilt tasks", find_tasks, NULL, false},
	{"seize the rebuilt tasks", seize_tasks, NULL, false},
	{"give the files their owners", give_file_owners, NULL, false},
	{"restore each process", restore_processes, NULL, false},
	{"start the pager", start_pager, NULL, false},
	{"release the tree", release_tree, NULL, false},
	{"hand the tree over", hand_over, NULL, false},
};

/* Finishes the started steps [from, end) in reverse order. */
static void finish_steps(struct restore_ctx *c, size_t from, size_t end, bool failed)
{
	for (size_t i = end; i-- > from;)
		if (restart_steps[i].finish)
			restart_steps[i].finish(c, failed);
}

static int run_restart(struct restore_ctx *c)
{
	size_t attempt = 0;
	for (size_t i = 0; i < ARRAY_LEN(restart_steps);) {
		const struct restart_step *s = &restart_steps[i];
		if (s->attempt)
			attempt = i;
		uint64_t t0 = now_ns();
		int rc = s->run(c);
		ckpt_debug("restart: %s: %.3f ms%s", s->name, (now_ns() - t0) / 1e6, rc < 0 ? " (failed)" : "");
		i++;
		if (rc == 0)
			continue;
		bool again = c->pids_taken && !c->ns_mode;
		finish_steps(c, again ? attempt : 0, i, true);
		if (!again)
			return -1;
		ckpt_clear_error();
		c->ns_mode = true;
		i = attempt;
	}
	finish_steps(c, 0, ARRAY_LEN(restart_steps), false);
	return 0;
}

int ckpt_restart(const char *path, const struct ckpt_restart_options *options, struct ckpt_restart_result *result)
{
	static const struct ckpt_restart_options defaults;
	struct ckpt_restart_result local;
	struct statefile_image img;
	memset(&img, 0, sizeof(img));
	struct restore_ctx c = {
		.path = path,
		.opts = options ? options : &defaults,
		.result = result ? result : &local,
		.img = &img,
		.sf_fd = -1,
		.report_fd = -1,
	};
	memset(c.result, 0, sizeof(*c.result));
	ckpt_clear_error();
	uint64_t t0 = now_ns();
	int rc = run_restart(&c);
	c.result->total_ns = now_ns() - t0;
	return rc;
}

int ckpt_restart_wait(const struct ckpt_restart_result *r, int *wait_status)
{
	return skeleton_wait(r->pid, wait_status);
}
