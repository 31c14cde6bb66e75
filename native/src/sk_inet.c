/*
 * TCP and UDP sockets, IPv4 and IPv6 (fdkind.h).  Listening and bound sockets are bound again
 * (and listen again) on their saved address and port; UDP sockets are connected again, with the
 * datagrams queued in them.  A TCP connection whose two ends are both in the tree is rebuilt
 * with TCP repair (which needs CAP_NET_ADMIN): capture reads both ends' sequence numbers, queues,
 * window and options; restart sets them on new sockets, which connect without sending a packet,
 * and leaves repair mode once both ends exist (restore_ready).  A connection to a peer outside
 * the tree is rebuilt the same way, one end only, when its address pair is free at restart;
 * when it is not, or without CAP_NET_ADMIN, it comes back as a socket that reports a reset.  Before a dump kills the tree, its connections are put in repair mode, so that the
 * dying sockets send nothing (no FIN, no RST) and leave no TIME_WAIT behind.
 */
#include "fdkind.h"
#include "files.h"
#include "json.h"
#include "portability.h"
#include "sk_common.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define INET_FLAGS                                                                                       \
	(CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET | CKPT_SK_REPAIR | CKPT_SK_FIN_SENT | CKPT_SK_FIN_RECEIVED | \
	 CKPT_SK_QUEUES | CKPT_SK_IN_ACCEPT_QUEUE | CKPT_SK_OPTIONS | CKPT_SK_SHARED_PORT | CKPT_SK_SHUT_RD |          \
	 CKPT_SK_SHUT_WR)

#ifndef TCP_REPAIR_OFF_NO_WP
#define TCP_REPAIR_OFF_NO_WP -1
#endif
/* sk_shutdown's bits, as sock_diag gives them (INET_DIAG_SHUTDOWN). */
#define RCV_SHUTDOWN_BIT  1
#define SEND_SHUTDOWN_BIT 2
#ifndef SIOCOUTQNSD
#define SIOCOUTQNSD 0x894B
#endif

/* ---- addresses ---- */

static void to_inaddr(const struct sockaddr_storage *ss, struct ckpt_sk_inaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		memcpy(a->addr, &s->sin_addr, 4);
		a->port = ntohs(s->sin_port);
		a->family = AF_INET;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		memcpy(a->addr, &s->sin6_addr, 16);
		a->port = ntohs(s->sin6_port);
		a->family = AF_INET6;
	}
}

static socklen_t to_sockaddr(const struct ckpt_sk_inaddr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (void *)ss;
		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, a->addr, 4);
		s->sin_port = htons(a->port);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (void *)ss;
	s->sin6_family = AF_INET6;
	memcpy(&s->sin6_addr, a->addr, 16);
	s->sin6_port = htons(a->port);
	return sizeof(*s);
}

/* The same endpoint, an IPv4 address also when an IPv6 socket sees it mapped (::ffff:a.b.c.d). */
static bool same_endpoint(const struct ckpt_sk_inaddr *x, const struct ckpt_sk_inaddr *y)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *xa = x->addr, *ya = y->addr;
	size_t xl = x->family == AF_INET ? 4 : 16, yl = y->family == AF_INET ? 4 : 16;
	if (xl == 16 && memcmp(xa, mapped, 12) == 0)
		xa += 12, xl = 4;
	if (yl == 16 && memcmp(ya, mapped, 12) == 0)
		ya += 12, yl = 4;
	return x->family && y->family && x->port == y->port && xl == yl && memcmp(xa, ya, xl) == 0;
}

static void addr_text(const struct ckpt_sk_inaddr *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family == AF_INET ? AF_INET : AF_INET6, a->addr, ip, sizeof(ip));
	snprintf(out, n, a->family == AF_INET ? "%s:%u" : "[%s]:%u", ip, a->port);
}

static const char *proto_name(const struct ckpt_fd_inet *r)
{
	switch (r->protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return "ping";
	default:
		return "udp";
	}
}

/* The datagram sockets rebuilt: UDP, UDP-Lite, and ping sockets (ICMP echo, unprivileged). */
static bool is_datagram_kind(uint32_t family, uint32_t type, uint32_t protocol)
{
	return type == SOCK_DGRAM && (protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE ||
				      (protocol == IPPROTO_ICMP && family == AF_INET) ||
				      (protocol == IPPROTO_ICMPV6 && family == AF_INET6));
}

static bool is_ping(uint32_t protocol)
{
	return protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6;
}

static const char *tcp_state_name(uint32_t s)
{
	static const char *const names[] = {"?", "established", "syn-sent", "syn-recv", "fin-wait1", "fin-wait2",
					    "time-wait", "closed", "close-wait", "last-ack", "listening", "closing"};
	return s < ARRAY_LEN(names) ? names[s] : "?";
}

/* ---- the blob ---- */

struct inet_view {
	struct ckpt_fd_inet r;
	struct ckpt_sk_options opts;    /* size 0: none saved */
	const uint8_t *send_q, *recv_q; /* TCP with CKPT_SK_REPAIR */
	struct sk_cursor msgs;          /* UDP: the queued datagrams */
};

static int view_of(const struct fd_image *f, struct inet_view *v)
{
	struct sk_cursor c = {f->data, f->rec.data_len, 0};
	const uint8_t *r = sk_take(&c, sizeof(v->r));
	if (!r)
		return -1;
	memcpy(&v->r, r, sizeof(v->r));
	uint32_t fl = f->rec.kind_flags;
	if (sk_take_options(&c, fl, &v->opts) < 0)
		return -1;
	/* The send queue with repair state; the receive queue also when the peer closed. */
	v->send_q = sk_take(&c, fl & CKPT_SK_REPAIR ? v->r.send_len : 0);
	v->recv_q = sk_take(&c, fl & (CKPT_SK_REPAIR | CKPT_SK_FIN_RECEIVED) ? v->r.recv_len : 0);
	v->msgs = c;
	return v->send_q && v->recv_q ? 0 : -1;
}

static void put_record(struct fd_image *f, const struct ckpt_fd_inet *r, const struct ckpt_sk_options *opts,
		       const void *sendq, const void *recvq, const struct buf *msgs)
{
	struct buf b = {0};
	buf_put(&b, r, sizeof(*r));
	sk_put_options(&b, f->rec.kind_flags, opts);
	if (f->rec.kind_flags & CKPT_SK_REPAIR)
		buf_put(&b, sendq, r->send_len);
	if (f->rec.kind_flags & (CKPT_SK_REPAIR | CKPT_SK_FIN_RECEIVED))
		buf_put(&b, recvq, r->recv_len);
	if (msgs)
		buf_put(&b, msgs->data, msgs->len);
	free(f->data);
	f->data = b.data;
	f->rec.data_len = (uint32_t)b.len;
}

/* ---- capture ---- */

static bool is_connected_state(uint32_t s)
{
	return s == TCP_ESTABLISHED || s == TCP_FIN_WAIT1 || s == TCP_FIN_WAIT2 || s == TCP_CLOSE_WAIT ||
	       s == TCP_SYN_SENT || s == TCP_SYN_RECV || s == TCP_LAST_ACK || s == TCP_CLOSING;
}

/* The connections that TCP repair rebuilds: data may still flow, at most one FIN was sent. */
static bool repairable_state(uint32_t s)
{
	return s == TCP_ESTABLISHED || s == TCP_FIN_WAIT1 || s == TCP_FIN_WAIT2 || s == TCP_CLOSE_WAIT;
}

/* A UDP or UDP-Lite socket's shutdown, as CKPT_SK_SHUT_*: sock_diag lists the sockets of its
 * protocol with their shutdown, and the one with the fd's inode is it.  Ping sockets have no
 * sock_diag: their shutdown is not kept. */
static uint32_t datagram_shutdown(int fd, uint32_t family, uint32_t protocol)
{
	struct stat st;
	if (is_ping(protocol) || fstat(fd, &st) < 0)
		return 0;
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return 0;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {.nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.req = {.sdiag_family = (uint8_t)family, .sdiag_protocol = (uint8_t)protocol, .idiag_states = ~0u},
	};
	uint32_t how = 0;
	bool done = send(nl, &msg, sizeof(msg), 0) != sizeof(msg);
	union {
		struct nlmsghdr h;
		uint8_t b[16384];
	} buf;
	while (!done) {
		ssize_t n = recv(nl, buf.b, sizeof(buf.b), 0);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t)n) && !done; h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
				done = true;
				break;
			}
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			if (m->idiag_inode != st.st_ino)
				continue;
			done = true;
			int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
			for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
				if (a->rta_type == INET_DIAG_SHUTDOWN && RTA_PAYLOAD(a) >= 1) {
					uint8_t v = *(const uint8_t *)RTA_DATA(a);
					how = (v & RCV_SHUTDOWN_BIT ? CKPT_SK_SHUT_RD : 0) | (v & SEND_SHUTDOWN_BIT ? CKPT_SK_SHUT_WR : 0);
				}
		}
	}
	close(nl);
	return how;
}

