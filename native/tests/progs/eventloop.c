/*
 * An event loop held across the checkpoint: an epoll set over a pipe (edge-triggered, then
 * level-triggered after an EPOLL_CTL_MOD), a timerfd that drives the loop, and a nested epoll
 * over an eventfd (removed with EPOLL_CTL_DEL halfway) and an inotify fd watching a scratch
 * directory (argv[2]) and two directories in it, with a gap in the watch numbers.  One item's fd
 * was closed after EPOLL_CTL_ADD and its number reused, while a dup keeps the file alive.  A
 * child shares both epoll sets and waits on one of its own.  Every tick of the timer does
 * something and waits for the events it must cause, so most events arrive after the restart;
 * 64-bit data, watch descriptors and the results of MOD and DEL are checked.
 */
#include "common.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#define TICKS 60
#define TAG(c) (0x1122334455667700ull | (unsigned char)(c))

static const char *dir;
static int pipe_r, pipe_w, efd, tfd, ifd, inner, outer, stale_r, stale_w, stale_num;
static int wd_dir, wd_sub2, wd_sub1 = -1;
static uint64_t timer_ticks, pipe_bytes_et, pipe_bytes_lt, efd_sum, stale_bytes;
static unsigned seen; /* which tags were reported, one bit each */
static char inotify_log[512];
static int efd_deleted;

static void path_in_dir(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void add(int ep, int fd, uint32_t events, char tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = TAG(tag)};
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "EPOLL_CTL_ADD");
}

static size_t drain(int fd)
{
	char buf[256];
	size_t total = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	CHECK(n < 0 && errno == EAGAIN, "drained to EAGAIN");
	return total;
}

static void read_inotify(void)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;
	while ((n = read(ifd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			char one[80];
			if (e->wd == wd_dir)
				snprintf(one, sizeof(one), " %c%s", (e->mask & IN_CREATE) ? '+' : '-', e->name);
			else
				snprintf(one, sizeof(one), " wd%d:%s", e->wd, (e->mask & IN_ATTRIB) ? "attrib" : "other");
			strncat(inotify_log, one, sizeof(inotify_log) - strlen(inotify_log) - 1);
			p += sizeof(*e) + e->len;
		}
	CHECK(n < 0 && errno == EAGAIN, "inotify drained");
}

/* Handles one reported event; returns the tags it brought (an inner epoll's too), a bit each. */
static unsigned handle(const struct epoll_event *ev)
{
	CHECK((ev->data.u64 & ~0xffull) == TAG(0), "64-bit data kept");
	char tag = (char)(ev->data.u64 & 0xff);
	unsigned tags = 1u << (tag & 31);
	uint64_t v;
	switch (tag) {
	case 'T':
		CHECK(read(tfd, &v, 8) == 8, "timer read");
		timer_ticks += v;
		break;
	case 'P':
		pipe_bytes_et += drain(pipe_r);
		break;
	case 'L':
		pipe_bytes_lt += drain(pipe_r);
		break;
	case 'Q':
		stale_bytes += drain(stale_r);
		break;
	case 'N': {
		struct epoll_event in[4];
		int n = epoll_wait(inner, in, 4, 0);
		CHECK(n >= 0, "inner epoll_wait");
		for (int i = 0; i < n; i++) {
			char t = (char)(in[i].data.u64 & 0xff);
			CHECK((in[i].data.u64 & ~0xffull) == TAG(0), "64-bit data kept (inner)");
			tags |= 1u << (t & 31);
			if (t == 'E') {
				CHECK(!efd_deleted, "no eventfd events after its EPOLL_CTL_DEL");
				CHECK(read(efd, &v, 8) == 8, "eventfd read");
				efd_sum += v;
			} else {
				CHECK(t == 'I', "inner tag");
				read_inotify();
			}
		}
		break;
	}
	default:
		CHECK(0, "known tag");
	}
	seen |= tags;
	return tags;
}

static void touch(const char *name, bool create)
{
	char path[4096];
	path_in_dir(path, sizeof(path), name);
	if (create) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(fd >= 0, "create file");
		close(fd);
	} else {
		CHECK(unlink(path) == 0, "unlink file");
	}
}

