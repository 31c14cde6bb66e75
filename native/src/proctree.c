/* The process tree at capture: freezing it, letting it go, each process's ids, and the zombies
 * among the tree's children (proctree.h). */
#include "proctree.h"
#include "threads.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PF_KTHREAD 0x00200000

int proc_stat(pid_t pid, unsigned long long f[53], char *state, char comm[17])
{
	char *s = read_proc(pid, "stat", NULL);
	if (!s)
		return -1;
	memset(f, 0, 53 * sizeof(f[0]));
	char *open = strchr(s, '('), *close = strrchr(s, ')');
	if (!open || !close || close < open) {
		free(s);
		errno = EINVAL;
		return -1;
	}
	if (comm)
		snprintf(comm, 17, "%.*s", (int)(close - open - 1), open + 1);
	f[1] = strtoull(s, NULL, 10);
	char *p = close + 2;
	if (state)
		*state = *p;
	p += 2;
	for (int i = 4; i < 53 && *p; i++) {
		char *end;
		f[i] = strtoull(p, &end, 10);
		if (*end == '-') /* negative values (nice, priority) */
			f[i] = (unsigned long long)strtoll(p, &end, 10);
		p = end;
		while (*p == ' ')
			p++;
	}
	free(s);
	return 0;
}

static pid_t tracer_of(pid_t pid)
{
	char *st = read_proc(pid, "status", NULL);
	if (!st)
		return 0;
	const char *v = status_field(st, "TracerPid");
	pid_t t = v ? (pid_t)atoi(v) : 0;
	free(st);
	return t;
}

static char *comm_of(pid_t pid)
{
	char *c = read_proc(pid, "comm", NULL);
	if (!c)
		return xstrdup("?");
	c[strcspn(c, "\n")] = 0;
	return c;
}

/* Checks that pid can be frozen at all, with one clear line when it cannot. */
static int check_process(pid_t pid, bool held)
{
	unsigned long long f[53];
	char state;
	if (proc_stat(pid, f, &state, NULL) < 0) {
		if (errno == ENOENT)
			return ckpt_fail("no process with pid %d", pid);
		return ckpt_fail_errno("cannot read /proc/%d/stat", pid);
	}
	if (f[9] & PF_KTHREAD)
		return ckpt_fail("pid %d is a kernel thread; only user processes can be checkpointed", pid);
	if (state == 'Z' || state == 'X')
		return ckpt_fail("pid %d is a zombie: it has exited and only waits for its parent to reap it", pid);
	pid_t tracer = tracer_of(pid);
	if (tracer && tracer != getpid() && !held) {
		char *name = comm_of(tracer);
		int r = ckpt_fail("pid %d is already traced by pid %d (%s); use `ckpt save` inside that debugger instead",
				  pid, tracer, name);
		free(name);
		return r;
	}
	return 0;
}

static bool is_held(pid_t tid, const pid_t *held, size_t nheld)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i] == tid)
			return true;
	return false;
}

static struct frozen_task *find_task(struct frozen_proc *p, pid_t tid)
{
	for (size_t i = 0; i < p->ntasks; i++)
		if (p->tasks[i].tid == tid)
			return &p->tasks[i];
	return NULL;
}

static struct frozen_proc *find_proc(struct frozen_tree *t, pid_t pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == pid)
			return &t->procs[i];
	return NULL;
}

/* Seizes and interrupts one thread, and waits until it is stopped. */
static int seize_task(struct frozen_proc *p, pid_t tid, bool *gone)
{
	*gone = false;
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
		if (errno == ESRCH) {
			*gone = true;
			return 0;
		}
		if (errno == EPERM) {
			pid_t tracer = tracer_of(tid);
			if (tracer && tracer != getpid()) {
				char *name = comm_of(tracer);
				int r = ckpt_fail("pid %d is already traced by pid %d (%s); use `ckpt save` inside that debugger instead",
						  p->pid, tracer, name);
				free(name);
				return r;
			}
			return ckpt_fail("permission denied: cannot trace pid %d (it belongs to another user, or ptrace is restricted)",
					 p->pid);
		}
		return ckpt_fail_errno("cannot trace thread %d of pid %d", tid, p->pid);
	}
	struct frozen_task *t = ARR_PUSH(p->tasks, p->ntasks, p->cap_tasks);
	t->tid = tid;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 && errno != ESRCH)
		return ckpt_fail_errno("cannot interrupt thread %d", tid);
	int status;
	pid_t w;
	while ((w = waitpid(tid, &status, __WALL)) < 0 && errno == EINTR)
		;
	if (w != tid) {
		p->ntasks--;
		*gone = true;
		return 0;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		p->ntasks--;
		*gone = true;
		return 0;
	}
	if (WIFSTOPPED(status) && (status >> 16) == 0) {
		/* A signal was about to be delivered; it is delivered when we let go. */
		t->stopped_by_signal = true;
		t->stop_sig = WSTOPSIG(status);
	}
	/* A process that was stopped already has had its sleeps ended by that stop. */
	if (!p->was_stopped && threads_restart_after_our_stop(tid) < 0)
		return -1;
	return 0;
}

