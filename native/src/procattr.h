/* Process attributes: cwd, umask, resource limits, personality, and capabilities at restart. */
#ifndef CKPT_PROCATTR_H
#define CKPT_PROCATTR_H

#include "image.h"
#include "inject.h"

int procattr_capture(pid_t pid, struct process_image *p);

/* In a skeleton process: working directory, umask and personality. */
int procattr_restore_inside(const struct process_image *p);
/* From ckpt, once the process is rebuilt: its resource limits. */
int procattr_restore_limits(pid_t outer_pid, const struct process_image *p);
/* Injected in every thread of a tree restarted in a user namespace: no capabilities there. */
int procattr_drop_caps(struct inject *in);

#endif
