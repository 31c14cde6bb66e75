/* ELF note building and parsing, and the CKPT table encoding inside notes. */
#ifndef CKPT_NOTES_H
#define CKPT_NOTES_H

#include "format.h"
#include "util.h"

/* Appends one note (name, type, descriptor) with 4-byte padding. */
void note_add(struct buf *notes, const char *name, uint32_t type, const void *desc, size_t descsz);

/* Builds a CKPT table: records plus a data area of strings and blobs. */
struct table_writer {
	uint32_t rec_size, count;
	struct buf recs, data;
};
void tw_init(struct table_writer *tw, uint32_t rec_size);
void tw_add(struct table_writer *tw, const void *rec);
uint32_t tw_str(struct table_writer *tw, const char *s); /* CKPT_NO_STR for NULL */
uint32_t tw_blob(struct table_writer *tw, const void *p, size_t n);
/* Emits the table as a CKPT note and frees the writer. */
void tw_emit(struct table_writer *tw, struct buf *notes, uint32_t type);

/* One parsed note. */
struct note {
	const char *name;
	uint32_t namesz, type;
	const uint8_t *desc;
	uint32_t descsz;
};
/* Iterates notes in [p, p+len); returns 1 with *n filled, 0 at the end, -1 on a malformed note. */
int note_next(const uint8_t *p, size_t len, size_t *pos, struct note *n);

/* A validated CKPT table. */
struct table {
	uint32_t rec_size, count;
	const uint8_t *recs;
	const uint8_t *data;
	uint32_t data_size;
	uint64_t data_used;  /* bytes of the data area that table_str and table_blob handed out */
};
int table_parse(const struct note *n, uint32_t min_rec, uint32_t max_count, struct table *t);
/* Copies record i (zero-extending older, shorter records) into out of size sz. */
void table_rec(const struct table *t, uint32_t i, void *out, size_t sz);
/* A string field: NULL for CKPT_NO_STR; -1 (error set) if it does not lie in the data area.
 * Every string and blob of a table belongs to one field of one record, so the bytes handed out
 * may not add up to more than the data area: a hostile file cannot make thousands of records
 * share one huge string, which the reader would copy for each of them. */
int table_str(struct table *t, uint32_t off, const char **s, const char *what);
int table_blob(struct table *t, uint32_t off, uint32_t len, const uint8_t **p, const char *what);

#endif
