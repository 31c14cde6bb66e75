/*
 * Fds in flight of several kinds, queued in unix sockets across the checkpoint: a pipe's read
 * end, an eventfd with a count, one end of a socketpair, and a file in the scratch directory
 * (argv[2]) at an offset, all in one message, the program still holding each; and a unix socket
 * whose own queue holds a message with an fd.  Then fds in flight that no process holds any
 * more (the sender closed them): a pipe's read end whose write end the program keeps, both
 * ends of another pipe in two messages of a seqpacket socket, a file at an offset, and a
 * socket whose own queue holds a closed file.  After the checkpoint each is received and used.
 */
#include "common.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

static void send_fds(int sock, const char *tag, const int *fds, int n)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct iovec io = {(void *)tag, strlen(tag)};
	struct msghdr mh = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	CHECK(sendmsg(sock, &mh, 0) == (ssize_t)strlen(tag), "sendmsg");
}

/* Receives one message; returns its fd count, fds in fds, text in tag. */
static int recv_fds(int sock, char *tag, size_t cap, int *fds)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct iovec io = {tag, cap - 1};
	struct msghdr mh = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
	ssize_t r = recvmsg(sock, &mh, 0);
	CHECK(r > 0, "recvmsg");
	tag[r] = 0;
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)n);
		}
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int carrier[2], pipefd[2], pair[2];
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, carrier) == 0 && pipe(pipefd) == 0 &&
	      socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "make");
	int ev = eventfd(5, 0);
	char path[200];
	snprintf(path, sizeof(path), "%s/inflight.txt", argv[2]);
	int file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(ev >= 0 && file >= 0 && write(file, "0123456789", 10) == 10 && lseek(file, 4, SEEK_SET) == 4, "file");
	int kinds[4] = {pipefd[0], ev, pair[1], file};
	send_fds(carrier[0], "four kinds", kinds, 4);

	/* A socket whose own queue holds a message with an fd, itself in flight. */
	int inner[2];
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, inner) == 0, "inner");
	send_fds(inner[0], "inner pipe", &pipefd[1], 1);
	send_fds(carrier[0], "a socket", &inner[1], 1);

	/* In flight only. */
	int alone[2], both[2], seq[2], lone[2];
	char path2[200];
	snprintf(path2, sizeof(path2), "%s/alone.txt", argv[2]);
	int file2 = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(pipe(alone) == 0 && pipe(both) == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, seq) == 0 &&
		      socketpair(AF_UNIX, SOCK_DGRAM, 0, lone) == 0 && file2 >= 0 &&
		      write(file2, "abcdef", 6) == 6 && lseek(file2, 2, SEEK_SET) == 2,
	      "make the fds to send");
	int sent[2] = {alone[0], file2};
	send_fds(carrier[0], "alone", sent, 2);
	send_fds(seq[0], "read end", &both[0], 1);
	send_fds(seq[0], "write end", &both[1], 1);
	int inner_file = open(path2, O_RDONLY);
	CHECK(inner_file >= 0, "open");
	send_fds(lone[0], "inner file", &inner_file, 1);
	send_fds(carrier[0], "lone socket", &lone[1], 1);
	close(alone[0]);
	close(file2);
	close(both[0]);
	close(both[1]);
	close(inner_file);
	close(lone[1]);
	close(lone[0]);

	ready(argv[1]);
	for (int i = 0; i < 10; i++)
		nap_ms(100); /* long enough for a dump to start on a loaded machine */

	char tag[64];
	int got[8];
	CHECK(recv_fds(carrier[1], tag, sizeof(tag), got) == 4 && strcmp(tag, "four kinds") == 0, "four kinds");
	CHECK(write(pipefd[1], "p", 1) == 1, "pipe write");
	char c = 0;
	CHECK(read(got[0], &c, 1) == 1 && c == 'p', "the pipe in flight is the same pipe");
	uint64_t count = 0;
	CHECK(read(got[1], &count, sizeof(count)) == sizeof(count) && count == 5, "the eventfd in flight has its count");
	CHECK(write(pair[0], "s", 1) == 1 && read(got[2], &c, 1) == 1 && c == 's', "the socket in flight is the pair's end");
	CHECK(read(got[3], &c, 1) == 1 && c == '4', "the file in flight shares the offset");
	CHECK(recv_fds(carrier[1], tag, sizeof(tag), got) == 1 && strcmp(tag, "a socket") == 0, "a socket in flight");
	int sock = got[0];
	CHECK(recv_fds(sock, tag, sizeof(tag), got) == 1 && strcmp(tag, "inner pipe") == 0, "its own queue");
	CHECK(write(got[0], "q", 1) == 1 && read(pipefd[0], &c, 1) == 1 && c == 'q', "the pipe in its queue");
	CHECK(recv_fds(carrier[1], tag, sizeof(tag), got) == 2 && strcmp(tag, "alone") == 0, "in flight only");
	CHECK(write(alone[1], "a", 1) == 1 && read(got[0], &c, 1) == 1 && c == 'a', "the pipe end in flight only");
	CHECK(read(got[1], &c, 1) == 1 && c == 'c', "the file in flight only, at its offset");
	int r_end, w_end;
	CHECK(recv_fds(seq[1], tag, sizeof(tag), &r_end) == 1 && strcmp(tag, "read end") == 0 &&
		      recv_fds(seq[1], tag, sizeof(tag), &w_end) == 1 && strcmp(tag, "write end") == 0,
	      "both pipe ends in flight only");
	CHECK(write(w_end, "b", 1) == 1 && read(r_end, &c, 1) == 1 && c == 'b', "the two ends are one pipe");
	CHECK(recv_fds(carrier[1], tag, sizeof(tag), got) == 1 && strcmp(tag, "lone socket") == 0, "a socket in flight only");
	sock = got[0];
	CHECK(recv_fds(sock, tag, sizeof(tag), got) == 1 && strcmp(tag, "inner file") == 0 && read(got[0], &c, 1) == 1 &&
		      c == 'a',
	      "the file in its queue");
	unlink(path2);
	unlink(path);
	printf("in flight only: two pipes, a file and a socket with a file in its queue\n");
	printf("in flight: a pipe, an eventfd, a socket and a file; a socket with an fd in its own queue\n");
	return 0;
}
