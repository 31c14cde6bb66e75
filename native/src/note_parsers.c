/*
 * The parsers of a process image's notes, one per note, and the table that picks them.  Each
 * parser checks its own note's sizes, counts and strings; notes_finish checks what spans notes.
 */
#include "note_parsers.h"
#include "annotation.h"
#include "fdkind.h"
#include "locks.h"
#include "tty.h"
#include "procattr.h"
#include "files.h"
#include "seccomp.h"
#include "sysvipc.h"
#include "timers.h"
#include "pack.h"
#include "statefile.h"
#include "util.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>

static char *dup_str(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int need_thread(const struct image_notes *in)
{
	if (!in->thread)
		return ckpt_fail("a thread note comes before any NT_PRSTATUS");
	return 0;
}

/* One record, exactly: the notes that describe a single thing. */
static int single_record(const struct note *n, uint32_t rec_size, struct table *t, const char *what)
{
	if (table_parse(n, rec_size, 1, t) < 0)
		return -1;
	if (t->count != 1)
		return ckpt_fail("the CKPT %s note has no record", what);
	return 0;
}

/* ---- The standard core notes --------------------------------------------------------- */

static int parse_prstatus(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	if (n->descsz != sizeof(struct elf_prstatus))
		return ckpt_fail("NT_PRSTATUS has size %u, expected %zu", n->descsz, sizeof(struct elf_prstatus));
	if (p->nthreads >= MAX_THREADS)
		return ckpt_fail("too many threads in a process image");
	struct elf_prstatus st;
	memcpy(&st, n->desc, sizeof(st));
	struct thread_image *t = ARR_PUSH(p->threads, p->nthreads, p->cap_threads);
	t->rec.tid = (uint32_t)st.pr_pid;
	memcpy(&t->regs, &st.pr_reg, sizeof(t->regs));
	in->thread = t;
	return 0;
}

static int parse_fpregset(struct image_notes *in, const struct note *n)
{
	if (need_thread(in) < 0)
		return -1;
	if (n->descsz != sizeof(in->thread->fpregs))
		return ckpt_fail("NT_FPREGSET has size %u", n->descsz);
	memcpy(&in->thread->fpregs, n->desc, n->descsz);
	return 0;
}

static int parse_xstate(struct image_notes *in, const struct note *n)
{
	if (need_thread(in) < 0)
		return -1;
	struct thread_image *t = in->thread;
	if (n->descsz < 576 || n->descsz > (1u << 20) || t->xstate)
		return ckpt_fail("bad NT_X86_XSTATE note (size %u)", n->descsz);
	t->xstate = xmalloc(n->descsz);
	memcpy(t->xstate, n->desc, n->descsz);
	t->xstate_len = n->descsz;
	return 0;
}

static int parse_siginfo(struct image_notes *in, const struct note *n)
{
	if (need_thread(in) < 0)
		return -1;
	if (n->descsz != sizeof(siginfo_t))
		return ckpt_fail("NT_SIGINFO has size %u", n->descsz);
	memcpy(&in->thread->stop_siginfo, n->desc, n->descsz);
	return 0;
}

static int parse_auxv(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	if (n->descsz > 4096 || n->descsz % 16 || p->auxv)
		return ckpt_fail("bad NT_AUXV note (size %u)", n->descsz);
	p->auxv = xmalloc(n->descsz);
	memcpy(p->auxv, n->desc, n->descsz);
	p->auxv_len = n->descsz;
	return 0;
}

/* ---- The CKPT notes ------------------------------------------------------------------ */

static int parse_header(struct image_notes *in, const struct note *n)
{
	struct table t;
	if (single_record(n, sizeof(struct ckpt_rec_header), &t, "header") < 0)
		return -1;
	struct ckpt_rec_header h;
	table_rec(&t, 0, &h, sizeof(h));
	if (h.format_version != CKPT_FORMAT_VERSION)
		return ckpt_fail("statefile format version %u is not supported (this engine reads version %d)",
				 h.format_version, CKPT_FORMAT_VERSION);
	if (h.page_size != PAGE)
		return ckpt_fail("statefile page size %u is not supported", h.page_size);
	if (!in->root)
		return 0; /* a child image repeats the header; the root's counts */
	const char *ev, *kr, *hn, *sf, *sfile;
	if (table_str(&t, h.engine_version, &ev, "engine version") < 0 ||
	    table_str(&t, h.kernel_release, &kr, "kernel release") < 0 ||
	    table_str(&t, h.hostname, &hn, "hostname") < 0 ||
	    table_str(&t, h.stop_function, &sf, "stop function") < 0 ||
	    table_str(&t, h.stop_file, &sfile, "stop file") < 0)
		return -1;
	struct statefile_image *img = in->img;
	img->hdr = h;
	img->engine_version = dup_str(ev);
	img->kernel_release = dup_str(kr);
	img->hostname = dup_str(hn);
	img->stop_function = dup_str(sf);
	img->stop_file = dup_str(sfile);
	return 0;
}

static int parse_process(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (single_record(n, sizeof(struct ckpt_rec_process), &t, "process") < 0)
		return -1;
	table_rec(&t, 0, &p->rec, sizeof(p->rec));
	const char *exe, *cwd, *comm;
	const uint8_t *cmd;
	if (table_str(&t, p->rec.exe, &exe, "exe") < 0 || table_str(&t, p->rec.cwd, &cwd, "cwd") < 0 ||
	    table_str(&t, p->rec.comm, &comm, "comm") < 0 ||
	    table_blob(&t, p->rec.cmdline_off, p->rec.cmdline_len, &cmd, "command line") < 0)
		return -1;
	p->exe = dup_str(exe);
	p->cwd = dup_str(cwd);
	snprintf(p->comm, sizeof(p->comm), "%s", comm ? comm : "");
	p->cmdline_len = p->rec.cmdline_len;
	p->cmdline = xmalloc(p->cmdline_len + 1);
	if (p->cmdline_len)
		memcpy(p->cmdline, cmd, p->cmdline_len);
	p->cmdline[p->cmdline_len] = 0;
	return 0;
}

static int parse_mm(struct image_notes *in, const struct note *n)
{
	struct table t;
	if (single_record(n, sizeof(struct ckpt_rec_mm), &t, "mm") < 0)
		return -1;
	table_rec(&t, 0, &in->p->mm, sizeof(in->p->mm));
	return 0;
}

/* Bound to the PT_LOAD segments by the statefile reader. */
static int parse_vmas(struct image_notes *in, const struct note *n)
{
	return table_parse(n, sizeof(struct ckpt_rec_vma), MAX_VMAS, &in->vmas);
}

static int parse_files(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_file), MAX_VMAS, &t) < 0)
		return -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct file_image *f = ARR_PUSH(p->files, p->nfiles, p->cap_files);
		table_rec(&t, i, &f->rec, sizeof(f->rec));
		const char *path;
		if (table_str(&t, f->rec.path, &path, "mapped file path") < 0)
			return -1;
		if (!path || path[0] != '/')
			return ckpt_fail("mapped file %u has no absolute path", i);
		if (f->rec.build_id_len > sizeof(f->rec.build_id))
			return ckpt_fail("mapped file %u has a bad build-id length", i);
		f->path = xstrdup(path);
	}
	return 0;
}