/* Adds the threads of p that we do not have yet.  Returns the number added, or -1. */
static int freeze_threads(struct frozen_proc *p, const pid_t *held, size_t nheld)
{
	DIR *d = opendir_proc(p->pid, "task");
	if (!d)
		return ckpt_fail_errno("cannot list the threads of pid %d", p->pid);
	int added = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		if (tid <= 0 || find_task(p, tid))
			continue;
		if (is_held(tid, held, nheld)) {
			struct frozen_task *t = ARR_PUSH(p->tasks, p->ntasks, p->cap_tasks);
			t->tid = tid;
			t->held_by_caller = true;
			added++;
			continue;
		}
		/* Exited threads of a live process linger as zombies and cannot be traced. */
		char what[64];
		snprintf(what, sizeof(what), "task/%d/stat", tid);
		char *stat = read_proc(p->pid, what, NULL);
		if (stat) {
			char *c = strrchr(stat, ')');
			char st = c && c[1] ? c[2] : '?';
			free(stat);
			if (st == 'Z' || st == 'X')
				continue;
		}
		bool gone;
		if (seize_task(p, tid, &gone) < 0) {
			closedir(d);
			return -1;
		}
		if (!gone)
			added++;
	}
	closedir(d);
	return added;
}

/* A zombie whose whole thread group is gone: only its leader's exit status is left.  A process
 * whose main thread exited while others still run also shows state Z, with more threads. */
static bool is_whole_zombie(pid_t pid)
{
	char *st = read_proc(pid, "status", NULL);
	const char *v = st ? status_field(st, "Threads") : NULL;
	bool whole = v && atoi(v) == 1;
	free(st);
	return whole;
}

static bool have_zombie(const struct frozen_tree *t, pid_t pid)
{
	for (size_t i = 0; i < t->nzombies; i++)
		if (t->zombies[i].pid == (uint32_t)pid)
			return true;
	return false;
}

/* Records a zombie from its /proc/PID/stat fields (f as proc_stat fills it). */
static void add_zombie(struct frozen_tree *t, pid_t pid, const unsigned long long f[53])
{
	if (have_zombie(t, pid))
		return;
	struct ckpt_rec_tree *z = ARR_PUSH(t->zombies, t->nzombies, t->cap_zombies);
	z->pid = (uint32_t)pid;
	z->ppid = (uint32_t)f[4];
	z->pgid = (uint32_t)f[5];
	z->sid = (uint32_t)f[6];
	z->flags = CKPT_TREE_ZOMBIE;
	z->exit_code = (uint32_t)f[52]; /* the wait status, as waitpid reports it */
}

/* Adds child processes of p that we do not have yet. */
static int find_children(struct frozen_tree *t, size_t pi, const pid_t *held, size_t nheld)
{
	int added = 0;
	for (size_t ti = 0; ti < t->procs[pi].ntasks; ti++) {
		pid_t *kids;
		size_t n = proc_children(t->procs[pi].pid, t->procs[pi].tasks[ti].tid, &kids);
		for (size_t k = 0; k < n; k++) {
			pid_t child = kids[k];
			if (find_proc(t, child) || have_zombie(t, child))
				continue;
			unsigned long long f[53];
			char state;
			if (proc_stat(child, f, &state, NULL) < 0)
				continue;
			if (state == 'Z' && is_whole_zombie(child)) {
				add_zombie(t, child, f);
				continue;
			}
			if (state == 'Z' || state == 'X') {
				/* Its main thread exited, its other threads still run: not a zombie. */
				ckpt_warn("child %d of pid %d has exited its main thread and is not saved", child, t->procs[pi].pid);
				continue;
			}
			if (check_process(child, is_held(child, held, nheld)) < 0) {
				/* It may have exited since we read its state: the tree is still being frozen. */
				if (proc_stat(child, f, &state, NULL) < 0 || state == 'Z' || state == 'X') {
					ckpt_clear_error();
					ckpt_warn("child %d of pid %d exited while the tree was frozen and is not saved", child,
						  t->procs[pi].pid);
					continue;
				}
				free(kids);
				return -1;
			}
			struct frozen_proc *np = ARR_PUSH(t->procs, t->nprocs, t->cap_procs);
			np->pid = child;
			np->was_stopped = state == 'T';
			added++;
		}
		free(kids);
	}
	return added;
}

