/* The mm fields: code/data/brk/stack/arg/env bounds, the auxiliary vector and the executable. */
#ifndef CKPT_MM_H
#define CKPT_MM_H

#include "image.h"
#include "inject.h"

/* Needs p->files from the memory module, to point the executable at its file record. */
int mm_capture(struct inject *in, pid_t pid, struct process_image *p);

#endif
