/*
 * The kinds of fd whose kernel object ckpt rebuilds itself (event counters, timers, signal
 * queues, epoll sets, sockets...), beyond the files, pipes and devices that files.c reopens.
 * Each kind lives in its own file with its capture half and its restore half, and files.c
 * calls it through this table (fd_kinds[] in files.c).
 */
#ifndef CKPT_FDKIND_H
#define CKPT_FDKIND_H

#include "image.h"

struct buf;
struct files_restore;
struct json;
struct portability_report;

struct fd_kind {
	uint32_t kind;          /* CKPT_FD_* */
	const char *name;       /* as ckpt info shows it */
	const char *link;       /* what readlink of its fds says, e.g. "anon_inode:[eventfd]" */
	/* Capture: fills f->rec.extra, kind_flags and f->data from the fd's fdinfo text, or from
	 * the fd itself (take_fd). */
	int (*capture)(pid_t pid, struct fd_image *f, const char *fdinfo);
	/* Reading a statefile (untrusted): the kind's state is one it can rebuild. */
	int (*check_saved)(const struct fd_image *f);
	/* Restart, in ckpt before the skeleton is forked: a new object for this open file
	 * description, once per description; every fd of the tree that shares it inherits it. */
	int (*open)(const struct process_image *p, const struct fd_image *f);
	/* Restart (may be NULL): another open file description of an object that open() made for
	 * an earlier fd of the tree with the same inode (a second open of one memfd), from `made`. */
	int (*open_again)(const struct process_image *p, const struct fd_image *f, int made);
	/* Restart, in a skeleton process once its whole fd table is in place (may be NULL):
	 * what needs the other fds at their numbers, such as an epoll set's interest list. */
	int (*finish_inside)(const struct process_image *p, const struct fd_image *f);
	/* Capture, once the whole tree is captured and its open file descriptions numbered (may be
	 * NULL): what spans fds and processes, such as which process adds each epoll item or which
	 * sockets are each other's peers. */
	int (*capture_tree)(struct statefile_image *img);
	/* Reading a statefile, once every image is read (may be NULL): what the kind's records say
	 * about other fds and processes holds. */
	int (*check_tree)(const struct statefile_image *img);
	/* ckpt info (may be NULL): the kind's state in words, appended to the fd's line (further
	 * lines start with a newline and `indent`), and as members of the fd's JSON object. */
	void (*describe_text)(const struct fd_image *f, struct buf *out, const char *indent);
	void (*describe_json)(const struct fd_image *f, struct json *j);

	/* The optional parts below are for sockets. */
	/* Sockets of this kind: the names their protocols give (getxattr system.sockprotoname,
	 * e.g. "TCP"), separated by spaces; a name ending in '*' matches as a prefix. */
	const char *sock_protos;
	/* Capture, just before the tree is killed (ckpt dump --kill). */
	void (*before_kill)(const struct statefile_image *img);
	/* Restart, in ckpt once every open file description of the tree is open: what joins
	 * them, such as connecting sockets to each other and refilling their queues. */
	int (*restore_ready)(const struct statefile_image *img, const struct files_restore *fr);
	/* Restart failed before restore_ready was done: undo what open left outside the
	 * processes (files it made). */
	void (*restore_abandon)(const struct statefile_image *img);
	/* ckpt check, and restart before anything is made: what this machine must offer (a free
	 * port, say), as items of the report (portability.h). */
	void (*check_here)(const struct process_image *p, const struct fd_image *f, struct portability_report *r);
};

extern const struct fd_kind eventfd_fd_kind, signalfd_fd_kind, timerfd_fd_kind;
extern const struct fd_kind epoll_fd_kind, inotify_fd_kind;
extern const struct fd_kind unix_fd_kind, inet_fd_kind, raw_fd_kind, netlink_fd_kind;
extern const struct fd_kind ghost_fd_kind, memfd_fd_kind, ghost_node_fd_kind, symlink_fd_kind, pidfd_fd_kind;
extern const struct fd_kind pty_master_fd_kind, pty_slave_fd_kind;

/* The kind that handles fds of this CKPT_FD_* kind, or of this readlink text; NULL if none. */
const struct fd_kind *fd_kind_of(uint32_t kind);
const struct fd_kind *fd_kind_for_link(const char *link);
/* The kind of a socket whose protocol has this name (sock_protos); NULL if none. */
const struct fd_kind *fd_kind_for_socket(const char *proto);
/* "file", "pipe", "eventfd"...: the name of any CKPT_FD_* kind. */
const char *fd_kind_name(uint32_t kind);

#endif
