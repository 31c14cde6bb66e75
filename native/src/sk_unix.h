/*
 * Fds in flight that no process of the tree may hold (sk_unix.c): at capture they are put in
 * the receiving process's own fd table for the time of the capture, with a recvmsg(MSG_PEEK)
 * injected into it, so that they are captured as its fds (CKPT_FDF_IN_FLIGHT), and are closed
 * there again before the tree runs on.
 */
#ifndef CKPT_SK_UNIX_H
#define CKPT_SK_UNIX_H

#include "image.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct seccomp_image;

/* The fds installed in one process, and the thread that installed them. */
struct unix_in_flight {
	pid_t pid, tid;
	uint64_t gadget;
	int *fds;
	size_t n;
};

/* Installs in pid (through its stopped thread tid, under its seccomp filter) a copy of every fd
 * in flight in the queues of its unix sockets.  Returns 0 (in->n may be 0), or -1 with what
 * was installed closed again. */
int unix_in_flight_install(struct unix_in_flight *in, const struct seccomp_image *filter);
/* Marks the fd records of p that install made (after files_capture). */
void unix_in_flight_mark(const struct unix_in_flight *in, struct process_image *p);
/* Closes them in the process again, and frees the list.  Returns -1 when one cannot be closed. */
int unix_in_flight_remove(struct unix_in_flight *in);

#endif
