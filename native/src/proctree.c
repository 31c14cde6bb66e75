#include "proctree.h"
#include "remote.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
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
	return 0;
}

/* Adds the threads of p that we do not have yet.  Returns the number added, or -1. */
static int freeze_threads(struct frozen_proc *p, const pid_t *held, size_t nheld)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", p->pid);
	DIR *d = opendir(path);
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

/* Adds child processes of p that we do not have yet. */
static int find_children(struct frozen_tree *t, size_t pi, const pid_t *held, size_t nheld)
{
	int added = 0;
	for (size_t ti = 0; ti < t->procs[pi].ntasks; ti++) {
		pid_t *kids;
		size_t n = proc_children(t->procs[pi].pid, t->procs[pi].tasks[ti].tid, &kids);
		for (size_t k = 0; k < n; k++) {
			pid_t child = kids[k];
			if (find_proc(t, child))
				continue;
			unsigned long long f[53];
			char state;
			if (proc_stat(child, f, &state, NULL) < 0)
				continue;
			if (state == 'Z' || state == 'X') {
				ckpt_warn("child %d of pid %d is a zombie and is not saved", child, t->procs[pi].pid);
				continue;
			}
			if (check_process(child, is_held(child, held, nheld)) < 0) {
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
			bool orphan = t->procs[i].ntasks == 0 || proc_stat(t->procs[i].pid, f, NULL, NULL) < 0 ||
				      !find_proc(t, (pid_t)f[4]);
			if (!orphan)
				continue;
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

void tree_release(struct frozen_tree *t, enum ckpt_release mode)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		struct frozen_proc *p = &t->procs[i];
		bool ours = false;
		for (size_t k = 0; k < p->ntasks; k++)
			ours |= !p->tasks[k].held_by_caller && !p->tasks[k].released;
		if (!ours)
			continue;
		if (mode == CKPT_KILL) {
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
	memset(t, 0, sizeof(*t));
}

int proctree_capture(const struct frozen_proc *fp, struct process_image *p)
{
	unsigned long long f[53];
	char state;
	if (proc_stat(fp->pid, f, &state, p->comm) < 0)
		return ckpt_fail_errno("cannot read /proc/%d/stat", fp->pid);
	p->rec.pid = (uint32_t)fp->pid;
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

/* ---------------------------------------------------------------------------------------- */
/* Restart: the keeper and the skeleton tree                                                 */

#include "restore.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* The kernel ABI of clone3's argument block. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

bool proctree_can_choose_pids(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	/* CAP_SYS_ADMIN (21) or CAP_CHECKPOINT_RESTORE (40) in our own user namespace. */
	return (d[0].effective & (1u << 21)) || (d[1].effective & (1u << (40 - 32)));
}

void skeleton_fail(struct restore_ctx *c, const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "error: ");
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(c->report_fd, line, (size_t)n) < 0) {
		/* nothing more we can do */
	}
	_exit(1);
}

static void report_line(struct restore_ctx *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(c->report_fd, line, (size_t)n) < 0) {
		/* ckpt is gone; the pdeath signal ends us */
	}
}

/* Creates a thread with the given tid that parks in pause(): it never touches its stack, since
 * ckpt replaces the whole address space under it. */
static long clone3_parked_thread(struct clone3_args *args)
{
	long ret;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "2:\n\t"
			 "mov %[pause], %%eax\n\t"
			 "syscall\n\t"
			 "jmp 2b\n\t"
			 "1:\n\t"
			 : "=a"(ret)
			 : "0"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), [pause] "i"(SYS_pause)
			 : "rcx", "r11", "memory");
	return ret;
}

