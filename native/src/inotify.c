/*
 * inotify: an inotify fd's watches, each with its watch descriptor, its event mask and the path
 * of what it watches (fdkind.h).
 *
 * The kernel shows a watch's file as a file handle; capture turns it into a path with
 * open_by_handle_at (which needs CAP_DAC_READ_SEARCH) on a mount of its file system.  Restart
 * watches the same paths again with the same watch descriptors: the kernel numbers them
 * cyclically, so the watches are added in wd order and each gap is filled by a throwaway watch
 * that is removed at once.  Events queued but not read at the save are not kept.
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
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define HEADER_SIZE sizeof(struct ckpt_fd_inotify_watch)
/* What fdinfo shows of a watch's mask. */
#define SAVED_MASK_BITS (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)
#define KNOWN_FLAGS (CKPT_INOTIFY_DONT_FOLLOW | CKPT_INOTIFY_DIR)

/* The watches of a blob that check_saved accepted, one at a time: fills *w and *path and
 * returns the offset of the next watch, or 0 when there is none at `off`. */
static size_t next_watch(const struct fd_image *f, size_t off, struct ckpt_fd_inotify_watch *w, const char **path)
{
	if (off + HEADER_SIZE > f->rec.data_len)
		return 0;
	memcpy(w, f->data + off, HEADER_SIZE);
	*path = (const char *)f->data + off + HEADER_SIZE;
	return ALIGN_UP(off + HEADER_SIZE + w->path_len + 1, 4);
}

/* ---- capture ---- */

/* One watch as fdinfo shows it. */
struct shown_watch {
	uint32_t wd, mask, sdev;
	uint64_t ino;
	struct file_handle *handle;  /* NULL when the kernel shows none */
};

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x fhandle-bytes:%x fhandle-type:%x f_handle:%02x..." */
static int parse_watch(const char *l, struct shown_watch *w)
{
	unsigned long ino;
	unsigned bytes, type;
	int at = 0;
	*w = (struct shown_watch){0};
	int n = sscanf(l, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%*x fhandle-bytes:%x fhandle-type:%x f_handle:%n",
		       &w->wd, &ino, &w->sdev, &w->mask, &bytes, &type, &at);
	if (n < 4)
		return -1;
	w->ino = ino;
	if (n < 6 || !at || bytes == 0 || bytes > MAX_HANDLE_SZ)
		return 0;
	struct file_handle *h = xcalloc(1, sizeof(*h) + bytes);
	h->handle_bytes = bytes;
	h->handle_type = (int)type;
	const char *hex = l + at;
	for (unsigned i = 0; i < bytes; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
		if (lo < 0) {
			free(h);
			return -1;
		}
		h->f_handle[i] = (unsigned char)(hi << 4 | lo);
	}
	w->handle = h;
	return 0;
}

/* mountinfo escapes blanks and backslashes in paths as \ooo. */
static void unescape_octal(char *s)
{
	char *o = s;
	for (char *c = s; *c; c++) {
		if (c[0] == '\\' && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
			*o++ = (char)((c[1] - '0') << 6 | (c[2] - '0') << 3 | (c[3] - '0'));
			c += 3;
		} else {
			*o++ = *c;
		}
	}
	*o = 0;
}

/* ckpt's own mount points of device dev, those that show the whole file system first. */
static size_t mounts_of(dev_t dev, char ***out)
{
	char *info = read_file("/proc/self/mountinfo", NULL);
	char **whole = NULL, **part = NULL;
	size_t nw = 0, cw = 0, np = 0, cp = 0;
	for (char *l = info; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		unsigned maj, min;
		char *root = NULL, *point = NULL;
		if (sscanf(l, "%*d %*d %u:%u %ms %ms", &maj, &min, &root, &point) == 4 && makedev(maj, min) == dev) {
			unescape_octal(point);
			if (strcmp(root, "/") == 0)
				*ARR_PUSH(whole, nw, cw) = point;
			else
				*ARR_PUSH(part, np, cp) = point;
			point = NULL;
		}
		free(root);
		free(point);
		l = nl ? nl + 1 : NULL;
	}
	free(info);
	for (size_t i = 0; i < np; i++)
		*ARR_PUSH(whole, nw, cw) = part[i];
	free(part);
	*out = whole;
	return nw;
}

