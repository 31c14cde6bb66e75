/*
 * The page map of a process: which pages are populated.  PAGEMAP_SCAN (Linux 6.7) asks
 * /proc/PID/pagemap for runs of pages by category, and write-protects them for a userfaultfd
 * in asynchronous mode (memtrack.c).  The C library's kernel headers may predate it; the
 * kernel decides at run time (ENOTTY when it lacks it).
 */
#ifndef CKPT_PAGESCAN_H
#define CKPT_PAGESCAN_H

#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif

/* Opens /proc/PID/pagemap; -1 with an error. */
int pagemap_open(pid_t pid);
/* Calls fn for each run of pages of [start, end) that are present or swapped out, with the
 * run's PAGE_IS_* categories (PRESENT, SWAPPED, FILE); stops at the first non-zero return and
 * returns it (-1 with an error when the page map cannot be read).  PAGEMAP_SCAN skips missing
 * page tables whole, so a big reservation costs nothing. */
typedef int (*page_run_fn)(void *arg, uint64_t start, uint64_t end, uint64_t categories);
int pagemap_for_each_populated(int pagemap, pid_t pid, uint64_t start, uint64_t end, page_run_fn fn, void *arg);

#endif
