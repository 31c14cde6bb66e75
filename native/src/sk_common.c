/* What unix and inet sockets share: options, queues read without consuming them, blobs (sk_common.h). */
#include "sk_common.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif
#define BUF_LOCKS 3u /* SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK */

#define KNOWN_OPTS                                                                                          \
	(CKPT_SKO_REUSEADDR | CKPT_SKO_REUSEPORT | CKPT_SKO_KEEPALIVE | CKPT_SKO_BROADCAST | CKPT_SKO_PASSCRED | \
	 CKPT_SKO_NODELAY | CKPT_SKO_V6ONLY)

struct desc_order {
	uint32_t desc;
	size_t order;
	struct sk_entry e;
};

static int by_desc_then_order(const void *a, const void *b)
{
	const struct desc_order *x = a, *y = b;
	if (x->desc != y->desc)
		return x->desc < y->desc ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int by_order(const void *a, const void *b)
{
	const struct desc_order *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct sk_entry *sk_descriptions(const struct statefile_image *img, uint32_t kind, size_t *n)
{
	/* Sorted, not searched: a statefile may hold a million fds. */
	size_t total = 0;
	for (size_t i = 0; i < img->nprocs; i++)
		total += img->procs[i].nfds;
	struct desc_order *all = xcalloc(total ? total : 1, sizeof(*all));
	size_t at = 0;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++, at++)
			all[at] = (struct desc_order){img->procs[i].fds[k].rec.desc, at, {&img->procs[i], &img->procs[i].fds[k]}};
	qsort(all, total, sizeof(*all), by_desc_then_order);
	/* The first fd of each description, whatever its kind, is the one restart opens. */
	size_t m = 0;
	for (size_t i = 0; i < total; i++)
		if ((i == 0 || all[i].desc != all[i - 1].desc) && all[i].e.f->rec.kind == kind)
			all[m++] = all[i];
	qsort(all, m, sizeof(*all), by_order);
	struct sk_entry *out = xcalloc(m ? m : 1, sizeof(*out));
	for (size_t i = 0; i < m; i++)
		out[i] = all[i].e;
	free(all);
	*n = m;
	return out;
}

int sk_get_int(int fd, int level, int name, int *v)
{
	socklen_t l = sizeof(*v);
	return getsockopt(fd, level, name, v, &l);
}

void sk_store_with_options(struct fd_image *f, int fd, const void *rec, size_t len)
{
	struct ckpt_sk_options opts;
	sk_options_capture(fd, &opts);
	close(fd);
	f->rec.kind_flags = CKPT_SK_OPTIONS;
	struct buf b = {0};
	buf_put(&b, rec, len);
	sk_put_options(&b, f->rec.kind_flags, &opts);
	free(f->data);
	f->data = b.data;
	f->rec.data_len = (uint32_t)b.len;
}

static uint64_t get_timeout_us(int fd, int name)
{
	struct timeval tv = {0};
	socklen_t l = sizeof(tv);
	if (getsockopt(fd, SOL_SOCKET, name, &tv, &l) < 0 || tv.tv_sec < 0 || tv.tv_usec < 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

int sk_common_capture(int fd, struct ckpt_sk_common *c)
{
	int v;
	if (sk_get_int(fd, SOL_SOCKET, SO_TYPE, &v) < 0)
		return ckpt_fail_errno("cannot read a socket's type");
	c->type = (uint32_t)v;
	c->peek_off = sk_get_int(fd, SOL_SOCKET, SO_PEEK_OFF, &v) == 0 ? v : -1;
	c->sndbuf = sk_get_int(fd, SOL_SOCKET, SO_SNDBUF, &v) == 0 && v > 0 ? (uint32_t)v : 0;
	c->rcvbuf = sk_get_int(fd, SOL_SOCKET, SO_RCVBUF, &v) == 0 && v > 0 ? (uint32_t)v : 0;
	c->rcvtimeo_us = get_timeout_us(fd, SO_RCVTIMEO);
	c->sndtimeo_us = get_timeout_us(fd, SO_SNDTIMEO);
	static const struct {
		int name;
		uint32_t opt;
	} flags[] = {{SO_REUSEADDR, CKPT_SKO_REUSEADDR}, {SO_REUSEPORT, CKPT_SKO_REUSEPORT},
		     {SO_KEEPALIVE, CKPT_SKO_KEEPALIVE}, {SO_BROADCAST, CKPT_SKO_BROADCAST},
		     {SO_PASSCRED, CKPT_SKO_PASSCRED}};
	for (size_t i = 0; i < ARRAY_LEN(flags); i++)
		if (sk_get_int(fd, SOL_SOCKET, flags[i].name, &v) == 0 && v)
			c->opts |= flags[i].opt;
	return 0;
}

/* The integer options of struct ckpt_sk_options, in the order restart sets them: where each
 * lives, which sockets have it, and the values the kernel keeps (0 always reads as "not saved"). */
enum option_scope { ANY_SOCKET, INET_SOCKET, TCP_SOCKET };
static const struct int_option {
	size_t offset;
	const char *text;
	enum option_scope scope;
	int level, name;   /* unix, IPv4, TCP */
	int level6, name6; /* IPv6, where that differs (level6 0: the same) */
	uint32_t min, max;
} int_options[] = {
	{offsetof(struct ckpt_sk_options, rcvlowat), "SO_RCVLOWAT", ANY_SOCKET, SOL_SOCKET, SO_RCVLOWAT, 0, 0, 0, INT_MAX},
	{offsetof(struct ckpt_sk_options, mark), "SO_MARK", ANY_SOCKET, SOL_SOCKET, SO_MARK, 0, 0, 0, UINT32_MAX},
	{offsetof(struct ckpt_sk_options, keepidle), "TCP_KEEPIDLE", TCP_SOCKET, IPPROTO_TCP, TCP_KEEPIDLE, 0, 0, 1, 32767},
	{offsetof(struct ckpt_sk_options, keepintvl), "TCP_KEEPINTVL", TCP_SOCKET, IPPROTO_TCP, TCP_KEEPINTVL, 0, 0, 1,
	 32767},
	{offsetof(struct ckpt_sk_options, keepcnt), "TCP_KEEPCNT", TCP_SOCKET, IPPROTO_TCP, TCP_KEEPCNT, 0, 0, 1, 127},
	{offsetof(struct ckpt_sk_options, user_timeout), "TCP_USER_TIMEOUT", TCP_SOCKET, IPPROTO_TCP, TCP_USER_TIMEOUT, 0,
	 0, 0, INT_MAX},
	{offsetof(struct ckpt_sk_options, tos), "IP_TOS", INET_SOCKET, IPPROTO_IP, IP_TOS, IPPROTO_IPV6, IPV6_TCLASS, 0,
	 255},
	{offsetof(struct ckpt_sk_options, ttl), "IP_TTL", INET_SOCKET, IPPROTO_IP, IP_TTL, IPPROTO_IPV6,
	 IPV6_UNICAST_HOPS, 1, 255},
	/* After IP_TOS, which sets the priority too. */
	{offsetof(struct ckpt_sk_options, priority), "SO_PRIORITY", ANY_SOCKET, SOL_SOCKET, SO_PRIORITY, 0, 0, 0, INT_MAX},
};

/* The on/off options of struct ckpt_sk_options (CKPT_SKX_LINGER aside, which has a time). */
static const struct flag_option {
	uint32_t flag;
	const char *text;
	enum option_scope scope;
	int level, name, level6, name6;
} flag_options[] = {
	{CKPT_SKX_OOBINLINE, "SO_OOBINLINE", ANY_SOCKET, SOL_SOCKET, SO_OOBINLINE, 0, 0},
	{CKPT_SKX_PASSSEC, "SO_PASSSEC", ANY_SOCKET, SOL_SOCKET, SO_PASSSEC, 0, 0},
	{CKPT_SKX_DONTROUTE, "SO_DONTROUTE", ANY_SOCKET, SOL_SOCKET, SO_DONTROUTE, 0, 0},
	{CKPT_SKX_NO_CHECK, "SO_NO_CHECK", ANY_SOCKET, SOL_SOCKET, SO_NO_CHECK, 0, 0},
	{CKPT_SKX_CORK, "TCP_CORK", TCP_SOCKET, IPPROTO_TCP, TCP_CORK, 0, 0},
	{CKPT_SKX_FREEBIND, "IP_FREEBIND", INET_SOCKET, IPPROTO_IP, IP_FREEBIND, IPPROTO_IPV6, IPV6_FREEBIND},
	{CKPT_SKX_TRANSPARENT, "IP_TRANSPARENT", INET_SOCKET, IPPROTO_IP, IP_TRANSPARENT, IPPROTO_IPV6, IPV6_TRANSPARENT},
	{CKPT_SKX_PKTINFO, "IP_PKTINFO", INET_SOCKET, IPPROTO_IP, IP_PKTINFO, IPPROTO_IPV6, IPV6_RECVPKTINFO},
};

static bool in_scope(enum option_scope scope, bool inet, bool tcp)
{
	return scope == ANY_SOCKET || (scope == INET_SOCKET && inet) || (scope == TCP_SOCKET && tcp);
}

static uint32_t *option_field(struct ckpt_sk_options *o, const struct int_option *t)
{
	return (uint32_t *)((char *)o + t->offset);
}

/* Where a socket of this domain keeps an option (level6 0: where every socket does). */
static void option_place(int domain, int level, int name, int level6, int name6, int *at_level, int *at_name)
{
	bool v6 = domain == AF_INET6 && level6;
	*at_level = v6 ? level6 : level;
	*at_name = v6 ? name6 : name;
}

static uint32_t known_flags(bool inet, bool tcp)
{
	uint32_t known = CKPT_SKX_LINGER | CKPT_SKX_LOCK_FILTER | (inet ? CKPT_SKX_NONLOCAL : 0);
	for (size_t i = 0; i < ARRAY_LEN(flag_options); i++)
		if (in_scope(flag_options[i].scope, inet, tcp))
			known |= flag_options[i].flag;
	return known;
}

static int set_freebind(int fd, int domain, int on)
{
	return domain == AF_INET6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof(on))
				  : setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on));
}

