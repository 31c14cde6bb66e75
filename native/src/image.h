/*
 * The in-memory form of a statefile: what capture fills and writes, and what the reader
 * returns for info and restart.  Records are the on-disk structs of format.h; the string
 * fields they refer to live beside them as C strings.
 */
#ifndef CKPT_IMAGE_H
#define CKPT_IMAGE_H

#include "format.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct thread_image {
	struct ckpt_rec_thread rec;
	char comm[17];
	struct user_regs_struct regs;
	struct user_fpregs_struct fpregs;
	uint8_t *xstate;
	size_t xstate_len;
	siginfo_t stop_siginfo;      /* why this thread is stopped (NT_SIGINFO); si_signo 0 if none */
	struct ckpt_rec_sigqueue *pending;
	size_t npending, cap_pending;
};

struct addr_range {
	uint64_t start, end;
};

struct vma_image {
	struct ckpt_rec_vma rec;
	uint64_t file_offset;  /* of its PT_LOAD data in the statefile, absolute */
	uint64_t file_size;    /* p_filesz */
	/* Capture only, from write tracking (memtrack.h): with writes_known, `written` holds the
	 * pages written since the last capture of this process with the same tracker; when also
	 * tracked, the pages outside `written` are those the parent statefile holds. */
	bool writes_known, tracked;
	struct addr_range *written;
	size_t nwritten, cap_written;
	/* Of those, the ones present or swapped out at the freeze (the others were dropped since,
	 * and are zeros), from the same walk. */
	struct addr_range *written_populated;
	size_t nwritten_populated, cap_written_populated;
};

struct file_image {
	struct ckpt_rec_file rec;
	char *path;
};

struct fd_image {
	struct ckpt_rec_fd rec;
	char *path;
	uint8_t *data;       /* bytes queued in a pipe */
};

/* A thread's seccomp state: its record and the filters blob it refers to. */
struct seccomp_image {
	struct ckpt_rec_seccomp rec;
	uint8_t *filters;
};

/* A SysV IPC object and its blob. */
struct ipc_image {
	struct ckpt_rec_ipc rec;
	uint8_t *data;
};

struct process_image {
	struct ckpt_rec_process rec;
	char *exe, *cwd;
	char comm[17];
	uint8_t *cmdline;
	size_t cmdline_len;
	struct ckpt_rec_mm mm;
	uint8_t *auxv;
	size_t auxv_len;

	struct thread_image *threads;
	size_t nthreads, cap_threads;
	struct vma_image *vmas;
	size_t nvmas, cap_vmas;
	struct file_image *files;
	size_t nfiles, cap_files;
	struct fd_image *fds;
	size_t nfds, cap_fds;
	struct ckpt_rec_sigaction sigactions[64];
	struct ckpt_rec_sigqueue *shared_pending;
	size_t nshared_pending, cap_shared_pending;

	/* Where this process's ELF image sits in the statefile. */
	uint64_t image_offset, image_size;
	uint32_t tree_flags, exit_code;

	/* Kernel objects of the process (timers.c, locks.c, seccomp.c). */
	struct ckpt_rec_timer *timers;
	size_t ntimers, cap_timers;
	struct ckpt_rec_lock *locks;
	size_t nlocks, cap_locks;
	struct seccomp_image *seccomp;
	size_t nseccomp, cap_seccomp;
	/* A session leader's controlling terminal, when it is a pty of the tree (tty.c). */
	bool has_ctty;
	struct ckpt_rec_ctty ctty;

	/* Attributes of CKPT_NT_PROCATTR (procattr.c); has_attrs false for older statefiles. */
	bool has_attrs;
	struct ckpt_rec_procattr attrs;
	char *root;          /* the root directory, NULL when it was "/" */
	uint32_t *groups;    /* attrs.ngroups gids */
};

struct embedded_file {
	struct ckpt_rec_embedded rec;
	char *path;
};

struct statefile_image {
	struct ckpt_rec_header hdr;
	char *engine_version, *kernel_release, *hostname, *stop_function, *stop_file;
	struct process_image *procs;   /* procs[0] is the root */
	size_t nprocs, cap_procs;
	/* Zombies: children that had exited and were not reaped, with no image (proctree.c). */
	struct ckpt_rec_tree *zombies;
	size_t nzombies, cap_zombies;
	/* The tree's SysV IPC objects (sysvipc.c). */
	struct ipc_image *ipc;
	size_t nipc, cap_ipc;
	uint64_t file_size;            /* apparent size of the statefile, when read */
	uint64_t allocated_bytes;      /* blocks actually allocated, when read */
	bool has_cpu;                  /* statefiles of older engines have no CPU note */
	struct ckpt_rec_cpu cpu;       /* the CPU it was saved on */
	struct embedded_file *embedded; /* files ckpt pack put in (CKPT_NT_EMBEDDED), by offset */
	size_t nembedded, cap_embedded;
};

void image_free(struct statefile_image *img);
void process_image_free(struct process_image *p);

int image_file_index(struct process_image *p, const char *path, const struct ckpt_rec_file *rec);
/* The index of the process's main thread (tid == pid) in p->threads; p->nthreads if it has none. */
size_t image_main_thread(const struct process_image *p);
/* The bytes of a mapping's PT_LOAD data (p_filesz) its store kind calls for. */
uint64_t image_vma_data_size(const struct ckpt_rec_vma *r);
/* Whether pid is a process or a zombie of the tree. */
bool image_has_pid(const struct statefile_image *img, uint64_t pid);

#endif
