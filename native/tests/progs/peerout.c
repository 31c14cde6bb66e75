/*
 * Connections to peers outside the tree: argv[2] is the port of a TCP server on 127.0.0.1 and
 * argv[3] the path of a unix stream server, both run by the test.  The TCP server sends
 * "queued" at once and answers "ping" with "pong"; the unix server keeps quiet.  After the
 * checkpoint the program reads each connection and prints what it got.  A restart once the
 * program is gone rebuilds the TCP connection (CAP_NET_ADMIN): "queued", then "pong"; while
 * the saved program still holds it, it reports "Connection reset by peer".  The unix one
 * always reports the reset, never a silent end or /dev/null.
 * argv[4] is the path of a unix datagram socket outside the tree, still there at restart: the
 * datagram socket connected to it sends it a byte after the checkpoint.
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static const char *got(int fd, char *b, size_t size)
{
	ssize_t n = read(fd, b, size - 1);
	if (n < 0)
		return strerror(errno);
	b[n] = 0;
	return n == 0 ? "end of stream" : b;
}

static void report(const char *what, int fd)
{
	struct stat st;
	char b[16];
	printf("%s: %s, %s\n", what, fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? "a socket" : "not a socket",
	       got(fd, b, sizeof(b)));
}

/* What was queued for it at the checkpoint, then the answer to a ping sent after it. */
static void report_tcp(int fd)
{
	char b[16], c[16];
	const char *first = got(fd, b, sizeof(b));
	if (strcmp(first, "queued")) {
		printf("tcp: a socket, %s\n", first);
		return;
	}
	CHECK(write(fd, "ping", 4) == 4, "ping the tcp server");
	printf("tcp: a socket, %s then %s\n", first, got(fd, c, sizeof(c)));
}

int main(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons((uint16_t)atoi(argv[2]))};
	int t = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(t, (struct sockaddr *)&a, sizeof(a)) == 0, "connect to the tcp server");
	struct sockaddr_un u = {.sun_family = AF_UNIX};
	snprintf(u.sun_path, sizeof(u.sun_path), "%s", argv[3]);
	int x = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(x, (struct sockaddr *)&u, sizeof(u)) == 0, "connect to the unix server");
	snprintf(u.sun_path, sizeof(u.sun_path), "%s", argv[4]);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(connect(d, (struct sockaddr *)&u, sizeof(u)) == 0, "connect to the unix datagram socket");
	struct pollfd queued = {.fd = t, .events = POLLIN};
	CHECK(poll(&queued, 1, 10000) == 1, "the tcp server's bytes arrive");
	ready(argv[1]);
	nap_ms(300);
	report_tcp(t);
	report("unix", x);
	printf("unix dgram: %s\n", send(d, "d", 1, 0) == 1 ? "sent" : strerror(errno));
	return 0;
}
