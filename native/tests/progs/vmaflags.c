/*
 * Mappings keep their advice and their locks across the checkpoint: one region each with
 * MADV_SEQUENTIAL, MADV_RANDOM, MADV_MERGEABLE (when the kernel has KSM), MADV_DONTFORK and
 * MADV_WIPEONFORK, one MAP_DROPPABLE (when the kernel has it), one mlock()ed (over 4 MiB, so a
 * lazy restart would page it in if it did not know better) and one mlock2(MLOCK_ONFAULT)ed of
 * which only half was touched.  Each region sits between PROT_NONE guard pages, so it stays one
 * mapping of its own.  After the work the program reads /proc/self/smaps: every region is still
 * one mapping with its flags, the locked ones wholly resident and locked, the lock-on-fault one
 * no more resident than it was; a forked child sees the DONTFORK region gone and the WIPEONFORK
 * one zero; and every region's contents have the checksum they would have undisturbed (the
 * droppable one is cleared first: the kernel may drop its pages whenever it likes).
 */
#include "common.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif

#define PAGE 4096ul
#define SMALL (16 * PAGE)
#define LOCKED_LEN ((4ul << 20) + SMALL)
#define ONFAULT_LEN (256 * PAGE)

struct region {
	const char *name;
	size_t len;
	const char *want; /* VmFlags the mapping must show, space separated */
	char *at;
	bool have;        /* the kernel let the program set it up */
	size_t touched;   /* bytes written from the start */
};

static struct region regions[] = {
	{"sequential", SMALL, "sr"},
	{"random", SMALL, "rr"},
	{"mergeable", SMALL, "mg"},
	{"dontfork", SMALL, "dc"},
	{"wipeonfork", SMALL, "wf"},
	{"droppable", SMALL, "dp wf dd"},
	{"locked", LOCKED_LEN, "lo"},
	{"lock-on-fault", ONFAULT_LEN, "lo lf"},
};
enum { SEQUENTIAL, RANDOM, MERGEABLE, DONTFORK, WIPEONFORK, DROPPABLE, LOCKED, ONFAULT, NREGIONS };

/* A mapping of len bytes between two PROT_NONE guard pages. */
static char *guarded(size_t len, int type)
{
	char *g = mmap(NULL, len + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(g != MAP_FAILED, "mmap guard");
	char *at = mmap(g + PAGE, len, PROT_READ | PROT_WRITE, type | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (at == MAP_FAILED) {
		munmap(g, len + 2 * PAGE);
		return NULL;
	}
	return at;
}

static void fill(struct region *r, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = (i / 8) * 0x9e3779b97f4a7c15ull ^ seed;
		memcpy(r->at + i, &v, 8);
	}
	if (len > r->touched)
		r->touched = len;
}

static bool has_token(const char *flags, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = flags; (p = strstr(p, tok)); p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == 0))
			return true;
	return false;
}

struct seen {
	bool found;
	unsigned long end;
	long rss_kb, locked_kb;
	char flags[512];
};

/* The smaps entry that starts at addr. */
static struct seen smaps_of(const char *addr)
{
	struct seen s = {0};
	FILE *f = fopen("/proc/self/smaps", "r");
	CHECK(f, "open smaps");
	char line[512];
	bool in = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = a == (unsigned long)addr;
			if (in) {
				s.found = true;
				s.end = b;
			}
			continue;
		}
		if (!in)
			continue;
		sscanf(line, "Rss: %ld kB", &s.rss_kb);
		sscanf(line, "Locked: %ld kB", &s.locked_kb);
		if (strncmp(line, "VmFlags:", 8) == 0)
			snprintf(s.flags, sizeof(s.flags), "%s", line + 8);
	}
	fclose(f);
	return s;
}

