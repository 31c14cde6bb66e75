/*
 * Packed statefiles: ckpt pack copies the files a statefile's mappings come from (and their
 * separate debug info) into it, as CKPT_NT_EMBEDDED records with their bytes in the root image
 * (STATEFILE.md, "Embedded files").  Restart maps those copies where this machine's files
 * differ or are missing, extracted once each into a private cache named by their SHA-256; ckpt
 * unpack-debug lays them out as a sysroot for a debugger.
 */
#ifndef CKPT_PACK_H
#define CKPT_PACK_H

#include "image.h"
#include "json.h"
#include "util.h"

/* Absolute, without empty, "." or ".." components or control characters: the only paths
 * embedded files may have. */
bool path_is_normal_absolute(const char *s);

/* The embedded copy of a mapped file f, or NULL when the statefile has none. */
const struct embedded_file *pack_find_embedded(const struct statefile_image *img, const struct file_image *f);

/* Restart: every mapped file that this machine has differently or not at all and that the
 * statefile carries is mapped from its embedded copy, extracted into the cache
 * ($XDG_CACHE_HOME/ckpt/files, 0700): the file's path in img becomes the cached copy's. */
int pack_use_embedded(struct statefile_image *img, int sf_fd);

/* Restart: every regular file the program had open that is missing here and that the
 * statefile carries (pack --with-files) is made again at its path from its copy, with its
 * mode and modification time, when its directory exists. */
int pack_recreate_open_files(const struct statefile_image *img, int sf_fd);

/* The embedded copy of a regular file the program had open at path (pack --with-files), or
 * NULL. */
const struct embedded_file *pack_find_open_copy(const struct statefile_image *img, const char *path);

/* Whether restart makes path again from its embedded copy: the file is missing here, the
 * statefile carries it, and its directory exists. */
bool pack_recreates(const struct statefile_image *img, const char *path);

/* ckpt info's lines and JSON array for the embedded files (nothing when there are none). */
void pack_info_text(const struct statefile_image *img, struct buf *b);
void pack_info_json(const struct statefile_image *img, struct json *j);

#endif
