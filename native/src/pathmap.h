/*
 * --map-path OLD=NEW: a statefile's program had files open and a working directory under
 * paths that do not exist on this machine (an output file under the saver's home).  Each such
 * path is looked up under NEW instead of OLD, OLD matching whole path components.  ckpt check
 * reports the mapped paths; restart opens them.
 */
#ifndef CKPT_PATHMAP_H
#define CKPT_PATHMAP_H

#include "ckpt.h"
#include "image.h"

#include <stddef.h>

/* -1 with an error when a mapping cannot be used (not absolute, empty). */
int pathmap_validate(const struct ckpt_path_map *maps, size_t n);
/* Where path is looked up on this machine: NULL when it is here or no mapping matches it;
 * else the mapped path (malloc'ed), whether or not that exists.  The longest OLD wins. */
char *pathmap_lookup(const struct ckpt_path_map *maps, size_t n, const char *path);
/* Rewrites the image's open-file paths and working directories as pathmap_lookup says. */
void pathmap_apply(struct statefile_image *img, const struct ckpt_path_map *maps, size_t n);

#endif
