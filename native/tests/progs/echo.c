/*
 * A loopback TCP echo server with its client inside the tree (a child).  At the checkpoint the
 * client's large request is in flight (part in the server's receive queue, part still in the
 * client's send queue), followed by the client's shutdown for writing, and the server's
 * greeting waits unread in the client's queue; a UDP pair has datagrams queued both ways.  The
 * parent also holds a connection whose server end said goodbye and closed, and one its
 * listener has not accepted yet.  Afterwards the server echoes the request, then serves the
 * waiting connection and a new client on the same port.  The port is whatever bind gave, so
 * parallel runs do not collide.
 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define REQUEST 300000
static const char greeting[] = "hello from the server\n";

static uint64_t pattern_hash(size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(i * 31 + i / 4096);
		h = fnv(h, &c, 1);
	}
	return h;
}

static void read_all(int fd, void *p, size_t n, const char *what)
{
	for (size_t at = 0; at < n;) {
		ssize_t r = read(fd, (char *)p + at, n - at);
		CHECK(r > 0, what);
		at += (size_t)r;
	}
}

static void write_all(int fd, const void *p, size_t n, const char *what)
{
	for (size_t at = 0; at < n;) {
		ssize_t w = write(fd, (const char *)p + at, n - at);
		CHECK(w > 0, what);
		at += (size_t)w;
	}
}

static int connect_to(const struct sockaddr_in *a)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && connect(c, (const struct sockaddr *)a, sizeof(*a)) == 0, "connect");
	return c;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int one = 1, lsn = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(lsn, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "reuseaddr");
	CHECK(bind(lsn, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lsn, 8) == 0, "listen");
	CHECK(getsockname(lsn, (struct sockaddr *)&a, &al) == 0, "port");

	/* A UDP server and a client connected to it. */
	struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, ca = ua;
	socklen_t ual = sizeof(ua), cal = sizeof(ca);
	int usrv = socket(AF_INET, SOCK_DGRAM, 0), ucli = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(bind(usrv, (struct sockaddr *)&ua, sizeof(ua)) == 0 && getsockname(usrv, (struct sockaddr *)&ua, &ual) == 0,
	      "udp server");
	CHECK(bind(ucli, (struct sockaddr *)&ca, sizeof(ca)) == 0 && getsockname(ucli, (struct sockaddr *)&ca, &cal) == 0 &&
		      connect(ucli, (struct sockaddr *)&ua, sizeof(ua)) == 0,
	      "udp client");

	int sent[2];
	CHECK(pipe(sent) == 0, "pipe");
	pid_t client = fork();
	if (client == 0) {
		close(lsn);
		close(usrv);
		int c = connect_to(&a);
		char *req = malloc(REQUEST);
		for (size_t i = 0; i < REQUEST; i++)
			req[i] = (char)(i * 31 + i / 4096);
		write_all(c, req, REQUEST, "client sends its request");
		CHECK(shutdown(c, SHUT_WR) == 0, "client has said everything");
		CHECK(send(ucli, "ping 1", 6, 0) == 6 && send(ucli, "ping 2!", 7, 0) == 7, "udp pings");
		CHECK(write(sent[1], "s", 1) == 1, "tell the server");
		nap_ms(600);
		char g[sizeof(greeting) - 1];
		read_all(c, g, sizeof(g), "client reads the greeting");
		CHECK(memcmp(g, greeting, sizeof(g)) == 0, "greeting");
		memset(req, 0, REQUEST);
		read_all(c, req, REQUEST, "client reads the echo");
		CHECK(fnv(14695981039346656037ull, req, REQUEST) == pattern_hash(REQUEST), "echo is the request");
		char b[16];
		CHECK(read(c, b, sizeof(b)) == 0, "server closes");
		CHECK(recv(ucli, b, sizeof(b), 0) == 6 && memcmp(b, "pong 1", 6) == 0, "udp pong 1");
		CHECK(recv(ucli, b, sizeof(b), 0) == 7 && memcmp(b, "pong 2!", 7) == 0, "udp pong 2");
		_exit(0);
	}
	close(sent[1]);
	int acc = accept(lsn, NULL, NULL);
	CHECK(acc >= 0, "accept");
	write_all(acc, greeting, sizeof(greeting) - 1, "greeting");
	CHECK(sendto(usrv, "pong 1", 6, 0, (struct sockaddr *)&ca, sizeof(ca)) == 6 &&
		      sendto(usrv, "pong 2!", 7, 0, (struct sockaddr *)&ca, sizeof(ca)) == 7,
	      "udp pongs");
	char s;
	CHECK(read(sent[0], &s, 1) == 1, "the client has sent everything");
	/* A connection whose server end says goodbye and closes, and one not accepted yet. */
	int bye = connect_to(&a), sbye = accept(lsn, NULL, NULL);
	CHECK(sbye >= 0 && write(sbye, "goodbye", 7) == 7 && close(sbye) == 0, "goodbye");
	int waiting = connect_to(&a);
	nap_ms(50);
	ready(argv[1]);
	nap_ms(1000); /* long enough for a dump to start on a loaded machine */

	char *req = malloc(REQUEST), b[16];
	read_all(acc, req, REQUEST, "server reads the request");
	CHECK(read(acc, b, 1) == 0, "the client shut down writing after its request");
	write_all(acc, req, REQUEST, "server echoes");
	close(acc);
	read_all(bye, b, 7, "the goodbye");
	CHECK(memcmp(b, "goodbye", 7) == 0 && read(bye, b, 1) == 0, "goodbye, then the end");
	int swait = accept(lsn, NULL, NULL);
	CHECK(swait >= 0 && write(waiting, "late", 4) == 4, "the waiting connection is accepted");
	read_all(swait, b, 4, "it works");
	close(swait);
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(usrv, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
	CHECK(n == 6 && memcmp(b, "ping 1", 6) == 0 && from.sin_port == ca.sin_port, "udp ping 1 from the client");
	CHECK(recv(usrv, b, sizeof(b), 0) == 7 && memcmp(b, "ping 2!", 7) == 0, "udp ping 2");
	int st;
	CHECK(waitpid(client, &st, 0) == client && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the first client is content");

	/* A new client on the same port. */
	pid_t second = fork();
	if (second == 0) {
		/* It talks once accepted: a checkpoint while it waits finds nothing in flight. */
		int c = connect_to(&a);
		char r[6];
		read_all(c, r, 2, "second client is accepted");
		if (write(c, "second", 6) != 6)
			_exit(1);
		read_all(c, r, 6, "second client reads its echo");
		_exit(memcmp(r, "second", 6) == 0 ? 0 : 1);
	}
	int acc2 = accept(lsn, NULL, NULL);
	CHECK(acc2 >= 0 && write(acc2, "go", 2) == 2, "accept the second client");
	read_all(acc2, b, 6, "the second request");
	write_all(acc2, b, 6, "the second echo");
	CHECK(waitpid(second, &st, 0) == second && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the second client is content");
	close(acc2);
	printf("first client: greeting and %d bytes echoed\n", REQUEST);
	printf("udp: 2 datagrams each way\ngoodbye read, then the end\nwaiting connection accepted\n");
	printf("second client served on the same port\n");
	return 0;
}
