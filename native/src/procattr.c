/* Process attributes, captured and restored: see procattr.h. */
#include "procattr.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

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
	free(st);

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

int procattr_restore_inside(const struct process_image *p)
{
	if (p->cwd && chdir(p->cwd) < 0)
		return ckpt_fail_errno("cannot enter the saved working directory %s of pid %u", p->cwd, p->rec.pid);
	umask((mode_t)(p->rec.umask & 0777));
	if (personality(p->rec.personality) < 0)
		return ckpt_fail_errno("cannot set personality 0x%x of pid %u", p->rec.personality, p->rec.pid);
	return 0;
}

int procattr_restore_limits(pid_t outer_pid, const struct process_image *p)
{
	/* Set from outside and last: a low limit (on open files, address space, processes) must
	 * not get in the way of the restore itself. */
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