int tree_freeze(pid_t root, const pid_t *held, size_t nheld, pid_t first_tid, struct frozen_tree *t)
{
	memset(t, 0, sizeof(*t));
	if (root <= 0)
		return ckpt_fail("no process with pid %d", root);
	if (root == getpid())
		return ckpt_fail("ckpt cannot checkpoint itself");
	if (check_process(root, is_held(root, held, nheld)) < 0)
		return -1;
	unsigned long long f[53];
	char state;
	if (proc_stat(root, f, &state, NULL) < 0)
		return ckpt_fail("no process with pid %d", root);
	struct frozen_proc *rp = ARR_PUSH(t->procs, t->nprocs, t->cap_procs);
	rp->pid = root;
	rp->was_stopped = state == 'T';

	/* New threads and children can appear until every thread of their parent is stopped, so
	 * repeat until a whole pass finds nothing new. */
	for (;;) {
		int added = 0;
		for (size_t i = 0; i < t->nprocs; i++) {
			int n = freeze_threads(&t->procs[i], held, nheld);
			if (n < 0)
				goto fail;
			added += n;
			if (t->procs[i].ntasks == 0 && i == 0) {
				ckpt_fail("pid %d exited while being frozen", root);
				goto fail;
			}
		}
		for (size_t i = 0; i < t->nprocs; i++) {
			int n = find_children(t, i, held, nheld);
			if (n < 0)
				goto fail;
			added += n;
		}
		if (check_interrupted() < 0)
			goto fail;
		if (!added)
			break;
	}
	/* A child that exited meanwhile is not part of the tree any more, and neither are its
	 * children, which the kernel gave to another parent: let those go again. */
	for (bool pruned = true; pruned;) {
		pruned = false;
		for (size_t i = t->nprocs; i-- > 1;) {
			unsigned long long f[53];
			char state = 0;
			bool gone = proc_stat(t->procs[i].pid, f, &state, NULL) < 0;
			bool orphan = t->procs[i].ntasks == 0 || gone || !find_proc(t, (pid_t)f[4]);
			if (!orphan)
				continue;
			/* Exited during the freeze: its parent, frozen, has not reaped it. */
			if (!gone && state == 'Z' && t->procs[i].ntasks == 0 && find_proc(t, (pid_t)f[4]) &&
			    is_whole_zombie(t->procs[i].pid))
				add_zombie(t, t->procs[i].pid, f);
			for (size_t k = 0; k < t->procs[i].ntasks; k++)
				if (!t->procs[i].tasks[k].held_by_caller)
					ptrace(PTRACE_DETACH, t->procs[i].tasks[k].tid, NULL,
					       (void *)(long)(t->procs[i].tasks[k].stopped_by_signal ? t->procs[i].tasks[k].stop_sig : 0));
			free(t->procs[i].tasks);
			memmove(&t->procs[i], &t->procs[i + 1], (t->nprocs - i - 1) * sizeof(t->procs[0]));
			t->nprocs--;
			pruned = true;
		}
	}
	/* Zombies of processes that left the tree are not the tree's. */
	size_t kept = 0;
	for (size_t i = 0; i < t->nzombies; i++)
		if (find_proc(t, (pid_t)t->zombies[i].ppid))
			t->zombies[kept++] = t->zombies[i];
	t->nzombies = kept;
	/* The main thread first, or the thread the caller names (the one that hit the breakpoint). */
	for (size_t i = 0; i < t->nprocs; i++) {
		struct frozen_proc *p = &t->procs[i];
		pid_t want = (i == 0 && first_tid) ? first_tid : p->pid;
		for (size_t k = 0; k < p->ntasks; k++)
			if (p->tasks[k].tid == want && k != 0) {
				struct frozen_task tmp = p->tasks[k];
				memmove(&p->tasks[1], &p->tasks[0], k * sizeof(tmp));
				p->tasks[0] = tmp;
			}
		if (p->ntasks == 0) {
			ckpt_fail("pid %d exited while being frozen", p->pid);
			goto fail;
		}
	}
	return 0;
fail:
	tree_release(t, CKPT_LEAVE_RUNNING);
	tree_free(t);
	return -1;
}

