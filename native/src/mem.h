/*
 * Memory: the mappings of a process and their contents.
 *
 * Capture lists the mappings, decides for each how its bytes are kept (format.h, CKPT_STORE_*)
 * and writes them into the statefile sparsely: pages that were never populated and pages of
 * zeros become holes.  Restart rebuilds the same mappings at the same addresses.
 */
#ifndef CKPT_MEM_H
#define CKPT_MEM_H

#include "ckpt.h"
#include "image.h"

/* Lists the mappings of a stopped process into p->vmas (and their files into p->files). */
int mem_capture_vmas(pid_t pid, struct process_image *p);

struct mem_progress {
	uint64_t done, total;
	const struct ckpt_capture_options *opts;
};

/* Writes the contents of every stored mapping of p into fd at the offsets laid out for it. */
int mem_write(pid_t pid, int fd, struct process_image *p, struct mem_progress *prog);

/* Bytes of mappings that would be stored (an upper bound for progress). */
uint64_t mem_stored_estimate(const struct process_image *p);


/* ---- restart ---- */
struct restore_ctx;
struct inject;
/* Refuses, naming the file, when a file that saved mappings rely on has changed. */
int mem_check_files(const struct statefile_image *img);
/* Refuses when this kernel's vDSO is not the one the statefile's program has cached. */
int mem_check_vdso(const struct statefile_image *img, int sf_fd);
/* A page address that no saved mapping and nothing of ckpt's uses. */
int mem_pick_trampoline(const struct statefile_image *img, uint64_t *addr);
/* In ckpt before the skeleton forks: memory objects shared by several mappings. */
int mem_restore_prepare(struct restore_ctx *c);
/* Injected in the main thread of a rebuilt process: its memory, exactly as saved. */
int mem_restore(struct restore_ctx *c, struct inject *in, struct process_image *p, pid_t outer_pid);

#endif
