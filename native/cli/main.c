/* ckpt VERB ...: picks the verb; ckpt --help and --version. */
#include "cli.h"
#include "ckpt.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct verb *const verbs[] = {&verb_dump, &verb_restart, &verb_debug, &verb_info, &verb_check, &verb_label,
						 &verb_pack, &verb_unpack_debug, &verb_binfmt};

static void print_help(void)
{
	fputs("usage: ckpt <command> [options]   (ckpt <command> --help for one command)\n\n", stdout);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fputs(verbs[i]->usage, stdout);
	fputs("  ckpt --version | --help\n"
	      "\n"
	      "Exit status: 0 ok, 1 failed (one line on stderr says why), 2 bad usage.\n",
	      stdout);
}

int fail_with_engine_error(void)
{
	progress_done();
	fprintf(stderr, "ckpt: %s\n", ckpt_last_error());
	return EXIT_FAILED;
}

int usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ckpt: ", stderr);
	if (v)
		fprintf(stderr, "%s: ", v->name);
	vfprintf(stderr, fmt, ap);
	if (v)
		fprintf(stderr, " (see ckpt %s --help)\n", v->name);
	else
		fputs(" (see ckpt --help)\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_next_option(const struct verb *v, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, int *status)
{
	static const struct option help = {"help", no_argument, NULL, 'h'};
	struct option all[32];
	size_t n = 0;
	for (; longopts && longopts[n].name; n++)
		all[n] = longopts[n];
	all[n++] = help;
	all[n] = (struct option){0};
	/* A leading '+' (stop at the first operand) must stay first; ':' then reports a missing
	 * value apart from an unknown option. */
	char shorts[64];
	int posix = shortopts[0] == '+';
	snprintf(shorts, sizeof(shorts), "%s:h%s", posix ? "+" : "", shortopts + posix);
	opterr = 0;
	int c = getopt_long(argc, argv, shorts, all, NULL);
	switch (c) {
	case 'h':
		fputs(v->usage, stdout);
		*status = EXIT_OK;
		return CLI_STOP;
	case ':':
		*status = usage_error(v, "%s needs a value", argv[optind - 1]);
		return CLI_STOP;
	case '?':
		if (optopt)
			*status = usage_error(v, "unknown option '-%c'", optopt);
		else
			*status = usage_error(v, "unknown option '%s'", argv[optind - 1]);
		return CLI_STOP;
	default:
		return c;
	}
}

int cli_add_path_map(const struct verb *v, char *arg, struct ckpt_path_map **maps, size_t *n)
{
	char *eq = strchr(arg, '=');
	if (!eq || arg[0] != '/' || eq[1] != '/')
		return usage_error(v, "--map-path needs OLD=NEW, both absolute paths (got '%s')", arg);
	*eq = 0;
	struct ckpt_path_map *grown = realloc(*maps, (*n + 1) * sizeof(**maps));
	if (!grown)
		return usage_error(v, "out of memory");
	*maps = grown;
	grown[(*n)++] = (struct ckpt_path_map){.from = arg, .to = eq + 1};
	return 0;
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
		return usage_error(NULL, "no command given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ckpt %s (statefile format %d)\n", ckpt_version(), ckpt_format_version());
		return EXIT_OK;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		print_help();
		return EXIT_OK;
	}
	if (binfmt_invoked_for(cmd)) {
		/* ./bug.ckpt ARGS: the kernel runs ckpt bug.ckpt ARGS.  argv[0] becomes the verb. */
		argv[0] = (char *)"restart";
		return verb_restart.run(&verb_restart, argc, argv);
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(cmd, verbs[i]->name) == 0)
			return verbs[i]->run(verbs[i], argc - 1, argv + 1);
	return usage_error(NULL, "unknown command '%s'", cmd);
}
