/*
 * The kernel's special mappings: [vdso] with [vvar] and [vvar_vclock], and [vsyscall].  They
 * are the kernel's, never mapped by restart.  glibc caches the vDSO's address, so restart
 * moves the rebuilt process's vDSO to the saved addresses (mremap can move its parts only
 * together).  A statefile whose vDSO is not this kernel's is proxied (vdso_proxy.h).
 */
#ifndef CKPT_VDSO_H
#define CKPT_VDSO_H

#include "image.h"

#include <stdbool.h>

struct inject;

/* Capture: when a mapping named `name` in /proc/PID/maps is one of them, sets its flag and
 * how it is stored, and returns true. */
bool vdso_capture(const char *name, struct ckpt_rec_vma *r);
bool vdso_is_special(const struct ckpt_rec_vma *v);
/* Whether a line of /proc/PID/maps shows one of them. */
bool vdso_in_maps_line(const char *line);

enum { VDSO_SAME, VDSO_PROXIED, VDSO_UNUSABLE };
/* VDSO_SAME when this kernel's vDSO is the one the statefile's program has cached; VDSO_PROXIED
 * when it differs and restart proxies it (vdso_proxy.h); VDSO_UNUSABLE when it cannot; -1 on
 * error.  *why (malloc'ed) says how, unless it is the same. */
int vdso_compare(const struct statefile_image *img, int sf_fd, char **why);
/* Restart, before the threads get their registers: a thread saved inside a vDSO that is
 * proxied goes on at the same place of this kernel's (tramp: the trampoline's page). */
int vdso_redirect_threads(struct statefile_image *img, int sf_fd, uint64_t tramp);
/* Injected in a rebuilt process: its vDSO at the saved addresses; or, proxied, this kernel's
 * at a free address and the saved one's code at its own, jumping to it. */
int vdso_move(struct inject *in, const struct process_image *p, pid_t outer_pid, int sf_fd, uint64_t tramp);

#endif
