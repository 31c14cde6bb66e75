/*
 * libckpt: checkpoint/restart of Linux process trees into ELF statefiles.
 *
 * This is the engine's whole public API.  Its front doors are the ckpt CLI, the gdb
 * extension (through ctypes) and the Eclipse bundles (through JNA), so it sticks to plain C
 * types.  Every function that can fail returns -1 (or NULL) and leaves a one-line reason in
 * ckpt_last_error(), which is per calling thread.
 */
#ifndef CKPT_H
#define CKPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libckpt is built with -fvisibility=hidden: what is declared here is all it exports. */
#pragma GCC visibility push(default)

/* Engine version, "MAJOR.MINOR.PATCH". */
const char *ckpt_version(void);
/* Statefile format version this engine writes and reads. */
int ckpt_format_version(void);
/* sizeof of this API's structs, by name ("ckpt_capture_options", ...), so that bindings written
 * in other languages can check their layouts; 0 for an unknown name. */
size_t ckpt_struct_size(const char *name);
/* Why the last call on this thread failed. */
const char *ckpt_last_error(void);

/* What happens to the processes the engine stopped itself once the statefile is written. */
enum ckpt_release {
	CKPT_LEAVE_RUNNING = 0, /* as before: running, or stopped if they were */
	CKPT_LEAVE_STOPPED = 1, /* stopped (SIGSTOP), e.g. for a debugger */
	CKPT_KILL = 2,
};

/* Original bytes under a software breakpoint that a debugger keeps inserted. */
struct ckpt_patch {
	uint64_t addr;
	uint32_t len;
	uint8_t bytes[16];
};

/*
 * Write tracking across the captures of one program, for a debugger that saves it again and
 * again (each save with the previous one as options->parent).  After a capture with a tracker,
 * the kernel notes which pages of its private anonymous memory the program writes; the next
 * capture with the same tracker and that statefile as its parent reads only those pages and
 * copies the others from the parent.  Where tracking is not possible (no userfaultfd, a
 * seccomp filter) captures simply read everything.  Freeing the tracker ends tracking.
 */
struct ckpt_tracker;
struct ckpt_tracker *ckpt_tracker_new(void);
void ckpt_tracker_free(struct ckpt_tracker *tracker);

struct ckpt_capture_options {
	int release;                 /* enum ckpt_release */
	pid_t first_tid;             /* thread written first (the one that stopped); 0: main thread */
	const char *stop_function;   /* where the program stopped, as a debugger knows it; optional */
	const char *stop_file;
	unsigned stop_line;
	const struct ckpt_patch *patches;
	size_t npatches;
	int from_debugger;           /* 1 when called inside a debugger (ckpt save) */
	/* Called now and then with bytes of memory written so far and in all; may be NULL. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	/* An earlier statefile of the same program: pages that did not change since are copied
	 * from it with copy_file_range (shared extents on file systems that can), so only the
	 * changed ones are written.  The new file is complete on its own.  May be NULL. */
	const char *parent;
	struct ckpt_tracker *tracker;  /* may be NULL */
	/* Capture refuses a tree that holds something restart cannot rebuild (a socket of a kind
	 * it does not know, a kernel object without a name, a deleted file), naming it.  With this
	 * set it saves anyway, and restart gives such fds back as /dev/null, with a warning. */
	int allow_unrestorable;
	/* For timelines: what made this save and what the user says about it, kept in the
	 * statefile (its annotation, native/STATEFILE.md).  All optional. */
	int origin;                  /* enum ckpt_origin */
	const char *label;           /* one line, at most 255 bytes */
	const char *note;            /* free text, at most 3583 bytes */
	const char *timeline_parent; /* file name of the statefile this save follows in its session */
	uint32_t sequence;           /* number of this save in its session, from 1 */
	uint64_t session;            /* an id of the session */
};

/* What made a save (struct ckpt_capture_options.origin). */
enum ckpt_origin {
	CKPT_ORIGIN_MANUAL = 0,      /* someone asked for it */
	CKPT_ORIGIN_BREAKPOINT = 1,  /* on its own, at a breakpoint stop */
	CKPT_ORIGIN_STEP = 2,        /* on its own, when a step ended */
	CKPT_ORIGIN_SNAPPOINT = 3,   /* at a snappoint */
	CKPT_ORIGIN_AUTOMATIC = 4,   /* on its own, for another reason */
};

