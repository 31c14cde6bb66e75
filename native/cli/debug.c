/* ckpt debug FILE [-- GDB-ARGS]: restarts FILE stopped and replaces itself with gdb, attached
 * to it with ckpt's extension loaded, in the thread and frame where it was saved (as rr replay
 * starts gdb).  The extension, not this command, does the restart: it consumes the SIGSTOP that
 * gdb's attach leaves queued in each thread of a stopped process, which a plain gdb -p would
 * report as a stray stop. */
#include "cli.h"
#include "ckpt.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *gdb_extension_path(void)
{
	static char path[PATH_MAX + 32];
	if (path[0])
		return path;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char guess[PATH_MAX + 32];
		snprintf(guess, sizeof(guess), "%s/../share/ckpt/ckpt-gdb.py", dirname(exe));
		if (realpath(guess, path) && access(path, R_OK) == 0)
			return path;
	}
	const char *home = getenv("CKPT_HOME");
	if (home && *home) {
		snprintf(path, sizeof(path), "%s/share/ckpt/ckpt-gdb.py", home);
		if (access(path, R_OK) == 0)
			return path;
	}
	path[0] = 0;
	return NULL;
}

/* Writes 'source PATH' quoted for a POSIX shell. */
static void put_shell_quoted_source(FILE *out, const char *path)
{
	fputs("'source ", out);
	for (const char *p = path; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p, out);
	}
	fputc('\'', out);
}

/* gdb 13 and lldb 14 both report, after attaching to a process in group-stop, the SIGSTOP that
 * their own PTRACE_ATTACH queued in each thread (the kernel reports the group-stop at attach and
 * keeps that SIGSTOP pending); gdb compensates only for the main thread.  No state the engine can
 * leave a stopped tree in avoids it, so restart tells the user how to attach cleanly. */
void print_debugger_commands(FILE *out, pid_t pid, const char *statefile)
{
	const char *ext = gdb_extension_path();
	fprintf(out, "ckpt: process %d is stopped at the saved context. For a debugging session without stray SIGSTOPs:\n", pid);
	if (ext) {
		fputs("ckpt:   gdb -iex ", out);
		put_shell_quoted_source(out, ext);
		fprintf(out, " -p %d\n", pid);
	}
	fprintf(out, "ckpt:   gdb -p %d -ex 'handle SIGSTOP nostop noprint nopass'\n", pid);
	fprintf(out, "ckpt:   lldb -p %d -o 'process handle SIGSTOP -s false -n false -p false'\n", pid);
	fprintf(out, "ckpt: (ckpt debug %s restarts and attaches gdb in one step.)\n", statefile);
}

/* gdb's own quoting for a command argument (gdb.string_to_argv). */
static char *gdb_quoted(const char *s)
{
	size_t n = strlen(s);
	char *q = malloc(2 * n + 3), *o = q;
	if (!q)
		return NULL;
	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '"';
	*o = 0;
	return q;
}

static int run_debug(const struct verb *v, int argc, char **argv)
{
	/* "+" stops at the first non-option: everything after FILE (and after --) is gdb's. */
	int c, status;
	while ((c = cli_next_option(v, argc, argv, "+", NULL, &status)) != -1)
		if (c == CLI_STOP)
			return status;
	if (optind >= argc)
		return usage_error(v, "which statefile? (ckpt debug FILE [-- GDB-ARGS])");
	const char *file = argv[optind];
	int first_gdb_arg = optind + 1;
	if (first_gdb_arg < argc) {
		if (strcmp(argv[first_gdb_arg], "--") != 0)
			return usage_error(v, "unexpected argument '%s' (gdb's arguments go after --)", argv[first_gdb_arg]);
		first_gdb_arg++;
	}

	/* A bad statefile is refused here, in one line, before gdb starts. */
	char *desc = ckpt_info(file, 0);
	if (!desc)
		return fail_with_engine_error();
	ckpt_free(desc);
	char abs[PATH_MAX];
	if (!realpath(file, abs)) {
		fprintf(stderr, "ckpt: %s: %s\n", file, strerror(errno));
		return EXIT_FAILED;
	}
	const char *ext = gdb_extension_path();
	if (!ext) {
		fprintf(stderr, "ckpt: the gdb extension is missing (share/ckpt/ckpt-gdb.py next to the ckpt command or in $CKPT_HOME)\n");
		return EXIT_FAILED;
	}

	char *source = malloc(strlen(ext) + 16), *quoted = gdb_quoted(abs), *restart = NULL;
	if (source && quoted && (restart = malloc(strlen(quoted) + 16))) {
		sprintf(source, "source %s", ext);
		sprintf(restart, "ckpt restart %s", quoted);
	}
	char **gdb_argv = calloc((size_t)(argc - first_gdb_arg) + 8, sizeof(char *));
	if (!restart || !gdb_argv) {
		fputs("ckpt: out of memory\n", stderr);
		return EXIT_FAILED;
	}
	int k = 0;
	gdb_argv[k++] = "gdb";
	gdb_argv[k++] = "-q";
	gdb_argv[k++] = "-iex";
	gdb_argv[k++] = source;
	gdb_argv[k++] = "-ex";
	gdb_argv[k++] = restart;
	for (int i = first_gdb_arg; i < argc; i++)
		gdb_argv[k++] = argv[i];
	gdb_argv[k] = NULL;
	execvp("gdb", gdb_argv);
	fprintf(stderr, "ckpt: cannot start gdb: %s\n", strerror(errno));
	return EXIT_FAILED;
}

const struct verb verb_debug = {
	.name = "debug",
	.usage = "  ckpt debug FILE [-- GDB-ARGS]\n"
		 "      Restart FILE stopped and run gdb attached to it, with ckpt's extension,\n"
		 "      in the thread and frame where it was saved.  GDB-ARGS go to gdb.  When\n"
		 "      gdb quits, the program is killed.\n",
	.run = run_debug,
};
