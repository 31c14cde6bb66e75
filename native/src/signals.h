/* Signals: handlers, per-thread masks and pending queues, the shared queue, sigaltstack. */
#ifndef CKPT_SIGNALS_H
#define CKPT_SIGNALS_H

#include "image.h"
#include "inject.h"
#include "proctree.h"

/* Per thread: mask, pending queue, alternate stack.  `in` is open in that thread. */
int signals_capture_thread(struct inject *in, const struct frozen_task *ft, struct thread_image *t);
/* Per process: handlers and the shared pending queue.  `in` is open in any of its threads. */
int signals_capture_process(struct inject *in, pid_t pid, struct process_image *p);


/* In a skeleton process (every signal blocked): the saved handlers. */
int signals_restore_handlers(const struct process_image *p);
/* Injected in a rebuilt thread: its alternate stack and its pending signals. */
int signals_restore_thread(struct inject *in, const struct thread_image *t, pid_t inner_pid);
/* Injected in the main thread: the process-wide pending signals. */
int signals_restore_process(struct inject *in, const struct process_image *p);
/* Sets a thread's signal mask (it stays blocked-all until then). */
int signals_restore_mask(pid_t outer_tid, const struct thread_image *t);

#endif
