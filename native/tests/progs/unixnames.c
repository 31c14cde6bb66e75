/*
 * Unix listeners at paths in the scratch directory (argv[2]), as servers hold them: one whose
 * socket file stays, with two connections it has not accepted yet; one whose path the program
 * removed, with a connection it accepted and one waiting; and a new listener bound at that same
 * path afterwards.  After the checkpoint the waiting connections are accepted and carry bytes
 * both ways, each path leads to the listener it led to, and the removed one stays removed.
 * The kept path's socket file keeps its mode (and, run as root, its owner).  A datagram socket
 * bound in a directory the program then removed, with more clients in children than ckpt's
 * first guess of a tree's size, gets a datagram from each, and the directory stays removed.
 */
#include "common.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define CLIENTS 9

static struct sockaddr_un addr_at(const char *path, socklen_t *len)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	return a;
}

static int listen_at(const char *path)
{
	socklen_t l;
	struct sockaddr_un a = addr_at(path, &l);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, l) == 0 && listen(fd, 8) == 0, path);
	return fd;
}

static int connect_to(const char *path)
{
	socklen_t l;
	struct sockaddr_un a = addr_at(path, &l);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&a, l) == 0, "connect");
	return fd;
}

/* A byte each way between a client and the server end it was accepted as. */
static void talk(int client, int server, char c, const char *what)
{
	char got = 0;
	CHECK(write(client, &c, 1) == 1 && read(server, &got, 1) == 1 && got == c, what);
	CHECK(write(server, &c, 1) == 1 && read(client, &got, 1) == 1 && got == c, what);
}