/* What tick k does, and the tags whose events it must see before the next tick. */
static unsigned tick(int k)
{
	unsigned expect = 0;
	char path[4096];
	if (k == 30) {
		/* Level-triggered from now on, with new data: the item is found by its fd. */
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG('L')};
		CHECK(epoll_ctl(outer, EPOLL_CTL_MOD, pipe_r, &ev) == 0, "EPOLL_CTL_MOD of the pipe");
	}
	if (k == 35) {
		/* The stale item's fd number now holds another file: the kernel finds no item. */
		CHECK(epoll_ctl(outer, EPOLL_CTL_DEL, stale_num, NULL) < 0 && errno == ENOENT, "DEL of a reused number");
	}
	if (k == 40) {
		CHECK(epoll_ctl(inner, EPOLL_CTL_DEL, efd, NULL) == 0, "EPOLL_CTL_DEL of the eventfd");
		CHECK(epoll_ctl(inner, EPOLL_CTL_DEL, efd, NULL) < 0 && errno == ENOENT, "second DEL");
		efd_deleted = 1;
	}
	if (k % 2 == 0) {
		char c = (char)('a' + k % 26);
		CHECK(write(pipe_w, &c, 1) == 1, "pipe write");
		expect |= 1u << ((k < 30 ? 'P' : 'L') & 31);
	}
	if (k % 5 == 0) {
		uint64_t v = (uint64_t)k;
		CHECK(write(efd, &v, 8) == 8, "eventfd write");
		if (k < 40)
			expect |= 1u << ('E' & 31);
	}
	if (k % 7 == 0) {
		CHECK(write(stale_w, "q", 1) == 1, "stale pipe write");
		expect |= 1u << ('Q' & 31);
	}
	/* The scratch directory: created-20 lives from tick 20 to 45, created-45 from 45 to 58. */
	if (k == 20 || k == 45 || k == 58) {
		if (k == 20)
			touch("created-20", true);
		if (k == 45) {
			touch("created-20", false);
			touch("created-45", true);
		}
		if (k == 58)
			touch("created-45", false);
		expect |= 1u << ('I' & 31);
	}
	if (k == 25) {
		path_in_dir(path, sizeof(path), "sub2");
		CHECK(chmod(path, 0711) == 0, "chmod sub2");
		expect |= 1u << ('I' & 31);
	}
	if (k == 50) {
		path_in_dir(path, sizeof(path), "sub1");
		wd_sub1 = inotify_add_watch(ifd, path, IN_ATTRIB);
		CHECK(wd_sub1 > 0, "new watch");
	}
	if (k == 52) {
		path_in_dir(path, sizeof(path), "sub1");
		CHECK(chmod(path, 0711) == 0, "chmod sub1");
		expect |= 1u << ('I' & 31);
	}
	return expect;
}