static int check_fd_record(const struct fd_image *f, uint64_t *seen_fd)
{
	if (f->rec.fd >= MAX_FDS)
		return ckpt_fail("fd number %u is out of range", f->rec.fd);
	if (seen_fd[f->rec.fd / 64] & (1ull << (f->rec.fd % 64)))
		return ckpt_fail("fd %u appears twice", f->rec.fd);
	seen_fd[f->rec.fd / 64] |= 1ull << (f->rec.fd % 64);
	if (files_check_owner(f) < 0)
		return -1;
	const struct fd_kind *k = fd_kind_of(f->rec.kind);
	if (k)
		return k->check_saved(f);
	if (f->rec.kind < CKPT_FD_REG || f->rec.kind > CKPT_FD_TTY)
		return ckpt_fail("fd %u has an unknown kind %u", f->rec.fd, f->rec.kind);
	/* Queued bytes belong to pipes and FIFOs, and fit in the pipe they came from. */
	if (f->rec.data_len && ((f->rec.kind != CKPT_FD_PIPE && f->rec.kind != CKPT_FD_FIFO) ||
				f->rec.data_len > f->rec.pipe_size))
		return ckpt_fail("fd %u holds %u queued bytes, which its kind and pipe size (%u) do not allow",
				 f->rec.fd, f->rec.data_len, f->rec.pipe_size);
	if (f->rec.kind_flags)
		return ckpt_fail("fd %u has flags its kind does not have", f->rec.fd);
	return 0;
}

