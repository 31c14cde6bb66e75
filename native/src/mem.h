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

/* The layout of a process with its VmFlags, read before the freeze (see mem_capture_vmas). */
struct smaps_vma;
struct mem_hint {
	pid_t pid;
	struct smaps_vma *vmas;
	size_t n;
};
int mem_hint_read(pid_t pid, struct mem_hint *h);
void mem_hint_free(struct mem_hint *h);

/* Lists the mappings of a stopped process into p->vmas (and their files into p->files).
 * hint, if not NULL, saves reading smaps while the process is frozen. */
int mem_capture_vmas(pid_t pid, struct process_image *p, const struct mem_hint *hint);

/* An earlier statefile of the same tree, whose unchanged pages are copied instead of written. */
struct mem_parent {
	int fd;
	struct statefile_image img;
};

struct mem_progress {
	uint64_t done, total;
	const struct ckpt_capture_options *opts;
	const struct mem_parent *parent;  /* may be NULL */
	uint64_t from_parent;             /* bytes copied from it */
};

/* Which mappings one memory pass writes. */
enum mem_pass {
	MEM_ALL,          /* everything, from the frozen process itself */
	MEM_WHILE_FROZEN, /* what a clone cannot serve, read before the tree runs again */
	MEM_FROM_CLONE,   /* the rest, read from a copy-on-write clone while the tree runs */
};
/* Writes the contents of the stored mappings of p that belong to the pass into fd, at the
 * offsets laid out for them, reading them from pid (the process or its clone). */
int mem_write(pid_t pid, int fd, struct process_image *p, struct mem_progress *prog, enum mem_pass pass);

/*
 * Copy-on-write clones: a fork of a frozen process, made by injecting clone() into one of its
 * threads, serves the process's private memory as it was at the freeze while the process runs
 * on.  The clone is traced by the caller from birth, so it never runs an instruction; it is a
 * child of the process (with no exit signal) and is reaped inside it once we are done.
 */
struct inject;
struct mem_clone {
	pid_t pid;        /* as we see it */
	pid_t inner_pid;  /* as the process sees it (in its pid namespace) */
};
int mem_clone_create(struct inject *in, pid_t pid, struct mem_clone *clone);
/* Kills the clone and collects its exit as its tracer. */
void mem_clone_kill(struct mem_clone *clone);
/* Reaps the dead clone inside its parent process (`in` is open in one of its threads). */
int mem_clone_reap(struct inject *in, const struct mem_clone *clone);

/* Bytes of mappings that would be stored (an upper bound for progress). */
uint64_t mem_stored_estimate(const struct process_image *p);


/* ---- restart ---- */
struct pager;
/* Refuses, naming the file, when a file that saved mappings rely on has changed. */
int mem_check_files(const struct statefile_image *img);
/* Refuses when this kernel's vDSO is not the one the statefile's program has cached. */
int mem_check_vdso(const struct statefile_image *img, int sf_fd);
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
struct mem_restore *mem_restore_prepare(const struct statefile_image *img, int sf_fd, uint64_t tramp, int fd_base);
/* Those memfds (a malloc'ed array), to be closed in the rebuilt processes once they are mapped. */
int *mem_restore_fds(const struct mem_restore *m, size_t *n);
void mem_restore_free(struct mem_restore *m);
/* Injected in the main thread of a rebuilt process: its memory, exactly as saved.  With lazy
 * (a pager whose space for this process is open), large anonymous mappings are left to it. */
int mem_restore_process(const struct mem_restore *m, struct inject *in, const struct process_image *p, pid_t outer_pid,
			struct pager *lazy);

#endif
