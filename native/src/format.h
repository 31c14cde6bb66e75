/*
 * The statefile's on-disk records (format version 1).  native/STATEFILE.md is the prose
 * specification; this header is its exact layout.  All integers are little-endian and every
 * record field is naturally aligned, so the structs below have no implicit padding.
 */
#ifndef CKPT_FORMAT_H
#define CKPT_FORMAT_H

#include <stddef.h>
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
	CKPT_NT_ANNOTATION = 11, /* root image only, optional: one struct ckpt_rec_annotation */
	CKPT_NT_TIMERS = 12,    /* POSIX timers and itimers; absent: none */
	CKPT_NT_LOCKS = 13,     /* file locks held; absent: none */
	CKPT_NT_SYSVIPC = 14,   /* root image only: the tree's SysV IPC objects; absent: none */
	CKPT_NT_SECCOMP = 15,   /* per thread: seccomp mode and filters, no_new_privs; absent: none */
	CKPT_NT_CPU = 16,       /* root image only, optional: the saving CPU's features */
	CKPT_NT_EMBEDDED = 17,  /* root image only, optional: files packed into the statefile */
	CKPT_NT_PROCATTR = 19,  /* one struct ckpt_rec_procattr; absent (older engines): not restored */
	CKPT_NT_CTTY = 20,      /* session leaders only: one struct ckpt_rec_ctty; absent: none kept */
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

/* Process attributes beyond ckpt_rec_process (CKPT_NT_PROCATTR), procattr.c. */
#define CKPT_PA_THP_DISABLE 0x1u  /* PR_SET_THP_DISABLE */
#define CKPT_PA_SUBREAPER   0x2u  /* PR_SET_CHILD_SUBREAPER */
#define CKPT_PA_NO_LOGINUID 0x4u  /* the kernel has no loginuid (no audit): loginuid is not used */
#define CKPT_PA_MLOCK_FUTURE  0x8u  /* mlockall(MCL_FUTURE): new mappings are locked */
#define CKPT_PA_MLOCK_ONFAULT 0x10u /* with MLOCK_FUTURE: mlockall(MCL_ONFAULT), locked as they fault */
#define CKPT_PA_IDS 0x20u         /* uids and gids below are set (older engines: not saved) */

struct ckpt_rec_procattr {
	uint32_t flags;           /* CKPT_PA_* */
	uint32_t dumpable;        /* PR_GET_DUMPABLE: 0, 1 (or 2, restored as 0) */
	uint32_t pdeath_sig;      /* PR_GET_PDEATHSIG; 0: none */
	int32_t oom_score_adj;    /* -1000..1000 */
	uint32_t sched_policy;    /* SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, IDLE 5; | SCHED_RESET_ON_FORK */
	uint32_t sched_priority;  /* FIFO and RR: 1..99; 0 for the others */
	int32_t nice;             /* -20..19 */
	uint32_t loginuid;        /* /proc/PID/loginuid; 0xffffffff: unset */
	uint32_t membarrier;      /* MEMBARRIER_CMD_GET_REGISTRATIONS: the REGISTER_* commands done */
	uint32_t root;            /* str: the root directory (chroot), CKPT_NO_STR: the saver's "/" */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb; /* capability sets, bit n: capability n */
	uint32_t ngroups;         /* supplementary groups, at most 65536 ... */
	uint32_t groups_off;      /* ... blob: ngroups uint32 gids */
	/* Records of older engines end here; with CKPT_PA_IDS: */
	uint32_t uid, euid, suid, fsuid; /* real, effective, saved and file-system uid */
	uint32_t gid, egid, sgid, fsgid;
	/* Records of older engines may end here (read as 0): */
	uint64_t cwd_dev, cwd_ino; /* the working directory's, when it was deleted; 0 otherwise */
};
/* The shortest process-attribute record a reader takes: older engines' records end before the ids. */
#define CKPT_REC_PROCATTR_OLDEST_SIZE offsetof(struct ckpt_rec_procattr, uid)

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
	CKPT_STORE_COW = 3,    /* p_filesz == p_memsz: the pages a private mapping of a memory object
	                        * (memfd, shared anonymous memory, deleted file) changed; holes come
	                        * from the object */
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
#define CKPT_VMA_SEQUENTIAL 0x80000u /* MADV_SEQUENTIAL */
#define CKPT_VMA_RANDOM     0x100000u /* MADV_RANDOM */
#define CKPT_VMA_MERGEABLE  0x200000u /* MADV_MERGEABLE (KSM) */
#define CKPT_VMA_DROPPABLE  0x400000u /* MAP_DROPPABLE: private anonymous memory the kernel may drop */
#define CKPT_VMA_LOCKONFAULT 0x800000u /* mlock2(MLOCK_ONFAULT): with LOCKED, pages lock as they fault in */
#define CKPT_VMA_KNOWN      0xffffffu /* every flag above: a reader refuses any other bit */

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
	CKPT_FD_GHOST = 17,   /* a regular file deleted while open: its contents are saved */
	CKPT_FD_MEMFD = 18,   /* a memfd: its contents, name and seals are saved */
	CKPT_FD_PIDFD = 19,   /* a pidfd of a process of the tree */
	CKPT_FD_RAW = 20,     /* a raw IP socket (SOCK_RAW), IPv4 or IPv6 */
	CKPT_FD_NETLINK = 21, /* a netlink socket */
	CKPT_FD_GHOST_NODE = 23, /* a FIFO, directory or device node deleted while open: made again */
	CKPT_FD_SYMLINK = 24,    /* an O_PATH fd of a symbolic link itself: its target is saved */
	CKPT_FD_PTY_MASTER = 25, /* the master of a pseudo-terminal: the pair is made again */
	CKPT_FD_PTY_SLAVE = 26,  /* a slave of a pseudo-terminal whose master the tree holds */
	CKPT_FD_KIND_MAX = 26,
};

