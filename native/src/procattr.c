/* Process attributes, captured and restored: see procattr.h. */
#include "procattr.h"
#include "files.h"
#include "pagescan.h"
#include "remote.h"
#include "statefile.h"
#include "util.h"

#include "json.h"
#include "notes.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_GROUPS 65536u
#define LOGINUID_UNSET 0xffffffffu
/* membarrier(2) commands (linux/membarrier.h; older headers lack some). */
#define MB_REGISTER_GLOBAL_EXPEDITED (1u << 2)
#define MB_REGISTER_PRIVATE_EXPEDITED (1u << 4)
#define MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1u << 6)
#define MB_REGISTER_PRIVATE_EXPEDITED_RSEQ (1u << 8)
#define MB_GET_REGISTRATIONS (1u << 9)
#define MB_REGISTRATIONS                                                                                     \
	(MB_REGISTER_GLOBAL_EXPEDITED | MB_REGISTER_PRIVATE_EXPEDITED | MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | \
	 MB_REGISTER_PRIVATE_EXPEDITED_RSEQ)
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

/* One limit of /proc/PID/limits: a number or "unlimited". */
static int limit_value(const char *s, uint64_t *v)
{
	while (*s == ' ')
		s++;
	if (strncmp(s, "unlimited", 9) == 0) {
		*v = RLIM_INFINITY;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	*v = n;
	return 0;
}

/* The 16 limits from /proc/PID/limits, whose lines after the header follow RLIMIT_* order:
 * the name in 25 columns, then the soft and the hard limit in 20 columns each. */
static int limits_from_proc(pid_t pid, struct process_image *p)
{
	char *text = read_proc(pid, "limits", NULL);
	if (!text)
		return ckpt_fail_errno("cannot read /proc/%d/limits", pid);
	char *line = strchr(text, '\n');
	int r = 0;
	for (; line && r < 16; r++) {
		line++;
		char *next = strchr(line, '\n');
		if (!next || next - line < 47 || limit_value(line + 26, &p->rec.rlimits[r][0]) < 0 ||
		    limit_value(line + 47, &p->rec.rlimits[r][1]) < 0)
			break;
		line = next;
	}
	free(text);
	if (r < 16)
		return ckpt_fail("cannot read resource limit %d of pid %d from /proc/%d/limits", r, pid, pid);
	return 0;
}

/* A capability set of /proc/PID/status, in hex. */
static uint64_t status_caps(const char *st, const char *key)
{
	const char *v = status_field(st, key);
	return v ? strtoull(v, NULL, 16) : 0;
}

static int read_groups(const char *st, struct process_image *p)
{
	const char *v = status_field(st, "Groups");
	size_t n = 0, cap = 0;
	while (v && *v && *v != '\n') {
		char *end;
		unsigned long g = strtoul(v, &end, 10);
		if (end == v)
			break;
		if (n >= MAX_GROUPS)
			return ckpt_fail("pid %u has more than %u supplementary groups", p->rec.pid, MAX_GROUPS);
		*ARR_PUSH(p->groups, n, cap) = (uint32_t)g;
		v = end;
		while (*v == ' ' || *v == '\t')
			v++;
	}
	p->attrs.ngroups = (uint32_t)n;
	return 0;
}

/* What /proc and the scheduler tell from outside; the prctl flags come from
 * procattr_capture_injected. */
static int capture_attrs(pid_t pid, const char *st, struct process_image *p)
{
	struct ckpt_rec_procattr *a = &p->attrs;
	a->dumpable = 1;
	a->cap_inh = status_caps(st, "CapInh");
	a->cap_prm = status_caps(st, "CapPrm");
	a->cap_eff = status_caps(st, "CapEff");
	a->cap_bnd = status_caps(st, "CapBnd");
	a->cap_amb = status_caps(st, "CapAmb");
	if (read_groups(st, p) < 0)
		return -1;
	const char *uid = status_field(st, "Uid"), *gid = status_field(st, "Gid");
	if (!uid || !gid || sscanf(uid, "%u %u %u %u", &a->uid, &a->euid, &a->suid, &a->fsuid) != 4 ||
	    sscanf(gid, "%u %u %u %u", &a->gid, &a->egid, &a->sgid, &a->fsgid) != 4)
		return ckpt_fail("cannot read the uids and gids of pid %d", pid);
	a->flags |= CKPT_PA_IDS;

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	char *root = read_link(path);
	if (!root)
		return ckpt_fail_errno("cannot read the root directory of pid %d", pid);
	if (strcmp(root, "/") == 0)
		free(root);
	else
		p->root = root;

	char *v = read_proc(pid, "oom_score_adj", NULL);
	if (!v)
		return ckpt_fail_errno("cannot read /proc/%d/oom_score_adj", pid);
	a->oom_score_adj = (int32_t)strtol(v, NULL, 10);
	free(v);
	v = read_proc(pid, "loginuid", NULL);
	if (v)
		a->loginuid = (uint32_t)strtoul(v, NULL, 10);
	else
		a->flags |= CKPT_PA_NO_LOGINUID;
	free(v);

	int policy = sched_getscheduler(pid);
	struct sched_param sp;
	if (policy < 0 || sched_getparam(pid, &sp) < 0)
		return ckpt_fail_errno("cannot read the scheduling policy of pid %d", pid);
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, (id_t)pid);
	if (nice == -1 && errno)
		return ckpt_fail_errno("cannot read the nice value of pid %d", pid);
	a->sched_policy = (uint32_t)policy;
	a->sched_priority = (uint32_t)sp.sched_priority;
	a->nice = nice;
	p->has_attrs = true;
	return 0;
}