static int inet_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	int fd = take_fd(pid, (int)f->rec.fd);
	if (fd < 0)
		return ckpt_fail_errno("cannot reach socket fd %u of pid %d", f->rec.fd, pid);
	struct ckpt_fd_inet r = {0};
	int family = 0, protocol = 0, v;
	int rc = sk_common_capture(fd, &r.sk);
	sk_get_int(fd, SOL_SOCKET, SO_DOMAIN, &family);
	sk_get_int(fd, SOL_SOCKET, SO_PROTOCOL, &protocol);
	bool tcp = protocol == IPPROTO_TCP && r.sk.type == SOCK_STREAM;
	bool dgram = is_datagram_kind((uint32_t)family, r.sk.type, (uint32_t)protocol);
	if (rc < 0 || (family != AF_INET && family != AF_INET6) || !(tcp || dgram)) {
		/* Not one we rebuild (a raw socket, say): kept as a plain socket. */
		close(fd);
		f->rec.kind = CKPT_FD_SOCKET;
		return rc;
	}
	r.family = (uint32_t)family;
	r.protocol = (uint32_t)protocol;
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &l) == 0)
		to_inaddr(&ss, &r.local);
	l = sizeof(ss);
	bool has_peer = getpeername(fd, (struct sockaddr *)&ss, &l) == 0;
	if (has_peer)
		to_inaddr(&ss, &r.peer);
	if (family == AF_INET6 && sk_get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v) == 0 && v)
		r.sk.opts |= CKPT_SKO_V6ONLY;
	if (tcp) {
		struct tcp_info ti = {0};
		l = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
			rc = ckpt_fail_errno("cannot read the state of tcp socket fd %u of pid %d", f->rec.fd, pid);
		r.sk.state = ti.tcpi_state;
		if (ti.tcpi_state == TCP_LISTEN)
			r.sk.backlog = ti.tcpi_sacked; /* for a listener, the kernel's max backlog */
		if (sk_get_int(fd, IPPROTO_TCP, TCP_NODELAY, &v) == 0 && v)
			r.sk.opts |= CKPT_SKO_NODELAY;
	} else {
		r.sk.state = has_peer ? TCP_ESTABLISHED : TCP_CLOSE;
		f->rec.kind_flags |= datagram_shutdown(fd, r.family, r.protocol);
	}
	struct ckpt_sk_options opts;
	sk_options_capture(fd, &opts);
	f->rec.kind_flags |= CKPT_SK_OPTIONS;
	close(fd);
	put_record(f, &r, &opts, NULL, NULL, NULL);
	return rc;
}

static int set_repair(int fd, int on)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on));
}

static int select_queue(int fd, int q)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q));
}

static int queue_seq(int fd, int q, uint32_t *seq)
{
	socklen_t l = sizeof(*seq);
	return select_queue(fd, q) < 0 ? -1 : getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &l);
}

struct bytes {
	uint8_t *p;
	size_t n;
};

static int keep_bytes(const struct sk_peeked *m, void *arg)
{
	struct bytes *b = arg;
	b->p = xrealloc(b->p, b->n + m->len + 1);
	memcpy(b->p + b->n, m->data, m->len);
	b->n += m->len;
	return 0;
}

/* One end of a connection, as repair mode shows it. */
struct tcp_side {
	struct ckpt_fd_inet r;
	uint32_t flags;         /* CKPT_SK_FIN_* */
	struct bytes sendq, recvq;
};

/* Reads a connection's state in repair mode, and leaves repair mode again: the connection
 * goes on as before (no window probe is sent, and the reuse flag, which leaving repair mode
 * clears, is set back).  Returns 0, 1 when repair mode is not allowed (no CAP_NET_ADMIN), or
 * -1 with an error. */
static int read_side(int fd, const char *what, struct tcp_side *s)
{
	uint32_t state = s->r.sk.state;
	if (set_repair(fd, 1) < 0)
		return errno == EPERM ? 1 : ckpt_fail_errno("cannot put %s in repair mode", what);
	int rc = 0, inq = 0, outq = 0, unsent = 0;
	uint32_t rcv_nxt = 0, rcv_nxt2 = 1, write_seq = 0;
	struct tcp_info ti = {0};
	struct tcp_repair_window w = {0};
	socklen_t l;
	int mss = 0;
	uint32_t ts = 0;
	/* The receive queue: its end, its bytes, and its end again, to be sure nothing arrived. */
	for (int tries = 0; tries < 5 && rcv_nxt != rcv_nxt2; tries++) {
		free(s->recvq.p);
		s->recvq = (struct bytes){0};
		if (queue_seq(fd, TCP_RECV_QUEUE, &rcv_nxt) < 0 ||
		    sk_peek_queue(fd, keep_bytes, &s->recvq, what) < 0 || queue_seq(fd, TCP_RECV_QUEUE, &rcv_nxt2) < 0) {
			rc = ckpt_fail_errno("cannot read the receive queue of %s", what);
			break;
		}
	}
	if (rc == 0 && rcv_nxt != rcv_nxt2)
		rc = ckpt_fail("the receive queue of %s keeps changing", what);
	if (rc == 0 && (queue_seq(fd, TCP_SEND_QUEUE, &write_seq) < 0 || ioctl(fd, SIOCOUTQ, &outq) < 0 ||
			ioctl(fd, SIOCOUTQNSD, &unsent) < 0 || ioctl(fd, SIOCINQ, &inq) < 0))
		rc = ckpt_fail_errno("cannot read the send queue of %s", what);
	if (rc == 0 && outq > 0) {
		/* In repair mode a peek at the send queue copies it from its start. */
		s->sendq.p = xmalloc((size_t)outq + 1);
		ssize_t n = recv(fd, s->sendq.p, (size_t)outq + 1, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0)
			rc = ckpt_fail_errno("cannot read the send queue of %s", what);
		else
			s->sendq.n = (size_t)n;
	}
	l = sizeof(ti);
	if (rc == 0 && getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		rc = ckpt_fail_errno("cannot read the options of %s", what);
	l = sizeof(mss);
	if (rc == 0)
		getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &l);
	l = sizeof(ts);
	if (rc == 0 && (ti.tcpi_options & TCPI_OPT_TIMESTAMPS))
		getsockopt(fd, IPPROTO_TCP, TCP_TIMESTAMP, &ts, &l);
	l = sizeof(w);
	if (rc == 0 && getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &l) < 0)
		rc = ckpt_fail_errno("cannot read the window of %s", what);
	select_queue(fd, TCP_NO_QUEUE);
	set_repair(fd, TCP_REPAIR_OFF_NO_WP);
	int one = 1;
	if (s->r.sk.opts & CKPT_SKO_REUSEADDR)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rc < 0)
		return -1;
	/* A FIN takes a sequence number but no byte: the numbers stored leave it out, and restart
	 * sends it again (FIN_SENT) or gets it from the peer (FIN_RECEIVED). */
	bool fin_sent = state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2;
	bool fin_received = state == TCP_CLOSE_WAIT;
	s->flags = (fin_sent ? CKPT_SK_FIN_SENT : 0) | (fin_received ? CKPT_SK_FIN_RECEIVED : 0);
	if ((size_t)outq < s->sendq.n || (int)s->recvq.n != inq)
		return ckpt_fail("the queues of %s are not what the kernel says they hold", what);
	if (fin_sent && unsent > 0)
		unsent--; /* the FIN is behind the unsent bytes */
	uint32_t send_end = write_seq - (fin_sent ? 1 : 0), recv_end = rcv_nxt - (fin_received ? 1 : 0);
	s->r.send_len = (uint32_t)s->sendq.n;
	s->r.unsent_len = (uint32_t)unsent <= s->r.send_len ? (uint32_t)unsent : s->r.send_len;
	s->r.send_seq = send_end - s->r.send_len;
	s->r.recv_len = (uint32_t)s->recvq.n;
	s->r.recv_seq = recv_end - s->r.recv_len;
	s->r.mss = (uint32_t)mss;
	s->r.tcpi_options = ti.tcpi_options;
	s->r.snd_wscale = ti.tcpi_snd_wscale;
	s->r.rcv_wscale = ti.tcpi_rcv_wscale;
	s->r.timestamp = ts;
	s->r.snd_wl1 = w.snd_wl1;
	s->r.snd_wnd = w.snd_wnd;
	s->r.max_window = w.max_window;
	s->r.rcv_wnd = w.rcv_wnd;
	s->r.rcv_wup = w.rcv_wup;
	return 0;
}