static bool named(int fd, const char *path)
{
	struct sockaddr_un a;
	socklen_t l = sizeof(a);
	return getsockname(fd, (struct sockaddr *)&a, &l) == 0 && strcmp(a.sun_path, path) == 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	char kept[100], gone[100];
	snprintf(kept, sizeof(kept), "%s/kept.sock", argv[2]);
	snprintf(gone, sizeof(gone), "%s/gone.sock", argv[2]);
	unlink(kept);
	unlink(gone);

	/* A datagram server in a directory that goes away, and clients connected to it by path,
	 * each in a child made before the other sockets. */
	char dir[100], dpath[120];
	snprintf(dir, sizeof(dir), "%s/gone.dir", argv[2]);
	snprintf(dpath, sizeof(dpath), "%s/dgram.sock", dir);
	unlink(dpath);
	rmdir(dir);
	CHECK(mkdir(dir, 0755) == 0, "mkdir");
	socklen_t dl;
	struct sockaddr_un da = addr_at(dpath, &dl);
	int dsrv = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(dsrv >= 0 && bind(dsrv, (struct sockaddr *)&da, dl) == 0, "bind the datagram server");
	pid_t clients[CLIENTS];
	int go[2];
	CHECK(pipe(go) == 0, "pipe");
	for (int i = 0; i < CLIENTS; i++) {
		int c = socket(AF_UNIX, SOCK_DGRAM, 0);
		CHECK(c >= 0 && connect(c, (struct sockaddr *)&da, dl) == 0, "connect a datagram client");
		if ((clients[i] = fork()) == 0) {
			char x;
			close(go[1]);
			close(dsrv);
			_exit(read(go[0], &x, 1) == 0 && send(c, "hi", 2, 0) == 2 ? 0 : 1);
		}
		close(c);
	}
	close(go[0]);
	CHECK(unlink(dpath) == 0 && rmdir(dir) == 0, "remove the datagram server's directory");

	int lk = listen_at(kept);
	int w1 = connect_to(kept), w2 = connect_to(kept); /* not accepted yet */
	bool root = geteuid() == 0;
	CHECK(chmod(kept, 0640) == 0 && (!root || chown(kept, 12345, 23456) == 0), "the kept path's mode and owner");

	int lg = listen_at(gone);
	int gc = connect_to(gone), gs = accept(lg, NULL, NULL);
	CHECK(gs >= 0, "accept");
	int gw = connect_to(gone); /* not accepted yet */
	CHECK(unlink(gone) == 0, "unlink");
	int ln = listen_at(gone); /* the server starts anew at the same path, the old listener still open */
	CHECK(write(gs, "queued", 6) == 6, "queue bytes");

	/* A datagram socket connected to its own name, with a datagram to itself queued. */
	char self[100];
	snprintf(self, sizeof(self), "%s/self.sock", argv[2]);
	unlink(self);
	socklen_t sl;
	struct sockaddr_un sa = addr_at(self, &sl);
	int me = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(me >= 0 && bind(me, (struct sockaddr *)&sa, sl) == 0 && connect(me, (struct sockaddr *)&sa, sl) == 0 &&
	      send(me, "me", 2, 0) == 2, "a datagram socket connected to itself");

	ready(argv[1]);
	for (int i = 0; i < 20; i++)
		nap_ms(100); /* long enough for a dump of its ten processes to start on a loaded machine */

	int a1 = accept(lk, NULL, NULL), a2 = accept(lk, NULL, NULL);
	CHECK(a1 >= 0 && a2 >= 0, "the waiting connections are accepted");
	talk(w1, a1, 'a', "first waiting connection");
	talk(w2, a2, 'b', "second waiting connection");
	int c3 = connect_to(kept), a3 = accept(lk, NULL, NULL);
	CHECK(a3 >= 0, "a new client at the kept path");
	talk(c3, a3, 'c', "new client");
	printf("kept path: 2 waiting connections accepted, a new one too\n");

	char buf[8] = {0};
	CHECK(read(gc, buf, 6) == 6 && memcmp(buf, "queued", 6) == 0, "bytes queued to the old listener's client");
	talk(gc, gs, 'd', "old listener's accepted connection");
	int aw = accept(lg, NULL, NULL);
	CHECK(aw >= 0, "the old listener's waiting connection is accepted");
	talk(gw, aw, 'e', "old listener's waiting connection");
	CHECK(named(lg, gone) && named(ln, gone), "both listeners have the path as their name");
	int c4 = connect_to(gone), a4 = accept(ln, NULL, NULL);
	CHECK(a4 >= 0, "the path leads to the new listener");
	talk(c4, a4, 'f', "new listener");
	struct stat st;
	CHECK(stat(gone, &st) == 0 && S_ISSOCK(st.st_mode), "the path is a socket");
	unlink(gone);
	CHECK(stat(gone, &st) < 0 && errno == ENOENT, "nothing else at the path");
	CHECK(stat(kept, &st) == 0 && (st.st_mode & 07777) == 0640 && (!root || (st.st_uid == 12345 && st.st_gid == 23456)),
	      "the kept path's socket file has its mode and owner");
	unlink(kept);
	printf("removed path: the old listener works on, the new one has the path\n");

	close(go[1]); /* the clients send */
	for (int i = 0; i < CLIENTS; i++) {
		int status;
		CHECK(waitpid(clients[i], &status, 0) == clients[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "a datagram client sent");
		CHECK(recv(dsrv, buf, sizeof(buf), 0) == 2 && memcmp(buf, "hi", 2) == 0, "the server got its datagram");
	}
	CHECK(stat(dir, &st) < 0 && errno == ENOENT, "the removed directory stays removed");
	printf("removed directory: %d datagram clients reach their server\n", CLIENTS);

	CHECK(recv(me, buf, sizeof(buf), 0) == 2 && memcmp(buf, "me", 2) == 0 && send(me, "again", 5, 0) == 5 &&
	      recv(me, buf, sizeof(buf), 0) == 5 && memcmp(buf, "again", 5) == 0 && named(me, self),
	      "the socket connected to itself has its datagram and reaches itself again");
	unlink(self);
	printf("self-connected: its datagram kept, and it reaches itself again\n");
	return 0;
}
