/* The ckpt command line: one file per verb, each a thin layer over libckpt. */
#ifndef CKPT_CLI_H
#define CKPT_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

int cmd_dump(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_debug(int argc, char **argv);

/* The gdb extension installed with this command (share/ckpt/ckpt-gdb.py), or NULL. */
const char *gdb_extension_path(void);
/* Tells the user how to attach a debugger to a restarted, stopped process without stray stops. */
void print_debugger_commands(FILE *out, pid_t pid, const char *statefile);

/* Prints "ckpt: <reason>" for the last libckpt error and returns EXIT_FAILED. */
int fail_with_engine_error(void);
/* Prints a usage error and returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SIGINT, SIGTERM and SIGHUP ask the engine to stop and clean up. */
void install_interrupt_handlers(void);
/* A progress line on stderr when it is a terminal. */
void progress_line(void *arg, uint64_t done, uint64_t total);
void progress_done(void);

#endif
