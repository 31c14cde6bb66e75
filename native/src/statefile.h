/*
 * The statefile container: an ELF core file per process image (standard core notes plus
 * CKPT notes, one PT_LOAD per mapping), the root image first and child images after it.
 * statefile_write.c lays images out and writes their headers and notes; statefile_read.c reads
 * and validates them, with note_parsers.c for the notes.  Memory contents are written by the
 * memory module into the offsets laid out here.
 */
#ifndef CKPT_STATEFILE_H
#define CKPT_STATEFILE_H

#include "image.h"

#define PAGE 4096ull
#define PID_LIMIT (1u << 22) /* the kernel's PID_MAX_LIMIT on 64-bit */
#define USER_TOP (1ull << 47)
#define VSYSCALL_ADDR 0xffffffffff600000ull

/* Limits a statefile must respect; anything beyond is rejected as hostile. */
#define MAX_PROCESSES 4096
#define MAX_THREADS 32768
#define MAX_VMAS (1u << 20)
#define MAX_FDS (1u << 20)
#define MAX_SIGQUEUE 65536
#define MAX_EMBEDDED 65536
#define MAX_EMBEDDED_SIZE (1ull << 40)

struct statefile_layout {
	struct buf *notes;       /* per process */
	size_t nprocs;
	uint64_t total_size;
};

/* Fills every image's offsets and notes.  Threads, VMAs and fds must be final. */
int statefile_layout(struct statefile_image *img, struct statefile_layout *lay);
/* Writes the ELF headers and notes of every image into fd. */
int statefile_write_headers(int fd, const struct statefile_image *img, const struct statefile_layout *lay);
void statefile_layout_free(struct statefile_layout *lay);

/* Reads and validates a whole statefile's metadata (not the memory).  On error the image is
 * freed and ckpt_last_error() says what is wrong. */
int statefile_read(int fd, struct statefile_image *img);

/* Creates the temporary file next to path, mode 0600.  *tmp_path is malloc'ed. */
int statefile_create_tmp(const char *path, char **tmp_path);
/* fsyncs and renames the temporary file into place, then fsyncs the directory. */
int statefile_commit(int fd, const char *tmp_path, const char *path);

#endif
