/* Restart's process tree: the keeper, namespaces and id maps, the skeleton with the saved pids,
 * zombies brought back as zombies, seizing and releasing the rebuilt tasks, and waiting for a
 * restarted root (see skeleton.h). */
#include "skeleton.h"
#include "ckpt.h"
#include "remote.h"
#include "restore.h"
#include "sysvipc.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel ABI of clone3's argument block. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

/* The keeper, and ckpt's ends of the pipes to it and to the skeleton. */
struct skeleton {
	pid_t keeper;       /* outer pid of the keeper, or -1 */
	int status_fd;      /* keeper -> ckpt: the root's wait status (an int) once it ends */
	int ack_fd;         /* keeper -> ckpt: acknowledgements */
	int report_fd;      /* skeleton -> ckpt: "ok N", "warn: ..." or "error: ..." lines */
};

int skeleton_check(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		if (image_main_thread(p) == p->nthreads)
			return ckpt_fail("pid %u's main thread had exited when it was saved; such a process cannot be restarted",
					 p->rec.pid);
		if (p->rec.pid <= 1)
			return ckpt_fail("pid %u cannot be restarted", p->rec.pid);
	}
	return 0;
}

bool skeleton_can_choose_pids(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	/* CAP_SYS_ADMIN (21) or CAP_CHECKPOINT_RESTORE (40) in our own user namespace. */
	return (d[0].effective & (1u << 21)) || (d[1].effective & (1u << (40 - 32)));
}

bool skeleton_pids_busy(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nzombies; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%u", img->zombies[i].pid);
		if (access(path, F_OK) == 0)
			return true;
	}
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nthreads; k++) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%u", img->procs[i].threads[k].rec.tid);
			if (access(path, F_OK) == 0)
				return true;
		}
	return false;
}

/* ---- inside the keeper and the skeleton processes ---- */

/* One line to ckpt over the report pipe, in one write so that lines of several processes do
 * not mix. */
static void report_line(const struct restore_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_line(const struct restore_ctx *c, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(c->report_fd, line, (size_t)n) < 0) {
		/* ckpt is gone; the pdeath signal ends us */
	}
}

void skeleton_warn_inside(const struct restore_ctx *c, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	report_line(c, "warn: %s", why);
}

