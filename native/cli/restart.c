/* ckpt restart FILE [--stopped | --detach] [--pid-file F] [--json] */
#include "cli.h"
#include "ckpt.h"

#include <stdio.h>

int cmd_restart(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ckpt: restart is not implemented yet\n");
	return EXIT_FAILED;
}
