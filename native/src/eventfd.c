/* eventfd: the counter and the semaphore flag, captured from fdinfo and made again (fdkind.h). */
#include "fdkind.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

static int eventfd_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	const char *v = status_field(fdinfo, "eventfd-count");
	if (!v)
		return ckpt_fail("fd %u of pid %d: the kernel does not show the eventfd's counter", f->rec.fd, pid);
	f->rec.extra = strtoull(v, NULL, 16);
	if ((v = status_field(fdinfo, "eventfd-semaphore")) && atoi(v))
		f->rec.kind_flags |= CKPT_EFD_SEMAPHORE;
	return 0;
}

static int eventfd_check_saved(const struct fd_image *f)
{
	/* The kernel refuses counters of 2^64 - 1 and more, and so must we. */
	if (f->rec.extra == UINT64_MAX || (f->rec.kind_flags & ~CKPT_EFD_SEMAPHORE) || f->rec.data_len)
		return ckpt_fail("eventfd %u has a counter or flags no eventfd can have", f->rec.fd);
	return 0;
}

static int eventfd_open(const struct process_image *p, const struct fd_image *f)
{
	int flags = ((f->rec.open_flags & O_NONBLOCK) ? EFD_NONBLOCK : 0) |
		    ((f->rec.kind_flags & CKPT_EFD_SEMAPHORE) ? EFD_SEMAPHORE : 0);
	/* eventfd() takes an unsigned int: larger counters are added by a write. */
	int fd = eventfd(0, flags | EFD_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot make eventfd %u of pid %u again", f->rec.fd, p->rec.pid);
	if (f->rec.extra && write(fd, &f->rec.extra, sizeof(f->rec.extra)) != sizeof(f->rec.extra)) {
		close(fd);
		return ckpt_fail_errno("cannot set the counter of eventfd %u of pid %u", f->rec.fd, p->rec.pid);
	}
	return fd;
}

const struct fd_kind eventfd_fd_kind = {
	.kind = CKPT_FD_EVENTFD,
	.name = "eventfd",
	.link = "anon_inode:[eventfd]",
	.capture = eventfd_capture,
	.check_saved = eventfd_check_saved,
	.open = eventfd_open,
};
