/* The ckpt command line: one file per verb, each with its own usage text and options, each a
 * thin layer over libckpt. */
#ifndef CKPT_CLI_H
#define CKPT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct verb {
	const char *name;
	/* What `ckpt VERB --help` prints: the synopsis, then what the verb does; `ckpt --help`
	 * prints every verb's. */
	const char *usage;
	int (*run)(const struct verb *self, int argc, char **argv);
};

extern const struct verb verb_dump, verb_restart, verb_debug, verb_info, verb_check, verb_label, verb_binfmt,
	verb_pack, verb_unpack_debug;

/* getopt_long over argv (argv[0] is the verb), with ckpt's messages: returns the next option,
 * -1 after the last one (positional arguments are then argv[optind..argc-1]), or CLI_STOP when
 * the verb must return *status: after --help, or after printing a usage error.  --help and -h
 * need not be in longopts. */
enum { CLI_STOP = -2 };
int cli_next_option(const struct verb *v, int argc, char **argv, const char *shortopts,
		    const struct option *longopts, int *status);

/* Prints "ckpt: VERB: <message> (see ckpt VERB --help)" and returns EXIT_USAGE. */
int usage_error(const struct verb *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "ckpt: <reason>" for the last libckpt error and returns EXIT_FAILED. */
int fail_with_engine_error(void);
/* SIGINT, SIGTERM and SIGHUP ask the engine to stop and clean up. */
void install_interrupt_handlers(void);
/* A progress line on stderr when it is a terminal. */
void progress_line(void *arg, uint64_t done, uint64_t total);
void progress_done(void);

struct ckpt_path_map;
/* Adds --map-path OLD=NEW's value to *maps (the strings point into arg).  0, or the status of
 * the usage error it printed. */
int cli_add_path_map(const struct verb *v, char *arg, struct ckpt_path_map **maps, size_t *n);

/* Whether the kernel runs this ckpt as the binfmt_misc handler of statefile arg (ckpt binfmt):
 * then `ckpt FILE ARGS...` is `ckpt restart FILE ARGS...`. */
bool binfmt_invoked_for(const char *arg);

/* The gdb extension installed with this command (share/ckpt/ckpt-gdb.py), or NULL. */
const char *gdb_extension_path(void);
/* Tells the user how to attach a debugger to a restarted, stopped process without stray stops. */
void print_debugger_commands(FILE *out, pid_t pid, const char *statefile);

#endif
