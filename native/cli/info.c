/* ckpt info FILE [--json] */
#include "cli.h"
#include "ckpt.h"

#include <stdio.h>
#include <string.h>

int cmd_info(int argc, char **argv)
{
	const char *file = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-')
			return usage_error("info: unknown option '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return usage_error("info: unexpected argument '%s'", argv[i]);
	}
	if (!file)
		return usage_error("info: which statefile? (ckpt info FILE)");
	char *text = ckpt_info(file, json);
	if (!text)
		return fail_with_engine_error();
	fputs(text, stdout);
	ckpt_free(text);
	return EXIT_OK;
}
