/* Threads: registers and per-thread kernel state, captured and restored (threads.h). */
#include "threads.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PTRACE_EVENT_STOP_CODE ((PTRACE_EVENT_STOP << 8) | SIGTRAP)
#define ERESTARTNOHAND 514
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

/* The sleeps that any stop ends with EINTR, where the kernel restarts other sleeps. */
static bool ends_with_eintr_at_a_stop(uint64_t nr)
{
	return nr == SYS_epoll_wait || nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2;
}

int threads_restart_after_our_stop(pid_t tid)
{
	struct user_regs_struct r;
	if (remote_get_regs(tid, &r) < 0)
		return -1;
	if (!ends_with_eintr_at_a_stop(r.orig_rax) || (long)r.rax != -EINTR)
		return 0;
	r.rax = (uint64_t)-ERESTARTNOHAND;
	return remote_set_regs(tid, &r);
}

int threads_capture(struct inject *in, const struct frozen_task *ft, bool first, struct thread_image *t)
{
	pid_t tid = ft->tid;
	t->rec.tid = (uint32_t)tid;
	t->regs = in->saved;
	if (remote_get_fpregs(tid, &t->fpregs) < 0)
		return -1;
	t->xstate = remote_get_xstate(tid, &t->xstate_len);

	/* Why the thread is stopped: a debugger's breakpoint trap for the first thread, or a signal
	 * that our interrupt caught on its way in.  Our own interrupt is no signal at all. */
	if (in->have_siginfo && in->saved_siginfo.si_signo &&
	    !(in->saved_siginfo.si_signo == SIGTRAP && in->saved_siginfo.si_code == PTRACE_EVENT_STOP_CODE) &&
	    ((first && ft->held_by_caller) || ft->stopped_by_signal))
		t->stop_siginfo = in->saved_siginfo;

	char what[64];
	snprintf(what, sizeof(what), "task/%d/comm", tid);
	char *comm = read_proc(tid, what, NULL);
	if (comm) {
		comm[strcspn(comm, "\n")] = 0;
		snprintf(t->comm, sizeof(t->comm), "%s", comm);
		free(comm);
	}

	struct __ptrace_rseq_configuration rc = {0};
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, (void *)sizeof(rc), &rc) == (long)sizeof(rc) &&
	    rc.rseq_abi_pointer) {
		t->rec.flags |= CKPT_THR_RSEQ;
		t->rec.rseq_addr = rc.rseq_abi_pointer;
		t->rec.rseq_len = rc.rseq_abi_size;
		t->rec.rseq_sig = rc.signature;
	}

	void *head = NULL;
	size_t len = 0;
	if (syscall(SYS_get_robust_list, tid, &head, &len) == 0) {
		t->rec.robust_head = (uint64_t)(uintptr_t)head;
		t->rec.robust_len = len;
	}

	/* clear_child_tid is only readable by the thread itself, which seccomp strict mode forbids. */
	if (!inject_allowed(in, SYS_prctl, PR_GET_TID_ADDRESS, in->scratch, 0, 0, 0, 0)) {
		ckpt_warn("thread %d's seccomp mode does not let ckpt read its clear_child_tid; it is not restored", tid);
		return 0;
	}
	long ret;
	if (inject_syscall(in, SYS_prctl, PR_GET_TID_ADDRESS, in->scratch, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (ret == 0 && remote_read(tid, in->scratch, &t->rec.clear_child_tid, 8) < 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Restart                                                                                   */

#include <sys/wait.h>

#define ERESTART_RESTARTBLOCK 516

int threads_restore_attrs(struct inject *in, const struct thread_image *t)
{
	long ret;
	if ((t->rec.flags & CKPT_THR_RSEQ) &&
	    inject_syscall_checked(in, "rseq", SYS_rseq, t->rec.rseq_addr, t->rec.rseq_len, 0, t->rec.rseq_sig, 0, 0, &ret) < 0)
		return -1;
	if (t->rec.robust_head &&
	    inject_syscall_checked(in, "set_robust_list", SYS_set_robust_list, t->rec.robust_head, t->rec.robust_len, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (inject_syscall_checked(in, "set_tid_address", SYS_set_tid_address, t->rec.clear_child_tid, 0, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (remote_write(in->tid, in->scratch, t->comm, strlen(t->comm) + 1) < 0)
		return -1;
	return inject_syscall_checked(in, "prctl(PR_SET_NAME)", SYS_prctl, PR_SET_NAME, in->scratch, 0, 0, 0, 0, &ret);
}

int threads_rewind_attrs(struct inject *in, const struct thread_image *t)
{
	/* The kernel refuses a second registration, so the present one goes first: a thread saved
	 * before it registered would otherwise fail at its own registration, and glibc aborts. */
	struct __ptrace_rseq_configuration now = {0};
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, in->tid, (void *)sizeof(now), &now) != (long)sizeof(now))
		return ckpt_fail_errno("cannot read the rseq registration of thread %d", in->tid);
	bool saved = (t->rec.flags & CKPT_THR_RSEQ) != 0;
	bool same = saved ? now.rseq_abi_pointer == t->rec.rseq_addr && now.rseq_abi_size == t->rec.rseq_len &&
				    now.signature == t->rec.rseq_sig
			  : now.rseq_abi_pointer == 0;
	long ret;
	if (!same && now.rseq_abi_pointer &&
	    inject_syscall_checked(in, "rseq (unregister)", SYS_rseq, now.rseq_abi_pointer, now.rseq_abi_size,
				   1 /* RSEQ_FLAG_UNREGISTER */, now.signature, 0, 0, &ret) < 0)
		return -1;
	if (!same && saved &&
	    inject_syscall_checked(in, "rseq", SYS_rseq, t->rec.rseq_addr, t->rec.rseq_len, 0, t->rec.rseq_sig, 0, 0, &ret) < 0)
		return -1;
	if (t->rec.robust_len && inject_syscall_checked(in, "set_robust_list", SYS_set_robust_list, t->rec.robust_head,
							 t->rec.robust_len, 0, 0, 0, 0, &ret) < 0)
		return -1;
	return inject_syscall_checked(in, "set_tid_address", SYS_set_tid_address, t->rec.clear_child_tid, 0, 0, 0, 0, 0,
				      &ret);
}

static int set_fpu(pid_t tid, const struct thread_image *t, uint32_t xsave_size)
{
	if (t->xstate && xsave_size && xsave_size <= t->xstate_len) {
		if (remote_set_xstate(tid, t->xstate, xsave_size) == 0)
			return 0;
		/* A different CPU: the legacy FPU/SSE state is still exact. */
		static int warned;
		if (!warned++)
			ckpt_warn("this CPU's extended register state differs from the saved one; AVX state is not restored");
	}
	return remote_set_fpregs(tid, &t->fpregs);
}

/* Waits for the next stop of a task we trace; returns the wait status. */
static int next_stop(pid_t tid, int *status)
{
	if (wait_task(tid, status) < 0)
		return -1;
	if (!WIFSTOPPED(*status))
		return ckpt_fail("thread %d ended while being restored (%s %d)", tid,
				 WIFSIGNALED(*status) ? "killed by signal" : "exit status",
				 WIFSIGNALED(*status) ? WTERMSIG(*status) : WEXITSTATUS(*status));
	ckpt_debug("restore: thread %d stopped, status 0x%x", tid, *status);
	return 0;
}

/* Re-enters the interrupted syscall and interrupts it again, so the kernel has a fresh restart
 * block for it, and leaves the thread in the interrupt's stop inside signal handling, where the
 * kernel's restart logic still applies to the registers set next.  Returns 1 when the syscall
 * was interrupted again, 0 when it finished instead (*result is then its return value). */
static int reenter_restartable(pid_t tid, const struct user_regs_struct *saved, long *result)
{
	struct user_regs_struct r = *saved;
	r.rip -= 2; /* the syscall instruction */
	r.rax = saved->orig_rax;
	r.orig_rax = (uint64_t)-1;
	int st;
	if (remote_set_regs(tid, &r) < 0 || ptrace(PTRACE_SYSCALL, tid, NULL, NULL) < 0 || next_stop(tid, &st) < 0)
		return -1;
	if (WSTOPSIG(st) != (SIGTRAP | 0x80))
		return ckpt_fail("thread %d did not re-enter its system call", tid);
	/* Interrupting at once is fine: a sleep that sees the interrupt before blocking returns the
	 * same restart code. */
	if (ptrace(PTRACE_SYSCALL, tid, NULL, NULL) < 0 || ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 ||
	    next_stop(tid, &st) < 0)
		return -1;
	struct user_regs_struct now;
	if (remote_get_regs(tid, &now) < 0)
		return -1;
	*result = (long)now.rax;
	if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
		/* The syscall-exit stop used up the interrupt; ask again, to stop in signal handling. */
		if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 || ptrace(PTRACE_CONT, tid, NULL, NULL) < 0 ||
		    next_stop(tid, &st) < 0)
			return -1;
	}
	if ((st >> 16) != PTRACE_EVENT_STOP)
		return ckpt_fail("thread %d stopped unexpectedly (status 0x%x) while being restored", tid, st);
	return *result == -ERESTART_RESTARTBLOCK ? 1 : 0;
}

int threads_rewind(pid_t tid, const struct thread_image *t, uint32_t xsave_size)
{
	if (set_fpu(tid, t, xsave_size) < 0)
		return -1;
	struct user_regs_struct r = t->regs;
	if ((long)r.orig_rax >= 0 && (long)r.rax == -ERESTART_RESTARTBLOCK) {
		/* Its restart block is the kernel's and long gone (and the thread is a debugger's, not
		 * seized, so it cannot be re-entered as at restart): it makes the call again from its
		 * syscall instruction, with its arguments, which the kernel left in place.  A sleep
		 * then sleeps its whole time again, as after EINTR and a retry. */
		r.rip -= 2;
		r.rax = r.orig_rax;
		r.orig_rax = (uint64_t)-1;
	}
	return remote_set_regs(tid, &r);
}

int threads_restore_final(pid_t outer_tid, const struct thread_image *t, uint32_t xsave_size)
{
	if (set_fpu(outer_tid, t, xsave_size) < 0)
		return -1;
	struct user_regs_struct r = t->regs;
	if ((long)r.orig_rax >= 0 && (long)r.rax == -ERESTART_RESTARTBLOCK) {
		long result = 0;
		int re = reenter_restartable(outer_tid, &t->regs, &result);
		if (re < 0)
			return -1;
		if (re == 0) {
			/* The sleep ended on its own: it returns its result to the program. */
			r.rax = (uint64_t)result;
			r.orig_rax = (uint64_t)-1;
		}
	}
	return remote_set_regs(outer_tid, &r);
}
