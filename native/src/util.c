/* Small shared helpers: errors, allocation, buffers, /proc and fd helpers (util.h). */
#include "util.h"
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static __thread char err_msg[1024];
static __thread bool err_set;
volatile int ckpt_interrupted;

const char *ckpt_last_error(void)
{
	return err_set ? err_msg : "no error";
}

void ckpt_clear_error(void)
{
	err_set = false;
	err_msg[0] = 0;
}

static void set_error(const char *fmt, va_list ap, int errnum)
{
	if (err_set)
		return;
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	if (errnum) {
		size_t n = strlen(err_msg);
		snprintf(err_msg + n, sizeof(err_msg) - n, ": %s", strerror(errnum));
	}
	/* One line, always, and nothing a terminal would act on (strings can come from hostile
	 * statefiles). */
	for (char *p = err_msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	err_set = true;
}

int ckpt_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(fmt, ap, 0);
	va_end(ap);
	return -1;
}

int ckpt_fail_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	set_error(fmt, ap, e);
	va_end(ap);
	errno = e;
	return -1;
}

void ckpt_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ckpt: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void ckpt_debug(const char *fmt, ...)
{
	static int enabled = -1;
	if (enabled < 0)
		enabled = getenv("CKPT_DEBUG") != NULL;
	if (!enabled)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ckpt[%d]: ", getpid());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void oom(void)
{
	fputs("ckpt: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

void *arr_grow(void *arr, size_t elem, size_t *count, size_t *cap)
{
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		arr = xrealloc(arr, *cap * elem);
	}
	memset((char *)arr + *count * elem, 0, elem);
	(*count)++;
	return arr;
}

void buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (p)
		memcpy(b->data + b->len, p, n);
	else
		memset(b->data + b->len, 0, n);
	b->len += n;
}

void buf_zero(struct buf *b, size_t n)
{
	buf_put(b, NULL, n);
}

void buf_align(struct buf *b, size_t a)
{
	size_t pad = ALIGN_UP(b->len, a) - b->len;
	if (pad)
		buf_zero(b, pad);
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	buf_put(b, s, strlen(s));
	free(s);
}

char *read_file(const char *path, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, len = 0;
	char *data = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			data = xrealloc(data, cap);
		}
		ssize_t n = read(fd, data + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(data);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	data[len] = 0;
	if (len_out)
		*len_out = len;
	return data;
}

char *read_proc(pid_t pid, const char *what, size_t *len_out)
{
	char path[4096];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	return read_file(path, len_out);
}

DIR *opendir_proc(pid_t pid, const char *what)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	return opendir(path);
}

size_t proc_children(pid_t pid, pid_t tid, pid_t **out)
{
	char what[64];
	snprintf(what, sizeof(what), "task/%d/children", tid);
	char *text = read_proc(pid, what, NULL);
	size_t n = 0, cap = 0;
	*out = NULL;
	for (char *s = text; s && *s;) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s)
			break;
		if (v > 0)
			*ARR_PUSH(*out, n, cap) = (pid_t)v;
		s = end;
	}
	free(text);
	return n;
}

char *read_link(const char *path)
{
	size_t cap = 256;
	for (;;) {
		char *p = xmalloc(cap);
		ssize_t n = readlink(path, p, cap);
		if (n < 0) {
			free(p);
			return NULL;
		}
		if ((size_t)n < cap) {
			p[n] = 0;
			return p;
		}
		free(p);
		cap *= 2;
	}
}

const char *status_field(const char *status, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = status; l && *l;) {
		if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
			l += kl + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return NULL;
}

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	const char *c = p;
	while (n) {
		ssize_t w = pwrite(fd, c, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

int pread_all(int fd, void *p, size_t n, off_t off)
{
	char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		c += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int check_interrupted(void)
{
	if (ckpt_interrupted)
		return ckpt_fail("interrupted");
	return 0;
}

int take_fd(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	int ours = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	int saved = errno;
	close(pidfd);
	errno = saved;
	return ours;
}

int fd_move_up(int fd, int base)
{
	if (fd < 0 || fd >= base)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, base);
	if (moved < 0)
		return fd;
	close(fd);
	return moved;
}

int file_next_data(int fd, uint64_t at, uint64_t end, uint64_t *start, uint64_t *stop)
{
	off_t data = lseek(fd, (off_t)at, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO ? 0 : -1;
	if ((uint64_t)data >= end)
		return 0;
	off_t hole = lseek(fd, data, SEEK_HOLE);
	*start = (uint64_t)data;
	*stop = hole < 0 || (uint64_t)hole > end ? end : (uint64_t)hole;
	return 1;
}
