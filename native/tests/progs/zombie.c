/*
 * Zombies across the checkpoint: children that exited and were not reaped yet.  One exited with
 * status 7, one was killed by SIGTERM, and one (exit 3) led a process group that a living
 * sibling still belongs to.  After the checkpoint the parent reaps them and must get exactly
 * their statuses, while the group led by the zombie stays the sibling's group.  One more zombie
 * (exit 5) was made for the parent (CLONE_PARENT) by a child that led its own group and was
 * reaped: the zombie stays in that group, whose leader is gone.
 */
#include "common.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* Waits until pid has exited, without reaping it. */
static void wait_zombie(pid_t pid)
{
	siginfo_t si;
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		CHECK(errno == EINTR, "waitid");
}

static int reap(pid_t pid)
{
	int st;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	CHECK(w == pid, "the zombie is still there to be reaped");
	return st;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t exits = fork();
	if (exits == 0)
		_exit(7);
	pid_t killed = fork();
	if (killed == 0) {
		raise(SIGTERM);
		_exit(1);
	}
	pid_t leader = fork();
	if (leader == 0) {
		setpgid(0, 0);
		_exit(3); /* its group lives on while it is a zombie */
	}
	setpgid(leader, leader);
	wait_zombie(leader);
	pid_t member = fork();
	if (member == 0) {
		CHECK(setpgid(0, leader) == 0, "join the leader's group");
		for (;;)
			nap_ms(20);
	}
	setpgid(member, leader);
	wait_zombie(exits);
	wait_zombie(killed);
	int made[2];
	CHECK(pipe(made) == 0, "pipe");
	pid_t gone = fork();
	if (gone == 0) {
		setpgid(0, 0);
		long orphan = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
		if (orphan == 0)
			_exit(5);
		pid_t o = (pid_t)orphan;
		_exit(write(made[1], &o, sizeof(o)) == sizeof(o) ? 0 : 1);
	}
	CHECK(reap(gone) == 0, "the orphan's maker");
	pid_t orphan;
	CHECK(read(made[0], &orphan, sizeof(orphan)) == sizeof(orphan), "the orphan's pid");
	wait_zombie(orphan);

	ready(argv[1]);
	for (int step = 0; step < 40; step++)
		nap_ms(20);

	CHECK(getpgid(member) == leader, "the member is still in the zombie's group");
	int st;
	CHECK(getpgid(orphan) == gone, "the zombie is still in the group whose leader is gone");
	st = reap(orphan);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "the zombie in the group whose leader is gone");
	st = reap(exits);
	printf("first child: %s %d\n", WIFEXITED(st) ? "exited with" : "ended otherwise", WIFEXITED(st) ? WEXITSTATUS(st) : st);
	st = reap(killed);
	printf("second child: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "ended otherwise",
	       WIFSIGNALED(st) ? WTERMSIG(st) : st);
	st = reap(leader);
	printf("group leader: %s %d, its group kept a member\n", WIFEXITED(st) ? "exited with" : "ended otherwise",
	       WIFEXITED(st) ? WEXITSTATUS(st) : st);
	kill(member, SIGKILL);
	st = reap(member);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "member killed");
	CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "no other children");
	return 0;
}