#define CKPT_FDF_CLOEXEC   0x1u
#define CKPT_FDF_DELETED   0x2u
#define CKPT_FDF_OUTSIDE   0x4u /* refers to something outside the tree (pipe end held elsewhere) */
#define CKPT_FDF_LOST      0x8u /* restart cannot rebuild it, and the capture was told to save anyway:
                                 * it comes back as /dev/null */
#define CKPT_FDF_IN_FLIGHT 0x10u /* not in the process's table: a copy of an fd in flight in a queued
                                  * message of a unix socket of the tree, which restart sends again */

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
	uint32_t kind_flags;  /* eventfd: CKPT_EFD_*; epoll: CKPT_EPOLL_*; 0 for the other kinds */
	/* The description's owner (F_GETOWN_EX), which O_ASYNC signals, and the signal (F_GETSIG). */
	uint32_t owner_type;  /* F_OWNER_TID 0, F_OWNER_PID 1, F_OWNER_PGRP 2; 0 without an owner */
	uint32_t owner;       /* the tid, pid or process group (saved numbers) of the tree; 0: none */
	uint32_t owner_sig;   /* 0: SIGIO */
	uint32_t owner_reserved; /* 0 */
};
/* The shortest fd record a reader takes: older engines' records end before the owner. */
#define CKPT_REC_FD_OLDEST_SIZE offsetof(struct ckpt_rec_fd, owner_type)

#define CKPT_EFD_SEMAPHORE 0x1u

/* pidfd (CKPT_FD_PIDFD): `extra` is the pid of the process of the tree it is of; kind_flags: */
#define CKPT_PIDFD_REAPED 0x1u  /* of a process already reaped (`extra` 0) */

/* The data blob of a ghost (deleted) file or a memfd, on the first fd of its inode in the tree
 * (the other fds of that file have none): this header, then nextents
 * struct ckpt_fd_ghost_extent in increasing, non-overlapping offset order, then the bytes of each
 * extent one after the other.  What lies between extents is a hole (zeros). */
struct ckpt_fd_ghost {
	uint64_t size;       /* st_size */
	uint32_t mode;       /* permission bits (07777) */
	uint32_t seals;      /* memfd: F_GET_SEALS; 0 for a ghost file */
	uint32_t nextents;
	uint32_t reserved;   /* 0 */
	/* With CKPT_GHOST_ATTRS in the fd's kind_flags (older files have neither the flag nor these): */
	uint32_t uid, gid;   /* owner */
	int64_t atime_sec, mtime_sec;     /* access and modification times (st_atim, st_mtim) */
	uint32_t atime_nsec, mtime_nsec;  /* below 10^9 */
};
#define CKPT_GHOST_ATTRS 0x1u /* kind_flags of a deleted file or memfd: its header has owner and times */

