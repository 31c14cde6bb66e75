/*
 * Netlink sockets (fdkind.h): made again with their protocol, bound to their port id and
 * multicast groups, connected to their destination, with their NETLINK_* options and the options
 * of every socket (sk_common.h).  What a netlink socket had queued (the kernel's answers,
 * events) is not saved.
 */
#include "fdkind.h"
#include "json.h"
#include "portability.h"
#include "sk_common.h"
#include "util.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NL_MAX_PROTOCOL 31 /* the kernel's MAX_LINKS - 1 */
#define NL_GROUPS 128u     /* groups kept: 4 words */
enum { NL_CONNECTED = 1, NL_UNCONNECTED = 7 }; /* as the kernel's TCP states for UDP */

#define NL_FLAGS                                                                                             \
	(CKPT_NL_PKTINFO | CKPT_NL_BROADCAST_ERROR | CKPT_NL_NO_ENOBUFS | CKPT_NL_LISTEN_ALL_NSID | CKPT_NL_CAP_ACK | \
	 CKPT_NL_EXT_ACK | CKPT_NL_GET_STRICT_CHK)

static const struct {
	uint32_t flag;
	int name;
} nl_options[] = {
	{CKPT_NL_PKTINFO, NETLINK_PKTINFO},		{CKPT_NL_BROADCAST_ERROR, NETLINK_BROADCAST_ERROR},
	{CKPT_NL_NO_ENOBUFS, NETLINK_NO_ENOBUFS},	{CKPT_NL_LISTEN_ALL_NSID, NETLINK_LISTEN_ALL_NSID},
	{CKPT_NL_CAP_ACK, NETLINK_CAP_ACK},		{CKPT_NL_EXT_ACK, NETLINK_EXT_ACK},
	{CKPT_NL_GET_STRICT_CHK, NETLINK_GET_STRICT_CHK},
};

struct nl_view {
	struct ckpt_fd_netlink r;
	struct ckpt_sk_options opts;
	struct sk_cursor rest; /* what follows: nothing */
};

static int view_of(const struct fd_image *f, struct nl_view *v)
{
	return sk_take_record_and_options(f, &v->r, sizeof(v->r), &v->opts, &v->rest);
}

/* ---- capture ---- */

static int netlink_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	(void)fdinfo;
	int fd = take_fd(pid, (int)f->rec.fd);
	if (fd < 0)
		return ckpt_fail_errno("cannot reach netlink socket fd %u of pid %d", f->rec.fd, pid);
	struct ckpt_fd_netlink r = {0};
	int protocol = -1, v;
	int rc = sk_common_capture(fd, &r.sk);
	sk_get_int(fd, SOL_SOCKET, SO_PROTOCOL, &protocol);
	if (rc < 0 || (r.sk.type != SOCK_RAW && r.sk.type != SOCK_DGRAM) || protocol < 0 || protocol > NL_MAX_PROTOCOL) {
		close(fd);
		f->rec.kind = CKPT_FD_SOCKET; /* not one we rebuild */
		return rc;
	}
	r.protocol = (uint32_t)protocol;
	r.sk.peek_off = -1;
	struct sockaddr_nl a = {0};
	socklen_t l = sizeof(a);
	if (getsockname(fd, (struct sockaddr *)&a, &l) == 0)
		r.portid = a.nl_pid;
	/* All groups; getsockname has the first 32 only. */
	l = sizeof(r.groups);
	if (getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, r.groups, &l) < 0)
		r.groups[0] = a.nl_groups;
	memset(&a, 0, sizeof(a));
	l = sizeof(a);
	if (getpeername(fd, (struct sockaddr *)&a, &l) == 0 && (a.nl_pid || a.nl_groups)) {
		r.sk.state = NL_CONNECTED;
		r.dst_portid = a.nl_pid;
		/* The kernel keeps one group, the lowest of those it was connected to, and gives it as a mask. */
		r.dst_group = (uint32_t)ffs((int)a.nl_groups);
	} else {
		r.sk.state = NL_UNCONNECTED;
	}
	for (size_t i = 0; i < ARRAY_LEN(nl_options); i++)
		if (sk_get_int(fd, SOL_NETLINK, nl_options[i].name, &v) == 0 && v)
			r.nl_flags |= nl_options[i].flag;
	sk_store_with_options(f, fd, &r, sizeof(r));
	return 0;
}

/* ---- reading a statefile ---- */

static int netlink_check_saved(const struct fd_image *f)
{
	struct nl_view v;
	if (view_of(f, &v) < 0)
		return ckpt_fail("netlink socket fd %u has a state of %u bytes, too short for its record and options",
				 f->rec.fd, f->rec.data_len);
	const struct ckpt_fd_netlink *r = &v.r;
	if ((r->sk.type != SOCK_RAW && r->sk.type != SOCK_DGRAM) || r->protocol > NL_MAX_PROTOCOL)
		return ckpt_fail("netlink socket fd %u has type %u and protocol %u, which no netlink socket has", f->rec.fd,
				 r->sk.type, r->protocol);
	if (f->rec.kind_flags & ~CKPT_SK_OPTIONS)
		return ckpt_fail("netlink socket fd %u has unknown flags 0x%x", f->rec.fd, f->rec.kind_flags);
	if ((r->sk.state != NL_CONNECTED && r->sk.state != NL_UNCONNECTED) ||
	    (r->sk.state == NL_UNCONNECTED && (r->dst_portid || r->dst_group)) ||
	    (r->sk.state == NL_CONNECTED && !r->dst_portid && !r->dst_group) || r->dst_group > 32)
		return ckpt_fail("netlink socket fd %u has a state %u or destination a netlink socket cannot have",
				 f->rec.fd, r->sk.state);
	if ((r->nl_flags & ~NL_FLAGS) || r->reserved || (r->sk.opts & CKPT_SKO_V6ONLY))
		return ckpt_fail("netlink socket fd %u has unknown options 0x%x", f->rec.fd, r->nl_flags);
	if (r->sk.nmsgs || r->sk.backlog)
		return ckpt_fail("netlink socket fd %u has queued messages or a backlog, which ckpt does not save",
				 f->rec.fd);
	if (sk_check_common(&r->sk, &v.rest, 0, f->rec.fd, "netlink") < 0 ||
	    sk_check_options(&v.opts, false, false, f->rec.fd, "netlink") < 0)
		return -1;
	if (v.rest.at != v.rest.len)
		return ckpt_fail("netlink socket fd %u has %zu bytes after its options", f->rec.fd, v.rest.len - v.rest.at);
	return 0;
}

