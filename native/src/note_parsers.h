/*
 * Reading the notes of one process image: one parser per note, chosen by owner and type from
 * the table in note_parsers.c (format.h gives the records' layout).  The statefile reader hands
 * every note of an image to note_parse, then calls notes_finish, which checks that the required
 * notes are there and binds thread records and pending signals to their threads.
 */
#ifndef CKPT_NOTE_PARSERS_H
#define CKPT_NOTE_PARSERS_H

#include "image.h"
#include "notes.h"

struct image_notes {
	struct statefile_image *img;
	struct process_image *p;
	int root;                     /* the root image carries the header's strings and the tree */
	struct thread_image *thread;  /* the thread of the last NT_PRSTATUS: later thread notes are its */
	unsigned ckpt_seen;           /* bit (type - 1) for each CKPT note seen */
	/* Tables whose records the reader binds after all notes are in (they point into the
	 * note segment, which must outlive them). */
	struct table vmas, threads, sigqueue, tree;
};

void notes_begin(struct image_notes *in, struct statefile_image *img, struct process_image *p, int root);
/* Parses one note into the image; notes nobody knows (a later version's) are ignored. */
int note_parse(struct image_notes *in, const struct note *n);
/* After the last note: the required notes are there, and thread records and pending signals
 * belong to the image's threads. */
int notes_finish(struct image_notes *in);

#endif
