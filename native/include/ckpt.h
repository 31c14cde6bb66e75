/*
 * libckpt: checkpoint/restart of Linux process trees into ELF statefiles.
 * Public API.  Everything here is stable for front doors: the ckpt CLI,
 * the gdb extension (ctypes) and the Eclipse bundles (JNA).
 */
#ifndef CKPT_H
#define CKPT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Engine version, "MAJOR.MINOR.PATCH". */
const char *ckpt_version(void);

/* Statefile format version this engine writes and reads. */
int ckpt_format_version(void);

#ifdef __cplusplus
}
#endif

#endif