struct ckpt_fd_ghost_extent {
	uint64_t offset;
	uint64_t len;
};

/* A pseudo-terminal (CKPT_FD_PTY_MASTER, CKPT_FD_PTY_SLAVE): `extra` is its index when saved
 * (/dev/pts/N), kind_flags CKPT_PTY_*.  The master's first fd in the tree carries the blob:
 * struct ckpt_fd_pty, then the `queued` bytes of the slave's input, not read yet. */
#define CKPT_PTY_LOCKED  0x1u   /* master: its slave was locked (TIOCSPTLCK) */
#define CKPT_PTY_PACKET  0x2u   /* master: packet mode (TIOCPKT) */
#define CKPT_PTY_DEV_TTY 0x4u   /* slave: opened as /dev/tty, the process's controlling terminal */
#define CKPT_PTY_MAX_QUEUED 4096u /* the line discipline's buffer */

struct ckpt_fd_pty {
	uint32_t iflag, oflag, cflag, lflag;  /* termios of the slave */
	uint8_t line;
	uint8_t cc[32];
	uint8_t reserved[3];                  /* 0 */
	uint32_t ispeed, ospeed;              /* termios speeds (B9600...) */
	uint16_t rows, cols, xpixel, ypixel;  /* window size */
	uint32_t uid, gid, mode;              /* owner and permission bits (0777) of /dev/pts/N */
	uint32_t queued;                      /* bytes of the slave's input that follow */
	uint32_t reserved2;                   /* 0 */
};

/* The controlling terminal of a session leader (CKPT_NT_CTTY): a pseudo-terminal of the tree. */
struct ckpt_rec_ctty {
	uint32_t pty;        /* its index when saved: the `extra` of the tree's CKPT_FD_PTY_MASTER */
	uint32_t fg_pgrp;    /* its foreground process group, a group of the session; 0: none */
};

/* The most bytes one ghost file or memfd may hold in a statefile: dump refuses a larger one. */
#define CKPT_GHOST_MAX_DATA (64u << 20)

/* The data blob of a deleted FIFO, directory or device node, on the first fd of its inode in the
 * tree (the other fds of it have none): this header, then (a FIFO) the bytes queued in it. */
struct ckpt_fd_ghost_node {
	uint32_t mode;       /* S_IFIFO, S_IFDIR, S_IFCHR or S_IFBLK, and the permission bits */
	uint32_t uid, gid;   /* owner */
	uint32_t reserved;   /* 0 */
	uint64_t rdev;       /* a device's number (st_rdev); 0 for the others */
};

/* A symbolic link's fd (CKPT_FD_SYMLINK): the blob is the link's target (no NUL); kind_flags: */
#define CKPT_SYMLINK_DELETED 0x1u  /* the link was deleted: restart makes it again, then deletes it */

/* The data blob of a timerfd: its clock, what is left of the current period and the period, and
 * the expirations nobody has read yet. */
struct ckpt_fd_timerfd {
	uint32_t clockid;
	uint32_t settime_flags;  /* TFD_TIMER_ABSTIME etc. as it was armed */
	uint64_t value_ns;       /* time left until the next expiration; 0: disarmed */
	uint64_t interval_ns;
	uint64_t ticks;
};

/* The data blob of an epoll fd: the items that this fd's process adds at restart, as an array.
 * An epoll shared by several processes keeps each item on the fd of one of them only. */
struct ckpt_fd_epoll_item {
	uint32_t tfd;        /* the fd number the item was added with (half of its key) */
	uint32_t events;     /* EPOLL* as the kernel keeps them (EPOLLERR | EPOLLHUP included) */
	uint64_t data;       /* the program's data */
	uint32_t file_fd;    /* an fd of the same process that holds the item's file: tfd itself,
	                      * unless tfd was closed or reused after EPOLL_CTL_ADD */
	uint32_t reserved;   /* 0 */
};

#define CKPT_EPOLL_WAKEUP 0x1u  /* kind_flags: an item of this epoll, on any of its fds, has EPOLLWAKEUP */

