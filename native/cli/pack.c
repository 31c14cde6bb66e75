/* ckpt pack FILE -o OUT [--with-files] [--json] */
#include "cli.h"
#include "ckpt.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_json_result(const char *out, const struct ckpt_pack_result *r)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b);
	json_object_begin(&j, NULL);
	json_str(&j, "path", out);
	json_u64(&j, "files", r->files);
	json_u64(&j, "debug_files", r->debug_files);
	json_u64(&j, "skipped_open_files", r->skipped_open_files);
	json_u64(&j, "embedded_bytes", r->embedded_bytes);
	json_u64(&j, "statefile_bytes", r->statefile_bytes);
	json_u64(&j, "file_bytes", r->file_bytes);
	json_object_end(&j);
	printf("%.*s\n", (int)b.len, (const char *)b.data);
	buf_free(&b);
}

static int run_pack(const struct verb *v, int argc, char **argv)
{
	enum { OPT_WITH_FILES = 256, OPT_JSON };
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"with-files", no_argument, NULL, OPT_WITH_FILES},
		{"json", no_argument, NULL, OPT_JSON},
		{0},
	};
	const char *out = NULL;
	struct ckpt_pack_options o = {0};
	int json = 0, c, status;
	while ((c = cli_next_option(v, argc, argv, "o:", options, &status)) != -1) {
		switch (c) {
		case CLI_STOP:
			return status;
		case 'o':
			out = optarg;
			break;
		case OPT_WITH_FILES:
			o.with_files = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		}
	}
	if (optind >= argc)
		return usage_error(v, "which statefile? (ckpt pack FILE -o OUT)");
	if (optind + 1 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 1]);
	if (!out)
		return usage_error(v, "where to? (-o OUT)");
	install_interrupt_handlers();
	struct ckpt_pack_result r;
	if (ckpt_pack(argv[optind], out, &o, &r) < 0)
		return fail_with_engine_error();
	if (json) {
		print_json_result(out, &r);
	} else {
		printf("Packed %s into %s: %u file%s embedded (%u of them debug info), %.1f MiB; "
		       "%s is %.1f MiB (the statefile was %.1f MiB)\n",
		       argv[optind], out, r.files, r.files == 1 ? "" : "s", r.debug_files, r.embedded_bytes / 1048576.0, out,
		       r.file_bytes / 1048576.0, r.statefile_bytes / 1048576.0);
	}
	/* Sharing is the point of packing: say what is being shared. */
	fprintf(stderr, "ckpt: warning: %s holds the program's memory, its environment%s: they may hold secrets "
		"(passwords, keys, tokens); share it only with people who may see them\n",
		out, o.with_files ? ", the files it had open and the files it mapped" : " and the files it mapped");
	return EXIT_OK;
}

const struct verb verb_pack = {
	.name = "pack",
	.usage = "  ckpt pack FILE -o OUT [--with-files] [--json]\n"
		 "      Make OUT, a statefile that restarts on another machine: FILE with every\n"
		 "      file its mappings come from (the executable, every shared library) and\n"
		 "      their separate debug info embedded.  Restart maps the embedded copies\n"
		 "      where that machine's files differ or are missing; ckpt unpack-debug lays\n"
		 "      them out for a debugger.  Run it where FILE was saved, before the files\n"
		 "      change.  --with-files also embeds the regular files of up to 16 MiB the\n"
		 "      program had open.  OUT is still a core file.\n",
	.run = run_pack,
};
