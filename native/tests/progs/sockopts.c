/*
 * Socket options held across the checkpoint: a unix stream pair, a TCP listener and a TCP
 * connection inside the tree (IPv4), and a UDP socket (IPv6), each with options a program sets
 * (buffers and their locks, timeouts, linger, keepalive timers, TOS, TTL, cork, a bound
 * interface, socket filters...), and a unix pair shut down one way; two TCP listeners sharing a
 * port through SO_REUSEPORT, which the first cleared since; a UDP socket shut down for writing
 * and a UDP-Lite socket; UDP sockets bound with IP_FREEBIND to an address this machine lacks.
 * Every option is read before the checkpoint and again after it; the program prints the values
 * it set, and fails on any that changed.
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/time.h>

#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72
#endif

struct opt {
	const char *what;
	int fd, level, name;
	int set;       /* the value set; 0: only compared */
	int before;
};

static struct opt opts[64];
static size_t nopts;

static int get(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);
	CHECK(getsockopt(fd, level, name, &v, &l) == 0, "getsockopt");
	return v;
}

/* Sets an option (set != 0) and remembers it to be compared after the checkpoint. */
static void keep(const char *what, int fd, int level, int name, int set)
{
	if (set)
		CHECK(setsockopt(fd, level, name, &set, sizeof(set)) == 0, what);
	opts[nopts++] = (struct opt){what, fd, level, name, set, 0};
}

static void snapshot_before(void)
{
	for (size_t i = 0; i < nopts; i++)
		opts[i].before = get(opts[i].fd, opts[i].level, opts[i].name);
}

static void compare_after(void)
{
	for (size_t i = 0; i < nopts; i++) {
		int now = get(opts[i].fd, opts[i].level, opts[i].name);
		if (now != opts[i].before) {
			printf("FAILED CHECK: %s was %d, is %d\n", opts[i].what, opts[i].before, now);
			exit(3);
		}
		if (opts[i].set)
			printf("%s: %d\n", opts[i].what, now);
	}
}

static void linger_is(int fd, int secs, const char *what)
{
	struct linger lg;
	socklen_t l = sizeof(lg);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &l) == 0 && lg.l_onoff == 1 && lg.l_linger == secs, what);
}