/* The data blob of an inotify fd: its watches in increasing wd order, each this header, then
 * its path (path_len bytes and a NUL), then zeros to a multiple of 4 bytes. */
struct ckpt_fd_inotify_watch {
	uint32_t wd;
	uint32_t mask;       /* IN_* events, IN_ONESHOT and IN_EXCL_UNLINK, as the kernel shows them */
	uint32_t flags;      /* CKPT_INOTIFY_* */
	uint32_t path_len;
};

#define CKPT_INOTIFY_DONT_FOLLOW 0x1u  /* the watch is on a symbolic link itself */
#define CKPT_INOTIFY_DIR         0x2u  /* the watched file was a directory */
/* The highest wd, and the most wds all inotify fds of a tree may span: restart walks the
 * kernel's cyclic wd numbering up to each saved wd, a few microseconds a step. */
#define CKPT_INOTIFY_MAX_WD      (1u << 20)

/*
 * Sockets (CKPT_FD_UNIX, CKPT_FD_INET).  kind_flags holds CKPT_SK_*; the blob is the kind's
 * record (struct ckpt_fd_unix or struct ckpt_fd_inet), then what its counts say follows, in
 * this order: names, TCP queues, queued messages.  The state of an open file description is
 * stored on its first fd in the tree; its other fds carry the record without the queues.
 */
#define CKPT_SK_PEER_IN_TREE 0x1u  /* its peer is a socket of the tree, rebuilt with it */
#define CKPT_SK_RESET        0x2u  /* connected, but cannot be rebuilt (its peer is outside the
                                    * tree, or TCP state could not be saved): restart gives a
                                    * socket of the same family and type that reports a reset */
#define CKPT_SK_REPAIR       0x4u  /* inet: the TCP connection's repair state is in the record */
#define CKPT_SK_FIN_SENT     0x8u  /* inet: it shut down writing (a FIN, outside the sequence
                                    * numbers stored); restart shuts it down again */
#define CKPT_SK_FIN_RECEIVED 0x10u /* inet: its peer shut down writing; the peer's FIN_SENT
                                    * gives it back */
#define CKPT_SK_QUEUES       0x20u /* the queues are stored on this fd (first of its description) */
#define CKPT_SK_IN_ACCEPT_QUEUE 0x40u /* unix: connected to a listener of the tree that has not
                                       * accepted it yet; restart connects it again */
#define CKPT_SK_OPTIONS      0x80u /* a struct ckpt_sk_options follows the record (files written
                                    * before it have none: those options are a new socket's) */
#define CKPT_SK_NAME_GONE    0x100u /* unix: bound to a path that no longer leads to it (removed,
                                     * or another file is there); restart binds it and leaves
                                     * the path as it finds it */
#define CKPT_SK_FILE_ATTRS   0x1000u /* unix: a struct ckpt_unix_file follows the options: the
                                      * mode and owner of the socket file at its path */
#define CKPT_SK_SHARED_PORT  0x200u /* inet listener or bound datagram socket: bound with
                                     * SO_REUSEPORT, which it cleared since, to a port another
                                     * socket of the tree shares that way; restart binds it so */
#define CKPT_SK_SHUT_RD      0x400u /* inet datagram: shut down for reading */
#define CKPT_SK_SHUT_WR      0x800u /* inet datagram: shut down for writing */

/* Socket options kept (ckpt_sk_common.opts). */
#define CKPT_SKO_REUSEADDR 0x1u
#define CKPT_SKO_REUSEPORT 0x2u
#define CKPT_SKO_KEEPALIVE 0x4u
#define CKPT_SKO_BROADCAST 0x8u
#define CKPT_SKO_PASSCRED  0x10u
#define CKPT_SKO_NODELAY   0x20u  /* TCP_NODELAY */
#define CKPT_SKO_V6ONLY    0x40u  /* IPV6_V6ONLY */

/* What every socket record starts with. */
struct ckpt_sk_common {
	uint32_t type;            /* SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_SEQPACKET (5) */
	uint32_t state;           /* unix: CKPT_SKS_*; inet: the kernel's TCP state (UDP: 1 connected, 7 not) */
	uint32_t opts;            /* CKPT_SKO_* */
	int32_t peek_off;         /* SO_PEEK_OFF, -1 when not set */
	uint32_t sndbuf, rcvbuf;  /* SO_SNDBUF, SO_RCVBUF as getsockopt reports them */
	uint32_t backlog;         /* listening: listen()'s backlog */
	uint32_t nmsgs;           /* messages queued for it to read (struct ckpt_sk_msg each) */
	uint64_t rcvtimeo_us, sndtimeo_us; /* SO_RCVTIMEO, SO_SNDTIMEO; 0: none */
};