/* Whether the address fd is bound to is one this machine lacks: a new socket cannot bind it. */
static bool bound_nonlocal(int fd, int domain)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0 || ss.ss_family != domain)
		return false;
	if (domain == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		if (a->sin_addr.s_addr == htonl(INADDR_ANY))
			return false;
		a->sin_port = 0;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr))
			return false;
		a->sin6_port = 0;
	}
	int probe = socket(domain, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return false;
	bool lacks = bind(probe, (struct sockaddr *)&ss, l) < 0 && errno == EADDRNOTAVAIL;
	close(probe);
	return lacks;
}

static void socket_scope(int fd, int *domain, bool *inet, bool *tcp)
{
	int protocol = 0;
	*domain = 0;
	sk_get_int(fd, SOL_SOCKET, SO_DOMAIN, domain);
	sk_get_int(fd, SOL_SOCKET, SO_PROTOCOL, &protocol);
	*inet = *domain == AF_INET || *domain == AF_INET6;
	*tcp = *inet && protocol == IPPROTO_TCP;
}

/* A classic BPF filter (SO_GET_FILTER counts in instructions, not bytes). */
static void capture_filter(int fd, struct ckpt_sk_options *o)
{
	socklen_t n = 0;
	int v;
	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &n) < 0 || n == 0)
		return;
	if (n > CKPT_SK_MAX_FILTER) {
		ckpt_warn("a socket has a filter of %u instructions, more than the %u ckpt keeps: it will have none after "
			  "a restart",
			  (unsigned)n, CKPT_SK_MAX_FILTER);
		return;
	}
	_Static_assert(sizeof(struct sock_filter) == sizeof(o->filter[0]), "a BPF instruction is 8 bytes");
	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, o->filter, &n) < 0 || n > CKPT_SK_MAX_FILTER) {
		memset(o->filter, 0, sizeof(o->filter));
		return;
	}
	o->filter_len = (uint32_t)n;
	if (sk_get_int(fd, SOL_SOCKET, SO_LOCK_FILTER, &v) == 0 && v)
		o->flags |= CKPT_SKX_LOCK_FILTER;
}

