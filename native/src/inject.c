/* Syscall injection into stopped threads, and restart's trampoline page (see inject.h). */
#include "inject.h"
#include "remote.h"
#include "seccomp.h"
#include "util.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RED_ZONE 128

bool inject_filtered(pid_t pid)
{
	char *st = read_proc(pid, "status", NULL);
	const char *sc = st ? status_field(st, "Seccomp") : NULL;
	bool filtered = sc && atoi(sc) != 0;
	free(st);
	return filtered;
}

int inject_find_gadget(pid_t pid, uint64_t *gadget)
{
	char *maps = read_proc(pid, "maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read /proc/%d/maps", pid);
	int found = 0;
	/* Two passes: the vDSO is tiny and always there; any executable mapping otherwise. */
	for (int pass = 0; pass < 2 && !found; pass++) {
		char *save = NULL;
		char *copy = xstrdup(maps);
		for (char *l = strtok_r(copy, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
			unsigned long long s, e;
			char perms[8];
			if (sscanf(l, "%llx-%llx %7s", &s, &e, perms) != 3 || perms[0] != 'r' || perms[2] != 'x')
				continue;
			bool vdso = strstr(l, "[vdso]") != NULL;
			if ((pass == 0) != vdso)
				continue;
			size_t len = e - s > (1 << 20) ? (1 << 20) : e - s;
			uint8_t *buf = xmalloc(len);
			if (remote_try_read(pid, s, buf, len) == 0) {
				for (size_t i = 0; i + 1 < len; i++)
					if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
						*gadget = s + i;
						found = 1;
						break;
					}
			}
			free(buf);
		}
		free(copy);
	}
	free(maps);
	if (!found)
		return ckpt_fail("no syscall instruction found in the executable mappings of pid %d", pid);
	return 0;
}

int inject_begin(struct inject *in, pid_t tid, uint64_t gadget, size_t scratch_len)
{
	memset(in, 0, sizeof(*in));
	in->tid = tid;
	in->gadget = gadget;
	if (remote_get_regs(tid, &in->saved) < 0)
		return -1;
	if (ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof(uint64_t), &in->saved_mask) < 0)
		return ckpt_fail_errno("cannot read the signal mask of thread %d", tid);
	in->have_siginfo = ptrace(PTRACE_GETSIGINFO, tid, NULL, &in->saved_siginfo) == 0;
	uint64_t all = ~0ull;
	if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &all) < 0)
		return ckpt_fail_errno("cannot block signals in thread %d", tid);
	if (scratch_len) {
		scratch_len = ALIGN_UP(scratch_len, 16);
		in->scratch = (in->saved.rsp - RED_ZONE - scratch_len) & ~15ull;
		in->scratch_len = scratch_len;
		in->scratch_backup = xmalloc(scratch_len);
		if (remote_read(tid, in->scratch, in->scratch_backup, scratch_len) < 0) {
			free(in->scratch_backup);
			in->scratch_backup = NULL;
			ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &in->saved_mask);
			return -1;
		}
	}
	return 0;
}

bool inject_allowed(const struct inject *in, long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		    uint64_t a6)
{
	const uint64_t args[6] = {a1, a2, a3, a4, a5, a6};
	return !in->filter || seccomp_allows(in->filter, nr, args, in->gadget + 2);
}