static void free_side(struct tcp_side *s)
{
	free(s->sendq.p);
	free(s->recvq.p);
	s->sendq = s->recvq = (struct bytes){0};
}

/* Whether what b has received from a lies inside what a has sent and not seen acknowledged:
 * then the two ends were read at one moment of the connection. */
static bool in_step(const struct tcp_side *a, const struct tcp_side *b)
{
	uint32_t got = b->r.recv_seq + b->r.recv_len;
	return (int32_t)(got - a->r.send_seq) >= 0 && (int32_t)(a->r.send_seq + a->r.send_len - got) >= 0;
}

/* where: CKPT_SK_PEER_IN_TREE, or CKPT_SK_RESET for a peer outside the tree (a reset when
 * restart cannot rebuild it). */
static void store_side(struct fd_image *f, struct tcp_side *s, uint32_t where)
{
	struct inet_view v;
	view_of(f, &v);
	f->rec.kind_flags |= CKPT_SK_REPAIR | where | CKPT_SK_QUEUES | s->flags;
	put_record(f, &s->r, &v.opts, s->sendq.p, s->recvq.p, NULL);
}

/* Both ends of a connection inside the tree; the kernel may still move bytes between them
 * while the tree is frozen, so they are read again until they agree. */
static int capture_pair(const struct sk_entry *a, const struct sk_entry *b, bool *warned_no_repair)
{
	int fa = take_fd((pid_t)a->p->rec.pid, (int)a->f->rec.fd), fb = take_fd((pid_t)b->p->rec.pid, (int)b->f->rec.fd);
	char *wa = xasprintf("tcp socket fd %u of pid %u", a->f->rec.fd, a->p->rec.pid);
	char *wb = xasprintf("tcp socket fd %u of pid %u", b->f->rec.fd, b->p->rec.pid);
	struct tcp_side sa = {0}, sb = {0};
	int rc = fa < 0 || fb < 0 ? ckpt_fail_errno("cannot reach %s", fa < 0 ? wa : wb) : 0;
	for (int tries = 0; rc == 0; tries++) {
		struct inet_view va, vb;
		view_of(a->f, &va);
		view_of(b->f, &vb);
		sa.r = va.r;
		sb.r = vb.r;
		rc = read_side(fa, wa, &sa);
		if (rc == 0)
			rc = read_side(fb, wb, &sb);
		if (rc != 0 || (in_step(&sa, &sb) && in_step(&sb, &sa)))
			break;
		free_side(&sa);
		free_side(&sb);
		if (tries == 5)
			rc = ckpt_fail("the two ends of %s keep changing while the tree is frozen", wa);
	}
	if (rc == 1) {
		/* Without CAP_NET_ADMIN: saved as a connection that restart cannot rebuild. */
		if (!*warned_no_repair)
			ckpt_warn("tcp connections inside the tree need CAP_NET_ADMIN to be saved; %s and others "
				  "will report a reset after a restart", wa);
		*warned_no_repair = true;
		((struct fd_image *)a->f)->rec.kind_flags |= CKPT_SK_RESET | CKPT_SK_PEER_IN_TREE;
		((struct fd_image *)b->f)->rec.kind_flags |= CKPT_SK_RESET | CKPT_SK_PEER_IN_TREE;
		rc = 0;
	} else if (rc == 0) {
		store_side((struct fd_image *)a->f, &sa, CKPT_SK_PEER_IN_TREE);
		store_side((struct fd_image *)b->f, &sb, CKPT_SK_PEER_IN_TREE);
	}
	free_side(&sa);
	free_side(&sb);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(wa);
	free(wb);
	return rc;
}

struct datagrams {
	struct buf msgs;
	uint32_t count;
};

static int keep_datagram(const struct sk_peeked *m, void *arg)
{
	struct datagrams *d = arg;
	struct ckpt_sk_inaddr from = {0};
	struct sockaddr_storage ss = {0};
	memcpy(&ss, m->name, m->name_len < sizeof(ss) ? m->name_len : sizeof(ss));
	to_inaddr(&ss, &from);
	sk_put_msg(&d->msgs, &from, sizeof(from), NULL, 0, m->data, (uint32_t)m->len);
	d->count++;
	return 0;
}

static int capture_datagrams(const struct sk_entry *e)
{
	struct fd_image *f = (struct fd_image *)e->f;
	char *what = xasprintf("udp socket fd %u of pid %u", f->rec.fd, e->p->rec.pid);
	int fd = take_fd((pid_t)e->p->rec.pid, (int)f->rec.fd);
	struct datagrams d = {0};
	struct inet_view v;
	view_of(f, &v);
	int rc = 0, queued = 0;
	if (fd < 0)
		rc = ckpt_fail_errno("cannot reach %s", what);
	else if (!is_ping(v.r.protocol))
		rc = sk_peek_queue(fd, keep_datagram, &d, what);
	else if (ioctl(fd, SIOCINQ, &queued) == 0 && queued > 0)
		/* Echo replies: a ping socket cannot be peeked at, and no socket could send them
		 * to it again. */
		ckpt_warn("the echo replies queued in ping socket fd %u of pid %u are not saved", f->rec.fd, e->p->rec.pid);
	if (fd >= 0)
		close(fd);
	if (rc == 0) {
		v.r.sk.nmsgs = d.count;
		f->rec.kind_flags |= CKPT_SK_QUEUES;
		put_record(f, &v.r, &v.opts, NULL, NULL, &d.msgs);
	}
	buf_free(&d.msgs);
	free(what);
	return rc;
}

static bool is_tcp(const struct inet_view *v)
{
	return v->r.protocol == IPPROTO_TCP;
}

/* What inet_diag says about the TCP socket with these two ends: its state, its receive queue
 * and whether an fd holds it (inode 0: none, so it waits in an accept queue or is an orphan). */
struct tcp_diag {
	uint8_t state;
	uint32_t rqueue;
	uint32_t inode;
};

static int diag_tcp(const struct ckpt_sk_inaddr *src, const struct ckpt_sk_inaddr *dst, uint32_t family, struct tcp_diag *d)
{
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -1;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {.nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST},
		.req = {.sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u,
			.id = {.idiag_sport = htons(src->port), .idiag_dport = htons(dst->port),
			       .idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}},
	};
	memcpy(msg.req.id.idiag_src, src->addr, family == AF_INET ? 4 : 16);
	memcpy(msg.req.id.idiag_dst, dst->addr, family == AF_INET ? 4 : 16);
	union {
		struct nlmsghdr h;
		uint8_t b[8192];
	} buf;
	int rc = -1;
	ssize_t n;
	if (send(nl, &msg, sizeof(msg), 0) == sizeof(msg) && (n = recv(nl, buf.b, sizeof(buf.b), 0)) > 0)
		for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				break;
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			*d = (struct tcp_diag){m->idiag_state, m->idiag_rqueue, m->idiag_inode};
			rc = 0;
			break;
		}
	close(nl);
	return rc;
}

/* A TCP listener of the tree that a connection to this address reaches. */
static bool tree_listens_at(const struct sk_entry *e, size_t n, const struct ckpt_sk_inaddr *a)
{
	for (size_t k = 0; k < n; k++) {
		struct inet_view w;
		view_of(e[k].f, &w);
		if (!is_tcp(&w) || w.r.sk.state != TCP_LISTEN || w.r.local.port != a->port)
			continue;
		/* Bound to an address of its own, or to every address (0.0.0.0, ::). */
		if (same_endpoint(&w.r.local, a) || !memcmp(w.r.local.addr, (uint8_t[16]){0}, 16))
			return true;
	}
	return false;
}

/* A connection whose peer no fd of the tree holds.  Its peer waits, not accepted yet, in a
 * listener of the tree, with nothing sent either way: restart connects it again.  Its peer is
 * a process outside the tree: the connection is saved with its repair state, which restart
 * uses when its address pair is free (the saved program is gone), else it reports a reset;
 * without CAP_NET_ADMIN it reports a reset, except that when its peer closed (CLOSE_WAIT) the
 * bytes it sent are kept, and restart gives a connection that reads them, then the end of the
 * stream.  What the outside peer sends between the save and the kill is lost. */