/* The path of a watched file, checked to name that very file, from its file handle. */
static char *watch_path(pid_t pid, const struct fd_image *f, const struct shown_watch *w, uint32_t *flags)
{
	dev_t dev = makedev(w->sdev >> 20, w->sdev & 0xfffff);
	if (!w->handle) {
		ckpt_fail("inotify fd %u of pid %d: the kernel gives no file handle for watch %u (inode %llu on device "
			  "%u:%u), so ckpt cannot find its path", f->rec.fd, pid, w->wd, (unsigned long long)w->ino,
			  major(dev), minor(dev));
		return NULL;
	}
	char **mounts;
	size_t nm = mounts_of(dev, &mounts);
	char *path = NULL;
	int why = ENOENT;
	for (size_t i = 0; i < nm && !path; i++) {
		int mfd = open(mounts[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int fd = mfd < 0 ? -1 : open_by_handle_at(mfd, w->handle, O_PATH | O_CLOEXEC);
		if (fd < 0)
			why = errno;
		if (mfd >= 0)
			close(mfd);
		if (fd < 0 && why == EPERM)
			break;
		/* Only the inode number: st_dev may name a subvolume rather than the file system. */
		struct stat st, again;
		if (fd < 0 || fstat(fd, &st) < 0 || st.st_ino != w->ino) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		char *p = read_link(link);
		close(fd);
		size_t len = p ? strlen(p) : 0;
		if (p && len > 10 && strcmp(p + len - 10, " (deleted)") == 0) {
			ckpt_fail("inotify fd %u of pid %d watches a deleted file (%s), which restart cannot watch again",
				  f->rec.fd, pid, p);
			free(p);
			why = 0;
			break;
		}
		/* A file handle may give a dentry cut off from its directory: trust only a path that
		 * leads to the watched file. */
		if (p && p[0] == '/' && lstat(p, &again) == 0 && again.st_ino == st.st_ino && again.st_dev == st.st_dev) {
			path = p;
			*flags = (S_ISLNK(st.st_mode) ? CKPT_INOTIFY_DONT_FOLLOW : 0) | (S_ISDIR(st.st_mode) ? CKPT_INOTIFY_DIR : 0);
		} else {
			free(p);
		}
	}
	for (size_t i = 0; i < nm; i++)
		free(mounts[i]);
	free(mounts);
	if (path || !why)
		return path;
	if (why == EPERM)
		ckpt_fail("inotify fd %u of pid %d: finding the paths it watches needs CAP_DAC_READ_SEARCH, which "
			  "ckpt does not have here", f->rec.fd, pid);
	else
		ckpt_fail("inotify fd %u of pid %d: cannot find the path of watch %u (inode %llu on device %u:%u)%s%s",
			  f->rec.fd, pid, w->wd, (unsigned long long)w->ino, major(dev), minor(dev), nm ? ": " : ", which ckpt has no mount of",
			  nm ? strerror(why) : "");
	return NULL;
}

struct found_watch {
	uint32_t wd, mask, flags;
	char *path;
};

static int cmp_wd(const void *a, const void *b)
{
	uint32_t x = ((const struct found_watch *)a)->wd, y = ((const struct found_watch *)b)->wd;
	return x < y ? -1 : x > y;
}

/* Events the program has not read yet stay behind; say so. */
static void warn_queued_events(pid_t pid, const struct fd_image *f)
{
	int fd = take_fd(pid, (int)f->rec.fd);
	int queued = 0;
	if (fd >= 0 && ioctl(fd, FIONREAD, &queued) == 0 && queued > 0)
		ckpt_warn("inotify fd %u of pid %d has %d bytes of events not read yet, which a restart will not have",
			  f->rec.fd, pid, queued);
	if (fd >= 0)
		close(fd);
}

static int inotify_capture(pid_t pid, struct fd_image *f, const char *fdinfo)
{
	struct found_watch *ws = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (const char *l = fdinfo; l && *l && rc == 0; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "inotify ", 8) != 0)
			continue;
		struct shown_watch sw;
		if (parse_watch(l, &sw) < 0) {
			rc = ckpt_fail("fd %u of pid %d: cannot read the inotify watch \"%.60s\"", f->rec.fd, pid, l);
			break;
		}
		if (sw.wd == 0 || sw.wd > CKPT_INOTIFY_MAX_WD)
			rc = ckpt_fail("inotify fd %u of pid %d has watch descriptor %u, beyond %u, the most restart rebuilds",
				       f->rec.fd, pid, sw.wd, CKPT_INOTIFY_MAX_WD);
		uint32_t flags = 0;
		char *path = rc == 0 ? watch_path(pid, f, &sw, &flags) : NULL;
		free(sw.handle);
		if (!path) {
			rc = -1;
			break;
		}
		*ARR_PUSH(ws, n, cap) = (struct found_watch){sw.wd, sw.mask & SAVED_MASK_BITS, flags, path};
	}
	if (rc == 0) {
		if (n > 1)
			qsort(ws, n, sizeof(*ws), cmp_wd);
		struct buf b = {0};
		for (size_t i = 0; i < n; i++) {
			struct ckpt_fd_inotify_watch w = {ws[i].wd, ws[i].mask, ws[i].flags, (uint32_t)strlen(ws[i].path)};
			buf_put(&b, &w, sizeof(w));
			buf_put(&b, ws[i].path, w.path_len + 1);
			buf_align(&b, 4);
		}
		f->data = b.data;
		f->rec.data_len = (uint32_t)b.len;
		warn_queued_events(pid, f);
	}
	for (size_t i = 0; i < n; i++)
		free(ws[i].path);
	free(ws);
	return rc;
}

