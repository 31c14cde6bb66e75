/*
 * mlockall(MCL_FUTURE) is kept: the parent locks its future mappings on fault
 * (MCL_FUTURE | MCL_ONFAULT), a forked child (memory locks are not inherited) locks them at once
 * (MCL_FUTURE).  After the work each maps a new region: it must show as locked in
 * /proc/self/smaps ("lo", and "lf" in the parent), wholly resident in the child, untouched and
 * empty in the parent.  A mapping made before the mlockall stays unlocked.
 */
#include "common.h"

#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#define PAGE 4096ul
#define LEN (8 * PAGE)

/* The VmFlags line of the mapping at addr, as words separated by spaces. */
static void vmflags_of(void *addr, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	CHECK(f, "open smaps");
	char line[4400];
	bool in = false;
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a == (unsigned long)addr;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			snprintf(out, n, "%s", line + 8);
	}
	fclose(f);
}

static bool has_flag(const char *flags, const char *want)
{
	char pat[8];
	snprintf(pat, sizeof(pat), " %s", want);
	return strstr(flags, pat) != NULL;
}

static unsigned resident(void *addr)
{
	unsigned char vec[LEN / PAGE];
	CHECK(mincore(addr, LEN, vec) == 0, "mincore");
	unsigned n = 0;
	for (size_t i = 0; i < LEN / PAGE; i++)
		n += vec[i] & 1;
	return n;
}

/* A new mapping, locked as the saved MCL_FUTURE says; returns a line describing it. */
static void check_new_mapping(const char *who, bool onfault, char *before)
{
	char flags[512];
	vmflags_of(before, flags, sizeof(flags));
	CHECK(flags[0] && !has_flag(flags, "lo"), "a mapping made before mlockall is not locked");
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "map after the work");
	vmflags_of(p, flags, sizeof(flags));
	CHECK(has_flag(flags, "lo"), "a new mapping is locked (MCL_FUTURE kept)");
	CHECK(has_flag(flags, "lf") == onfault, "a new mapping is locked on fault only with MCL_ONFAULT");
	unsigned r = resident(p);
	CHECK(onfault ? r == 0 : r == LEN / PAGE, "a new mapping is resident as its lock says");
	printf("%s: new mappings locked%s, %u of %lu pages resident\n", who, onfault ? " on fault" : "", r, LEN / PAGE);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	char *before = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(before != MAP_FAILED, "map before");
	int sync[2], locked[2];
	CHECK(pipe(sync) == 0 && pipe(locked) == 0, "pipes");
	fflush(stdout);
	pid_t child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		CHECK(mlockall(MCL_FUTURE) == 0 && write(locked[1], "l", 1) == 1, "child mlockall");
		char c;
		CHECK(read(sync[0], &c, 1) == 1, "child waits");
		check_new_mapping("child", false, before);
		fflush(stdout);
		_exit(0);
	}
	CHECK(mlockall(MCL_FUTURE | MCL_ONFAULT) == 0, "mlockall");
	char c;
	CHECK(read(locked[0], &c, 1) == 1, "the child has locked too");
	ready(argv[1]);
	for (int i = 0; i < 30; i++)
		nap_ms(20);
	check_new_mapping("parent", true, before);
	fflush(stdout);
	CHECK(write(sync[1], "x", 1) == 1, "wake the child");
	int status;
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child");
	printf("mlocked ok\n");
	return 0;
}
