/*
 * epoll: an epoll set's interest list, every item with its events and data (fdkind.h).
 *
 * The kernel keys an item by its file and by the fd number it was added with, and a later
 * EPOLL_CTL_MOD or DEL by the program names that number.  So restart adds each item from
 * inside a process that has the item's file at that number, once its fd table is in place.
 * Capture picks that process among those holding the epoll (one set may be shared by forked
 * processes, and gets each item once).  When the item's fd was closed or reused after
 * EPOLL_CTL_ADD while another fd kept its file alive, the item records that other fd, and
 * restart puts the file at the item's number just for the moment it adds it.
 */
#include "fdkind.h"
#include "json.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ITEM_SIZE sizeof(struct ckpt_fd_epoll_item)
/* The bits the kernel accepts together with EPOLLEXCLUSIVE. */
#define EXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

static size_t item_count(const struct fd_image *f)
{
	return f->rec.data_len / ITEM_SIZE;
}

static struct ckpt_fd_epoll_item item_at(const struct fd_image *f, size_t i)
{
	struct ckpt_fd_epoll_item it;
	memcpy(&it, f->data + i * ITEM_SIZE, ITEM_SIZE);
	return it;
}

/* ---- capture ---- */

/* fdinfo has one line per item: "tfd: %8d events: %8x data: %16llx  pos:... ino:... sdev:...",
 * in the kernel's order (the order kcmp counts items of one fd number in). */
static int epoll_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	struct ckpt_fd_epoll_item *items = NULL;
	size_t n = 0, cap = 0;
	for (const char *l = fdinfo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "tfd:", 4) != 0)
			continue;
		int tfd;
		unsigned events;
		unsigned long long data;
		if (sscanf(l, "tfd: %d events: %x data: %llx", &tfd, &events, &data) != 3 || tfd < 0 ||
		    (uint32_t)tfd >= MAX_FDS) {
			free(items);
			return ckpt_fail("fd %u of pid %d: cannot read the epoll item \"%.60s\"", f->rec.fd, pid, l);
		}
		*ARR_PUSH(items, n, cap) = (struct ckpt_fd_epoll_item){.tfd = (uint32_t)tfd, .events = events,
									 .data = data, .file_fd = (uint32_t)tfd};
	}
	if (n * ITEM_SIZE > UINT32_MAX / 2) {
		free(items);
		return ckpt_fail("epoll fd %u of pid %d has more items than a statefile holds", f->rec.fd, pid);
	}
	f->data = (uint8_t *)items;
	f->rec.data_len = (uint32_t)(n * ITEM_SIZE);
	return 0;
}

#ifndef SYS_kcmp
#define SYS_kcmp 312
#endif
#define KCMP_EPOLL_TFD 7
struct kcmp_epoll_slot {
	uint32_t efd, tfd, toff;
};

/* Whether fd `fd` of pid is the file of item (tfd, toff) of pid's epoll fd efd: 1 yes, 0 no,
 * -1 (error set) when the kernel cannot tell. */
static int holds_item_file(pid_t pid, uint32_t fd, uint32_t efd, uint32_t tfd, uint32_t toff)
{
	struct kcmp_epoll_slot slot = {efd, tfd, toff};
	long r = syscall(SYS_kcmp, pid, pid, KCMP_EPOLL_TFD, (unsigned long)fd, (unsigned long)&slot);
	if (r == 0)
		return 1;
	/* EBADF: no such fd in the process. */
	if (r > 0 || errno == EBADF)
		return 0;
	return ckpt_fail_errno("cannot compare the items of epoll fd %u of pid %d with its fds (kcmp)", efd, pid);
}

/* Files epoll cannot watch, so no item can be theirs. */
static bool never_watched(const struct fd_image *g)
{
	return g->rec.kind == CKPT_FD_REG || g->rec.kind == CKPT_FD_DIR || g->rec.kind == CKPT_FD_BLK;
}

/* A process holding an epoll description, through its first fd of it. */
struct holder {
	struct process_image *p;
	struct fd_image *f;
	struct ckpt_fd_epoll_item *items;
	size_t n, cap;
};