static int capture_lone(const struct statefile_image *img, const struct sk_entry *e)
{
	struct fd_image *f = (struct fd_image *)e->f;
	struct inet_view v;
	view_of(f, &v);
	char *what = xasprintf("tcp socket fd %u of pid %u", f->rec.fd, e->p->rec.pid);
	int fd = take_fd((pid_t)e->p->rec.pid, (int)f->rec.fd), rc = 0;
	if (fd < 0) {
		free(what);
		return ckpt_fail_errno("cannot reach tcp socket fd %u of pid %u", f->rec.fd, e->p->rec.pid);
	}
	size_t n;
	struct sk_entry *all = sk_descriptions(img, CKPT_FD_INET, &n);
	struct tcp_diag d;
	int inq = -1, outq = -1;
	ioctl(fd, SIOCINQ, &inq);
	ioctl(fd, SIOCOUTQ, &outq);
	bool waits = v.r.sk.state == TCP_ESTABLISHED && inq == 0 && outq == 0 && tree_listens_at(all, n, &v.r.peer) &&
		     diag_tcp(&v.r.peer, &v.r.local, v.r.family, &d) == 0 && d.state == TCP_ESTABLISHED && d.inode == 0 &&
		     d.rqueue == 0;
	free(all);
	struct tcp_side s = {.r = v.r};
	if (waits) {
		f->rec.kind_flags |= CKPT_SK_IN_ACCEPT_QUEUE;
	} else if (v.r.sk.state != TCP_CLOSE_WAIT && repairable_state(v.r.sk.state) &&
		   (rc = read_side(fd, what, &s)) == 0) {
		store_side(f, &s, CKPT_SK_RESET);
	} else if (v.r.sk.state == TCP_CLOSE_WAIT) {
		struct bytes q = {0};
		rc = sk_peek_queue(fd, keep_bytes, &q, what);
		if (rc == 0) {
			v.r.recv_len = (uint32_t)q.n;
			f->rec.kind_flags |= CKPT_SK_FIN_RECEIVED | CKPT_SK_QUEUES;
			put_record(f, &v.r, &v.opts, NULL, q.p, NULL);
		}
		free(q.p);
	} else if (rc >= 0) {
		f->rec.kind_flags |= CKPT_SK_RESET;
		rc = 0;
	}
	free_side(&s);
	close(fd);
	free(what);
	return rc;
}

static int inet_capture_tree(struct statefile_image *img)
{
	size_t n;
	struct sk_entry *e = sk_descriptions(img, CKPT_FD_INET, &n);
	bool *done = xcalloc(n ? n : 1, sizeof(bool)), warned_no_repair = false;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct fd_image *f = (struct fd_image *)e[i].f;
		struct inet_view v;
		view_of(f, &v);
		if (!is_tcp(&v)) {
			rc = capture_datagrams(&e[i]);
			continue;
		}
		if (done[i] || !is_connected_state(v.r.sk.state))
			continue;
		/* Its peer inside the tree: the socket whose addresses are its own, swapped. */
		size_t peer = n;
		for (size_t k = 0; k < n && peer == n && repairable_state(v.r.sk.state); k++) {
			struct inet_view w;
			view_of(e[k].f, &w);
			if (k != i && is_tcp(&w) && repairable_state(w.r.sk.state) && same_endpoint(&w.r.local, &v.r.peer) &&
			    same_endpoint(&w.r.peer, &v.r.local))
				peer = k;
		}
		if (peer == n) {
			rc = capture_lone(img, &e[i]);
			continue;
		}
		rc = capture_pair(&e[i], &e[peer], &warned_no_repair);
		done[i] = done[peer] = true;
	}
	/* A listener or datagram socket bound without SO_REUSEPORT to the very address of one
	 * that has it: both were bound with it, and this one cleared it since. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct inet_view v;
		view_of(e[i].f, &v);
		bool bound = v.r.local.port && (is_tcp(&v) ? v.r.sk.state == TCP_LISTEN : true);
		for (size_t k = 0; k < n && bound && !(v.r.sk.opts & CKPT_SKO_REUSEPORT); k++) {
			struct inet_view w;
			view_of(e[k].f, &w);
			if (k != i && w.r.protocol == v.r.protocol && (w.r.sk.opts & CKPT_SKO_REUSEPORT) &&
			    w.r.sk.state == v.r.sk.state && same_endpoint(&w.r.local, &v.r.local)) {
				((struct fd_image *)e[i].f)->rec.kind_flags |= CKPT_SK_SHARED_PORT;
				break;
			}
		}
	}
	/* The other fds of a description say the same about it. */
	for (size_t i = 0; i < n && rc == 0; i++)
		for (size_t j = 0; j < img->nprocs; j++)
			for (size_t k = 0; k < img->procs[j].nfds; k++) {
				struct fd_image *g = &img->procs[j].fds[k];
				if (g != e[i].f && g->rec.kind == CKPT_FD_INET && g->rec.desc == e[i].f->rec.desc)
					g->rec.kind_flags = (e[i].f->rec.kind_flags & (CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET)) |
							   (e[i].f->rec.kind_flags & (CKPT_SK_SHARED_PORT | CKPT_SK_SHUT_RD | CKPT_SK_SHUT_WR)) |
							   (g->rec.kind_flags & CKPT_SK_OPTIONS);
			}
	free(done);
	free(e);
	return rc;
}

/* The tree is about to be killed: its connections go into repair mode, in which closing a
 * socket sends nothing and leaves nothing behind, so that a restart finds their addresses
 * free and no FIN or RST of the dying sockets can reach the rebuilt ones.  Without
 * CAP_NET_ADMIN they close as usual. */
static void inet_before_kill(const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			struct inet_view v;
			if (f->rec.kind != CKPT_FD_INET || view_of(f, &v) < 0 || !is_tcp(&v) || !is_connected_state(v.r.sk.state))
				continue;
			int fd = take_fd((pid_t)img->procs[i].rec.pid, (int)f->rec.fd);
			if (fd >= 0) {
				set_repair(fd, 1);
				close(fd);
			}
		}
}

/* ---- reading a statefile ---- */

static bool valid_addr(const struct ckpt_sk_inaddr *a, uint32_t family)
{
	if (a->family == 0)
		return !a->port && !memcmp(a->addr, (uint8_t[16]){0}, 16);
	if (a->family != AF_INET && a->family != AF_INET6)
		return false;
	/* An IPv4 socket has IPv4 addresses; an IPv6 one has IPv6 ones (IPv4 mapped into them). */
	if (a->family != family)
		return false;
	return a->family == AF_INET6 || !memcmp(a->addr + 4, (uint8_t[12]){0}, 12);
}

