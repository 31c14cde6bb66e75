/*
 * Connections to peers outside the tree: argv[2] is the port of a TCP server on 127.0.0.1 and
 * argv[3] the path of a unix stream server, both run by the test, which accept and then keep
 * quiet.  After the checkpoint the program reads each connection once and prints what it got:
 * a restart must give "Connection reset by peer" for both, never a silent end or /dev/null.
 * argv[4] is the path of a unix datagram socket outside the tree, still there at restart: the
 * datagram socket connected to it sends it a byte after the checkpoint.
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static void report(const char *what, int fd)
{
	struct stat st;
	char b[16];
	ssize_t n = read(fd, b, sizeof(b));
	int e = errno;
	printf("%s: %s, %s\n", what, fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? "a socket" : "not a socket",
	       n < 0 ? strerror(e) : n == 0 ? "end of stream" : "data");
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
	ready(argv[1]);
	nap_ms(300);
	report("tcp", t);
	report("unix", x);
	printf("unix dgram: %s\n", send(d, "d", 1, 0) == 1 ? "sent" : strerror(errno));
	return 0;
}
