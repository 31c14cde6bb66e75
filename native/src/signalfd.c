/* signalfd: the signals it takes, captured from fdinfo and made again (fdkind.h).  The signals
 * waiting to be read are the process's pending signals, which signals.c brings back. */
#include "fdkind.h"
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>

static int signalfd_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	const char *v = status_field(fdinfo, "sigmask");
	if (!v)
		return ckpt_fail("fd %u of pid %d: the kernel does not show the signalfd's mask", f->rec.fd, pid);
	f->rec.extra = strtoull(v, NULL, 16);
	return 0;
}

static int signalfd_check_saved(const struct fd_image *f)
{
	if (f->rec.kind_flags || f->rec.data_len)
		return ckpt_fail("signalfd %u carries state no signalfd has", f->rec.fd);
	return 0;
}

static int signalfd_open(const struct process_image *p, const struct fd_image *f)
{
	sigset_t mask;
	sigemptyset(&mask);
	for (int sig = 1; sig <= 64; sig++)
		if (f->rec.extra & (1ull << (sig - 1)))
			sigaddset(&mask, sig);
	int fd = signalfd(-1, &mask, ((f->rec.open_flags & O_NONBLOCK) ? SFD_NONBLOCK : 0) | SFD_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot make signalfd %u of pid %u again", f->rec.fd, p->rec.pid);
	return fd;
}

const struct fd_kind signalfd_fd_kind = {
	.kind = CKPT_FD_SIGNALFD,
	.name = "signalfd",
	.link = "anon_inode:[signalfd]",
	.capture = signalfd_capture,
	.check_saved = signalfd_check_saved,
	.open = signalfd_open,
};