static int inet_check_saved(const struct fd_image *f)
{
	struct inet_view v;
	if (f->rec.data_len < sizeof(v.r) || view_of(f, &v) < 0)
		return ckpt_fail("inet socket fd %u has a state of %u bytes, too short for its record and queues", f->rec.fd,
				 f->rec.data_len);
	const struct ckpt_fd_inet *r = &v.r;
	uint32_t fl = f->rec.kind_flags;
	bool tcp = r->protocol == IPPROTO_TCP && r->sk.type == SOCK_STREAM;
	bool udp = is_datagram_kind(r->family, r->sk.type, r->protocol);
	if ((r->family != AF_INET && r->family != AF_INET6) || !(tcp || udp))
		return ckpt_fail("inet socket fd %u has family %u, type %u and protocol %u, which ckpt does not rebuild",
				 f->rec.fd, r->family, r->sk.type, r->protocol);
	if (!valid_addr(&r->local, r->family) || !valid_addr(&r->peer, r->family))
		return ckpt_fail("inet socket fd %u has an address of another family than its own", f->rec.fd);
	if (r->sk.opts & CKPT_SKO_V6ONLY && r->family != AF_INET6)
		return ckpt_fail("inet socket fd %u is IPv6-only but not IPv6", f->rec.fd);
	if (tcp ? (r->sk.state < TCP_ESTABLISHED || r->sk.state > TCP_CLOSING || r->sk.state == TCP_TIME_WAIT)
		: (r->sk.state != TCP_ESTABLISHED && r->sk.state != TCP_CLOSE))
		return ckpt_fail("inet socket fd %u has a state %u a %s socket with an fd cannot have", f->rec.fd,
				 r->sk.state, udp ? "udp" : "tcp");
	bool connected = tcp ? is_connected_state(r->sk.state) : r->sk.state == TCP_ESTABLISHED;
	if (connected != (r->peer.family != 0) || (connected && !r->peer.port) ||
	    ((r->sk.state == TCP_LISTEN || connected) && (!r->local.family || !r->local.port)) ||
	    (r->sk.state != TCP_LISTEN && r->sk.backlog))
		return ckpt_fail("inet socket fd %u has addresses or a backlog its state cannot have", f->rec.fd);
	if (fl & ~INET_FLAGS)
		return ckpt_fail("inet socket fd %u has unknown flags 0x%x", f->rec.fd, fl);
	/* A connection is rebuilt (REPAIR, its peer in the tree), rebuilt when it can be and else
	 * reports a reset (REPAIR and RESET, its peer outside), or reports a reset (its peer
	 * outside, or inside but saved without CAP_NET_ADMIN). */
	bool repair = fl & CKPT_SK_REPAIR, closed = (fl & CKPT_SK_FIN_RECEIVED) && !repair;
	if (((fl & (CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET | CKPT_SK_IN_ACCEPT_QUEUE)) && (!tcp || !connected)) ||
	    (repair && (((fl & CKPT_SK_PEER_IN_TREE) != 0) == ((fl & CKPT_SK_RESET) != 0) || !(fl & CKPT_SK_QUEUES) ||
			!repairable_state(r->sk.state) ||
			((fl & CKPT_SK_RESET) && r->sk.state == TCP_CLOSE_WAIT))) ||
	    ((fl & CKPT_SK_FIN_SENT) && (!repair || (r->sk.state != TCP_FIN_WAIT1 && r->sk.state != TCP_FIN_WAIT2))) ||
	    ((fl & CKPT_SK_FIN_RECEIVED) && r->sk.state != TCP_CLOSE_WAIT) ||
	    (closed && (fl & ~(CKPT_SK_FIN_RECEIVED | CKPT_SK_QUEUES | CKPT_SK_OPTIONS))) ||
	    ((fl & CKPT_SK_IN_ACCEPT_QUEUE) &&
	     ((fl & ~CKPT_SK_OPTIONS) != CKPT_SK_IN_ACCEPT_QUEUE || r->sk.state != TCP_ESTABLISHED)))
		return ckpt_fail("inet socket fd %u has flags 0x%x that do not fit its state", f->rec.fd, fl);
	if (!repair && (r->send_len || (r->recv_len && !closed) || r->unsent_len))
		return ckpt_fail("inet socket fd %u has queued bytes but no repair state", f->rec.fd);
	if ((uint64_t)r->send_len + r->recv_len > SK_MAX_QUEUED || r->unsent_len > r->send_len)
		return ckpt_fail("inet socket fd %u has queues larger than ckpt saves", f->rec.fd);
	if (repair && (r->snd_wscale > 14 || r->rcv_wscale > 14 || r->mss > 65535))
		return ckpt_fail("inet socket fd %u has a window scale or segment size TCP does not have", f->rec.fd);
	if ((fl & (CKPT_SK_SHUT_RD | CKPT_SK_SHUT_WR)) && !udp)
		return ckpt_fail("inet socket fd %u has a datagram shutdown but is a tcp socket", f->rec.fd);
	if ((fl & CKPT_SK_SHARED_PORT) && ((r->sk.opts & CKPT_SKO_REUSEPORT) || !r->local.port ||
					   (tcp && r->sk.state != TCP_LISTEN)))
		return ckpt_fail("inet socket fd %u shares a port but is not a socket bound to one without SO_REUSEPORT",
				 f->rec.fd);
	if (r->reserved || (tcp && r->sk.nmsgs) || (r->sk.nmsgs && !(fl & CKPT_SK_QUEUES)) || (is_ping(r->protocol) && r->sk.nmsgs))
		return ckpt_fail("inet socket fd %u has messages or fields its kind does not have", f->rec.fd);
	if (sk_check_common(&r->sk, &v.msgs, sizeof(struct ckpt_sk_inaddr), f->rec.fd, "inet") < 0 ||
	    sk_check_options(&v.opts, true, tcp, f->rec.fd, "inet") < 0)
		return -1;
	if (v.msgs.at != v.msgs.len)
		return ckpt_fail("inet socket fd %u has %zu bytes after its queues", f->rec.fd, v.msgs.len - v.msgs.at);
	return 0;
}

/* ---- restart ---- */

/* "tcp socket fd 3 of pid 42", for warnings. */
static const char *socket_text(char out[64], const struct ckpt_fd_inet *r, const struct fd_image *f,
			       const struct process_image *p)
{
	snprintf(out, 64, "%s socket fd %u of pid %u", proto_name(r), f->rec.fd, p->rec.pid);
	return out;
}

static int fail_errno_at(const struct process_image *p, const struct fd_image *f, const struct ckpt_fd_inet *r,
			 const char *doing, const struct ckpt_sk_inaddr *a)
{
	char at[64];
	addr_text(a, at, sizeof(at));
	return ckpt_fail_errno("cannot %s %s %s again (fd %u of pid %u)", doing, proto_name(r), at, f->rec.fd, p->rec.pid);
}