/* The process among the holders that adds item x at restart: the first whose fd x.tfd is the
 * item's file, else the first with the file at another fd. */
static int assign_item(struct holder *h, size_t nh, struct ckpt_fd_epoll_item x, uint32_t toff)
{
	for (size_t i = 0; i < nh; i++) {
		int r = holds_item_file((pid_t)h[i].p->rec.pid, x.tfd, h[i].f->rec.fd, x.tfd, toff);
		if (r < 0)
			return -1;
		if (r) {
			*ARR_PUSH(h[i].items, h[i].n, h[i].cap) = x;
			return 0;
		}
	}
	for (size_t i = 0; i < nh; i++)
		for (size_t k = 0; k < h[i].p->nfds; k++) {
			const struct fd_image *g = &h[i].p->fds[k];
			if (g->rec.fd == x.tfd || never_watched(g))
				continue;
			int r = holds_item_file((pid_t)h[i].p->rec.pid, g->rec.fd, h[i].f->rec.fd, x.tfd, toff);
			if (r < 0)
				return -1;
			if (r) {
				x.file_fd = g->rec.fd;
				*ARR_PUSH(h[i].items, h[i].n, h[i].cap) = x;
				return 0;
			}
		}
	return ckpt_fail("epoll fd %u of pid %u watches a file that was at fd %u, which no process holding the "
			 "epoll has open any more: ckpt cannot add that item back",
			 h[0].f->rec.fd, h[0].p->rec.pid, x.tfd);
}

static bool is_first_of_description(const struct statefile_image *img, size_t pi, size_t fi)
{
	uint32_t desc = img->procs[pi].fds[fi].rec.desc;
	for (size_t i = 0; i <= pi; i++)
		for (size_t k = 0; k < (i == pi ? fi : img->procs[i].nfds); k++)
			if (img->procs[i].fds[k].rec.kind == CKPT_FD_EPOLL && img->procs[i].fds[k].rec.desc == desc)
				return false;
	return true;
}

/* Hands each item of one epoll description to the one fd of it that adds it at restart. */
static int assign_description(struct statefile_image *img, size_t pi, size_t fi)
{
	const struct fd_image *first = &img->procs[pi].fds[fi];
	uint32_t desc = first->rec.desc;
	struct holder *h = NULL;
	size_t nh = 0, caph = 0;
	for (size_t i = pi; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			struct fd_image *g = &img->procs[i].fds[k];
			if (g->rec.kind != CKPT_FD_EPOLL || g->rec.desc != desc)
				continue;
			if (nh && h[nh - 1].p == &img->procs[i]) {
				/* A second fd of the same description in one process adds nothing. */
				free(g->data);
				g->data = NULL;
				g->rec.data_len = 0;
				continue;
			}
			*ARR_PUSH(h, nh, caph) = (struct holder){.p = &img->procs[i], .f = g};
		}
	int rc = 0;
	size_t n = item_count(first);
	uint32_t flags = 0;
	for (size_t x = 0; x < n && rc == 0; x++) {
		struct ckpt_fd_epoll_item it = item_at(first, x);
		if (it.events & EPOLLWAKEUP)
			flags |= CKPT_EPOLL_WAKEUP;
		/* kcmp finds an item by its fd number and its rank among the items of that number. */
		uint32_t toff = 0;
		for (size_t y = 0; y < x; y++)
			toff += item_at(first, y).tfd == it.tfd;
		rc = assign_item(h, nh, it, toff);
	}
	/* Restart warns on the epoll's first fd if EPOLLWAKEUP cannot be given back. */
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++)
			if (img->procs[i].fds[k].rec.kind == CKPT_FD_EPOLL && img->procs[i].fds[k].rec.desc == desc)
				img->procs[i].fds[k].rec.kind_flags = flags;
	for (size_t i = 0; i < nh; i++) {
		if (rc == 0) {
			free(h[i].f->data);
			h[i].f->data = (uint8_t *)h[i].items;
			h[i].f->rec.data_len = (uint32_t)(h[i].n * ITEM_SIZE);
		} else {
			free(h[i].items);
		}
	}
	free(h);
	return rc;
}

