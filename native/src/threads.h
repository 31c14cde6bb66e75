/* Threads: registers (general, FPU, xsave), rseq, robust futex list, clear_child_tid, names. */
#ifndef CKPT_THREADS_H
#define CKPT_THREADS_H

#include "image.h"
#include "inject.h"
#include "proctree.h"

/* Captures one stopped thread; `in` is an open injection session in that thread. */
int threads_capture(struct inject *in, const struct frozen_task *ft, bool first, struct thread_image *t);

#endif
