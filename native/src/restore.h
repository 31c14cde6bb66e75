/*
 * Restart: what the phases of one restart share.  The phases and their order are the table in
 * restore.c; the process tree's part is skeleton.h, and every resource keeps its own restore
 * state (files.h, mem.h, pager.h), which the context only points to.
 *
 * How a tree comes back (from the outside, over ptrace; native/ARCHITECTURE.md):
 *  1. ckpt forks a keeper, which forks a skeleton of the tree with every saved pid and tid;
 *     skeleton processes set up from the inside what is easiest there and park (skeleton.h).
 *  2. ckpt seizes every skeleton task and, through syscalls injected via a trampoline page
 *     (inject.h), replaces its memory with the saved mappings and sets mm fields, thread
 *     attributes, pending signals, masks and finally the saved registers.
 */
#ifndef CKPT_RESTORE_H
#define CKPT_RESTORE_H

#include "ckpt.h"
#include "image.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct restore_ctx {
	const char *path;
	const struct ckpt_restart_options *opts;
	struct ckpt_restart_result *result;
	struct statefile_image *img;
	int sf_fd;                 /* the statefile, open in ckpt and inherited by the skeleton */
	int fd_base;               /* above every saved fd number: where ckpt keeps its own fds */
	uint64_t tramp;            /* trampoline page address, free in every saved layout; 0: none */

	/* The pid mode.  Restored inside a new pid namespace (ns_mode), ckpt also makes a mount
	 * namespace with a /proc of its own (own_mount_ns), or, for users who may not choose pids
	 * (!can_choose_pids), a user namespace whose tasks give up their capabilities (user_ns). */
	bool can_choose_pids, ns_mode, own_mount_ns, user_ns;
	bool pids_taken;           /* a saved pid was in use: exact pids cannot work here */

	/* The skeleton's end of its report pipe to ckpt, which every rebuilt process holds until
	 * the end. */
	int report_fd;
	/* Outer pids/tids of the rebuilt tasks, parallel to img->procs[i].threads[k]. */
	pid_t *outer_pids;
	pid_t **outer_tids;

	/* What each module keeps for the time of the restart, created and freed by it. */
	struct skeleton *skeleton;        /* skeleton.c: the keeper and ckpt's pipes to it */
	struct files_restore *files;      /* files.c */
	struct mem_restore *mem;          /* mem.c */
	struct mem_readahead *readahead;  /* mem.c */
	struct pager *pager;              /* pager.c, for lazy restarts */
	struct sysv_restore *sysv;        /* sysvipc.c */
};

#endif
