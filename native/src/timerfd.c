/*
 * timerfd: its clock, the time left and the period, and the expirations not read yet (fdkind.h).
 * Restart arms it again with the time that was left, as if the program had been paused: a timer
 * due in 2 s when saved is due 2 s after the restart.
 */
#include "fdkind.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

/* "(sec, nsec)" as fdinfo shows a timespec. */
static int parse_timespec(const char *v, uint64_t *ns)
{
	long long sec, nsec;
	if (!v || sscanf(v, "(%lld, %lld)", &sec, &nsec) != 2 || sec < 0 || nsec < 0 || nsec >= 1000000000)
		return -1;
	*ns = (uint64_t)sec * 1000000000ull + (uint64_t)nsec;
	return 0;
}

static int timerfd_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	struct ckpt_fd_timerfd t = {0};
	const char *clock = status_field(fdinfo, "clockid"), *ticks = status_field(fdinfo, "ticks"),
		   *flags = status_field(fdinfo, "settime flags");
	if (!clock || !ticks || !flags || parse_timespec(status_field(fdinfo, "it_value"), &t.value_ns) < 0 ||
	    parse_timespec(status_field(fdinfo, "it_interval"), &t.interval_ns) < 0)
		return ckpt_fail("fd %u of pid %d: the kernel does not show the timerfd's state", f->rec.fd, pid);
	t.clockid = (uint32_t)strtoul(clock, NULL, 10);
	t.ticks = strtoull(ticks, NULL, 10);
	t.settime_flags = (uint32_t)strtoul(flags, NULL, 8);
	f->data = xmalloc(sizeof(t));
	memcpy(f->data, &t, sizeof(t));
	f->rec.data_len = sizeof(t);
	return 0;
}

static int timerfd_check_saved(const struct fd_image *f)
{
	struct ckpt_fd_timerfd t;
	if (f->rec.data_len != sizeof(t) || f->rec.kind_flags)
		return ckpt_fail("timerfd %u has a state of %u bytes, expected %zu", f->rec.fd, f->rec.data_len, sizeof(t));
	memcpy(&t, f->data, sizeof(t));
	switch (t.clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		break;
	default:
		return ckpt_fail("timerfd %u has an unknown clock %u", f->rec.fd, t.clockid);
	}
	if (t.settime_flags & ~(uint32_t)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return ckpt_fail("timerfd %u has unknown flags 0%o", f->rec.fd, t.settime_flags);
	return 0;
}

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
}

static int timerfd_open(const struct process_image *p, const struct fd_image *f)
{
	struct ckpt_fd_timerfd t;
	memcpy(&t, f->data, sizeof(t));
	int fd = timerfd_create((int)t.clockid, ((f->rec.open_flags & O_NONBLOCK) ? TFD_NONBLOCK : 0) | TFD_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot make timerfd %u of pid %u again (clock %u)", f->rec.fd, p->rec.pid, t.clockid);
	/* The time left is relative, whatever the timer was armed with.  A periodic timer that
	 * expired and was not read yet shows no time left (the kernel computes its next
	 * expiration when it is read): it is due again one period from now. */
	uint64_t value_ns = t.value_ns ? t.value_ns : t.interval_ns;
	struct itimerspec its = {.it_interval = to_timespec(t.interval_ns), .it_value = to_timespec(value_ns)};
	if ((value_ns && timerfd_settime(fd, 0, &its, NULL) < 0) ||
	    (t.ticks && ioctl(fd, TFD_IOC_SET_TICKS, &t.ticks) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return ckpt_fail_errno("cannot arm timerfd %u of pid %u again", f->rec.fd, p->rec.pid);
	}
	return fd;
}

const struct fd_kind timerfd_fd_kind = {
	.kind = CKPT_FD_TIMERFD,
	.name = "timerfd",
	.link = "anon_inode:[timerfd]",
	.capture = timerfd_capture,
	.check_saved = timerfd_check_saved,
	.open = timerfd_open,
};
