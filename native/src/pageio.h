/*
 * Page I/O at capture: writes the contents of the stored mappings of a process into the
 * statefile, sparsely (pages never populated and pages of zeros become holes), reading them
 * from the process or from a copy-on-write clone of it, and copying the pages an earlier
 * statefile of the same program already holds.
 */
#ifndef CKPT_PAGEIO_H
#define CKPT_PAGEIO_H

#include "ckpt.h"
#include "image.h"

/* An earlier statefile of the same tree, whose unchanged pages are copied instead of written. */
struct pageio_parent {
	int fd;
	struct statefile_image img;
	bool shares_extents;  /* copies from it share extents (reflinks): comparing pays */
};

struct pageio_progress {
	uint64_t done, total;
	const struct ckpt_capture_options *opts;
	const struct pageio_parent *parent;  /* may be NULL */
	uint64_t from_parent;                /* bytes copied from it */
};

/* Which mappings one memory pass writes. */
enum pageio_pass {
	PAGEIO_ALL,           /* everything, from the frozen process itself */
	PAGEIO_WHILE_FROZEN,  /* what a clone cannot serve, read before the tree runs again */
	PAGEIO_FROM_CLONE,    /* the rest, read from a copy-on-write clone while the tree runs */
	PAGEIO_HOLD,          /* everything from the frozen process, what a clone would serve
			       * into memory (struct pageio_held): of tracked mappings only their
			       * written pages, of read-only file mappings only the pages the
			       * process changed (the rest is read from the file afterwards) */
};

/* What PAGEIO_HOLD read of one mapping while the tree was frozen. */
struct held_vma {
	size_t vma;                /* index in the process's vmas */
	bool only_written;         /* its written pages; the rest is the parent's copy */
	struct addr_range *runs;   /* the runs read, in address order */
	size_t nruns, cap_runs;
	uint64_t bytes;
	uint64_t offset;           /* of their bytes in data, one run after the other */
	int file_fd;               /* a private file mapping: its file, for the pages it did not
	                            * change (the runs are those it changed); -1 otherwise */
};
struct pageio_held {
	struct held_vma *vmas;
	size_t nvmas, cap_vmas;
	uint8_t *data;
	uint64_t bytes, cap_bytes;
};

/* Writes the contents of the stored mappings of p that belong to the pass into fd, at the
 * offsets laid out for them, reading them from pid (the process or its clone); held is only
 * for PAGEIO_HOLD. */
int pageio_write(pid_t pid, int fd, struct process_image *p, struct pageio_progress *prog, enum pageio_pass pass,
		 struct pageio_held *held);
/* After PAGEIO_HOLD, once the tree runs again: the held pages, and the rest of each tracked
 * mapping from the parent statefile. */
int pageio_write_held(int fd, struct process_image *p, struct pageio_progress *prog, const struct pageio_held *held);
void pageio_held_free(struct pageio_held *held);
/* Whether a copy-on-write clone is worth making for p, or PAGEIO_HOLD reads little enough in
 * the freeze (from write tracking) that the tree runs again sooner without one. */
bool pageio_clone_pays(const struct process_image *p, const struct pageio_progress *prog);

/*
 * Copy-on-write clones: a fork of a frozen process, made by injecting clone() into one of its
 * threads, serves the process's private memory as it was at the freeze while the process runs
 * on.  The clone is traced by the caller from birth, so it never runs an instruction; it is a
 * child of the process (with no exit signal) and is reaped inside it once we are done.
 */
struct inject;
struct pageio_clone {
	pid_t pid;        /* as we see it */
	pid_t inner_pid;  /* as the process sees it (in its pid namespace) */
};
int pageio_clone_create(struct inject *in, pid_t pid, struct pageio_clone *clone);
/* Kills the clone and collects its exit as its tracer. */
void pageio_clone_kill(struct pageio_clone *clone);
/* Reaps the dead clone inside its parent process (`in` is open in one of its threads). */
int pageio_clone_reap(struct inject *in, const struct pageio_clone *clone);

/* Bytes of mappings that would be stored (an upper bound for progress). */
uint64_t pageio_estimate(const struct process_image *p);

#endif
