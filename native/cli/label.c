/* ckpt label FILE [LABEL] [--note TEXT] */
#include "cli.h"
#include "annotation.h"
#include "ckpt.h"

#include <stdio.h>

static int run_label(const struct verb *v, int argc, char **argv)
{
	static const struct option options[] = {{"note", required_argument, NULL, 'n'}, {0}};
	const char *note = NULL;
	int c, status;
	while ((c = cli_next_option(v, argc, argv, "n:", options, &status)) != -1) {
		if (c == CLI_STOP)
			return status;
		if (c == 'n')
			note = optarg;
	}
	if (optind >= argc)
		return usage_error(v, "which statefile? (ckpt label FILE [LABEL] [--note TEXT])");
	if (optind + 2 < argc)
		return usage_error(v, "unexpected argument '%s' (quote a label that has spaces)", argv[optind + 2]);
	const char *label = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (!label && !note)
		return usage_error(v, "nothing to set: give a LABEL, --note TEXT, or both");
	if (annotation_rewrite(argv[optind], label, note) < 0)
		return fail_with_engine_error();
	return EXIT_OK;
}

const struct verb verb_label = {
	.name = "label",
	.usage = "  ckpt label FILE [LABEL] [--note TEXT]\n"
		 "      Set the label (one line, at most 255 bytes) and/or the note (free text, at most\n"
		 "      3583 bytes) that a statefile keeps for timelines; an empty one clears it.  The\n"
		 "      file is rewritten in place: its memory, size and mode do not change.\n",
	.run = run_label,
};
