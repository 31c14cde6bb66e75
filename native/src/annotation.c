/* A statefile's annotation: its rules, the one a capture writes, and rewriting it in place. */
#include "annotation.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert((int)CKPT_ORIGIN_MANUAL == CKPT_ANN_MANUAL && (int)CKPT_ORIGIN_BREAKPOINT == CKPT_ANN_BREAKPOINT &&
		       (int)CKPT_ORIGIN_STEP == CKPT_ANN_STEP && (int)CKPT_ORIGIN_SNAPPOINT == CKPT_ANN_SNAPPOINT &&
		       (int)CKPT_ORIGIN_AUTOMATIC == CKPT_ANN_AUTOMATIC,
	       "ckpt.h's origins are the statefile's");

const char *annotation_origin_name(uint32_t origin)
{
	static const char *names[] = {"manual", "breakpoint", "step", "snappoint", "automatic"};
	return origin < ARRAY_LEN(names) ? names[origin] : "unknown";
}

int annotation_check_text(const char *what, const char *s, size_t room, bool multiline)
{
	size_t len = strlen(s);
	if (len >= room)
		return ckpt_fail("the %s is %zu bytes long; at most %zu fit", what, len, room - 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		bool allowed = multiline && (*c == '\n' || *c == '\t');
		if ((*c < 0x20 || *c == 0x7f) && !allowed)
			return ckpt_fail("the %s holds a control character (0x%02x)%s", what, *c,
					 multiline ? "" : "; it is one line");
	}
	return 0;
}

int annotation_check_parent(const char *s)
{
	/* Control characters first: the name is quoted in the error below. */
	if (annotation_check_text("timeline parent", s, CKPT_ANN_PARENT_MAX + 1, false) < 0)
		return -1;
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strchr(s, '/'))
		return ckpt_fail("the timeline parent \"%s\" is not a file name", s);
	return 0;
}

int annotation_from_options(struct annotation *a, const struct ckpt_capture_options *o)
{
	memset(a, 0, sizeof(*a));
	if (o->origin < CKPT_ANN_MANUAL || o->origin > CKPT_ANN_AUTOMATIC)
		return ckpt_fail("unknown origin %d for a save", o->origin);
	const char *label = o->label ? o->label : "", *note = o->note ? o->note : "";
	const char *parent = o->timeline_parent && *o->timeline_parent ? o->timeline_parent : NULL;
	if (annotation_check_text("label", label, CKPT_ANN_LABEL_ROOM, false) < 0 ||
	    annotation_check_text("note", note, CKPT_ANN_NOTE_ROOM, true) < 0 ||
	    (parent && annotation_check_parent(parent) < 0))
		return -1;
	a->origin = (uint32_t)o->origin;
	a->sequence = o->sequence;
	a->session = o->session;
	a->label = xstrdup(label);
	a->note = xstrdup(note);
	a->parent = parent ? xstrdup(parent) : NULL;
	a->label_room = CKPT_ANN_LABEL_ROOM;
	a->note_room = CKPT_ANN_NOTE_ROOM;
	return 0;
}

void annotation_free(struct annotation *a)
{
	free(a->label);
	free(a->note);
	free(a->parent);
	memset(a, 0, sizeof(*a));
}

/* Overwrites one region of the note's data area with s, zero padded. */
static void fill_region(uint8_t *data, uint32_t off, uint32_t room, const char *s)
{
	memset(data + off, 0, room);
	memcpy(data + off, s, strlen(s));
}

int annotation_rewrite(const char *path, const char *label, const char *note)
{
	ckpt_clear_error();
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ckpt_fail_errno("cannot open %s for writing", path);
	struct statefile_image img;
	struct annotation a;
	if (statefile_read_annotated(fd, &img, &a) < 0) {
		close(fd);
		return -1;
	}
	image_free(&img);
	int rc = -1;
	uint8_t *desc = NULL;
	if (!a.present) {
		ckpt_fail("%s has no annotation (an older ckpt saved it), so it has no label to set", path);
		goto out;
	}
	if ((label && annotation_check_text("label", label, a.label_room, false) < 0) ||
	    (note && annotation_check_text("note", note, a.note_room, true) < 0))
		goto out;
	desc = xmalloc(a.desc_size);
	if (pread_all(fd, desc, a.desc_size, (off_t)a.desc_offset) < 0) {
		ckpt_fail_errno("cannot read %s", path);
		goto out;
	}
	/* The reader checked this note: its header, record and regions lie inside it.  Only the
	 * regions' bytes change, so a write torn by a crash leaves every byte old or new, and
	 * either way a valid label and note. */
	struct ckpt_table_hdr h;
	struct ckpt_rec_annotation r;
	memcpy(&h, desc, sizeof(h));
	memcpy(&r, desc + sizeof(h), sizeof(r));
	uint8_t *data = desc + h.data_off;
	if (label)
		fill_region(data, r.label, r.label_room, label);
	if (note)
		fill_region(data, r.note, r.note_room, note);
	struct note n = {.name = CKPT_NOTE_OWNER, .type = CKPT_NT_ANNOTATION, .desc = desc, .descsz = a.desc_size};
	struct annotation again;
	if (annotation_decode(&n, &again) < 0)
		goto out;
	annotation_free(&again);
	if (pwrite_all(fd, desc, a.desc_size, (off_t)a.desc_offset) < 0 || fsync(fd) < 0) {
		ckpt_fail_errno("cannot write %s", path);
		goto out;
	}
	rc = 0;
out:
	free(desc);
	annotation_free(&a);
	close(fd);
	return rc;
}