/* The longest socket filter saved: a longer one is not restored (dump warns). */
#define CKPT_SK_MAX_FILTER 256u

/* More options, right after the kind's record with CKPT_SK_OPTIONS.  A field that does not
 * apply to the socket's family or protocol is 0. */
struct ckpt_sk_options {
	uint32_t size;            /* of this block, a multiple of 4 from 48 to 4096; a reader skips
	                           * what follows the fields it knows (a later version's) */
	uint32_t flags;           /* CKPT_SKX_* */
	uint32_t linger;          /* SO_LINGER's l_linger (seconds), with CKPT_SKX_LINGER */
	uint32_t priority;        /* SO_PRIORITY */
	uint32_t rcvlowat;        /* SO_RCVLOWAT */
	uint32_t mark;            /* SO_MARK */
	uint32_t keepidle, keepintvl, keepcnt; /* TCP: TCP_KEEPIDLE (s), TCP_KEEPINTVL (s), TCP_KEEPCNT */
	uint32_t user_timeout;    /* TCP: TCP_USER_TIMEOUT (ms) */
	uint32_t tos;             /* inet: IP_TOS, or IPV6_TCLASS */
	uint32_t ttl;             /* inet: IP_TTL, or IPV6_UNICAST_HOPS, as getsockopt gives them */
	/* Blocks of 48 bytes (older engines) end here: what follows reads as 0. */
	uint32_t buf_lock;        /* SO_BUF_LOCK: SOCK_SNDBUF_LOCK (1) | SOCK_RCVBUF_LOCK (2) */
	char bound_dev[16];       /* SO_BINDTODEVICE: the interface's name, NUL-padded; "": none */
	uint32_t filter_len;      /* SO_ATTACH_FILTER: instructions of the classic BPF filter; 0: none */
	/* The filter's instructions, as SO_GET_FILTER gives them: the block ends after the
	 * filter_len-th (size is offsetof(filter) + 8 * filter_len), so this stays the last field. */
	struct ckpt_sk_filter_insn {
		uint16_t code;
		uint8_t jt, jf;
		uint32_t k;
	} filter[CKPT_SK_MAX_FILTER];
};
#define CKPT_SK_OPTIONS_MIN_SIZE 48u
#define CKPT_SKX_LINGER    0x1u  /* SO_LINGER on */
#define CKPT_SKX_OOBINLINE 0x2u  /* SO_OOBINLINE */
#define CKPT_SKX_CORK      0x4u  /* TCP_CORK */
#define CKPT_SKX_PASSSEC   0x8u  /* SO_PASSSEC */
#define CKPT_SKX_DONTROUTE 0x10u /* SO_DONTROUTE */
#define CKPT_SKX_NO_CHECK  0x20u /* SO_NO_CHECK */
#define CKPT_SKX_FREEBIND  0x40u /* inet: IP_FREEBIND (IPV6_FREEBIND) */
#define CKPT_SKX_TRANSPARENT 0x80u /* inet: IP_TRANSPARENT (IPV6_TRANSPARENT) */
#define CKPT_SKX_NONLOCAL  0x100u /* inet: bound to an address the saving machine did not have
                                   * (with IP_FREEBIND since cleared): restart binds it so again */
#define CKPT_SKX_PKTINFO   0x200u /* inet: IP_PKTINFO, or IPV6_RECVPKTINFO */
#define CKPT_SKX_LOCK_FILTER 0x400u /* SO_LOCK_FILTER, with a filter */

/* The socket file of a unix socket bound to a path (CKPT_SK_FILE_ATTRS). */
struct ckpt_unix_file {
	uint32_t mode;            /* its permission bits (07777 at most) */
	uint32_t uid, gid;        /* its owner and group */
	uint32_t reserved;        /* 0 */
};

/* Unix socket states. */
enum { CKPT_SKS_UNCONNECTED = 0, CKPT_SKS_LISTENING = 1, CKPT_SKS_CONNECTED = 2 };