/* ---- reading a statefile ---- */

static int inotify_check_saved(const struct fd_image *f)
{
	if (f->rec.extra || f->rec.kind_flags)
		return ckpt_fail("inotify fd %u carries state no inotify fd has", f->rec.fd);
	uint32_t last_wd = 0;
	for (size_t off = 0; off < f->rec.data_len;) {
		struct ckpt_fd_inotify_watch w;
		if (f->rec.data_len - off < HEADER_SIZE)
			return ckpt_fail("inotify fd %u has a truncated watch", f->rec.fd);
		memcpy(&w, f->data + off, HEADER_SIZE);
		const char *path = (const char *)f->data + off + HEADER_SIZE;
		size_t room = f->rec.data_len - off - HEADER_SIZE;
		if (w.path_len == 0 || w.path_len >= room || path[w.path_len] || strnlen(path, w.path_len) != w.path_len ||
		    path[0] != '/')
			return ckpt_fail("inotify fd %u has a watch without a whole absolute path", f->rec.fd);
		if (w.wd <= last_wd || w.wd > CKPT_INOTIFY_MAX_WD)
			return ckpt_fail("inotify fd %u has watch descriptor %u after %u: wds must increase, from 1 to %u",
					 f->rec.fd, w.wd, last_wd, CKPT_INOTIFY_MAX_WD);
		if (!(w.mask & IN_ALL_EVENTS) || (w.mask & ~(uint32_t)SAVED_MASK_BITS) || (w.flags & ~(uint32_t)KNOWN_FLAGS))
			return ckpt_fail("inotify fd %u has watch %u with a mask (0x%x) or flags no watch has", f->rec.fd, w.wd,
					 w.mask);
		size_t end = ALIGN_UP(off + HEADER_SIZE + w.path_len + 1, 4);
		if (end > f->rec.data_len)
			return ckpt_fail("inotify fd %u has a truncated watch", f->rec.fd);
		for (size_t i = off + HEADER_SIZE + w.path_len + 1; i < end; i++)
			if (f->data[i])
				return ckpt_fail("inotify fd %u has bytes between its watches", f->rec.fd);
		last_wd = w.wd;
		off = end;
	}
	return 0;
}

/* The highest wd of an inotify fd; restart walks the numbering up to it. */
static uint32_t highest_wd(const struct fd_image *f)
{
	struct ckpt_fd_inotify_watch w = {0};
	uint32_t high = 0;
	const char *path;
	for (size_t off = 0; (off = next_watch(f, off, &w, &path));)
		high = w.wd;
	return high;
}

struct span {
	uint32_t desc, high;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->desc != y->desc ? (x->desc < y->desc ? -1 : 1) : (x->high < y->high ? -1 : x->high > y->high);
}

/* All inotify fds of the tree together (each open file description once) span at most
 * CKPT_INOTIFY_MAX_WD wds, so that no statefile makes restart walk for long. */