static int epoll_capture_tree(struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++)
			if (img->procs[i].fds[k].rec.kind == CKPT_FD_EPOLL && is_first_of_description(img, i, k) &&
			    assign_description(img, i, k) < 0)
				return -1;
	return 0;
}

/* ---- reading a statefile ---- */

static int epoll_check_saved(const struct fd_image *f)
{
	if (f->rec.extra || (f->rec.kind_flags & ~CKPT_EPOLL_WAKEUP))
		return ckpt_fail("epoll fd %u carries state no epoll has", f->rec.fd);
	if (f->rec.data_len % ITEM_SIZE)
		return ckpt_fail("epoll fd %u has a state of %u bytes, not a whole number of items", f->rec.fd,
				 f->rec.data_len);
	for (size_t i = 0; i < item_count(f); i++) {
		struct ckpt_fd_epoll_item it = item_at(f, i);
		if (it.tfd >= MAX_FDS || it.file_fd >= MAX_FDS)
			return ckpt_fail("epoll fd %u has an item with a bad fd number", f->rec.fd);
		if (it.reserved)
			return ckpt_fail("epoll fd %u has an item whose reserved field is not 0", f->rec.fd);
		if ((it.events & EPOLLEXCLUSIVE) && (it.events & ~(uint32_t)EXCLUSIVE_OK_BITS))
			return ckpt_fail("epoll fd %u watches fd %u with EPOLLEXCLUSIVE and events (0x%x) the kernel "
					 "does not take with it", f->rec.fd, it.tfd, it.events);
	}
	return 0;
}

/* An fd of a process, found by number through a sorted index. */
struct fd_index {
	uint32_t fd;
	const struct fd_image *f;
};

static int cmp_fd_index(const void *a, const void *b)
{
	uint32_t x = ((const struct fd_index *)a)->fd, y = ((const struct fd_index *)b)->fd;
	return x < y ? -1 : x > y;
}

static const struct fd_image *find_fd(const struct fd_index *idx, size_t n, uint32_t fd)
{
	struct fd_index key = {fd, NULL};
	const struct fd_index *hit = bsearch(&key, idx, n, sizeof(*idx), cmp_fd_index);
	return hit ? hit->f : NULL;
}

/* An item's key in the kernel: its epoll, its file (by open file description) and its fd. */
struct item_key {
	uint32_t epoll_desc, file_desc, tfd;
	uint32_t pid, efd;
};

static int cmp_item_key(const void *a, const void *b)
{
	const struct item_key *x = a, *y = b;
	if (x->epoll_desc != y->epoll_desc)
		return x->epoll_desc < y->epoll_desc ? -1 : 1;
	if (x->file_desc != y->file_desc)
		return x->file_desc < y->file_desc ? -1 : 1;
	return x->tfd < y->tfd ? -1 : x->tfd > y->tfd;
}

/* Every item's file is an fd of its process that epoll can watch, other than the epoll itself,
 * and no epoll gets the same item twice (the kernel would refuse the second EPOLL_CTL_ADD). */