struct ckpt_fd_unix {
	struct ckpt_sk_common sk;
	uint64_t ino;             /* the socket's inode */
	uint64_t peer_ino;        /* its peer's; 0 when it has none or its peer is closed */
	uint32_t shutdown;        /* 1: no more receiving, 2: no more sending (as the kernel keeps it) */
	uint32_t name_len;        /* its address's sun_path, after the record; an abstract name
	                           * starts with a NUL; 0: unnamed */
	uint32_t peer_name_len;   /* its peer's address, after its own */
	uint32_t pending;         /* listening: connections not accepted yet; those from sockets of
	                           * the tree are made again, the others are dropped */
};

/* An IPv4 or IPv6 address and port: IPv4 in the first 4 bytes of addr. */
struct ckpt_sk_inaddr {
	uint8_t addr[16];
	uint16_t port;            /* host order */
	uint16_t family;          /* AF_INET (2) or AF_INET6 (10); 0: none */
};

struct ckpt_fd_inet {
	struct ckpt_sk_common sk;
	uint32_t family;          /* AF_INET or AF_INET6 */
	uint32_t protocol;        /* IPPROTO_TCP (6), IPPROTO_UDP (17), IPPROTO_UDPLITE (136), or a
	                           * ping socket's IPPROTO_ICMP (1, IPv4) or IPPROTO_ICMPV6 (58, IPv6) */
	struct ckpt_sk_inaddr local, peer;
	/* TCP, with CKPT_SK_REPAIR: the queues follow the record, the send queue first. */
	uint32_t send_seq;        /* the first byte of the send queue (not acknowledged yet) */
	uint32_t recv_seq;        /* the first byte of the receive queue (not read yet) */
	uint32_t send_len;        /* bytes in the send queue ... */
	uint32_t unsent_len;      /* ... of which the last unsent_len were never sent */
	uint32_t recv_len;        /* bytes in the receive queue */
	uint32_t mss;             /* TCP_MAXSEG */
	uint32_t tcpi_options;    /* TCPI_OPT_* negotiated: timestamps, SACK, window scaling */
	uint8_t snd_wscale, rcv_wscale;
	uint16_t reserved;
	uint32_t timestamp;       /* TCP_TIMESTAMP */
	uint32_t snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup; /* TCP_REPAIR_WINDOW */
};

/* A raw IP socket (CKPT_FD_RAW): kind_flags holds CKPT_SK_OPTIONS, the blob is this record and
 * the options block.  What it had queued is not saved (copies of the machine's traffic). */
struct ckpt_fd_raw {
	struct ckpt_sk_common sk; /* type SOCK_RAW (3); state 1 connected, 7 not; nmsgs, backlog 0 */
	uint32_t family;          /* AF_INET or AF_INET6 */
	uint32_t protocol;        /* the protocol it was made with, 0 to 262 (the kernel's IPPROTO_MAX - 1) */
	uint8_t local[16];        /* the address it is bound to (IPv4 in the first 4 bytes); 0: any */
	uint8_t peer[16];         /* connected (state 1): the address it is connected to */
	uint32_t raw_flags;       /* CKPT_RAW_* */
	uint32_t icmp_filter;     /* IPv4 ICMP: ICMP_FILTER's mask (types not passed) */
	uint32_t icmp6_filter[8]; /* ICMPv6: ICMPV6_FILTER's bits (types blocked) */
};
#define CKPT_RAW_HDRINCL 0x1u     /* IPv4: IP_HDRINCL (IPPROTO_RAW has it always) */

/* A netlink socket (CKPT_FD_NETLINK): kind_flags holds CKPT_SK_OPTIONS, the blob is this record
 * and the options block.  What it had queued is not saved (the kernel's answers and events). */