static pid_t clone3_with_pid(struct restore_ctx *c, pid_t pid)
{
	pid_t set_tid = pid;
	struct clone3_args a = {.exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&set_tid, .set_tid_size = 1};
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

static void park(void) __attribute__((noreturn));
static void park(void)
{
	for (;;)
		syscall(SYS_pause);
}

static void skeleton_process(struct restore_ctx *c, size_t pi, skeleton_setup_fn setup) __attribute__((noreturn));

static void skeleton_process(struct restore_ctx *c, size_t pi, skeleton_setup_fn setup)
{
	struct statefile_image *img = c->img;
	struct process_image *p = &img->procs[pi];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid_t me = (pid_t)syscall(SYS_getpid);
	if ((uint32_t)me != p->rec.pid)
		skeleton_fail(c, "process %u came back as pid %d", p->rec.pid, me);

	/* Session and group.  A group outside the tree cannot be joined, and a process left
	 * stopped must not sit in a group that can become orphaned, so the root leads its own. */
	bool in_tree_group = false;
	for (size_t i = 0; i < img->nprocs; i++)
		in_tree_group |= img->procs[i].rec.pid == p->rec.pgid;
	if (p->rec.sid == p->rec.pid) {
		if (setsid() < 0)
			skeleton_fail(c, "cannot make pid %u a session leader: %s", p->rec.pid, strerror(errno));
	} else if (p->rec.pgid == p->rec.pid || (pi == 0 && !in_tree_group)) {
		if (setpgid(0, 0) < 0)
			skeleton_fail(c, "cannot make pid %u a group leader: %s", p->rec.pid, strerror(errno));
	} else if (in_tree_group && setpgid(0, (pid_t)p->rec.pgid) < 0) {
		report_line(c, "warn: pid %u could not rejoin process group %u: %s", p->rec.pid, p->rec.pgid,
			    strerror(errno));
	} else if (!in_tree_group && pi > 0 && p->rec.pgid != img->procs[0].rec.pgid) {
		report_line(c, "warn: pid %u's process group %u was outside the saved tree; it is in its parent's now",
			    p->rec.pid, p->rec.pgid);
	}

	/* Children, each with its saved pid. */
	for (size_t i = 0; i < img->nprocs; i++) {
		if (i == pi || img->procs[i].rec.ppid != p->rec.pid)
			continue;
		pid_t child = clone3_with_pid(c, (pid_t)img->procs[i].rec.pid);
		if (child < 0)
			skeleton_fail(c, "%s: cannot create pid %u: %s", errno == EEXIST ? "pid-taken" : "clone",
				      img->procs[i].rec.pid, strerror(errno));
		if (child == 0)
			skeleton_process(c, i, setup);
	}

	/* Threads, each with its saved tid. */
	for (size_t k = 0; k < p->nthreads; k++) {
		if (p->threads[k].rec.tid == p->rec.pid)
			continue;
		void *stack = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stack == MAP_FAILED)
			skeleton_fail(c, "cannot allocate a thread stack: %s", strerror(errno));
		pid_t tid = (pid_t)p->threads[k].rec.tid;
		struct clone3_args a = {.flags = CLONE_THREAD_FLAGS, .stack = (uint64_t)(uintptr_t)stack,
					.stack_size = 16384, .set_tid = (uint64_t)(uintptr_t)&tid, .set_tid_size = 1};
		long r = clone3_parked_thread(&a);
		if (r < 0)
			skeleton_fail(c, "%s: cannot create thread %d: %s", r == -EEXIST ? "pid-taken" : "clone", tid,
				      strerror((int)-r));
	}

	setup(c, p);
	report_line(c, "ok %zu", pi);
	park();
}

static int keeper_ack_fd = -1;

static void keeper_on_detach(int sig)
{
	(void)sig;
	prctl(PR_SET_PDEATHSIG, 0);
	if (write(keeper_ack_fd, "k", 1) < 0) {
		/* ckpt is gone */
	}
}

/* The keeper: parent of the restored root, and init of its pid namespace if it has one. */
/* Programs that open /proc/<getpid()>/... (LeakSanitizer at exit does) need the procfs of their
 * own pid namespace.  Mounts of the host still propagate in (slave); this one stays here.  Best
 * effort: without it the host's /proc remains, where /proc/self still works. */
static void mount_own_proc(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		ckpt_debug("the restarted tree keeps the host's /proc: %s", strerror(errno));
}

