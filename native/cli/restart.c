/* ckpt restart FILE [--stopped | --detach] [--pid-file F] [--json] */
#include "cli.h"
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t forward_to;

/* In the foreground, signals meant for the program reach it, not just ckpt. */
static void forward(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

static int write_pid_file(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f) != 0) {
		fprintf(stderr, "ckpt: cannot write the pid file %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* In the foreground, the restarted tree gets the terminal, as a shell gives it to a job, and
 * ckpt takes it back when the program ends. */
static pid_t give_terminal(pid_t pid)
{
	if (!isatty(0) || tcgetpgrp(0) != getpgrp())
		return 0;
	pid_t pgid = getpgid(pid);
	if (pgid <= 0 || tcsetpgrp(0, pgid) < 0)
		return 0;
	return getpgrp();
}

static void take_terminal_back(pid_t ours)
{
	if (!ours)
		return;
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, ours);
}

int cmd_restart(int argc, char **argv)
{
	const char *file = NULL, *pid_file = NULL;
	int json = 0, stopped = 0, detach = 0, ns = 0, lazy = 0, report_fd = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--stopped") == 0)
			stopped = 1;
		else if (strcmp(a, "--detach") == 0)
			detach = 1;
		else if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--namespace") == 0)
			ns = 1;
		else if (strcmp(a, "--lazy") == 0)
			lazy = 1;
		else if (strcmp(a, "--report-fd") == 0 || strncmp(a, "--report-fd=", 12) == 0) {
			const char *v = a[11] == '=' ? a + 12 : (++i < argc ? argv[i] : NULL);
			char *end;
			long fd = v ? strtol(v, &end, 10) : -1;
			if (!v || *end || fd < 3 || fcntl((int)fd, F_GETFD) < 0)
				return usage_error("--report-fd needs an open file descriptor above 2");
			report_fd = (int)fd;
		} else if (strcmp(a, "--pid-file") == 0) {
			if (++i >= argc)
				return usage_error("--pid-file needs a file name");
			pid_file = argv[i];
		} else if (strncmp(a, "--pid-file=", 11) == 0)
			pid_file = a + 11;
		else if (a[0] == '-')
			return usage_error("restart: unknown option '%s'", a);
		else if (!file)
			file = a;
		else
			return usage_error("restart: unexpected argument '%s'", a);
	}
	if (!file)
		return usage_error("restart: which statefile? (ckpt restart FILE)");
	if (stopped && detach)
		return usage_error("restart: choose one of --stopped and --detach");

	/* --report-fd: ckpt's own report (the pid, or the one-line reason it failed) goes there, so
	 * that a caller can hand the program stdio of its own choosing.  The fd does not reach the
	 * restarted program. */
	FILE *out = stdout, *err = stderr;
	if (report_fd >= 0) {
		fcntl(report_fd, F_SETFD, FD_CLOEXEC);
		out = err = fdopen(report_fd, "w");
		if (!out)
			return EXIT_FAILED;
	}
	install_interrupt_handlers();
	struct ckpt_restart_options o = {.mode = stopped ? CKPT_RESTART_STOPPED : CKPT_RESTART_RUN, .use_namespace = ns, .lazy = lazy};
	struct ckpt_restart_result r;
	if (ckpt_restart(file, &o, &r) < 0) {
		fprintf(err, "ckpt: %s\n", ckpt_last_error());
		fflush(err);
		return EXIT_FAILED;
	}
	if (pid_file && write_pid_file(pid_file, r.pid) < 0)
		return EXIT_FAILED;

	if (stopped || detach) {
		if (json)
			fprintf(out, "{\"pid\":%d,\"saved_pid\":%d,\"namespace\":%s,\"processes\":%u,\"threads\":%u,"
				     "\"state\":\"%s\",\"total_ms\":%.3f}\n",
				r.pid, r.saved_pid, r.in_namespace ? "true" : "false", r.processes, r.threads,
				stopped ? "stopped" : "running", r.total_ns / 1e6);
		else
			fprintf(out, "%d\n", r.pid);
		fflush(out);
		if (stopped && !json) {
			print_debugger_commands(err, r.pid, file);
			fflush(err);
		}
		return EXIT_OK;
	}

	/* Foreground: forward signals, then exit as the program did. */
	forward_to = r.pid;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (json) {
		fprintf(out, "{\"pid\":%d,\"saved_pid\":%d,\"namespace\":%s,\"state\":\"running\"}\n", r.pid, r.saved_pid,
			r.in_namespace ? "true" : "false");
		fflush(out);
	}
	pid_t terminal = give_terminal(r.pid);
	int st;
	int waited = ckpt_restart_wait(&r, &st);
	take_terminal_back(terminal);
	if (waited < 0)
		return fail_with_engine_error();
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return EXIT_FAILED;
}
