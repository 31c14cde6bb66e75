/*
 * Memory write tracking between captures of one program, for incremental saves in one
 * debugger session (struct ckpt_tracker in ckpt.h).
 *
 * This kernel has no soft-dirty bits, so the tracker uses what replaced them: a userfaultfd
 * with asynchronous write protection on the program's private anonymous mappings, read and
 * re-armed in one PAGEMAP_SCAN while the tree is frozen.  The userfaultfd is made inside the
 * program by an injected syscall and taken out with pidfd_getfd, so the program keeps no fd
 * of ours; the tracker holds it.  A page not written since the last capture is the one that
 * capture stored, and is copied from that statefile instead of being read again.
 */
#ifndef CKPT_MEMTRACK_H
#define CKPT_MEMTRACK_H

#include "ckpt.h"
#include "image.h"
#include "proctree.h"

/* While the tree is frozen: for each process, finds the pages of tracked mappings written
 * since the last capture (vma_image.tracked and .written) when parent_is_last says the
 * parent statefile is the one that capture wrote, and arms tracking anew.  Never fails: what
 * cannot be tracked is simply read in full. */
void memtrack_capture(struct ckpt_tracker *t, struct frozen_tree *tree, struct statefile_image *img,
		      bool parent_is_last);
/* The statefile a capture wrote, once committed; it is the parent the next capture can use. */
void memtrack_committed(struct ckpt_tracker *t, int fd);
/* A capture that armed tracking failed: nothing it found may be trusted by the next one. */
void memtrack_forget_file(struct ckpt_tracker *t);
/* Whether fd is the statefile of the last committed capture. */
bool memtrack_is_last(const struct ckpt_tracker *t, int fd);

#endif