static void keeper_main(struct restore_ctx *c, skeleton_setup_fn setup, int status_w, int sync_r)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "ckpt-keeper");
	char go;
	if (read(sync_r, &go, 1) != 1 || go != 'g')
		_exit(1);
	close(sync_r);
	setpgid(0, 0);
	if (c->ns_mode && c->own_mount_ns)
		mount_own_proc();
	if (!c->ns_mode)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	struct sigaction sa = {.sa_handler = keeper_on_detach};
	sigaction(SIGUSR1, &sa, NULL);
	int ignore[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE};
	for (size_t i = 0; i < ARRAY_LEN(ignore); i++)
		signal(ignore[i], SIG_IGN);

	/* The skeleton starts with every signal blocked: nothing may run a saved handler early. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t root = clone3_with_pid(c, (pid_t)c->img->procs[0].rec.pid);
	if (root < 0) {
		char line[256];
		int n = snprintf(line, sizeof(line), "error: %s: cannot create pid %u: %s\n",
				 errno == EEXIST ? "pid-taken" : "clone", c->img->procs[0].rec.pid, strerror(errno));
		if (write(c->report_fd, line, (size_t)n) < 0)
			_exit(1);
		_exit(1);
	}
	if (root == 0)
		skeleton_process(c, 0, setup);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* Hold nothing of the tree's: a pipe end kept here would never let its reader see EOF,
	 * and ckpt's stdout kept here would keep a caller that reads it to the end waiting. */
	int devnull = open("/dev/null", O_RDWR);
	for (int i = 0; i < 3; i++)
		dup2(devnull, i);
	for (int fd = 3; fd < 65536; fd++)
		if (fd != status_w && fd != keeper_ack_fd)
			close(fd);

	int root_status = 0;
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if (w == root) {
			root_status = st;
			if (write(status_w, &st, sizeof(st)) < 0) {
				/* nobody waits in the foreground */
			}
		}
	}
	_exit(WIFEXITED(root_status) ? WEXITSTATUS(root_status) : 128 + WTERMSIG(root_status));
}

static int write_map(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = write_all(fd, text, strlen(text));
	close(fd);
	return r;
}

