/*
 * The statefile's on-disk records (format version 1).  native/STATEFILE.md is the prose
 * specification; this header is its exact layout.  All integers are little-endian and every
 * record field is naturally aligned, so the structs below have no implicit padding.
 */
#ifndef CKPT_FORMAT_H
#define CKPT_FORMAT_H

#include <stdint.h>

#define CKPT_FORMAT_VERSION 1
#define CKPT_NOTE_OWNER "CKPT"

/* Note types under owner "CKPT". */
enum {
	CKPT_NT_HEADER = 1,     /* one record: struct ckpt_rec_header */
	CKPT_NT_PROCESS = 2,    /* one record: struct ckpt_rec_process */
	CKPT_NT_MM = 3,         /* one record: struct ckpt_rec_mm */
	CKPT_NT_VMAS = 4,       /* one record per PT_LOAD, in program-header order */
	CKPT_NT_FILES = 5,      /* backing files of mappings and the exe */
	CKPT_NT_FDS = 6,        /* the fd table */
	CKPT_NT_SIGACTIONS = 7, /* 64 records, signal 1 first */
	CKPT_NT_SIGQUEUE = 8,   /* pending signals, per thread and shared */
	CKPT_NT_THREADS = 9,    /* one record per thread, in NT_PRSTATUS order */
	CKPT_NT_TREE = 10,      /* root image only: every process image in the file */
	CKPT_NT_CPU = 16,       /* root image only, optional: the saving CPU's features */
	CKPT_NT_EMBEDDED = 17,  /* root image only, optional: files packed into the statefile */
};

/*
 * Every CKPT note's descriptor is a table: this header, `count` records of `rec_size` bytes
 * each, then a data area holding NUL-terminated strings and byte blobs that records refer to
 * by offset into the data area.  rec_size may grow in later versions; readers accept larger
 * records and ignore the tail.
 */
struct ckpt_table_hdr {
	uint32_t rec_size;
	uint32_t count;
	uint32_t data_off;  /* from the start of the descriptor */
	uint32_t data_size;
};

#define CKPT_NO_STR 0xffffffffu
#define CKPT_NO_INDEX 0xffffffffu

struct ckpt_rec_header {
	uint32_t format_version;
	uint32_t page_size;
	uint64_t time_ns;        /* CLOCK_REALTIME when the tree was frozen */
	uint64_t freeze_ns;      /* how long the tree was stopped by the capture */
	uint64_t total_ns;       /* time of the whole capture */
	uint64_t xcr0;           /* xsave features enabled when captured */
	uint32_t xsave_size;     /* size of each NT_X86_XSTATE note */
	uint32_t stop_tid;       /* the thread that stopped; first NT_PRSTATUS */
	uint64_t stop_pc;
	uint32_t engine_version; /* str */
	uint32_t kernel_release; /* str */
	uint32_t hostname;       /* str */
	uint32_t stop_function;  /* str, or CKPT_NO_STR */
	uint32_t stop_file;      /* str, or CKPT_NO_STR */
	uint32_t stop_line;      /* 0 when unknown */
	uint32_t nr_processes;   /* processes in the whole statefile */
	uint32_t flags;          /* CKPT_HDR_* */
};
#define CKPT_HDR_ROOT 1u          /* this image is the root process of the file */
#define CKPT_HDR_FROM_DEBUGGER 2u /* captured inside a debugger (ckpt save) */

struct ckpt_rec_process {
	uint32_t pid, ppid, pgid, sid;
	uint32_t uid, gid, euid, egid;
	uint32_t umask;
	uint32_t personality;
	uint32_t exe_file;       /* index into CKPT_NT_FILES, or CKPT_NO_INDEX */
	uint32_t exe;            /* str: /proc/PID/exe at capture */
	uint32_t cwd;            /* str */
	uint32_t comm;           /* str */
	uint32_t cmdline_off;    /* blob: NUL-separated arguments */
	uint32_t cmdline_len;
	uint32_t nr_threads;
	uint32_t flags;          /* CKPT_PROC_* */
	uint64_t rlimits[16][2]; /* RLIMIT_* order: cur, max */
};

struct ckpt_rec_mm {
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
};

/* How a mapping's bytes are stored. */
enum {
	CKPT_STORE_NONE = 0,   /* p_filesz == 0: comes from its backing file, or is PROT_NONE/special */
	CKPT_STORE_FULL = 1,   /* p_filesz == p_memsz: every page; holes are zero pages */
	CKPT_STORE_HEADER = 2, /* only the first page (the ELF header of a mapped file), for core readers */
};

