/*
 * Sockets of the kinds beyond unix and inet, held across the checkpoint: raw IP sockets (an
 * IPv4 ICMP one bound to loopback with an ICMP filter, an IPv6 ICMPv6 one with its filter, an
 * IPv4 one of an experimental protocol with IP_HDRINCL and IP_TTL, and a pair of that protocol,
 * one bound and one connected, that carry a packet after the checkpoint), and netlink sockets
 * (a route socket at a port id of its own, in groups below and above 32, with NETLINK_EXT_ACK,
 * that asks the kernel for its links after the checkpoint; a pair of user sockets, one bound,
 * one connected to it, that carry a message).  Needs CAP_NET_RAW.
 * The program prints what it finds after the checkpoint, and fails on anything that changed.
 */
#include "common.h"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <sys/socket.h>

#define EXPERIMENTAL_PROTO 253 /* RFC 3692: for experiments, nobody else sends it */

static int get(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);
	CHECK(getsockopt(fd, level, name, &v, &l) == 0, "getsockopt");
	return v;
}

static void set(int fd, int level, int name, int v, const char *what)
{
	CHECK(setsockopt(fd, level, name, &v, sizeof(v)) == 0, what);
}

static const char *addr_of(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	CHECK(getsockname(fd, (struct sockaddr *)&ss, &l) == 0, "socket address");
	const void *a = ss.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
						: (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
	return inet_ntop(ss.ss_family, a, out, (socklen_t)n);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	int icmp = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	CHECK(icmp >= 0, "raw ICMP socket (needs CAP_NET_RAW)");
	CHECK(bind(icmp, (struct sockaddr *)&lo, sizeof(lo)) == 0, "bind the ICMP socket");
	struct icmp_filter flt = {1u << ICMP_TIMESTAMP};
	CHECK(setsockopt(icmp, SOL_RAW, ICMP_FILTER, &flt, sizeof(flt)) == 0, "ICMP_FILTER");

	int icmp6 = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	CHECK(icmp6 >= 0, "raw ICMPv6 socket");
	struct icmp6_filter flt6 = {{0}};
	flt6.data[0] = 0x5a5a;
	flt6.data[7] = 0x80000001u;
	CHECK(setsockopt(icmp6, SOL_ICMPV6, ICMPV6_FILTER, &flt6, sizeof(flt6)) == 0, "ICMPV6_FILTER");
	set(icmp6, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");

	int hdr = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, EXPERIMENTAL_PROTO);
	CHECK(hdr >= 0, "raw socket");
	set(hdr, IPPROTO_IP, IP_HDRINCL, 1, "IP_HDRINCL");
	set(hdr, IPPROTO_IP, IP_TTL, 9, "IP_TTL");
	set(hdr, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");

	int rx = socket(AF_INET, SOCK_RAW, EXPERIMENTAL_PROTO), tx = socket(AF_INET, SOCK_RAW, EXPERIMENTAL_PROTO);
	CHECK(rx >= 0 && tx >= 0, "raw pair");
	CHECK(bind(rx, (struct sockaddr *)&lo, sizeof(lo)) == 0, "bind rx");
	CHECK(connect(tx, (struct sockaddr *)&lo, sizeof(lo)) == 0, "connect tx");

	/* Port ids of our own, from our pid: no other socket has them. */
	uint32_t port = (uint32_t)getpid() | 0x40000000u;
	int rt = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	CHECK(rt >= 0, "netlink route socket");
	struct sockaddr_nl na = {.nl_family = AF_NETLINK, .nl_pid = port, .nl_groups = RTMGRP_LINK};
	CHECK(bind(rt, (struct sockaddr *)&na, sizeof(na)) == 0, "bind the route socket");
	set(rt, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 36, "join a group above 32 (RTNLGRP_STATS)");
	set(rt, SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
	uint32_t groups[4] = {0}, groups_after[4] = {0};
	socklen_t gl = sizeof(groups);
	CHECK(getsockopt(rt, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &gl) == 0, "NETLINK_LIST_MEMBERSHIPS");
	int us = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK), uc = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK);
	CHECK(us >= 0 && uc >= 0, "netlink user sockets");
	struct sockaddr_nl ua = {.nl_family = AF_NETLINK, .nl_pid = port + 1};
	CHECK(bind(us, (struct sockaddr *)&ua, sizeof(ua)) == 0 && connect(uc, (struct sockaddr *)&ua, sizeof(ua)) == 0,
	      "bind and connect the user sockets");

	ready(argv[1]);
	for (int i = 0; i < 10; i++)
		nap_ms(100);

	char a[64];
	socklen_t l = sizeof(flt);
	CHECK(getsockopt(icmp, SOL_RAW, ICMP_FILTER, &flt, &l) == 0 && flt.data == 1u << ICMP_TIMESTAMP, "ICMP_FILTER kept");
	printf("raw icmp on %s, filter kept\n", addr_of(icmp, a, sizeof(a)));
	struct icmp6_filter got6;
	l = sizeof(got6);
	CHECK(getsockopt(icmp6, SOL_ICMPV6, ICMPV6_FILTER, &got6, &l) == 0 && memcmp(&got6, &flt6, sizeof(got6)) == 0,
	      "ICMPV6_FILTER kept");
	CHECK(get(icmp6, IPPROTO_IPV6, IPV6_RECVPKTINFO) == 1, "IPV6_RECVPKTINFO kept");
	printf("raw icmpv6: filter and IPV6_RECVPKTINFO kept\n");
	CHECK(get(hdr, IPPROTO_IP, IP_HDRINCL) == 1 && get(hdr, IPPROTO_IP, IP_TTL) == 9 &&
		      get(hdr, IPPROTO_IP, IP_PKTINFO) == 1 && get(hdr, SOL_SOCKET, SO_PROTOCOL) == EXPERIMENTAL_PROTO &&
		      (fcntl(hdr, F_GETFL) & O_NONBLOCK),
	      "IP_HDRINCL, IP_TTL, IP_PKTINFO, protocol and O_NONBLOCK kept");
	printf("raw protocol %d: IP_HDRINCL, IP_TTL 9, IP_PKTINFO kept\n", get(hdr, SOL_SOCKET, SO_PROTOCOL));

	CHECK(send(tx, "hello raw", 9, 0) == 9, "send over the connected raw socket (no address given)");
	char pkt[256];
	ssize_t n = recv(rx, pkt, sizeof(pkt), 0);
	struct iphdr *ip = (struct iphdr *)pkt;
	CHECK(n == (ssize_t)(ip->ihl * 4 + 9) && memcmp(pkt + ip->ihl * 4, "hello raw", 9) == 0 &&
		      ip->protocol == EXPERIMENTAL_PROTO,
	      "the bound raw socket receives the packet");
	printf("raw pair: connected from %s, carries a packet\n", addr_of(tx, a, sizeof(a)));

	socklen_t al = sizeof(na);
	CHECK(getsockname(rt, (struct sockaddr *)&na, &al) == 0 && na.nl_pid == port && na.nl_groups == RTMGRP_LINK,
	      "route socket's port id and first groups kept");
	gl = sizeof(groups_after);
	CHECK(getsockopt(rt, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups_after, &gl) == 0 &&
		      memcmp(groups, groups_after, sizeof(groups)) == 0 && get(rt, SOL_NETLINK, NETLINK_EXT_ACK) == 1,
	      "route socket's groups and NETLINK_EXT_ACK kept");
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {{sizeof(req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0}, {.ifi_family = AF_UNSPEC}};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	CHECK(sendto(rt, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) == sizeof(req), "ask for links");
	static char reply[65536];
	bool lo_seen = false;
	for (bool done = false; !done;) {
		ssize_t got = recv(rt, reply, sizeof(reply), 0);
		CHECK(got > 0, "the kernel answers");
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 1 && h->nlmsg_pid == port &&
			    ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_flags & IFF_LOOPBACK)
				lo_seen = true;
		}
	}
	CHECK(lo_seen, "the kernel lists the loopback link to the route socket's port id");
	printf("netlink route socket: port id, groups and NETLINK_EXT_ACK kept, lists links\n");
	CHECK(send(uc, "hello netlink", 13, 0) == 13, "send over the connected user socket (no address given)");
	char msg[64];
	struct sockaddr_nl from;
	al = sizeof(from);
	CHECK(recvfrom(us, msg, sizeof(msg), 0, (struct sockaddr *)&from, &al) == 13 && memcmp(msg, "hello netlink", 13) == 0,
	      "the bound user socket receives it");
	CHECK(getsockname(uc, (struct sockaddr *)&na, &al) == 0 && na.nl_pid == from.nl_pid, "from the connected one");
	printf("netlink user pair carries a message\n");
	return 0;
}
