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

struct inject;
struct pager;

/* ---- in ckpt, while the tree is restored ---- */
struct pager *pager_new(int statefile_fd);
/* Whether restart leaves a mapping to the pager: large private anonymous memory. */
bool pager_wants(const struct vma_image *v);
/* Starts paging for a rebuilt process that has such mappings: a userfaultfd made inside it
 * (`in` is open in its main thread).  Returns whether its mappings are left to the pager;
 * when not, they are restored eagerly (none to page, or paging cannot be set up here, which
 * is said once per restart). */
bool pager_open_space(struct pager *pg, struct inject *in, const struct process_image *p, pid_t outer_pid);
/* Leaves mapping v of the process just opened to the pager, except the parts that must be in
 * place before anything runs (the stacks around the threads' stack pointers and their rseq
 * areas, which the kernel writes on every return to user mode): the caller fills those.
 * Returns them, malloc'ed, with their number in *n. */
struct addr_range *pager_take(struct pager *pg, const struct process_image *p, const struct vma_image *v, size_t *n);
/* Once the process is rebuilt: registers what was taken, so that faults go to the pager from
 * now on.  Nothing of the restore itself may wait for a page, so this comes last. */
int pager_commit_space(struct pager *pg);
bool pager_empty(const struct pager *pg);
/* Forks the pager process, which keeps only the statefile and the uffds open; returns its pid.
 * The caller's copies of the uffds are closed. */
pid_t pager_start(struct pager *pg);
void pager_free(struct pager *pg);

#endif