static void timeout_is(int fd, int name, long usec, const char *what)
{
	struct timeval tv;
	socklen_t l = sizeof(tv);
	CHECK(getsockopt(fd, SOL_SOCKET, name, &tv, &l) == 0 && tv.tv_sec * 1000000L + tv.tv_usec == usec, what);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	signal(SIGPIPE, SIG_IGN);

	/* A unix stream pair with socket-level options on one end. */
	int u[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, u) == 0, "socketpair");
	keep("unix SO_RCVBUF", u[0], SOL_SOCKET, SO_RCVBUF, 0);
	keep("unix SO_SNDBUF", u[0], SOL_SOCKET, SO_SNDBUF, 0);
	int rb = 50000, sb = 70000;
	CHECK(setsockopt(u[0], SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb)) == 0, "unix rcvbuf");
	CHECK(setsockopt(u[0], SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb)) == 0, "unix sndbuf");
	keep("unix SO_PASSCRED", u[0], SOL_SOCKET, SO_PASSCRED, 1);
	keep("unix SO_OOBINLINE", u[0], SOL_SOCKET, SO_OOBINLINE, 1);
	keep("unix SO_PRIORITY", u[0], SOL_SOCKET, SO_PRIORITY, 3);
	keep("unix SO_RCVLOWAT", u[0], SOL_SOCKET, SO_RCVLOWAT, 5);
	struct linger lg = {1, 7};
	CHECK(setsockopt(u[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "unix linger");
	struct timeval tv = {2, 500000};
	CHECK(setsockopt(u[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "unix rcvtimeo");
	tv = (struct timeval){0, 200000}; /* whole jiffies at any usual HZ */
	CHECK(setsockopt(u[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0, "unix sndtimeo");
	CHECK(fcntl(u[0], F_SETFL, O_NONBLOCK) == 0 && fcntl(u[1], F_SETFD, FD_CLOEXEC) == 0, "fd flags");

	/* A unix pair shut down one way: ends[0] sends no more. */
	int sh[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sh) == 0 && shutdown(sh[0], SHUT_WR) == 0, "shutdown");

	/* A TCP listener on loopback, a connection to it and its accepted end. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(l >= 0, "tcp socket");
	keep("listener SO_REUSEADDR", l, SOL_SOCKET, SO_REUSEADDR, 1);
	keep("listener TCP_NODELAY", l, IPPROTO_TCP, TCP_NODELAY, 1);
	keep("listener TCP_KEEPIDLE", l, IPPROTO_TCP, TCP_KEEPIDLE, 77);
	keep("listener IP_TOS", l, IPPROTO_IP, IP_TOS, 0x10);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 8) == 0, "listen");
	CHECK(getsockname(l, (struct sockaddr *)&a, &alen) == 0, "getsockname");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept");
	keep("client TCP_NODELAY", c, IPPROTO_TCP, TCP_NODELAY, 1);
	keep("client TCP_CORK", c, IPPROTO_TCP, TCP_CORK, 1);
	keep("client SO_KEEPALIVE", c, SOL_SOCKET, SO_KEEPALIVE, 1);
	keep("client TCP_KEEPIDLE", c, IPPROTO_TCP, TCP_KEEPIDLE, 120);
	keep("client TCP_KEEPINTVL", c, IPPROTO_TCP, TCP_KEEPINTVL, 15);
	keep("client TCP_KEEPCNT", c, IPPROTO_TCP, TCP_KEEPCNT, 4);
	keep("client TCP_USER_TIMEOUT", c, IPPROTO_TCP, TCP_USER_TIMEOUT, 12345);
	keep("client IP_TOS", c, IPPROTO_IP, IP_TOS, 0x08);
	keep("client IP_TTL", c, IPPROTO_IP, IP_TTL, 33);
	keep("client SO_PRIORITY", c, SOL_SOCKET, SO_PRIORITY, 4);
	keep("server IP_TTL", s, IPPROTO_IP, IP_TTL, 0); /* the system's default, left as it is */
	keep("server TCP_KEEPCNT", s, IPPROTO_TCP, TCP_KEEPCNT, 0);
	keep("server SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT, 3);
	lg = (struct linger){1, 0};
	CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "tcp linger");
	int mark = 42;
	bool marked = setsockopt(s, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0; /* needs CAP_NET_ADMIN */
	keep("server SO_MARK (0 without CAP_NET_ADMIN)", s, SOL_SOCKET, SO_MARK, 0);

	/* A UDP socket over IPv6. */
	int d = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK(d >= 0, "udp socket");
	keep("udp IPV6_V6ONLY", d, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	keep("udp IPV6_TCLASS", d, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
	keep("udp IPV6_UNICAST_HOPS", d, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 17);
	keep("udp SO_BROADCAST", d, SOL_SOCKET, SO_BROADCAST, 1);
	keep("udp SO_PRIORITY", d, SOL_SOCKET, SO_PRIORITY, 5);
	keep("udp SO_RCVBUF", d, SOL_SOCKET, SO_RCVBUF, 0);
	rb = 40000;
	CHECK(setsockopt(d, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb)) == 0, "udp rcvbuf");
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	CHECK(bind(d, (struct sockaddr *)&a6, sizeof(a6)) == 0, "udp bind");

	/* Two listeners on one port through SO_REUSEPORT; the first clears it once bound. */
	int rp[2], one = 1, zero = 0;
	struct sockaddr_in ra = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	for (int i = 0; i < 2; i++) {
		socklen_t rl = sizeof(ra);
		rp[i] = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(rp[i] >= 0 && setsockopt(rp[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0 &&
			      bind(rp[i], (struct sockaddr *)&ra, sizeof(ra)) == 0 && listen(rp[i], 4) == 0 &&
			      getsockname(rp[i], (struct sockaddr *)&ra, &rl) == 0,
		      "a listener with SO_REUSEPORT");
	}
	CHECK(setsockopt(rp[0], SOL_SOCKET, SO_REUSEPORT, &zero, sizeof(zero)) == 0, "clear SO_REUSEPORT");

	/* A UDP socket shut down for writing, and a UDP-Lite socket bound on loopback. */
	int dw = socket(AF_INET, SOCK_DGRAM, 0), lite = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	struct sockaddr_in la = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t llen = sizeof(la);
	CHECK(lite >= 0 && bind(lite, (struct sockaddr *)&la, sizeof(la)) == 0 &&
		      getsockname(lite, (struct sockaddr *)&la, &llen) == 0,
	      "udp-lite bind");
	CHECK(dw >= 0 && connect(dw, (struct sockaddr *)&la, sizeof(la)) == 0 && shutdown(dw, SHUT_WR) == 0,
	      "udp shutdown");
	/* Options on/off, buffer locks, a bound interface. */
	keep("unix SO_PASSSEC", u[0], SOL_SOCKET, SO_PASSSEC, 1);
	keep("client SO_DONTROUTE", c, SOL_SOCKET, SO_DONTROUTE, 1);
	keep("client SO_NO_CHECK", c, SOL_SOCKET, SO_NO_CHECK, 1);
	keep("client SO_BUF_LOCK", c, SOL_SOCKET, SO_BUF_LOCK, 2);
	keep("unix SO_BUF_LOCK (locked by SO_RCVBUF, SO_SNDBUF)", u[0], SOL_SOCKET, SO_BUF_LOCK, 0);
	CHECK(setsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0, "udp SO_BINDTODEVICE");

	/* UDP sockets bound to an address this machine lacks (TEST-NET-2), with IP_FREEBIND on, and
	 * with IP_FREEBIND cleared once bound. */
	int fb[2];
	for (int i = 0; i < 2; i++) {
		fb[i] = socket(AF_INET, SOCK_DGRAM, 0);
		CHECK(fb[i] >= 0, "freebind socket");
		keep(i ? "freebind-then-cleared IP_FREEBIND" : "freebind IP_FREEBIND", fb[i], IPPROTO_IP, IP_FREEBIND, 1);
		struct sockaddr_in na = {.sin_family = AF_INET, .sin_port = htons(i ? 40778 : 40777)};
		inet_pton(AF_INET, "198.51.100.7", &na.sin_addr);
		CHECK(bind(fb[i], (struct sockaddr *)&na, sizeof(na)) == 0, "bind a foreign address");
	}
	CHECK(setsockopt(fb[1], IPPROTO_IP, IP_FREEBIND, &zero, sizeof(zero)) == 0, "clear IP_FREEBIND");

	/* A classic BPF filter on the UDP socket (keep datagrams of 1 to 1000 bytes), locked, and
	 * one unlocked on a freebind socket. */
	struct sock_filter flt[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 1000, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {4, flt};
	CHECK(setsockopt(d, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0 &&
		      setsockopt(fb[0], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0,
	      "SO_ATTACH_FILTER");
	keep("udp SO_LOCK_FILTER", d, SOL_SOCKET, SO_LOCK_FILTER, 1);

	snapshot_before();
	CHECK(get(u[0], SOL_SOCKET, SO_RCVBUF) >= 50000 && get(d, SOL_SOCKET, SO_RCVBUF) >= 40000, "buffers set");
	ready(argv[1]);
	for (int i = 0; i < 10; i++)
		nap_ms(100); /* long enough for a dump to start on a loaded machine */

	compare_after();
	linger_is(u[0], 7, "unix SO_LINGER");
	linger_is(s, 0, "server SO_LINGER");
	timeout_is(u[0], SO_RCVTIMEO, 2500000, "unix SO_RCVTIMEO");
	timeout_is(u[0], SO_SNDTIMEO, 200000, "unix SO_SNDTIMEO");
	CHECK((fcntl(u[0], F_GETFL) & O_NONBLOCK) && !(fcntl(u[1], F_GETFL) & O_NONBLOCK), "O_NONBLOCK");
	CHECK((fcntl(u[1], F_GETFD) & FD_CLOEXEC) && !(fcntl(u[0], F_GETFD) & FD_CLOEXEC), "FD_CLOEXEC");
	CHECK(!marked || get(s, SOL_SOCKET, SO_MARK) == 42, "server SO_MARK");
	char dev[16] = "";
	socklen_t dl = sizeof(dev);
	CHECK(getsockopt(d, SOL_SOCKET, SO_BINDTODEVICE, dev, &dl) == 0 && strcmp(dev, "lo") == 0, "udp SO_BINDTODEVICE kept");
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in na;
		socklen_t nl = sizeof(na);
		char at[32];
		CHECK(getsockname(fb[i], (struct sockaddr *)&na, &nl) == 0, "getsockname");
		printf("freebind socket %d bound to %s:%u\n", i, inet_ntop(AF_INET, &na.sin_addr, at, sizeof(at)),
		       ntohs(na.sin_port));
	}
	struct sock_filter got_flt[8];
	for (int i = 0; i < 2; i++) {
		socklen_t fl = 8; /* in instructions */
		memset(got_flt, 0, sizeof(got_flt));
		CHECK(getsockopt(i ? fb[0] : d, SOL_SOCKET, SO_GET_FILTER, got_flt, &fl) == 0 && fl == 4 &&
			      memcmp(got_flt, flt, sizeof(flt)) == 0,
		      "socket filter kept");
	}
	CHECK(setsockopt(d, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero)) < 0 && errno == EPERM &&
		      setsockopt(fb[0], SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero)) == 0,
	      "the locked filter stays, the other one can go");
	printf("linger, timeouts, fd flags, mark, bound device and filters: kept\n");

	/* The shutdown holds: the peer reads the end, the shut end cannot send. */
	char b;
	CHECK(read(sh[1], &b, 1) == 0, "shut down end reads the end of the stream");
	CHECK(write(sh[0], "x", 1) < 0 && errno == EPIPE, "shut down end cannot send");
	CHECK(write(sh[1], "y", 1) == 1 && read(sh[0], &b, 1) == 1 && b == 'y', "the other way still works");
	printf("shutdown: kept\n");

	/* The connection and the listener still work, corked or not. */
	CHECK(write(s, "ping", 4) == 4, "server writes");
	char got[8] = {0};
	for (size_t at = 0; at < 4;) {
		ssize_t r = read(c, got + at, 4 - at);
		CHECK(r > 0, "client reads");
		at += (size_t)r;
	}
	CHECK(memcmp(got, "ping", 4) == 0, "client reads ping");
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c2 >= 0 && connect(c2, (struct sockaddr *)&a, sizeof(a)) == 0, "connect again");
	int s2 = accept(l, NULL, NULL);
	CHECK(s2 >= 0 && get(s2, IPPROTO_TCP, TCP_NODELAY) == 1 && get(s2, IPPROTO_TCP, TCP_KEEPIDLE) == 77,
	      "a new connection inherits the listener's options");
	printf("tcp: works\n");

	CHECK(get(rp[0], SOL_SOCKET, SO_REUSEPORT) == 0 && get(rp[1], SOL_SOCKET, SO_REUSEPORT) == 1,
	      "SO_REUSEPORT as the listeners had it");
	for (int i = 0; i < 4; i++) {
		int rc = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(rc >= 0 && connect(rc, (struct sockaddr *)&ra, sizeof(ra)) == 0, "connect to the shared port");
		close(rc);
	}
	printf("shared port: both listen\n");

	CHECK(send(dw, "x", 1, MSG_DONTWAIT) < 0 && errno == EPIPE, "udp shut down for writing cannot send");
	CHECK(sendto(lite, "lite", 4, 0, (struct sockaddr *)&la, sizeof(la)) == 4 && recv(lite, got, sizeof(got), 0) == 4 &&
		      memcmp(got, "lite", 4) == 0,
	      "udp-lite sends to itself");
	CHECK(get(lite, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_UDPLITE, "udp-lite is udp-lite");
	printf("udp shutdown and udp-lite: kept\n");
	return 0;
}
