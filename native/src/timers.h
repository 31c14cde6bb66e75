/*
 * Timers of a process: its POSIX timers (timer_create) and its itimers (setitimer, alarm).
 * Capture lists them and asks the stopped process for the time left; restart creates the
 * POSIX timers again with their ids inside the skeleton process, and arms every timer late,
 * with the time that was left, counted from the restart.
 */
#ifndef CKPT_TIMERS_H
#define CKPT_TIMERS_H

#include "image.h"
#include "inject.h"
#include "json.h"
#include "note_parsers.h"

/* Capture, injected into a stopped thread of pid: every POSIX timer and the armed itimers. */
int timers_capture(struct inject *in, pid_t pid, struct process_image *p);
/* The CKPT_NT_TIMERS note, when the process has timers. */
void timers_write_note(struct buf *notes, const struct process_image *p);

/* Reading a statefile: the note, then what needs the threads (notify_tid, per-thread clocks). */
int timers_parse_note(struct image_notes *in, const struct note *n);
int timers_check_image(const struct process_image *p);

/* Restart, in the skeleton process once its threads exist: the POSIX timers, disarmed, with
 * their saved ids. */
int timers_restore_inside(const struct process_image *p);
/* Restart, injected into the rebuilt main thread near the end: arms the timers again. */
int timers_restore_arm(struct inject *in, const struct process_image *p);

/* ckpt info. */
void timers_describe(struct buf *b, const struct process_image *p);
void timers_json(struct json *j, const struct process_image *p);

#endif