static int inotify_check_tree(const struct statefile_image *img)
{
	struct span *s = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nfds; k++) {
			const struct fd_image *f = &img->procs[i].fds[k];
			if (f->rec.kind == CKPT_FD_INOTIFY && f->rec.data_len)
				*ARR_PUSH(s, n, cap) = (struct span){f->rec.desc, highest_wd(f)};
		}
	if (n > 1)
		qsort(s, n, sizeof(*s), cmp_span);
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || s[i + 1].desc != s[i].desc)
			total += s[i].high;
	free(s);
	if (total > CKPT_INOTIFY_MAX_WD)
		return ckpt_fail("the inotify fds of the tree span %llu watch descriptors, more than the %u restart rebuilds",
				 (unsigned long long)total, CKPT_INOTIFY_MAX_WD);
	return 0;
}

/* A dump makes only statefiles the reader takes. */
static int inotify_capture_tree(struct statefile_image *img)
{
	return inotify_check_tree(img);
}

/* ---- restart ---- */

/* The throwaway watches that fill the gaps in the numbering: each is removed at once, and its
 * removal queues an IN_IGNORED event, which is read away before the queue fills. */
struct gaps {
	int fd;                /* the inotify fd being rebuilt */
	int file;              /* a memfd of ours that nothing else watches; -1 until needed */
	char path[64];         /* its path for inotify_add_watch */
	uint32_t pending[64];  /* wds removed whose IN_IGNORED is still queued */
	size_t npending;
	size_t lost;           /* events of the real watches read away with them */
};

static void drain(struct gaps *g)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(g->fd, buf, sizeof(buf))) > 0)
		for (ssize_t at = 0; at + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *e = (const struct inotify_event *)(buf + at);
			bool ours = false;
			for (size_t i = 0; i < g->npending && e->mask == IN_IGNORED; i++)
				ours |= (uint32_t)e->wd == g->pending[i];
			g->lost += !ours;
			at += (ssize_t)(sizeof(*e) + e->len);
		}
	g->npending = 0;
}

/* A throwaway watch that takes wd `want`. */
static int fill_gap(struct gaps *g, uint32_t want, const struct process_image *p, const struct fd_image *f)
{
	if (g->file < 0) {
		g->file = memfd_create("ckpt-inotify-gap", MFD_CLOEXEC);
		if (g->file < 0)
			return ckpt_fail_errno("cannot renumber inotify fd %u of pid %u", f->rec.fd, p->rec.pid);
		snprintf(g->path, sizeof(g->path), "/proc/self/fd/%d", g->file);
	}
	int wd = inotify_add_watch(g->fd, g->path, IN_DELETE_SELF);
	if (wd < 0)
		return ckpt_fail_errno("cannot renumber inotify fd %u of pid %u", f->rec.fd, p->rec.pid);
	inotify_rm_watch(g->fd, wd);
	g->pending[g->npending++] = (uint32_t)wd;
	if (g->npending == ARRAY_LEN(g->pending))
		drain(g);
	if ((uint32_t)wd != want)
		return ckpt_fail("cannot renumber inotify fd %u of pid %u: the kernel gave wd %d for %u", f->rec.fd,
				 p->rec.pid, wd, want);
	return 0;
}

static int add_watch(int fd, const struct ckpt_fd_inotify_watch *w, const char *path, const struct process_image *p,
		     const struct fd_image *f)
{
	uint32_t mask = w->mask | IN_MASK_CREATE | ((w->flags & CKPT_INOTIFY_DONT_FOLLOW) ? IN_DONT_FOLLOW : 0) |
			((w->flags & CKPT_INOTIFY_DIR) ? IN_ONLYDIR : 0);
	int wd = inotify_add_watch(fd, path, mask);
	if (wd < 0 && errno == ENOENT)
		return ckpt_fail("inotify fd %u of pid %u watched %s, which no longer exists", f->rec.fd, p->rec.pid, path);
	if (wd < 0 && errno == ENOTDIR && (w->flags & CKPT_INOTIFY_DIR))
		return ckpt_fail("inotify fd %u of pid %u watched the directory %s, which is no longer a directory",
				 f->rec.fd, p->rec.pid, path);
	if (wd < 0 && errno == EEXIST)
		return ckpt_fail("inotify fd %u of pid %u watched %s and another path that now name the same file",
				 f->rec.fd, p->rec.pid, path);
	if (wd < 0)
		return ckpt_fail_errno("cannot watch %s again for inotify fd %u of pid %u", path, f->rec.fd, p->rec.pid);
	if ((uint32_t)wd != w->wd)
		return ckpt_fail("inotify fd %u of pid %u: the watch of %s came back as wd %d, not %u", f->rec.fd,
				 p->rec.pid, path, wd, w->wd);
	return 0;
}

