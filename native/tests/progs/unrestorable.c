/*
 * Holds what restart cannot rebuild: a packet socket (needs CAP_NET_RAW), a pidfd of its parent
 * (outside the tree) and a userfaultfd.  (Deleted files, FIFOs, directories and working
 * directories are restorable: ghosts.c, deleted.c; so is a pseudo-terminal pair: ptys.c.)
 * Dumping it is refused unless the dump allows it; either way the program must finish
 * undisturbed.  It does not use those fds after ready(), so a restart that gives them back as
 * /dev/null finishes too.
 * Not in engine.sh's main loop: the tests in its section 7 use it.
 */
#include "common.h"

#include <linux/userfaultfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int pk = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0); /* of a process outside the tree */
	/* user-mode faults only: what an unprivileged user may open */
	int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	CHECK(pk >= 0 && pidfd >= 0 && uffd >= 0, "set up");
	ready(argv[1]);
	long sum = 0;
	for (int i = 0; i < 20; i++) {
		sum += i;
		nap_ms(20);
	}
	printf("sum %ld\n", sum);
	return 0;
}