int proctree_restore(struct restore_ctx *c, skeleton_setup_fn setup, struct keeper *k, bool *pids_taken)
{
	*pids_taken = false;
	memset(k, 0, sizeof(*k));
	k->pid = -1;
	int report[2], status[2], ack[2], sync[2];
	if (pipe2(report, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0 || pipe2(ack, O_CLOEXEC) < 0 ||
	    pipe2(sync, O_CLOEXEC) < 0)
		return ckpt_fail_errno("cannot create pipes");
	/* The skeleton writes into report[1] and status[1]/ack[1] belong to the keeper; all of
	 * them must sit above the saved fd numbers so that the skeleton's fd setup keeps them. */
	report[1] = fd_move_up(report[1], c->fd_base);
	status[1] = fd_move_up(status[1], c->fd_base);
	ack[1] = fd_move_up(ack[1], c->fd_base);
	sync[0] = fd_move_up(sync[0], c->fd_base);
	c->report_fd = report[1];
	keeper_ack_fd = ack[1];

	/* Not for ordinary users: their gdb could not enter the mount namespace to read the
	 * program's files, and would show no symbols. */
	c->own_mount_ns = c->ns_mode && !c->user_ns;
	uint64_t flags = (c->ns_mode ? CLONE_NEWPID : 0) | (c->own_mount_ns ? CLONE_NEWNS : 0) |
			 (c->user_ns ? CLONE_NEWUSER : 0);
	struct clone3_args a = {.flags = flags, .exit_signal = SIGCHLD};
	fflush(NULL);
	pid_t kp = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (kp < 0 && errno == EPERM && c->own_mount_ns) {
		/* A mount namespace may be refused where a pid namespace is not. */
		a.flags &= ~(uint64_t)CLONE_NEWNS;
		c->own_mount_ns = false;
		kp = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	}
	if (kp < 0) {
		int e = errno;
		close(report[0]); close(report[1]); close(status[0]); close(status[1]);
		close(ack[0]); close(ack[1]); close(sync[0]); close(sync[1]);
		errno = e;
		if (c->user_ns)
			return ckpt_fail_errno("cannot restart with the saved pids: this user may not choose pids, and "
					       "cannot create a user and pid namespace here either");
		if (c->ns_mode)
			return ckpt_fail_errno("cannot create a pid namespace for the restart (the saved pids are in use here)");
		return ckpt_fail_errno("cannot fork");
	}
	if (kp == 0) {
		close(report[0]);
		close(status[0]);
		close(ack[0]);
		close(sync[1]);
		keeper_main(c, setup, status[1], sync[0]);
	}
	close(sync[0]);
	close(report[1]);
	close(status[1]);
	close(ack[1]);
	k->pid = kp;
	k->status_fd = status[0];
	k->ack_fd = ack[0];
	k->report_fd = report[0];
	k->report_fd_in_tree = report[1];
	c->report_fd = -1;

	if (c->user_ns) {
		/* Map our own ids into the namespace, so the program runs as the same user. */
		char map[64];
		uid_t uid = getuid();
		gid_t gid = getgid();
		int r;
		if (uid == 0) {
			r = write_map(kp, "uid_map", "0 0 4294967295") | write_map(kp, "gid_map", "0 0 4294967295");
		} else {
			snprintf(map, sizeof(map), "%u %u 1", uid, uid);
			r = write_map(kp, "uid_map", map);
			r |= write_map(kp, "setgroups", "deny");
			snprintf(map, sizeof(map), "%u %u 1", gid, gid);
			r |= write_map(kp, "gid_map", map);
		}
		if (r < 0) {
			ckpt_fail_errno("cannot set up the user namespace for the restart");
			close(sync[1]);
			return -1;
		}
	}
	if (write(sync[1], "g", 1) != 1) {
		close(sync[1]);
		return ckpt_fail_errno("the keeper process died");
	}
	close(sync[1]);

	/* Wait for every skeleton process to report in. */
	size_t ok = 0;
	char buf[4096];
	size_t have = 0;
	uint64_t deadline = now_ns() + 30ull * 1000000000ull;
	while (ok < c->img->nprocs) {
		struct pollfd pfd = {k->report_fd, POLLIN, 0};
		int left = (int)((deadline - now_ns()) / 1000000);
		if ((int64_t)(deadline - now_ns()) <= 0)
			return ckpt_fail("the rebuilt process tree did not come up in time");
		int pr = poll(&pfd, 1, left > 200 ? 200 : left);
		if (check_interrupted() < 0)
			return -1;
		if (pr < 0 && errno != EINTR)
			return ckpt_fail_errno("waiting for the rebuilt process tree");
		if (pr <= 0) {
			int st;
			if (waitpid(kp, &st, WNOHANG) == kp) {
				k->pid = -1;
				return ckpt_fail("the keeper process ended early (status %d)", st);
			}
			continue;
		}
		ssize_t n = read(k->report_fd, buf + have, sizeof(buf) - have - 1);
		if (n <= 0)
			return ckpt_fail("the rebuilt process tree ended before it was complete");
		have += (size_t)n;
		buf[have] = 0;
		char *nl;
		while ((nl = strchr(buf, '\n'))) {
			*nl = 0;
			if (strncmp(buf, "ok ", 3) == 0) {
				ok++;
			} else if (strncmp(buf, "warn: ", 6) == 0) {
				ckpt_warn("%s", buf + 6);
			} else if (strncmp(buf, "error: pid-taken: ", 18) == 0) {
				*pids_taken = true;
				return ckpt_fail("%s", buf + 18);
			} else if (strncmp(buf, "error: clone: ", 14) == 0) {
				return ckpt_fail("%s", buf + 14);
			} else {
				return ckpt_fail("%s", strncmp(buf, "error: ", 7) == 0 ? buf + 7 : buf);
			}
			size_t used = (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have - used + 1);
			have -= used;
		}
	}
	return 0;
}

/* The innermost pid in an NSpid line of /proc/PID/status. */
static pid_t inner_pid(pid_t outer)
{
	char *st = read_proc(outer, "status", NULL);
	if (!st)
		return -1;
	const char *v = status_field(st, "NSpid");
	pid_t last = -1;
	while (v && *v && *v != '\n') {
		char *end;
		long x = strtol(v, &end, 10);
		if (end == v)
			break;
		last = (pid_t)x;
		v = end;
		while (*v == ' ' || *v == '\t')
			v++;
	}
	free(st);
	return last;
}

static int map_process(struct restore_ctx *c, pid_t outer)
{
	pid_t in = inner_pid(outer);
	size_t pi;
	for (pi = 0; pi < c->img->nprocs; pi++)
		if ((pid_t)c->img->procs[pi].rec.pid == in)
			break;
	if (pi == c->img->nprocs)
		return ckpt_fail("unexpected process %d (inside: %d) in the rebuilt tree", outer, in);
	c->outer_pids[pi] = outer;
	struct process_image *p = &c->img->procs[pi];
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", outer);
	DIR *d = opendir(path);
	if (!d)
		return ckpt_fail_errno("cannot list the threads of rebuilt pid %d", outer);
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		if (tid <= 0)
			continue;
		pid_t itid = c->ns_mode ? inner_pid(tid) : tid;
		for (size_t k = 0; k < p->nthreads; k++)
			if ((pid_t)p->threads[k].rec.tid == itid)
				c->outer_tids[pi][k] = tid;
		pid_t *kids;
		size_t nkids = proc_children(outer, tid, &kids);
		for (size_t i = 0; i < nkids; i++)
			if (map_process(c, kids[i]) < 0) {
				free(kids);
				closedir(d);
				return -1;
			}
		free(kids);
	}
	closedir(d);
	for (size_t k = 0; k < p->nthreads; k++)
		if (!c->outer_tids[pi][k])
			return ckpt_fail("thread %u of pid %u is missing from the rebuilt tree", p->threads[k].rec.tid, p->rec.pid);
	return 0;
}

