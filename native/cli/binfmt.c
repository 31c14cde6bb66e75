/* ckpt binfmt install|remove|status: statefiles that run themselves (./bug.ckpt restarts it). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define ENTRY BINFMT_DIR "/ckpt"
#define BINFMT_MISC_MAGIC 0x42494e4d

/* The first bytes of every statefile: a little-endian ELF64 core file for x86-64 (ELF version
 * 1).  A statefile is a core file, so other core files match too; restart refuses those in one
 * line. */
static const unsigned char statefile_magic[] = {
	0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0x3e, 0, 1, 0, 0, 0,
};

static bool binfmt_mounted(void)
{
	struct statfs fs;
	return statfs(BINFMT_DIR, &fs) == 0 && (unsigned long)fs.f_type == BINFMT_MISC_MAGIC;
}

static const char MOUNT_COMMAND[] = "mount -t binfmt_misc binfmt_misc " BINFMT_DIR;

/* This ckpt, by absolute path: the kernel runs it for each statefile executed. */
static int own_path(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	if (n <= 0) {
		fprintf(stderr, "ckpt: binfmt: cannot tell where this ckpt is: %s\n", strerror(errno));
		return -1;
	}
	path[n] = 0;
	return 0;
}

/* Says what to run instead when this user cannot change the kernel's handlers. */
static int needs_root(const char *action)
{
	if (!binfmt_mounted()) {
		char self[PATH_MAX];
		if (own_path(self, sizeof(self)) < 0)
			return EXIT_FAILED;
		const char *sudo = geteuid() == 0 ? "" : "sudo ";
		fprintf(stderr, "ckpt: binfmt: binfmt_misc is not mounted; run: %s%s && %s%s binfmt %s\n", sudo, MOUNT_COMMAND,
			sudo, self, action);
		return EXIT_FAILED;
	}
	if (geteuid() != 0 || access(BINFMT_DIR "/register", W_OK) != 0) {
		char self[PATH_MAX];
		if (own_path(self, sizeof(self)) < 0)
			return EXIT_FAILED;
		fprintf(stderr, "ckpt: binfmt: changing the kernel's binfmt_misc handlers needs root; run: sudo %s binfmt %s\n",
			self, action);
		return EXIT_FAILED;
	}
	return 0;
}

static int write_to(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int do_remove(bool quiet)
{
	if (access(ENTRY, F_OK) != 0) {
		if (!quiet)
			printf("no ckpt handler is registered\n");
		return EXIT_OK;
	}
	if (write_to(ENTRY, "-1") < 0) {
		fprintf(stderr, "ckpt: binfmt: cannot remove the handler %s: %s\n", ENTRY, strerror(errno));
		return EXIT_FAILED;
	}
	if (!quiet)
		printf("removed the ckpt handler: statefiles no longer run themselves\n");
	return EXIT_OK;
}

static int do_install(void)
{
	char self[PATH_MAX];
	if (own_path(self, sizeof(self)) < 0)
		return EXIT_FAILED;
	if (strchr(self, ':')) {
		fprintf(stderr, "ckpt: binfmt: the path of ckpt (%s) has a ':', which binfmt_misc cannot take\n", self);
		return EXIT_FAILED;
	}
	/* name:type:offset:magic:mask:interpreter:flags, the magic as \x escapes. */
	char rule[PATH_MAX + 256];
	int n = snprintf(rule, sizeof(rule), ":ckpt:M:0:");
	for (size_t i = 0; i < sizeof(statefile_magic); i++)
		n += snprintf(rule + n, sizeof(rule) - (size_t)n, "\\x%02x", statefile_magic[i]);
	snprintf(rule + n, sizeof(rule) - (size_t)n, "::%s:", self);
	/* A handler from another ckpt (another version, another place) is replaced. */
	if (do_remove(true) != EXIT_OK)
		return EXIT_FAILED;
	if (write_to(BINFMT_DIR "/register", rule) < 0) {
		fprintf(stderr, "ckpt: binfmt: cannot register the handler: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	printf("registered %s for statefiles: chmod +x FILE, then ./FILE restarts it (as ckpt restart FILE)\n", self);
	return EXIT_OK;
}

static int do_status(void)
{
	if (!binfmt_mounted()) {
		printf("binfmt_misc is not mounted (%s); statefiles do not run themselves\n", BINFMT_DIR);
		return EXIT_OK;
	}
	size_t len;
	FILE *f = fopen(ENTRY, "re");
	if (!f) {
		printf("no ckpt handler is registered; ckpt binfmt install makes statefiles run themselves\n");
		return EXIT_OK;
	}
	char line[PATH_MAX + 64], interp[PATH_MAX] = "?";
	bool enabled = false;
	while (fgets(line, sizeof(line), f)) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		if (strcmp(line, "enabled") == 0)
			enabled = true;
		else if (strncmp(line, "interpreter ", 12) == 0)
			snprintf(interp, sizeof(interp), "%.*s", (int)sizeof(interp) - 1, line + 12);
	}
	fclose(f);
	printf("the ckpt handler is registered, %s: executing a statefile runs %s\n", enabled ? "enabled" : "disabled",
	       interp);
	return EXIT_OK;
}

static int run_binfmt(const struct verb *v, int argc, char **argv)
{
	int c, status;
	while ((c = cli_next_option(v, argc, argv, "", NULL, &status)) != -1)
		if (c == CLI_STOP)
			return status;
	if (optind >= argc)
		return usage_error(v, "which action? (install, remove or status)");
	if (optind + 1 < argc)
		return usage_error(v, "unexpected argument '%s'", argv[optind + 1]);
	const char *action = argv[optind];
	if (strcmp(action, "status") == 0)
		return do_status();
	if (strcmp(action, "install") != 0 && strcmp(action, "remove") != 0)
		return usage_error(v, "unknown action '%s' (install, remove or status)", action);
	if ((status = needs_root(action)) != 0)
		return status;
	return strcmp(action, "install") == 0 ? do_install() : do_remove(false);
}

bool binfmt_invoked_for(const char *arg)
{
	/* The kernel runs the handler as `ckpt FILE ARGS...`, with the path the statefile was
	 * executed by as AT_EXECFN: ckpt itself was not what was executed. */
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	return execfn && arg && strcmp(execfn, arg) == 0;
}

const struct verb verb_binfmt = {
	.name = "binfmt",
	.usage = "  ckpt binfmt install | remove | status\n"
		 "      Let statefiles run themselves: install registers this ckpt with the\n"
		 "      kernel's binfmt_misc for files that start as statefiles do (an ELF core\n"
		 "      file for x86-64), so that after chmod +x, ./FILE [OPTIONS] is ckpt restart\n"
		 "      FILE [OPTIONS]; remove takes the handler away; status says whether it is\n"
		 "      there.  install and remove need root and binfmt_misc mounted; without\n"
		 "      them they say what to run.\n",
	.run = run_binfmt,
};