int inject_syscall(struct inject *in, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5, uint64_t a6, long *ret)
{
	if (!inject_allowed(in, nr, a1, a2, a3, a4, a5, a6))
		return ckpt_fail("thread %d's seccomp %s would not let ckpt make system call %ld, which it needs to read its "
				 "state", in->tid, in->filter->rec.mode == SECCOMP_MODE_STRICT ? "strict mode" : "filter", nr);
	struct user_regs_struct r = in->saved;
	r.rip = in->gadget;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1; /* not inside a syscall: no restart fix-up of these registers */
	r.rdi = a1;
	r.rsi = a2;
	r.rdx = a3;
	r.r10 = a4;
	r.r8 = a5;
	r.r9 = a6;
	r.eflags &= ~0x100ull; /* TF is set by the single-step request itself */
	if (in->scratch)
		r.rsp = in->scratch; /* keep the stack pointer below anything we borrowed */
	if (remote_set_regs(in->tid, &r) < 0)
		return -1;
	int retries = 0;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, in->tid, NULL, NULL) < 0)
			return ckpt_fail_errno("cannot step thread %d", in->tid);
		int status;
		if (wait_task(in->tid, &status) < 0)
			return -1;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return ckpt_fail("thread %d exited during syscall injection", in->tid);
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status);
		int event = status >> 16;
		struct user_regs_struct now;
		if (remote_get_regs(in->tid, &now) < 0)
			return -1;
		if (sig == SIGTRAP && event == 0 && now.rip == in->gadget + 2) {
			*ret = (long)now.rax;
			ckpt_debug("inject: %d: syscall %ld(0x%llx, 0x%llx, 0x%llx) = %ld", in->tid, nr, (unsigned long long)a1,
				   (unsigned long long)a2, (unsigned long long)a3, *ret);
			return 0;
		}
		siginfo_t si = {0};
		ptrace(PTRACE_GETSIGINFO, in->tid, NULL, &si);
		ckpt_debug("inject: thread %d stopped with signal %d event %d at 0x%llx (gadget 0x%llx), si_code %d addr %p",
			   in->tid, sig, event, (unsigned long long)now.rip, (unsigned long long)in->gadget, si.si_code,
			   si.si_addr);
		ckpt_debug("  cs %llx ss %llx ds %llx es %llx fs %llx gs %llx fsbase %llx eflags %llx rsp %llx orig %llx", (unsigned long long)now.cs,
			   (unsigned long long)now.ss, (unsigned long long)now.ds, (unsigned long long)now.es, (unsigned long long)now.fs,
			   (unsigned long long)now.gs, (unsigned long long)now.fs_base, (unsigned long long)now.eflags,
			   (unsigned long long)now.rsp, (unsigned long long)now.orig_rax);
		/* A debugger tracing clones sees our clone() as an event first; the step comes next. */
		if (sig == SIGTRAP && now.rip == in->gadget + 2 &&
		    (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK))
			continue;
		/* A stop that is not our step: a SIGSTOP (unblockable) or a group-stop event. */
		if (sig == SIGSTOP && event == 0)
			in->requeue_sigstop = true;
		if (now.rip != in->gadget || (sig != SIGSTOP && !(sig == SIGTRAP && event)) || ++retries > 16)
			return ckpt_fail("thread %d stopped unexpectedly (signal %d, event %d) during syscall injection",
					 in->tid, sig, event);
	}
}

int inject_end(struct inject *in)
{
	int rc = 0;
	if (in->scratch_backup) {
		if (remote_write(in->tid, in->scratch, in->scratch_backup, in->scratch_len) < 0)
			rc = -1;
		free(in->scratch_backup);
		in->scratch_backup = NULL;
	}
	if (remote_set_regs(in->tid, &in->saved) < 0)
		rc = -1;
	if (ptrace(PTRACE_SETSIGMASK, in->tid, (void *)sizeof(uint64_t), &in->saved_mask) < 0)
		rc = ckpt_fail_errno("cannot restore the signal mask of thread %d", in->tid);
	if (in->have_siginfo)
		ptrace(PTRACE_SETSIGINFO, in->tid, NULL, &in->saved_siginfo);
	if (in->requeue_sigstop)
		syscall(SYS_tkill, in->tid, SIGSTOP);
	return rc;
}

int inject_syscall_checked(struct inject *in, const char *what, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4, uint64_t a5, uint64_t a6, long *ret)
{
	if (inject_syscall(in, nr, a1, a2, a3, a4, a5, a6, ret) < 0)
		return -1;
	if (*ret < 0 && *ret > -4096) {
		errno = (int)-*ret;
		return ckpt_fail_errno("restart failed: %s in thread %d", what, in->tid);
	}
	return 0;
}

int inject_trampoline_map(uint64_t addr)
{
	void *page = mmap((void *)(uintptr_t)addr, 4096, PROT_READ | PROT_EXEC | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page == MAP_FAILED || (uint64_t)(uintptr_t)page != addr) {
		if (page != MAP_FAILED)
			munmap(page, 4096);
		return ckpt_fail_errno("cannot map the restore trampoline");
	}
	static const uint8_t code[] = {0x0f, 0x05, /* syscall */ 0xcc /* int3 */};
	memcpy(page, code, sizeof(code));
	return 0;
}

void inject_trampoline_unmap(uint64_t addr)
{
	munmap((void *)(uintptr_t)addr, 4096);
}

int inject_begin_rebuilt(struct inject *in, pid_t tid, uint64_t tramp)
{
	memset(in, 0, sizeof(*in));
	in->tid = tid;
	in->gadget = tramp;
	in->scratch = tramp + TRAMP_SCRATCH_OFF;
	in->scratch_len = TRAMP_SCRATCH_LEN;
	if (remote_get_regs(tid, &in->saved) < 0)
		return -1;
	uint64_t all = ~0ull;
	if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &all) < 0)
		return ckpt_fail_errno("cannot block signals in thread %d", tid);
	/* A skeleton process inherits ckpt's rseq registration, whose area is about to be unmapped;
	 * the kernel would then fault on every return to user mode.  Unregister it first. */
	struct __ptrace_rseq_configuration rc = {0};
	long ret;
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, (void *)sizeof(rc), &rc) == (long)sizeof(rc) && rc.rseq_abi_pointer &&
	    inject_syscall_checked(in, "rseq (unregister)", SYS_rseq, rc.rseq_abi_pointer, rc.rseq_abi_size,
				   1 /* UNREGISTER */, rc.signature, 0, 0, &ret) < 0)
		return -1;
	return 0;
}
