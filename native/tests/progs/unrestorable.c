/*
 * Holds what restart cannot rebuild: a netlink socket, a pidfd and a deleted file.  Dumping it is
 * refused unless the dump allows it; either way the program must finish undisturbed.  It does not
 * use those fds after ready(), so a restart that gives them back as /dev/null finishes too.
 * Not in engine.sh's main loop: the tests in its section 7 use it.
 */
#include "common.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	char path[4096];
	snprintf(path, sizeof(path), "%s/deleted.txt", argv[2]);
	int del = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(nl >= 0 && pidfd >= 0 && del >= 0 && unlink(path) == 0, "set up");
	ready(argv[1]);
	long sum = 0;
	for (int i = 0; i < 20; i++) {
		sum += i;
		nap_ms(20);
	}
	printf("sum %ld\n", sum);
	return 0;
}
