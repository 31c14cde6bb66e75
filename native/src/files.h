/* Files: the fd table, with pipes between processes of the tree and the bytes in them. */
#ifndef CKPT_FILES_H
#define CKPT_FILES_H

#include "image.h"
#include "proctree.h"

int files_capture(pid_t pid, struct process_image *p);
/* Once every process is captured: marks pipes whose other end is outside the tree, and
 * stores the bytes queued in each pipe inside it, once, on its first read end. */
int files_capture_pipes(struct statefile_image *img);

#endif
