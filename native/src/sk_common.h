/*
 * What the socket kinds share (sk_unix.c, sk_inet.c, sk_raw.c, sk_netlink.c): the options every socket keeps, the
 * messages queued in a socket read without consuming them and written again, the layout of a
 * socket's blob (a record, then names, queues and messages), and a socket that reports a reset.
 */
#ifndef CKPT_SK_COMMON_H
#define CKPT_SK_COMMON_H

#include "image.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>

struct files_restore;

/* At most this many bytes queued in one socket are saved; more is refused. */
#define SK_MAX_QUEUED (16u << 20)
/* At most this many messages queued in one socket, and fds in flight with one message. */
#define SK_MAX_MSGS 65536u
#define SK_MAX_FDS_PER_MSG 253u

/* The first fd of each open file description of a kind, in the image's order: the fd whose
 * record restart opens (and on which capture stores the description's queues). */
struct sk_entry {
	const struct process_image *p;
	const struct fd_image *f;
};
struct sk_entry *sk_descriptions(const struct statefile_image *img, uint32_t kind, size_t *n);

/* ---- capture ---- */

/* Type, SO_PEEK_OFF, buffers, timeouts and the CKPT_SKO_* options of a socket. */
int sk_common_capture(int fd, struct ckpt_sk_common *c);

/* The options of struct ckpt_sk_options, each as the socket's family and protocol have it. */
void sk_options_capture(int fd, struct ckpt_sk_options *o);

/* getsockopt of one int. */
int sk_get_int(int fd, int level, int name, int *v);

/* The end of a socket kind's capture whose blob is its record and the options block: captures
 * the options, closes fd (ckpt's copy) and makes f's blob. */
void sk_store_with_options(struct fd_image *f, int fd, const void *rec, size_t len);

/* One message read from a queue without consuming it; fds are the fds in flight with it,
 * received into ckpt (close-on-exec), which the caller closes. */
struct sk_peeked {
	uint8_t *data;
	size_t len;
	uint8_t name[128];   /* the sender's address as recvmsg gives it (sockaddr bytes) */
	size_t name_len;
	int fds[SK_MAX_FDS_PER_MSG];
	size_t nfds;
};
/* Calls each(m, arg) for every message queued for fd to read, oldest first, without taking
 * it off the queue; for a stream socket a message is a run of bytes up to one that carries
 * fds.  SO_PEEK_OFF is the socket's own again afterwards.  Returns 0, or -1 when it cannot
 * (each's own -1, or a queue the kernel does not let us read). */
int sk_peek_queue(int fd, int (*each)(const struct sk_peeked *m, void *arg), void *arg, const char *what);

/* Appends the options block to a blob when kind_flags has CKPT_SK_OPTIONS. */
void sk_put_options(struct buf *b, uint32_t kind_flags, const struct ckpt_sk_options *o);

/* Appends a queued message to a blob: its header, the sender's name, the description ids of
 * its fds, its bytes. */
void sk_put_msg(struct buf *b, const void *name, uint32_t name_len, const uint32_t *descs, uint32_t nfds,
		const void *data, uint32_t len);

/* ---- reading a blob (untrusted until check_saved has passed) ---- */

struct sk_cursor {
	const uint8_t *p;
	size_t len, at;
};
/* The next n bytes, or NULL when fewer are left. */
const uint8_t *sk_take(struct sk_cursor *c, size_t n);
/* The options block after a record when kind_flags has CKPT_SK_OPTIONS (else o is all zero,
 * size included).  Returns -1 when the blob ends inside it or its size is not one it can have. */
int sk_take_options(struct sk_cursor *c, uint32_t kind_flags, struct ckpt_sk_options *o);
/* The blob of a kind that is its record then the options block (sk_store_with_options):
 * the record into rec (len bytes), the options, and the cursor after them. */
int sk_take_record_and_options(const struct fd_image *f, void *rec, size_t len, struct ckpt_sk_options *o,
			       struct sk_cursor *rest);
/* Checks the options block: known flags, values the kernel keeps, and 0 in the fields that do
 * not apply (inet: an IPv4 or IPv6 socket; tcp: a TCP one).  Returns 0 or fails with a line
 * about fd fdnum. */
int sk_check_options(const struct ckpt_sk_options *o, bool inet, bool tcp, uint32_t fdnum, const char *kind);
/* The next queued message: its header (copied into m), name, description ids and bytes.
 * Returns 0, or -1 when the blob ends inside it or it breaks the limits above. */
struct sk_msg_view {
	struct ckpt_sk_msg hdr;
	const uint8_t *name, *descs, *data;
};
int sk_next_msg(struct sk_cursor *c, struct sk_msg_view *m);
/* Checks the common part of a record and its messages from c on: counts, lengths and limits;
 * names of messages at most max_name bytes.  Returns 0 or fails with a line about fd fdnum. */
int sk_check_common(const struct ckpt_sk_common *sk, struct sk_cursor *c, size_t max_name, uint32_t fdnum,
		    const char *kind);

/* ---- restart ---- */

/* Sets the options of the common part and of the options block (o->size 0: none) again;
 * the queues are refilled by the kinds.  An option the restarting user may not set (SO_MARK,
 * a high SO_PRIORITY) is left as it is, with a warning naming `what`. */
int sk_common_restore(int fd, const struct ckpt_sk_common *c, const struct ckpt_sk_options *o, bool buffers,
		      const char *what);
/* Binding an address the saving machine may not have, as the program did: before the bind (and
 * a probe of it) IP_FREEBIND goes on when the socket had it or was bound with it since cleared,
 * after the bind it is off again in the latter case. */
void sk_bind_nonlocal(int fd, const struct ckpt_sk_options *o, bool before);
/* An interface name as the kernel accepts one, NUL-padded to size ("" when may_be_empty). */
bool sk_valid_ifname(const char *name, size_t size, bool may_be_empty);
/* SO_PEEK_OFF, once the queue is refilled. */
void sk_restore_peek_off(int fd, const struct ckpt_sk_common *c);
/* O_NONBLOCK and O_ASYNC as the saved open flags have them. */
void sk_set_status_flags(int fd, uint32_t open_flags);
/* Puts fd (ours, any number) in place of the object ckpt made for description desc. */
int sk_replace(const struct files_restore *fr, uint32_t desc, int fd);

#endif
