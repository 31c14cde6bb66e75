/* Advice given in place between saves: a mapping whose layout stays the same while its advice
 * (madvise) or its lock (mlock) changes.  After each snap() returns, it prints the advice its
 * mappings have then, as the kernel shows it, so that a restart from a save made inside
 * snap(r) must print what the program printed after round r. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096
#define MIB (1 << 20)

static unsigned char *advised, *locked;

void __attribute__((noinline)) snap(int round)
{
	__asm__ volatile("" : : "r"(round) : "memory"); /* BREAK-HERE */
}

/* A mapping of n bytes with an inaccessible page either side, so that no advice merges it with
 * a neighbour (the layout stays as it is). */
static unsigned char *isolated(size_t n)
{
	unsigned char *r = mmap(NULL, n + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		exit(2);
	unsigned char *m = mmap(r + PAGE, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (m != r + PAGE)
		exit(2);
	memset(m, 0x11, n);
	return m;
}

/* The VmFlags of the mapping that starts at p: whether it has flag (two letters). */
static int has_flag(const void *p, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, found = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a == (unsigned long)p;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			found = strstr(line, flag) != NULL;
	}
	if (f)
		fclose(f);
	return found;
}

static void show(int round)
{
	printf("ROUND %d dontdump %d locked %d\n", round, has_flag(advised, " dd"), has_flag(locked, " lo"));
	fflush(stdout);
}

int main(void)
{
	advised = isolated(4 * MIB);
	locked = isolated(MIB);
	has_flag(advised, " dd"); /* the C library's buffers now, not between two saves */
	printf("START\n");
	fflush(stdout);
	snap(1);
	show(1);
	madvise(advised, 4 * MIB, MADV_DONTDUMP); /* advice only: the locked total stays */
	snap(2);
	show(2);
	if (mlock(locked, MIB) < 0) /* the lock only */
		return 3;
	snap(3);
	show(3);
	madvise(advised, 4 * MIB, MADV_DODUMP);
	munlock(locked, MIB);
	snap(4);
	show(4);
	printf("RESULT %d\n", advised[5] + locked[7]);
	return 0;
}
