/*
 * Terminals.  A terminal outside the tree (the one the program ran on) is rebound at restart
 * to restart's own stdio.  A pseudo-terminal whose master the tree holds is made again: a new
 * pair from /dev/ptmx with the saved termios, window size, lock, packet mode, owner of the
 * slave and the slave's unread input; its slaves and /dev/tty fds are opened on the new pair,
 * and a session leader whose controlling terminal it was takes it again with its foreground
 * group.  The new pair has its own index: /dev/pts/N differs.
 */
#ifndef CKPT_TTY_H
#define CKPT_TTY_H

#include "image.h"
#include "note_parsers.h"

#include <sys/types.h>

struct buf;
struct files_restore;
struct json;

/* Capture: the CKPT_FD_* kind of a character device (a terminal, a pty master, or CHR). */
uint32_t tty_device_kind(dev_t rdev);
void tty_write_note(struct buf *notes, const struct process_image *p);

int tty_parse_note(struct image_notes *in, const struct note *n);

/* Restart, before the first fd is opened: the image whose ptys are made again. */
void tty_restore_prepare(const struct statefile_image *img);

/* Restart, in a skeleton process once it leads its session and before its fd table is
 * final: the controlling terminal and foreground group. */
int tty_restore_inside(const struct statefile_image *img, const struct files_restore *fr, const struct process_image *p);

void tty_describe(struct buf *b, const struct process_image *p);
void tty_json(struct json *j, const struct process_image *p);

#endif
