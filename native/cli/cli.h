/* The ckpt command line: one file per verb, each a thin layer over libckpt. */
#ifndef CKPT_CLI_H
#define CKPT_CLI_H

#include <stdint.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

int cmd_dump(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_info(int argc, char **argv);

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