void sk_options_capture(int fd, struct ckpt_sk_options *o)
{
	int domain, v;
	bool inet, tcp;
	socket_scope(fd, &domain, &inet, &tcp);
	memset(o, 0, sizeof(*o));
	struct linger lg;
	socklen_t l = sizeof(lg);
	if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &l) == 0 && lg.l_onoff) {
		o->flags |= CKPT_SKX_LINGER;
		o->linger = lg.l_linger > 0 ? (uint32_t)lg.l_linger : 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(flag_options); i++) {
		const struct flag_option *t = &flag_options[i];
		int level, name;
		option_place(domain, t->level, t->name, t->level6, t->name6, &level, &name);
		if (in_scope(t->scope, inet, tcp) && sk_get_int(fd, level, name, &v) == 0 && v)
			o->flags |= t->flag;
	}
	if (inet && !(o->flags & (CKPT_SKX_FREEBIND | CKPT_SKX_TRANSPARENT)) && bound_nonlocal(fd, domain))
		o->flags |= CKPT_SKX_NONLOCAL;
	for (size_t i = 0; i < ARRAY_LEN(int_options); i++) {
		const struct int_option *t = &int_options[i];
		int level, name;
		option_place(domain, t->level, t->name, t->level6, t->name6, &level, &name);
		if (in_scope(t->scope, inet, tcp) && sk_get_int(fd, level, name, &v) == 0 && v != 0 && (uint32_t)v >= t->min &&
		    (uint32_t)v <= t->max)
			*option_field(o, t) = (uint32_t)v;
	}
	if (sk_get_int(fd, SOL_SOCKET, SO_BUF_LOCK, &v) == 0)
		o->buf_lock = (uint32_t)v & BUF_LOCKS;
	l = sizeof(o->bound_dev);
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->bound_dev, &l) < 0 || l >= sizeof(o->bound_dev))
		memset(o->bound_dev, 0, sizeof(o->bound_dev));
	capture_filter(fd, o);
	o->size = (uint32_t)(offsetof(struct ckpt_sk_options, filter) + o->filter_len * sizeof(o->filter[0]));
}

