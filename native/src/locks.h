/*
 * File locks a process holds: flock(2) locks and OFD locks, which belong to an open file
 * description, and POSIX record locks, which belong to the process.  Capture reads them from
 * the "lock:" lines of each fd's fdinfo; restart takes each one again, from the process
 * itself, on the fd it was held through, once nothing will close a descriptor of that file any
 * more (closing any fd of a file drops the process's POSIX locks on it).
 */
#ifndef CKPT_LOCKS_H
#define CKPT_LOCKS_H

#include "image.h"
#include "inject.h"
#include "json.h"
#include "note_parsers.h"

/* Capture, once the fd table of pid is in p. */
int locks_capture(pid_t pid, struct process_image *p);
/* Once every process is captured (and open file descriptions are numbered): a lock of a
 * description that several fds or processes share is kept once, with its first fd. */
void locks_capture_tree(struct statefile_image *img);
void locks_write_note(struct buf *notes, const struct process_image *p);

int locks_parse_note(struct image_notes *in, const struct note *n);
/* Every lock is held through an fd of the process that restart reopens, in a mode that allows it. */
int locks_check_image(const struct process_image *p);

/* Restart, injected into the rebuilt process after its fds, memory and mm fields are final. */
int locks_restore(struct inject *in, const struct process_image *p);

void locks_describe(struct buf *b, const struct process_image *p);
void locks_json(struct json *j, const struct process_image *p);

#endif
