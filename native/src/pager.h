/*
 * Lazy restart, the memory module's other restore half: large anonymous mappings are left
 * empty and registered with a userfaultfd, and a pager process fills them from the statefile
 * on first touch while it copies the rest in the background.  Once every stored page is in
 * place the pager unregisters and exits, and the memory is plain anonymous memory again.
 *
 * Anonymous-memory semantics stay exact meanwhile: a page the program drops (MADV_DONTNEED)
 * or never had comes back as zeros, mremap and munmap are followed, and a forked child gets
 * the pages the parent had not received yet.
 */
#ifndef CKPT_PAGER_H
#define CKPT_PAGER_H

#include "image.h"

#include <stdbool.h>

struct pager;

/* One registered mapping: its pages are at [start, end) and their stored bytes in the
 * statefile at file_offset (holes are zero pages). */
struct pager_range {
	uint64_t start, end, file_offset;
};

struct pager *pager_new(int statefile_fd);
/* Adds the address space behind uffd (already API-initialized and registered) with its ranges.
 * `placed` marks pages that restart already filled. Takes ownership of uffd. */
int pager_add_space(struct pager *pg, int uffd, const struct pager_range *ranges, size_t n);
/* Marks [start, end) of a range as already filled. */
void pager_mark_placed(struct pager *pg, uint64_t start, uint64_t end);
bool pager_empty(const struct pager *pg);
/* Forks the pager process, which keeps only the statefile and the uffds open; returns its pid.
 * The caller's copies of the uffds are closed. */
pid_t pager_start(struct pager *pg, int statefile_fd);
void pager_free(struct pager *pg);

#endif