struct ckpt_capture_result {
	uint32_t processes, threads;
	uint64_t mapped_bytes;       /* all mappings */
	uint64_t stored_bytes;       /* memory written into the file (not holes) */
	uint64_t file_bytes;         /* apparent size of the statefile */
	uint64_t freeze_ns;          /* how long the program was stopped by the capture */
	uint64_t total_ns;
	uint64_t parent_bytes;       /* of stored_bytes, those copied from the parent statefile */
};

/*
 * Captures the process tree rooted at pid into a statefile at path.
 *
 * held lists threads that the calling thread already holds in a ptrace-stop as their tracer
 * (a debugger's inferior); the engine stops everything else of the tree itself, and lets go of
 * only what it stopped, as options->release says.  Threads in held are left stopped with their
 * registers and memory exactly as they were.
 *
 * The file is written under a temporary name in the same directory, synced, and renamed to
 * path only when complete; its mode is 0600.
 */
int ckpt_capture(pid_t pid, const pid_t *held, size_t nheld, const char *path,
		 const struct ckpt_capture_options *options, struct ckpt_capture_result *result);

/* How a restarted program is left. */
enum ckpt_restart_mode {
	CKPT_RESTART_RUN = 0,      /* running; the caller may wait for it with ckpt_restart_wait */
	CKPT_RESTART_STOPPED = 1,  /* stopped at the saved context (group-stop), ready for gdb -p */
};

/* A directory that is somewhere else on this machine than where the program had it: paths
 * under `from` (whole components) that are missing here are looked up under `to`. */
struct ckpt_path_map {
	const char *from, *to;
};

struct ckpt_restart_options {
	int mode;                  /* enum ckpt_restart_mode */
	int use_namespace;         /* 1: always restart inside a new pid namespace */
	int lazy;                  /* 1: large anonymous memory is paged in on first touch and in the
	                            * background, so the tree is ready at once (needs the right to
	                            * handle kernel page faults: CAP_SYS_PTRACE, or the sysctl
	                            * vm.unprivileged_userfaultfd; restarts eagerly otherwise) */
	/* Files the program had open and working directories missing here are looked up under
	 * their new place (ckpt restart --map-path OLD=NEW).  May be NULL. */
	const struct ckpt_path_map *path_maps;
	size_t npath_maps;
};

struct ckpt_restart_result {
	pid_t pid;                 /* the root process, as seen from outside: attach to this one */
	pid_t saved_pid;           /* its pid inside, the one it had when saved */
	int in_namespace;          /* 1 when restarted inside a new pid namespace */
	uint32_t processes, threads;
	uint64_t total_ns;
};

/*
 * Restarts the program saved in a statefile.  The whole tree is rebuilt with its saved pids,
 * inside a new user+pid namespace when those pids cannot be had in ours, and is left running
 * or stopped as options->mode says.  Nothing is left behind when it fails.
 */
int ckpt_restart(const char *path, const struct ckpt_restart_options *options, struct ckpt_restart_result *result);
/*
 * Waits until a program restarted in mode RUN by this process ends; *wait_status is as from
 * waitpid().  The engine keeps what it needs for that by result->pid, from ckpt_restart until
 * this returns (once per restart; a program restarted stopped cannot be waited for here).
 */
int ckpt_restart_wait(const struct ckpt_restart_result *result, int *wait_status);

/*
 * For a debugger that has just attached to a restarted tree left stopped (group-stop): its
 * attach queued a SIGSTOP in every thread that the group-stop already accounted for, and gdb
 * would report it later as a stray stop.  Consumes such a pending SIGSTOP in each of the given
 * threads, which the calling thread must trace and hold stopped.  Registers are untouched.
 */
int ckpt_discard_pending_sigstop(const pid_t *tids, size_t ntids);

/*
 * Going back in a debug session without a new process: puts a process that the calling thread
 * traces and holds stopped (all its threads) back to a statefile saved from it earlier with
 * this tracker, in place.  Only what changed since is written back: the pages written in
 * between (the tracker knows which), registers, signal handlers and masks, file offsets and
 * thread names.  It refuses, changing nothing and saying why, when the process cannot be put
 * back that way (other threads or mappings, files or kernel objects that differ, another
 * process's snapshot); the caller then restarts the snapshot.  A failure after it began sets
 * result->damaged: the process is then neither one nor the other.
 */
struct ckpt_rewind_result {
	uint32_t threads;
	uint32_t stop_tid;           /* the thread that had stopped when it was saved */
	int damaged;                 /* 1: it failed half way; restart the snapshot */
	uint64_t written_bytes;      /* memory written back */
	uint64_t total_ns;
};
int ckpt_rewind(struct ckpt_tracker *tracker, pid_t pid, const char *statefile, struct ckpt_rewind_result *result);

