/* The mm fields, auxv and executable link, captured and restored (mm.h). */
#include "mm.h"
#include "elfutil.h"
#include "proctree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int mm_capture(struct inject *in, pid_t pid, struct process_image *p)
{
	unsigned long long f[53];
	if (proc_stat(pid, f, NULL, NULL) < 0)
		return ckpt_fail_errno("cannot read /proc/%d/stat", pid);
	struct ckpt_rec_mm *m = &p->mm;
	m->start_code = f[26];
	m->end_code = f[27];
	m->start_stack = f[28];
	m->start_data = f[45];
	m->end_data = f[46];
	m->start_brk = f[47];
	m->arg_start = f[48];
	m->arg_end = f[49];
	m->env_start = f[50];
	m->env_end = f[51];
	/* The current break is not in /proc; brk(0) returns it without changing anything. */
	long brk;
	if (inject_syscall(in, SYS_brk, 0, 0, 0, 0, 0, 0, &brk) < 0)
		return -1;
	m->brk = (uint64_t)brk;

	p->auxv = (uint8_t *)read_proc(pid, "auxv", &p->auxv_len);
	if (!p->auxv)
		return ckpt_fail_errno("cannot read /proc/%d/auxv", pid);

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	p->exe = read_link(path);
	if (!p->exe)
		return ckpt_fail_errno("cannot read %s", path);
	p->rec.exe_file = CKPT_NO_INDEX;
	struct stat st;
	if (stat(path, &st) == 0)
		for (size_t i = 0; i < p->nfiles; i++)
			if (p->files[i].rec.ino == st.st_ino && p->files[i].rec.dev == st.st_dev)
				p->rec.exe_file = (uint32_t)i;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Restart                                                                                   */

#include "remote.h"

#include <linux/prctl.h>
#include <sys/prctl.h>

int mm_restore(struct inject *in, const struct process_image *p)
{
	long ret, exe_fd = -1;
	/* /proc/PID/exe must name the program again, or a debugger attaching by pid would load
	 * ckpt's symbols.  Changing it needs the checkpoint/restore capability in our namespace. */
	if (p->exe && strlen(p->exe) + 1 < 1024) {
		if (remote_write(in->tid, in->scratch + 1024, p->exe, strlen(p->exe) + 1) < 0)
			return -1;
		if (inject_syscall(in, SYS_open, in->scratch + 1024, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0, &exe_fd) < 0)
			return -1;
	}
	struct prctl_mm_map m = {
		.start_code = p->mm.start_code, .end_code = p->mm.end_code,
		.start_data = p->mm.start_data, .end_data = p->mm.end_data,
		.start_brk = p->mm.start_brk, .brk = p->mm.brk, .start_stack = p->mm.start_stack,
		.arg_start = p->mm.arg_start, .arg_end = p->mm.arg_end,
		.env_start = p->mm.env_start, .env_end = p->mm.env_end,
		.auxv = (__u64 *)(uintptr_t)(in->scratch + sizeof(struct prctl_mm_map)),
		.auxv_size = (uint32_t)p->auxv_len,
		.exe_fd = exe_fd >= 0 ? (uint32_t)exe_fd : (uint32_t)-1,
	};
	if (p->auxv_len > 512)
		return ckpt_fail("the saved auxiliary vector is too large (%zu bytes)", p->auxv_len);
	if (remote_write(in->tid, in->scratch, &m, sizeof(m)) < 0 ||
	    (p->auxv_len && remote_write(in->tid, in->scratch + sizeof(m), p->auxv, p->auxv_len) < 0))
		return -1;
	if (inject_syscall(in, SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, in->scratch, sizeof(m), 0, 0, &ret) < 0)
		return -1;
	if (ret == -EPERM && exe_fd >= 0) {
		ckpt_warn("no right to set /proc/%u/exe; a debugger attaching by pid needs the program's path", p->rec.pid);
		m.exe_fd = (uint32_t)-1;
		if (remote_write(in->tid, in->scratch, &m, sizeof(m)) < 0 ||
		    inject_syscall(in, SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, in->scratch, sizeof(m), 0, 0, &ret) < 0)
			return -1;
	}
	if (ret < 0) {
		errno = (int)-ret;
		return ckpt_fail_errno("cannot restore the mm fields of pid %u (PR_SET_MM_MAP)", p->rec.pid);
	}
	if (exe_fd >= 0)
		return inject_syscall_checked(in, "close", SYS_close, (uint64_t)exe_fd, 0, 0, 0, 0, 0, &ret);
	return 0;
}
