/* ckpt unpack-debug FILE DIR */
#include "cli.h"
#include "ckpt.h"

#include <stdio.h>

static int run_unpack_debug(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = {{0}};
	int c, status;
	while ((c = cli_next_option(v, argc, argv, "", options, &status)) != -1)
		if (c == CLI_STOP)
			return status;
	if (optind + 2 > argc)
		return usage_error(v, "which statefile, and where to? (ckpt unpack-debug FILE DIR)");
	if (optind + 2 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 2]);
	const char *file = argv[optind], *dir = argv[optind + 1];
	install_interrupt_handlers();
	int n = ckpt_unpack_debug(file, dir);
	if (n < 0)
		return fail_with_engine_error();
	printf("Wrote %d file%s under %s, and %s/gdbinit for gdb:\n  gdb -ix %s/gdbinit -c %s\n", n, n == 1 ? "" : "s",
	       dir, dir, dir, file);
	return EXIT_OK;
}

const struct verb verb_unpack_debug = {
	.name = "unpack-debug",
	.usage = "  ckpt unpack-debug FILE DIR\n"
		 "      Write the executable, libraries and debug info that the packed statefile\n"
		 "      FILE carries under DIR by their saved paths, for a debugger on a machine\n"
		 "      without them, and DIR/gdbinit with gdb's settings for them:\n"
		 "      gdb -ix DIR/gdbinit -c FILE.\n",
	.run = run_unpack_debug,
};
