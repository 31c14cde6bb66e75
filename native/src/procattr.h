/* Process attributes: cwd, umask, resource limits, personality. */
#ifndef CKPT_PROCATTR_H
#define CKPT_PROCATTR_H

#include "image.h"

int procattr_capture(pid_t pid, struct process_image *p);


struct restore_ctx;
/* In a skeleton process: working directory, umask and personality. */
void procattr_restore_skeleton(struct restore_ctx *c, struct process_image *p);
/* From ckpt, once the process is rebuilt: its resource limits. */
int procattr_restore_limits(pid_t outer_pid, struct process_image *p);

#endif
