/* Process attributes: cwd, umask, resource limits, personality, and capabilities at restart. */
#ifndef CKPT_PROCATTR_H
#define CKPT_PROCATTR_H

#include "image.h"
#include "inject.h"
#include "json.h"
#include "note_parsers.h"

/* cwd, umask, personality, limits, and from /proc and the scheduler the attributes of
 * CKPT_NT_PROCATTR: capabilities, groups, root directory, oom_score_adj, loginuid, policy, nice. */
int procattr_capture(pid_t pid, struct process_image *p);
/* VmLck of /proc/PID/status in KiB (the size of its locked mappings); -1 when unknown. */
long long procattr_locked_kib(pid_t pid);
/* The rest, asked in the process: dumpable, parent-death signal, child subreaper, THP disable,
 * membarrier registrations.  A syscall its seccomp filter would refuse leaves the default. */
int procattr_capture_injected(struct inject *in, struct process_image *p);
void procattr_write_note(struct buf *notes, const struct process_image *p);
int procattr_parse_note(struct image_notes *in, const struct note *n);

/* In a skeleton process: working directory, umask and personality. */
int procattr_restore_inside(const struct process_image *p);
/* From ckpt, once the process is rebuilt: its resource limits. */
int procattr_restore_limits(pid_t outer_pid, const struct process_image *p);
/* Raises the soft RLIMIT_MEMLOCK of the rebuilt process towards its saved one (never above the
 * hard limit it has now), so that its locked mappings can be locked before its limits are set. */
void procattr_raise_memlock(pid_t outer_pid, const struct process_image *p);
/* Injected in every thread of a tree restarted in a user namespace: no capabilities there. */
int procattr_drop_caps(struct inject *in);

/* Injected once memory, files and locks are in place: membarrier registrations, THP disable,
 * child subreaper, loginuid, and last the root directory (chroot). */
int procattr_restore_process(struct inject *in, pid_t outer_pid, const struct process_image *p);
/* The saved parent-death signal instead of the skeleton's. */
int procattr_restore_pdeath_sig(struct inject *in, const struct process_image *p);
/* Late, since a process that is not dumpable is out of reach of a restart run by its user. */
int procattr_restore_dumpable(struct inject *in, const struct process_image *p);
/* Injected in every thread: supplementary groups, bounding, permitted, effective, inheritable
 * and ambient capabilities, never more than the thread has from the user running restart (one
 * warning, when report, if that is less than saved). */
int procattr_restore_creds(struct inject *in, pid_t outer_tid, const struct process_image *p, bool report);
/* From ckpt: oom_score_adj, and policy, priority and nice of every thread (a warning each when
 * this user may not). */
int procattr_restore_outside(pid_t outer_pid, const pid_t *tids, const struct process_image *p);

void procattr_describe(struct buf *b, const struct process_image *p);
void procattr_json(struct json *j, const struct process_image *p);

#endif
