/*
 * The one JSON writer: `ckpt info --json`, and the CLI's --json results.  It keeps track of
 * nesting and commas, and escapes strings so that the output is valid JSON (and valid UTF-8)
 * whatever bytes a statefile holds.  Inside an object every value has a key; inside an array,
 * and at the top, the key is NULL.
 */
#ifndef CKPT_JSON_H
#define CKPT_JSON_H

#include "util.h"

#include <stdbool.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json {
	struct buf *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH];  /* per open object or array: a comma before the next */
};

void json_init(struct json *j, struct buf *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

void json_str(struct json *j, const char *key, const char *value);   /* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t value);
void json_i64(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
void json_ms(struct json *j, const char *key, uint64_t ns);           /* milliseconds, 3 decimals */
void json_hex(struct json *j, const char *key, uint64_t value);       /* "0x..." as a string */

/* Appends s as a JSON string literal ("null" for NULL). */
void json_escape(struct buf *b, const char *s);

#endif