/* Waits (a few seconds at most) until a killed process has exited, so that its files are
 * closed when the dump returns: a restart right after finds the tree's ports, socket paths
 * and connections free.  Its pidfd, opened before the kill, tells exactly when, whoever
 * reaps the process. */
static void wait_killed(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	while (poll(&p, 1, 5000) < 0 && errno == EINTR)
		;
	close(pidfd);
}

void tree_release(struct frozen_tree *t, enum ckpt_release mode)
{
	int *killed = mode == CKPT_KILL ? xcalloc(t->nprocs ? t->nprocs : 1, sizeof(int)) : NULL;
	size_t nkilled = 0;
	for (size_t i = 0; i < t->nprocs; i++) {
		struct frozen_proc *p = &t->procs[i];
		bool ours = false;
		for (size_t k = 0; k < p->ntasks; k++)
			ours |= !p->tasks[k].held_by_caller && !p->tasks[k].released;
		if (!ours)
			continue;
		if (mode == CKPT_KILL) {
			int pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
			if (pidfd >= 0)
				killed[nkilled++] = pidfd;
			kill(p->pid, SIGKILL);
			continue;
		}
		if (mode == CKPT_LEAVE_STOPPED)
			kill(p->pid, SIGSTOP);
		for (size_t k = 0; k < p->ntasks; k++) {
			struct frozen_task *ft = &p->tasks[k];
			if (ft->held_by_caller || ft->released)
				continue;
			/* A signal that our interrupt pre-empted is delivered now, so none is lost.
			 * A group-stopped process stops again by itself after the detach. */
			int sig = ft->stopped_by_signal ? ft->stop_sig : 0;
			if (mode == CKPT_LEAVE_STOPPED && sig == SIGSTOP)
				sig = 0;
			ptrace(PTRACE_DETACH, ft->tid, NULL, (void *)(long)sig);
		}
	}
	if (mode == CKPT_KILL) {
		for (size_t i = 0; i < nkilled; i++)
			wait_killed(killed[i]);
		free(killed);
		/* Reap our direct child if the root is one, so no zombie is left behind. */
		for (size_t i = 0; i < t->nprocs; i++)
			waitpid(t->procs[i].pid, NULL, WNOHANG | __WALL);
	}
	for (size_t i = 0; i < t->nprocs; i++)
		for (size_t k = 0; k < t->procs[i].ntasks; k++)
			if (!t->procs[i].tasks[k].held_by_caller)
				t->procs[i].tasks[k].released = true; /* never touch again */
}

void tree_free(struct frozen_tree *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		free(t->procs[i].tasks);
	free(t->procs);
	free(t->zombies);
	memset(t, 0, sizeof(*t));
}

int proctree_capture(const struct frozen_proc *fp, struct process_image *p)
{
	unsigned long long f[53];
	char state;
	if (proc_stat(fp->pid, f, &state, p->comm) < 0)
		return ckpt_fail_errno("cannot read /proc/%d/stat", fp->pid);
	p->rec.pid = (uint32_t)fp->pid;
	if (fp->was_stopped)
		p->tree_flags |= CKPT_TREE_STOPPED;
	p->rec.ppid = (uint32_t)f[4];
	p->rec.pgid = (uint32_t)f[5];
	p->rec.sid = (uint32_t)f[6];
	char *st = read_proc(fp->pid, "status", NULL);
	if (!st)
		return ckpt_fail_errno("cannot read /proc/%d/status", fp->pid);
	const char *uid = status_field(st, "Uid"), *gid = status_field(st, "Gid");
	unsigned u[4] = {0}, g[4] = {0};
	if (uid)
		sscanf(uid, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]);
	if (gid)
		sscanf(gid, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]);
	p->rec.uid = u[0];
	p->rec.euid = u[1];
	p->rec.gid = g[0];
	p->rec.egid = g[1];
	free(st);
	size_t len;
	uint8_t *cmd = (uint8_t *)read_proc(fp->pid, "cmdline", &len);
	p->cmdline = cmd ? cmd : (uint8_t *)xstrdup("");
	p->cmdline_len = cmd ? len : 0;
	return 0;
}

void proctree_capture_zombies(const struct frozen_tree *t, struct statefile_image *img)
{
	for (size_t i = 0; i < t->nzombies; i++)
		*ARR_PUSH(img->zombies, img->nzombies, img->cap_zombies) = t->zombies[i];
}
