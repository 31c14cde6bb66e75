/* Files: the fd table, with pipes between processes of the tree and the bytes in them. */
#ifndef CKPT_FILES_H
#define CKPT_FILES_H

#include "image.h"
#include "proctree.h"

int files_capture(pid_t pid, struct process_image *p);
/* Once every process is captured: finds which fds share an open file description, marks
 * pipes whose other end is outside the tree, and stores the bytes queued in each pipe inside
 * it, once, on its first read end. */
int files_capture_tree(struct statefile_image *img);


/* ---- restart ---- */
struct restore_ctx;
/* In ckpt, before the skeleton is forked: the tree's pipes, filled with their saved bytes, and
 * copies of ckpt's own stdio for fds that pointed outside the tree. */
int files_restore_prepare(struct restore_ctx *c);
/* Before the restart: warns about fds whose objects nothing can stand for; they come back as
 * /dev/null. */
void files_warn_lost(const struct statefile_image *img);
/* In a skeleton process: builds the saved fd table and closes everything else. */
int files_restore_inside(struct restore_ctx *c, const struct process_image *p);
/* Highest fd number any process of the image uses. */
int files_max_fd(const struct statefile_image *img);

#endif
