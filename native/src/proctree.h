/*
 * The process tree at capture: which processes and threads a statefile holds, freezing and
 * releasing them, and the ids of each process.  Restart rebuilds the tree in skeleton.h.
 */
#ifndef CKPT_PROCTREE_H
#define CKPT_PROCTREE_H

#include "image.h"
#include "ckpt.h"

#include <signal.h>
#include <stdbool.h>

struct frozen_task {
	pid_t tid;
	bool held_by_caller;  /* stopped by our caller (a debugger), not seized by us */
	bool released;        /* seized by us and let go again */
	bool stopped_by_signal; /* our interrupt found it in a signal-delivery stop */
	int stop_sig;         /* that signal, to be delivered when released */
};

struct frozen_proc {
	pid_t pid;
	bool was_stopped;     /* in group-stop (state T) before we froze it */
	struct frozen_task *tasks;  /* tasks[0] is the thread captured first */
	size_t ntasks, cap_tasks;
	uint64_t gadget;      /* syscall instruction used for injection */
};

struct frozen_tree {
	struct frozen_proc *procs;  /* procs[0] is the root; parents before children */
	size_t nprocs, cap_procs;
	/* Children of the tree's processes that exited and were not reaped: nothing to freeze,
	 * their parents cannot reap them while frozen.  Only pid, ppid, pgid, sid, the flag
	 * CKPT_TREE_ZOMBIE and the wait status (exit_code) are set. */
	struct ckpt_rec_tree *zombies;
	size_t nzombies, cap_zombies;
};

/* Parses /proc/PID/stat.  f[i] is field i (1-based as in proc(5)); *state the state letter. */
int proc_stat(pid_t pid, unsigned long long f[53], char *state, char comm[17]);

/* Stops every thread of root and of all its descendants that the caller does not already hold
 * (held: tids stopped by the calling thread as their tracer).  first_tid, if set, becomes the
 * first thread of its process. */
int tree_freeze(pid_t root, const pid_t *held, size_t nheld, pid_t first_tid, struct frozen_tree *t);
/* Lets go of the tasks we seized: leave them running as before, stopped, or kill them. */
void tree_release(struct frozen_tree *t, enum ckpt_release mode);
void tree_free(struct frozen_tree *t);

/* Fills the ids of a process: pid, ppid, pgid, sid, uids, comm, cmdline. */
int proctree_capture(const struct frozen_proc *fp, struct process_image *p);
/* Copies the tree's zombies into the image. */
void proctree_capture_zombies(const struct frozen_tree *t, struct statefile_image *img);

#endif