/* VMA flags. */
#define CKPT_VMA_SHARED     0x0001u
#define CKPT_VMA_ANON       0x0002u /* no backing file (includes shared anonymous memory) */
#define CKPT_VMA_GROWSDOWN  0x0004u
#define CKPT_VMA_HEAP       0x0008u /* [heap] */
#define CKPT_VMA_STACK      0x0010u /* [stack] */
#define CKPT_VMA_VDSO       0x0020u
#define CKPT_VMA_VVAR       0x0040u
#define CKPT_VMA_VVAR_VCLOCK 0x0080u
#define CKPT_VMA_VSYSCALL   0x0100u
#define CKPT_VMA_HUGEPAGE   0x0200u /* MADV_HUGEPAGE */
#define CKPT_VMA_NOHUGEPAGE 0x0400u
#define CKPT_VMA_DONTFORK   0x0800u
#define CKPT_VMA_WIPEONFORK 0x1000u
#define CKPT_VMA_DONTDUMP   0x2000u
#define CKPT_VMA_LOCKED     0x4000u
#define CKPT_VMA_MAYWRITE   0x8000u
#define CKPT_VMA_SYSVSHM    0x10000u /* SysV shared memory segment */
#define CKPT_VMA_DELETED    0x20000u /* backing file was deleted */
#define CKPT_VMA_NORESERVE  0x40000u /* MAP_NORESERVE: no swap space reserved (big reservations) */

struct ckpt_rec_vma {
	uint64_t start, end;
	uint64_t pgoff;        /* offset into the backing file, bytes */
	uint64_t shmem_id;     /* inode of the shared-memory object, to match sharing across processes */
	uint32_t prot;         /* PROT_READ|PROT_WRITE|PROT_EXEC */
	uint32_t flags;        /* CKPT_VMA_* */
	uint32_t file;         /* index into CKPT_NT_FILES or CKPT_NO_INDEX */
	uint32_t store;        /* CKPT_STORE_* */
	uint64_t stored_bytes; /* non-hole bytes written for this mapping */
};

struct ckpt_rec_file {
	uint64_t dev, ino, size;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t mode;
	uint32_t path;          /* str */
	uint32_t build_id_len;  /* 0 when the file has none */
	uint8_t build_id[32];
};

/* fd kinds. */
enum {
	CKPT_FD_REG = 1,
	CKPT_FD_DIR = 2,
	CKPT_FD_CHR = 3,
	CKPT_FD_BLK = 4,
	CKPT_FD_FIFO = 5,     /* a named FIFO */
	CKPT_FD_PIPE = 6,     /* an anonymous pipe */
	CKPT_FD_SOCKET = 7,
	CKPT_FD_EVENTFD = 8,
	CKPT_FD_OTHER = 9,    /* anon inodes and anything else: restored as /dev/null */
	CKPT_FD_TTY = 10,     /* a terminal: always rebound at restart */
	/* Kinds whose objects ckpt rebuilds itself; `extra`, `kind_flags` and the data blob hold
	 * their state, as STATEFILE.md says for each. */
	CKPT_FD_SIGNALFD = 11,
	CKPT_FD_TIMERFD = 12,
	CKPT_FD_EPOLL = 13,
	CKPT_FD_INOTIFY = 14,
	CKPT_FD_UNIX = 15,    /* a unix domain socket */
	CKPT_FD_INET = 16,    /* a TCP or UDP socket, IPv4 or IPv6 */
	CKPT_FD_KIND_MAX = 16,
};

#define CKPT_FDF_CLOEXEC   0x1u
#define CKPT_FDF_DELETED   0x2u
#define CKPT_FDF_OUTSIDE   0x4u /* refers to something outside the tree (pipe end held elsewhere) */
#define CKPT_FDF_LOST      0x8u /* restart cannot rebuild it, and the capture was told to save anyway:
                                 * it comes back as /dev/null */

struct ckpt_rec_fd {
	uint32_t fd;
	uint32_t kind;        /* CKPT_FD_* */
	uint32_t open_flags;  /* O_ACCMODE | O_APPEND | O_NONBLOCK | ... as in fdinfo */
	uint32_t fd_flags;    /* CKPT_FDF_* */
	uint64_t pos;
	uint64_t dev, ino;    /* of the open file; the pipe's inode for pipes */
	uint32_t path;        /* str: readlink of /proc/PID/fd/N */
	uint32_t pipe_size;   /* F_GETPIPE_SZ for pipes and FIFOs */
	uint32_t data_off;    /* blob: bytes queued in the pipe (stored once per pipe, on its first read end) */
	uint32_t data_len;
	uint64_t extra;       /* eventfd: the counter; signalfd: the signal mask */
	uint32_t desc;        /* open file description: fds of the tree with the same desc share one
	                       * (dup'ed or inherited), so they share offset and flags; 1-based */
	uint32_t kind_flags;  /* eventfd: CKPT_EFD_*; 0 for the other kinds */
};