/* Reports why this skeleton process cannot go on, and ends it. */
static void fail_inside(const struct restore_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fail_inside(const struct restore_ctx *c, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	report_line(c, "error: %s", why);
	_exit(1);
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

static pid_t clone3_with_pid(pid_t pid)
{
	pid_t set_tid = pid;
	struct clone3_args a = {.exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&set_tid, .set_tid_size = 1};
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

/* "pid-taken" tells ckpt that exact pids cannot work here, which a namespace may fix. */
static const char *clone_failure(int err)
{
	return err == EEXIST ? "pid-taken" : "clone";
}

static void park(void) __attribute__((noreturn));
static void park(void)
{
	for (;;)
		syscall(SYS_pause);
}


/* Session and group of this skeleton process (the root: is_root).  A group outside the tree
 * cannot be joined, and a process left stopped must not sit in a group that can become
 * orphaned, so the root leads its own. */
static void take_session_and_group(const struct restore_ctx *c, uint32_t pid, uint32_t pgid, uint32_t sid, bool is_root)
{
	const struct statefile_image *img = c->img;
	bool in_tree_group = image_has_pid(img, pgid); /* it leads a group of the tree */
	if (sid == pid) {
		if (setsid() < 0)
			fail_inside(c, "cannot make pid %u a session leader: %s", pid, strerror(errno));
	} else if (pgid == pid || (is_root && !in_tree_group)) {
		if (setpgid(0, 0) < 0)
			fail_inside(c, "cannot make pid %u a group leader: %s", pid, strerror(errno));
	} else if (in_tree_group && setpgid(0, (pid_t)pgid) < 0) {
		report_line(c, "warn: pid %u could not rejoin process group %u: %s", pid, pgid, strerror(errno));
	} else if (!in_tree_group && !is_root && pgid != img->procs[0].rec.pgid) {
		report_line(c, "warn: pid %u's process group %u was outside the saved tree; it is in its parent's now", pid,
			    pgid);
	}
}

/* A zombie's group whose leader is gone (nor is it the root's, which the root leads anew): a
 * stand-in with the leader's pid makes the group again for the zombie to join, and ends once the
 * zombie is a zombie again.  Only in the session of the zombie's parent, which the stand-in has. */
static bool needs_group_stand_in(const struct statefile_image *img, const struct ckpt_rec_tree *z, uint32_t parent_sid)
{
	return z->pgid != z->pid && z->sid != z->pid && z->sid == parent_sid && !image_has_pid(img, z->pgid) &&
	       z->pgid != img->procs[0].rec.pgid;
}

static pid_t group_stand_in(const struct restore_ctx *c, uint32_t pgid)
{
	pid_t s = clone3_with_pid((pid_t)pgid);
	if (s < 0)
		fail_inside(c, "%s: cannot create pid %u to make its process group again: %s", clone_failure(errno), pgid,
			    strerror(errno));
	if (s == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		park();
	}
	setpgid(s, s);
	return s;
}

/* A zombie comes back as a process with its saved pid that ends as it ended, and that nobody
 * but its parent reaps. */
static void zombie_process(const struct restore_ctx *c, const struct ckpt_rec_tree *z, bool stand_in)
	__attribute__((noreturn));
static void zombie_process(const struct restore_ctx *c, const struct ckpt_rec_tree *z, bool stand_in)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid_t me = (pid_t)syscall(SYS_getpid);
	if ((uint32_t)me != z->pid)
		fail_inside(c, "zombie %u came back as pid %d", z->pid, me);
	if (!stand_in)
		take_session_and_group(c, z->pid, z->pgid, z->sid, false);
	else if (setpgid(0, (pid_t)z->pgid) < 0)
		fail_inside(c, "zombie %u cannot join its process group %u again: %s", z->pid, z->pgid, strerror(errno));
	if (WIFEXITED(z->exit_code))
		_exit(WEXITSTATUS(z->exit_code));
	int sig = WTERMSIG(z->exit_code);
	if (z->exit_code & 0x80)
		report_line(c, "warn: zombie %u had dumped core; its wait status says so no more", z->pid);
	/* Killed by its signal, without writing a core file. */
	prctl(PR_SET_DUMPABLE, 0);
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(sig, &dfl, NULL);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	syscall(SYS_kill, me, sig);
	fail_inside(c, "zombie %u did not end by signal %d", z->pid, sig);
}

/* Children that lead a group of their own are created in the first pass, so that their
 * siblings can join it in the second; zombies too, since a zombie's group lives on. */
static bool in_pass(int pass, uint32_t pid, uint32_t pgid)
{
	return (pass == 0) == (pgid == pid);
}

/* A group leader's group exists before its siblings of the second pass try to join it: the
 * parent makes it too, as shells do, whichever of the two gets there first.  Not for session
 * leaders, whose setsid() needs them not to lead a group yet. */
static void lead_group(int pass, uint32_t pid, uint32_t pgid, uint32_t sid, pid_t child)
{
	if (pass == 0 && pgid == pid && sid != pid)
		setpgid(child, child);
}

static void skeleton_process(struct restore_ctx *c, size_t pi, skeleton_setup_fn setup) __attribute__((noreturn));

/* Creates the children of p, each with its saved pid, and waits until its zombies are zombies
 * again (not reaped: WNOWAIT), so that the tree ckpt finds is complete. */
static void create_children(struct restore_ctx *c, size_t pi, skeleton_setup_fn setup)
{
	struct statefile_image *img = c->img;
	struct process_image *p = &img->procs[pi];
	pid_t *stand_ins = NULL;
	size_t nstand_ins = 0, cap_stand_ins = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < img->nprocs; i++) {
			if (i == pi || img->procs[i].rec.ppid != p->rec.pid || !in_pass(pass, img->procs[i].rec.pid, img->procs[i].rec.pgid))
				continue;
			pid_t child = clone3_with_pid((pid_t)img->procs[i].rec.pid);
			if (child < 0)
				fail_inside(c, "%s: cannot create pid %u: %s", clone_failure(errno), img->procs[i].rec.pid,
					    strerror(errno));
			if (child == 0)
				skeleton_process(c, i, setup);
			lead_group(pass, img->procs[i].rec.pid, img->procs[i].rec.pgid, img->procs[i].rec.sid, child);
		}
		for (size_t i = 0; i < img->nzombies; i++) {
			const struct ckpt_rec_tree *z = &img->zombies[i];
			if (z->ppid != p->rec.pid || !in_pass(pass, z->pid, z->pgid))
				continue;
			bool stand_in = needs_group_stand_in(img, z, p->rec.sid);
			bool made = false;
			for (size_t k = 0; k < nstand_ins; k++)
				made |= stand_ins[k] == (pid_t)z->pgid;
			if (stand_in && !made)
				*ARR_PUSH(stand_ins, nstand_ins, cap_stand_ins) = group_stand_in(c, z->pgid);
			pid_t child = clone3_with_pid((pid_t)z->pid);
			if (child < 0)
				fail_inside(c, "%s: cannot create pid %u (a zombie): %s", clone_failure(errno), z->pid,
					    strerror(errno));
			if (child == 0)
				zombie_process(c, z, stand_in);
			lead_group(pass, z->pid, z->pgid, z->sid, child);
		}
	}
	bool had_zombies = false;
	for (size_t i = 0; i < img->nzombies; i++) {
		if (img->zombies[i].ppid != p->rec.pid)
			continue;
		siginfo_t si;
		while (waitid(P_PID, (id_t)img->zombies[i].pid, &si, WEXITED | WNOWAIT) < 0)
			if (errno != EINTR)
				fail_inside(c, "cannot wait for zombie %u: %s", img->zombies[i].pid, strerror(errno));
		had_zombies = true;
	}
	for (size_t i = 0; i < nstand_ins; i++) {
		kill(stand_ins[i], SIGKILL);
		while (waitpid(stand_ins[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(stand_ins);
	/* Their SIGCHLD is the restart's, not the program's (whose pending signals come later). */
	if (had_zombies) {
		sigset_t chld;
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		struct timespec now = {0, 0};
		while (sigtimedwait(&chld, NULL, &now) > 0)
			;
	}
}

static void skeleton_process(struct restore_ctx *c, size_t pi, skeleton_setup_fn setup)
{
	struct statefile_image *img = c->img;
	struct process_image *p = &img->procs[pi];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ckpt_clear_error(); /* what ckpt had set before the fork is not this process's reason */
	pid_t me = (pid_t)syscall(SYS_getpid);
	if ((uint32_t)me != p->rec.pid)
		fail_inside(c, "process %u came back as pid %d", p->rec.pid, me);
	take_session_and_group(c, p->rec.pid, p->rec.pgid, p->rec.sid, pi == 0);
	/* The tree's SysV objects, made by a process of the tree, so that they are the tree's
	 * again for the next capture. */
	if (pi == 0 && sysvipc_restore_inside(c) < 0)
		fail_inside(c, "%s", ckpt_last_error());
	create_children(c, pi, setup);

	/* Threads, each with its saved tid. */
	for (size_t k = 0; k < p->nthreads; k++) {
		if (p->threads[k].rec.tid == p->rec.pid)
			continue;
		void *stack = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stack == MAP_FAILED)
			fail_inside(c, "cannot allocate a thread stack: %s", strerror(errno));
		pid_t tid = (pid_t)p->threads[k].rec.tid;
		struct clone3_args a = {.flags = CLONE_THREAD_FLAGS, .stack = (uint64_t)(uintptr_t)stack,
					.stack_size = 16384, .set_tid = (uint64_t)(uintptr_t)&tid, .set_tid_size = 1};
		long r = clone3_parked_thread(&a);
		if (r < 0)
			fail_inside(c, "%s: cannot create thread %d: %s", clone_failure((int)-r), tid, strerror((int)-r));
	}

	if (setup(c, p) < 0)
		fail_inside(c, "%s", ckpt_last_error());
	report_line(c, "ok %zu", pi);
	park();
}

/* The keeper's end of the acknowledgement pipe, for its signal handler. */
static int keeper_ack_fd = -1;

static void keeper_on_detach(int sig)
{
	(void)sig;
	prctl(PR_SET_PDEATHSIG, 0);
	if (write(keeper_ack_fd, "k", 1) < 0) {
		/* ckpt is gone */
	}
}

/* Programs that open /proc/<getpid()>/... (LeakSanitizer at exit does) need the procfs of their
 * own pid namespace.  Mounts of the host still propagate in (slave); this one stays here.  Best
 * effort: without it the host's /proc remains, where /proc/self still works. */
static void mount_own_proc(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		ckpt_debug("the restarted tree keeps the host's /proc: %s", strerror(errno));
}

/* The keeper: parent of the restored root, and init of its pid namespace if it has one. */
static void keeper_main(struct restore_ctx *c, skeleton_setup_fn setup, int status_w, int sync_r) __attribute__((noreturn));
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
	pid_t root = clone3_with_pid((pid_t)c->img->procs[0].rec.pid);
	if (root < 0)
		fail_inside(c, "%s: cannot create pid %u: %s", clone_failure(errno), c->img->procs[0].rec.pid,
			    strerror(errno));
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

/* ---- in ckpt ---- */

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

/* Maps our own ids into the keeper's new user namespace, so the program runs as the same user. */
static int map_ids(pid_t keeper)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (uid == 0)
		return write_map(keeper, "uid_map", "0 0 4294967295") | write_map(keeper, "gid_map", "0 0 4294967295");
	char map[64];
	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	int r = write_map(keeper, "uid_map", map);
	r |= write_map(keeper, "setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	return r | write_map(keeper, "gid_map", map);
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Forks the keeper in the namespaces c asks for; returns its pid, or -1.  Its ends of the
 * pipes are closed here, the ends ckpt keeps are stored in s. */
static pid_t fork_keeper(struct restore_ctx *c, struct skeleton *s, skeleton_setup_fn setup, int *sync_w)
{
	int report[2], status[2], ack[2], sync[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		return ckpt_fail_errno("cannot create pipes");
	if (pipe2(status, O_CLOEXEC) < 0) {
		close_pipe(report);
		return ckpt_fail_errno("cannot create pipes");
	}
	if (pipe2(ack, O_CLOEXEC) < 0) {
		close_pipe(report);
		close_pipe(status);
		return ckpt_fail_errno("cannot create pipes");
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		close_pipe(report);
		close_pipe(status);
		close_pipe(ack);
		return ckpt_fail_errno("cannot create pipes");
	}
	/* The skeleton writes into report[1] and status[1]/ack[1] belong to the keeper; all of
	 * them must sit above the saved fd numbers so that the skeleton's fd setup keeps them. */
	report[1] = fd_move_up(report[1], c->fd_base);
	status[1] = fd_move_up(status[1], c->fd_base);
	ack[1] = fd_move_up(ack[1], c->fd_base);
	sync[0] = fd_move_up(sync[0], c->fd_base);
	c->report_fd = report[1];
	keeper_ack_fd = ack[1];

	/* Who may choose pids may also make a pid namespace without a user namespace; others need
	 * both.  A mount namespace is not for ordinary users: their gdb could not enter it to read
	 * the program's files, and would show no symbols. */
	c->user_ns = c->ns_mode && !c->can_choose_pids;
	c->own_mount_ns = c->ns_mode && !c->user_ns;
	uint64_t flags = (c->ns_mode ? CLONE_NEWPID : 0) | (c->own_mount_ns ? CLONE_NEWNS : 0) |
			 (c->user_ns ? CLONE_NEWUSER : 0) | (sysvipc_new_namespace(c->sysv) ? CLONE_NEWIPC : 0);
	struct clone3_args a = {.flags = flags, .exit_signal = SIGCHLD};
	fflush(NULL);
	pid_t kp = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (kp < 0 && errno == EPERM && c->own_mount_ns) {
		/* A mount namespace may be refused where a pid namespace is not. */
		a.flags &= ~(uint64_t)CLONE_NEWNS;
		c->own_mount_ns = false;
		kp = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	}
	if (kp == 0) {
		close(report[0]);
		close(status[0]);
		close(ack[0]);
		close(sync[1]);
		keeper_main(c, setup, status[1], sync[0]);
	}
	int e = errno;
	close(sync[0]);
	close(report[1]);
	close(status[1]);
	close(ack[1]);
	if (kp < 0) {
		close(report[0]);
		close(status[0]);
		close(ack[0]);
		close(sync[1]);
		errno = e;
		if (c->user_ns)
			return ckpt_fail_errno("cannot restart with the saved pids: this user may not choose pids, and "
					       "cannot create a user and pid namespace here either");
		if (c->ns_mode)
			return ckpt_fail_errno("cannot create a pid namespace for the restart (the saved pids are in use here)");
		if (sysvipc_new_namespace(c->sysv))
			return ckpt_fail_errno("cannot create an IPC namespace for the restart (the saved SysV IPC ids are in use "
					       "here, or ckpt may not choose them)");
		return ckpt_fail_errno("cannot fork");
	}
	s->keeper = kp;
	s->status_fd = status[0];
	s->ack_fd = ack[0];
	s->report_fd = report[0];
	*sync_w = sync[1];
	return kp;
}

/* Reads the skeleton's reports until every process is parked. */
static int wait_for_skeleton(struct restore_ctx *c, struct skeleton *s)
{
	size_t ok = 0;
	char buf[4096];
	size_t have = 0;
	uint64_t deadline = now_ns() + 30ull * 1000000000ull;
	while (ok < c->img->nprocs) {
		struct pollfd pfd = {s->report_fd, POLLIN, 0};
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
			if (waitpid(s->keeper, &st, WNOHANG) == s->keeper) {
				s->keeper = -1;
				return ckpt_fail("the keeper process ended early (status %d)", st);
			}
			continue;
		}
		ssize_t n = read(s->report_fd, buf + have, sizeof(buf) - have - 1);
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
				c->pids_taken = true;
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

int skeleton_build(struct restore_ctx *c, skeleton_setup_fn setup)
{
	struct skeleton *s = xmalloc(sizeof(*s));
	*s = (struct skeleton){.keeper = -1, .status_fd = -1, .ack_fd = -1, .report_fd = -1};
	c->skeleton = s;
	c->pids_taken = false;
	c->report_fd = -1;
	c->outer_pids = xcalloc(c->img->nprocs, sizeof(pid_t));
	c->outer_tids = xcalloc(c->img->nprocs, sizeof(pid_t *));
	for (size_t i = 0; i < c->img->nprocs; i++)
		c->outer_tids[i] = xcalloc(c->img->procs[i].nthreads, sizeof(pid_t));

	int sync_w = -1;
	pid_t kp = fork_keeper(c, s, setup, &sync_w);
	if (kp < 0)
		return -1;
	if (c->user_ns && map_ids(kp) < 0) {
		ckpt_fail_errno("cannot set up the user namespace for the restart");
		close(sync_w);
		return -1;
	}
	if (write(sync_w, "g", 1) != 1) {
		close(sync_w);
		return ckpt_fail_errno("the keeper process died");
	}
	close(sync_w);
	return wait_for_skeleton(c, s);
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
	if (pi == c->img->nprocs) {
		for (size_t z = 0; z < c->img->nzombies; z++)
			if ((pid_t)c->img->zombies[z].pid == in)
				return 0; /* a zombie again, for its parent to reap */
		return ckpt_fail("unexpected process %d (inside: %d) in the rebuilt tree", outer, in);
	}
	c->outer_pids[pi] = outer;
	struct process_image *p = &c->img->procs[pi];
	DIR *d = opendir_proc(outer, "task");
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

int skeleton_find_tasks(struct restore_ctx *c)
{
	pid_t *kids;
	size_t n = proc_children(c->skeleton->keeper, c->skeleton->keeper, &kids);
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

int skeleton_seize(const struct restore_ctx *c)
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

void skeleton_release(const struct restore_ctx *c, bool stopped)
{
	for (size_t i = 0; i < c->img->nprocs; i++) {
		/* A process saved in a job-control stop stops again, and its parent can wait for that. */
		if (stopped || (c->img->procs[i].tree_flags & CKPT_TREE_STOPPED))
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

/* Programs restarted running, which skeleton_wait may wait for, by the root's outer pid:
 * kept here so that the public result carries nothing internal. */
struct waitable {
	pid_t root, keeper;
	int status_fd;  /* the keeper reports the root's wait status here */
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

/* Lets go of a waitable: its pipe, and its keeper once that has ended (usually at once, when
 * the tree is gone; children the program left running are not waited for). */
static void drop_waitable(struct waitable *w, int tries)
{
	close(w->status_fd);
	for (int i = 0; i < tries; i++) {
		if (waitpid(w->keeper, NULL, WNOHANG) == w->keeper)
			break;
		usleep(5000);
	}
	free(w);
}

static void remember_waitable(pid_t root, pid_t keeper, int status_fd)
{
	/* One left over from an earlier program with this pid was never waited for. */
	struct waitable *old = take_waitable(root);
	if (old)
		drop_waitable(old, 1);
	struct waitable *w = xmalloc(sizeof(*w));
	*w = (struct waitable){root, keeper, status_fd, NULL};
	pthread_mutex_lock(&waitables_lock);
	w->next = waitables;
	waitables = w;
	pthread_mutex_unlock(&waitables_lock);
}

int skeleton_hand_over(struct restore_ctx *c, bool waitable)
{
	struct skeleton *s = c->skeleton;
	if (kill(s->keeper, SIGUSR1) < 0)
		return ckpt_fail_errno("the keeper process is gone");
	char b;
	for (;;) {
		ssize_t n = read(s->ack_fd, &b, 1);
		if (n == 1)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		return ckpt_fail("the keeper process did not answer");
	}
	if (waitable) {
		remember_waitable(c->outer_pids[0], s->keeper, s->status_fd);
		s->status_fd = -1;
	}
	s->keeper = -1; /* not ours to kill any more */
	return 0;
}

int skeleton_wait(pid_t root, int *wait_status)
{
	struct waitable *w = take_waitable(root);
	if (!w)
		return ckpt_fail("pid %d is not a running program that this process restarted", root);
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
	drop_waitable(w, 40);
	return rc;
}

/* Kills every rebuilt task and the keeper, and reaps the keeper. */
static void kill_tree(struct restore_ctx *c, struct skeleton *s)
{
	/* Tasks we never mapped (a half-built tree) die with their parents (their pdeath signal)
	 * or, in a namespace, with the keeper. */
	for (size_t i = 0; i < c->img->nprocs; i++)
		if (c->outer_pids[i] > 0)
			kill(c->outer_pids[i], SIGKILL);
	pid_t *kids;
	size_t nkids = proc_children(s->keeper, s->keeper, &kids);
	for (size_t i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	free(kids);
	/* The tasks we trace must be collected by us first, or they stay zombies the keeper waits
	 * for; then the keeper, which ends once its last child is reaped. */
	for (size_t i = 0; i < c->img->nprocs; i++)
		for (size_t t = 0; t < c->img->procs[i].nthreads; t++)
			if (c->outer_tids[i][t] > 0)
				while (waitpid(c->outer_tids[i][t], NULL, __WALL) < 0 && errno == EINTR)
					;
	if (c->ns_mode)
		kill(s->keeper, SIGKILL);
	for (int i = 0; i < 500 && s->keeper > 0; i++) {
		if (waitpid(s->keeper, NULL, WNOHANG) == s->keeper)
			s->keeper = -1;
		else
			usleep(10000);
	}
	if (s->keeper > 0) {
		kill(s->keeper, SIGKILL);
		waitpid(s->keeper, NULL, 0);
		s->keeper = -1;
	}
}

void skeleton_finish(struct restore_ctx *c, bool failed)
{
	struct skeleton *s = c->skeleton;
	if (!s)
		return;
	if (failed && s->keeper > 0)
		kill_tree(c, s);
	int fds[] = {s->status_fd, s->ack_fd, s->report_fd};
	for (size_t i = 0; i < ARRAY_LEN(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(s);
	c->skeleton = NULL;
	for (size_t i = 0; i < c->img->nprocs; i++)
		free(c->outer_tids[i]);
	free(c->outer_tids);
	free(c->outer_pids);
	c->outer_tids = NULL;
	c->outer_pids = NULL;
}
