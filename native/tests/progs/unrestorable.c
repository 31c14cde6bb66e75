/*
 * Holds what restart cannot rebuild: a packet socket (needs CAP_NET_RAW), a pidfd of its parent (outside the tree),
 * a deleted named FIFO, a deleted directory, a pseudo-terminal pair it opened (master and slave),
 * and a working directory that was deleted.  (A deleted regular file is restorable: ghosts.c.)
 * Dumping it is refused unless the dump allows it; either way the program must finish
 * undisturbed.  It does not use those fds after ready(), so a restart that gives them back as
 * /dev/null finishes too.
 * Not in engine.sh's main loop: the tests in its section 7 use it.
 */
#include "common.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int pk = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0); /* of a process outside the tree */
	char path[4096];
	snprintf(path, sizeof(path), "%s/deleted.fifo", argv[2]);
	unlink(path);
	int del = mkfifo(path, 0600) == 0 ? open(path, O_RDWR) : -1;
	CHECK(pk >= 0 && pidfd >= 0 && del >= 0 && unlink(path) == 0, "set up");
	char dir[4096], cwd[4096];
	snprintf(dir, sizeof(dir), "%s/gone", argv[2]);
	snprintf(cwd, sizeof(cwd), "%s/gone-cwd", argv[2]);
	rmdir(dir);
	rmdir(cwd);
	CHECK(mkdir(dir, 0700) == 0 && mkdir(cwd, 0700) == 0, "make the directories");
	int gone = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(gone >= 0 && rmdir(dir) == 0 && chdir(cwd) == 0 && rmdir(cwd) == 0, "delete the directories");
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "pty master");
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0, "pty slave");
	ready(argv[1]);
	long sum = 0;
	for (int i = 0; i < 20; i++) {
		sum += i;
		nap_ms(20);
	}
	printf("sum %ld\n", sum);
	return 0;
}
