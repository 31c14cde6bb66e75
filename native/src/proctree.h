/*
 * The process tree: which processes and threads a statefile holds, freezing and releasing
 * them (capture), and rebuilding them with their pids, parents, groups and sessions (restart).
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


/* ---- restart ---- */
struct restore_ctx;

/* Runs inside each skeleton process after its children and threads exist: the other modules'
 * inside halves (fds, cwd, limits, handlers). */
typedef void (*skeleton_setup_fn)(struct restore_ctx *c, struct process_image *p);

struct keeper {
	pid_t pid;          /* outer pid of the keeper */
	int status_fd;      /* keeper -> ckpt: the root's wait status (an int) once it ends */
	int ack_fd;         /* keeper -> ckpt: acknowledgements */
	int report_fd;      /* skeleton -> ckpt: "ok N" or "error: ..." lines */
	int report_fd_in_tree; /* the skeleton's end, which every rebuilt process holds until the end */
};

/* Forks the keeper and has it build the skeleton tree.  Waits until every skeleton process is
 * parked.  *pids_taken is set when a saved pid was in use (exact-pid mode then cannot work). */
int proctree_restore(struct restore_ctx *c, skeleton_setup_fn setup, struct keeper *k, bool *pids_taken);
/* Fills c->outer_pids and c->outer_tids from /proc, following the tree down from the keeper. */
int proctree_map_outer(struct restore_ctx *c, const struct keeper *k);
/* Tells the keeper the restore is complete: it may outlive ckpt now. */
int proctree_keeper_detach(const struct keeper *k);
/* Kills every rebuilt task and the keeper, and reaps the keeper: nothing is left behind. */
void proctree_abort(struct restore_ctx *c, struct keeper *k);
/* Whether the caller may choose pids in its own pid namespace. */
bool proctree_can_choose_pids(void);

#endif
