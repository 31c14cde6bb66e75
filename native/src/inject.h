/*
 * Syscall injection: run system calls inside a ptrace-stopped thread of another process.
 *
 * The thread is pointed at an existing `syscall` instruction (a "gadget") and single-stepped
 * over it, so nothing in the target's memory is patched.  The kernel reports the step as a
 * SIGTRAP signal-delivery stop, which keeps the restart logic of a syscall the thread was
 * interrupted in intact once its registers are put back.  All signals are blocked while
 * injecting so that nothing is delivered to the program in between; an unblockable SIGSTOP
 * that arrives meanwhile is queued again afterwards, so it is not lost.
 */
#ifndef CKPT_INJECT_H
#define CKPT_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

struct inject {
	pid_t tid;
	uint64_t gadget;                  /* address of a `syscall` (0f 05) instruction */
	struct user_regs_struct saved;    /* registers before injection */
	uint64_t saved_mask;              /* blocked signals before injection */
	siginfo_t saved_siginfo;
	bool have_siginfo;
	bool requeue_sigstop;
	/* Scratch memory below the thread's red zone, for syscall arguments and results. */
	uint64_t scratch;
	size_t scratch_len;
	uint8_t *scratch_backup;
	/* At capture, the thread's seccomp state (seccomp.h): a syscall it would not let through
	 * is refused rather than injected.  NULL: no check. */
	const struct seccomp_image *filter;
};

/* Whether pid runs under a seccomp filter, which could kill it for a syscall it does not
 * expect (injecting clone() or userfaultfd() into it is not safe then). */
bool inject_filtered(pid_t pid);

/* Finds a syscall instruction in an executable mapping of pid (the vDSO first). */
int inject_find_gadget(pid_t pid, uint64_t *gadget);

int inject_begin(struct inject *in, pid_t tid, uint64_t gadget, size_t scratch_len);
/* Runs one syscall; *ret gets the raw result (negative errno on failure).  Returns -1 only when
 * the injection itself failed. */
int inject_syscall(struct inject *in, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5, uint64_t a6, long *ret);
/* Whether in->filter lets this syscall through (always, without a filter). */
bool inject_allowed(const struct inject *in, long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		    uint64_t a6);
/* Puts registers, signal mask, siginfo and scratch memory back. */
int inject_end(struct inject *in);

/* Like inject_syscall, but a failing syscall is an error too, named by `what` ("mmap (file)"). */
int inject_syscall_checked(struct inject *in, const char *what, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4, uint64_t a5, uint64_t a6, long *ret);

/*
 * Restart's trampoline: one page holding `syscall; int3` at an address that is free in every
 * saved layout.  ckpt maps it in itself before the skeleton tree is forked, so every rebuilt
 * task has it, and injects through it while everything else of the task is replaced.  Its
 * scratch area (for syscall arguments) lies in the same page, after the code.
 */
#define TRAMP_SCRATCH_OFF 256
#define TRAMP_SCRATCH_LEN 3072
int inject_trampoline_map(uint64_t addr);
void inject_trampoline_unmap(uint64_t addr);
/* Starts injecting into a rebuilt task through the trampoline.  Nothing is put back at the end
 * (the task gets its final registers instead), and no inject_end is needed. */
int inject_begin_rebuilt(struct inject *in, pid_t tid, uint64_t tramp);

#endif