/* Room for a saved queue: a new socket's buffer may be smaller than the one that held it. */
static void make_room(int fd, int name, int force, size_t need, uint32_t saved)
{
	int now = 0;
	socklen_t l = sizeof(now);
	if (getsockopt(fd, SOL_SOCKET, name, &now, &l) < 0 || (size_t)now >= 2 * need)
		return;
	int want = (int)(saved / 2 > need ? saved / 2 : need);
	if (setsockopt(fd, SOL_SOCKET, force, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, name, &want, sizeof(want));
}

/* A TCP connection over loopback, both ends in ckpt; room for `room` bytes in flight from the
 * second end to the first.  Returns 0 or -1 with errno. */
static int loopback_pair(int family, size_t room, int pair[2])
{
	struct sockaddr_storage ss = {0};
	socklen_t l;
	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		l = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		l = sizeof(*a);
	}
	int lsn = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1, s = -1;
	if (lsn < 0 || bind(lsn, (struct sockaddr *)&ss, l) < 0 || listen(lsn, 1) < 0 ||
	    getsockname(lsn, (struct sockaddr *)&ss, &l) < 0 || (c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    /* Room set before the connection exists, so that its window is scaled for it. */
	    (room && (make_room(c, SO_RCVBUF, SO_RCVBUFFORCE, room, 0), 0)) || connect(c, (struct sockaddr *)&ss, l) < 0 ||
	    (s = accept4(lsn, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		int e = errno;
		if (lsn >= 0)
			close(lsn);
		if (c >= 0)
			close(c);
		errno = e;
		return -1;
	}
	close(lsn);
	if (room)
		make_room(s, SO_SNDBUF, SO_SNDBUFFORCE, room, 0);
	pair[0] = c;
	pair[1] = s;
	return 0;
}

/* A TCP socket whose connection was reset: a connection over loopback whose other end is
 * closed with SO_LINGER 0, which sends a RST.  Reading or writing it gives ECONNRESET. */
static int reset_socket(int family)
{
	int pair[2];
	if (loopback_pair(family, 0, pair) < 0)
		return -1;
	struct linger lg = {1, 0};
	setsockopt(pair[1], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(pair[1]);
	/* The RST is on its way over loopback; wait until it has arrived. */
	struct pollfd p = {.fd = pair[0], .events = POLLIN};
	poll(&p, 1, 1000);
	return pair[0];
}

/* A connection over loopback whose other end sends the saved bytes and closes, so that they
 * are read, then the end of the stream.  Writing to it gets a reset from the closed end. */
static int open_peer_closed(const struct process_image *p, const struct fd_image *f, const struct inet_view *v)
{
	const struct ckpt_fd_inet *r = &v->r;
	int pair[2];
	if (loopback_pair((int)r->family, r->recv_len, pair) < 0)
		return ckpt_fail_errno("cannot make tcp socket fd %u of pid %u (whose peer closed) again", f->rec.fd,
				       p->rec.pid);
	const uint8_t *d = v->recv_q;
	size_t n = r->recv_len;
	while (n) {
		ssize_t w = send(pair[1], d, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(pair[0]);
			close(pair[1]);
			return ckpt_fail_errno("cannot give tcp socket fd %u of pid %u its %u bytes again", f->rec.fd,
					       p->rec.pid, r->recv_len);
		}
		d += w;
		n -= (size_t)w;
	}
	close(pair[1]);
	/* The bytes and the FIN are on their way over loopback; wait until they are in. */
	struct pollfd pf = {.fd = pair[0], .events = POLLRDHUP};
	poll(&pf, 1, 1000);
	return pair[0];
}

static int open_reset(const struct process_image *p, const struct fd_image *f, const struct ckpt_fd_inet *r)
{
	int fd = reset_socket((int)r->family);
	if (fd < 0)
		return ckpt_fail_errno("cannot make tcp socket fd %u of pid %u (which is to report a reset)", f->rec.fd,
				       p->rec.pid);
	return fd;
}

static int set_seq(int fd, int q, uint32_t seq)
{
	return select_queue(fd, q) < 0 ? -1 : setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, sizeof(seq));
}

/* Writes a saved queue in repair mode: into the receive queue, or the send queue as sent. */
static int fill_queue(int fd, int q, const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	if (select_queue(fd, q) < 0)
		return -1;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A connection that cannot be rebuilt here: one line says why, and it reports a reset. */
static int reset_instead(const struct process_image *p, const struct fd_image *f, const struct ckpt_fd_inet *r,
			 const char *why)
{
	char l[64], pe[64];
	addr_text(&r->local, l, sizeof(l));
	addr_text(&r->peer, pe, sizeof(pe));
	ckpt_warn("tcp connection %s -> %s (fd %u of pid %u) %s: it reports a reset", l, pe, f->rec.fd, p->rec.pid, why);
	return open_reset(p, f, r);
}

/* The connection, rebuilt in repair mode: no packet is sent until restore_ready leaves it. */
static int open_repaired(const struct process_image *p, const struct fd_image *f, const struct inet_view *v)
{
	const struct ckpt_fd_inet *r = &v->r;
	int fd = socket((int)r->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ckpt_fail_errno("cannot make tcp socket fd %u of pid %u again", f->rec.fd, p->rec.pid);
	if (set_repair(fd, 1) < 0) {
		int e = errno;
		close(fd);
		if (e != EPERM) {
			errno = e;
			return ckpt_fail_errno("cannot put tcp socket fd %u of pid %u in repair mode", f->rec.fd, p->rec.pid);
		}
		return reset_instead(p, f, r, "needs CAP_NET_ADMIN to be rebuilt");
	}
	int one = 1;
	struct sockaddr_storage local, peer;
	socklen_t llen = to_sockaddr(&r->local, &local), plen = to_sockaddr(&r->peer, &peer);
	if (r->sk.opts & CKPT_SKO_V6ONLY)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	make_room(fd, SO_RCVBUF, SO_RCVBUFFORCE, r->recv_len, r->sk.rcvbuf);
	make_room(fd, SO_SNDBUF, SO_SNDBUFFORCE, r->send_len, r->sk.sndbuf);
	struct tcp_repair_opt opts[4];
	unsigned nopts = 0;
	if (r->tcpi_options & TCPI_OPT_SACK)
		opts[nopts++] = (struct tcp_repair_opt){TCPOPT_SACK_PERMITTED, 0};
	if (r->tcpi_options & TCPI_OPT_WSCALE)
		opts[nopts++] = (struct tcp_repair_opt){TCPOPT_WINDOW, r->snd_wscale + ((uint32_t)r->rcv_wscale << 16)};
	if (r->tcpi_options & TCPI_OPT_TIMESTAMPS)
		opts[nopts++] = (struct tcp_repair_opt){TCPOPT_TIMESTAMP, 0};
	if (r->mss)
		opts[nopts++] = (struct tcp_repair_opt){TCPOPT_MAXSEG, r->mss};
	struct tcp_repair_window w = {.snd_wl1 = r->snd_wl1, .snd_wnd = r->snd_wnd, .max_window = r->max_window,
				      .rcv_wnd = r->rcv_wnd, .rcv_wup = r->rcv_wup};
	const char *step = NULL;
	if (set_seq(fd, TCP_RECV_QUEUE, r->recv_seq) < 0 || set_seq(fd, TCP_SEND_QUEUE, r->send_seq) < 0)
		step = "set the sequence numbers of";
	else if (bind(fd, (struct sockaddr *)&local, llen) < 0)
		step = "bind";
	else if (connect(fd, (struct sockaddr *)&peer, plen) < 0)
		step = "connect";
	else if (nopts && setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opts, nopts * sizeof(opts[0])) < 0)
		step = "set the options of";
	else if ((r->tcpi_options & TCPI_OPT_TIMESTAMPS) &&
		 setsockopt(fd, IPPROTO_TCP, TCP_TIMESTAMP, &r->timestamp, sizeof(r->timestamp)) < 0)
		step = "set the timestamp of";
	else if (fill_queue(fd, TCP_RECV_QUEUE, v->recv_q, r->recv_len) < 0 ||
		 fill_queue(fd, TCP_SEND_QUEUE, v->send_q, r->send_len - r->unsent_len) < 0)
		step = "refill the queues of";
	else if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w)) < 0)
		step = "set the window of";
	if (step) {
		int e = errno;
		close(fd);
		errno = e;
		char l[64], pe[64];
		addr_text(&r->local, l, sizeof(l));
		addr_text(&r->peer, pe, sizeof(pe));
		bool in_use = errno == EADDRINUSE || errno == EADDRNOTAVAIL;
		if (in_use && (f->rec.kind_flags & CKPT_SK_RESET))
			return reset_instead(p, f, r, "to a peer outside the tree is not rebuilt: its address pair is in use");
		if (in_use)
			return ckpt_fail("cannot rebuild tcp connection %s -> %s (fd %u of pid %u): it is in use", l, pe,
					 f->rec.fd, p->rec.pid);
		return ckpt_fail_errno("cannot %s tcp connection %s -> %s (fd %u of pid %u)", step, l, pe, f->rec.fd,
				       p->rec.pid);
	}
	select_queue(fd, TCP_NO_QUEUE);
	return fd;
}

static int inet_open(const struct process_image *p, const struct fd_image *f)
{
	struct inet_view v;
	view_of(f, &v); /* check_saved passed */
	const struct ckpt_fd_inet *r = &v.r;
	uint32_t fl = f->rec.kind_flags;
	bool tcp = r->protocol == IPPROTO_TCP;
	if (tcp && (fl & CKPT_SK_REPAIR))
		return open_repaired(p, f, &v);
	if (tcp && (fl & CKPT_SK_FIN_RECEIVED))
		return open_peer_closed(p, f, &v);
	if (tcp && (fl & CKPT_SK_IN_ACCEPT_QUEUE)) {
		/* Connected again once its listener exists (inet_restore_ready). */
		int fd = socket((int)r->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		return fd >= 0 ? fd : ckpt_fail_errno("cannot make tcp socket fd %u of pid %u again", f->rec.fd, p->rec.pid);
	}
	if (tcp && is_connected_state(r->sk.state))
		return open_reset(p, f, r);
	int fd = socket((int)r->family, (int)r->sk.type | SOCK_CLOEXEC, (int)r->protocol);
	if (fd < 0)
		return ckpt_fail_errno("cannot make %s socket fd %u of pid %u again", proto_name(r), f->rec.fd, p->rec.pid);
	int one = 1;
	struct sockaddr_storage ss;
	socklen_t l;
	if (r->sk.opts & CKPT_SKO_V6ONLY)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	char what[64];
	if (sk_common_restore(fd, &r->sk, &v.opts, !tcp, socket_text(what, r, f, p)) < 0) {
		close(fd);
		return -1;
	}
	/* A listener binds with SO_REUSEADDR whatever the program had: the connections it accepted
	 * may be rebuilt first on its port, which the kernel lets them share only this way; the
	 * program's own setting is back once it listens. */
	if (r->sk.state == TCP_LISTEN && !(r->sk.opts & CKPT_SKO_REUSEADDR))
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Its port is shared through SO_REUSEPORT, which must be on at bind; the program had
	 * cleared it since, and so it is again after bind. */
	if (f->rec.kind_flags & CKPT_SK_SHARED_PORT)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (r->local.family && (r->local.port || r->sk.state == TCP_LISTEN)) {
		l = to_sockaddr(&r->local, &ss);
		char at[64];
		addr_text(&r->local, at, sizeof(at));
		if (bind(fd, (struct sockaddr *)&ss, l) < 0) {
			int e = errno;
			if (tcp && r->sk.state == TCP_CLOSE) {
				/* A closed TCP socket may still show the port of a connection it had. */
				ckpt_warn("tcp socket fd %u of pid %u is not bound to %s again: %s", f->rec.fd, p->rec.pid, at,
					  strerror(e));
			} else {
				close(fd);
				if (e == EADDRINUSE)
					return ckpt_fail("cannot %s %s %s again (fd %u of pid %u): port %u is taken",
							 r->sk.state == TCP_LISTEN ? "listen on" : "bind", proto_name(r), at,
							 f->rec.fd, p->rec.pid, r->local.port);
				errno = e;
				return fail_errno_at(p, f, r, "bind", &r->local);
			}
		}
		sk_bind_nonlocal(fd, &v.opts, false);
	}
	if (r->sk.state == TCP_LISTEN && listen(fd, (int)r->sk.backlog) < 0) {
		close(fd);
		return fail_errno_at(p, f, r, "listen on", &r->local);
	}
	int zero = 0;
	if (r->sk.state == TCP_LISTEN && !(r->sk.opts & CKPT_SKO_REUSEADDR))
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &zero, sizeof(zero));
	if (f->rec.kind_flags & CKPT_SK_SHARED_PORT)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &zero, sizeof(zero));
	if (!tcp && r->sk.state == TCP_ESTABLISHED) {
		l = to_sockaddr(&r->peer, &ss);
		if (connect(fd, (struct sockaddr *)&ss, l) < 0) {
			close(fd);
			return fail_errno_at(p, f, r, "connect to", &r->peer);
		}
	}
	return fd;
}

