/*
 * Restart: shared state of one restore.  The orchestration is in restore.c; each resource
 * module owns its restore half and gets this context.
 *
 * How a tree comes back (DESIGN.md, "from the outside, over ptrace"):
 *  1. ckpt forks a keeper: the parent of the restored root, which reaps it and reports its
 *     exit status.  Without the right to choose pids in our own pid namespace, the keeper is
 *     created in a new user+pid namespace and is its init.
 *  2. The keeper creates a skeleton of the tree with clone3(set_tid): every process and thread
 *     with its saved pid/tid.  Skeleton processes still run ckpt's code; they set up what is
 *     easiest from the inside (sessions, groups, fds, cwd, limits, signal handlers) and park.
 *  3. ckpt seizes every skeleton task and, through syscalls injected via a trampoline page,
 *     replaces its memory with the saved mappings and sets mm fields, thread attributes,
 *     pending signals, masks and finally the saved registers.
 */
#ifndef CKPT_RESTORE_H
#define CKPT_RESTORE_H

#include "image.h"
#include "inject.h"
#include "pager.h"

#include <stdbool.h>

/* An anonymous pipe of the tree, created by ckpt and inherited by the skeleton. */
struct restore_pipe {
	uint64_t ino;      /* the saved pipe inode */
	int rfd, wfd;      /* ckpt's ends, at high fd numbers */
};

/* An open file description of the tree (a regular file, directory, device...), opened once
 * by ckpt so that every fd sharing it shares offset and flags again. */
struct restore_desc {
	uint32_t desc;
	int fd;
};

/* A shared anonymous memory object used by several processes of the tree. */
struct restore_shmem {
	uint64_t id;
	int fd;            /* memfd in ckpt, inherited */
};

struct restore_ctx {
	struct statefile_image *img;
	const char *path;
	int sf_fd;                 /* the statefile, open in ckpt and inherited by the skeleton */
	bool ns_mode;              /* restored inside a new pid namespace */
	bool own_mount_ns;         /* ... with a mount namespace and a /proc of its own */
	bool user_ns;              /* ... and a new user namespace (for users who may not create a
	                            * pid namespace otherwise); its tasks give up their capabilities */
	bool drop_caps;            /* restored tasks must not keep capabilities */
	bool lazy;                 /* large anonymous mappings are paged in by a pager (pager.h) */
	struct pager *pager;
	struct pager_range *lazy_ranges;   /* of the process being restored */
	size_t nlazy, cap_lazy;
	struct pager_range *placed;        /* parts of them already filled */
	size_t nplaced, cap_placed;
	int fd_base;               /* above every saved fd number: where ckpt keeps its own fds */
	uint64_t tramp;            /* trampoline page address, free in every saved layout */
	int stdio[3];              /* ckpt's own stdin/stdout/stderr, at high fd numbers */
	struct restore_pipe *pipes;
	size_t npipes, cap_pipes;
	struct restore_desc *descs;
	size_t ndescs, cap_descs;
	struct restore_shmem *shmems;
	size_t nshmems, cap_shmems;
	/* The skeleton's end of its report pipe to ckpt, which every rebuilt process holds until
	 * the end (skeleton.h). */
	int report_fd;
	bool pids_taken;           /* a saved pid was in use: exact pids cannot work here */
	struct skeleton *skeleton; /* the keeper and ckpt's pipes to it (skeleton.c) */
	/* Outer pids/tids of the rebuilt tasks, parallel to img->procs[i].threads[k]. */
	pid_t **outer_tids;
	pid_t *outer_pids;
};


#endif
