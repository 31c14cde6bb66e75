/* Signals, captured and restored: see signals.h. */
#include "signals.h"
#include "remote.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel's struct sigaction for rt_sigaction on x86-64. */
struct kernel_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* Reads a signal queue without dequeuing anything. */
static int peek_queue(pid_t tid, int shared, uint32_t rec_tid, struct ckpt_rec_sigqueue **arr, size_t *n, size_t *cap)
{
	for (uint64_t off = 0;; off += 32) {
		struct __ptrace_peeksiginfo_args args = {.off = off, .flags = shared ? PTRACE_PEEKSIGINFO_SHARED : 0, .nr = 32};
		siginfo_t si[32];
		long got = ptrace(PTRACE_PEEKSIGINFO, tid, &args, si);
		if (got < 0)
			return ckpt_fail_errno("cannot read pending signals of thread %d", tid);
		for (long i = 0; i < got; i++) {
			struct ckpt_rec_sigqueue *q = ARR_PUSH(*arr, *n, *cap);
			q->tid = rec_tid;
			memcpy(q->siginfo, &si[i], sizeof(q->siginfo));
		}
		if (got < 32)
			return 0;
	}
}

int signals_capture_thread(struct inject *in, const struct frozen_task *ft, struct thread_image *t)
{
	t->rec.sigmask = in->saved_mask;
	if (peek_queue(ft->tid, 0, (uint32_t)ft->tid, &t->pending, &t->npending, &t->cap_pending) < 0)
		return -1;
	/* A signal our interrupt caught in flight was already dequeued: keep it for restart. */
	if (ft->stopped_by_signal && in->have_siginfo && in->saved_siginfo.si_signo == ft->stop_sig) {
		struct ckpt_rec_sigqueue *q = ARR_PUSH(t->pending, t->npending, t->cap_pending);
		q->tid = (uint32_t)ft->tid;
		memcpy(q->siginfo, &in->saved_siginfo, sizeof(q->siginfo));
	}
	long ret;
	if (!inject_allowed(in, SYS_sigaltstack, 0, in->scratch, 0, 0, 0, 0)) {
		ckpt_warn("thread %d's seccomp mode does not let ckpt read its alternate signal stack; it is not restored", ft->tid);
		t->rec.altstack_flags = SS_DISABLE;
		return 0;
	}
	if (inject_syscall(in, SYS_sigaltstack, 0, in->scratch, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (ret == 0) {
		stack_t ss;
		if (remote_read(ft->tid, in->scratch, &ss, sizeof(ss)) < 0)
			return -1;
		t->rec.altstack_sp = (uint64_t)(uintptr_t)ss.ss_sp;
		t->rec.altstack_size = ss.ss_size;
		t->rec.altstack_flags = (uint32_t)ss.ss_flags;
	}
	return 0;
}

int signals_capture_process(struct inject *in, pid_t pid, struct process_image *p)
{
	char *st = read_proc(pid, "status", NULL);
	if (!st)
		return ckpt_fail_errno("cannot read /proc/%d/status", pid);
	const char *cgt = status_field(st, "SigCgt"), *ign = status_field(st, "SigIgn");
	uint64_t caught = cgt ? strtoull(cgt, NULL, 16) : ~0ull;
	uint64_t ignored = ign ? strtoull(ign, NULL, 16) : 0;
	free(st);
	for (int sig = 1; sig <= 64; sig++) {
		memset(&p->sigactions[sig - 1], 0, sizeof(p->sigactions[0]));
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Default handlers need no query; anything else carries flags and a mask. */
		if (!((caught | ignored) & (1ull << (sig - 1))))
			continue;
		long ret;
		if (inject_syscall(in, SYS_rt_sigaction, (uint64_t)sig, 0, in->scratch, 8, 0, 0, &ret) < 0)
			return -1;
		if (ret != 0)
			continue;
		struct kernel_sigaction ka;
		if (remote_read(in->tid, in->scratch, &ka, sizeof(ka)) < 0)
			return -1;
		p->sigactions[sig - 1] = (struct ckpt_rec_sigaction){ka.handler, ka.flags, ka.restorer, ka.mask};
	}
	return peek_queue(in->tid, 1, 0, &p->shared_pending, &p->nshared_pending, &p->cap_shared_pending);
}

/* ---------------------------------------------------------------------------------------- */
/* Restart                                                                                   */

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

int signals_restore_handlers(const struct process_image *p)
{
	for (int sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		const struct ckpt_rec_sigaction *a = &p->sigactions[sig - 1];
		struct kernel_sigaction ka = {a->handler, a->flags, a->restorer, a->mask};
		/* The raw call: glibc's wrapper would put its own restorer in place of the saved one. */
		if (syscall(SYS_rt_sigaction, sig, &ka, NULL, 8) < 0)
			return ckpt_fail_errno("cannot restore the handler of signal %d", sig);
	}
	return 0;
}

int signals_restore_thread(struct inject *in, const struct thread_image *t, pid_t inner_pid)
{
	long ret;
	stack_t ss = {.ss_sp = (void *)(uintptr_t)t->rec.altstack_sp, .ss_size = t->rec.altstack_size,
		      .ss_flags = (int)(t->rec.altstack_flags & (SS_DISABLE | SS_AUTODISARM))};
	if (!(t->rec.altstack_flags & SS_DISABLE)) {
		if (remote_write(in->tid, in->scratch, &ss, sizeof(ss)) < 0 ||
		    inject_syscall_checked(in, "sigaltstack", SYS_sigaltstack, in->scratch, 0, 0, 0, 0, 0, &ret) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->npending; i++) {
		int sig;
		memcpy(&sig, t->pending[i].siginfo, sizeof(sig));
		if (remote_write(in->tid, in->scratch, t->pending[i].siginfo, sizeof(t->pending[i].siginfo)) < 0 ||
		    inject_syscall_checked(in, "a pending signal (rt_tgsigqueueinfo)", SYS_rt_tgsigqueueinfo, (uint64_t)inner_pid,
				    t->rec.tid, (uint64_t)sig, in->scratch, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

int signals_restore_process(struct inject *in, const struct process_image *p)
{
	long ret;
	for (size_t i = 0; i < p->nshared_pending; i++) {
		int sig;
		memcpy(&sig, p->shared_pending[i].siginfo, sizeof(sig));
		if (remote_write(in->tid, in->scratch, p->shared_pending[i].siginfo, 128) < 0 ||
		    inject_syscall_checked(in, "a pending signal (rt_sigqueueinfo)", SYS_rt_sigqueueinfo, p->rec.pid,
				    (uint64_t)sig, in->scratch, 0, 0, 0, &ret) < 0)
			return -1;
	}
	return 0;
}

int signals_restore_mask(pid_t outer_tid, const struct thread_image *t)
{
	uint64_t mask = t->rec.sigmask;
	if (ptrace(PTRACE_SETSIGMASK, outer_tid, (void *)sizeof(mask), &mask) < 0)
		return ckpt_fail_errno("cannot set the signal mask of thread %u", t->rec.tid);
	return 0;
}

/* SigPnd of /proc/TID/status: this thread's own pending set. */
static uint64_t thread_pending(pid_t tid)
{
	char what[64];
	snprintf(what, sizeof(what), "/proc/%d/status", tid);
	char *st = read_file(what, NULL);
	if (!st)
		return 0;
	const char *v = status_field(st, "SigPnd");
	uint64_t set = v ? strtoull(v, NULL, 16) : 0;
	free(st);
	return set;
}

int ckpt_discard_pending_sigstop(const pid_t *tids, size_t ntids)
{
	ckpt_clear_error();
	for (size_t i = 0; i < ntids; i++) {
		pid_t tid = tids[i];
		if (!(thread_pending(tid) & (1ull << (SIGSTOP - 1))))
			continue;
		/* Let the thread dequeue it: it stops again at once, in a SIGSTOP delivery stop that
		 * the debugger's next resume (with no signal) discards. */
		if (ptrace(PTRACE_CONT, tid, NULL, NULL) < 0)
			return ckpt_fail_errno("cannot resume thread %d", tid);
		int st;
		if (wait_task(tid, &st) < 0)
			return -1;
		if (!WIFSTOPPED(st))
			return ckpt_fail("thread %d ended", tid);
	}
	return 0;
}