static int epoll_check_tree(const struct statefile_image *img)
{
	struct item_key *keys = NULL;
	size_t nkeys = 0, capk = 0;
	int rc = 0;
	for (size_t i = 0; i < img->nprocs && rc == 0; i++) {
		const struct process_image *p = &img->procs[i];
		struct fd_index *idx = NULL;
		for (size_t k = 0; k < p->nfds && rc == 0; k++) {
			const struct fd_image *f = &p->fds[k];
			if (f->rec.kind != CKPT_FD_EPOLL || !item_count(f))
				continue;
			if (!idx) {
				idx = xmalloc((p->nfds + 1) * sizeof(*idx));
				for (size_t m = 0; m < p->nfds; m++)
					idx[m] = (struct fd_index){p->fds[m].rec.fd, &p->fds[m]};
				qsort(idx, p->nfds, sizeof(*idx), cmp_fd_index);
			}
			for (size_t x = 0; x < item_count(f) && rc == 0; x++) {
				struct ckpt_fd_epoll_item it = item_at(f, x);
				const struct fd_image *g = find_fd(idx, p->nfds, it.file_fd);
				if (!g)
					rc = ckpt_fail("epoll fd %u of pid %u has an item whose file is at fd %u, which the "
						       "process does not have", f->rec.fd, p->rec.pid, it.file_fd);
				else if (never_watched(g))
					rc = ckpt_fail("epoll fd %u of pid %u watches fd %u, a %s, which epoll cannot watch",
						       f->rec.fd, p->rec.pid, it.file_fd, fd_kind_name(g->rec.kind));
				else if (g->rec.desc == f->rec.desc)
					rc = ckpt_fail("epoll fd %u of pid %u watches itself", f->rec.fd, p->rec.pid);
				else
					*ARR_PUSH(keys, nkeys, capk) = (struct item_key){f->rec.desc, g->rec.desc, it.tfd,
											  p->rec.pid, f->rec.fd};
			}
		}
		free(idx);
	}
	if (rc == 0 && nkeys > 1) {
		qsort(keys, nkeys, sizeof(*keys), cmp_item_key);
		for (size_t i = 1; i < nkeys && rc == 0; i++)
			if (cmp_item_key(&keys[i - 1], &keys[i]) == 0)
				rc = ckpt_fail("epoll fd %u of pid %u has the same item (fd %u) twice", keys[i].efd,
					       keys[i].pid, keys[i].tfd);
	}
	free(keys);
	return rc;
}

/* ---- restart ---- */

/* Whether the kernel keeps EPOLLWAKEUP for us (CAP_BLOCK_SUSPEND, a kernel with suspend):
 * tried on an epoll and eventfd of our own, whose fdinfo says what it kept. */
static bool wakeup_kept(void)
{
	bool kept = false;
	int ep = epoll_create1(EPOLL_CLOEXEC), ev = eventfd(0, EFD_CLOEXEC);
	struct epoll_event e = {.events = EPOLLIN | EPOLLWAKEUP};
	if (ep >= 0 && ev >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) == 0) {
		char what[64];
		snprintf(what, sizeof(what), "fdinfo/%d", ep);
		char *info = read_proc(getpid(), what, NULL);
		const char *l = info ? strstr(info, "tfd:") : NULL;
		unsigned events;
		kept = l && sscanf(l, "tfd: %*d events: %x", &events) == 1 && (events & EPOLLWAKEUP);
		free(info);
	}
	if (ep >= 0)
		close(ep);
	if (ev >= 0)
		close(ev);
	return kept;
}

static int epoll_open(const struct process_image *p, const struct fd_image *f)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot make epoll fd %u of pid %u again", f->rec.fd, p->rec.pid);
	if (f->rec.open_flags & O_NONBLOCK)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	if ((f->rec.kind_flags & CKPT_EPOLL_WAKEUP) && !wakeup_kept())
		ckpt_warn("epoll fd %u of pid %u: its items lose EPOLLWAKEUP, which needs CAP_BLOCK_SUSPEND", f->rec.fd,
			  p->rec.pid);
	return fd;
}

/* EPOLL_CTL_ADD of an item whose file is at another fd of this process: the file goes to the
 * item's number for the moment of the ADD, and whatever was there comes back.  This runs
 * before anything else of the process relies on its fds. */
static int add_from_other_fd(int epfd, const struct ckpt_fd_epoll_item *it, struct epoll_event *ev)
{
	int tfd = (int)it->tfd;
	int aside = fcntl(tfd, F_DUPFD_CLOEXEC, 0);
	int aside_fd_flags = aside >= 0 ? fcntl(tfd, F_GETFD) : 0;
	if (aside < 0 && errno != EBADF)
		return -1;
	int ep = epfd == tfd ? aside : epfd;
	int r = dup2((int)it->file_fd, tfd) < 0 ? -1 : epoll_ctl(ep, EPOLL_CTL_ADD, tfd, ev);
	int e = errno;
	if (aside >= 0) {
		dup2(aside, tfd);
		fcntl(tfd, F_SETFD, aside_fd_flags);
		close(aside);
	} else {
		close(tfd);
	}
	errno = e;
	return r;
}