static int parse_fds(struct image_notes *in, const struct note *n)
{
	struct process_image *p = in->p;
	struct table t;
	if (table_parse(n, CKPT_REC_FD_OLDEST_SIZE, MAX_FDS, &t) < 0)
		return -1;
	/* One bit per possible fd number finds duplicates in linear time. */
	uint64_t *seen_fd = xcalloc(MAX_FDS / 64, sizeof(uint64_t));
	int rc = -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct fd_image *f = ARR_PUSH(p->fds, p->nfds, p->cap_fds);
		table_rec(&t, i, &f->rec, sizeof(f->rec));
		const char *path;
		const uint8_t *data;
		if (table_str(&t, f->rec.path, &path, "fd path") < 0 ||
		    table_blob(&t, f->rec.data_off, f->rec.data_len, &data, "fd data") < 0)
			goto out;
		f->path = dup_str(path);
		if (f->rec.data_len) {
			f->data = xmalloc(f->rec.data_len);
			memcpy(f->data, data, f->rec.data_len);
		}
		if (check_fd_record(f, seen_fd) < 0)
			goto out;
	}
	rc = 0;
out:
	free(seen_fd);
	return rc;
}

static int parse_sigactions(struct image_notes *in, const struct note *n)
{
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_sigaction), 64, &t) < 0)
		return -1;
	if (t.count != 64)
		return ckpt_fail("the signal handler note has %u entries, expected 64", t.count);
	for (uint32_t i = 0; i < 64; i++)
		table_rec(&t, i, &in->p->sigactions[i], sizeof(in->p->sigactions[i]));
	return 0;
}

/* Bound to their threads by notes_finish. */
static int parse_sigqueue(struct image_notes *in, const struct note *n)
{
	return table_parse(n, sizeof(struct ckpt_rec_sigqueue), MAX_SIGQUEUE, &in->sigqueue);
}

/* Bound to the NT_PRSTATUS threads by notes_finish. */
static int parse_threads(struct image_notes *in, const struct note *n)
{
	return table_parse(n, sizeof(struct ckpt_rec_thread), MAX_THREADS, &in->threads);
}

/* Checked against the child images by the statefile reader. */
static int parse_tree(struct image_notes *in, const struct note *n)
{
	if (!in->root)
		return ckpt_fail("a child image carries a process tree note");
	return table_parse(n, sizeof(struct ckpt_rec_tree), MAX_PROCESSES, &in->tree);
}

/* The saving CPU (optional: older engines did not write it). */
static int parse_cpu(struct image_notes *in, const struct note *n)
{
	if (!in->root)
		return ckpt_fail("a child image carries a CPU note");
	struct table t;
	if (single_record(n, sizeof(struct ckpt_rec_cpu), &t, "CPU") < 0)
		return -1;
	struct ckpt_rec_cpu c;
	table_rec(&t, 0, &c, sizeof(c));
	for (int i = 0; i < 12; i++)
		if (c.vendor[i] < 0x20 || c.vendor[i] > 0x7e)
			return ckpt_fail("the CPU note's vendor is not printable");
	if (c.xsave_size > (1u << 20))
		return ckpt_fail("the CPU note's xsave area of %u bytes is larger than any CPU's", c.xsave_size);
	for (int i = 0; i < CKPT_CPU_XSAVE_PARTS; i++)
		if ((uint64_t)c.xsave_offset[i] + c.xsave_part_size[i] > c.xsave_size)
			return ckpt_fail("the CPU note lays out xsave component %d outside its xsave area", i);
	in->img->cpu = c;
	in->img->has_cpu = true;
	return 0;
}


