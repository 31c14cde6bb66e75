/* ckpt dump PID -o FILE [--leave-running | --leave-stopped | --kill] [--parent PREV] [--allow-unrestorable] [--json] */
#include "cli.h"
#include "ckpt.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_json_result(const char *path, const struct ckpt_capture_result *r)
{
	struct buf b = {0};
	struct json j;
	json_init(&j, &b);
	json_object_begin(&j, NULL);
	json_str(&j, "path", path);
	json_u64(&j, "processes", r->processes);
	json_u64(&j, "threads", r->threads);
	json_u64(&j, "mapped_bytes", r->mapped_bytes);
	json_u64(&j, "stored_bytes", r->stored_bytes);
	json_u64(&j, "file_bytes", r->file_bytes);
	json_u64(&j, "parent_bytes", r->parent_bytes);
	json_ms(&j, "freeze_ms", r->freeze_ns);
	json_ms(&j, "total_ms", r->total_ns);
	json_object_end(&j);
	printf("%.*s\n", (int)b.len, (const char *)b.data);
	buf_free(&b);
}

static void print_saved_line(const char *path, const char *parent, const struct ckpt_capture_result *r)
{
	char from[128] = "";
	if (parent && r->parent_bytes)
		snprintf(from, sizeof(from), " (%.1f MiB unchanged since the parent)", r->parent_bytes / 1048576.0);
	else if (parent)
		snprintf(from, sizeof(from), " (all written: this file system cannot share the parent's pages)");
	printf("Saved %s: %u process%s, %u thread%s, %.1f MiB stored%s of %.1f MiB mapped; "
	       "program paused %.1f ms, total %.1f ms\n",
	       path, r->processes, r->processes == 1 ? "" : "es", r->threads, r->threads == 1 ? "" : "s",
	       r->stored_bytes / 1048576.0, from, r->mapped_bytes / 1048576.0, r->freeze_ns / 1e6, r->total_ns / 1e6);
}

static int run_dump(const struct verb *v, int argc, char **argv)
{
	enum { OPT_PARENT = 256, OPT_JSON, OPT_RUNNING, OPT_STOPPED, OPT_KILL, OPT_ALLOW };
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"parent", required_argument, NULL, OPT_PARENT},
		{"json", no_argument, NULL, OPT_JSON},
		{"leave-running", no_argument, NULL, OPT_RUNNING},
		{"leave-stopped", no_argument, NULL, OPT_STOPPED},
		{"kill", no_argument, NULL, OPT_KILL},
		{"allow-unrestorable", no_argument, NULL, OPT_ALLOW},
		{0},
	};
	const char *out = NULL, *parent = NULL;
	int json = 0, release = CKPT_LEAVE_RUNNING, release_set = 0, allow = 0, c, status;
	while ((c = cli_next_option(v, argc, argv, "o:", options, &status)) != -1) {
		switch (c) {
		case CLI_STOP:
			return status;
		case 'o':
			out = optarg;
			break;
		case OPT_PARENT:
			parent = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_ALLOW:
			allow = 1;
			break;
		default:
			if (release_set)
				return usage_error(v, "choose only one of --leave-running, --leave-stopped and --kill");
			release_set = 1;
			release = c == OPT_KILL ? CKPT_KILL : c == OPT_STOPPED ? CKPT_LEAVE_STOPPED : CKPT_LEAVE_RUNNING;
		}
	}
	if (optind >= argc)
		return usage_error(v, "which process? (ckpt dump PID -o FILE)");
	if (optind + 1 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 1]);
	char *end;
	errno = 0;
	long pid = strtol(argv[optind], &end, 10);
	if (*end || errno || pid <= 0 || pid > (1 << 22))
		return usage_error(v, "'%s' is not a process id", argv[optind]);
	if (!out)
		return usage_error(v, "where to? (ckpt dump PID -o FILE)");

	install_interrupt_handlers();
	struct ckpt_capture_options o = {.release = release, .progress = json ? NULL : progress_line, .parent = parent,
					 .allow_unrestorable = allow};
	struct ckpt_capture_result r;
	if (ckpt_capture((pid_t)pid, NULL, 0, out, &o, &r) < 0)
		return fail_with_engine_error();
	progress_done();
	if (json)
		print_json_result(out, &r);
	else
		print_saved_line(out, parent, &r);
	return EXIT_OK;
}

const struct verb verb_dump = {
	.name = "dump",
	.usage = "  ckpt dump PID -o FILE [--leave-running | --leave-stopped | --kill] [--parent PREV]\n"
		 "            [--allow-unrestorable] [--json]\n"
		 "      Freeze PID and all its descendants and save them into the statefile FILE.\n"
		 "      --leave-running (default) lets the program go on as if nothing happened,\n"
		 "      --leave-stopped leaves it stopped (SIGSTOP), --kill kills it.  --parent\n"
		 "      copies the pages that did not change since PREV, an earlier statefile of\n"
		 "      the same program, instead of writing them; FILE is still complete.\n"
		 "      A tree holding something restart cannot rebuild (a socket of a kind it\n"
		 "      does not know, a kernel object without a name, a deleted file) is\n"
		 "      refused, naming it; --allow-unrestorable saves it anyway, and restart\n"
		 "      gives those fds back as /dev/null.  --json prints the result as one JSON\n"
		 "      object.\n",
	.run = run_dump,
};
