/*
 * What write tracking costs a program on this machine, outside ckpt (not a test): a child with
 * HEAP MiB of touched memory under an asynchronous write-protect userfaultfd, as ckpt's tracker
 * arms it, is stopped and resumed by ptrace the way gdb and ckpt's freeze do.  For each round
 * it prints, against the same child without tracking:
 *   - the step: resume, write 1% of the heap (one byte per page), stop;
 *   - the first system call injected after the child has been stopped IDLE ms (the freeze's
 *     first injection), and a second one right after it.
 * Between rounds the child write-protects again exactly the pages it wrote (PAGEMAP_SCAN), as
 * the tracker does at each capture.
 *
 *   wpresume [HEAP_MIB] [IDLE_MS]     (defaults 100 and 20)
 */
#define _GNU_SOURCE
#include "../src/pagescan.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#define PAGE 4096ul
#define ROUNDS 6

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int fail(const char *what)
{
	perror(what);
	_exit(2);
}

/* Write-protects the pages of [heap, heap + len) written since the last call (all at first). */
static void protect_written(int pagemap, unsigned char *heap, size_t len, int uffd, int first)
{
	if (first) {
		struct uffdio_writeprotect w = {.range = {(uint64_t)(uintptr_t)heap, len}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
		if (ioctl(uffd, UFFDIO_WRITEPROTECT, &w) < 0)
			fail("UFFDIO_WRITEPROTECT");
		return;
	}
	struct page_region regions[256];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = PM_SCAN_CHECK_WPASYNC | PM_SCAN_WP_MATCHING,
		.start = (uint64_t)(uintptr_t)heap,
		.end = (uint64_t)(uintptr_t)heap + len,
		.vec = (uint64_t)(uintptr_t)regions,
		.vec_len = 256,
		.category_anyof_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN,
	};
	while (a.start < a.end) {
		if (ioctl(pagemap, PAGEMAP_SCAN, &a) < 0)
			fail("PAGEMAP_SCAN");
		a.start = a.walk_end;
	}
}

/* The child: its heap, tracked or not; then rounds of stop, write 1%, trap. */
static void child(size_t mib, int tracked)
{
	size_t pages = mib << 8, len = pages * PAGE;
	unsigned char *heap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED)
		fail("mmap");
	for (size_t p = 0; p < pages; p++)
		heap[p * PAGE] = 1;
	int uffd = -1, pagemap = -1;
	if (tracked) {
		uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_WP_ASYNC};
		struct uffdio_register reg = {.range = {(uint64_t)(uintptr_t)heap, len}, .mode = UFFDIO_REGISTER_MODE_WP};
		pagemap = open("/proc/self/pagemap", O_RDONLY);
		if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) < 0 || ioctl(uffd, UFFDIO_REGISTER, &reg) < 0 || pagemap < 0)
			fail("userfaultfd");
	}
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		fail("PTRACE_TRACEME");
	for (size_t round = 0;; round++) {
		if (tracked)
			protect_written(pagemap, heap, len, uffd, round == 0);
		raise(SIGSTOP);
		for (size_t p = round % 100; p < pages; p += 100)
			heap[p * PAGE] ^= 1;
		__asm__ volatile("int3");
	}
}

static void wait_stop(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st))
		fail("waitpid");
}

/* One injected getpid() at the syscall instruction at gadget: its time. */
static double inject(pid_t pid, const struct user_regs_struct *saved, uint64_t gadget)
{
	struct user_regs_struct r = *saved;
	r.rip = gadget;
	r.rax = SYS_getpid;
	r.orig_rax = (uint64_t)-1;
	double t = now_ms();
	if (ptrace(PTRACE_SETREGS, pid, NULL, &r) < 0 || ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) < 0)
		fail("inject");
	wait_stop(pid);
	return now_ms() - t;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Medians over the rounds after the first: step, first and second injection. */
static void measure(size_t mib, int idle_ms, int tracked, double out[3])
{
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0)
		child(mib, tracked);
	wait_stop(pid); /* its first SIGSTOP */
	/* A syscall instruction of the C library, mapped at the same place in the child. */
	uint64_t gadget = 0;
	const unsigned char *f = (const unsigned char *)(uintptr_t)getppid;
	for (int i = 0; i < 64 && !gadget; i++)
		if (f[i] == 0x0f && f[i + 1] == 0x05)
			gadget = (uint64_t)(uintptr_t)(f + i);
	if (!gadget)
		fail("no syscall instruction in getppid");
	double step[ROUNDS], first[ROUNDS], second[ROUNDS];
	for (int round = 0; round < ROUNDS; round++) {
		usleep((useconds_t)idle_ms * 1000); /* the user looks at the stop */
		double t = now_ms();
		if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
			fail("PTRACE_CONT");
		wait_stop(pid); /* the int3 after the writes */
		step[round] = now_ms() - t;
		struct user_regs_struct saved;
		if (ptrace(PTRACE_GETREGS, pid, NULL, &saved) < 0)
			fail("PTRACE_GETREGS");
		usleep((useconds_t)idle_ms * 1000);
		first[round] = inject(pid, &saved, gadget);
		second[round] = inject(pid, &saved, gadget);
		if (ptrace(PTRACE_SETREGS, pid, NULL, &saved) < 0 || ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
			fail("resume");
		wait_stop(pid); /* the next round's SIGSTOP */
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	out[0] = median(step + 1, ROUNDS - 1);
	out[1] = median(first + 1, ROUNDS - 1);
	out[2] = median(second + 1, ROUNDS - 1);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	int idle = argc > 2 ? atoi(argv[2]) : 20;
	double plain[3], tracked[3];
	measure(mib, idle, 0, plain);
	measure(mib, idle, 1, tracked);
	printf("heap %zu MiB, %zu pages written per step, stopped %d ms before each resume\n", mib, (mib << 8) / 100, idle);
	printf("step (resume, write 1%%, stop)     untracked %.3f ms, tracked %.3f ms (%.1f x)\n", plain[0], tracked[0],
	       tracked[0] / plain[0]);
	printf("first injected syscall after idle  untracked %.3f ms, tracked %.3f ms (%.1f x)\n", plain[1], tracked[1],
	       tracked[1] / plain[1]);
	printf("second injected syscall            untracked %.3f ms, tracked %.3f ms\n", plain[2], tracked[2]);
	return 0;
}