/* Whether [a, a+alen) and [b, b+blen) share a byte. */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* One string that must end inside its region of the data area. */
static int region_str(struct table *t, uint32_t off, uint32_t room, uint32_t max_room, const char **s, const char *what)
{
	if (off == CKPT_NO_STR || room == 0 || room > max_room || (uint64_t)off + room > t->data_size)
		return ckpt_fail("the annotation's %s region lies outside its note or has a bad size (%u bytes)", what, room);
	if (!memchr(t->data + off, 0, room))
		return ckpt_fail("the annotation's %s does not end inside its region", what);
	return table_str(t, off, s, what);
}

int annotation_decode(const struct note *n, struct annotation *a)
{
	memset(a, 0, sizeof(*a));
	struct table t;
	if (single_record(n, sizeof(struct ckpt_rec_annotation), &t, "annotation") < 0)
		return -1;
	struct ckpt_rec_annotation r;
	table_rec(&t, 0, &r, sizeof(r));
	if (r.origin > CKPT_ANN_AUTOMATIC)
		return ckpt_fail("the annotation has an unknown origin %u", r.origin);
	const char *label, *note, *parent = NULL;
	if (region_str(&t, r.label, r.label_room, ANNOTATION_LABEL_ROOM_MAX, &label, "label") < 0 ||
	    region_str(&t, r.note, r.note_room, ANNOTATION_NOTE_ROOM_MAX, &note, "note") < 0)
		return -1;
	if (overlap(r.label, r.label_room, r.note, r.note_room))
		return ckpt_fail("the annotation's label and note regions overlap");
	if (r.parent != CKPT_NO_STR) {
		if (table_str(&t, r.parent, &parent, "timeline parent") < 0)
			return -1;
		/* A rewrite of the label or the note must not change the parent. */
		uint64_t len = strlen(parent) + 1;
		if (overlap(r.parent, len, r.label, r.label_room) || overlap(r.parent, len, r.note, r.note_room))
			return ckpt_fail("the annotation's timeline parent lies in its label or note region");
	}
	if (annotation_check_text("label", label, r.label_room, false) < 0 ||
	    annotation_check_text("note", note, r.note_room, true) < 0 || (parent && annotation_check_parent(parent) < 0))
		return -1;
	a->origin = r.origin;
	a->sequence = r.sequence;
	a->session = r.session;
	a->label = xstrdup(label);
	a->note = xstrdup(note);
	a->parent = dup_str(parent);
	a->label_room = r.label_room;
	a->note_room = r.note_room;
	return 0;
}

/* Validated here; statefile_read_annotated hands its contents out. */
static int parse_annotation(struct image_notes *in, const struct note *n)
{
	if (!in->root)
		return ckpt_fail("a child image carries an annotation note");
	struct annotation a;
	int rc = annotation_decode(n, &a);
	annotation_free(&a);
	return rc;
}

/* Files ckpt pack put in (optional).  Where their bytes lie is checked by the statefile
 * reader against the root image's segments. */
static int parse_embedded(struct image_notes *in, const struct note *n)
{
	if (!in->root)
		return ckpt_fail("a child image carries an embedded file note");
	struct statefile_image *img = in->img;
	struct table t;
	if (table_parse(n, sizeof(struct ckpt_rec_embedded), MAX_EMBEDDED, &t) < 0)
		return -1;
	for (uint32_t i = 0; i < t.count; i++) {
		struct embedded_file *e = ARR_PUSH(img->embedded, img->nembedded, img->cap_embedded);
		table_rec(&t, i, &e->rec, sizeof(e->rec));
		const char *path;
		if (table_str(&t, e->rec.path, &path, "embedded file path") < 0)
			return -1;
		if (!path || !path_is_normal_absolute(path))
			return ckpt_fail("embedded file %u has no normalized absolute path", i);
		e->path = xstrdup(path);
		if (e->rec.kind < CKPT_EMBED_MAPPED || e->rec.kind > CKPT_EMBED_OPEN)
			return ckpt_fail("embedded file %s is of unknown kind %u", path, e->rec.kind);
		if (e->rec.build_id_len > sizeof(e->rec.build_id))
			return ckpt_fail("embedded file %s has a bad build-id length", path);
		if (e->rec.offset % PAGE)
			return ckpt_fail("embedded file %s does not start on a page", path);
		if (e->rec.size > MAX_EMBEDDED_SIZE)
			return ckpt_fail("embedded file %s is larger than any file ckpt packs", path);
	}
	return 0;
}

