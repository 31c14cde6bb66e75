/*
 * Uids and gids of every kind: a child (when run as root) takes real, effective, saved and
 * file-system ids that all differ (setresgid, setfsgid, setresuid), then works, then prints them:
 * the same before and after a restart.  Run as another user it keeps that user's ids.
 */
#include "common.h"

#include <sys/fsuid.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int set[2];
	CHECK(pipe(set) == 0, "pipe");
	pid_t child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		if (getuid() == 0) {
			CHECK(setresgid(5, 6, 7) == 0, "setresgid");
			setfsgid(8);
			CHECK(setresuid(1, 2, 3) == 0, "setresuid");
		}
		CHECK(write(set[1], "x", 1) == 1, "report");
		for (int i = 0; i < 30; i++)
			nap_ms(20);
		uid_t r, e, s;
		gid_t rg, eg, sg;
		CHECK(getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0, "get ids");
		int fsu = setfsuid((uid_t)-1), fsg = setfsgid((gid_t)-1);
		printf("uids %u %u %u fs %d, gids %u %u %u fs %d\n", r, e, s, fsu, rg, eg, sg, fsg);
		return 0;
	}
	char c;
	CHECK(read(set[0], &c, 1) == 1, "the child took its ids");
	ready(argv[1]);
	int st;
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child");
	return 0;
}
