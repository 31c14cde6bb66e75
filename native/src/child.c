/* Running the ckpt command as a separate, watched process (for hosts like an IDE). */
#include "ckpt.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *ckpt_command_path(void)
{
	static char path[PATH_MAX];
	Dl_info info;
	if (!path[0] && dladdr((void *)ckpt_command_path, &info) && info.dli_fname) {
		char lib[PATH_MAX];
		if (realpath(info.dli_fname, lib)) {
			char *dir = dirname(lib);
			snprintf(path, sizeof(path), "%s/../bin/ckpt", dir);
		}
	}
	return path;
}

int ckpt_child_start(const char *const *args, size_t nargs, struct ckpt_child *child)
{
	ckpt_clear_error();
	memset(child, 0, sizeof(*child));
	const char *cmd = ckpt_command_path();
	if (!cmd[0] || access(cmd, X_OK) < 0)
		return ckpt_fail("the ckpt command is not next to libckpt (%s)", cmd[0] ? cmd : "?");
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return ckpt_fail_errno("cannot create a pipe");
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return ckpt_fail_errno("cannot create a pipe");
	}
	char **argv = xcalloc(nargs + 2, sizeof(char *));
	argv[0] = (char *)cmd;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = (char *)args[i];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawnattr_init(&at);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	int r = posix_spawn(&child->pid, cmd, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(argv);
	close(out[1]);
	close(err[1]);
	if (r != 0) {
		close(out[0]);
		close(err[0]);
		errno = r;
		return ckpt_fail_errno("cannot start %s", cmd);
	}
	child->stdout_fd = out[0];
	child->stderr_fd = err[0];
	return 0;
}

int ckpt_child_wait(struct ckpt_child *child, int timeout_ms, int *exit_code)
{
	uint64_t deadline = timeout_ms < 0 ? 0 : now_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		int st;
		pid_t w = waitpid(child->pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
		if (w == child->pid) {
			*exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return 1;
		}
		if (w < 0 && errno != EINTR)
			return ckpt_fail_errno("cannot wait for the engine process %d", child->pid);
		if (timeout_ms >= 0 && now_ns() >= deadline)
			return 0;
		if (w == 0)
			usleep(5000);
	}
}

int ckpt_child_cancel(struct ckpt_child *child)
{
	if (child->pid <= 0 || kill(child->pid, SIGINT) < 0)
		return ckpt_fail_errno("cannot interrupt the engine process");
	return 0;
}