/* ---- The table ------------------------------------------------------------------------ */

/* Required notes; a note without either flag is optional. */
enum {
	NOTE_REQUIRED = 1,   /* every image has it */
	NOTE_ROOT_ONLY = 2,  /* the root image has it */
};

static const struct note_parser {
	const char *owner;
	uint32_t type;
	int (*parse)(struct image_notes *in, const struct note *n);
	unsigned flags;
} note_parsers[] = {
	{"CORE", NT_PRSTATUS, parse_prstatus, 0},
	{"CORE", NT_FPREGSET, parse_fpregset, 0},
	{"LINUX", NT_X86_XSTATE, parse_xstate, 0},
	{"CORE", NT_SIGINFO, parse_siginfo, 0},
	{"CORE", NT_AUXV, parse_auxv, 0},
	/* NT_PRPSINFO and NT_FILE are for other readers: the CKPT notes hold the same, exactly. */
	{CKPT_NOTE_OWNER, CKPT_NT_HEADER, parse_header, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_PROCESS, parse_process, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_MM, parse_mm, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_VMAS, parse_vmas, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_FILES, parse_files, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_FDS, parse_fds, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_SIGACTIONS, parse_sigactions, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_SIGQUEUE, parse_sigqueue, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_THREADS, parse_threads, NOTE_REQUIRED},
	{CKPT_NOTE_OWNER, CKPT_NT_TREE, parse_tree, NOTE_ROOT_ONLY},
	{CKPT_NOTE_OWNER, CKPT_NT_CPU, parse_cpu, 0},
	{CKPT_NOTE_OWNER, CKPT_NT_PROCATTR, procattr_parse_note, 0},  /* optional: older files lack it */
	/* Kernel objects, each parsed by its own module; absent when there are none. */
	{CKPT_NOTE_OWNER, CKPT_NT_TIMERS, timers_parse_note, 0},
	{CKPT_NOTE_OWNER, CKPT_NT_LOCKS, locks_parse_note, 0},
	{CKPT_NOTE_OWNER, CKPT_NT_CTTY, tty_parse_note, 0},
	{CKPT_NOTE_OWNER, CKPT_NT_SYSVIPC, sysvipc_parse_note, 0},
	{CKPT_NOTE_OWNER, CKPT_NT_SECCOMP, seccomp_parse_note, 0},
	{CKPT_NOTE_OWNER, CKPT_NT_ANNOTATION, parse_annotation, 0},  /* optional: older files lack it */
	{CKPT_NOTE_OWNER, CKPT_NT_EMBEDDED, parse_embedded, 0},
};

void notes_begin(struct image_notes *in, struct statefile_image *img, struct process_image *p, int root)
{
	memset(in, 0, sizeof(*in));
	in->img = img;
	in->p = p;
	in->root = root;
}

int note_parse(struct image_notes *in, const struct note *n)
{
	const int ckpt = strcmp(n->name, CKPT_NOTE_OWNER) == 0;
	for (size_t i = 0; i < sizeof(note_parsers) / sizeof(note_parsers[0]); i++) {
		const struct note_parser *np = &note_parsers[i];
		if (np->type != n->type || strcmp(np->owner, n->name) != 0)
			continue;
		if (ckpt) {
			/* Each CKPT note describes the whole image once. */
			unsigned bit = 1u << (n->type - 1);
			if (in->ckpt_seen & bit)
				return ckpt_fail("CKPT note %u appears twice in one image", n->type);
			in->ckpt_seen |= bit;
		}
		return np->parse(in, n);
	}
	return 0; /* a later version's note, or one only other readers use */
}

