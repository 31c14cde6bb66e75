/*
 * A child in a job-control stop (SIGSTOP) that its parent has not waited for yet: after a
 * restart it must still be stopped, and its parent must see that with waitpid(WUNTRACED),
 * before it continues the child. Not in engine.sh's program loop, whose SIGCONT to the whole
 * tree would continue the child.
 */
#include "common.h"

#include <signal.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t child = fork();
	if (child == 0) {
		raise(SIGSTOP);
		_exit(7);
	}
	siginfo_t si;
	CHECK(waitid(P_PID, child, &si, WSTOPPED | WNOWAIT) == 0 && si.si_code == CLD_STOPPED, "child stopped");
	ready(argv[1]);
	for (int i = 0; i < 30; i++)
		nap_ms(20);
	int st;
	CHECK(waitpid(child, &st, WUNTRACED) == child && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "child still stopped");
	CHECK(kill(child, SIGCONT) == 0, "SIGCONT");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 7, "child ran on");
	printf("child stayed stopped, then ran on\n");
	return 0;
}
