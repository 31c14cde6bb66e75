/*
 * Restart's process tree: the keeper, the namespaces, and the skeleton of the tree with its
 * saved pids and tids, up to the moment ckpt hands the rebuilt tree over.
 *
 * The keeper is the parent of the restored root, which reaps it and reports its exit status.
 * Without the right to choose pids in our own pid namespace, the keeper is created in a new
 * user+pid namespace and is its init; in a new IPC namespace too when the tree's SysV objects
 * need one (sysvipc.h), which the root's skeleton makes before it forks its children.  It forks the skeleton with clone3(set_tid): skeleton
 * processes still run ckpt's code, set up what is easiest from the inside (sessions, groups,
 * and the setup function's resources) and park until ckpt, which seizes every task, replaces
 * everything else of them.
 */
#ifndef CKPT_SKELETON_H
#define CKPT_SKELETON_H

#include "image.h"

#include <stdbool.h>
#include <sys/types.h>

struct restore_ctx;

/* Refuses images with a process that cannot be rebuilt (no main thread, pid 1). */
int skeleton_check(const struct statefile_image *img);
/* Whether the caller may choose pids in its own pid namespace. */
bool skeleton_can_choose_pids(void);
/* Whether a saved pid or tid is in use here. */
bool skeleton_pids_busy(const struct statefile_image *img);

/* Runs inside each skeleton process once its children and threads exist; a failure (with
 * ckpt_fail) ends the restart with that reason. */
typedef int (*skeleton_setup_fn)(struct restore_ctx *c, const struct process_image *p);

/*
 * Forks the keeper, in the namespaces that c->ns_mode and c->can_choose_pids call for (which
 * it sets in c->user_ns and c->own_mount_ns), and waits until every skeleton process is parked.  Sets c->skeleton,
 * c->report_fd and zeroed c->outer_pids/c->outer_tids, also when it fails; c->pids_taken says
 * a saved pid was in use, so that exact pids cannot work here.
 */
int skeleton_build(struct restore_ctx *c, skeleton_setup_fn setup);
/* Fills c->outer_pids and c->outer_tids, following the tree down from the keeper. */
int skeleton_find_tasks(struct restore_ctx *c);
/* Seizes every rebuilt task and stops it. */
int skeleton_seize(const struct restore_ctx *c);
/* Lets every task go: running, or in a group-stop that is complete when this returns. */
void skeleton_release(const struct restore_ctx *c, bool stopped);
/* Tells the keeper that the restore is complete: it may outlive ckpt now.  With waitable,
 * skeleton_wait can then collect the root's exit status. */
int skeleton_hand_over(struct restore_ctx *c, bool waitable);
/* Frees what skeleton_build made; after a failure, first kills every rebuilt task and the
 * keeper, so that nothing is left behind. */
void skeleton_finish(struct restore_ctx *c, bool failed);

/* In the keeper or a skeleton process: a warning that ckpt prints for it. */
void skeleton_warn_inside(const struct restore_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Waits until the root of a tree handed over as waitable ends (root: its outer pid). */
int skeleton_wait(pid_t root, int *wait_status);

#endif
