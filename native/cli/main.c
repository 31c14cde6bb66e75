#include "cli.h"
#include "ckpt.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: ckpt <command> [options]\n"
	"\n"
	"  ckpt dump PID -o FILE [--leave-running | --leave-stopped | --kill] [--parent PREV] [--json]\n"
	"      Freeze PID and all its descendants and save them into the statefile FILE.\n"
	"      --leave-running (default) lets the program go on as if nothing happened,\n"
	"      --leave-stopped leaves it stopped (SIGSTOP), --kill kills it.  --parent\n"
	"      copies the pages that did not change since PREV, an earlier statefile of\n"
	"      the same program, instead of writing them; FILE is still complete.\n"
	"  ckpt restart FILE [--stopped | --detach] [--pid-file F] [--json] [--lazy] [--namespace]\n"
	"               [--report-fd N]\n"
	"      Bring the program in FILE back.  By default it runs in the foreground and\n"
	"      ckpt exits with its status; --detach prints its PID and exits; --stopped\n"
	"      leaves it stopped at the saved context for a debugger and says how to\n"
	"      attach one (ckpt debug does it all).\n"
	"      --lazy pages big memory in on first touch and in the background, so the\n"
	"      program is ready at once; --namespace always uses a new pid namespace.\n"
	"      --report-fd N writes ckpt's own output (the pid, or why it failed) to fd N,\n"
	"      leaving stdout and stderr to the program.\n"
	"  ckpt debug FILE [-- GDB-ARGS]\n"
	"      Restart FILE stopped and run gdb attached to it, with ckpt's extension,\n"
	"      in the thread and frame where it was saved.  GDB-ARGS go to gdb.\n"
	"  ckpt info FILE [--json]\n"
	"      Describe a statefile: program, time, stop location, threads, sizes.\n"
	"  ckpt --version | --help\n"
	"\n"
	"Exit status: 0 ok, 1 failed (one line on stderr says why), 2 bad usage.\n";

int fail_with_engine_error(void)
{
	progress_done();
	fprintf(stderr, "ckpt: %s\n", ckpt_last_error());
	return EXIT_FAILED;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ckpt: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see ckpt --help)\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

static void on_interrupt(int sig)
{
	(void)sig;
	ckpt_interrupt(1);
}

void install_interrupt_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int progress_shown;

void progress_line(void *arg, uint64_t done, uint64_t total)
{
	(void)arg;
	static int last = -1, tty = -1;
	if (tty < 0)
		tty = isatty(2);
	if (!tty || total < (64u << 20))
		return;
	int pct = total ? (int)(done * 100 / total) : 100;
	if (pct == last)
		return;
	last = pct;
	progress_shown = 1;
	fprintf(stderr, "\rckpt: writing memory %3d%% (%llu of %llu MiB)", pct, (unsigned long long)(done >> 20),
		(unsigned long long)(total >> 20));
}

void progress_done(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

int main(int argc, char **argv)
{
	/* Whoever started us (a debugger, say) may have blocked signals: start clean. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (argc < 2)
		return usage_error("no command given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ckpt %s (statefile format %d)\n", ckpt_version(), ckpt_format_version());
		return EXIT_OK;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(cmd, "restart") == 0)
		return cmd_restart(argc - 1, argv + 1);
	if (strcmp(cmd, "info") == 0)
		return cmd_info(argc - 1, argv + 1);
	if (strcmp(cmd, "debug") == 0)
		return cmd_debug(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