static int restore_options(int fd, const struct ckpt_sk_options *o, const char *what)
{
	int domain, one = 1, now;
	bool inet, tcp;
	socket_scope(fd, &domain, &inet, &tcp);
	if (o->bound_dev[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->bound_dev, (socklen_t)strlen(o->bound_dev) + 1) < 0) {
		if (errno == ENODEV)
			return ckpt_fail("%s was bound to interface %s (SO_BINDTODEVICE), which this machine does not have",
					 what, o->bound_dev);
		ckpt_warn("%s: SO_BINDTODEVICE %s is not set again (%s)", what, o->bound_dev, strerror(errno));
	}
	if (o->flags & CKPT_SKX_LINGER) {
		struct linger lg = {1, (int)o->linger};
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	for (size_t i = 0; i < ARRAY_LEN(flag_options); i++) {
		const struct flag_option *t = &flag_options[i];
		int level, name;
		option_place(domain, t->level, t->name, t->level6, t->name6, &level, &name);
		if ((o->flags & t->flag) && in_scope(t->scope, inet, tcp) && setsockopt(fd, level, name, &one, sizeof(one)) < 0)
			ckpt_warn("%s: %s is not set again (%s)", what, t->text, strerror(errno));
	}
	sk_bind_nonlocal(fd, o, true);
	/* After the buffers, which lock what they set. */
	if (sk_get_int(fd, SOL_SOCKET, SO_BUF_LOCK, &now) == 0 && (uint32_t)now != o->buf_lock) {
		int v = (int)o->buf_lock;
		setsockopt(fd, SOL_SOCKET, SO_BUF_LOCK, &v, sizeof(v));
	}
	for (size_t i = 0; i < ARRAY_LEN(int_options); i++) {
		const struct int_option *t = &int_options[i];
		uint32_t saved = *option_field((struct ckpt_sk_options *)o, t);
		int level, name;
		option_place(domain, t->level, t->name, t->level6, t->name6, &level, &name);
		/* A value the new socket has already is left alone, so that one the system decides
		 * (a default TTL, say) stays the system's. */
		if (!saved || !in_scope(t->scope, inet, tcp) || (sk_get_int(fd, level, name, &now) == 0 && (uint32_t)now == saved))
			continue;
		int v = (int)saved;
		if (setsockopt(fd, level, name, &v, sizeof(v)) < 0)
			ckpt_warn("%s: %s %u is not set again (%s)", what, t->text, saved, strerror(errno));
	}
	if (o->filter_len) {
		struct sock_fprog prog = {(unsigned short)o->filter_len, (struct sock_filter *)o->filter};
		if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
			return ckpt_fail_errno("cannot attach the socket filter of %s again (%u instructions)", what,
					       o->filter_len);
		if ((o->flags & CKPT_SKX_LOCK_FILTER) && setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)) < 0)
			return ckpt_fail_errno("cannot lock the socket filter of %s again", what);
	}
	return 0;
}

void sk_bind_nonlocal(int fd, const struct ckpt_sk_options *o, bool before)
{
	bool freebind = o->flags & CKPT_SKX_FREEBIND;
	if (!(o->flags & CKPT_SKX_NONLOCAL) && !(before && freebind))
		return;
	int domain = 0;
	sk_get_int(fd, SOL_SOCKET, SO_DOMAIN, &domain);
	set_freebind(fd, domain, before || freebind);
}

static int set_peek_off(int fd, int off)
{
	return setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
}

int sk_peek_queue(int fd, int (*each)(const struct sk_peeked *m, void *arg), void *arg, const char *what)
{
	int type = 0, own_off = -1;
	if (sk_get_int(fd, SOL_SOCKET, SO_TYPE, &type) < 0)
		return ckpt_fail_errno("cannot read the type of %s", what);
	if (sk_get_int(fd, SOL_SOCKET, SO_PEEK_OFF, &own_off) < 0)
		own_off = -1;
	bool stream = type == SOCK_STREAM;
	/* A seqpacket socket whose peer stopped sending reads 0 at the end of its queue, as it
	 * does for a message of no bytes: with SO_PASSCRED on for the walk, every message
	 * carries credentials and the end none. */
	int own_passcred = 0, on = 1;
	bool seqpacket = type == SOCK_SEQPACKET;
	if (seqpacket && (sk_get_int(fd, SOL_SOCKET, SO_PASSCRED, &own_passcred) < 0 ||
			  (!own_passcred && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)))
		return ckpt_fail_errno("cannot read the queue of %s", what);
	size_t cap = 256u << 10;
	uint8_t *buf = xmalloc(cap);
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * SK_MAX_FDS_PER_MSG) + CMSG_SPACE(sizeof(struct ucred)) + 512];
	} ctl;
	struct sk_peeked *m = xcalloc(1, sizeof(*m));
	uint64_t off = 0;
	size_t count = 0;
	int rc = 0;
	for (;;) {
		/* Each peek starts at an offset we set, so no earlier peek (ours or the program's)
		 * decides where; for datagrams the offset skips whole messages. */
		if (off > INT_MAX || set_peek_off(fd, (int)off) < 0) {
			rc = off > INT_MAX ? ckpt_fail("%s holds more than ckpt can read", what)
					   : ckpt_fail_errno("cannot read the queue of %s without taking from it", what);
			break;
		}
		struct iovec io = {buf, cap};
		struct msghdr mh = {.msg_name = m->name, .msg_namelen = sizeof(m->name), .msg_iov = &io,
				    .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
		/* MSG_TRUNC tells a datagram's real length; on TCP it would drop the bytes instead. */
		ssize_t n = recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC | (stream ? 0 : MSG_TRUNC));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				rc = ckpt_fail_errno("cannot read the queue of %s", what);
			break;
		}
		m->nfds = 0;
		bool creds = false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			creds |= c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS;
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t i = 0; i < k && m->nfds < SK_MAX_FDS_PER_MSG; i++)
					memcpy(&m->fds[m->nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			}
		}
		bool truncated = !stream && (size_t)n > cap;
		if ((mh.msg_flags & MSG_CTRUNC) || truncated) {
			for (size_t i = 0; i < m->nfds; i++)
				close(m->fds[i]);
			if (mh.msg_flags & MSG_CTRUNC) {
				rc = ckpt_fail("%s has a message with more fds in flight than ckpt can take", what);
				break;
			}
			/* A datagram larger than our buffer: the same one again, whole. */
			cap = (size_t)n;
			buf = xrealloc(buf, cap);
			continue;
		}
		if (n == 0 && (stream || (seqpacket && !creds)))
			break; /* end of stream: the peer shut down writing */
		if (++count > SK_MAX_MSGS || off + (uint64_t)n > SK_MAX_QUEUED) {
			for (size_t i = 0; i < m->nfds; i++)
				close(m->fds[i]);
			rc = ckpt_fail("%s holds more queued data than ckpt saves (%u messages, %u MiB)", what, SK_MAX_MSGS,
				       SK_MAX_QUEUED >> 20);
			break;
		}
		m->data = buf;
		m->len = (size_t)n;
		m->name_len = mh.msg_namelen <= sizeof(m->name) ? mh.msg_namelen : 0;
		rc = each(m, arg);
		for (size_t i = 0; i < m->nfds; i++)
			close(m->fds[i]);
		if (rc < 0)
			break;
		off += (uint64_t)n;
	}
	set_peek_off(fd, own_off);
	if (seqpacket && !own_passcred)
		setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &own_passcred, sizeof(own_passcred));
	free(m);
	free(buf);
	return rc;
}

void sk_put_msg(struct buf *b, const void *name, uint32_t name_len, const uint32_t *descs, uint32_t nfds,
		const void *data, uint32_t len)
{
	struct ckpt_sk_msg h = {.len = len, .name_len = name_len, .nfds = nfds};
	buf_put(b, &h, sizeof(h));
	buf_put(b, name, name_len);
	buf_put(b, descs, nfds * sizeof(uint32_t));
	buf_put(b, data, len);
}

void sk_put_options(struct buf *b, uint32_t kind_flags, const struct ckpt_sk_options *o)
{
	if (kind_flags & CKPT_SK_OPTIONS)
		buf_put(b, o, o->size);
}

#define MAX_OPTIONS_SIZE 4096u
_Static_assert(sizeof(struct ckpt_sk_options) <= MAX_OPTIONS_SIZE, "the options block fits its own limit");

int sk_take_record_and_options(const struct fd_image *f, void *rec, size_t len, struct ckpt_sk_options *o,
			       struct sk_cursor *rest)
{
	struct sk_cursor c = {f->data, f->rec.data_len, 0};
	const uint8_t *r = sk_take(&c, len);
	if (!r)
		return -1;
	memcpy(rec, r, len);
	if (sk_take_options(&c, f->rec.kind_flags, o) < 0)
		return -1;
	*rest = c;
	return 0;
}

int sk_take_options(struct sk_cursor *c, uint32_t kind_flags, struct ckpt_sk_options *o)
{
	memset(o, 0, sizeof(*o));
	if (!(kind_flags & CKPT_SK_OPTIONS))
		return 0;
	const uint8_t *p = sk_take(c, sizeof(o->size));
	if (!p)
		return -1;
	uint32_t size;
	memcpy(&size, p, sizeof(size));
	if (size < CKPT_SK_OPTIONS_MIN_SIZE || size > MAX_OPTIONS_SIZE || size % 4)
		return -1;
	c->at -= sizeof(o->size);
	p = sk_take(c, size);
	if (!p)
		return -1;
	/* An older engine's block lacks the later fields: they stay 0. */
	memcpy(o, p, size < sizeof(*o) ? size : sizeof(*o));
	if (o->filter_len > CKPT_SK_MAX_FILTER ||
	    size < offsetof(struct ckpt_sk_options, filter) + o->filter_len * sizeof(o->filter[0]))
		return -1;
	return 0;
}

int sk_check_options(const struct ckpt_sk_options *o, bool inet, bool tcp, uint32_t fdnum, const char *kind)
{
	if (!o->size)
		return 0;
	uint32_t known = known_flags(inet, tcp);
	if (o->flags & ~known)
		return ckpt_fail("%s socket fd %u has options 0x%x it cannot have", kind, fdnum, o->flags);
	if (o->linger > INT_MAX || (o->linger && !(o->flags & CKPT_SKX_LINGER)))
		return ckpt_fail("%s socket fd %u has a linger time of %u seconds, which no socket has", kind, fdnum, o->linger);
	for (size_t i = 0; i < ARRAY_LEN(int_options); i++) {
		const struct int_option *t = &int_options[i];
		uint32_t v = *option_field((struct ckpt_sk_options *)o, t);
		if (v && (!in_scope(t->scope, inet, tcp) || v < t->min || v > t->max))
			return ckpt_fail("%s socket fd %u has %s %u, which %s", kind, fdnum, t->text, v,
					 in_scope(t->scope, inet, tcp) ? "is out of its range" : "its kind does not have");
	}
	if ((o->flags & CKPT_SKX_LOCK_FILTER) && !o->filter_len)
		return ckpt_fail("%s socket fd %u has a locked filter but no filter", kind, fdnum);
	if (o->buf_lock & ~BUF_LOCKS)
		return ckpt_fail("%s socket fd %u has SO_BUF_LOCK 0x%x, which no socket has", kind, fdnum, o->buf_lock);
	if (!sk_valid_ifname(o->bound_dev, sizeof(o->bound_dev), true))
		return ckpt_fail("%s socket fd %u is bound (SO_BINDTODEVICE) to an interface name no interface has", kind,
				 fdnum);
	return 0;
}

const uint8_t *sk_take(struct sk_cursor *c, size_t n)
{
	if (n > c->len - c->at)
		return NULL;
	const uint8_t *p = c->p + c->at;
	c->at += n;
	return p;
}

int sk_next_msg(struct sk_cursor *c, struct sk_msg_view *m)
{
	const uint8_t *h = sk_take(c, sizeof(m->hdr));
	if (!h)
		return -1;
	memcpy(&m->hdr, h, sizeof(m->hdr));
	if (m->hdr.len > SK_MAX_QUEUED || m->hdr.nfds > SK_MAX_FDS_PER_MSG || m->hdr.name_len > 128)
		return -1;
	m->name = sk_take(c, m->hdr.name_len);
	m->descs = sk_take(c, (size_t)m->hdr.nfds * sizeof(uint32_t));
	m->data = sk_take(c, m->hdr.len);
	return m->name && m->descs && m->data ? 0 : -1;
}

int sk_check_common(const struct ckpt_sk_common *sk, struct sk_cursor *c, size_t max_name, uint32_t fdnum,
		    const char *kind)
{
	if (sk->opts & ~KNOWN_OPTS)
		return ckpt_fail("%s socket fd %u has unknown options 0x%x", kind, fdnum, sk->opts);
	if (sk->peek_off < -1 || sk->nmsgs > SK_MAX_MSGS || sk->backlog > INT_MAX || sk->sndbuf > INT_MAX ||
	    sk->rcvbuf > INT_MAX)
		return ckpt_fail("%s socket fd %u has a peek offset, backlog, buffer or message count no socket has",
				 kind, fdnum);
	/* A day at most: timeval's range, and anything longer is not a timeout a program sets. */
	if (sk->rcvtimeo_us > 86400000000ull || sk->sndtimeo_us > 86400000000ull)
		return ckpt_fail("%s socket fd %u has a timeout of more than a day", kind, fdnum);
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < sk->nmsgs; i++) {
		struct sk_msg_view m;
		if (sk_next_msg(c, &m) < 0 || m.hdr.name_len > max_name || m.hdr.reserved)
			return ckpt_fail("%s socket fd %u: queued message %u is cut short or too large", kind, fdnum, i);
		bytes += m.hdr.len;
	}
	if (bytes > SK_MAX_QUEUED)
		return ckpt_fail("%s socket fd %u has more than %u MiB queued", kind, fdnum, SK_MAX_QUEUED >> 20);
	return 0;
}

