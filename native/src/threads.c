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

	/* clear_child_tid is only readable by the thread itself. */
	long ret;
	if (inject_syscall(in, SYS_prctl, PR_GET_TID_ADDRESS, in->scratch, 0, 0, 0, 0, &ret) < 0)
		return -1;
	if (ret == 0 && remote_read(tid, in->scratch, &t->rec.clear_child_tid, 8) < 0)
		return -1;
	return 0;
}
