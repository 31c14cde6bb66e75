/*
 * libFuzzer harness for the statefile reader: each input is written to a memfd and read as a
 * statefile through ckpt_info (statefile_read, then the text and the JSON rendering).  Built
 * with ASan and UBSan by run-fuzz.sh.  Besides crashes, leaks and timeouts, it aborts when a
 * rejected input leaves no error, or an error that is not one line.
 */
#include "ckpt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const char *what)
{
	const char *e = ckpt_last_error();
	if (!e || !e[0] || strcmp(e, "no error") == 0 || strchr(e, '\n')) {
		fprintf(stderr, "%s: rejected without a one-line reason: '%s'\n", what, e ? e : "(null)");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("statefile", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
	for (int json = 0; json <= 1; json++) {
		char *text = ckpt_info(path, json);
		if (!text) {
			check_error(json ? "ckpt_info json" : "ckpt_info text");
			continue;
		}
		if (!text[0]) {
			fprintf(stderr, "ckpt_info accepted the input but described nothing\n");
			abort();
		}
		ckpt_free(text);
	}
	return 0;
}