/* The wanted flags the mapping shows, or "-" for each it lacks. */
static void check_region(const struct region *r)
{
	if (!r->have) {
		printf("%s: not available on this kernel\n", r->name);
		return;
	}
	struct seen s = smaps_of(r->at);
	CHECK(s.found, "the region is still a mapping of its own");
	CHECK(s.end == (unsigned long)(r->at + r->len), "the region is still one mapping");
	char want[64], shown[64] = "";
	snprintf(want, sizeof(want), "%s", r->want);
	char *save = NULL;
	for (char *t = strtok_r(want, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		strcat(shown, *shown ? " " : "");
		strcat(shown, has_token(s.flags, t) ? t : "-");
	}
	uint64_t h = fnv(14695981039346656037ull, r->at, r->len);
	printf("%s: %zu KiB, flags %s, checksum %016llx", r->name, r->len / 1024, shown, (unsigned long long)h);
	if (has_token(r->want, "lo"))
		printf(", resident %s, locked %s", s.rss_kb * 1024 == (long)r->touched ? "as touched" : "NOT as touched",
		       s.locked_kb == s.rss_kb ? "all of it" : "NOT all of it");
	printf("\n");
}

/* A child's view of the fork flags: the DONTFORK region is not mapped, the WIPEONFORK one
 * reads as zeros. */
static void check_fork(void)
{
	pid_t c = fork();
	CHECK(c >= 0, "fork");
	if (c == 0) {
		int bad = 0;
		if (msync(regions[DONTFORK].at, SMALL, MS_ASYNC) == 0 || errno != ENOMEM)
			bad |= 1;
		for (size_t i = 0; i < SMALL; i++)
			if (regions[WIPEONFORK].at[i]) {
				bad |= 2;
				break;
			}
		_exit(bad);
	}
	int st;
	while (waitpid(c, &st, 0) < 0)
		CHECK(errno == EINTR, "waitpid");
	CHECK(WIFEXITED(st), "the child exits");
	printf("fork: dontfork region %s, wipeonfork region %s\n", WEXITSTATUS(st) & 1 ? "STILL MAPPED" : "gone",
	       WEXITSTATUS(st) & 2 ? "NOT WIPED" : "zero");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	static const int advice[] = {MADV_SEQUENTIAL, MADV_RANDOM, MADV_MERGEABLE, MADV_DONTFORK, MADV_WIPEONFORK};
	for (int k = 0; k < NREGIONS; k++) {
		struct region *r = &regions[k];
		r->at = guarded(r->len, k == DROPPABLE ? MAP_DROPPABLE : MAP_PRIVATE);
		r->have = r->at != NULL;
		CHECK(r->have || k == DROPPABLE, "mmap");
		if (k <= WIPEONFORK)
			r->have = madvise(r->at, r->len, advice[k]) == 0;
		CHECK(r->have || k == MERGEABLE || k == DROPPABLE, "madvise");
		if (r->have && k != ONFAULT)
			fill(r, r->len, (unsigned)k);
	}
	CHECK(mlock(regions[LOCKED].at, LOCKED_LEN) == 0, "mlock");
	CHECK(syscall(SYS_mlock2, regions[ONFAULT].at, ONFAULT_LEN, MLOCK_ONFAULT) == 0, "mlock2(MLOCK_ONFAULT)");
	fill(&regions[ONFAULT], ONFAULT_LEN / 4, 99);

	ready(argv[1]);
	/* The work: each step changes a page of each region and touches one more page of the
	 * lock-on-fault one, up to half of it. */
	for (unsigned step = 0; step < 32; step++) {
		for (int k = 0; k < NREGIONS; k++) {
			struct region *r = &regions[k];
			if (r->have && k != ONFAULT && k != DROPPABLE)
				r->at[(step * 7 % (r->len / PAGE)) * PAGE + step] ^= (char)(step + 1);
		}
		size_t page = ONFAULT_LEN / 4 + step * 4 * PAGE;
		memset(regions[ONFAULT].at + page, 0x5a, 4 * PAGE);
		regions[ONFAULT].touched = page + 4 * PAGE;
		nap_ms(25);
	}

	if (regions[DROPPABLE].have)
		memset(regions[DROPPABLE].at, 0, SMALL);
	for (int k = 0; k < NREGIONS; k++)
		check_region(&regions[k]);
	check_fork();
	return 0;
}
