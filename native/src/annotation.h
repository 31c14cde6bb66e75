/*
 * A statefile's annotation (CKPT_NT_ANNOTATION in format.h): what made it, its place in its
 * session's timeline, and the label and note its user gives it.  The capture writes it with
 * the other notes of the root image; its label and note can be rewritten in place later,
 * because they sit in regions of fixed size.  Files without one (older engines) stay valid.
 */
#ifndef CKPT_ANNOTATION_H
#define CKPT_ANNOTATION_H

#include "ckpt.h"
#include "notes.h"
#include "statefile.h"

/* The largest regions a reader accepts (the writer reserves CKPT_ANN_LABEL_ROOM and
 * CKPT_ANN_NOTE_ROOM): a later writer may give more room, within reason. */
#define ANNOTATION_LABEL_ROOM_MAX 4096u
#define ANNOTATION_NOTE_ROOM_MAX 65536u

struct annotation {
	bool present;               /* when read: the file has one */
	uint32_t origin;            /* CKPT_ANN_* */
	uint32_t sequence;
	uint64_t session;
	char *label, *note;         /* "" when empty, never NULL once filled */
	char *parent;               /* NULL when none */
	uint32_t label_room, note_room;
	uint64_t desc_offset;       /* when read: where the note's descriptor lies in the file */
	uint32_t desc_size;
};

/* The annotation a capture writes; fails (one line) on strings that break the rules below. */
int annotation_from_options(struct annotation *a, const struct ckpt_capture_options *o);
void annotation_free(struct annotation *a);
/* "manual", "breakpoint", "step", "snappoint", "automatic". */
const char *annotation_origin_name(uint32_t origin);

/* The rules for the strings: a label is one line, a note may have lines and tabs, neither has
 * other control characters and each fits in its region (room bytes with the NUL); a parent is
 * a file name (no '/', not "." or "..", at most CKPT_ANN_PARENT_MAX bytes). */
int annotation_check_text(const char *what, const char *s, size_t room, bool multiline);
int annotation_check_parent(const char *s);

/* Parses and checks one CKPT_NT_ANNOTATION note (note_parsers.c; its table's parser uses it). */
int annotation_decode(const struct note *n, struct annotation *a);

/* statefile_layout, with a's annotation in the root image (statefile_write.c). */
int statefile_layout_annotated(struct statefile_image *img, const struct annotation *a,
			       struct statefile_layout *lay);
/* statefile_read, which also fills *a with the root image's annotation, if it has one
 * (statefile_read.c).  On error *a is empty. */
int statefile_read_annotated(int fd, struct statefile_image *img, struct annotation *a);

/* Sets the label and/or the note (NULL: kept) of the statefile at path: the whole file is
 * validated, the new note is checked as a reader would check it, then written over the old
 * one with one pwrite and synced.  Size and mode stay; nothing else of the file changes. */
int annotation_rewrite(const char *path, const char *label, const char *note);

#endif