/* Leaves repair mode once both ends exist, then does what repair mode does not: the bytes
 * never sent, the FIN, the options that leaving repair mode resets. */
static int finish_repaired(const struct sk_entry *e, int fd, const struct inet_view *v)
{
	const struct ckpt_fd_inet *r = &v->r;
	int off = TCP_REPAIR_OFF;
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) < 0)
		return ckpt_fail_errno("cannot take tcp socket fd %u of pid %u out of repair mode", e->f->rec.fd,
				       e->p->rec.pid);
	char what[64];
	if (sk_common_restore(fd, &r->sk, &v->opts, false, socket_text(what, r, e->f, e->p)) < 0)
		return -1;
	const uint8_t *p = v->send_q + (r->send_len - r->unsent_len);
	size_t n = r->unsent_len;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ckpt_fail_errno("cannot send again the %u bytes tcp socket fd %u of pid %u had not sent",
					       r->unsent_len, e->f->rec.fd, e->p->rec.pid);
		p += w;
		n -= (size_t)w;
	}
	if ((e->f->rec.kind_flags & CKPT_SK_FIN_SENT) && shutdown(fd, SHUT_WR) < 0)
		return ckpt_fail_errno("cannot shut tcp socket fd %u of pid %u down for writing again", e->f->rec.fd,
				       e->p->rec.pid);
	return 0;
}

/* Sends a saved datagram to s again from a socket with its sender's address: a socket of the
 * tree bound to it, else a new one bound to it for the moment.  Returns 1 when it cannot be
 * sent from that address (the datagram is dropped). */
static int resend_datagram(const struct sk_entry *all, size_t n, const struct files_restore *fr, const struct sk_entry *s,
			   const struct ckpt_sk_inaddr *from, const uint8_t *data, size_t len)
{
	struct inet_view v;
	view_of(s->f, &v);
	int sender = -1, own = -1;
	for (size_t i = 0; i < n && sender < 0; i++) {
		struct inet_view w;
		view_of(all[i].f, &w);
		if (w.r.protocol == v.r.protocol && same_endpoint(&w.r.local, from))
			sender = files_restore_desc_fd(fr, all[i].f->rec.desc);
	}
	struct sockaddr_storage ss;
	if (sender < 0 && from->family) {
		socklen_t l = to_sockaddr(from, &ss);
		own = socket(from->family, SOCK_DGRAM | SOCK_CLOEXEC, (int)v.r.protocol);
		if (own >= 0 && bind(own, (struct sockaddr *)&ss, l) == 0)
			sender = own;
	}
	struct ckpt_sk_inaddr to = v.r.local;
	/* A socket bound to any address receives on the address its sender sent to. */
	if (!memcmp(to.addr, (uint8_t[16]){0}, 16) && from->family == AF_INET)
		((uint8_t *)to.addr)[0] = 127, ((uint8_t *)to.addr)[3] = 1;
	else if (!memcmp(to.addr, (uint8_t[16]){0}, 16))
		((uint8_t *)to.addr)[15] = 1;
	int rc = 1;
	if (sender >= 0) {
		socklen_t l = to_sockaddr(&to, &ss);
		rc = sendto(sender, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, l) == (ssize_t)len ? 0 : 1;
	}
	if (own >= 0)
		close(own);
	return rc;
}

/* A connection its listener had not accepted yet: connected again, from its own address when
 * that is free, so that it waits in the rebuilt listener's queue as it did. */
static int reconnect(const struct sk_entry *e, const struct files_restore *fr, const struct inet_view *v)
{
	const struct ckpt_fd_inet *r = &v->r;
	int fd = socket((int)r->family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return ckpt_fail_errno("cannot make tcp socket fd %u of pid %u again", e->f->rec.fd, e->p->rec.pid);
	struct sockaddr_storage ss;
	socklen_t l = to_sockaddr(&r->local, &ss);
	if (r->sk.opts & CKPT_SKO_V6ONLY)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, l) < 0)
		ckpt_debug("tcp socket fd %u of pid %u connects from another port: %s", e->f->rec.fd, e->p->rec.pid,
			   strerror(errno));
	l = to_sockaddr(&r->peer, &ss);
	if (connect(fd, (struct sockaddr *)&ss, l) < 0) {
		close(fd);
		return fail_errno_at(e->p, e->f, r, "connect to", &r->peer);
	}
	char what[64];
	if (sk_common_restore(fd, &r->sk, &v->opts, false, socket_text(what, r, e->f, e->p)) < 0) {
		close(fd);
		return -1;
	}
	return sk_replace(fr, e->f->rec.desc, fd);
}

static int inet_restore_ready(const struct statefile_image *img, const struct files_restore *fr)
{
	size_t n;
	struct sk_entry *e = sk_descriptions(img, CKPT_FD_INET, &n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct inet_view v;
		view_of(e[i].f, &v);
		if (e[i].f->rec.kind_flags & CKPT_SK_IN_ACCEPT_QUEUE)
			rc = reconnect(&e[i], fr, &v);
	}
	/* Every repaired end first leaves repair mode; only then are bytes and FINs sent, when
	 * every peer can take them. */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct inet_view v;
			view_of(e[i].f, &v);
			int fd = files_restore_desc_fd(fr, e[i].f->rec.desc);
			int on = 0;
			socklen_t l = sizeof(on);
			bool repaired = (e[i].f->rec.kind_flags & CKPT_SK_REPAIR) &&
					getsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, &l) == 0 && on;
			if (pass == 0 && repaired) {
				rc = finish_repaired(&e[i], fd, &v);
			} else if (pass == 1 && fd >= 0) {
				sk_restore_peek_off(fd, &v.r.sk);
				sk_set_status_flags(fd, e[i].f->rec.open_flags);
			}
		}
	/* Datagrams that were waiting to be read. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct inet_view v;
		view_of(e[i].f, &v);
		struct sk_cursor c = v.msgs;
		uint32_t dropped = 0;
		for (uint32_t k = 0; k < v.r.sk.nmsgs; k++) {
			struct sk_msg_view m;
			sk_next_msg(&c, &m);
			struct ckpt_sk_inaddr from = {0};
			memcpy(&from, m.name, m.hdr.name_len < sizeof(from) ? m.hdr.name_len : sizeof(from));
			dropped += (uint32_t)resend_datagram(e, n, fr, &e[i], &from, m.data, m.hdr.len);
		}
		if (dropped)
			ckpt_warn("%u datagrams queued in udp socket fd %u of pid %u came from an address ckpt cannot send "
				  "from, and are dropped", dropped, e[i].f->rec.fd, e[i].p->rec.pid);
	}
	/* Shutdowns last, once every datagram was sent again.  An unconnected socket is shut
	 * down too, though shutdown then says ENOTCONN. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint32_t fl = e[i].f->rec.kind_flags;
		int how = (fl & CKPT_SK_SHUT_RD ? 1 : 0) | (fl & CKPT_SK_SHUT_WR ? 2 : 0);
		int fd = files_restore_desc_fd(fr, e[i].f->rec.desc);
		struct inet_view v;
		view_of(e[i].f, &v);
		if (how && fd >= 0 && shutdown(fd, how - 1) < 0 && errno != ENOTCONN)
			rc = ckpt_fail_errno("cannot shut down %s socket fd %u of pid %u again", proto_name(&v.r), e[i].f->rec.fd,
					     e[i].p->rec.pid);
	}
	free(e);
	return rc;
}

/* ---- ckpt info ---- */

