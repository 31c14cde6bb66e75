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

#endif