struct ckpt_fd_netlink {
	struct ckpt_sk_common sk; /* type SOCK_RAW (3) or SOCK_DGRAM (2); state 1 connected, 7 not;
	                           * nmsgs, backlog 0 */
	uint32_t protocol;        /* NETLINK_ROUTE (0) ... below 32 */
	uint32_t portid;          /* the port id it is bound to; 0: not bound */
	uint32_t groups[4];       /* the multicast groups it is in, group n at bit n-1 (1 to 128) */
	uint32_t dst_portid;      /* connected (state 1): the port id it sends to */
	uint32_t dst_group;       /* connected: the group it sends to (1 to 32), 0: none */
	uint32_t nl_flags;        /* CKPT_NL_* */
	uint32_t reserved;        /* 0 */
};
#define CKPT_NL_PKTINFO         0x1u  /* NETLINK_PKTINFO */
#define CKPT_NL_BROADCAST_ERROR 0x2u  /* NETLINK_BROADCAST_ERROR */
#define CKPT_NL_NO_ENOBUFS      0x4u  /* NETLINK_NO_ENOBUFS */
#define CKPT_NL_LISTEN_ALL_NSID 0x8u  /* NETLINK_LISTEN_ALL_NSID */
#define CKPT_NL_CAP_ACK         0x10u /* NETLINK_CAP_ACK */
#define CKPT_NL_EXT_ACK         0x20u /* NETLINK_EXT_ACK */
#define CKPT_NL_GET_STRICT_CHK  0x40u /* NETLINK_GET_STRICT_CHK */

/* One queued message: this header, the sender's address (name_len bytes: a sun_path for unix
 * sockets, a struct ckpt_sk_inaddr for UDP), nfds description ids (uint32 each: the fds in
 * flight with it, as the tree holds them), then its len bytes. */