static int inotify_open(const struct process_image *p, const struct fd_image *f)
{
	struct gaps g = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), .file = -1};
	if (g.fd < 0)
		return ckpt_fail_errno("cannot make inotify fd %u of pid %u again", f->rec.fd, p->rec.pid);
	uint32_t next = 1;
	int rc = 0;
	struct ckpt_fd_inotify_watch w;
	const char *path;
	for (size_t off = 0; rc == 0 && (off = next_watch(f, off, &w, &path));) {
		for (; rc == 0 && next < w.wd; next++)
			if ((rc = fill_gap(&g, next, p, f)) == 0 && next % 4096 == 0)
				rc = check_interrupted();
		if (rc == 0)
			rc = add_watch(g.fd, &w, path, p, f);
		next = w.wd + 1;
	}
	if (g.file >= 0) {
		drain(&g);
		close(g.file);
	}
	if (rc < 0) {
		close(g.fd);
		return -1;
	}
	if (g.lost)
		ckpt_warn("inotify fd %u of pid %u: %zu event%s on its watches during the restart %s lost", f->rec.fd,
			  p->rec.pid, g.lost, g.lost == 1 ? "" : "s", g.lost == 1 ? "was" : "were");
	if (!(f->rec.open_flags & O_NONBLOCK))
		fcntl(g.fd, F_SETFL, fcntl(g.fd, F_GETFL) & ~O_NONBLOCK);
	return g.fd;
}

/* ---- ckpt info ---- */

static const struct {
	uint32_t bit;
	const char *name;
} mask_names[] = {
	{IN_ACCESS, "access"}, {IN_MODIFY, "modify"}, {IN_ATTRIB, "attrib"}, {IN_CLOSE_WRITE, "close_write"},
	{IN_CLOSE_NOWRITE, "close_nowrite"}, {IN_OPEN, "open"}, {IN_MOVED_FROM, "moved_from"},
	{IN_MOVED_TO, "moved_to"}, {IN_CREATE, "create"}, {IN_DELETE, "delete"}, {IN_DELETE_SELF, "delete_self"},
	{IN_MOVE_SELF, "move_self"}, {IN_EXCL_UNLINK, "excl_unlink"}, {IN_ONESHOT, "oneshot"},
};

static void inotify_describe_text(const struct fd_image *f, struct buf *out, const char *indent)
{
	struct ckpt_fd_inotify_watch w;
	const char *path;
	for (size_t off = 0; (off = next_watch(f, off, &w, &path));) {
		buf_printf(out, "\n%swatch %u: %s%s (", indent, w.wd, path,
			   (w.flags & CKPT_INOTIFY_DONT_FOLLOW) ? " (the link itself)" : "");
		const char *sep = "";
		for (size_t i = 0; i < ARRAY_LEN(mask_names); i++)
			if (w.mask & mask_names[i].bit) {
				buf_printf(out, "%s%s", sep, mask_names[i].name);
				sep = " ";
			}
		buf_printf(out, ")");
	}
}

static void inotify_describe_json(const struct fd_image *f, struct json *j)
{
	json_array_begin(j, "watches");
	struct ckpt_fd_inotify_watch w;
	const char *path;
	for (size_t off = 0; (off = next_watch(f, off, &w, &path));) {
		json_object_begin(j, NULL);
		json_u64(j, "wd", w.wd);
		json_str(j, "path", path);
		json_hex(j, "mask", w.mask);
		json_bool(j, "dont_follow", w.flags & CKPT_INOTIFY_DONT_FOLLOW);
		json_bool(j, "directory", w.flags & CKPT_INOTIFY_DIR);
		json_object_end(j);
	}
	json_array_end(j);
}

const struct fd_kind inotify_fd_kind = {
	.kind = CKPT_FD_INOTIFY,
	.name = "inotify",
	.link = "anon_inode:inotify",
	.capture = inotify_capture,
	.check_saved = inotify_check_saved,
	.open = inotify_open,
	.capture_tree = inotify_capture_tree,
	.check_tree = inotify_check_tree,
	.describe_text = inotify_describe_text,
	.describe_json = inotify_describe_json,
};
