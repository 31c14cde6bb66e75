/*
 * Shared by the self-checking test programs.  Each program sets up its state, calls ready()
 * (which creates the file named by its first argument, so the test knows when to checkpoint),
 * works for a while in small steps, then prints a deterministic result.  An undisturbed run
 * and a run that was checkpointed and restarted must print exactly the same thing.
 */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline void ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror("ready file");
		exit(99);
	}
	close(fd);
}

/* A sleep that must never fail: a checkpoint in the middle of it may not leak EINTR. */
static inline void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	if (nanosleep(&ts, NULL) != 0) {
		perror("nanosleep interrupted");
		exit(4);
	}
}

/* FNV-1a over a buffer, for checksums that any lost byte would change. */
static inline uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ull;
	return h;
}

#define CHECK(cond, what)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			printf("FAILED CHECK: %s (%s:%d)\n", what, __FILE__, __LINE__); \
			fflush(stdout);                                     \
			exit(3);                                            \
		}                                                           \
	} while (0)

#endif
