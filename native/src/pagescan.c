/* Populated pages of a process, from /proc/PID/pagemap (pagescan.h). */
#include "pagescan.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PAGE 4096ull
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)

static int read_pagemap_fd(int fd, pid_t pid, uint64_t start, uint64_t end, uint64_t *out)
{
	size_t n = (end - start) / PAGE;
	if (pread_all(fd, out, n * 8, (off_t)(start / PAGE * 8)) < 0)
		return ckpt_fail_errno("cannot read the page map of pid %d", pid);
	return 0;
}

int pagemap_open(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ckpt_fail_errno("cannot open %s", path);
	return fd;
}

/* Kernels without PAGEMAP_SCAN: the page map read page by page. */
static int for_each_populated_legacy(int pagemap, pid_t pid, uint64_t start, uint64_t end, page_run_fn fn, void *arg)
{
	for (uint64_t a = start; a < end;) {
		uint64_t span = end - a > (64ull << 20) ? (64ull << 20) : end - a;
		size_t np = span / PAGE;
		uint64_t *pm = xmalloc(np * 8);
		if (read_pagemap_fd(pagemap, pid, a, a + span, pm) < 0) {
			free(pm);
			return -1;
		}
		for (size_t i = 0; i < np;) {
			uint64_t cat = ((pm[i] & PM_PRESENT) ? PAGE_IS_PRESENT : 0) | ((pm[i] & PM_SWAPPED) ? PAGE_IS_SWAPPED : 0) |
				       ((pm[i] & PM_FILE) ? PAGE_IS_FILE : 0);
			size_t j = i + 1;
			while (j < np && (pm[j] & (PM_PRESENT | PM_SWAPPED | PM_FILE)) == (pm[i] & (PM_PRESENT | PM_SWAPPED | PM_FILE)))
				j++;
			int r = (cat & (PAGE_IS_PRESENT | PAGE_IS_SWAPPED)) ? fn(arg, a + i * PAGE, a + j * PAGE, cat) : 0;
			if (r) {
				free(pm);
				return r;
			}
			i = j;
		}
		free(pm);
		a += span;
	}
	return 0;
}

int pagemap_for_each_populated(int pagemap, pid_t pid, uint64_t start, uint64_t end, page_run_fn fn, void *arg)
{
	struct page_region regions[512];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)regions,
		.vec_len = ARRAY_LEN(regions),
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE,
	};
	while (a.start < end) {
		long n = ioctl(pagemap, PAGEMAP_SCAN, &a);
		if (n < 0 && a.start == start && (errno == ENOTTY || errno == EINVAL))
			return for_each_populated_legacy(pagemap, pid, start, end, fn, arg);
		if (n < 0)
			return ckpt_fail_errno("cannot scan the page map of pid %d", pid);
		for (long i = 0; i < n; i++) {
			int r = fn(arg, regions[i].start, regions[i].end, regions[i].categories);
			if (r)
				return r;
		}
		if (a.walk_end <= a.start)
			return ckpt_fail("cannot scan the page map of pid %d: no progress", pid);
		a.start = a.walk_end;
	}
	return 0;
}
