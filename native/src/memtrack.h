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

/* Rewinding a process in place to a statefile that a capture with this tracker wrote of it
 * (rewind.c).  For each mapping of p (the statefile's process), either whole[k] (its writes
 * since are not known: all of it is written back) or the runs of pages in `pages` (address
 * order) that may differ between the statefile and the process now. */
struct rewind_plan {
	bool *whole;
	struct addr_range *pages;
	size_t npages, cap_pages;
};
int memtrack_rewind_plan(struct ckpt_tracker *t, pid_t pid, int fd, const struct process_image *p,
			 struct rewind_plan *plan);
/* Puts the pages to write back in address order and merged, after more were added. */
void memtrack_rewind_plan_merge(struct rewind_plan *plan);
void memtrack_rewind_plan_free(struct rewind_plan *plan);
/* Once the process's memory is the statefile's again: tracking starts over from it, and it is
 * the parent the next capture can use. */
int memtrack_rewound(struct ckpt_tracker *t, pid_t pid, int fd);

/* The layout of process pid as read after its last capture, for its next one (mem.h: reading
 * maps and comparing costs a fraction of reading smaps, which walks every page table); NULL
 * when there is none of this process.  The tracker's own, valid until the next capture ends. */
struct mem_hint;
const struct mem_hint *memtrack_layout(const struct ckpt_tracker *t, pid_t pid);
/* Keeps h (taken over) as that layout. */
void memtrack_keep_layout(struct ckpt_tracker *t, struct mem_hint *h);

#endif