static unsigned required_ckpt_notes(int root)
{
	unsigned need = 0;
	for (size_t i = 0; i < sizeof(note_parsers) / sizeof(note_parsers[0]); i++) {
		const struct note_parser *np = &note_parsers[i];
		if ((np->flags & NOTE_REQUIRED) || (root && (np->flags & NOTE_ROOT_ONLY)))
			need |= 1u << (np->type - 1);
	}
	return need;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The CKPT thread records follow NT_PRSTATUS order. */
static int bind_thread_records(struct image_notes *in)
{
	struct process_image *p = in->p;
	if (in->threads.count != p->nthreads || p->rec.nr_threads != p->nthreads)
		return ckpt_fail("process %u has %u thread records and %zu NT_PRSTATUS notes, but says it has %u threads",
				 p->rec.pid, in->threads.count, p->nthreads, p->rec.nr_threads);
	for (uint32_t i = 0; i < in->threads.count; i++) {
		struct thread_image *t = &p->threads[i];
		uint32_t tid = t->rec.tid;
		table_rec(&in->threads, i, &t->rec, sizeof(t->rec));
		if (t->rec.tid != tid)
			return ckpt_fail("thread record %u is for tid %u, but its NT_PRSTATUS is for %u", i, t->rec.tid, tid);
		const char *comm;
		if (table_str(&in->threads, t->rec.comm, &comm, "thread name") < 0)
			return -1;
		snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "");
		if (t->rec.tid == 0 || t->rec.tid > PID_LIMIT)
			return ckpt_fail("thread id %u is out of range", t->rec.tid);
	}
	return 0;
}

/* tids: sorted (tid, index) pairs of the image's threads. */
static int bind_pending_signals(struct image_notes *in, uint32_t (*tids)[2])
{
	struct process_image *p = in->p;
	for (uint32_t i = 0; i < in->sigqueue.count; i++) {
		struct ckpt_rec_sigqueue q;
		table_rec(&in->sigqueue, i, &q, sizeof(q));
		int sig;
		memcpy(&sig, q.siginfo, sizeof(sig));
		if (sig < 1 || sig > 64)
			return ckpt_fail("a pending signal has number %d", sig);
		if (q.tid == 0) {
			*ARR_PUSH(p->shared_pending, p->nshared_pending, p->cap_shared_pending) = q;
			continue;
		}
		uint32_t key[2] = {q.tid, 0};
		uint32_t (*hit)[2] = bsearch(key, tids, p->nthreads, sizeof(*tids), cmp_u32);
		if (!hit)
			return ckpt_fail("a pending signal is for unknown thread %u", q.tid);
		struct thread_image *t = &p->threads[(*hit)[1]];
		*ARR_PUSH(t->pending, t->npending, t->cap_pending) = q;
	}
	return 0;
}

int notes_finish(struct image_notes *in)
{
	struct process_image *p = in->p;
	unsigned need = required_ckpt_notes(in->root);
	if ((in->ckpt_seen & need) != need)
		return ckpt_fail(in->ckpt_seen ? "the statefile lacks CKPT notes (0x%x of 0x%x): truncated or not made by ckpt"
					       : "not a ckpt statefile: a core file without CKPT notes (0x%x of 0x%x)",
				 in->ckpt_seen, need);
	if (p->nthreads == 0)
		return ckpt_fail("the process image has no threads");
	if (bind_thread_records(in) < 0)
		return -1;
	/* Sorted (tid, index) pairs: duplicates sit side by side, and pending signals find their
	 * thread by binary search, in n log n for the most threads a file may hold. */
	uint32_t (*tids)[2] = xmalloc(p->nthreads * sizeof(*tids));
	for (size_t i = 0; i < p->nthreads; i++) {
		tids[i][0] = p->threads[i].rec.tid;
		tids[i][1] = (uint32_t)i;
	}
	qsort(tids, p->nthreads, sizeof(*tids), cmp_u32);
	int rc = -1;
	for (size_t i = 1; i < p->nthreads; i++)
		if (tids[i][0] == tids[i - 1][0]) {
			ckpt_fail("thread %u appears twice", tids[i][0]);
			goto out;
		}
	if (p->rec.pid == 0 || p->rec.pid > PID_LIMIT || p->rec.ppid > PID_LIMIT || p->rec.pgid > PID_LIMIT ||
	    p->rec.sid > PID_LIMIT) {
		ckpt_fail("process %u has a pid, parent, group or session out of range", p->rec.pid);
		goto out;
	}
	rc = bind_pending_signals(in, tids);
	/* What the kernel objects' notes say of the process's threads and fds. */
	if (rc == 0 && (timers_check_image(p) < 0 || locks_check_image(p) < 0 || seccomp_check_image(p) < 0))
		rc = -1;
out:
	free(tids);
	return rc;
}
