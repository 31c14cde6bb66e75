/* Reading ELF files on disk: build-ids, and symbols for addresses. */
#ifndef CKPT_ELFUTIL_H
#define CKPT_ELFUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads the GNU build-id of an ELF file into id (up to max bytes).  Returns its length, 0 if
 * the file has none or is not ELF. */
size_t elf_build_id(int fd, uint8_t *id, size_t max);

/* Finds the function containing file_offset in the ELF file at path (an offset into the file,
 * as mappings see it).  Returns a malloc'ed name, or NULL. *delta gets the distance into it. */
char *elf_symbol_at_offset(const char *path, uint64_t file_offset, uint64_t *delta);

/* True if fd starts with the ELF magic. */
int elf_is_elf(int fd);

#endif
