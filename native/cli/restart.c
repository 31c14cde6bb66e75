/* ckpt restart FILE [--stopped | --detach] [--pid-file F] [--json] [--lazy] [--namespace] [--report-fd N]
 *                   [--map-path OLD=NEW]... */
#include "cli.h"
#include "ckpt.h"
#include "json.h"

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

static void print_json_result(FILE *out, const struct ckpt_restart_result *r, const char *state, int full)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b);
	json_object_begin(&j, NULL);
	json_i64(&j, "pid", r->pid);
	json_i64(&j, "saved_pid", r->saved_pid);
	json_bool(&j, "namespace", r->in_namespace);
	if (full) {
		json_u64(&j, "processes", r->processes);
		json_u64(&j, "threads", r->threads);
	}
	json_str(&j, "state", state);
	if (full)
		json_ms(&j, "total_ms", r->total_ns);
	json_object_end(&j);
	fprintf(out, "%.*s\n", (int)b.len, (const char *)b.data);
	buf_free(&b);
}

static int run_restart(const struct verb *v, int argc, char **argv)
{
	enum { OPT_STOPPED = 256, OPT_DETACH, OPT_JSON, OPT_NAMESPACE, OPT_LAZY, OPT_REPORT_FD, OPT_PID_FILE, OPT_MAP_PATH };
	static const struct option options[] = {
		{"stopped", no_argument, NULL, OPT_STOPPED},
		{"detach", no_argument, NULL, OPT_DETACH},
		{"json", no_argument, NULL, OPT_JSON},
		{"namespace", no_argument, NULL, OPT_NAMESPACE},
		{"lazy", no_argument, NULL, OPT_LAZY},
		{"report-fd", required_argument, NULL, OPT_REPORT_FD},
		{"pid-file", required_argument, NULL, OPT_PID_FILE},
		{"map-path", required_argument, NULL, OPT_MAP_PATH},
		{0},
	};
	const char *pid_file = NULL;
	struct ckpt_path_map *maps = NULL;
	size_t nmaps = 0;
	int json = 0, stopped = 0, detach = 0, ns = 0, lazy = 0, report_fd = -1, c, status;
	while ((c = cli_next_option(v, argc, argv, "", options, &status)) != -1) {
		switch (c) {
		case CLI_STOP:
			return status;
		case OPT_STOPPED:
			stopped = 1;
			break;
		case OPT_DETACH:
			detach = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_NAMESPACE:
			ns = 1;
			break;
		case OPT_LAZY:
			lazy = 1;
			break;
		case OPT_PID_FILE:
			pid_file = optarg;
			break;
		case OPT_MAP_PATH:
			if ((status = cli_add_path_map(v, optarg, &maps, &nmaps)) != 0)
				return status;
			break;
		case OPT_REPORT_FD: {
			char *end;
			long fd = strtol(optarg, &end, 10);
			if (*end || fd < 3 || fd > 1 << 20 || fcntl((int)fd, F_GETFD) < 0)
				return usage_error(v, "--report-fd needs an open file descriptor above 2");
			report_fd = (int)fd;
			break;
		}
		}
	}
	if (optind >= argc)
		return usage_error(v, "which statefile? (ckpt restart FILE)");
	if (optind + 1 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 1]);
	const char *file = argv[optind];
	if (stopped && detach)
		return usage_error(v, "choose one of --stopped and --detach");

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
	struct ckpt_restart_options o = {.mode = stopped ? CKPT_RESTART_STOPPED : CKPT_RESTART_RUN, .use_namespace = ns, .lazy = lazy,
				       .path_maps = maps, .npath_maps = nmaps};
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
			print_json_result(out, &r, stopped ? "stopped" : "running", 1);
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
		print_json_result(out, &r, "running", 0);
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

const struct verb verb_restart = {
	.name = "restart",
	.usage = "  ckpt restart FILE [--stopped | --detach] [--pid-file F] [--json] [--lazy] [--namespace]\n"
		 "               [--report-fd N] [--map-path OLD=NEW]...\n"
		 "      Bring the program in FILE back.  By default it runs in the foreground and\n"
		 "      ckpt exits with its status; --detach prints its PID and exits; --stopped\n"
		 "      leaves it stopped at the saved context for a debugger, prints its PID and\n"
		 "      says how to attach one (ckpt debug does it all).  --pid-file writes the PID\n"
		 "      to F too.  --lazy pages big memory in on first touch and in the background,\n"
		 "      so the program is ready at once; --namespace always uses a new pid\n"
		 "      namespace.  --report-fd N writes ckpt's own output (the PID, or why it\n"
		 "      failed) to fd N, leaving stdout and stderr to the program.  --json prints\n"
		 "      the result as one JSON object.  --map-path OLD=NEW (repeatable): files\n"
		 "      the program had open and working directories under OLD that are missing\n"
		 "      here are used from under NEW instead (a directory moved, another machine).\n",
	.run = run_restart,
};
