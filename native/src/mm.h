/* The mm fields: code/data/brk/stack/arg/env bounds, the auxiliary vector and the executable. */
#ifndef CKPT_MM_H
#define CKPT_MM_H

#include "image.h"
#include "inject.h"

/* Needs p->files from the memory module, to point the executable at its file record. */
int mm_capture(struct inject *in, pid_t pid, struct process_image *p);


/* Injected in the main thread of a rebuilt process, after its memory: the mm fields, auxv and
 * the executable link, through PR_SET_MM_MAP. */
int mm_restore(struct inject *in, const struct process_image *p);

#endif
