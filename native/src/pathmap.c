/* Paths moved between machines, --map-path OLD=NEW (pathmap.h). */
#include "pathmap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The length of p without trailing slashes: "/" is the empty prefix that matches every path. */
static size_t trimmed_len(const char *p)
{
	size_t n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	return n;
}

int pathmap_validate(const struct ckpt_path_map *maps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *from = maps[i].from, *to = maps[i].to;
		if (!from || !to || from[0] != '/' || to[0] != '/')
			return ckpt_fail("--map-path needs absolute paths on both sides: OLD=NEW (got %s=%s)",
					 from ? from : "", to ? to : "");
	}
	return 0;
}

char *pathmap_lookup(const struct ckpt_path_map *maps, size_t n, const char *path)
{
	struct stat st;
	if (!path || path[0] != '/' || stat(path, &st) == 0)
		return NULL;
	const struct ckpt_path_map *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = trimmed_len(maps[i].from);
		/* Whole components only: /home/ann maps /home/ann/out.txt, not /home/anna. */
		if (strncmp(path, maps[i].from, len) != 0 || (path[len] != '/' && path[len] != 0))
			continue;
		if (!best || len > best_len) {
			best = &maps[i];
			best_len = len;
		}
	}
	if (!best)
		return NULL;
	const char *rest = path + best_len;
	size_t to_len = trimmed_len(best->to);
	if (to_len == 0 && rest[0] == 0)
		return xstrdup("/");
	return xasprintf("%.*s%s", (int)to_len, best->to, rest);
}

static void map_one(char **path, const struct ckpt_path_map *maps, size_t n)
{
	char *mapped = pathmap_lookup(maps, n, *path);
	if (!mapped)
		return;
	free(*path);
	*path = mapped;
}

void pathmap_apply(struct statefile_image *img, const struct ckpt_path_map *maps, size_t n)
{
	if (!n)
		return;
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		if (p->cwd)
			map_one(&p->cwd, maps, n);
		for (size_t k = 0; k < p->nfds; k++) {
			uint32_t kind = p->fds[k].rec.kind;
			if ((kind == CKPT_FD_REG || kind == CKPT_FD_DIR || kind == CKPT_FD_FIFO) && p->fds[k].path &&
			    !(p->fds[k].rec.fd_flags & (CKPT_FDF_LOST | CKPT_FDF_DELETED)))
				map_one(&p->fds[k].path, maps, n);
		}
	}
}
