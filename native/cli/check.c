/* ckpt check FILE [--json] [--map-path OLD=NEW]... */
#include "cli.h"
#include "ckpt.h"

#include <stdio.h>

static int run_check(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = {{"json", no_argument, NULL, 'j'},
						{"map-path", required_argument, NULL, 'm'}, {0}};
	struct ckpt_path_map *maps = NULL;
	size_t nmaps = 0;
	int json = 0, c, status;
	while ((c = cli_next_option(v, argc, argv, "", options, &status)) != -1) {
		if (c == CLI_STOP)
			return status;
		if (c == 'j')
			json = 1;
		if (c == 'm' && (status = cli_add_path_map(v, optarg, &maps, &nmaps)) != 0)
			return status;
	}
	if (optind >= argc)
		return usage_error(v, "which statefile? (ckpt check FILE)");
	if (optind + 1 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 1]);
	unsigned problems = 0;
	char *report = ckpt_check_mapped(argv[optind], json, maps, nmaps, &problems);
	if (!report)
		return fail_with_engine_error();
	fputs(report, stdout);
	ckpt_free(report);
	if (problems) {
		fflush(stdout);
		fprintf(stderr, "ckpt: %s cannot restart here: %u problem%s (see the report)\n", argv[optind], problems,
			problems == 1 ? "" : "s");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

const struct verb verb_check = {
	.name = "check",
	.usage = "  ckpt check FILE [--json] [--map-path OLD=NEW]...\n"
		 "      Whether FILE can restart on this machine: the files its mappings come from,\n"
		 "      the CPU's instruction sets and xsave layout, the vDSO, the files it had\n"
		 "      open and its working directory, the kernel and the user, with a remedy for\n"
		 "      each problem.  Exit status 0 when restart can work here, 1 when it cannot.\n"
		 "      --map-path as for ckpt restart: the report shows the mapped paths.\n",
	.run = run_check,
};