/* The ckpt command installed next to this library (../bin/ckpt), for hosts that run the engine
 * as a separate process; an empty string when the library cannot tell where it is. */
const char *ckpt_command_path(void);

/*
 * The same capture in three steps, for a debugger that wants its prompt back as soon as the
 * program may run again:
 *  - ckpt_capture_start, on the tracer thread, freezes the tree, captures everything but the
 *    bulk of its memory, makes a copy-on-write clone of each process to serve that memory,
 *    and lets the tree go (pid's held threads are left stopped as they were);
 *  - ckpt_capture_finish, on any thread, writes the memory from the clones and commits the
 *    file (progress is reported from that thread);
 *  - ckpt_capture_cleanup, on the tracer thread, drops the clones and frees the job.  For held
 *    threads it needs them stopped again (it reaps each clone inside its parent); call it
 *    whether or not finish succeeded.
 */
struct ckpt_capture_job;
struct ckpt_capture_job *ckpt_capture_start(pid_t pid, const pid_t *held, size_t nheld, const char *path,
					     const struct ckpt_capture_options *options);
/* How long the program was kept stopped by ckpt_capture_start. */
uint64_t ckpt_capture_pause_ns(const struct ckpt_capture_job *job);
int ckpt_capture_finish(struct ckpt_capture_job *job, struct ckpt_capture_result *result);
void ckpt_capture_cleanup(struct ckpt_capture_job *job);

/* Sets or clears a flag that makes a running capture or restart stop as soon as it can and
 * clean up (for SIGINT handlers and cancel buttons). */
void ckpt_interrupt(int on);

/*
 * Describes a statefile, after validating all of its metadata.  Returns a malloc'ed text
 * (JSON when json is non-zero) to be freed with ckpt_free, or NULL with an error.
 */
char *ckpt_info(const char *path, int json);
/*
 * Whether a statefile can restart on this machine: the files its mappings come from, the CPU's
 * instruction sets and xsave layout, the vDSO, the files it had open and its working directory,
 * the kernel and the user, each with a remedy where restart cannot work.  Returns a malloc'ed
 * report (JSON when json is non-zero) to be freed with ckpt_free, and sets *problems to the
 * number of things that keep restart from working here (restart refuses on the first of them,
 * with the same words); NULL with an error when the file itself cannot be read.
 */
char *ckpt_check(const char *path, int json, unsigned *problems);
/* ckpt_check, with the files and working directories that are missing here looked up where
 * path_maps say (as ckpt_restart_options.path_maps). */
char *ckpt_check_mapped(const char *path, int json, const struct ckpt_path_map *path_maps, size_t npath_maps,
			unsigned *problems);
void ckpt_free(void *p);

/*
 * Packing a statefile for another machine: OUT is the statefile with every file its mappings
 * come from (the executable, every shared library, deduplicated) and their separate debug info
 * (by build-id under /usr/lib/debug/.build-id, or .gnu_debuglink) embedded in it, so that it
 * restarts where those files are missing or different and a debugger finds symbols.  OUT is
 * still a core file.  It is written under a temporary name, mode 0600, and renamed when
 * complete.  The files must still be the ones the program had mapped.
 */
struct ckpt_pack_options {
	int with_files;              /* also small regular files the program had open */
	uint64_t max_open_file_size; /* with_files: larger ones are left out; 0: 16 MiB */
};
struct ckpt_pack_result {
	uint32_t files;              /* files embedded (a file under two paths counts once) */
	uint32_t debug_files;        /* of them, separate debug info */
	uint32_t skipped_open_files; /* with_files: open files too large or not the ones open */
	uint64_t embedded_bytes;
	uint64_t statefile_bytes;    /* of the statefile packed */
	uint64_t file_bytes;         /* of OUT */
};
int ckpt_pack(const char *path, const char *out, const struct ckpt_pack_options *options,
	      struct ckpt_pack_result *result);
/*
 * For a debugger on another machine: writes the embedded files of a packed statefile under dir
 * by their saved paths (dir/usr/lib/..., debug info under dir/usr/lib/debug), and dir/gdbinit
 * with the settings (sysroot, solib-search-path, debug-file-directory, the executable) that
 * make `gdb -ix DIR/gdbinit -c FILE` find the executable, libraries and debug info as they
 * were.  Returns the number of files written.
 */
int ckpt_unpack_debug(const char *path, const char *dir);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif
