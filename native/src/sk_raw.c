/*
 * Raw IP sockets, IPv4 and IPv6 (fdkind.h): made again with their protocol, bound and connected
 * to their saved addresses, with IP_HDRINCL, the ICMP filters and the options of every socket
 * (sk_common.h).  What a raw socket had queued is a copy of the machine's traffic and is not
 * saved.  Making one needs CAP_NET_RAW, at restart as it did for the program.
 */
#include "fdkind.h"
#include "json.h"
#include "portability.h"
#include "sk_common.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_RAW
#define SOL_RAW 255
#endif
#ifndef SOL_ICMPV6
#define SOL_ICMPV6 58
#endif

/* The kernel takes protocols below its IPPROTO_MAX (263 since Linux 5.16), not only IP's 0-255. */
#define RAW_MAX_PROTOCOL 262

enum { RAW_CONNECTED = 1, RAW_UNCONNECTED = 7 }; /* as the kernel's TCP states for UDP */

struct raw_view {
	struct ckpt_fd_raw r;
	struct ckpt_sk_options opts;
	struct sk_cursor rest; /* what follows: nothing */
};

static int view_of(const struct fd_image *f, struct raw_view *v)
{
	return sk_take_record_and_options(f, &v->r, sizeof(v->r), &v->opts, &v->rest);
}

static size_t addr_len(uint32_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool is_any(const uint8_t a[16])
{
	return all_zero(a, 16);
}

static socklen_t to_sockaddr(uint32_t family, const uint8_t a[16], struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (void *)ss;
		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, a, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (void *)ss;
	s->sin6_family = AF_INET6;
	memcpy(&s->sin6_addr, a, 16);
	return sizeof(*s);
}

static void addr_text(uint32_t family, const uint8_t a[16], char *out, size_t n)
{
	if (!inet_ntop(family == AF_INET ? AF_INET : AF_INET6, a, out, (socklen_t)n))
		snprintf(out, n, "?");
}

/* ---- capture ---- */

/* The address in ss, of family, in a[16]; false when it has another family. */
static bool take_addr(const struct sockaddr_storage *ss, uint32_t family, uint8_t a[16])
{
	if (ss->ss_family != family)
		return false;
	if (family == AF_INET)
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	return true;
}

/* The address a raw socket is connected to: getpeername has none for it (it has no port), so
 * it is read from /proc/PID/net/raw or raw6, whose line for the socket's inode has it as
 * 32-bit words in hex, each in the machine's order, and the state (TCP_ESTABLISHED 1). */
static bool connected_peer(pid_t pid, uint32_t family, uint64_t ino, uint8_t peer[16])
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, family == AF_INET ? "raw" : "raw6");
	FILE *fp = fopen(path, "re");
	if (!fp)
		return false;
	char line[512], local[40], remote[40];
	unsigned state;
	unsigned long long inode;
	bool found = false;
	size_t words = family == AF_INET ? 1 : 4;
	while (!found && fgets(line, sizeof(line), fp))
		if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%*x %39[0-9A-Fa-f]:%*x %x %*s %*s %*s %*s %*s %llu", local, remote,
			   &state, &inode) == 4 &&
		    inode == ino && state == RAW_CONNECTED && strlen(remote) == words * 8) {
			for (size_t w = 0; w < words; w++) {
				char word[9];
				memcpy(word, remote + w * 8, 8);
				word[8] = 0;
				uint32_t v = (uint32_t)strtoul(word, NULL, 16);
				memcpy(peer + w * 4, &v, 4);
			}
			found = true;
		}
	fclose(fp);
	return found;
}

static int raw_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	(void)fdinfo;
	int fd = take_fd(pid, (int)f->rec.fd);
	if (fd < 0)
		return ckpt_fail_errno("cannot reach raw socket fd %u of pid %d", f->rec.fd, pid);
	struct ckpt_fd_raw r = {0};
	int family = 0, protocol = -1, v;
	int rc = sk_common_capture(fd, &r.sk);
	sk_get_int(fd, SOL_SOCKET, SO_DOMAIN, &family);
	sk_get_int(fd, SOL_SOCKET, SO_PROTOCOL, &protocol);
	if (rc < 0 || (family != AF_INET && family != AF_INET6) || r.sk.type != SOCK_RAW || protocol < 0 ||
	    protocol > RAW_MAX_PROTOCOL) {
		close(fd);
		f->rec.kind = CKPT_FD_SOCKET; /* not one we rebuild */
		return rc;
	}
	r.family = (uint32_t)family;
	r.protocol = (uint32_t)protocol;
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &l) == 0)
		take_addr(&ss, r.family, r.local);
	/* Connecting gives an unbound socket an address, so one bound to none is not connected. */
	bool connected = !is_any(r.local) && connected_peer(pid, r.family, f->rec.ino, r.peer);
	r.sk.state = connected ? RAW_CONNECTED : RAW_UNCONNECTED;
	r.sk.peek_off = -1;
	if (family == AF_INET6 && sk_get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v) == 0 && v)
		r.sk.opts |= CKPT_SKO_V6ONLY;
	if (family == AF_INET && sk_get_int(fd, IPPROTO_IP, IP_HDRINCL, &v) == 0 && v)
		r.raw_flags |= CKPT_RAW_HDRINCL;
	if (family == AF_INET && protocol == IPPROTO_ICMP) {
		struct icmp_filter flt = {0};
		l = sizeof(flt);
		if (getsockopt(fd, SOL_RAW, ICMP_FILTER, &flt, &l) == 0)
			r.icmp_filter = flt.data;
	}
	if (family == AF_INET6 && protocol == IPPROTO_ICMPV6) {
		struct icmp6_filter flt = {{0}};
		l = sizeof(flt);
		if (getsockopt(fd, SOL_ICMPV6, ICMPV6_FILTER, &flt, &l) == 0)
			memcpy(r.icmp6_filter, flt.data, sizeof(r.icmp6_filter));
	}
	sk_store_with_options(f, fd, &r, sizeof(r));
	return 0;
}

/* ---- reading a statefile ---- */

static int raw_check_saved(const struct fd_image *f)
{
	struct raw_view v;
	if (view_of(f, &v) < 0)
		return ckpt_fail("raw socket fd %u has a state of %u bytes, too short for its record and options",
				 f->rec.fd, f->rec.data_len);
	const struct ckpt_fd_raw *r = &v.r;
	if ((r->family != AF_INET && r->family != AF_INET6) || r->sk.type != SOCK_RAW || r->protocol > RAW_MAX_PROTOCOL)
		return ckpt_fail("raw socket fd %u has family %u, type %u and protocol %u, which no raw socket has",
				 f->rec.fd, r->family, r->sk.type, r->protocol);
	if (f->rec.kind_flags & ~CKPT_SK_OPTIONS)
		return ckpt_fail("raw socket fd %u has unknown flags 0x%x", f->rec.fd, f->rec.kind_flags);
	size_t alen = addr_len(r->family);
	if ((r->sk.state != RAW_CONNECTED && r->sk.state != RAW_UNCONNECTED) ||
	    (r->sk.state == RAW_UNCONNECTED && !is_any(r->peer)) || !all_zero(r->local + alen, 16 - alen) ||
	    !all_zero(r->peer + alen, 16 - alen))
		return ckpt_fail("raw socket fd %u has a state %u or addresses a raw socket cannot have", f->rec.fd,
				 r->sk.state);
	bool icmp = r->family == AF_INET && r->protocol == IPPROTO_ICMP;
	bool icmp6 = r->family == AF_INET6 && r->protocol == IPPROTO_ICMPV6;
	if ((r->raw_flags & ~CKPT_RAW_HDRINCL) || (r->family != AF_INET && r->raw_flags) || (!icmp && r->icmp_filter) ||
	    (!icmp6 && !all_zero(r->icmp6_filter, sizeof(r->icmp6_filter))) ||
	    ((r->sk.opts & CKPT_SKO_V6ONLY) && r->family != AF_INET6))
		return ckpt_fail("raw socket fd %u has options its family or protocol does not have", f->rec.fd);
	if (r->sk.nmsgs || r->sk.backlog)
		return ckpt_fail("raw socket fd %u has queued messages or a backlog, which ckpt does not save", f->rec.fd);
	if (sk_check_common(&r->sk, &v.rest, 0, f->rec.fd, "raw") < 0 ||
	    sk_check_options(&v.opts, true, false, f->rec.fd, "raw") < 0)
		return -1;
	if (v.rest.at != v.rest.len)
		return ckpt_fail("raw socket fd %u has %zu bytes after its options", f->rec.fd, v.rest.len - v.rest.at);
	return 0;
}

/* ---- restart ---- */

static const char *family_text(uint32_t family)
{
	return family == AF_INET ? "raw" : "raw6";
}

static int raw_open(const struct process_image *p, const struct fd_image *f)
{
	struct raw_view v;
	view_of(f, &v); /* check_saved passed */
	const struct ckpt_fd_raw *r = &v.r;
	char what[96];
	snprintf(what, sizeof(what), "%s socket (protocol %u) fd %u of pid %u", family_text(r->family), r->protocol,
		 f->rec.fd, p->rec.pid);
	int fd = socket((int)r->family, SOCK_RAW | SOCK_CLOEXEC, (int)r->protocol);
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			return ckpt_fail("cannot make %s again: raw sockets need CAP_NET_RAW", what);
		return ckpt_fail_errno("cannot make %s again", what);
	}
	int one = 1;
	if (r->sk.opts & CKPT_SKO_V6ONLY)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (r->raw_flags & CKPT_RAW_HDRINCL)
		setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	if (r->icmp_filter) {
		struct icmp_filter flt = {r->icmp_filter};
		setsockopt(fd, SOL_RAW, ICMP_FILTER, &flt, sizeof(flt));
	}
	if (r->family == AF_INET6 && r->protocol == IPPROTO_ICMPV6) {
		struct icmp6_filter flt;
		memcpy(flt.data, r->icmp6_filter, sizeof(flt.data));
		setsockopt(fd, SOL_ICMPV6, ICMPV6_FILTER, &flt, sizeof(flt));
	}
	if (sk_common_restore(fd, &r->sk, &v.opts, true, what) < 0) {
		close(fd);
		return -1;
	}
	struct sockaddr_storage ss;
	char at[INET6_ADDRSTRLEN];
	if (!is_any(r->local)) {
		socklen_t l = to_sockaddr(r->family, r->local, &ss);
		if (bind(fd, (struct sockaddr *)&ss, l) < 0) {
			int e = errno;
			close(fd);
			addr_text(r->family, r->local, at, sizeof(at));
			errno = e;
			return ckpt_fail_errno("cannot bind %s to %s again", what, at);
		}
		sk_bind_nonlocal(fd, &v.opts, false);
	}
	if (r->sk.state == RAW_CONNECTED) {
		socklen_t l = to_sockaddr(r->family, r->peer, &ss);
		if (connect(fd, (struct sockaddr *)&ss, l) < 0) {
			int e = errno;
			close(fd);
			addr_text(r->family, r->peer, at, sizeof(at));
			errno = e;
			return ckpt_fail_errno("cannot connect %s to %s again", what, at);
		}
	}
	sk_set_status_flags(fd, f->rec.open_flags);
	return fd;
}

/* ---- ckpt info, ckpt check ---- */

static void raw_describe(const struct fd_image *f, struct buf *text, struct json *j)
{
	struct raw_view v;
	if (view_of(f, &v) < 0)
		return;
	const struct ckpt_fd_raw *r = &v.r;
	char local[INET6_ADDRSTRLEN] = "", peer[INET6_ADDRSTRLEN] = "";
	if (!is_any(r->local))
		addr_text(r->family, r->local, local, sizeof(local));
	if (r->sk.state == RAW_CONNECTED)
		addr_text(r->family, r->peer, peer, sizeof(peer));
	if (j) {
		json_object_begin(j, "socket");
		json_str(j, "family", r->family == AF_INET ? "ipv4" : "ipv6");
		json_str(j, "type", "raw");
		json_u64(j, "protocol", r->protocol);
		json_str(j, "local", local[0] ? local : NULL);
		json_str(j, "peer_address", peer[0] ? peer : NULL);
		json_bool(j, "hdrincl", r->raw_flags & CKPT_RAW_HDRINCL);
		json_object_end(j);
		return;
	}
	buf_printf(text, " %s protocol %u", family_text(r->family), r->protocol);
	if (local[0])
		buf_printf(text, " on %s", local);
	if (peer[0])
		buf_printf(text, " to %s", peer);
	if (r->raw_flags & CKPT_RAW_HDRINCL)
		buf_printf(text, ", IP_HDRINCL");
	if (r->icmp_filter || !all_zero(r->icmp6_filter, sizeof(r->icmp6_filter)))
		buf_printf(text, ", ICMP filter");
}

static void raw_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	(void)indent;
	raw_describe(f, out, NULL);
}

static void raw_describe_json(const struct fd_image *f, struct json *j)
{
	raw_describe(f, NULL, j);
}

static void raw_check_here(const struct process_image *p, const struct fd_image *f, struct portability_report *rep)
{
	struct raw_view v;
	if (view_of(f, &v) < 0)
		return;
	int fd = socket((int)v.r.family, SOCK_RAW | SOCK_CLOEXEC, (int)v.r.protocol);
	if (fd >= 0) {
		close(fd);
		return;
	}
	bool perm = errno == EPERM || errno == EACCES;
	portability_add(rep, "socket", PORTABILITY_PROBLEM,
			xasprintf("%s protocol %u", family_text(v.r.family), v.r.protocol),
			perm ? xasprintf("needs CAP_NET_RAW to be made again (fd %u of pid %u)", f->rec.fd, p->rec.pid)
			     : xasprintf("cannot be made here (fd %u of pid %u): %s", f->rec.fd, p->rec.pid, strerror(errno)),
			perm ? "restart as root" : NULL);
}

const struct fd_kind raw_fd_kind = {
	.kind = CKPT_FD_RAW,
	.name = "raw",
	.capture = raw_capture,
	.check_saved = raw_check_saved,
	.open = raw_open,
	.sock_protos = "RAW RAWv6",
	.describe_text = raw_describe_text,
	.describe_json = raw_describe_json,
	.check_here = raw_check_here,
};
