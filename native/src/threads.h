/* Threads: registers (general, FPU, xsave), rseq, robust futex list, clear_child_tid, names. */
#ifndef CKPT_THREADS_H
#define CKPT_THREADS_H

#include "image.h"
#include "inject.h"
#include "proctree.h"

/* For a thread that our own interrupt stopped: a sleep that the kernel ends with EINTR at any
 * stop (epoll_wait, where other sleeps are restarted) gets the code of a sleep the kernel
 * restarts unless a signal handler runs, so the program does not see the stop.  Its timeout
 * starts again. */
int threads_restart_after_our_stop(pid_t tid);
/* Captures one stopped thread; `in` is an open injection session in that thread. */
int threads_capture(struct inject *in, const struct frozen_task *ft, bool first, struct thread_image *t);


/* Injected in a rebuilt thread: rseq, robust list, clear_child_tid and name. */
int threads_restore_attrs(struct inject *in, const struct thread_image *t);
/* Sets a rebuilt thread's final FPU/xsave state and registers.  A thread saved inside a
 * restartable sleep is made to enter that syscall again and be interrupted there, so that the
 * kernel restarts it with exactly the saved registers. */
int threads_restore_final(pid_t outer_tid, const struct thread_image *t, uint32_t xsave_size);
/* For a rewind in place (rewind.c): a live thread that a debugger traces and holds stopped
 * gets the saved FPU state and registers; a sleep interrupted with a restart block is made to
 * start again. */
int threads_rewind(pid_t tid, const struct thread_image *t, uint32_t xsave_size);
/* Also for a rewind, with syscalls injected into that thread: its rseq registration, robust
 * list and clear_child_tid as saved. */
int threads_rewind_attrs(struct inject *in, const struct thread_image *t);

#endif