/* The process's locked memory (VmLck) in kB, -1 if unknown. */
long long procattr_locked_kib(pid_t pid)
{
	char *st = read_proc(pid, "status", NULL);
	const char *v = st ? status_field(st, "VmLck") : NULL;
	long long kib = v ? strtoll(v, NULL, 10) : -1;
	free(st);
	return kib;
}

/* mlockall(MCL_FUTURE) lives in mm->def_flags, which the kernel shows nowhere but on new
 * mappings: one page mapped in the process, and unmapped again, tells.  Locked, it counts in
 * VmLck; locked without MCL_ONFAULT, mmap makes it resident at once.  Shared anonymous memory,
 * so that it merges with no neighbour and leaves the layout as it was. */
static int capture_mlockall(struct inject *in, pid_t pid, struct ckpt_rec_procattr *a)
{
	const uint64_t prot = PROT_READ, flags = MAP_SHARED | MAP_ANONYMOUS;
	if (!inject_allowed(in, SYS_mmap, 0, PAGE, prot, flags, (uint64_t)-1, 0) ||
	    !inject_allowed(in, SYS_munmap, 0, PAGE, 0, 0, 0, 0))
		return 0; /* a seccomp filter: not known, so not restored */
	long long before = procattr_locked_kib(pid);
	long addr;
	if (inject_syscall(in, SYS_mmap, 0, PAGE, prot, flags, (uint64_t)-1, 0, &addr) < 0)
		return -1;
	if (addr == -EAGAIN) {
		/* Only a locked mapping is held to RLIMIT_MEMLOCK: locked, on fault or not. */
		a->flags |= CKPT_PA_MLOCK_FUTURE;
		return 0;
	}
	if (addr < 0 && addr > -4096)
		return 0;
	long long after = procattr_locked_kib(pid);
	uint64_t entry = 0;
	int pm = pagemap_open(pid);
	bool read_ok = pm >= 0 && pread(pm, &entry, sizeof(entry), (off_t)((uint64_t)addr / PAGE * sizeof(entry))) == sizeof(entry);
	if (pm >= 0)
		close(pm);
	long ret;
	if (inject_syscall_checked(in, "munmap (probe page)", SYS_munmap, (uint64_t)addr, PAGE, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (before >= 0 && after > before) {
		a->flags |= CKPT_PA_MLOCK_FUTURE;
		if (read_ok && !(entry >> 63))
			a->flags |= CKPT_PA_MLOCK_ONFAULT;
	}
	return 0;
}

int procattr_capture_injected(struct inject *in, struct process_image *p)
{
	struct ckpt_rec_procattr *a = &p->attrs;
	long ret;
	int32_t v;
	/* Under a seccomp filter that would refuse one of these, its default stays. */
	if (inject_allowed(in, SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0, 0)) {
		if (inject_syscall(in, SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret >= 0)
			a->dumpable = (uint32_t)ret;
	}
	if (inject_allowed(in, SYS_prctl, PR_GET_PDEATHSIG, in->scratch, 0, 0, 0, 0)) {
		if (inject_syscall(in, SYS_prctl, PR_GET_PDEATHSIG, in->scratch, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret == 0 && remote_read(in->tid, in->scratch, &v, sizeof(v)) == 0)
			a->pdeath_sig = (uint32_t)v;
	}
	if (inject_allowed(in, SYS_prctl, PR_GET_CHILD_SUBREAPER, in->scratch, 0, 0, 0, 0)) {
		if (inject_syscall(in, SYS_prctl, PR_GET_CHILD_SUBREAPER, in->scratch, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret == 0 && remote_read(in->tid, in->scratch, &v, sizeof(v)) == 0 && v)
			a->flags |= CKPT_PA_SUBREAPER;
	}
	if (inject_allowed(in, SYS_prctl, PR_GET_THP_DISABLE, 0, 0, 0, 0, 0)) {
		if (inject_syscall(in, SYS_prctl, PR_GET_THP_DISABLE, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret > 0)
			a->flags |= CKPT_PA_THP_DISABLE;
	}
	if (inject_allowed(in, SYS_membarrier, MB_GET_REGISTRATIONS, 0, 0, 0, 0, 0)) {
		if (inject_syscall(in, SYS_membarrier, MB_GET_REGISTRATIONS, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
		/* Older kernels have no GET_REGISTRATIONS (EINVAL): none are known then. */
		if (ret > 0)
			a->membarrier = (uint32_t)ret & MB_REGISTRATIONS;
	}
	return capture_mlockall(in, (pid_t)p->rec.pid, a);
}

int procattr_capture(pid_t pid, struct process_image *p)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	p->cwd = read_link(path);
	if (!p->cwd)
		return ckpt_fail_errno("cannot read the working directory of pid %d", pid);

	char *st = read_proc(pid, "status", NULL);
	if (!st)
		return ckpt_fail_errno("cannot read /proc/%d/status", pid);
	const char *um = status_field(st, "Umask");
	p->rec.umask = um ? (uint32_t)strtoul(um, NULL, 8) : 022;
	int rc = capture_attrs(pid, st, p);
	free(st);
	if (rc < 0)
		return -1;
	/* A deleted working directory: restart enters the directory it makes again for an fd of the
	 * process that holds the same one. */
	struct stat cwd;
	if (deleted_path(p->cwd) && stat(path, &cwd) == 0) {
		p->attrs.cwd_dev = cwd.st_dev;
		p->attrs.cwd_ino = cwd.st_ino;
	}

	char *pers = read_proc(pid, "personality", NULL);
	if (!pers)
		return ckpt_fail_errno("cannot read /proc/%d/personality", pid);
	p->rec.personality = (uint32_t)strtoul(pers, NULL, 16);
	free(pers);

	for (int r = 0; r < 16; r++) {
		struct rlimit rl;
		if (prlimit(pid, (enum __rlimit_resource)r, NULL, &rl) < 0) {
			/* prlimit of another user's process needs CAP_SYS_RESOURCE, which root may
			 * lack; /proc/PID/limits says the same to whoever may trace it. */
			if (errno == EPERM)
				return limits_from_proc(pid, p);
			return ckpt_fail_errno("cannot read resource limit %d of pid %d", r, pid);
		}
		p->rec.rlimits[r][0] = rl.rlim_cur;
		p->rec.rlimits[r][1] = rl.rlim_max;
	}
	return 0;
}

#include <errno.h>
#include <linux/capability.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

/* A deleted working directory: the one made again for an fd of the process that held it, else
 * a new one (ghost.c), entered and removed. */
static int enter_deleted_cwd(const struct process_image *p)
{
	for (size_t k = 0; k < p->nfds && p->attrs.cwd_ino; k++) {
		const struct fd_image *f = &p->fds[k];
		if (f->rec.kind == CKPT_FD_GHOST_NODE && f->rec.dev == p->attrs.cwd_dev && f->rec.ino == p->attrs.cwd_ino &&
		    !(f->rec.fd_flags & CKPT_FDF_LOST))
			return fchdir((int)f->rec.fd);
	}
	int fd = ghost_make_dir(p->cwd, p->rec.pid);
	if (fd < 0)
		return -1;
	int rc = fchdir(fd);
	close(fd);
	return rc;
}

int procattr_restore_inside(const struct process_image *p)
{
	if (p->cwd && (deleted_path(p->cwd) ? enter_deleted_cwd(p) : chdir(p->cwd)) < 0)
		return ckpt_fail_errno("cannot enter the saved working directory %s of pid %u", p->cwd, p->rec.pid);
	umask((mode_t)(p->rec.umask & 0777));
	if (personality(p->rec.personality) < 0)
		return ckpt_fail_errno("cannot set personality 0x%x of pid %u", p->rec.personality, p->rec.pid);
	return 0;
}

int procattr_restore_limits(pid_t outer_pid, const struct process_image *p)
{
	/* Set from outside once the memory, files and threads are in place, so that a low limit (on
	 * open files, address space, processes) does not get in the way of the restore; and before
	 * the thread credentials, whose other uids would keep ckpt from setting them. */
	for (int r = 0; r < 16; r++) {
		struct rlimit want = {p->rec.rlimits[r][0], p->rec.rlimits[r][1]}, now;
		if (prlimit(outer_pid, (enum __rlimit_resource)r, &want, NULL) == 0)
			continue;
		if (prlimit(outer_pid, (enum __rlimit_resource)r, NULL, &now) < 0)
			return ckpt_fail_errno("cannot read the resource limits of pid %d", outer_pid);
		/* Raising a hard limit needs a privilege the user may not have: keep what we can. */
		if (want.rlim_max > now.rlim_max)
			want.rlim_max = now.rlim_max;
		if (want.rlim_cur > want.rlim_max)
			want.rlim_cur = want.rlim_max;
		if (prlimit(outer_pid, (enum __rlimit_resource)r, &want, NULL) < 0)
			return ckpt_fail_errno("cannot set resource limit %d of pid %d", r, outer_pid);
	}
	return 0;
}

void procattr_raise_memlock(pid_t outer_pid, const struct process_image *p)
{
	struct rlimit now;
	uint64_t want = p->rec.rlimits[RLIMIT_MEMLOCK][0];
	if (prlimit(outer_pid, RLIMIT_MEMLOCK, NULL, &now) < 0 || want <= now.rlim_cur)
		return;
	now.rlim_cur = want < now.rlim_max ? want : now.rlim_max;
	/* Failing changes nothing: the mlock that needs it says so. */
	if (prlimit(outer_pid, RLIMIT_MEMLOCK, &now, NULL) < 0)
		ckpt_debug("cannot raise RLIMIT_MEMLOCK of pid %d: %s", outer_pid, strerror(errno));
}

int procattr_drop_caps(struct inject *in)
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

/* ---- the CKPT_NT_PROCATTR note ---- */

void procattr_write_note(struct buf *notes, const struct process_image *p)
{
	if (!p->has_attrs)
		return;
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_procattr));
	struct ckpt_rec_procattr r = p->attrs;
	r.root = tw_str(&tw, p->root);
	r.groups_off = tw_blob(&tw, p->groups, (size_t)r.ngroups * sizeof(uint32_t));
	tw_add(&tw, &r);
	tw_emit(&tw, notes, CKPT_NT_PROCATTR);
}

/* (uid_t)-1 is no id: setresuid would leave that one unchanged. */
static bool bad_ids(const struct ckpt_rec_procattr *a)
{
	const uint32_t ids[] = {a->uid, a->euid, a->suid, a->fsuid, a->gid, a->egid, a->sgid, a->fsgid};
	for (size_t i = 0; i < ARRAY_LEN(ids); i++)
		if ((a->flags & CKPT_PA_IDS) ? ids[i] == UINT32_MAX : ids[i] != 0)
			return true;
	return false;
}

int procattr_parse_note(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (table_parse(n, CKPT_REC_PROCATTR_OLDEST_SIZE, 1, &t) < 0)
		return -1;
	if (t.count != 1)
		return ckpt_fail("the CKPT process attributes note has no record");
	struct ckpt_rec_procattr *a = &p->attrs;
	table_rec(&t, 0, a, sizeof(*a));
	uint32_t policy = a->sched_policy & ~(uint32_t)SCHED_RESET_ON_FORK;
	bool rt = policy == SCHED_FIFO || policy == SCHED_RR;
	if (a->dumpable > 2 || a->pdeath_sig >= 65 || a->oom_score_adj < -1000 || a->oom_score_adj > 1000 ||
	    (policy != SCHED_OTHER && !rt && policy != SCHED_BATCH && policy != SCHED_IDLE) ||
	    (rt ? a->sched_priority < 1 || a->sched_priority > 99 : a->sched_priority != 0) || a->nice < -20 ||
	    a->nice > 19 || (a->membarrier & ~MB_REGISTRATIONS) || a->ngroups > MAX_GROUPS ||
	    (a->flags & ~(CKPT_PA_THP_DISABLE | CKPT_PA_SUBREAPER | CKPT_PA_NO_LOGINUID | CKPT_PA_MLOCK_FUTURE |
			  CKPT_PA_MLOCK_ONFAULT | CKPT_PA_IDS)) ||
	    ((a->flags & CKPT_PA_MLOCK_ONFAULT) && !(a->flags & CKPT_PA_MLOCK_FUTURE)) || bad_ids(a))
		return ckpt_fail("the process attributes of pid %u are out of range", p->rec.pid);
	const char *root = NULL;
	const uint8_t *groups;
	if (a->root != CKPT_NO_STR && table_str(&t, a->root, &root, "root directory") < 0)
		return -1;
	if (root && root[0] != '/')
		return ckpt_fail("the root directory of pid %u is not an absolute path", p->rec.pid);
	if (table_blob(&t, a->groups_off, a->ngroups * (uint32_t)sizeof(uint32_t), &groups, "groups") < 0)
		return -1;
	if ((a->cwd_dev || a->cwd_ino) && !(p->cwd && deleted_path(p->cwd)))
		return ckpt_fail("pid %u has the device and inode of a deleted working directory, but its working "
				 "directory was not deleted",
				 p->rec.pid);
	p->root = root ? xstrdup(root) : NULL;
	if (a->ngroups) {
		p->groups = xmalloc(a->ngroups * sizeof(uint32_t));
		memcpy(p->groups, groups, a->ngroups * sizeof(uint32_t));
	}
	p->has_attrs = true;
	return 0;
}

/* ---- restart ---- */

/* Injected in the rebuilt process once its memory, files and locks are in place. */
int procattr_restore_process(struct inject *in, pid_t outer_pid, const struct process_image *p)
{
	if (!p->has_attrs)
		return 0;
	const struct ckpt_rec_procattr *a = &p->attrs;
	long ret;
	static const uint32_t mb_cmds[] = {MB_REGISTER_GLOBAL_EXPEDITED, MB_REGISTER_PRIVATE_EXPEDITED,
					   MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, MB_REGISTER_PRIVATE_EXPEDITED_RSEQ};
	for (size_t i = 0; i < ARRAY_LEN(mb_cmds); i++) {
		if (!(a->membarrier & mb_cmds[i]))
			continue;
		if (inject_syscall(in, SYS_membarrier, mb_cmds[i], 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret < 0)
			ckpt_warn("pid %u: membarrier registration 0x%x is not available here: %s", p->rec.pid, mb_cmds[i],
				  strerror((int)-ret));
	}
	if ((a->flags & CKPT_PA_THP_DISABLE) &&
	    inject_syscall_checked(in, "prctl(PR_SET_THP_DISABLE)", SYS_prctl, PR_SET_THP_DISABLE, 1, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if ((a->flags & CKPT_PA_SUBREAPER) &&
	    inject_syscall_checked(in, "prctl(PR_SET_CHILD_SUBREAPER)", SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0,
				   &ret) < 0)
		return -1;
	/* After the memory is back: only the program's own later mappings are locked by it. */
	if (a->flags & CKPT_PA_MLOCK_FUTURE) {
		uint64_t how = MCL_FUTURE | ((a->flags & CKPT_PA_MLOCK_ONFAULT) ? MCL_ONFAULT : 0);
		if (inject_syscall(in, SYS_mlockall, how, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret < 0)
			ckpt_warn("pid %u: cannot lock its future mappings again (mlockall): %s", p->rec.pid,
				  strerror((int)-ret));
	}

	/* The kernel lets a process write only its own loginuid. */
	char *now = (a->flags & CKPT_PA_NO_LOGINUID) ? NULL : read_proc(outer_pid, "loginuid", NULL);
	if (now && (uint32_t)strtoul(now, NULL, 10) != a->loginuid) {
		static const char path[] = "/proc/self/loginuid";
		char val[16];
		int len = snprintf(val, sizeof(val), "%u", a->loginuid);
		long fd;
		if (remote_write(in->tid, in->scratch, path, sizeof(path)) < 0 || remote_write(in->tid, in->scratch + 64, val, (size_t)len) < 0 ||
		    inject_syscall(in, SYS_open, in->scratch, O_WRONLY | O_CLOEXEC, 0, 0, 0, 0, &fd) < 0) {
			free(now);
			return -1;
		}
		ret = fd;
		if (fd >= 0) {
			if (inject_syscall(in, SYS_write, (uint64_t)fd, in->scratch + 64, (uint64_t)len, 0, 0, 0, &ret) < 0 ||
			    inject_syscall(in, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0, &fd) < 0) {
				free(now);
				return -1;
			}
		}
		if (ret < 0)
			ckpt_warn("pid %u: cannot set its loginuid %u again: %s", p->rec.pid, a->loginuid, strerror((int)-ret));
	}
	free(now);

	/* Last of the paths: ckpt opened every file and mapping through the host's root. */
	if (p->root) {
		size_t len = strlen(p->root) + 1;
		if (len > TRAMP_SCRATCH_LEN)
			return ckpt_fail("the root directory of pid %u is too long", p->rec.pid);
		if (remote_write(in->tid, in->scratch, p->root, len) < 0 ||
		    inject_syscall(in, SYS_chroot, in->scratch, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
		if (ret < 0) {
			errno = (int)-ret;
			return ckpt_fail_errno("cannot make %s the root directory of pid %u again", p->root, p->rec.pid);
		}
	}
	return 0;
}

int procattr_restore_pdeath_sig(struct inject *in, const struct process_image *p)
{
	/* The skeleton's SIGKILL (it died with ckpt) goes; the program's own comes back. */
	long ret;
	uint64_t sig = p->has_attrs ? p->attrs.pdeath_sig : 0;
	return inject_syscall_checked(in, "prctl(PR_SET_PDEATHSIG)", SYS_prctl, PR_SET_PDEATHSIG, sig, 0, 0, 0, 0, &ret);
}

int procattr_restore_dumpable(struct inject *in, const struct process_image *p)
{
	/* Only 0 and 1 can be set; 2 (root-only core dumps) is the closer to 0.  Set it either way:
	 * giving the threads their ids back may have cleared it. */
	if (!p->has_attrs)
		return 0;
	long ret;
	return inject_syscall_checked(in, "prctl(PR_SET_DUMPABLE)", SYS_prctl, PR_SET_DUMPABLE, p->attrs.dumpable == 1, 0, 0,
				      0, 0, &ret);
}

static uint64_t caps_of(const char *st, const char *key)
{
	return st ? status_caps(st, key) : 0;
}

static bool same_groups(const char *st, const struct process_image *p)
{
	const char *v = st ? status_field(st, "Groups") : NULL;
	for (uint32_t i = 0; i < p->attrs.ngroups; i++) {
		char *end;
		if (!v || strtoul(v, &end, 10) != p->groups[i] || end == v)
			return false;
		v = end;
	}
	while (v && (*v == ' ' || *v == '\t'))
		v++;
	return !v || *v == '\n' || *v == 0;
}

static bool same_ids(const char *st, const struct ckpt_rec_procattr *a)
{
	const char *uid = status_field(st, "Uid"), *gid = status_field(st, "Gid");
	unsigned u[4], g[4];
	return !(a->flags & CKPT_PA_IDS) ||
	       (uid && gid && sscanf(uid, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4 &&
		sscanf(gid, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]) == 4 && u[0] == a->uid && u[1] == a->euid &&
		u[2] == a->suid && u[3] == a->fsuid && g[0] == a->gid && g[1] == a->egid && g[2] == a->sgid &&
		g[3] == a->fsgid);
}

/* The saved uids and gids, gids first (changing uids may take the right to).  The kernel lets
 * the thread take only ids the user running restart may; the others stay as they are.  The
 * permitted capabilities are kept across (PR_SET_KEEPCAPS) for capset to choose from. */
static int restore_ids(struct inject *in, const struct ckpt_rec_procattr *a, bool *short_of)
{
	const struct { long nr; uint64_t a0, a1, a2; } calls[] = {
		{SYS_setresgid, a->gid, a->egid, a->sgid}, {SYS_setfsgid, a->fsgid, 0, 0},
		{SYS_setresuid, a->uid, a->euid, a->suid}, {SYS_setfsuid, a->fsuid, 0, 0},
	};
	long keep, ret;
	if (inject_syscall(in, SYS_prctl, PR_GET_KEEPCAPS, 0, 0, 0, 0, 0, &keep) < 0 ||
	    inject_syscall_checked(in, "prctl(PR_SET_KEEPCAPS)", SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0, 0, &ret) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(calls); i++) {
		if (inject_syscall(in, calls[i].nr, calls[i].a0, calls[i].a1, calls[i].a2, 0, 0, 0, &ret) < 0)
			return -1;
		*short_of |= ret < 0; /* setfsuid and setfsgid say nothing: same_ids sees it afterwards */
	}
	return inject_syscall_checked(in, "prctl(PR_SET_KEEPCAPS)", SYS_prctl, PR_SET_KEEPCAPS, (uint64_t)(keep > 0), 0, 0,
				      0, 0, &ret);
}

int procattr_restore_creds(struct inject *in, pid_t outer_tid, const struct process_image *p, bool report)
{
	if (!p->has_attrs)
		return 0;
	const struct ckpt_rec_procattr *a = &p->attrs;
	char what[32];
	snprintf(what, sizeof(what), "task/%d/status", outer_tid);
	char *st = read_proc(outer_tid, what, NULL);
	if (!st)
		return ckpt_fail_errno("cannot read the status of thread %d", outer_tid);
	uint64_t prm = caps_of(st, "CapPrm"), eff = caps_of(st, "CapEff"), inh = caps_of(st, "CapInh"),
		 bnd = caps_of(st, "CapBnd");
	long ret;
	int rc = 0;
	bool short_of = false;

	if (!same_groups(st, p)) {
		size_t len = (size_t)a->ngroups * sizeof(uint32_t);
		if (len > TRAMP_SCRATCH_LEN) {
			ckpt_warn("pid %u: its %u supplementary groups are too many to restore", p->rec.pid, a->ngroups);
		} else if ((rc = remote_write(in->tid, in->scratch, p->groups, len)) == 0 &&
			   (rc = inject_syscall(in, SYS_setgroups, a->ngroups, in->scratch, 0, 0, 0, 0, &ret)) == 0 && ret < 0) {
			short_of = true;
		}
	}
	if (rc == 0 && !same_ids(st, a)) {
		rc = restore_ids(in, a, &short_of);
		free(st);
		st = rc == 0 ? read_proc(outer_tid, what, NULL) : NULL;
		if (rc == 0 && !st)
			return ckpt_fail_errno("cannot read the status of thread %d", outer_tid);
		prm = caps_of(st, "CapPrm");
		eff = caps_of(st, "CapEff");
		inh = caps_of(st, "CapInh");
		short_of |= st && !same_ids(st, a);
	}
	/* The bounding set can only shrink, with CAP_SETPCAP, before capset may drop that. */
	for (int cap = 0; rc == 0 && cap < 64; cap++) {
		uint64_t bit = 1ull << cap;
		if (!(bnd & bit) || (a->cap_bnd & bit))
			continue;
		rc = inject_syscall(in, SYS_prctl, PR_CAPBSET_DROP, (uint64_t)cap, 0, 0, 0, 0, &ret);
		if (rc == 0 && ret < 0)
			short_of = true;
		if (rc == 0 && ret >= 0)
			bnd &= ~bit;
	}
	/* Never more than the thread holds now, which is what the user running restart has. */
	uint64_t want_prm = a->cap_prm & prm, want_inh = a->cap_inh & (inh | prm) & (inh | bnd),
		 want_eff = a->cap_eff & want_prm;
	if (want_prm != a->cap_prm || want_inh != a->cap_inh || (a->cap_bnd & ~bnd))
		short_of = true;
	if (rc == 0 && (want_prm != prm || want_eff != eff || want_inh != inh)) {
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2] = {
			{(uint32_t)want_eff, (uint32_t)want_prm, (uint32_t)want_inh},
			{(uint32_t)(want_eff >> 32), (uint32_t)(want_prm >> 32), (uint32_t)(want_inh >> 32)}};
		rc = remote_write(in->tid, in->scratch, &h, sizeof(h));
		if (rc == 0)
			rc = remote_write(in->tid, in->scratch + 64, d, sizeof(d));
		if (rc == 0)
			rc = inject_syscall_checked(in, "capset", SYS_capset, in->scratch, in->scratch + 64, 0, 0, 0, 0, &ret);
	}
	for (int cap = 0; rc == 0 && cap < 64; cap++) {
		uint64_t bit = 1ull << cap;
		if (!(a->cap_amb & bit))
			continue;
		if (!(want_prm & want_inh & bit)) {
			short_of = true;
			continue;
		}
		rc = inject_syscall(in, SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (uint64_t)cap, 0, 0, 0, &ret);
		if (rc == 0 && ret < 0)
			short_of = true;
	}
	free(st);
	if (rc == 0 && short_of && report)
		ckpt_warn("pid %u had capabilities, groups or ids that the user running restart cannot give; it runs without them",
			  p->rec.pid);
	return rc;
}

static void warn_once(bool *warned, const struct process_image *p, const char *what, int err)
{
	if (!*warned)
		ckpt_warn("pid %u: cannot set its %s again: %s", p->rec.pid, what, strerror(err));
	*warned = true;
}

int procattr_restore_outside(pid_t outer_pid, const pid_t *tids, const struct process_image *p)
{
	if (!p->has_attrs)
		return 0;
	const struct ckpt_rec_procattr *a = &p->attrs;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", outer_pid);
	char *now = read_file(path, NULL);
	if (now && strtol(now, NULL, 10) != a->oom_score_adj) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		char val[16];
		int len = snprintf(val, sizeof(val), "%d", a->oom_score_adj);
		if (fd < 0 || write(fd, val, (size_t)len) != len)
			ckpt_warn("pid %u: cannot set its oom_score_adj %d again: %s", p->rec.pid, a->oom_score_adj,
				  strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	free(now);
	/* Every thread, as they were created by a skeleton thread with ckpt's own. */
	bool warned_sched = false, warned_nice = false;
	for (size_t k = 0; k < p->nthreads; k++) {
		struct sched_param sp = {.sched_priority = (int)a->sched_priority};
		int cur = sched_getscheduler(tids[k]);
		struct sched_param csp;
		if (cur < 0 || sched_getparam(tids[k], &csp) < 0 || (uint32_t)cur != a->sched_policy ||
		    (uint32_t)csp.sched_priority != a->sched_priority) {
			if (sched_setscheduler(tids[k], (int)a->sched_policy, &sp) < 0)
				warn_once(&warned_sched, p, "scheduling policy", errno);
		}
		errno = 0;
		int nice = getpriority(PRIO_PROCESS, (id_t)tids[k]);
		if ((errno || nice != a->nice) && setpriority(PRIO_PROCESS, (id_t)tids[k], a->nice) < 0)
			warn_once(&warned_nice, p, "nice value", errno);
	}
	return 0;
}

/* ---- ckpt info ---- */

static const char *policy_name(uint32_t policy)
{
	switch (policy & ~(uint32_t)SCHED_RESET_ON_FORK) {
	case SCHED_OTHER: return "other";
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_BATCH: return "batch";
	case SCHED_IDLE: return "idle";
	}
	return "?";
}

void procattr_describe(struct buf *b, const struct process_image *p)
{
	if (!p->has_attrs)
		return;
	const struct ckpt_rec_procattr *a = &p->attrs;
	buf_printf(b, "  Sched:    %s", policy_name(a->sched_policy));
	if (a->sched_priority)
		buf_printf(b, " priority %u", a->sched_priority);
	buf_printf(b, ", nice %d, oom_score_adj %d%s\n", a->nice, a->oom_score_adj,
		   (a->sched_policy & SCHED_RESET_ON_FORK) ? ", reset on fork" : "");
	buf_printf(b, "  Caps:     eff %016llx prm %016llx inh %016llx bnd %016llx amb %016llx\n",
		   (unsigned long long)a->cap_eff, (unsigned long long)a->cap_prm, (unsigned long long)a->cap_inh,
		   (unsigned long long)a->cap_bnd, (unsigned long long)a->cap_amb);
	buf_printf(b, "  Groups:  ");
	for (uint32_t i = 0; i < a->ngroups; i++)
		buf_printf(b, " %u", p->groups[i]);
	buf_printf(b, "%s\n", a->ngroups ? "" : " none");
	buf_printf(b, "  Flags:    dumpable %u", a->dumpable);
	if (a->pdeath_sig)
		buf_printf(b, ", parent-death signal %u", a->pdeath_sig);
	if (a->flags & CKPT_PA_SUBREAPER)
		buf_printf(b, ", child subreaper");
	if (a->flags & CKPT_PA_THP_DISABLE)
		buf_printf(b, ", THP disabled");
	if (a->flags & CKPT_PA_MLOCK_FUTURE)
		buf_printf(b, ", mlockall(MCL_FUTURE%s)", (a->flags & CKPT_PA_MLOCK_ONFAULT) ? " | MCL_ONFAULT" : "");
	if (a->membarrier)
		buf_printf(b, ", membarrier 0x%x", a->membarrier);
	if (!(a->flags & CKPT_PA_NO_LOGINUID) && a->loginuid != LOGINUID_UNSET)
		buf_printf(b, ", loginuid %u", a->loginuid);
	buf_printf(b, "\n");
	if (p->root)
		buf_printf(b, "  Root:     %s\n", p->root);
}

void procattr_json(struct json *j, const struct process_image *p)
{
	if (!p->has_attrs)
		return;
	const struct ckpt_rec_procattr *a = &p->attrs;
	json_object_begin(j, "attributes");
	json_str(j, "sched_policy", policy_name(a->sched_policy));
	json_u64(j, "sched_priority", a->sched_priority);
	json_i64(j, "nice", a->nice);
	json_i64(j, "oom_score_adj", a->oom_score_adj);
	json_u64(j, "dumpable", a->dumpable);
	json_u64(j, "pdeath_sig", a->pdeath_sig);
	json_bool(j, "child_subreaper", a->flags & CKPT_PA_SUBREAPER);
	json_bool(j, "thp_disable", a->flags & CKPT_PA_THP_DISABLE);
	json_bool(j, "mlock_future", a->flags & CKPT_PA_MLOCK_FUTURE);
	json_bool(j, "mlock_onfault", a->flags & CKPT_PA_MLOCK_ONFAULT);
	json_u64(j, "membarrier", a->membarrier);
	if ((a->flags & CKPT_PA_NO_LOGINUID) || a->loginuid == LOGINUID_UNSET)
		json_null(j, "loginuid");
	else
		json_u64(j, "loginuid", a->loginuid);
	json_u64(j, "cap_eff", a->cap_eff);
	json_u64(j, "cap_prm", a->cap_prm);
	json_u64(j, "cap_inh", a->cap_inh);
	json_u64(j, "cap_bnd", a->cap_bnd);
	json_u64(j, "cap_amb", a->cap_amb);
	json_array_begin(j, "groups");
	for (uint32_t i = 0; i < a->ngroups; i++)
		json_u64(j, NULL, p->groups[i]);
	json_array_end(j);
	json_str(j, "root", p->root ? p->root : "/");
	json_object_end(j);
}
