/*
 * The kernel's special mappings: [vdso] with [vvar] and [vvar_vclock], and [vsyscall].  They
 * are the kernel's, never mapped by restart.  glibc caches the vDSO's address, so restart
 * moves the rebuilt process's vDSO to the saved addresses (mremap can move its parts only
 * together), and refuses a statefile whose vDSO is not this kernel's.
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

/* 0 when this kernel's vDSO is the one the statefile's program has cached, 1 when it is not
 * (*why, malloc'ed, says how), -1 on error. */
int vdso_compare(const struct statefile_image *img, int sf_fd, char **why);
/* Injected in a rebuilt process: its vDSO at the saved addresses. */
int vdso_move(struct inject *in, const struct process_image *p, pid_t outer_pid);

#endif
