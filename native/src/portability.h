/*
 * What a statefile needs from the machine it restarts on, checked item by item: the files its
 * mappings come from, the CPU's features, the vDSO, the files it had open and its working
 * directory, the kernel and the user.  ckpt check reports every item with a remedy for each
 * problem; restart runs the same checks and refuses on the first problem, with the same words.
 */
#ifndef CKPT_PORTABILITY_H
#define CKPT_PORTABILITY_H

#include "ckpt.h"
#include "image.h"

enum portability_status {
	PORTABILITY_OK,
	PORTABILITY_NOTE,     /* worth knowing; restart works */
	PORTABILITY_PROBLEM,  /* restart cannot work here */
};

struct portability_item {
	const char *area;     /* "file", "cpu", "vdso", "kernel", "open file", "cwd", "user", "socket" */
	char *subject;        /* what was checked: a path, "instruction sets", ... */
	enum portability_status status;
	char *state;          /* what was found, e.g. "changed since the snapshot (its build-id differs)" */
	char *remedy;         /* what the user can do; NULL when nothing is needed */
};

struct portability_report {
	struct portability_item *items;
	size_t n, cap;
	unsigned problems;
};

/* What the user told the check about this machine. */
struct portability_options {
	const struct ckpt_path_map *path_maps;  /* --map-path */
	size_t npath_maps;
};

/* Checks everything; -1 only when the checks themselves fail (an error is set).  options may
 * be NULL. */
int portability_check(const struct statefile_image *img, int sf_fd, const struct portability_options *options,
		      struct portability_report *r);
/* The refusal restart gives for the report's first problem; 0 when there is none. */
int portability_refuse(const struct portability_report *r);
void portability_report_free(struct portability_report *r);
/* Adds an item, for the checks of the fd kinds (fdkind.h): subject and state are taken over,
 * remedy is copied (NULL: none).  An item with the same area and subject is added once. */
void portability_add(struct portability_report *r, const char *area, enum portability_status status, char *subject,
		     char *state, const char *remedy);

#endif