static void set_buffer(int fd, int name, int force, uint32_t saved)
{
	int now;
	/* The kernel doubles what it is given; a value a new socket has already is left alone, so
	 * that a buffer the kernel sizes itself stays so. */
	if (!saved || sk_get_int(fd, SOL_SOCKET, name, &now) < 0 || (uint32_t)now == saved)
		return;
	int half = (int)(saved / 2);
	if (setsockopt(fd, SOL_SOCKET, force, &half, sizeof(half)) < 0)
		setsockopt(fd, SOL_SOCKET, name, &half, sizeof(half));
}

static void set_timeout(int fd, int name, uint64_t us)
{
	if (!us)
		return;
	struct timeval tv = {(time_t)(us / 1000000u), (suseconds_t)(us % 1000000u)};
	setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv));
}

int sk_common_restore(int fd, const struct ckpt_sk_common *c, const struct ckpt_sk_options *o, bool buffers,
		      const char *what)
{
	static const struct {
		int name;
		uint32_t opt;
	} flags[] = {{SO_REUSEADDR, CKPT_SKO_REUSEADDR}, {SO_REUSEPORT, CKPT_SKO_REUSEPORT},
		     {SO_KEEPALIVE, CKPT_SKO_KEEPALIVE}, {SO_BROADCAST, CKPT_SKO_BROADCAST},
		     {SO_PASSCRED, CKPT_SKO_PASSCRED}};
	int one = 1;
	for (size_t i = 0; i < ARRAY_LEN(flags); i++)
		if ((c->opts & flags[i].opt) && setsockopt(fd, SOL_SOCKET, flags[i].name, &one, sizeof(one)) < 0)
			return ckpt_fail_errno("cannot set a socket option again");
	if (buffers) {
		set_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, c->sndbuf);
		set_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, c->rcvbuf);
	}
	set_timeout(fd, SO_RCVTIMEO, c->rcvtimeo_us);
	set_timeout(fd, SO_SNDTIMEO, c->sndtimeo_us);
	if (c->opts & CKPT_SKO_NODELAY)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return o->size ? restore_options(fd, o, what) : 0;
}

void sk_restore_peek_off(int fd, const struct ckpt_sk_common *c)
{
	if (c->peek_off >= 0)
		set_peek_off(fd, c->peek_off);
}

void sk_set_status_flags(int fd, uint32_t open_flags)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return;
	fl &= ~(O_NONBLOCK | O_ASYNC);
	fcntl(fd, F_SETFL, fl | (int)(open_flags & (O_NONBLOCK | O_ASYNC)));
}

int sk_replace(const struct files_restore *fr, uint32_t desc, int fd)
{
	int target = files_restore_desc_fd(fr, desc);
	if (target < 0) {
		close(fd);
		return ckpt_fail("internal error: no socket was made for description %u", desc);
	}
	int r = dup3(fd, target, O_CLOEXEC);
	close(fd);
	if (r < 0)
		return ckpt_fail_errno("cannot put a rebuilt socket in place");
	return 0;
}

bool sk_valid_ifname(const char *name, size_t size, bool may_be_empty)
{
	size_t n = strnlen(name, size);
	if (n == size || (n == 0 && !may_be_empty))
		return false;
	for (size_t i = 0; i < size; i++) {
		unsigned char ch = (unsigned char)name[i];
		/* What dev_valid_name lets through: no '/', ':' or space, and NUL padding. */
		if (i < n ? (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == ':') : ch != 0)
			return false;
	}
	return !(n == 1 && name[0] == '.') && !(n == 2 && name[0] == '.' && name[1] == '.');
}
