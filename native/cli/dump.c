/* ckpt dump PID -o FILE [--leave-running | --leave-stopped | --kill] [--json] */
#include "cli.h"
#include "ckpt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_dump(int argc, char **argv)
{
	const char *out = NULL, *parent = NULL;
	long pid = 0;
	int json = 0, release = CKPT_LEAVE_RUNNING, release_set = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (++i >= argc)
				return usage_error("%s needs a file name", a);
			out = argv[i];
		} else if (strncmp(a, "--output=", 9) == 0) {
			out = a + 9;
		} else if (strcmp(a, "--parent") == 0) {
			if (++i >= argc)
				return usage_error("--parent needs a statefile");
			parent = argv[i];
		} else if (strncmp(a, "--parent=", 9) == 0) {
			parent = a + 9;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--leave-running") == 0 || strcmp(a, "--leave-stopped") == 0 || strcmp(a, "--kill") == 0) {
			if (release_set)
				return usage_error("choose only one of --leave-running, --leave-stopped and --kill");
			release_set = 1;
			release = strcmp(a, "--kill") == 0 ? CKPT_KILL
				  : strcmp(a, "--leave-stopped") == 0 ? CKPT_LEAVE_STOPPED : CKPT_LEAVE_RUNNING;
		} else if (a[0] == '-') {
			return usage_error("dump: unknown option '%s'", a);
		} else if (!pid) {
			char *end;
			errno = 0;
			pid = strtol(a, &end, 10);
			if (*end || errno || pid <= 0 || pid > (1 << 22))
				return usage_error("dump: '%s' is not a process id", a);
		} else {
			return usage_error("dump: unexpected argument '%s'", a);
		}
	}
	if (!pid)
		return usage_error("dump: which process? (ckpt dump PID -o FILE)");
	if (!out)
		return usage_error("dump: where to? (ckpt dump PID -o FILE)");

	install_interrupt_handlers();
	struct ckpt_capture_options o = {.release = release, .progress = json ? NULL : progress_line, .parent = parent};
	struct ckpt_capture_result r;
	if (ckpt_capture((pid_t)pid, NULL, 0, out, &o, &r) < 0)
		return fail_with_engine_error();
	progress_done();
	if (json) {
		printf("{\"path\":\"");
		for (const char *p = out; *p; p++)
			printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
		printf("\",\"processes\":%u,\"threads\":%u,\"mapped_bytes\":%llu,\"stored_bytes\":%llu,"
		       "\"file_bytes\":%llu,\"parent_bytes\":%llu,\"freeze_ms\":%.3f,\"total_ms\":%.3f}\n",
		       r.processes, r.threads, (unsigned long long)r.mapped_bytes, (unsigned long long)r.stored_bytes,
		       (unsigned long long)r.file_bytes, (unsigned long long)r.parent_bytes, r.freeze_ns / 1e6,
		       r.total_ns / 1e6);
	} else {
		char from[128] = "";
		if (parent && r.parent_bytes)
			snprintf(from, sizeof(from), " (%.1f MiB unchanged since the parent)", r.parent_bytes / 1048576.0);
		else if (parent)
			snprintf(from, sizeof(from), " (all written: this file system cannot share the parent's pages)");
		printf("Saved %s: %u process%s, %u thread%s, %.1f MiB stored%s of %.1f MiB mapped; "
		       "program paused %.1f ms, total %.1f ms\n",
		       out, r.processes, r.processes == 1 ? "" : "es", r.threads, r.threads == 1 ? "" : "s",
		       r.stored_bytes / 1048576.0, from, r.mapped_bytes / 1048576.0, r.freeze_ns / 1e6, r.total_ns / 1e6);
	}
	return EXIT_OK;
}
