/* The one JSON writer, for ckpt info and the CLI's --json results (json.h). */
#include "json.h"

#include <stdlib.h>
#include <string.h>

void json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* The comma and key that come before any value. */
static void value_prefix(struct json *j, const char *key)
{
	if (j->has_items[j->depth])
		buf_put(j->out, ",", 1);
	j->has_items[j->depth] = true;
	if (key) {
		json_escape(j->out, key);
		buf_put(j->out, ":", 1);
	}
}

static void open_nested(struct json *j, const char *key, char bracket)
{
	value_prefix(j, key);
	buf_put(j->out, &bracket, 1);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		abort(); /* a bug in the caller: the documents written here are a few levels deep */
	j->has_items[++j->depth] = false;
}

static void close_nested(struct json *j, char bracket)
{
	buf_put(j->out, &bracket, 1);
	j->depth--;
}

void json_object_begin(struct json *j, const char *key) { open_nested(j, key, '{'); }
void json_object_end(struct json *j) { close_nested(j, '}'); }
void json_array_begin(struct json *j, const char *key) { open_nested(j, key, '['); }
void json_array_end(struct json *j) { close_nested(j, ']'); }

void json_str(struct json *j, const char *key, const char *value)
{
	value_prefix(j, key);
	json_escape(j->out, value);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	value_prefix(j, key);
	buf_printf(j->out, "%llu", (unsigned long long)value);
}

void json_i64(struct json *j, const char *key, int64_t value)
{
	value_prefix(j, key);
	buf_printf(j->out, "%lld", (long long)value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	value_prefix(j, key);
	buf_printf(j->out, "%s", value ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	value_prefix(j, key);
	buf_put(j->out, "null", 4);
}

void json_ms(struct json *j, const char *key, uint64_t ns)
{
	value_prefix(j, key);
	buf_printf(j->out, "%.3f", ns / 1e6);
}

void json_hex(struct json *j, const char *key, uint64_t value)
{
	value_prefix(j, key);
	buf_printf(j->out, "\"0x%llx\"", (unsigned long long)value);
}

void json_escape(struct buf *b, const char *s)
{
	if (!s) {
		buf_put(b, "null", 4);
		return;
	}
	buf_put(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_printf(b, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_printf(b, "\\u%04x", *p);
		} else if (*p < 0x80) {
			buf_put(b, p, 1);
		} else {
			/* Valid UTF-8 sequences pass; any other byte becomes U+FFFD, so the output
			 * stays valid JSON whatever a statefile holds. */
			size_t n = *p >= 0xf0 && *p < 0xf5 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 && *p < 0xe0 ? 2 : 0;
			size_t k = 1;
			while (n && k < n && (p[k] & 0xc0) == 0x80)
				k++;
			if (n && k == n) {
				buf_put(b, p, n);
				p += n - 1;
			} else {
				buf_put(b, "\\ufffd", 6);
			}
		}
	}
	buf_put(b, "\"", 1);
}