static int child_main(int quit_r)
{
	/* The child holds both shared epoll sets and waits on one of its own. */
	int mine = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0xc0ffee};
	if (mine < 0 || epoll_ctl(mine, EPOLL_CTL_ADD, quit_r, &ev) < 0)
		return 10;
	for (;;) {
		int n = epoll_wait(mine, &ev, 1, -1);
		if (n < 0)
			return 11;
		if (n == 1)
			return ev.data.u64 == 0xc0ffee && read(quit_r, &n, 1) == 1 ? 0 : 12;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	dir = argv[2];
	char path[4096];
	/* The directory as every run starts it. */
	const char *leftovers[] = {"created-20", "created-45"};
	for (size_t i = 0; i < 2; i++) {
		path_in_dir(path, sizeof(path), leftovers[i]);
		unlink(path);
	}
	const char *subs[] = {"sub1", "sub2"};
	for (size_t i = 0; i < 2; i++) {
		path_in_dir(path, sizeof(path), subs[i]);
		CHECK(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir");
		CHECK(chmod(path, 0700) == 0, "chmod");
	}

	int pp[2], sp[2], qp[2];
	CHECK(pipe2(pp, O_NONBLOCK) == 0 && pipe2(sp, O_NONBLOCK) == 0 && pipe2(qp, O_CLOEXEC) == 0, "pipes");
	pipe_r = pp[0], pipe_w = pp[1];
	efd = eventfd(0, EFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	ifd = inotify_init1(IN_NONBLOCK);
	inner = epoll_create1(0);
	outer = epoll_create1(EPOLL_CLOEXEC);
	CHECK(efd >= 0 && tfd >= 0 && ifd >= 0 && inner >= 0 && outer >= 0, "create");

	/* Watches 1 and 3; 2 was removed, so a new watch gets 4. */
	wd_dir = inotify_add_watch(ifd, dir, IN_CREATE | IN_DELETE);
	path_in_dir(path, sizeof(path), "sub1");
	int wd_gap = inotify_add_watch(ifd, path, IN_ATTRIB);
	path_in_dir(path, sizeof(path), "sub2");
	wd_sub2 = inotify_add_watch(ifd, path, IN_ATTRIB | IN_ONLYDIR);
	CHECK(wd_dir == 1 && wd_gap == 2 && wd_sub2 == 3, "watch descriptors");
	CHECK(inotify_rm_watch(ifd, wd_gap) == 0, "rm watch");
	struct inotify_event ign;
	CHECK(read(ifd, &ign, sizeof(ign)) == sizeof(ign) && (ign.mask & IN_IGNORED), "IN_IGNORED read");

	add(inner, efd, EPOLLIN, 'E');
	add(inner, ifd, EPOLLIN, 'I');
	add(outer, pipe_r, EPOLLIN | EPOLLET, 'P');
	add(outer, tfd, EPOLLIN, 'T');
	add(outer, inner, EPOLLIN, 'N');
	/* The stale item: added with sp[0]'s number, whose file lives on in a dup, and whose number
	 * then goes to another eventfd. */
	add(outer, sp[0], EPOLLIN, 'Q');
	stale_num = sp[0];
	stale_w = sp[1];
	stale_r = dup(sp[0]);
	close(sp[0]);
	int reuse = eventfd(0, 0);
	CHECK(reuse == stale_num, "the number is reused");

	pid_t child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		close(qp[1]);
		_exit(child_main(qp[0]));
	}
	close(qp[0]);

	struct itimerspec its = {{0, 15 * 1000000}, {0, 15 * 1000000}};
	CHECK(timerfd_settime(tfd, 0, &its, NULL) == 0, "arm");
	ready(argv[1]);

	unsigned expect = 0;
	for (int done = 0;;) {
		if (!expect && done < TICKS && done < (int)timer_ticks)
			expect = tick(++done);
		if (!expect && done == TICKS)
			break;
		struct epoll_event ev[8];
		int n = epoll_wait(outer, ev, 8, 3000);
		CHECK(n > 0, "events keep coming");
		for (int i = 0; i < n; i++)
			expect &= ~handle(&ev[i]);
	}

	/* What no event was expected for. */
	uint64_t left = 0;
	CHECK(read(efd, &left, 8) == 8, "eventfd left");
	CHECK(write(qp[1], "x", 1) == 1, "tell the child");
	int status;
	CHECK(waitpid(child, &status, 0) == child, "wait child");
	CHECK(inotify_rm_watch(ifd, wd_sub2) == 0, "rm watch 3");
	CHECK(inotify_rm_watch(ifd, wd_gap) < 0 && errno == EINVAL, "watch 2 stays free");
	CHECK((fcntl(outer, F_GETFD) & FD_CLOEXEC) && !(fcntl(inner, F_GETFD) & FD_CLOEXEC), "cloexec kept");
	CHECK(fcntl(ifd, F_GETFL) & O_NONBLOCK, "inotify nonblocking");
	char tags[33] = "";
	for (int b = 0; b < 32; b++)
		if (seen & (1u << b))
			strncat(tags, (char[]){(char)('@' + b), 0}, 1);
	printf("ticks %s%d\n", timer_ticks >= TICKS ? ">=" : "<", TICKS);
	printf("pipe bytes %llu edge-triggered, %llu after MOD\n", (unsigned long long)pipe_bytes_et,
	       (unsigned long long)pipe_bytes_lt);
	printf("eventfd %llu through the nested epoll, %llu left after DEL\n", (unsigned long long)efd_sum,
	       (unsigned long long)left);
	printf("stale item %llu bytes\n", (unsigned long long)stale_bytes);
	printf("inotify%s\nnew watch wd %d\ntags %s\nchild exit %d\n", inotify_log, wd_sub1, tags,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
