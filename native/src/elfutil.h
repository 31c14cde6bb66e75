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

/* The file name in the ELF file's .gnu_debuglink section, where its separate debug info is,
 * with that file's CRC-32.  Returns the name's length, 0 when there is none. */
size_t elf_debuglink(int fd, char *name, size_t max, uint32_t *crc);
/* Continues a .gnu_debuglink CRC-32 (start with 0) over n more bytes. */
uint32_t elf_crc32(uint32_t crc, const void *data, size_t n);

/* True if fd starts with the ELF magic. */
int elf_is_elf(int fd);

#endif