static void inet_describe(const struct fd_image *f, struct buf *text, struct json *j)
{
	struct inet_view v;
	if (view_of(f, &v) < 0)
		return;
	const struct ckpt_fd_inet *r = &v.r;
	uint32_t fl = f->rec.kind_flags;
	bool tcp = is_tcp(&v);
	char local[64] = "", peer[64] = "";
	if (r->local.family)
		addr_text(&r->local, local, sizeof(local));
	if (r->peer.family)
		addr_text(&r->peer, peer, sizeof(peer));
	const char *state = tcp ? tcp_state_name(r->sk.state) : r->sk.state == TCP_ESTABLISHED ? "connected" : "unconnected";
	const char *where = fl & CKPT_SK_PEER_IN_TREE	   ? "in the tree"
			    : fl & CKPT_SK_RESET	   ? "outside the tree"
			    : fl & CKPT_SK_IN_ACCEPT_QUEUE ? "waits to be accepted by the tree"
			    : fl & CKPT_SK_FIN_RECEIVED	   ? "closed"
							   : NULL;
	uint64_t dgram_bytes = 0;
	struct sk_cursor c = v.msgs;
	for (uint32_t i = 0; i < r->sk.nmsgs; i++) {
		struct sk_msg_view m;
		if (sk_next_msg(&c, &m) < 0)
			break;
		dgram_bytes += m.hdr.len;
	}
	if (j) {
		json_object_begin(j, "socket");
		json_str(j, "family", r->family == AF_INET ? "ipv4" : "ipv6");
		json_str(j, "type", proto_name(r));
		json_str(j, "state", state);
		json_str(j, "local", r->local.family ? local : NULL);
		json_str(j, "peer_address", r->peer.family ? peer : NULL);
		json_str(j, "peer", where);
		if (r->sk.state == TCP_LISTEN)
			json_u64(j, "backlog", r->sk.backlog);
		if (tcp) {
			json_u64(j, "recv_queue_bytes", r->recv_len);
			json_u64(j, "send_queue_bytes", r->send_len);
			json_u64(j, "unsent_bytes", r->unsent_len);
			json_bool(j, "repair", fl & CKPT_SK_REPAIR);
		} else {
			json_u64(j, "queued_messages", r->sk.nmsgs);
			json_u64(j, "queued_bytes", dgram_bytes);
		}
		if (!tcp) {
			json_bool(j, "shut_down_reading", fl & CKPT_SK_SHUT_RD);
			json_bool(j, "shut_down_writing", fl & CKPT_SK_SHUT_WR);
		}
		json_bool(j, "reports_reset", (fl & CKPT_SK_RESET) && !(fl & CKPT_SK_REPAIR));
		if (fl & CKPT_SK_RESET)
			json_bool(j, "reset_if_address_pair_taken", fl & CKPT_SK_REPAIR);
		json_object_end(j);
		return;
	}
	buf_printf(text, " %s%s %s", proto_name(r), r->family == AF_INET6 ? "6" : "", state);
	if (r->local.family)
		buf_printf(text, " %s %s", r->sk.state == TCP_LISTEN ? "at" : "on", local);
	if (r->sk.state == TCP_LISTEN)
		buf_printf(text, " (backlog %u)", r->sk.backlog);
	if (r->peer.family)
		buf_printf(text, " to %s%s%s", peer, where ? ", " : "", where ? where : "");
	if (fl & CKPT_SK_REPAIR) {
		buf_printf(text, ", %u bytes to read, %u to send", r->recv_len, r->send_len);
		if (r->unsent_len)
			buf_printf(text, " (%u of them never sent)", r->unsent_len);
	}
	else if (fl & CKPT_SK_FIN_RECEIVED)
		buf_printf(text, ", %u bytes to read, then the end of the stream", r->recv_len);
	if (fl & CKPT_SK_SHARED_PORT)
		buf_printf(text, ", its port shared through SO_REUSEPORT");
	if (fl & (CKPT_SK_SHUT_RD | CKPT_SK_SHUT_WR))
		buf_printf(text, ", shut down for %s", (fl & CKPT_SK_SHUT_RD) && (fl & CKPT_SK_SHUT_WR) ? "reading and writing"
						       : fl & CKPT_SK_SHUT_RD			     ? "reading"
												     : "writing");
	if (!tcp && r->sk.nmsgs)
		buf_printf(text, ", %llu bytes queued in %u datagram%s", (unsigned long long)dgram_bytes, r->sk.nmsgs,
			   r->sk.nmsgs == 1 ? "" : "s");
	if ((fl & CKPT_SK_RESET) && (fl & CKPT_SK_REPAIR))
		buf_printf(text, ": rebuilt if its address pair is free, else a reset");
	else if ((fl & CKPT_SK_RESET) && (fl & CKPT_SK_PEER_IN_TREE))
		buf_printf(text, ": will report a reset (saved without CAP_NET_ADMIN)");
	else if (fl & CKPT_SK_RESET)
		buf_printf(text, ": will report a reset (its peer is outside the tree)");
}

/* ---- ckpt check ---- */

/* Whether this machine lets us bind where the socket was bound, as restart would. */
static int probe_bind(const struct ckpt_fd_inet *r, const struct ckpt_sk_options *o)
{
	int fd = socket((int)r->family, (int)r->sk.type | SOCK_CLOEXEC, (int)r->protocol), one = 1;
	if (fd < 0)
		return -1;
	if (r->sk.opts & CKPT_SKO_V6ONLY)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (r->sk.opts & CKPT_SKO_REUSEPORT)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if ((r->sk.opts & CKPT_SKO_REUSEADDR) || r->sk.state == TCP_LISTEN)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sk_bind_nonlocal(fd, o, true);
	struct sockaddr_storage ss;
	socklen_t l = to_sockaddr(&r->local, &ss);
	int rc = bind(fd, (struct sockaddr *)&ss, l);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

static bool may_repair(uint32_t family)
{
	int fd = socket((int)family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && set_repair(fd, 1) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void inet_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *rep)
{
	struct inet_view v;
	if (view_of(f, &v) < 0)
		return;
	const struct ckpt_fd_inet *r = &v.r;
	uint32_t fl = f->rec.kind_flags;
	char local[64] = "?", peer[64] = "?";
	if (r->local.family)
		addr_text(&r->local, local, sizeof(local));
	if (r->peer.family)
		addr_text(&r->peer, peer, sizeof(peer));
	if ((fl & CKPT_SK_RESET) && (fl & CKPT_SK_REPAIR)) {
		bool ok = may_repair(r->family);
		portability_add(rep, "socket", PORTABILITY_NOTE, xasprintf("%s %s -> %s", proto_name(r), local, peer),
				xasprintf("is connected to a peer outside the tree (fd %u of pid %u): %s", f->rec.fd, p->rec.pid,
					  ok ? "rebuilt with TCP repair if its address pair is free, else it reports a reset"
					     : "without CAP_NET_ADMIN it reports a reset after a restart"),
				ok ? NULL : "restart as root to keep the connection");
	} else if (fl & CKPT_SK_RESET) {
		portability_add(rep, "socket", PORTABILITY_NOTE, xasprintf("%s %s -> %s", proto_name(r), local, peer),
				xasprintf("%s (fd %u of pid %u): it reports a reset after a restart",
					  fl & CKPT_SK_PEER_IN_TREE ? "was saved without CAP_NET_ADMIN"
								    : "is connected to a peer outside the tree",
					  f->rec.fd, p->rec.pid),
				NULL);
	} else if (fl & CKPT_SK_REPAIR) {
		bool ok = may_repair(r->family);
		portability_add(rep, "socket", ok ? PORTABILITY_OK : PORTABILITY_NOTE,
				xasprintf("%s %s -> %s", proto_name(r), local, peer),
				ok ? xstrdup("is rebuilt with TCP repair")
				   : xasprintf("needs CAP_NET_ADMIN to be rebuilt (fd %u of pid %u); without it, it reports a "
					       "reset after a restart",
					       f->rec.fd, p->rec.pid),
				ok ? NULL : "restart as root to keep the connection");
	} else if (r->local.family && r->local.port && (r->sk.state == TCP_LISTEN || !is_tcp(&v))) {
		const char *doing = r->sk.state == TCP_LISTEN ? "listened on" : "was bound to";
		if (probe_bind(r, &v.opts) == 0)
			portability_add(rep, "socket", PORTABILITY_OK, xasprintf("%s %s", proto_name(r), local),
					xasprintf("port %u is free", r->local.port), NULL);
		else if (errno == EADDRINUSE)
			portability_add(rep, "socket", PORTABILITY_PROBLEM, xasprintf("%s %s", proto_name(r), local),
					xasprintf("port %u is taken here (fd %u of pid %u %s it)", r->local.port, f->rec.fd,
						  p->rec.pid, doing),
					"stop what uses the port (the saved program itself, if it still runs)");
		else
			portability_add(rep, "socket", PORTABILITY_PROBLEM, xasprintf("%s %s", proto_name(r), local),
					xasprintf("cannot be bound here (fd %u of pid %u %s it): %s", f->rec.fd, p->rec.pid,
						  doing, strerror(errno)),
					"restart on a machine that has this address");
	}
}

static void inet_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	inet_describe(f, out, NULL);
}

static void inet_describe_json(const struct fd_image *f, struct json *j)
{
	inet_describe(f, NULL, j);
}

const struct fd_kind inet_fd_kind = {
	.kind = CKPT_FD_INET,
	.name = "inet",
	.capture = inet_capture,
	.check_saved = inet_check_saved,
	.open = inet_open,
	.sock_protos = "TCP TCPv6 UDP UDPv6 UDP-Lite UDPLITEv6 PING PINGv6",
	.capture_tree = inet_capture_tree,
	.before_kill = inet_before_kill,
	.restore_ready = inet_restore_ready,
	.describe_text = inet_describe_text,
	.describe_json = inet_describe_json,
	.check_here = inet_check_here,
};