#define CKPT_EFD_SEMAPHORE 0x1u

/* The data blob of a timerfd: its clock, what is left of the current period and the period, and
 * the expirations nobody has read yet. */
struct ckpt_fd_timerfd {
	uint32_t clockid;
	uint32_t settime_flags;  /* TFD_TIMER_ABSTIME etc. as it was armed */
	uint64_t value_ns;       /* time left until the next expiration; 0: disarmed */
	uint64_t interval_ns;
	uint64_t ticks;
};

struct ckpt_rec_sigaction {
	uint64_t handler;  /* SIG_DFL 0, SIG_IGN 1, else an address */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct ckpt_rec_sigqueue {
	uint32_t tid;       /* 0: shared (process-wide) queue */
	uint32_t reserved;
	uint8_t siginfo[128];
};

#define CKPT_THR_RSEQ 0x1u

struct ckpt_rec_thread {
	uint32_t tid;
	uint32_t flags;          /* CKPT_THR_* */
	uint64_t sigmask;
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	uint32_t rseq_len;
	uint64_t rseq_addr;
	uint32_t rseq_sig;
	uint32_t comm;           /* str */
	uint64_t robust_head, robust_len;
	uint64_t clear_child_tid;
};

/* The CPU a statefile was saved on, as far as the program's code and registers depend on it:
 * what cpuid said of its instruction sets (glibc picks its string and math routines by them),
 * and how the xsave area is laid out.  Missing from statefiles of engines before it. */
#define CKPT_CPU_XSAVE_PARTS 19   /* xsave components 0..18 */
struct ckpt_rec_cpu {
	char vendor[12];              /* cpuid(0): "GenuineIntel", "AuthenticAMD", ... */
	uint32_t signature;           /* cpuid(1).eax: family, model, stepping */
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t leaf7_ebx, leaf7_ecx, leaf7_edx;
	uint32_t leaf7_1_eax;
	uint32_t leafd_1_eax;         /* xsaveopt, xsavec, xgetbv1 */
	uint32_t ext1_ecx, ext1_edx;  /* cpuid(0x80000001) */
	uint64_t xcr0;                /* the xsave components the kernel enabled */
	uint32_t xsave_size;          /* cpuid(0xd, 0).ebx */
	uint32_t reserved;
	uint32_t xsave_offset[CKPT_CPU_XSAVE_PARTS];  /* cpuid(0xd, i).ebx in the standard layout */
	uint32_t xsave_part_size[CKPT_CPU_XSAVE_PARTS];
};

/* A file that `ckpt pack` copied into the statefile, so that it restarts and can be debugged
 * where that file is missing or different.  Its bytes lie in the root image, after the
 * segments' data, page aligned; two records may share the same bytes (one file under two
 * paths) but no other bytes of the statefile. */
enum {
	CKPT_EMBED_MAPPED = 1,    /* a file the tree's mappings come from: the executable, a library */
	CKPT_EMBED_DEBUG = 2,     /* separate debug info of a mapped file (by build-id or debuglink) */
	CKPT_EMBED_OPEN = 3,      /* a small regular file the program had open (--with-files) */
};
struct ckpt_rec_embedded {
	uint64_t offset;          /* of its bytes, from the start of the statefile, page aligned */
	uint64_t size;
	uint32_t kind;            /* CKPT_EMBED_* */
	uint32_t path;            /* str: where the saving machine had it (absolute, normalized) */
	int64_t mtime_sec;        /* as at capture; the file's identity with size and build-id */
	uint32_t mtime_nsec;
	uint32_t mode;
	uint32_t build_id_len;    /* of the file, or for DEBUG of the file it describes; 0: none */
	uint32_t reserved;
	uint8_t build_id[32];
};

#define CKPT_TREE_ZOMBIE 0x1u

struct ckpt_rec_tree {
	uint32_t pid, ppid, pgid, sid;
	uint64_t image_offset;  /* from the start of the statefile; 0 for the root */
	uint64_t image_size;
	uint32_t flags;
	uint32_t exit_code;
};

#endif
