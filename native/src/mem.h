/*
 * Memory: the mappings of a process.
 *
 * Capture lists the mappings and decides for each how its bytes are kept (format.h,
 * CKPT_STORE_*); pageio.h writes those bytes.  Restart rebuilds the same mappings at the same
 * addresses and fills them from the statefile, leaving large ones to the pager on a lazy
 * restart (pager.h).  The kernel's own mappings, the vDSO among them, are vdso.h's.
 */
#ifndef CKPT_MEM_H
#define CKPT_MEM_H

#include "ckpt.h"
#include "image.h"

/* The layout of a process with its VmFlags (smaps), read before the freeze or kept from the
 * last capture of the same process (see mem_capture_vmas). */
struct smaps_vma;
struct mem_hint {
	pid_t pid;
	struct smaps_vma *vmas;
	size_t n;
	bool kept; /* kept from an earlier capture: flags may have changed since (mem_hint_refresh) */
};
int mem_hint_read(pid_t pid, struct mem_hint *h);
void mem_hint_free(struct mem_hint *h);
/* After a capture that took its flags from a kept hint: the flags smaps gives (advice, locks)
 * of p's mappings as fresh (read later, with the process not run since) has them for the same
 * mappings.  Returns how many mappings changed. */
size_t mem_hint_refresh(struct process_image *p, const struct mem_hint *fresh);

/* Lists the mappings of a stopped process into p->vmas (and their files into p->files).
 * hint, if not NULL, saves reading smaps while the process is frozen. */
int mem_capture_vmas(pid_t pid, struct process_image *p, const struct mem_hint *hint);

/* The reader's check that every private mapping keeping only its changed pages
 * (CKPT_STORE_COW) maps an object the process keeps otherwise: a shared mapping of it, or an fd
 * of the memfd or deleted file, whose contents the statefile has. */
int mem_check_objects(const struct process_image *p);

/* ---- restart ---- */
struct inject;
struct pager;
/* Whether restart maps this mapping's bytes from its backing file, which must then be the
 * file that was mapped at capture. */
bool mem_relies_on_file(const struct ckpt_rec_vma *v);
enum mem_file_state { MEM_FILE_SAME, MEM_FILE_CHANGED, MEM_FILE_MISSING };
/* The backing file f of mapping v as this machine has it; *why (malloc'ed) says what differs. */
enum mem_file_state mem_file_state(const struct file_image *f, const struct ckpt_rec_vma *v, char **why);
/* A page address that no saved mapping and nothing of ckpt's uses. */
int mem_pick_trampoline(const struct statefile_image *img, uint64_t *addr);

/* Reads the statefile into the page cache on another core while the restore runs, so that the
 * reads injected into the rebuilt processes find their data there; NULL when it cannot. */
struct mem_readahead;
struct mem_readahead *mem_readahead_start(const char *path, uint64_t size);
void mem_readahead_stop(struct mem_readahead *ra);

/* What ckpt prepares for the tree's memory before the skeleton forks: the shared anonymous
 * objects that several processes map, each kept in a memfd (from fd_base up) that the skeleton
 * inherits.  sf_fd and the trampoline are where the rebuilt processes have them. */
struct mem_restore;
struct files_restore;
struct mem_restore *mem_restore_prepare(const struct statefile_image *img, const struct files_restore *fr, int sf_fd,
					uint64_t tramp, int fd_base);
/* Those memfds (a malloc'ed array), to be closed in the rebuilt processes once they are mapped. */
int *mem_restore_fds(const struct mem_restore *m, size_t *n);
void mem_restore_free(struct mem_restore *m);
/* Injected in the main thread of a rebuilt process: its memory, exactly as saved.  With lazy
 * (a pager whose space for this process is open), large anonymous mappings are left to it. */
int mem_restore_process(const struct mem_restore *m, struct inject *in, const struct process_image *p, pid_t outer_pid,
			struct pager *lazy);

#endif
