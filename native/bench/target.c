/*
 * Benchmark target: N GiB (argv[1], default 1) of touched heap, and a heartbeat thread that
 * measures, from inside, the longest time the process was kept from running.  SIGUSR1 makes it
 * write that longest gap (in microseconds) to the file named by argv[2] and start over;
 * SIGUSR2 dirties the given fraction (argv[3], percent) of the heap pages again, and so does
 * `call (void) bench_dirty()` from a debugger.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t max_gap_ns;
static volatile int report_now, dirty_now;
static unsigned char *heap;
static size_t len;
static double pct;
static unsigned round_no = 1;

__attribute__((noinline, used)) void bench_dirty(void)
{
	size_t pages = len / 4096, step = (size_t)(100.0 / pct);
	for (size_t p = 0; p < pages; p += step)
		heap[p * 4096 + 8] = (unsigned char)round_no;
	round_no++;
}

static uint64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *heartbeat(void *arg)
{
	(void)arg;
	uint64_t last = now();
	for (;;) {
		struct timespec ts = {0, 200000}; /* 0.2 ms */
		nanosleep(&ts, NULL);
		uint64_t t = now();
		if (t - last > max_gap_ns)
			max_gap_ns = t - last;
		last = t;
	}
	return NULL;
}

static void on_usr1(int sig) { (void)sig; report_now = 1; }
static void on_usr2(int sig) { (void)sig; dirty_now = 1; }

int main(int argc, char **argv)
{
	double gib = argc > 1 ? atof(argv[1]) : 1.0;
	const char *report = argc > 2 ? argv[2] : "/dev/stdout";
	pct = argc > 3 ? atof(argv[3]) : 1.0;
	len = (size_t)(gib * (1 << 30));
	heap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < len; i += 8)
		*(uint64_t *)(heap + i) = i * 0x9e3779b97f4a7c15ull;
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	pthread_t t;
	pthread_create(&t, NULL, heartbeat, NULL);
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (;;) {
		pause();
		if (dirty_now) {
			dirty_now = 0;
			bench_dirty();
			FILE *f = fopen(report, "w");
			if (f) {
				fprintf(f, "dirtied\n");
				fclose(f);
			}
		}
		if (report_now) {
			report_now = 0;
			FILE *f = fopen(report, "w");
			if (f) {
				fprintf(f, "%llu\n", (unsigned long long)(max_gap_ns / 1000));
				fclose(f);
			}
			max_gap_ns = 0;
		}
	}
}
