/*
 * seccomp: each thread's mode (strict or filter), its filters (classic BPF, read with
 * PTRACE_SECCOMP_GET_FILTER, which needs CAP_SYS_ADMIN) and its no_new_privs bit.
 *
 * At capture the filters are read before anything is injected, so that a syscall the filter
 * would not let through is never injected (inject.h checks with seccomp_allows).  At restart a
 * thread gets them last, once nothing more will be injected into it through the trampoline: a
 * filter applies to the syscalls ckpt injects as much as to the program's own.
 */
#ifndef CKPT_SECCOMP_H
#define CKPT_SECCOMP_H

#include "image.h"
#include "json.h"
#include "note_parsers.h"

#include <stdbool.h>
#include <stdint.h>

struct frozen_proc;

/* Capture, before any injection: the seccomp state of every task of fp. */
int seccomp_capture(const struct frozen_proc *fp, struct process_image *p);
/* The saved state of a thread, NULL when it has none. */
const struct seccomp_image *seccomp_of_thread(const struct process_image *p, uint32_t tid);
/* Whether the thread is in strict mode, where only read, write, exit and sigreturn work. */
bool seccomp_strict(const struct process_image *p, uint32_t tid);
/* Whether the thread's mode and filters let this syscall through (SECCOMP_RET_ALLOW or
 * SECCOMP_RET_LOG), made from the instruction before address ip. */
bool seccomp_allows(const struct seccomp_image *s, long nr, const uint64_t args[6], uint64_t ip);
void seccomp_write_note(struct buf *notes, const struct process_image *p);

int seccomp_parse_note(struct image_notes *in, const struct note *n);
/* Every record is for a thread of the process. */
int seccomp_check_image(const struct process_image *p);

/* Restart, last for the thread: no_new_privs, then its filters or strict mode, injected
 * through a syscall instruction of the restored process, with the thread's saved registers and
 * scratch memory below its saved stack pointer.  When every thread has the same filters, the
 * main thread installs them for all (SECCOMP_FILTER_FLAG_TSYNC), so that they stay shared. */
int seccomp_restore_thread(pid_t outer_pid, pid_t outer_tid, const struct process_image *p, size_t k);

void seccomp_describe(struct buf *b, const struct process_image *p);
void seccomp_json(struct json *j, const struct process_image *p);

#endif
