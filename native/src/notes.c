/* ELF notes and the CKPT table encoding inside them (notes.h). */
#include "notes.h"

#include <string.h>

void note_add(struct buf *notes, const char *name, uint32_t type, const void *desc, size_t descsz)
{
	uint32_t hdr[3] = {(uint32_t)strlen(name) + 1, (uint32_t)descsz, type};
	buf_put(notes, hdr, sizeof(hdr));
	buf_put(notes, name, hdr[0]);
	buf_align(notes, 4);
	buf_put(notes, desc, descsz);
	buf_align(notes, 4);
}

void tw_init(struct table_writer *tw, uint32_t rec_size)
{
	memset(tw, 0, sizeof(*tw));
	tw->rec_size = rec_size;
}

void tw_add(struct table_writer *tw, const void *rec)
{
	buf_put(&tw->recs, rec, tw->rec_size);
	tw->count++;
}

uint32_t tw_str(struct table_writer *tw, const char *s)
{
	if (!s)
		return CKPT_NO_STR;
	uint32_t off = (uint32_t)tw->data.len;
	buf_put(&tw->data, s, strlen(s) + 1);
	return off;
}

uint32_t tw_blob(struct table_writer *tw, const void *p, size_t n)
{
	uint32_t off = (uint32_t)tw->data.len;
	buf_put(&tw->data, p, n);
	return off;
}

void tw_emit(struct table_writer *tw, struct buf *notes, uint32_t type)
{
	struct ckpt_table_hdr h = {
		.rec_size = tw->rec_size,
		.count = tw->count,
		.data_off = (uint32_t)(sizeof(h) + tw->recs.len),
		.data_size = (uint32_t)tw->data.len,
	};
	struct buf desc = {0};
	buf_put(&desc, &h, sizeof(h));
	buf_put(&desc, tw->recs.data, tw->recs.len);
	buf_put(&desc, tw->data.data, tw->data.len);
	note_add(notes, CKPT_NOTE_OWNER, type, desc.data, desc.len);
	buf_free(&desc);
	buf_free(&tw->recs);
	buf_free(&tw->data);
}

int note_next(const uint8_t *p, size_t len, size_t *pos, struct note *n)
{
	if (*pos >= len)
		return 0;
	if (len - *pos < 12)
		return ckpt_fail("truncated note header at offset %zu of the note segment", *pos);
	uint32_t hdr[3];
	memcpy(hdr, p + *pos, 12);
	size_t at = *pos + 12;
	uint64_t namesz_pad = ALIGN_UP((uint64_t)hdr[0], 4), descsz_pad = ALIGN_UP((uint64_t)hdr[1], 4);
	if (namesz_pad > len - at || descsz_pad > len - at - namesz_pad)
		return ckpt_fail("note at offset %zu runs past the end of the note segment", *pos);
	n->namesz = hdr[0];
	n->type = hdr[2];
	n->name = (const char *)(p + at);
	if (hdr[0] == 0 || n->name[hdr[0] - 1] != 0)
		n->name = "";
	n->desc = p + at + namesz_pad;
	n->descsz = hdr[1];
	*pos = at + namesz_pad + descsz_pad;
	return 1;
}

int table_parse(const struct note *n, uint32_t min_rec, uint32_t max_count, struct table *t)
{
	struct ckpt_table_hdr h;
	if (n->descsz < sizeof(h))
		return ckpt_fail("CKPT note %u is too short", n->type);
	memcpy(&h, n->desc, sizeof(h));
	if (h.rec_size < min_rec || h.rec_size > 1 << 16)
		return ckpt_fail("CKPT note %u has a bad record size %u", n->type, h.rec_size);
	if (h.count > max_count)
		return ckpt_fail("CKPT note %u has too many records (%u)", n->type, h.count);
	uint64_t recs_end = sizeof(h) + (uint64_t)h.rec_size * h.count;
	if (recs_end > n->descsz || h.data_off < recs_end || h.data_off > n->descsz ||
	    h.data_size > n->descsz - h.data_off)
		return ckpt_fail("CKPT note %u has records or data outside the note", n->type);
	t->rec_size = h.rec_size;
	t->count = h.count;
	t->recs = n->desc + sizeof(h);
	t->data = n->desc + h.data_off;
	t->data_size = h.data_size;
	t->data_used = 0;
	return 0;
}

void table_rec(const struct table *t, uint32_t i, void *out, size_t sz)
{
	memset(out, 0, sz);
	memcpy(out, t->recs + (size_t)i * t->rec_size, t->rec_size < sz ? t->rec_size : sz);
}

/* Accounts for n more bytes handed out of t's data area. */
static int table_use(struct table *t, uint64_t n, const char *what)
{
	t->data_used += n;
	if (t->data_used > t->data_size)
		return ckpt_fail("the %s shares its bytes with another record's (a hostile or corrupt statefile)", what);
	return 0;
}

int table_str(struct table *t, uint32_t off, const char **s, const char *what)
{
	if (off == CKPT_NO_STR) {
		*s = NULL;
		return 0;
	}
	if (off >= t->data_size)
		return ckpt_fail("the %s string lies outside its note", what);
	/* Look for the NUL only as far as this table's unused bytes reach, so that records
	 * sharing one long string cost no more than the string once. */
	uint64_t left = t->data_size - t->data_used, room = t->data_size - off;
	const uint8_t *nul = memchr(t->data + off, 0, room < left ? room : left);
	if (!nul) {
		if (room <= left)
			return ckpt_fail("the %s string lies outside its note (no terminating NUL)", what);
		return table_use(t, left + 1, what);
	}
	if (table_use(t, (uint64_t)(nul - (t->data + off)) + 1, what) < 0)
		return -1;
	*s = (const char *)t->data + off;
	return 0;
}

int table_blob(struct table *t, uint32_t off, uint32_t len, const uint8_t **p, const char *what)
{
	if (len == 0) {
		*p = NULL;
		return 0;
	}
	if (off > t->data_size || len > t->data_size - off)
		return ckpt_fail("the %s data lies outside its note", what);
	if (table_use(t, len, what) < 0)
		return -1;
	*p = t->data + off;
	return 0;
}
