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
