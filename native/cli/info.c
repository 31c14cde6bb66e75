/* ckpt info FILE [--json] */
#include "cli.h"
#include "ckpt.h"

#include <stdio.h>

static int run_info(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = {{"json", no_argument, NULL, 'j'}, {0}};
	int json = 0, c, status;
	while ((c = cli_next_option(v, argc, argv, "", options, &status)) != -1) {
		if (c == CLI_STOP)
			return status;
		if (c == 'j')
			json = 1;
	}
	if (optind >= argc)
		return usage_error(v, "which statefile? (ckpt info FILE)");
	if (optind + 1 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 1]);
	char *text = ckpt_info(argv[optind], json);
	if (!text)
		return fail_with_engine_error();
	fputs(text, stdout);
	ckpt_free(text);
	return EXIT_OK;
}

const struct verb verb_info = {
	.name = "info",
	.usage = "  ckpt info FILE [--json]\n"
		 "      Describe a statefile after validating all of it: program and arguments,\n"
		 "      time, kernel, stop location, each process with its threads, mappings,\n"
		 "      memory stored against memory mapped, and the fds.\n",
	.run = run_info,
};
