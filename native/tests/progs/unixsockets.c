/*
 * Unix sockets held across the checkpoint, each with bytes queued in both directions: a stream
 * socketpair shared with a child, stream, datagram and seqpacket pairs, an fd in flight, a
 * datagram socket with an abstract name that a named and an unnamed socket send to, and a
 * listener at a path in the scratch directory (argv[2]) with a connection it accepted; a
 * stream and a seqpacket pair whose peer was closed with messages (one of no bytes) left in
 * flight, and a seqpacket pair with one end shut down for writing.  After the checkpoint
 * everything is read back and checked, and the listener accepts a new client.
 */
#include "common.h"

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static void fill(char *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + (size_t)seed) % 26);
}

/* Reads exactly n bytes (the stream may come in pieces) and checks them against the pattern. */
static void read_pattern(int fd, size_t n, int seed, const char *what)
{
	char *want = malloc(n), *got = malloc(n);
	fill(want, n, seed);
	size_t at = 0;
	while (at < n) {
		ssize_t r = read(fd, got + at, n - at);
		CHECK(r > 0, what);
		at += (size_t)r;
	}
	CHECK(memcmp(want, got, n) == 0, what);
	free(want);
	free(got);
}

static void write_pattern(int fd, size_t n, int seed)
{
	char *p = malloc(n);
	fill(p, n, seed);
	CHECK(write(fd, p, n) == (ssize_t)n, "write pattern");
	free(p);
}