static int epoll_finish_inside(const struct process_image *p, const struct fd_image *f)
{
	for (size_t i = 0; i < item_count(f); i++) {
		struct ckpt_fd_epoll_item it = item_at(f, i);
		struct epoll_event ev = {.events = it.events, .data.u64 = it.data};
		int r = it.file_fd == it.tfd ? epoll_ctl((int)f->rec.fd, EPOLL_CTL_ADD, (int)it.tfd, &ev)
					     : add_from_other_fd((int)f->rec.fd, &it, &ev);
		/* EPERM: the file cannot be polled, so it is not the saved one: an fd restart could
		 * not rebuild came back as /dev/null, as restart has warned. */
		if (r < 0 && errno != EPERM)
			return ckpt_fail_errno("cannot add fd %u to epoll fd %u of pid %u again", it.tfd, f->rec.fd,
					       p->rec.pid);
	}
	return 0;
}

/* ---- ckpt info ---- */

static const struct {
	uint32_t bit;
	const char *name;
} event_names[] = {
	{EPOLLIN, "in"}, {EPOLLPRI, "pri"}, {EPOLLOUT, "out"}, {EPOLLERR, "err"}, {EPOLLHUP, "hup"},
	{EPOLLRDNORM, "rdnorm"}, {EPOLLRDBAND, "rdband"}, {EPOLLWRNORM, "wrnorm"}, {EPOLLWRBAND, "wrband"},
	{EPOLLMSG, "msg"}, {EPOLLRDHUP, "rdhup"}, {EPOLLEXCLUSIVE, "exclusive"}, {EPOLLWAKEUP, "wakeup"},
	{EPOLLONESHOT, "oneshot"}, {EPOLLET, "et"},
};

static void events_text(struct buf *out, uint32_t events)
{
	const char *sep = "";
	for (size_t i = 0; i < ARRAY_LEN(event_names); i++)
		if (events & event_names[i].bit) {
			buf_printf(out, "%s%s", sep, event_names[i].name);
			events &= ~event_names[i].bit;
			sep = " ";
		}
	if (events)
		buf_printf(out, "%s0x%x", sep, events);
}

static void epoll_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	for (size_t i = 0; i < item_count(f); i++) {
		struct ckpt_fd_epoll_item it = item_at(f, i);
		buf_printf(out, "\n%swatches fd %u", indent, it.tfd);
		if (it.file_fd != it.tfd)
			buf_printf(out, " (its file now at fd %u)", it.file_fd);
		buf_printf(out, ": ");
		events_text(out, it.events);
		buf_printf(out, ", data 0x%llx", (unsigned long long)it.data);
	}
}

static void epoll_describe_json(const struct fd_image *f, struct json *j)
{
	json_array_begin(j, "items");
	for (size_t i = 0; i < item_count(f); i++) {
		struct ckpt_fd_epoll_item it = item_at(f, i);
		json_object_begin(j, NULL);
		json_u64(j, "fd", it.tfd);
		json_u64(j, "file_fd", it.file_fd);
		json_hex(j, "events", it.events);
		json_hex(j, "data", it.data);
		json_object_end(j);
	}
	json_array_end(j);
}

const struct fd_kind epoll_fd_kind = {
	.kind = CKPT_FD_EPOLL,
	.name = "epoll",
	.link = "anon_inode:[eventpoll]",
	.capture = epoll_capture,
	.check_saved = epoll_check_saved,
	.open = epoll_open,
	.finish_inside = epoll_finish_inside,
	.capture_tree = epoll_capture_tree,
	.check_tree = epoll_check_tree,
	.describe_text = epoll_describe_text,
	.describe_json = epoll_describe_json,
};