/* ---- restart ---- */

static int netlink_open(const struct process_image *p, const struct fd_image *f)
{
	struct nl_view v;
	view_of(f, &v); /* check_saved passed */
	const struct ckpt_fd_netlink *r = &v.r;
	char what[96];
	snprintf(what, sizeof(what), "netlink socket (protocol %u) fd %u of pid %u", r->protocol, f->rec.fd, p->rec.pid);
	int fd = socket(AF_NETLINK, (int)r->sk.type | SOCK_CLOEXEC, (int)r->protocol);
	if (fd < 0)
		return ckpt_fail_errno("cannot make %s again", what);
	int one = 1;
	for (size_t i = 0; i < ARRAY_LEN(nl_options); i++)
		if ((r->nl_flags & nl_options[i].flag) && setsockopt(fd, SOL_NETLINK, nl_options[i].name, &one, sizeof(one)) < 0)
			ckpt_warn("%s: a NETLINK_* option (%d) is not set again (%s)", what, nl_options[i].name, strerror(errno));
	if (sk_common_restore(fd, &r->sk, &v.opts, true, what) < 0) {
		close(fd);
		return -1;
	}
	/* The port id first, with the first 32 groups; the others by joining them. */
	struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_pid = r->portid, .nl_groups = r->groups[0]};
	if ((r->portid || r->groups[0]) && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return ckpt_fail_errno("cannot bind %s to port id %u again%s", what, r->portid,
				       e == EADDRINUSE ? " (another socket has it)" : "");
	}
	for (uint32_t g = 33; g <= NL_GROUPS; g++)
		if ((r->groups[(g - 1) / 32] >> ((g - 1) % 32)) & 1) {
			int group = (int)g;
			if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
				close(fd);
				return ckpt_fail_errno("cannot join %s to multicast group %u again", what, g);
			}
		}
	if (r->sk.state == NL_CONNECTED) {
		struct sockaddr_nl d = {.nl_family = AF_NETLINK, .nl_pid = r->dst_portid,
					.nl_groups = r->dst_group ? 1u << (r->dst_group - 1) : 0};
		if (connect(fd, (struct sockaddr *)&d, sizeof(d)) < 0) {
			close(fd);
			return ckpt_fail_errno("cannot connect %s to port id %u again", what, r->dst_portid);
		}
	}
	sk_set_status_flags(fd, f->rec.open_flags);
	return fd;
}

/* ---- ckpt info ---- */

static void netlink_describe(const struct fd_image *f, struct buf *text, struct json *j)
{
	struct nl_view v;
	if (view_of(f, &v) < 0)
		return;
	const struct ckpt_fd_netlink *r = &v.r;
	unsigned ngroups = 0;
	for (uint32_t g = 0; g < NL_GROUPS; g++)
		ngroups += (r->groups[g / 32] >> (g % 32)) & 1;
	if (j) {
		json_object_begin(j, "socket");
		json_str(j, "family", "netlink");
		json_str(j, "type", r->sk.type == SOCK_RAW ? "raw" : "dgram");
		json_u64(j, "protocol", r->protocol);
		json_u64(j, "portid", r->portid);
		json_u64(j, "groups", ngroups);
		if (r->sk.state == NL_CONNECTED) {
			json_u64(j, "dst_portid", r->dst_portid);
			json_u64(j, "dst_group", r->dst_group);
		}
		json_object_end(j);
		return;
	}
	buf_printf(text, " netlink protocol %u", r->protocol);
	if (r->portid)
		buf_printf(text, " port id %u", r->portid);
	if (ngroups)
		buf_printf(text, ", in %u multicast group%s", ngroups, ngroups == 1 ? "" : "s");
	if (r->sk.state == NL_CONNECTED)
		buf_printf(text, ", connected to port id %u", r->dst_portid);
	if (r->dst_group)
		buf_printf(text, " group %u", r->dst_group);
}

static void netlink_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	netlink_describe(f, out, NULL);
}

static void netlink_describe_json(const struct fd_image *f, struct json *j)
{
	netlink_describe(f, NULL, j);
}

const struct fd_kind netlink_fd_kind = {
	.kind = CKPT_FD_NETLINK,
	.name = "netlink",
	.capture = netlink_capture,
	.check_saved = netlink_check_saved,
	.open = netlink_open,
	.sock_protos = "NETLINK",
	.describe_text = netlink_describe_text,
	.describe_json = netlink_describe_json,
};