static struct sockaddr_un addr_at(const char *path, socklen_t *len)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	return a;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	char path[100];
	snprintf(path, sizeof(path), "%s/listen.sock", argv[2]);
	unlink(path);

	/* A stream socketpair shared with a child: each side writes, and reads only later. */
	int shared[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, shared) == 0, "socketpair shared");
	pid_t child = fork();
	if (child == 0) {
		close(shared[0]);
		write_pattern(shared[1], 5000, 1);
		nap_ms(600);
		read_pattern(shared[1], 7000, 2, "child reads what the parent queued");
		CHECK(write(shared[1], "ok", 2) == 2, "child answers");
		_exit(0);
	}
	close(shared[1]);
	write_pattern(shared[0], 7000, 2);

	/* Pairs of each type with messages queued both ways. */
	int st[2], dg[2], sp[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, st) == 0, "socketpair stream");
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) == 0, "socketpair dgram");
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "socketpair seqpacket");
	write_pattern(st[0], 3000, 3);
	write_pattern(st[1], 100, 4);
	const char *msgs[] = {"one", "", "three!", "four four"};
	for (int i = 0; i < 4; i++) {
		CHECK(send(dg[0], msgs[i], strlen(msgs[i]), 0) == (ssize_t)strlen(msgs[i]), "dgram send");
		CHECK(send(sp[1], msgs[3 - i], strlen(msgs[3 - i]), 0) == (ssize_t)strlen(msgs[3 - i]), "seqpacket send");
	}
	CHECK(send(dg[1], "back", 4, 0) == 4 && send(sp[0], "BACK", 4, 0) == 4, "sends back");
	shutdown(st[1], SHUT_WR); /* st[0] reads its 100 bytes, then the end of the stream */

	/* An fd in flight: the write end of a pipe, sent with a message; the parent keeps it too. */
	int pp[2];
	CHECK(pipe(pp) == 0, "pipe");
	{
		char ctl[CMSG_SPACE(sizeof(int))];
		struct iovec io = {"fd", 2};
		struct msghdr mh = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pp[1], sizeof(int));
		CHECK(sendmsg(dg[0], &mh, 0) == 2, "send an fd");
	}

	/* A datagram socket with an abstract name, sent to from a named and an unnamed socket. */
	struct sockaddr_un ab = {.sun_family = AF_UNIX}, nb = {.sun_family = AF_UNIX};
	int ablen = snprintf(ab.sun_path + 1, sizeof(ab.sun_path) - 1, "ckpt-test-%d", getpid()) + 1;
	int nblen = snprintf(nb.sun_path + 1, sizeof(nb.sun_path) - 1, "ckpt-test-%d-sender", getpid()) + 1;
	socklen_t abl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)ablen);
	socklen_t nbl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)nblen);
	int server = socket(AF_UNIX, SOCK_DGRAM, 0), named = socket(AF_UNIX, SOCK_DGRAM, 0),
	    anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(server, (struct sockaddr *)&ab, abl) == 0 && bind(named, (struct sockaddr *)&nb, nbl) == 0, "bind abstract");
	CHECK(sendto(named, "from named", 10, 0, (struct sockaddr *)&ab, abl) == 10, "sendto named");
	CHECK(sendto(anon, "from anon", 9, 0, (struct sockaddr *)&ab, abl) == 9, "sendto anon");

	/* A listener at a path with a connection it accepted, bytes queued both ways. */
	socklen_t al;
	struct sockaddr_un la = addr_at(path, &al);
	int lsn = socket(AF_UNIX, SOCK_STREAM, 0), cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(lsn, (struct sockaddr *)&la, al) == 0 && listen(lsn, 4) == 0, "listen");
	CHECK(connect(cl, (struct sockaddr *)&la, al) == 0, "connect");
	int acc = accept(lsn, NULL, NULL);
	CHECK(acc >= 0, "accept");
	write_pattern(cl, 2000, 5);
	write_pattern(acc, 1500, 6);

	/* Peers closed, and shut down, with messages left: each reads them, then the end. */
	int cs[2], cq[2], sh[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, cs) == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, cq) == 0 &&
		      socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sh) == 0,
	      "socketpairs with closed peers");
	CHECK(write(cs[1], "bye", 3) == 3 && send(cq[1], "last", 4, 0) == 4 && send(cq[1], "", 0, 0) == 0 &&
		      send(sh[1], "x", 1, 0) == 1,
	      "send before the close");
	close(cs[1]);
	close(cq[1]);
	shutdown(sh[1], SHUT_WR);

	nap_ms(100);
	ready(argv[1]);
	nap_ms(1000); /* long enough for a dump to start on a loaded machine */

	/* Everything queued is still there, in order and with its boundaries. */
	read_pattern(shared[0], 5000, 1, "parent reads what the child queued");
	read_pattern(st[1], 3000, 3, "stream pair, one way");
	read_pattern(st[0], 100, 4, "stream pair, other way");
	char b[64];
	CHECK(read(st[0], b, sizeof(b)) == 0, "stream pair: end of stream after the shutdown");
	for (int i = 0; i < 4; i++) {
		ssize_t n = recv(dg[1], b, sizeof(b), 0);
		CHECK(n == (ssize_t)strlen(msgs[i]) && memcmp(b, msgs[i], (size_t)n) == 0, "dgram message");
		n = recv(sp[0], b, sizeof(b), 0);
		CHECK(n == (ssize_t)strlen(msgs[3 - i]) && memcmp(b, msgs[3 - i], (size_t)n) == 0, "seqpacket message");
	}
	CHECK(recv(dg[0], b, sizeof(b), 0) == 4 && memcmp(b, "back", 4) == 0, "dgram back");
	CHECK(recv(sp[1], b, sizeof(b), 0) == 4 && memcmp(b, "BACK", 4) == 0, "seqpacket back");
	{
		char ctl[CMSG_SPACE(sizeof(int))];
		struct iovec io = {b, sizeof(b)};
		struct msghdr mh = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
		CHECK(recvmsg(dg[1], &mh, 0) == 2, "receive the fd");
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		CHECK(c && c->cmsg_type == SCM_RIGHTS, "an fd came with it");
		int w;
		memcpy(&w, CMSG_DATA(c), sizeof(int));
		CHECK(write(w, "through", 7) == 7, "write through the received fd");
		close(w);
		CHECK(read(pp[0], b, 7) == 7 && memcmp(b, "through", 7) == 0, "the pipe got it");
	}
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(server, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
	CHECK(n == 10 && memcmp(b, "from named", 10) == 0, "abstract socket: first datagram");
	CHECK(fl == nbl && memcmp(from.sun_path, nb.sun_path, (size_t)nblen) == 0, "abstract socket: its sender's name");
	n = recv(server, b, sizeof(b), 0);
	CHECK(n == 9 && memcmp(b, "from anon", 9) == 0, "abstract socket: second datagram");
	CHECK(read(cs[0], b, sizeof(b)) == 3 && memcmp(b, "bye", 3) == 0 && read(cs[0], b, sizeof(b)) == 0,
	      "stream pair with a closed peer: its bytes, then the end of the stream");
	CHECK(recv(cq[0], b, sizeof(b), 0) == 4 && memcmp(b, "last", 4) == 0 && recv(cq[0], b, sizeof(b), 0) == 0 &&
		      recv(cq[0], b, sizeof(b), MSG_DONTWAIT) == 0,
	      "seqpacket pair with a closed peer: its messages, then the end");
	CHECK(recv(sh[0], b, sizeof(b), 0) == 1 && recv(sh[0], b, sizeof(b), MSG_DONTWAIT) == 0 &&
		      send(sh[0], "y", 1, 0) == 1 && recv(sh[1], b, sizeof(b), 0) == 1 && b[0] == 'y',
	      "seqpacket pair shut down one way: its message, the end, and the other way still works");
	read_pattern(acc, 2000, 5, "accepted connection");
	read_pattern(cl, 1500, 6, "connecting end");
	struct sockaddr_un sn;
	socklen_t snl = sizeof(sn);
	CHECK(getpeername(cl, (struct sockaddr *)&sn, &snl) == 0 && strcmp(sn.sun_path, path) == 0,
	      "the client's peer is the listener's path");
	snl = sizeof(sn);
	CHECK(getsockname(acc, (struct sockaddr *)&sn, &snl) == 0 && strcmp(sn.sun_path, path) == 0,
	      "the accepted socket has the listener's path");

	/* The listener takes a new client. */
	pid_t late = fork();
	if (late == 0) {
		/* It writes once accepted: bytes sent to a connection not accepted yet cannot be saved. */
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		char go[2];
		if (connect(c, (struct sockaddr *)&la, al) < 0 || read(c, go, 2) != 2 || write(c, "new client", 10) != 10)
			_exit(1);
		_exit(0);
	}
	int acc2 = accept(lsn, NULL, NULL);
	CHECK(acc2 >= 0 && write(acc2, "go", 2) == 2, "accept a new client");
	CHECK(read(acc2, b, 10) == 10 && memcmp(b, "new client", 10) == 0, "a new client after the checkpoint");
	CHECK(read(shared[0], b, 2) == 2 && memcmp(b, "ok", 2) == 0, "the child's answer");
	int s1, s2;
	CHECK(waitpid(child, &s1, 0) == child && waitpid(late, &s2, 0) == late, "wait");
	CHECK(WIFEXITED(s1) && WEXITSTATUS(s1) == 0 && WIFEXITED(s2) && WEXITSTATUS(s2) == 0, "children exit 0");
	unlink(path);
	printf("shared pair 5000+7000 bytes\nstream, dgram and seqpacket pairs: every message\n");
	printf("fd in flight works\nabstract name: 2 datagrams\nlistener: old and new connection\n");
	printf("closed and shut down peers: their messages, then the end\n");
	return 0;
}