int proctree_map_outer(struct restore_ctx *c, const struct keeper *k)
{
	pid_t *kids;
	size_t n = proc_children(k->pid, k->pid, &kids);
	pid_t root = n ? kids[0] : 0;
	free(kids);
	if (root <= 0)
		return ckpt_fail("the rebuilt tree has no root");
	if (map_process(c, root) < 0)
		return -1;
	for (size_t i = 0; i < c->img->nprocs; i++)
		if (!c->outer_pids[i])
			return ckpt_fail("pid %u is missing from the rebuilt tree", c->img->procs[i].rec.pid);
	return 0;
}

int proctree_keeper_detach(const struct keeper *k)
{
	if (kill(k->pid, SIGUSR1) < 0)
		return ckpt_fail_errno("the keeper process is gone");
	char b;
	for (;;) {
		ssize_t n = read(k->ack_fd, &b, 1);
		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return ckpt_fail("the keeper process did not answer");
	}
}

void proctree_abort(struct restore_ctx *c, struct keeper *k)
{
	if (k->pid <= 0)
		return;
	/* Kill the tree.  Tasks we never mapped (a half-built tree) die with their parents (their
	 * pdeath signal) or, in a namespace, with the keeper. */
	if (c->outer_pids)
		for (size_t i = 0; i < c->img->nprocs; i++)
			if (c->outer_pids[i] > 0)
				kill(c->outer_pids[i], SIGKILL);
	pid_t *kids;
	size_t nkids = proc_children(k->pid, k->pid, &kids);
	for (size_t i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	free(kids);
	/* The tasks we trace must be collected by us first, or they stay zombies the keeper waits
	 * for; then the keeper, which ends once its last child is reaped. */
	if (c->outer_tids)
		for (size_t i = 0; i < c->img->nprocs; i++)
			for (size_t t = 0; t < c->img->procs[i].nthreads; t++)
				if (c->outer_tids[i][t] > 0)
					while (waitpid(c->outer_tids[i][t], NULL, __WALL) < 0 && errno == EINTR)
						;
	if (c->ns_mode)
		kill(k->pid, SIGKILL);
	for (int i = 0; i < 500 && k->pid > 0; i++) {
		if (waitpid(k->pid, NULL, WNOHANG) == k->pid)
			k->pid = -1;
		else
			usleep(10000);
	}
	if (k->pid > 0) {
		kill(k->pid, SIGKILL);
		waitpid(k->pid, NULL, 0);
		k->pid = -1;
	}
}
