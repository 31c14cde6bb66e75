/* Small shared helpers: error reporting, allocation, growable buffers, /proc reading. */
#ifndef CKPT_UTIL_H
#define CKPT_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#define PAGE_SIZE_4K 4096UL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

/*
 * Errors: every failing libckpt function returns -1 (or NULL) after setting a one-line,
 * human-readable reason, which ckpt_last_error() returns.  The first error set wins until
 * it is cleared, so a cleanup path cannot overwrite the real cause.
 */
int ckpt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ckpt_fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ckpt_clear_error(void);
void ckpt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Debug tracing to stderr when CKPT_DEBUG is set in the environment. */
void ckpt_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends an element to a growable array: ARR_PUSH(arr, count, cap) returns a zeroed slot. */
void *arr_grow(void *arr, size_t elem, size_t *count, size_t *cap);
#define ARR_PUSH(arr, count, cap) \
	((__typeof__(arr))((arr) = arr_grow((arr), sizeof(*(arr)), &(count), &(cap)), &(arr)[(count) - 1]))

/* A growable byte buffer. */
struct buf {
	uint8_t *data;
	size_t len, cap;
};
void buf_put(struct buf *b, const void *p, size_t n);
void buf_zero(struct buf *b, size_t n);
void buf_align(struct buf *b, size_t a);
void buf_free(struct buf *b);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole (small) file, e.g. under /proc.  Returns malloc'ed NUL-terminated data. */
char *read_file(const char *path, size_t *len_out);
char *read_proc(pid_t pid, const char *what, size_t *len_out);
/* A directory under /proc/PID ("fd", "task"); NULL with errno. */
DIR *opendir_proc(pid_t pid, const char *what);
/* The children of one thread (/proc/PID/task/TID/children), as pids in our namespace.  Returns
 * their number and a malloc'ed array (NULL when there are none or the thread is gone). */
size_t proc_children(pid_t pid, pid_t tid, pid_t **out);
/* readlink into a malloc'ed string. */
char *read_link(const char *path);
/* A duplicate, in this process, of fd `fd` of process pid (pidfd_getfd); -1 with errno. */
int take_fd(pid_t pid, int fd);
/* Moves fd to the lowest free number at or above base (close-on-exec) and closes the original.
 * Returns fd itself when it is there already or cannot be moved. */
int fd_move_up(int fd, int base);

/* Finds "Key:\t value" in /proc/PID/status text; returns pointer to the value or NULL. */
const char *status_field(const char *status, const char *key);

/* Full read/write loops that retry on EINTR and short counts. */
int write_all(int fd, const void *p, size_t n);
int pwrite_all(int fd, const void *p, size_t n, off_t off);
int pread_all(int fd, void *p, size_t n, off_t off);
/* The next run of data (not a hole) of a file at or after `at` and before `end`, in
 * [*start, *stop).  Returns 1, 0 when there is none, -1 with errno when the file cannot say. */
int file_next_data(int fd, uint64_t at, uint64_t end, uint64_t *start, uint64_t *stop);

uint64_t now_ns(void);         /* CLOCK_MONOTONIC */
uint64_t realtime_ns(void);    /* CLOCK_REALTIME */

/* Set asynchronously by SIGINT/SIGTERM handlers in front doors; long loops poll it. */
extern volatile int ckpt_interrupted;
int check_interrupted(void);

#endif