struct ckpt_sk_msg {
	uint32_t len;
	uint32_t name_len;
	uint32_t nfds;
	uint32_t reserved;
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

/* A zombie (a child that exited and was not reaped) has a tree record but no image: its
 * image_offset and image_size are 0 and exit_code is its wait status. */
#define CKPT_TREE_ZOMBIE 0x1u
#define CKPT_TREE_STOPPED 0x2u /* in a job-control stop (SIGSTOP, SIGTSTP...): it stops again */

struct ckpt_rec_tree {
	uint32_t pid, ppid, pgid, sid;
	uint64_t image_offset;  /* from the start of the statefile; 0 for the root */
	uint64_t image_size;
	uint32_t flags;
	uint32_t exit_code;
};

/* A timer of the process (CKPT_NT_TIMERS): a POSIX timer, or an armed itimer. */
enum {
	CKPT_TIMER_POSIX = 1,
	CKPT_TIMER_REAL = 2,     /* ITIMER_REAL, which alarm() uses too */
	CKPT_TIMER_VIRTUAL = 3,  /* ITIMER_VIRTUAL */
	CKPT_TIMER_PROF = 4,     /* ITIMER_PROF */
};

struct ckpt_rec_timer {
	uint32_t kind;           /* CKPT_TIMER_* */
	uint32_t id;             /* POSIX: the id timer_create gave it */
	int32_t clockid;         /* POSIX: its clock; CPU clocks of a process or thread are negative */
	uint32_t notify;         /* POSIX: SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD_ID */
	uint32_t signo;          /* POSIX: the signal it sends */
	uint32_t notify_tid;     /* POSIX, SIGEV_THREAD_ID: the thread it signals */
	uint64_t sigval;         /* POSIX: sigev_value */
	uint64_t value_ns;       /* time left until the next expiration; 0: disarmed */
	uint64_t interval_ns;    /* the period; 0: it fires once */
	uint32_t overrun;        /* POSIX: timer_getoverrun when saved */
	uint32_t reserved;
};

/* A file lock the process holds (CKPT_NT_LOCKS), through one of its fds. */
enum {
	CKPT_LOCK_FLOCK = 1,     /* flock(2): belongs to the open file description */
	CKPT_LOCK_POSIX = 2,     /* fcntl F_SETLK: belongs to the process */
	CKPT_LOCK_OFD = 3,       /* fcntl F_OFD_SETLK: belongs to the open file description */
	CKPT_LOCK_LEASE = 4,     /* fcntl F_SETLEASE: belongs to the open file description, whole file */
};
#define CKPT_LOCK_READ 1u
#define CKPT_LOCK_WRITE 2u
#define CKPT_LOCK_EOF UINT64_MAX /* `end` of a lock that reaches to the end of the file */
#define CKPT_LOCK_BREAKING 0x1u  /* flags: a write lease being broken to the read lease `type` says */

struct ckpt_rec_lock {
	uint32_t fd;
	uint32_t kind;           /* CKPT_LOCK_FLOCK, POSIX, OFD, LEASE */
	uint32_t type;           /* CKPT_LOCK_READ or CKPT_LOCK_WRITE */
	uint32_t flags;          /* CKPT_LOCK_BREAKING */
	uint64_t start, end;     /* bytes start..end, both included; end CKPT_LOCK_EOF: to the end */
};

/* A SysV IPC object of the tree (CKPT_NT_SYSVIPC). */
enum {
	CKPT_IPC_SHM = 1,
	CKPT_IPC_SEM = 2,
	CKPT_IPC_MSG = 3,
};
#define CKPT_IPC_MAPPED 0x1u     /* shm: its bytes are in the tree's mappings of it, not in the blob */
#define CKPT_SHM_DEST 01000u     /* shm mode: removed, lives on while attached */
#define CKPT_SHM_LOCKED 02000u   /* shm mode: SHM_LOCK */

struct ckpt_rec_ipc {
	uint32_t kind;           /* CKPT_IPC_* */
	int32_t id;              /* shmid, semid or msqid */
	int32_t key;             /* 0: IPC_PRIVATE */
	uint32_t mode;           /* permissions; shm also CKPT_SHM_DEST, CKPT_SHM_LOCKED */
	uint32_t uid, gid, cuid, cgid;
	uint64_t size;           /* shm: bytes; sem: semaphores; msg: the queue's limit in bytes */
	uint32_t data_off;       /* blob: shm: the bytes (unless MAPPED); sem: a u16 value each; */
	uint32_t data_len;       /*   msg: the messages, each u64 type, u64 length, bytes padded to 8 */
	uint32_t nmsgs;          /* msg: messages in the blob */
	uint32_t flags;          /* CKPT_IPC_MAPPED */
};

/* A thread's seccomp state (CKPT_NT_SECCOMP), for threads with a mode or no_new_privs. */
#define CKPT_SECCOMP_NO_NEW_PRIVS 0x1u

struct ckpt_rec_seccomp {
	uint32_t tid;
	uint32_t mode;           /* SECCOMP_MODE_DISABLED 0, STRICT 1, FILTER 2 */
	uint32_t flags;          /* CKPT_SECCOMP_NO_NEW_PRIVS */
	uint32_t nfilters;
	uint32_t data_off;       /* blob: the filters, first installed first; each u32 flags */
	uint32_t data_len;       /*   (SECCOMP_FILTER_FLAG_LOG), u32 count, count sock_filters */
};

/* What made a statefile (the annotation's origin). */
enum {
	CKPT_ANN_MANUAL = 0,     /* someone asked for it: ckpt dump, ckpt save, Save Snapshot */
	CKPT_ANN_BREAKPOINT = 1, /* saved on its own when the program stopped at a breakpoint */
	CKPT_ANN_STEP = 2,       /* saved on its own when a step ended */
	CKPT_ANN_SNAPPOINT = 3,  /* a snappoint was hit */
	CKPT_ANN_AUTOMATIC = 4,  /* saved on its own for another reason */
};

/*
 * What made the statefile and what its user says about it, for timelines.  The label and the
 * note each sit in a region of fixed size in the data area (label_room and note_room bytes,
 * NUL included, zero padded), so that they can be rewritten in place later without moving
 * anything else; the record itself never changes.
 */
struct ckpt_rec_annotation {
	uint32_t origin;      /* CKPT_ANN_* */
	uint32_t sequence;    /* number of this save in its session, from 1; 0 when unknown */
	uint64_t session;     /* id of the session that saved it; 0 when unknown */
	uint32_t label;       /* str at the start of its region: one line */
	uint32_t label_room;
	uint32_t note;        /* str at the start of its region: free text */
	uint32_t note_room;
	uint32_t parent;      /* str: file name of the statefile this one follows in its session's
	                       * timeline (same directory), or CKPT_NO_STR */
	uint32_t reserved;
};
#define CKPT_ANN_LABEL_ROOM 256u   /* what the writer reserves: labels up to 255 bytes */
#define CKPT_ANN_NOTE_ROOM 3584u   /* notes up to 3583 bytes */
#define CKPT_ANN_PARENT_MAX 255u   /* a file name (NAME_MAX) */

#endif
