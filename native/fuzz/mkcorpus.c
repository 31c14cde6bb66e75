/*
 * Makes fuzz seeds and the malformed-statefile corpus from real statefiles.
 *
 *   mkcorpus seed IN OUT
 *       OUT is IN without its memory: every PT_LOAD keeps its address range but stores no
 *       bytes (store kind NONE), so the file is only headers and notes.  It is still a valid
 *       statefile for the reader, and small enough to fuzz.
 *   mkcorpus malformed TREE THREADS OUTDIR [OBJECTS]
 *       TREE is a statefile of a parent and a child joined by a pipe and sockets, THREADS one of a
 *       single process with several threads, OBJECTS one of a process with kernel objects of
 *       every kind (timers, locks, a zombie, SysV IPC, seccomp).  Writes OUTDIR/CATEGORY--CASE.ckpt, each of which
 *       the reader must reject, and prints "CATEGORY COUNT" lines.  The categories are the
 *       table malformed_categories; most cases inside them are tables of one field and value.
 *   mkcorpus semantic TREE OUTDIR
 *       Writes OUTDIR/semantic--CASE.ckpt: files the reader accepts but restart must refuse.
 *   mkcorpus packed THREADS OUT
 *       OUT is the memory-less THREADS with two embedded files, as ckpt pack lays them out:
 *       valid, and the seed of the corpus's "embedded" category.
 *
 * This program parses statefiles on its own (ELF headers, notes, CKPT tables from format.h),
 * so that a bug in the engine's reader cannot hide in the corpus built to test it.
 */
#define _GNU_SOURCE
#include "format.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define ALIGN4(x) (((x) + 3) & ~(size_t)3)
#define ALIGNP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mkcorpus: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- growable bytes ------------------------------------------------------------------- */

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

static void b_reserve(struct bytes *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->n + more)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (!b->p)
		die("out of memory");
	memset(b->p + b->cap, 0, cap - b->cap);
	b->cap = cap;
}

static size_t b_put(struct bytes *b, const void *p, size_t n)
{
	size_t at = b->n;
	if (n == 0)
		return at;
	b_reserve(b, n);
	if (p)
		memcpy(b->p + at, p, n);
	else
		memset(b->p + at, 0, n);
	b->n += n;
	return at;
}

static void b_pad(struct bytes *b, size_t align)
{
	while (b->n % align)
		b_put(b, "", 1);
}

/* ---- a statefile in memory, parsed in place -------------------------------------------- */

struct file {
	uint8_t *d;
	size_t n;
};

struct noteref {
	size_t hdr;   /* absolute offset of the note header */
	size_t desc;  /* absolute offset of the descriptor */
	uint32_t namesz, descsz, type;
	char name[8];
};

struct image {
	size_t base;
	Elf64_Ehdr eh;
	size_t nph;
	size_t note_ph;  /* index of PT_NOTE */
	size_t notes, notes_len; /* absolute */
	struct noteref *nt;
	size_t nnt;
};

static struct file load(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open %s: %s", path, strerror(errno));
	struct file f = {xalloc((size_t)st.st_size), (size_t)st.st_size};
	for (size_t got = 0; got < f.n;) {
		ssize_t r = pread(fd, f.d + got, f.n - got, (off_t)got);
		if (r <= 0)
			die("cannot read %s", path);
		got += (size_t)r;
	}
	close(fd);
	return f;
}

static struct file fcopy(const struct file *f)
{
	struct file c = {xalloc(f->n), f->n};
	memcpy(c.d, f->d, f->n);
	return c;
}

static uint32_t g32(const struct file *f, size_t off)
{
	uint32_t v;
	memcpy(&v, f->d + off, 4);
	return v;
}
static uint64_t g64(const struct file *f, size_t off)
{
	uint64_t v;
	memcpy(&v, f->d + off, 8);
	return v;
}
static void s16(struct file *f, size_t off, uint16_t v) { memcpy(f->d + off, &v, 2); }
static void s32(struct file *f, size_t off, uint32_t v) { memcpy(f->d + off, &v, 4); }
static void s64(struct file *f, size_t off, uint64_t v) { memcpy(f->d + off, &v, 8); }

static size_t ph_off(const struct image *im, size_t i)
{
	return im->base + im->eh.e_phoff + i * sizeof(Elf64_Phdr);
}
#define PH_FIELD(im, i, field) (ph_off(im, i) + offsetof(Elf64_Phdr, field))
#define EH_FIELD(im, field) ((im)->base + offsetof(Elf64_Ehdr, field))

static Elf64_Phdr get_ph(const struct file *f, const struct image *im, size_t i)
{
	Elf64_Phdr ph;
	memcpy(&ph, f->d + ph_off(im, i), sizeof(ph));
	return ph;
}

static struct image parse(const struct file *f, size_t base)
{
	struct image im = {.base = base};
	if (base + sizeof(im.eh) > f->n)
		die("no ELF header at %zu", base);
	memcpy(&im.eh, f->d + base, sizeof(im.eh));
	if (memcmp(im.eh.e_ident, ELFMAG, SELFMAG) || im.eh.e_type != ET_CORE)
		die("not a core image at %zu", base);
	im.nph = im.eh.e_phnum;
	if (im.nph == PN_XNUM)
		die("extended numbering in a seed is not supported");
	int have_note = 0;
	for (size_t i = 0; i < im.nph; i++) {
		Elf64_Phdr ph = get_ph(f, &im, i);
		if (ph.p_type == PT_NOTE) {
			im.note_ph = i;
			im.notes = base + ph.p_offset;
			im.notes_len = ph.p_filesz;
			have_note = 1;
		}
	}
	if (!have_note)
		die("no PT_NOTE at %zu", base);
	size_t cap = 0;
	for (size_t pos = 0; pos + 12 <= im.notes_len;) {
		struct noteref r = {.hdr = im.notes + pos};
		r.namesz = g32(f, r.hdr);
		r.descsz = g32(f, r.hdr + 4);
		r.type = g32(f, r.hdr + 8);
		memcpy(r.name, f->d + r.hdr + 12, r.namesz < sizeof(r.name) ? r.namesz : sizeof(r.name) - 1);
		r.desc = r.hdr + 12 + ALIGN4(r.namesz);
		if (im.nnt == cap) {
			cap = cap ? cap * 2 : 64;
			im.nt = realloc(im.nt, cap * sizeof(*im.nt));
		}
		im.nt[im.nnt++] = r;
		pos += 12 + ALIGN4(r.namesz) + ALIGN4(r.descsz);
	}
	return im;
}

/* The nth note with this owner and type. */
static const struct noteref *note(const struct image *im, const char *owner, uint32_t type, int nth)
{
	for (size_t i = 0; i < im->nnt; i++)
		if (strcmp(im->nt[i].name, owner) == 0 && im->nt[i].type == type && nth-- == 0)
			return &im->nt[i];
	return NULL;
}

static const struct noteref *ckpt(const struct image *im, uint32_t type)
{
	const struct noteref *n = note(im, CKPT_NOTE_OWNER, type, 0);
	if (!n)
		die("seed lacks CKPT note %u", type);
	return n;
}

/* CKPT table fields. */
#define T_REC_SIZE 0
#define T_COUNT 4
#define T_DATA_OFF 8
#define T_DATA_SIZE 12
static uint32_t t_rec_size(const struct file *f, const struct noteref *n) { return g32(f, n->desc + T_REC_SIZE); }
static uint32_t t_count(const struct file *f, const struct noteref *n) { return g32(f, n->desc + T_COUNT); }
static size_t t_data(const struct file *f, const struct noteref *n) { return n->desc + g32(f, n->desc + T_DATA_OFF); }
static uint32_t t_data_size(const struct file *f, const struct noteref *n) { return g32(f, n->desc + T_DATA_SIZE); }
static size_t t_rec(const struct file *f, const struct noteref *n, uint32_t i)
{
	return n->desc + 16 + (size_t)i * t_rec_size(f, n);
}

/* Child image i (1-based) of the tree. */
static size_t tree_rec(const struct file *f, const struct image *root, uint32_t i)
{
	return t_rec(f, ckpt(root, CKPT_NT_TREE), i);
}

/* ---- output ---------------------------------------------------------------------------- */

static const char *outdir;
struct cat {
	char name[32];
	int n;
};
static struct cat cats[64];
static int ncats;

/* Writes f sparsely (all-zero pages become holes), so the corpus takes little disk. */
static void write_sparse(const char *path, const struct file *f)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("cannot create %s: %s", path, strerror(errno));
	static const uint8_t zero[PAGE];
	for (size_t off = 0; off < f->n; off += PAGE) {
		size_t len = f->n - off < PAGE ? f->n - off : PAGE;
		if (memcmp(f->d + off, zero, len) == 0)
			continue;
		if (pwrite(fd, f->d + off, len, (off_t)off) != (ssize_t)len)
			die("cannot write %s", path);
	}
	if (ftruncate(fd, (off_t)f->n) < 0 || close(fd) < 0)
		die("cannot finish %s", path);
}

static void emit(const char *cat, const struct file *f, const char *fmt, ...)
{
	char name[128], path[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s--%s.ckpt", outdir, cat, name);
	write_sparse(path, f);
	int i;
	for (i = 0; i < ncats && strcmp(cats[i].name, cat); i++)
		;
	if (i == ncats) {
		if (ncats == (int)(sizeof(cats) / sizeof(cats[0])))
			die("too many categories");
		snprintf(cats[ncats++].name, sizeof(cats[0].name), "%s", cat);
	}
	cats[i].n++;
}

/* Emits a copy of seed with one 32- or 64-bit field set. */
static void emit32(const char *cat, const struct file *seed, size_t off, uint32_t v, const char *fmt, ...)
{
	struct file c = fcopy(seed);
	s32(&c, off, v);
	char name[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	emit(cat, &c, "%s", name);
	free(c.d);
}

/* Emits a copy of seed with the same 32-bit value in two fields that must agree (a process's
 * tree record and its own process record). */
static void emit32_both(const char *cat, const struct file *seed, size_t off1, size_t off2, uint32_t v, const char *name)
{
	struct file c = fcopy(seed);
	s32(&c, off1, v);
	s32(&c, off2, v);
	emit(cat, &c, "%s", name);
	free(c.d);
}

static void emit64(const char *cat, const struct file *seed, size_t off, uint64_t v, const char *fmt, ...)
{
	struct file c = fcopy(seed);
	s64(&c, off, v);
	char name[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	emit(cat, &c, "%s", name);
	free(c.d);
}

/* ---- rebuilding a statefile without memory ---------------------------------------------- */

struct mnote {
	char name[8];
	uint32_t type;
	struct bytes desc;
};

struct mimage {
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	size_t nph;
	struct mnote *nt;
	size_t nnt;
};

static struct mimage model(const struct file *f, const struct image *im)
{
	struct mimage m = {.eh = im->eh, .nph = im->nph};
	m.ph = xalloc(m.nph * sizeof(*m.ph));
	for (size_t i = 0; i < m.nph; i++)
		m.ph[i] = get_ph(f, im, i);
	m.nt = xalloc(im->nnt * sizeof(*m.nt));
	m.nnt = im->nnt;
	for (size_t i = 0; i < im->nnt; i++) {
		memcpy(m.nt[i].name, im->nt[i].name, sizeof(m.nt[i].name));
		m.nt[i].type = im->nt[i].type;
		b_put(&m.nt[i].desc, f->d + im->nt[i].desc, im->nt[i].descsz);
	}
	return m;
}

static void mfree(struct mimage *m)
{
	for (size_t i = 0; i < m->nnt; i++)
		free(m->nt[i].desc.p);
	free(m->nt);
	free(m->ph);
}

static struct mnote *mnote(struct mimage *m, const char *owner, uint32_t type)
{
	for (size_t i = 0; i < m->nnt; i++)
		if (strcmp(m->nt[i].name, owner) == 0 && m->nt[i].type == type)
			return &m->nt[i];
	die("model lacks note %s/%u", owner, type);
	return NULL;
}

static struct mnote *madd(struct mimage *m, size_t at, const char *owner, uint32_t type)
{
	m->nt = realloc(m->nt, (m->nnt + 1) * sizeof(*m->nt));
	memmove(&m->nt[at + 1], &m->nt[at], (m->nnt - at) * sizeof(*m->nt));
	m->nnt++;
	struct mnote *n = &m->nt[at];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", owner);
	n->type = type;
	return n;
}

/* A CKPT table decoded from a model note. */
struct mtable {
	uint32_t rec_size, count;
	struct bytes recs, data;
};

static struct mtable tdecode(const struct mnote *n)
{
	struct mtable t = {0};
	uint32_t h[4];
	memcpy(h, n->desc.p, 16);
	t.rec_size = h[0];
	t.count = h[1];
	b_put(&t.recs, n->desc.p + 16, (size_t)h[0] * h[1]);
	b_put(&t.data, n->desc.p + h[2], h[3]);
	return t;
}

static void tencode(struct mtable *t, struct mnote *n)
{
	uint32_t h[4] = {t->rec_size, t->count, (uint32_t)(16 + t->recs.n), (uint32_t)t->data.n};
	n->desc.n = 0;
	b_put(&n->desc, h, 16);
	b_put(&n->desc, t->recs.p, t->recs.n);
	b_put(&n->desc, t->data.p, t->data.n);
	free(t->recs.p);
	free(t->data.p);
}

static uint8_t *trec(struct mtable *t, uint32_t i)
{
	return t->recs.p + (size_t)i * t->rec_size;
}

static void tadd(struct mtable *t, const void *rec)
{
	b_put(&t->recs, rec, t->rec_size);
	t->count++;
}

static uint32_t tstr(struct mtable *t, const char *s)
{
	return (uint32_t)b_put(&t->data, s, strlen(s) + 1);
}

/* Serializes model images (root first) as a statefile whose PT_LOADs store no bytes. */
static struct file serialize(struct mimage *ms, size_t n)
{
	/* Image sizes first: the tree note's length does not depend on them. */
	uint64_t *size = xalloc(n * sizeof(*size)), *off = xalloc(n * sizeof(*off));
	for (size_t i = 0; i < n; i++) {
		struct mimage *m = &ms[i];
		/* Memory is dropped: store kind NONE for every mapping. */
		struct mnote *vn = mnote(m, CKPT_NOTE_OWNER, CKPT_NT_VMAS);
		struct mtable vt = tdecode(vn);
		size_t load = 0;
		for (uint32_t k = 0; k < vt.count; k++) {
			struct ckpt_rec_vma v;
			memcpy(&v, trec(&vt, k), sizeof(v));
			v.store = CKPT_STORE_NONE;
			v.stored_bytes = 0;
			/* Memory that only the statefile held (anonymous, or of a deleted file) becomes
			 * an inaccessible reservation, which needs no contents. */
			int no_file = v.file == CKPT_NO_INDEX || (v.flags & CKPT_VMA_DELETED);
			int special = v.flags & (CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL);
			if (no_file && !special) {
				v.prot = 0;
				while (load < m->nph && m->ph[load].p_type != PT_LOAD)
					load++;
				if (load < m->nph)
					m->ph[load].p_flags = 0;
			}
			load++;
			memcpy(trec(&vt, k), &v, sizeof(v));
		}
		tencode(&vt, vn);
		/* A SysV segment whose bytes were in those mappings keeps zeros of its own instead. */
		for (size_t k = 0; k < m->nnt; k++) {
			if (strcmp(m->nt[k].name, CKPT_NOTE_OWNER) || m->nt[k].type != CKPT_NT_SYSVIPC)
				continue;
			struct mtable it = tdecode(&m->nt[k]);
			for (uint32_t r = 0; r < it.count; r++) {
				struct ckpt_rec_ipc o;
				memcpy(&o, trec(&it, r), sizeof(o));
				if (!(o.flags & CKPT_IPC_MAPPED) || o.size > (1u << 20))
					continue;
				o.flags &= ~CKPT_IPC_MAPPED;
				o.data_off = (uint32_t)b_put(&it.data, NULL, o.size);
				o.data_len = (uint32_t)o.size;
				memcpy(trec(&it, r), &o, sizeof(o));
			}
			tencode(&it, &m->nt[k]);
		}
		uint64_t hdr = sizeof(Elf64_Ehdr) + m->nph * sizeof(Elf64_Phdr) + (m->nph >= PN_XNUM ? sizeof(Elf64_Shdr) : 0);
		for (size_t k = 0; k < m->nnt; k++)
			hdr += 12 + ALIGN4(strlen(m->nt[k].name) + 1) + ALIGN4(m->nt[k].desc.n);
		size[i] = ALIGNP(hdr);
		off[i] = i ? off[i - 1] + size[i - 1] : 0;
	}
	struct mnote *tn = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_TREE);
	struct mtable tt = tdecode(tn);
	/* Zombies have no image: the images are the other records, in order. */
	for (uint32_t k = 0, im = 0; k < tt.count && im < n; k++) {
		struct ckpt_rec_tree r;
		memcpy(&r, trec(&tt, k), sizeof(r));
		if (r.flags & CKPT_TREE_ZOMBIE)
			continue;
		r.image_offset = off[im];
		r.image_size = size[im];
		im++;
		memcpy(trec(&tt, k), &r, sizeof(r));
	}
	tencode(&tt, tn);

	struct bytes out = {0};
	for (size_t i = 0; i < n; i++) {
		struct mimage *m = &ms[i];
		struct bytes notes = {0};
		for (size_t k = 0; k < m->nnt; k++) {
			uint32_t h[3] = {(uint32_t)strlen(m->nt[k].name) + 1, (uint32_t)m->nt[k].desc.n, m->nt[k].type};
			b_put(&notes, h, 12);
			b_put(&notes, m->nt[k].name, h[0]);
			b_pad(&notes, 4);
			b_put(&notes, m->nt[k].desc.p, m->nt[k].desc.n);
			b_pad(&notes, 4);
		}
		Elf64_Ehdr eh = m->eh;
		int xnum = m->nph >= PN_XNUM;
		eh.e_phoff = sizeof(eh);
		eh.e_phnum = xnum ? PN_XNUM : (uint16_t)m->nph;
		uint64_t notes_off = sizeof(eh) + m->nph * sizeof(Elf64_Phdr);
		eh.e_shoff = 0;
		eh.e_shnum = 0;
		if (xnum) {
			eh.e_shoff = notes_off;
			eh.e_shentsize = sizeof(Elf64_Shdr);
			eh.e_shnum = 1;
			notes_off += sizeof(Elf64_Shdr);
		}
		b_put(&out, &eh, sizeof(eh));
		for (size_t k = 0; k < m->nph; k++) {
			Elf64_Phdr ph = m->ph[k];
			if (ph.p_type == PT_NOTE) {
				ph.p_offset = notes_off;
				ph.p_filesz = notes.n;
			} else if (ph.p_type == PT_LOAD) {
				ph.p_offset = 0;
				ph.p_filesz = 0;
			}
			b_put(&out, &ph, sizeof(ph));
		}
		if (xnum) {
			Elf64_Shdr sh = {.sh_info = (uint32_t)m->nph};
			b_put(&out, &sh, sizeof(sh));
		}
		b_put(&out, notes.p, notes.n);
		b_pad(&out, PAGE);
		free(notes.p);
		if (out.n != off[i] + size[i])
			die("internal: image %zu laid out at %zu, expected %llu", i, out.n,
			    (unsigned long long)(off[i] + size[i]));
	}
	free(size);
	free(off);
	return (struct file){out.p, out.n};
}

/* Models every image of a statefile. */
static struct mimage *model_all(const struct file *f, size_t *n)
{
	struct image root = parse(f, 0);
	const struct noteref *tn = ckpt(&root, CKPT_NT_TREE);
	uint32_t count = t_count(f, tn), nimages = 1;
	struct mimage *ms = xalloc(count * sizeof(*ms));
	ms[0] = model(f, &root);
	for (uint32_t i = 1; i < count; i++) {
		if (g32(f, tree_rec(f, &root, i) + offsetof(struct ckpt_rec_tree, flags)) & CKPT_TREE_ZOMBIE)
			continue; /* no image */
		struct image im = parse(f, g64(f, tree_rec(f, &root, i) + offsetof(struct ckpt_rec_tree, image_offset)));
		ms[nimages++] = model(f, &im);
		free(im.nt);
	}
	free(root.nt);
	*n = nimages;
	return ms;
}

static void emit_model(const char *cat, struct mimage *ms, size_t n, const char *name)
{
	struct file f = serialize(ms, n);
	emit(cat, &f, "%s", name);
	free(f.d);
}

/* ---- the corpus ---------------------------------------------------------------------------- */

/* The real statefiles the cases are made from. */
struct seeds {
	const struct file *tree;     /* a parent and a child joined by a pipe, with sockets */
	const struct file *threads;  /* one process with several threads */
	const struct file *objects;  /* a process with kernel objects of every kind; may be NULL */
};

/* One field of a seed set to a value the reader must refuse: the value itself, the seed's own
 * value plus a delta, or the seed file's size minus a delta. */
enum field_value { SET, PLUS, FILE_SIZE_MINUS };
struct field_case {
	const char *name;
	size_t field;      /* offset in the record or header */
	int width;         /* 2, 4 or 8 bytes */
	enum field_value how;
	uint64_t value;
};

static void emit_field_case(const char *C, const struct file *seed, size_t base, const struct field_case *fc)
{
	size_t at = base + fc->field;
	uint64_t old = fc->width == 8 ? g64(seed, at) : fc->width == 4 ? g32(seed, at)
		     : fc->width == 2 ? (uint64_t)(seed->d[at] | seed->d[at + 1] << 8) : seed->d[at];
	uint64_t v = fc->how == SET ? fc->value : fc->how == PLUS ? old + fc->value : seed->n - fc->value;
	struct file c = fcopy(seed);
	if (fc->width == 8)
		s64(&c, at, v);
	else if (fc->width == 4)
		s32(&c, at, (uint32_t)v);
	else if (fc->width == 2)
		s16(&c, at, (uint16_t)v);
	else
		c.d[at] = (uint8_t)v;
	emit(C, &c, "%s", fc->name);
	free(c.d);
}

#define FIELD(type, f) offsetof(type, f), (int)sizeof(((type *)0)->f)
#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

static void emit_field_cases(const char *C, const struct file *seed, size_t base, const struct field_case *fc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		emit_field_case(C, seed, base, &fc[i]);
}

static void gen_truncated(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image root = parse(tree, 0);
	uint64_t child = g64(tree, tree_rec(tree, &root, 1) + offsetof(struct ckpt_rec_tree, image_offset));
	struct image ch = parse(tree, child);
	Elf64_Phdr first_load = {0};
	for (size_t i = 0; i < root.nph; i++) {
		Elf64_Phdr ph = get_ph(tree, &root, i);
		if (ph.p_type == PT_LOAD && ph.p_filesz) {
			first_load = ph;
			break;
		}
	}
	struct {
		const char *what;
		size_t at;
	} cuts[] = {
		{"ehdr-1", 1},
		{"ehdr-4", 4},
		{"ehdr-16", 16},
		{"ehdr-63", 63},
		{"phdrs-first", sizeof(Elf64_Ehdr) + 10},
		{"phdrs-middle", sizeof(Elf64_Ehdr) + root.nph / 2 * sizeof(Elf64_Phdr) + 7},
		{"phdrs-last", sizeof(Elf64_Ehdr) + root.nph * sizeof(Elf64_Phdr) - 1},
		{"notes-start", root.notes},
		{"notes-header", root.notes + 6},
		{"notes-quarter", root.notes + root.notes_len / 4},
		{"notes-half", root.notes + root.notes_len / 2},
		{"notes-ckpt", ckpt(&root, CKPT_NT_HEADER)->desc + 8},
		{"notes-tree", ckpt(&root, CKPT_NT_TREE)->desc + 20},
		{"notes-last-byte", root.notes + root.notes_len - 1},
		{"data-start", first_load.p_offset},
		{"data-inside", first_load.p_offset + 100},
		{"root-end-1", child - 1},
		{"child-start", child},
		{"child-ehdr", child + 40},
		{"child-phdrs", child + sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr) + 1},
		{"child-notes", ch.notes + ch.notes_len / 2},
		{"child-data", ALIGNP(ch.notes + ch.notes_len) + 4096},
		{"last-byte", tree->n - 1},
	};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		if (cuts[i].at >= tree->n)
			die("cut %s beyond the seed", cuts[i].what);
		struct file c = {tree->d, cuts[i].at};
		emit(C, &c, "%s", cuts[i].what);
	}
	/* Every 1/40 of the note segment, where each cut lands in a different note. */
	for (int k = 1; k < 40; k++) {
		struct file c = {tree->d, root.notes + root.notes_len * (size_t)k / 40};
		emit(C, &c, "notes-%02d-of-40", k);
	}
	free(root.nt);
	free(ch.nt);
}

static void gen_elf_header(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	static const struct field_case cases[] = {
		{"bad-magic", 0, 4, SET, 0x464c457e},
		{"class-32", EI_CLASS, 1, SET, ELFCLASS32},
		{"class-none", EI_CLASS, 1, SET, ELFCLASSNONE},
		{"big-endian", EI_DATA, 1, SET, ELFDATA2MSB},
		{"type-exec", FIELD(Elf64_Ehdr, e_type), SET, ET_EXEC},
		{"type-dyn", FIELD(Elf64_Ehdr, e_type), SET, ET_DYN},
		{"type-ffff", FIELD(Elf64_Ehdr, e_type), SET, 0xffff},
		{"machine-386", FIELD(Elf64_Ehdr, e_machine), SET, EM_386},
		{"machine-aarch64", FIELD(Elf64_Ehdr, e_machine), SET, EM_AARCH64},
		{"phentsize-32", FIELD(Elf64_Ehdr, e_phentsize), SET, 32},
		{"phentsize-0", FIELD(Elf64_Ehdr, e_phentsize), SET, 0},
		{"phnum-0", FIELD(Elf64_Ehdr, e_phnum), SET, 0},
		{"phnum-fffe", FIELD(Elf64_Ehdr, e_phnum), SET, 0xfffe},
		{"phnum-xnum-no-section-header", FIELD(Elf64_Ehdr, e_phnum), SET, PN_XNUM},
		{"phnum-plus-1", FIELD(Elf64_Ehdr, e_phnum), PLUS, 1},
		{"phnum-minus-1", FIELD(Elf64_Ehdr, e_phnum), PLUS, (uint64_t)-1},
		{"phoff-at-eof", FIELD(Elf64_Ehdr, e_phoff), FILE_SIZE_MINUS, 0},
		{"phoff-near-eof", FIELD(Elf64_Ehdr, e_phoff), FILE_SIZE_MINUS, 100},
		{"phoff-negative", FIELD(Elf64_Ehdr, e_phoff), SET, UINT64_MAX - 8},
		{"phoff-2-63", FIELD(Elf64_Ehdr, e_phoff), SET, 1ull << 63},
		{"phoff-unaligned", FIELD(Elf64_Ehdr, e_phoff), SET, sizeof(Elf64_Ehdr) + 1},
		{"phoff-zero", FIELD(Elf64_Ehdr, e_phoff), SET, 0},
	};
	struct image r = parse(tree, 0);
	emit_field_cases(C, tree, r.base, cases, N_CASES(cases));
	/* Extended numbering with a section header whose count is huge, or past EOF. */
	struct file c = fcopy(tree);
	s16(&c, EH_FIELD(&r, e_phnum), PN_XNUM);
	s64(&c, EH_FIELD(&r, e_shoff), ALIGNP(r.notes + r.notes_len) - sizeof(Elf64_Shdr));
	{
		size_t sh = ALIGNP(r.notes + r.notes_len) - sizeof(Elf64_Shdr);
		struct file d = fcopy(&c);
		memset(d.d + sh, 0, sizeof(Elf64_Shdr));
		s32(&d, sh + offsetof(Elf64_Shdr, sh_info), 0xffffffff);
		emit(C, &d, "phnum-xnum-count-ffffffff");
		s32(&d, sh + offsetof(Elf64_Shdr, sh_info), (uint32_t)r.nph + 1);
		emit(C, &d, "phnum-xnum-count-plus-1");
		s32(&d, sh + offsetof(Elf64_Shdr, sh_info), 1u << 20);
		emit(C, &d, "phnum-xnum-count-1M");
		free(d.d);
	}
	s64(&c, EH_FIELD(&r, e_shoff), tree->n - 8);
	emit(C, &c, "phnum-xnum-shoff-past-eof");
	s64(&c, EH_FIELD(&r, e_shoff), UINT64_MAX - 16);
	emit(C, &c, "phnum-xnum-shoff-negative");
	free(c.d);
	free(r.nt);
}

static void gen_program_headers(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	/* The note segment's program header. */
	static const struct field_case note_cases[] = {
		{"note-offset-at-eof", FIELD(Elf64_Phdr, p_offset), FILE_SIZE_MINUS, 0},
		{"note-offset-negative", FIELD(Elf64_Phdr, p_offset), SET, UINT64_MAX - 3},
		{"note-size-file-size", FIELD(Elf64_Phdr, p_filesz), FILE_SIZE_MINUS, 0},
		{"note-size-max", FIELD(Elf64_Phdr, p_filesz), SET, UINT64_MAX},
		{"note-size-200M", FIELD(Elf64_Phdr, p_filesz), SET, 200ull << 20},
		{"note-size-zero", FIELD(Elf64_Phdr, p_filesz), SET, 0},
		{"note-size-cut", FIELD(Elf64_Phdr, p_filesz), PLUS, (uint64_t)-5},
		{"note-offset-shifted", FIELD(Elf64_Phdr, p_offset), PLUS, 2},
		{"no-note-segment", FIELD(Elf64_Phdr, p_type), SET, PT_NULL},
		{"note-segment-made-load", FIELD(Elf64_Phdr, p_type), SET, PT_LOAD},
	};
	/* A load with at least two pages of data. */
	static const struct field_case load_cases[] = {
		{"second-note-segment", FIELD(Elf64_Phdr, p_type), SET, PT_NOTE},
		{"load-dropped", FIELD(Elf64_Phdr, p_type), SET, PT_NULL},
		{"load-offset-unaligned", FIELD(Elf64_Phdr, p_offset), PLUS, 1},
		{"load-offset-negative", FIELD(Elf64_Phdr, p_offset), SET, UINT64_MAX & ~(uint64_t)(PAGE - 1)},
		{"load-offset-into-headers", FIELD(Elf64_Phdr, p_offset), SET, 0},
		{"load-data-past-eof", FIELD(Elf64_Phdr, p_offset), FILE_SIZE_MINUS, PAGE},
		{"load-filesz-short", FIELD(Elf64_Phdr, p_filesz), PLUS, 0 - (uint64_t)PAGE},
		{"load-filesz-max", FIELD(Elf64_Phdr, p_filesz), SET, UINT64_MAX},
		{"load-vaddr-unaligned", FIELD(Elf64_Phdr, p_vaddr), PLUS, 1},
		{"load-vaddr-kernel", FIELD(Elf64_Phdr, p_vaddr), SET, 0xffff800000000000ull},
		{"load-memsz-zero", FIELD(Elf64_Phdr, p_memsz), SET, 0},
		{"load-memsz-wraps", FIELD(Elf64_Phdr, p_memsz), SET, UINT64_MAX & ~(uint64_t)(PAGE - 1)},
		{"load-memsz-unaligned", FIELD(Elf64_Phdr, p_memsz), PLUS, 1},
	};
	struct image r = parse(tree, 0);
	emit_field_cases(C, tree, ph_off(&r, r.note_ph), note_cases, N_CASES(note_cases));
	/* Loads: find a few with data and a few without. */
	/* L: a load with at least two pages of data; L2: another load with data. */
	size_t loads[512], nl = 0, with_data = SIZE_MAX, second_data = SIZE_MAX;
	for (size_t i = 0; i < r.nph && nl < 512; i++) {
		Elf64_Phdr ph = get_ph(tree, &r, i);
		if (ph.p_type != PT_LOAD)
			continue;
		loads[nl++] = i;
		if (ph.p_filesz >= 2 * PAGE && with_data == SIZE_MAX)
			with_data = i;
	}
	for (size_t k = 0; k < nl; k++)
		if (loads[k] != with_data && get_ph(tree, &r, loads[k]).p_filesz && second_data == SIZE_MAX)
			second_data = loads[k];
	if (nl < 3 || with_data == SIZE_MAX || second_data == SIZE_MAX)
		die("seed has too few loads");
	size_t L = with_data, L2 = second_data;
	Elf64_Phdr pl = get_ph(tree, &r, L), pl2 = get_ph(tree, &r, L2);
	emit_field_cases(C, tree, ph_off(&r, L), load_cases, N_CASES(load_cases));
	/* Values that depend on the file or on another load. */
	emit64(C, tree, PH_FIELD(&r, L, p_offset), ALIGNP(tree->n), "load-offset-past-eof");
	emit64(C, tree, PH_FIELD(&r, L, p_offset), r.notes & ~(uint64_t)(PAGE - 1), "load-offset-into-notes");
	emit64(C, tree, PH_FIELD(&r, L2, p_offset), pl.p_offset, "load-file-ranges-same");
	emit64(C, tree, PH_FIELD(&r, L2, p_offset), pl.p_offset + PAGE, "load-file-ranges-overlap");
	emit64(C, tree, PH_FIELD(&r, L, p_filesz), pl.p_memsz + PAGE, "load-filesz-gt-memsz");
	/* Overlapping address ranges that agree with their mapping records, so only the overlap
	 * check can catch them: move load L2 onto L, in the phdr and in the record. */
	{
		const struct noteref *vn = ckpt(&r, CKPT_NT_VMAS);
		size_t i2 = 0, i1 = 0;
		for (size_t k = 0; k < nl; k++) {
			if (loads[k] == L)
				i1 = k;
			if (loads[k] == L2)
				i2 = k;
		}
		struct file c = fcopy(tree);
		uint64_t start = pl.p_vaddr, end = pl.p_vaddr + pl2.p_memsz;
		s64(&c, PH_FIELD(&r, L2, p_vaddr), start);
		s64(&c, t_rec(&c, vn, (uint32_t)i2) + offsetof(struct ckpt_rec_vma, start), start);
		s64(&c, t_rec(&c, vn, (uint32_t)i2) + offsetof(struct ckpt_rec_vma, end), end);
		emit(C, &c, "load-addresses-same");
		free(c.d);
		/* Overlap by one page: L2 starts one page before L1 ends. */
		c = fcopy(tree);
		start = pl.p_vaddr + pl.p_memsz - PAGE;
		end = start + pl2.p_memsz;
		s64(&c, PH_FIELD(&r, L2, p_vaddr), start);
		s64(&c, t_rec(&c, vn, (uint32_t)i2) + offsetof(struct ckpt_rec_vma, start), start);
		s64(&c, t_rec(&c, vn, (uint32_t)i2) + offsetof(struct ckpt_rec_vma, end), end);
		emit(C, &c, "load-addresses-overlap");
		free(c.d);
		/* Swap the order of two loads (records and phdrs swapped alike). */
		c = fcopy(tree);
		Elf64_Phdr a = get_ph(tree, &r, loads[0]), b = get_ph(tree, &r, loads[1]);
		memcpy(c.d + ph_off(&r, loads[0]), &b, sizeof(b));
		memcpy(c.d + ph_off(&r, loads[1]), &a, sizeof(a));
		uint32_t rs = t_rec_size(tree, vn);
		memcpy(c.d + t_rec(&c, vn, 0), tree->d + t_rec(tree, vn, 1), rs);
		memcpy(c.d + t_rec(&c, vn, 1), tree->d + t_rec(tree, vn, 0), rs);
		emit(C, &c, "loads-out-of-order");
		free(c.d);
		(void)i1;
	}
	free(r.nt);
}

static void gen_notes(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	const struct file *thr = seeds->threads;
	struct image r = parse(tree, 0);
	const struct noteref *pr = note(&r, "CORE", NT_PRSTATUS, 0);
	const struct noteref *fp = note(&r, "CORE", NT_FPREGSET, 0);
	const struct noteref *hd = ckpt(&r, CKPT_NT_HEADER);
	emit32(C, tree, pr->hdr, 0xffffffff, "namesz-ffffffff");
	emit32(C, tree, pr->hdr, 0x10000000, "namesz-huge");
	emit32(C, tree, pr->hdr + 4, 0xffffffff, "descsz-ffffffff");
	emit32(C, tree, pr->hdr + 4, 0xfffffff0, "descsz-huge-aligned");
	emit32(C, tree, pr->hdr + 4, (uint32_t)r.notes_len, "descsz-segment-size");
	emit32(C, tree, pr->hdr + 4, pr->descsz - 4, "prstatus-short");
	emit32(C, tree, pr->hdr + 4, pr->descsz + 4, "prstatus-long");
	emit32(C, tree, pr->hdr + 8, 0x4242, "prstatus-retyped");
	emit32(C, tree, fp->hdr + 8, NT_PRSTATUS, "fpregset-as-prstatus");
	emit32(C, tree, fp->hdr + 8, NT_AUXV, "second-auxv");
	emit32(C, tree, hd->hdr + 4, 8, "ckpt-header-desc-8");
	emit32(C, tree, hd->hdr, 0, "ckpt-header-namesz-0");
	/* A CKPT note renamed to another owner: the note is missing. */
	for (uint32_t t = CKPT_NT_HEADER; t <= CKPT_NT_TREE; t++) {
		struct file c = fcopy(tree);
		memcpy(c.d + ckpt(&r, t)->hdr + 12, "CKPX", 4);
		emit(C, &c, "missing-ckpt-note-%u", t);
		free(c.d);
	}
	/* A CKPT note retyped as another: one missing, one twice. */
	emit32(C, tree, ckpt(&r, CKPT_NT_MM)->hdr + 8, CKPT_NT_PROCESS, "ckpt-note-twice");
	emit32(C, tree, ckpt(&r, CKPT_NT_FDS)->hdr + 8, CKPT_NT_FILES, "ckpt-fds-as-files");
	/* A child image with a tree note. */
	uint64_t child = g64(tree, tree_rec(tree, &r, 1) + offsetof(struct ckpt_rec_tree, image_offset));
	struct image ch = parse(tree, child);
	emit32(C, tree, ckpt(&ch, CKPT_NT_SIGQUEUE)->hdr + 8, CKPT_NT_TREE, "child-has-tree-note");
	/* Every CKPT note of the root renamed: a core file without CKPT notes. */
	{
		struct file c = fcopy(tree);
		for (uint32_t t = CKPT_NT_HEADER; t <= CKPT_NT_ANNOTATION; t++)
			memcpy(c.d + ckpt(&r, t)->hdr + 12, "XXXX", 4);
		emit(C, &c, "no-ckpt-notes");
		free(c.d);
	}
	/* Thread notes: FPREGSET with no PRSTATUS before it, and an xstate note twice. */
	{
		struct file c = fcopy(tree);
		s32(&c, pr->hdr + 8, 0x4243);
		emit(C, &c, "fpregset-before-prstatus");
		free(c.d);
	}
	/* The note segment cut short (the file itself whole): every 1/40 of it. */
	for (int k = 1; k < 40; k++)
		emit64(C, tree, PH_FIELD(&r, r.note_ph, p_filesz), r.notes_len * (uint64_t)k / 40, "segment-cut-%02d-of-40", k);
	struct image t = parse(thr, 0);
	const struct noteref *pr1 = note(&t, "CORE", NT_PRSTATUS, 1);
	emit32(C, thr, pr1->hdr + 8, 0x4244, "thread-prstatus-missing");
	free(t.nt);
	free(ch.nt);
	free(r.nt);
}

/* Table header corruption, for every CKPT note of the root and one of the child. */
static void gen_tables(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image r = parse(tree, 0);
	uint64_t child = g64(tree, tree_rec(tree, &r, 1) + offsetof(struct ckpt_rec_tree, image_offset));
	struct image ch = parse(tree, child);
	for (int which = 0; which < 2; which++) {
		const struct image *im = which ? &ch : &r;
		const char *who = which ? "child" : "root";
		for (uint32_t ty = CKPT_NT_HEADER; ty <= CKPT_NT_ANNOTATION; ty++) {
			if (which && (ty == CKPT_NT_TREE || ty == CKPT_NT_ANNOTATION))
				continue;
			const struct noteref *n = ckpt(im, ty);
			uint32_t rs = t_rec_size(tree, n), cnt = t_count(tree, n);
			uint32_t doff = g32(tree, n->desc + T_DATA_OFF), dsz = t_data_size(tree, n);
			emit32(C, tree, n->desc + T_REC_SIZE, 0, "%s-%u-rec-size-0", who, ty);
			/* Shorter than the oldest record the reader takes (the fd record grew since). */
			uint32_t oldest = ty == CKPT_NT_FDS ? (uint32_t)CKPT_REC_FD_OLDEST_SIZE : rs;
			emit32(C, tree, n->desc + T_REC_SIZE, oldest - 1, "%s-%u-rec-size-short", who, ty);
			emit32(C, tree, n->desc + T_REC_SIZE, 0xffffffff, "%s-%u-rec-size-max", who, ty);
			emit32(C, tree, n->desc + T_REC_SIZE, 65537, "%s-%u-rec-size-65537", who, ty);
			emit32(C, tree, n->desc + T_COUNT, 0xffffffff, "%s-%u-count-max", who, ty);
			emit32(C, tree, n->desc + T_COUNT, 0x7fffffff, "%s-%u-count-2g", who, ty);
			emit32(C, tree, n->desc + T_COUNT, cnt + 1, "%s-%u-count-plus-1", who, ty);
			if (ty != CKPT_NT_SIGQUEUE && ty != CKPT_NT_VMAS && ty != CKPT_NT_FILES && ty != CKPT_NT_FDS)
				emit32(C, tree, n->desc + T_COUNT, cnt ? cnt - 1 : 0, "%s-%u-count-minus-1", who, ty);
			emit32(C, tree, n->desc + T_DATA_OFF, n->descsz + 1, "%s-%u-data-off-past-note", who, ty);
			emit32(C, tree, n->desc + T_DATA_OFF, 0xffffffff, "%s-%u-data-off-max", who, ty);
			if (rs && cnt)
				emit32(C, tree, n->desc + T_DATA_OFF, doff - 1, "%s-%u-data-off-into-records", who, ty);
			emit32(C, tree, n->desc + T_DATA_SIZE, 0xffffffff, "%s-%u-data-size-max", who, ty);
			emit32(C, tree, n->desc + T_DATA_SIZE, dsz + 4, "%s-%u-data-size-plus-4", who, ty);
		}
	}
	free(ch.nt);
	free(r.nt);
}

/* String and blob fields that point outside the data area or at unterminated strings. */
static void gen_strings(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image r = parse(tree, 0);
	struct {
		uint32_t type;
		size_t field;
		const char *name;
	} fs[] = {
		{CKPT_NT_HEADER, offsetof(struct ckpt_rec_header, engine_version), "engine-version"},
		{CKPT_NT_HEADER, offsetof(struct ckpt_rec_header, kernel_release), "kernel-release"},
		{CKPT_NT_HEADER, offsetof(struct ckpt_rec_header, hostname), "hostname"},
		{CKPT_NT_PROCESS, offsetof(struct ckpt_rec_process, exe), "exe"},
		{CKPT_NT_PROCESS, offsetof(struct ckpt_rec_process, cwd), "cwd"},
		{CKPT_NT_PROCESS, offsetof(struct ckpt_rec_process, comm), "comm"},
		{CKPT_NT_FILES, offsetof(struct ckpt_rec_file, path), "file-path"},
		{CKPT_NT_FDS, offsetof(struct ckpt_rec_fd, path), "fd-path"},
		{CKPT_NT_THREADS, offsetof(struct ckpt_rec_thread, comm), "thread-comm"},
		{CKPT_NT_ANNOTATION, offsetof(struct ckpt_rec_annotation, label), "annotation-label"},
		{CKPT_NT_ANNOTATION, offsetof(struct ckpt_rec_annotation, note), "annotation-note"},
	};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		const struct noteref *n = ckpt(&r, fs[i].type);
		size_t at = t_rec(tree, n, 0) + fs[i].field;
		uint32_t dsz = t_data_size(tree, n);
		emit32(C, tree, at, dsz, "%s-at-end", fs[i].name);
		emit32(C, tree, at, dsz + 100, "%s-past-end", fs[i].name);
		emit32(C, tree, at, 0xfffffffe, "%s-negative", fs[i].name);
		emit32(C, tree, at, 0x80000000, "%s-2g", fs[i].name);
		/* The last byte of the data area, which is a string's NUL unless a blob ends it. */
		if (dsz && tree->d[t_data(tree, n) + dsz - 1] == 0 && fs[i].type != CKPT_NT_FDS) {
			uint32_t last = dsz - 1;
			while (last > 0 && tree->d[t_data(tree, n) + last - 1] != 0)
				last--;
			struct file c = fcopy(tree);
			s32(&c, at, last);
			c.d[t_data(tree, n) + dsz - 1] = 'A';
			emit(C, &c, "%s-unterminated", fs[i].name);
			free(c.d);
		}
	}
	/* Blobs: the command line and pipe data. */
	const struct noteref *pn = ckpt(&r, CKPT_NT_PROCESS);
	size_t cl = t_rec(tree, pn, 0) + offsetof(struct ckpt_rec_process, cmdline_off);
	uint32_t pdsz = t_data_size(tree, pn);
	emit32(C, tree, cl, pdsz, "cmdline-offset-at-end");
	emit32(C, tree, cl, 0xffffffff, "cmdline-offset-max");
	emit32(C, tree, cl + 4, pdsz + 1, "cmdline-length-past-end");
	emit32(C, tree, cl + 4, 0xffffffff, "cmdline-length-max");
	const struct noteref *fn = ckpt(&r, CKPT_NT_FDS);
	for (uint32_t i = 0; i < t_count(tree, fn); i++) {
		size_t rec = t_rec(tree, fn, i);
		if (g32(tree, rec + offsetof(struct ckpt_rec_fd, kind)) != CKPT_FD_PIPE)
			continue;
		emit32(C, tree, rec + offsetof(struct ckpt_rec_fd, data_len), t_data_size(tree, fn) + 1, "pipe-data-length-past-end");
		emit32(C, tree, rec + offsetof(struct ckpt_rec_fd, data_len), 0xffffffff, "pipe-data-length-max");
		emit32(C, tree, rec + offsetof(struct ckpt_rec_fd, data_off), 0xfffffff0, "pipe-data-offset-max");
		break;
	}
	/* A mapped file path that is not absolute. */
	const struct noteref *fl = ckpt(&r, CKPT_NT_FILES);
	size_t p0 = t_data(tree, fl) + g32(tree, t_rec(tree, fl, 0) + offsetof(struct ckpt_rec_file, path));
	{
		struct file c = fcopy(tree);
		c.d[p0] = 'x';
		emit(C, &c, "file-path-relative");
		c.d[p0] = 0;
		emit(C, &c, "file-path-empty");
		free(c.d);
	}
	emit32(C, tree, t_rec(tree, fl, 0) + offsetof(struct ckpt_rec_file, path), CKPT_NO_STR, "file-path-none");
	emit32(C, tree, t_rec(tree, fl, 0) + offsetof(struct ckpt_rec_file, build_id_len), 33, "file-build-id-too-long");
	free(r.nt);
}

/* Records that are well formed but say impossible things. */
static void gen_records(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	const struct file *thr = seeds->threads;
	struct image r = parse(tree, 0);
	const struct noteref *hd = ckpt(&r, CKPT_NT_HEADER), *pn = ckpt(&r, CKPT_NT_PROCESS);
	const struct noteref *vn = ckpt(&r, CKPT_NT_VMAS), *fdn = ckpt(&r, CKPT_NT_FDS);
	const struct noteref *tn = ckpt(&r, CKPT_NT_THREADS), *sa = ckpt(&r, CKPT_NT_SIGACTIONS);
	/* The first record of each note. */
	static const struct field_case header_cases[] = {
		{"format-version-2", FIELD(struct ckpt_rec_header, format_version), SET, 2},
		{"format-version-0", FIELD(struct ckpt_rec_header, format_version), SET, 0},
		{"page-size-64k", FIELD(struct ckpt_rec_header, page_size), SET, 65536},
		{"nr-processes-max", FIELD(struct ckpt_rec_header, nr_processes), SET, 0xffffffff},
		{"nr-processes-1", FIELD(struct ckpt_rec_header, nr_processes), SET, 1},
		{"xsave-size-max", FIELD(struct ckpt_rec_header, xsave_size), SET, 0xffffffff},
	}, process_cases[] = {
		{"nr-threads-max", FIELD(struct ckpt_rec_process, nr_threads), SET, 0xffffffff},
		{"nr-threads-2", FIELD(struct ckpt_rec_process, nr_threads), SET, 2},
		{"exe-file-unknown", FIELD(struct ckpt_rec_process, exe_file), SET, 1000000},
		{"pid-0", FIELD(struct ckpt_rec_process, pid), SET, 0},
	}, vma_cases[] = {
		{"vma-start-mismatch", FIELD(struct ckpt_rec_vma, start), PLUS, PAGE},
		{"vma-end-mismatch", FIELD(struct ckpt_rec_vma, end), PLUS, PAGE},
		{"vma-store-7", FIELD(struct ckpt_rec_vma, store), SET, 7},
		{"vma-file-unknown", FIELD(struct ckpt_rec_vma, file), SET, 1000000},
		{"vma-prot-bad", FIELD(struct ckpt_rec_vma, prot), SET, 0xff},
		{"vma-pgoff-unaligned", FIELD(struct ckpt_rec_vma, pgoff), SET, 123},
		{"vma-pgoff-past-any-file", FIELD(struct ckpt_rec_vma, pgoff), SET, 0xfffffffffffff000ull},
		{"vma-flags-unknown", FIELD(struct ckpt_rec_vma, flags), SET, 0x80000000},
		{"vma-lockonfault-without-locked", FIELD(struct ckpt_rec_vma, flags), SET, CKPT_VMA_LOCKONFAULT},
		{"vma-droppable-file", FIELD(struct ckpt_rec_vma, flags), SET, CKPT_VMA_DROPPABLE},
	}, fd_cases[] = {
		{"fd-number-huge", FIELD(struct ckpt_rec_fd, fd), SET, 0x7fffffff},
		{"fd-number-negative", FIELD(struct ckpt_rec_fd, fd), SET, 0xffffffff},
		{"fd-kind-0", FIELD(struct ckpt_rec_fd, kind), SET, 0},
		{"fd-kind-1000", FIELD(struct ckpt_rec_fd, kind), SET, 1000},
		{"fd-kind-max", FIELD(struct ckpt_rec_fd, kind), SET, 0xffffffff},
		{"fd-kind-timerfd-without-state", FIELD(struct ckpt_rec_fd, kind), SET, CKPT_FD_TIMERFD},
		{"fd-kind-255", FIELD(struct ckpt_rec_fd, kind), SET, 255},
		{"fd-kind-flags-on-a-file", FIELD(struct ckpt_rec_fd, kind_flags), SET, 1},
		{"fd-owner-type-3", FIELD(struct ckpt_rec_fd, owner_type), SET, 3},
		{"fd-owner-type-without-owner", FIELD(struct ckpt_rec_fd, owner_type), SET, 1},
		{"fd-owner-beyond-pid-max", FIELD(struct ckpt_rec_fd, owner), SET, 0x7fffffff},
		{"fd-owner-not-in-tree", FIELD(struct ckpt_rec_fd, owner), SET, 4194000},
		{"fd-owner-signal-65", FIELD(struct ckpt_rec_fd, owner_sig), SET, 65},
		{"fd-owner-reserved", FIELD(struct ckpt_rec_fd, owner_reserved), SET, 1},
	}, thread_cases[] = {
		{"tid-mismatch-prstatus", FIELD(struct ckpt_rec_thread, tid), PLUS, 1},
	};
	const struct {
		const struct noteref *note;
		const struct field_case *cases;
		size_t n;
	} first_records[] = {
		{hd, header_cases, N_CASES(header_cases)}, {pn, process_cases, N_CASES(process_cases)},
		{vn, vma_cases, N_CASES(vma_cases)}, {fdn, fd_cases, N_CASES(fd_cases)},
		{tn, thread_cases, N_CASES(thread_cases)},
	};
	for (size_t i = 0; i < N_CASES(first_records); i++)
		emit_field_cases(C, tree, t_rec(tree, first_records[i].note, 0), first_records[i].cases, first_records[i].n);
	size_t v0 = t_rec(tree, vn, 0);
	/* A second [vdso]: the flag set on another mapping too. */
	for (uint32_t i = 0; i < t_count(tree, vn); i++) {
		size_t v = t_rec(tree, vn, i);
		if (g32(tree, v + offsetof(struct ckpt_rec_vma, flags)) & CKPT_VMA_VDSO) {
			emit32(C, tree, v0 + offsetof(struct ckpt_rec_vma, flags),
			       g32(tree, v0 + offsetof(struct ckpt_rec_vma, flags)) | CKPT_VMA_VDSO, "vma-two-vdso");
			break;
		}
	}
	/* Readable anonymous memory whose contents are dropped (store NONE, no data), or said to
	 * be a file's header page: restart would bring it back as zeros. */
	for (uint32_t i = 0, load = 0; i < t_count(tree, vn); i++, load++) {
		size_t v = t_rec(tree, vn, i);
		while (get_ph(tree, &r, load).p_type != PT_LOAD)
			load++;
		if (g32(tree, v + offsetof(struct ckpt_rec_vma, file)) != CKPT_NO_INDEX ||
		    !(g32(tree, v + offsetof(struct ckpt_rec_vma, prot)) & 1) ||
		    g32(tree, v + offsetof(struct ckpt_rec_vma, store)) != CKPT_STORE_FULL ||
		    (g32(tree, v + offsetof(struct ckpt_rec_vma, flags)) & CKPT_VMA_VDSO))
			continue;
		struct file c = fcopy(tree);
		s32(&c, v + offsetof(struct ckpt_rec_vma, store), CKPT_STORE_NONE);
		s64(&c, PH_FIELD(&r, load, p_filesz), 0);
		emit(C, &c, "vma-anon-contents-dropped");
		s32(&c, v + offsetof(struct ckpt_rec_vma, store), CKPT_STORE_HEADER);
		s64(&c, PH_FIELD(&r, load, p_filesz), PAGE);
		emit(C, &c, "vma-anon-header-page");
		/* Only its changed pages, of an object it does not name, or that nothing else keeps. */
		s32(&c, v + offsetof(struct ckpt_rec_vma, store), CKPT_STORE_COW);
		s64(&c, PH_FIELD(&r, load, p_filesz), get_ph(tree, &r, load).p_filesz);
		emit(C, &c, "vma-cow-of-no-object");
		s64(&c, v + offsetof(struct ckpt_rec_vma, shmem_id), 0x5eed);
		emit(C, &c, "vma-cow-object-not-kept");
		free(c.d);
		break;
	}
	/* The CPU note (optional, but checked when present). */
	{
		const struct noteref *cpu = ckpt(&r, CKPT_NT_CPU);
		size_t c0 = t_rec(tree, cpu, 0);
		struct file c = fcopy(tree);
		c.d[c0 + offsetof(struct ckpt_rec_cpu, vendor)] = 0x1b;
		emit(C, &c, "cpu-vendor-escape");
		free(c.d);
		emit32(C, tree, c0 + offsetof(struct ckpt_rec_cpu, xsave_offset) + 2 * 4, 0xfffffff0, "cpu-xsave-offset-beyond");
		emit32(C, tree, c0 + offsetof(struct ckpt_rec_cpu, xsave_size), 1u << 24, "cpu-xsave-size-huge");
		emit32(C, tree, cpu->desc + T_REC_SIZE, 8, "cpu-record-short");
		emit32(C, tree, cpu->desc + T_COUNT, 0, "cpu-no-record");
	}
	/* fd records. */
	size_t f0 = t_rec(tree, fdn, 0), f1 = t_rec(tree, fdn, 1);
	emit32(C, tree, f1 + offsetof(struct ckpt_rec_fd, fd), g32(tree, f0), "fd-duplicate");
	/* An eventfd whose counter no eventfd can hold, and a signalfd with flags. */
	{
		struct file c = fcopy(tree);
		s32(&c, f0 + offsetof(struct ckpt_rec_fd, kind), CKPT_FD_EVENTFD);
		s64(&c, f0 + offsetof(struct ckpt_rec_fd, extra), UINT64_MAX);
		emit(C, &c, "eventfd-counter-max");
		s64(&c, f0 + offsetof(struct ckpt_rec_fd, extra), 0);
		s32(&c, f0 + offsetof(struct ckpt_rec_fd, kind), CKPT_FD_SIGNALFD);
		s32(&c, f0 + offsetof(struct ckpt_rec_fd, kind_flags), 2);
		emit(C, &c, "signalfd-with-flags");
		free(c.d);
	}
	for (uint32_t i = 0; i < t_count(tree, fdn); i++) {
		size_t rec = t_rec(tree, fdn, i);
		if (g32(tree, rec + offsetof(struct ckpt_rec_fd, kind)) == CKPT_FD_PIPE &&
		    g32(tree, rec + offsetof(struct ckpt_rec_fd, data_len))) {
			emit32(C, tree, rec + offsetof(struct ckpt_rec_fd, pipe_size), 1, "pipe-data-beyond-pipe-size");
			break;
		}
	}
	/* Thread records. */
	size_t t0 = t_rec(tree, tn, 0);
	const struct noteref *pr = note(&r, "CORE", NT_PRSTATUS, 0);
	{
		struct file c = fcopy(tree);
		s32(&c, t0, 0);
		s32(&c, pr->desc + offsetof(struct elf_prstatus, pr_pid), 0);
		emit(C, &c, "tid-0");
		s32(&c, t0, 1u << 23);
		s32(&c, pr->desc + offsetof(struct elf_prstatus, pr_pid), 1u << 23);
		emit(C, &c, "tid-huge");
		free(c.d);
	}
	emit32(C, tree, sa->desc + T_COUNT, 63, "sigactions-63");
	/* Duplicate tids in the multi-threaded seed, in the PRSTATUS note and the record alike. */
	{
		struct image t = parse(thr, 0);
		const struct noteref *tt = ckpt(&t, CKPT_NT_THREADS);
		const struct noteref *p1 = note(&t, "CORE", NT_PRSTATUS, 1);
		uint32_t tid0 = g32(thr, t_rec(thr, tt, 0));
		struct file c = fcopy(thr);
		s32(&c, t_rec(&c, tt, 1), tid0);
		s32(&c, p1->desc + offsetof(struct elf_prstatus, pr_pid), tid0);
		emit(C, &c, "tid-duplicate");
		free(c.d);
		free(t.nt);
	}
	free(r.nt);
}

/* The process tree note and child images. */
static void gen_tree(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image r = parse(tree, 0);
	size_t e0 = tree_rec(tree, &r, 0), e1 = tree_rec(tree, &r, 1);
	uint64_t child = g64(tree, e1 + offsetof(struct ckpt_rec_tree, image_offset));
	uint64_t csize = g64(tree, e1 + offsetof(struct ckpt_rec_tree, image_size));
	struct image ch = parse(tree, child);
	size_t cp = t_rec(tree, ckpt(&ch, CKPT_NT_PROCESS), 0), rp = t_rec(tree, ckpt(&r, CKPT_NT_PROCESS), 0);
	uint32_t root_pid = g32(tree, e0), child_pid = g32(tree, e1);
	const size_t OFF = offsetof(struct ckpt_rec_tree, image_offset), SIZE = offsetof(struct ckpt_rec_tree, image_size);
	emit64(C, tree, e1 + OFF, 0, "child-offset-0");
	emit64(C, tree, e1 + OFF, PAGE, "child-offset-into-root-headers");
	/* The root's data: the page of its first stored segment. */
	for (size_t i = 0; i < r.nph; i++) {
		Elf64_Phdr ph = get_ph(tree, &r, i);
		if (ph.p_type == PT_LOAD && ph.p_filesz) {
			emit64(C, tree, e1 + OFF, ph.p_offset, "child-offset-into-root-data");
			break;
		}
	}
	emit64(C, tree, e1 + OFF, child - PAGE, "child-offset-page-before");
	emit64(C, tree, e1 + OFF, child + 8, "child-offset-unaligned");
	emit64(C, tree, e1 + OFF, ALIGNP(tree->n), "child-offset-at-eof");
	emit64(C, tree, e1 + OFF, ALIGNP(tree->n) + (1ull << 30), "child-offset-past-eof");
	emit64(C, tree, e1 + OFF, UINT64_MAX & ~(uint64_t)(PAGE - 1), "child-offset-negative");
	emit64(C, tree, e1 + SIZE, 0, "child-size-0");
	emit64(C, tree, e1 + SIZE, csize + PAGE, "child-size-past-eof");
	emit64(C, tree, e1 + SIZE, UINT64_MAX, "child-size-max");
	emit64(C, tree, e1 + SIZE, 32, "child-size-32");
	emit64(C, tree, e0 + OFF, PAGE, "root-offset-not-0");
	emit64(C, tree, e0 + SIZE, UINT64_MAX, "root-size-max");
	emit64(C, tree, e0 + SIZE, tree->n + PAGE, "root-size-past-eof");
	emit64(C, tree, e0 + SIZE, 2 * PAGE, "root-size-small");
	emit64(C, tree, e0 + SIZE, child + PAGE, "root-size-overlaps-child");
	emit32(C, tree, e0, root_pid + 1, "root-pid-mismatch");
	emit32(C, tree, e1, child_pid + 1, "child-pid-mismatch");
	emit32(C, tree, ckpt(&r, CKPT_NT_TREE)->desc + T_COUNT, 4097, "processes-4097");
	emit32(C, tree, ckpt(&r, CKPT_NT_TREE)->desc + T_COUNT, 1, "processes-1");
	/* Duplicate pids: the child claims the root's pid, in the tree and in its image. */
	emit32_both(C, tree, e1, cp + offsetof(struct ckpt_rec_process, pid), root_pid, "pid-duplicate");
	/* A missing parent. */
	emit32_both(C, tree, e1 + offsetof(struct ckpt_rec_tree, ppid),
		    cp + offsetof(struct ckpt_rec_process, ppid), 4000000, "parent-missing");
	/* The child is its own parent. */
	emit32_both(C, tree, e1 + offsetof(struct ckpt_rec_tree, ppid),
		    cp + offsetof(struct ckpt_rec_process, ppid), child_pid, "parent-self");
	/* A cycle: the root's parent is its own child. */
	{
		struct file c = fcopy(tree);
		s32(&c, e0 + offsetof(struct ckpt_rec_tree, ppid), child_pid);
		s32(&c, rp + offsetof(struct ckpt_rec_process, ppid), child_pid);
		emit(C, &c, "parent-cycle");
		s32(&c, e0 + offsetof(struct ckpt_rec_tree, ppid), root_pid);
		s32(&c, rp + offsetof(struct ckpt_rec_process, ppid), root_pid);
		emit(C, &c, "root-parent-self");
		free(c.d);
	}
	/* Sessions and groups the kernel cannot have: the child leads a session but not its
	 * group; the child joins a group led by a process of another session; the child's
	 * session is "led" by the root, which is no session leader. */
	{
		struct file c = fcopy(tree);
		s32(&c, e1 + offsetof(struct ckpt_rec_tree, sid), child_pid);
		s32(&c, cp + offsetof(struct ckpt_rec_process, sid), child_pid);
		emit(C, &c, "session-leader-without-group");
		s32(&c, e1 + offsetof(struct ckpt_rec_tree, pgid), child_pid);
		s32(&c, cp + offsetof(struct ckpt_rec_process, pgid), child_pid);
		s32(&c, e1 + offsetof(struct ckpt_rec_tree, sid), g32(tree, rp + offsetof(struct ckpt_rec_process, sid)));
		s32(&c, cp + offsetof(struct ckpt_rec_process, sid), g32(tree, rp + offsetof(struct ckpt_rec_process, sid)));
		s32(&c, e0 + offsetof(struct ckpt_rec_tree, pgid), child_pid);
		s32(&c, rp + offsetof(struct ckpt_rec_process, pgid), child_pid);
		s32(&c, e1 + offsetof(struct ckpt_rec_tree, sid), 4000003);
		s32(&c, cp + offsetof(struct ckpt_rec_process, sid), 4000003);
		emit(C, &c, "group-across-sessions");
		free(c.d);
		c = fcopy(tree);
		s32(&c, e1 + offsetof(struct ckpt_rec_tree, sid), root_pid);
		s32(&c, cp + offsetof(struct ckpt_rec_process, sid), root_pid);
		emit(C, &c, "session-led-by-non-leader");
		free(c.d);
	}
	/* The tree and the images disagree. */
	emit32(C, tree, e1 + offsetof(struct ckpt_rec_tree, ppid), child_pid + 7, "ppid-disagrees");
	emit32(C, tree, e1 + offsetof(struct ckpt_rec_tree, pgid), 4000001, "pgid-disagrees");
	emit32(C, tree, e1 + offsetof(struct ckpt_rec_tree, sid), 4000002, "sid-disagrees");
	/* pids out of range. */
	emit32_both(C, tree, e1, cp + offsetof(struct ckpt_rec_process, pid), 1u << 23, "child-pid-huge");
	/* The child image is a copy of the root (same pid twice, and a second root). */
	{
		struct file c = fcopy(tree);
		if (child + child > c.n) {
			uint64_t n = child * 2;
			c.d = realloc(c.d, n);
			c.n = n;
		}
		memcpy(c.d + child, tree->d, child);
		s64(&c, e1 + SIZE, child);
		s32(&c, e1, root_pid);
		emit(C, &c, "child-is-root-copy");
		free(c.d);
	}
	/* The child's images' own ELF header is broken. */
	emit32(C, tree, child, 0, "child-bad-magic");
	emit32(C, tree, ch.nt ? ckpt(&ch, CKPT_NT_HEADER)->desc + 16 : 0, 7, "child-format-version-7");
	free(ch.nt);
	free(r.nt);
}

/* ---- epoll and inotify state ---------------------------------------------------------- */

/* An epoll item, and an inotify watch with the bytes around its path, as a case writes them. */
struct item_spec {
	uint32_t tfd, events, file_fd, reserved;
};
struct watch_spec {
	uint32_t wd, mask, flags;
	const char *path;
	int32_t len_delta;  /* added to the path's length in the header */
	uint8_t end, pad;   /* the byte after the path (its NUL) and the padding bytes */
};

/* The blob of an epoll or inotify fd. */
static void put_items(struct bytes *b, const struct item_spec *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ckpt_fd_epoll_item r = {.tfd = it[i].tfd, .events = it[i].events, .data = 0x5eed,
					       .file_fd = it[i].file_fd, .reserved = it[i].reserved};
		b_put(b, &r, sizeof(r));
	}
}

static void put_watches(struct bytes *b, const struct watch_spec *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(w[i].path);
		struct ckpt_fd_inotify_watch h = {w[i].wd, w[i].mask, w[i].flags, (uint32_t)((int32_t)len + w[i].len_delta)};
		b_put(b, &h, sizeof(h));
		b_put(b, w[i].path, len);
		b_put(b, &w[i].end, 1);
		while (b->n % 4)
			b_put(b, &w[i].pad, 1);
	}
}

/* An fd the reader must refuse, added as fd 100 (its own open file description) to the threads
 * seed, whose fds 0 to 2 are /dev/null, a regular file and /dev/null. */
static const struct fd_state_case {
	const char *name;
	uint32_t kind, kind_flags;
	uint64_t extra;
	uint32_t cut;  /* bytes cut off the end of the blob */
	struct item_spec items[2];
	struct watch_spec watches[2];
	size_t n;      /* items or watches */
} fd_state_cases[] = {
	{"epoll-extra", CKPT_FD_EPOLL, 0, 1, 0, {{0, EPOLLIN, 0, 0}}, {{0}}, 1},
	{"epoll-kind-flags-unknown", CKPT_FD_EPOLL, 2, 0, 0, {{0, EPOLLIN, 0, 0}}, {{0}}, 1},
	{"epoll-items-not-whole", CKPT_FD_EPOLL, 0, 0, 1, {{0, EPOLLIN, 0, 0}}, {{0}}, 1},
	{"epoll-item-reserved", CKPT_FD_EPOLL, 0, 0, 0, {{0, EPOLLIN, 0, 7}}, {{0}}, 1},
	{"epoll-item-fd-huge", CKPT_FD_EPOLL, 0, 0, 0, {{1u << 20, EPOLLIN, 0, 0}}, {{0}}, 1},
	{"epoll-item-file-fd-negative", CKPT_FD_EPOLL, 0, 0, 0, {{0, EPOLLIN, 0xffffffff, 0}}, {{0}}, 1},
	{"epoll-exclusive-oneshot", CKPT_FD_EPOLL, 0, 0, 0, {{0, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0, 0}}, {{0}}, 1},
	{"epoll-item-file-fd-missing", CKPT_FD_EPOLL, 0, 0, 0, {{77, EPOLLIN, 77, 0}}, {{0}}, 1},
	{"epoll-watches-regular-file", CKPT_FD_EPOLL, 0, 0, 0, {{1, EPOLLIN, 1, 0}}, {{0}}, 1},
	{"epoll-watches-itself", CKPT_FD_EPOLL, 0, 0, 0, {{100, EPOLLIN, 100, 0}}, {{0}}, 1},
	{"epoll-item-twice", CKPT_FD_EPOLL, 0, 0, 0, {{0, EPOLLIN, 0, 0}, {0, EPOLLOUT, 0, 0}}, {{0}}, 2},
	{"inotify-extra", CKPT_FD_INOTIFY, 0, 1, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-kind-flags", CKPT_FD_INOTIFY, 1, 0, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-header-truncated", CKPT_FD_INOTIFY, 0, 0, 6, {{0}}, {{1, IN_CREATE, 0, "", -1, 0, 0}}, 1},
	{"inotify-path-beyond-blob", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", 1000, 0, 0}}, 1},
	{"inotify-path-length-max", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", -5, 0, 0}}, 1},
	{"inotify-path-without-nul", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", 0, 'x', 'x'}}, 1},
	{"inotify-path-nul-inside", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", 2, 0, 0}}, 1},
	{"inotify-path-relative", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "tmp", 0, 0, 0}}, 1},
	{"inotify-path-empty", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "", 0, 0, 0}}, 1},
	{"inotify-padding-not-zero", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 0, "/tmp", 0, 0, 0xaa}}, 1},
	{"inotify-watch-cut", CKPT_FD_INOTIFY, 0, 0, 2, {{0}}, {{1, IN_CREATE, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-wd-0", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{0, IN_CREATE, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-wd-beyond-max", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{CKPT_INOTIFY_MAX_WD + 1, IN_CREATE, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-wd-negative", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{0xffffffff, IN_CREATE, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-wd-twice", CKPT_FD_INOTIFY, 0, 0, 0, {{0}},
	 {{2, IN_CREATE, 0, "/tmp", 0, 0, 0}, {2, IN_DELETE, 0, "/var", 0, 0, 0}}, 2},
	{"inotify-wd-decreasing", CKPT_FD_INOTIFY, 0, 0, 0, {{0}},
	 {{5, IN_CREATE, 0, "/tmp", 0, 0, 0}, {3, IN_DELETE, 0, "/var", 0, 0, 0}}, 2},
	{"inotify-mask-0", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, 0, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-mask-only-oneshot", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_ONESHOT, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-mask-add-bit", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE | IN_MASK_ADD, 0, "/tmp", 0, 0, 0}}, 1},
	{"inotify-flags-unknown", CKPT_FD_INOTIFY, 0, 0, 0, {{0}}, {{1, IN_CREATE, 4, "/tmp", 0, 0, 0}}, 1},
	{"pidfd-kind-flags-unknown", CKPT_FD_PIDFD, 2, 0, 0, {{0}}, {{0}}, 0},
	{"pidfd-reaped-with-pid", CKPT_FD_PIDFD, CKPT_PIDFD_REAPED, 5, 0, {{0}}, {{0}}, 0},
	{"pidfd-pid-0", CKPT_FD_PIDFD, 0, 0, 0, {{0}}, {{0}}, 0},
	{"pidfd-pid-beyond-max", CKPT_FD_PIDFD, 0, 4194305, 0, {{0}}, {{0}}, 0},
	{"pidfd-pid-not-in-tree", CKPT_FD_PIDFD, 0, 4194000, 0, {{0}}, {{0}}, 0},
};

/* Appends an fd of this kind, fields and blob to a model image's fd table. */
static void add_state_fd(struct mimage *m, uint32_t fd, uint32_t desc, uint32_t kind, uint32_t kind_flags, uint64_t extra,
			 const struct bytes *blob)
{
	struct mnote *fnote = mnote(m, CKPT_NOTE_OWNER, CKPT_NT_FDS);
	struct mtable t = tdecode(fnote);
	struct ckpt_rec_fd f = {.fd = fd, .kind = kind, .open_flags = O_RDWR, .path = CKPT_NO_STR, .desc = desc,
				.kind_flags = kind_flags, .extra = extra};
	f.data_off = (uint32_t)b_put(&t.data, blob->p, blob->n);
	f.data_len = (uint32_t)blob->n;
	tadd(&t, &f);
	tencode(&t, fnote);
}

static void free_models(struct mimage *ms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);
}

/* A deleted file or memfd the reader must refuse: its header, extents and data bytes as a case
 * gives them, added as fd 100 to the threads seed. */
static const struct ghost_case {
	const char *name;
	uint32_t kind;
	const char *path;
	struct ckpt_fd_ghost h;
	struct ckpt_fd_ghost_extent ext[2];
	uint32_t data;   /* data bytes after the extents */
	uint32_t cut;    /* bytes cut off the end of the blob */
} ghost_cases[] = {
	{"ghost-truncated-header", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 4},
	{"ghost-relative-path", CKPT_FD_GHOST, "x (deleted)", {4096, 0600, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"ghost-mode-type-bits", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0100600, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"ghost-reserved", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 0, 1, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"ghost-uid-minus-one", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 0, 0, UINT32_MAX, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"ghost-mtime-nsec-too-big", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 0, 0, 0, 0, 0, 0, 0, 1000000000u}, {{0}}, 0, 0},
	{"ghost-seals-on-file", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 2, 0, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"ghost-extents-beyond-blob", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 1000, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"ghost-extent-beyond-size", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {{4000, 200}}, 200, 0},
	{"ghost-extent-wraps", CKPT_FD_GHOST, "/tmp/x (deleted)", {UINT64_MAX, 0600, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {{UINT64_MAX - 10, 100}}, 100, 0},
	{"ghost-extent-empty", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {{0, 0}}, 0, 0},
	{"ghost-extents-overlap", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 2, 0, 0, 0, 0, 0, 0, 0}, {{0, 100}, {50, 100}}, 200, 0},
	{"ghost-extent-data-short", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {{0, 100}}, 60, 0},
	{"ghost-data-left-over", CKPT_FD_GHOST, "/tmp/x (deleted)", {4096, 0600, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {{0, 100}}, 160, 0},
	{"memfd-path-not-memfd", CKPT_FD_MEMFD, "/tmp/x (deleted)", {4096, 0600, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"memfd-seals-unknown", CKPT_FD_MEMFD, "/memfd:x (deleted)", {4096, 0600, 0x4000, 0, 0, 0, 0, 0, 0, 0, 0}, {{0}}, 0, 0},
	{"memfd-extent-beyond-size", CKPT_FD_MEMFD, "/memfd:x (deleted)", {100, 0600, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {{0, 200}}, 200, 0},
	/* No contents, as a later fd of an object has, but no earlier fd of it has them. */
	{"ghost-no-contents-anywhere", CKPT_FD_GHOST, "/tmp/x (deleted)", {0}, {{0}}, 0, sizeof(struct ckpt_fd_ghost)},
	{"memfd-no-contents-anywhere", CKPT_FD_MEMFD, "/memfd:x (deleted)", {0}, {{0}}, 0, sizeof(struct ckpt_fd_ghost)},
};

/* A deleted FIFO, directory or device node the reader must refuse, added as fd 100 to the threads
 * seed: its path, header, queued bytes after it, bytes cut off the blob, and pipe size. */
static const struct node_case {
	const char *name;
	const char *path;
	struct ckpt_fd_ghost_node h;
	uint32_t queued, cut, pipe_size;
} node_cases[] = {
	{"node-truncated", "/tmp/x (deleted)", {S_IFIFO | 0600, 0, 0, 0, 0}, 0, 4, 4096},
	{"node-relative-path", "x (deleted)", {S_IFIFO | 0600, 0, 0, 0, 0}, 0, 0, 4096},
	{"node-regular-file", "/tmp/x (deleted)", {S_IFREG | 0600, 0, 0, 0, 0}, 0, 0, 4096},
	{"node-symlink", "/tmp/x (deleted)", {S_IFLNK | 0600, 0, 0, 0, 0}, 0, 0, 4096},
	{"node-mode-high-bits", "/tmp/x (deleted)", {0x10000u | S_IFDIR | 0700, 0, 0, 0, 0}, 0, 0, 4096},
	{"node-reserved", "/tmp/x (deleted)", {S_IFDIR | 0700, 0, 0, 1, 0}, 0, 0, 4096},
	{"node-gid-minus-one", "/tmp/x (deleted)", {S_IFDIR | 0700, 0, UINT32_MAX, 0, 0}, 0, 0, 4096},
	{"node-rdev-on-fifo", "/tmp/x (deleted)", {S_IFIFO | 0600, 0, 0, 0, 0x103}, 0, 0, 4096},
	{"node-queued-in-directory", "/tmp/x (deleted)", {S_IFDIR | 0700, 0, 0, 0, 0}, 10, 0, 4096},
	{"node-queued-beyond-pipe-size", "/tmp/x (deleted)", {S_IFIFO | 0600, 0, 0, 0, 0}, 100, 0, 64},
	/* No record, as a later fd of a node has, but no earlier fd of it has one. */
	{"node-no-record-anywhere", "/tmp/x (deleted)", {0}, 0, sizeof(struct ckpt_fd_ghost_node), 4096},
};

static void gen_ghost_nodes(const char *C, const struct seeds *seeds)
{
	for (size_t i = 0; i < N_CASES(node_cases); i++) {
		const struct node_case *c = &node_cases[i];
		struct bytes blob = {0};
		b_put(&blob, &c->h, sizeof(c->h));
		for (uint32_t k = 0; k < c->queued; k++)
			b_put(&blob, "q", 1);
		blob.n -= c->cut;
		size_t n;
		struct mimage *ms = model_all(seeds->threads, &n);
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FDS);
		struct mtable t = tdecode(fnote);
		struct ckpt_rec_fd f = {.fd = 100, .kind = CKPT_FD_GHOST_NODE, .open_flags = O_RDWR, .desc = 1000,
					.pipe_size = c->pipe_size};
		f.path = tstr(&t, c->path);
		f.data_off = (uint32_t)b_put(&t.data, blob.p, blob.n);
		f.data_len = (uint32_t)blob.n;
		tadd(&t, &f);
		tencode(&t, fnote);
		emit_model(C, ms, n, c->name);
		free_models(ms, n);
		free(blob.p);
	}
}

/* An O_PATH fd of a symbolic link the reader must refuse, added as fd 100 to the threads seed. */
static const struct symlink_case {
	const char *name;
	uint32_t open_flags, kind_flags;
	const char *target;
	uint32_t target_len;
} symlink_cases[] = {
	{"symlink-without-o-path", O_RDONLY, 0, "t", 1},
	{"symlink-flags-unknown", O_PATH | O_NOFOLLOW, 0x2, "t", 1},
	{"symlink-target-empty", O_PATH | O_NOFOLLOW, 0, "", 0},
	{"symlink-target-holds-nul", O_PATH | O_NOFOLLOW, CKPT_SYMLINK_DELETED, "a\0b", 3},
};

static void gen_symlinks(const char *C, const struct seeds *seeds)
{
	for (size_t i = 0; i < N_CASES(symlink_cases); i++) {
		const struct symlink_case *c = &symlink_cases[i];
		size_t n;
		struct mimage *ms = model_all(seeds->threads, &n);
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FDS);
		struct mtable t = tdecode(fnote);
		struct ckpt_rec_fd f = {.fd = 100, .kind = CKPT_FD_SYMLINK, .open_flags = c->open_flags, .desc = 1000,
					.kind_flags = c->kind_flags};
		f.path = tstr(&t, "/tmp/link");
		f.data_off = (uint32_t)b_put(&t.data, c->target, c->target_len);
		f.data_len = c->target_len;
		tadd(&t, &f);
		tencode(&t, fnote);
		emit_model(C, ms, n, c->name);
		free_models(ms, n);
	}
}

static void gen_ghosts(const char *C, const struct seeds *seeds)
{
	for (size_t i = 0; i < N_CASES(ghost_cases); i++) {
		const struct ghost_case *c = &ghost_cases[i];
		struct bytes blob = {0};
		b_put(&blob, &c->h, sizeof(c->h));
		for (uint32_t k = 0; k < c->h.nextents && k < 2; k++)
			b_put(&blob, &c->ext[k], sizeof(c->ext[k]));
		for (uint32_t k = 0; k < c->data; k++)
			b_put(&blob, "g", 1);
		blob.n -= c->cut;
		size_t n;
		struct mimage *ms = model_all(seeds->threads, &n);
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FDS);
		struct mtable t = tdecode(fnote);
		struct ckpt_rec_fd f = {.fd = 100, .kind = c->kind, .open_flags = O_RDWR, .desc = 1000};
		f.path = tstr(&t, c->path);
		f.data_off = (uint32_t)b_put(&t.data, blob.p, blob.n);
		f.data_len = (uint32_t)blob.n;
		tadd(&t, &f);
		tencode(&t, fnote);
		emit_model(C, ms, n, c->name);
		free_models(ms, n);
		free(blob.p);
	}
}

static void gen_fd_state(const char *C, const struct seeds *seeds)
{
	size_t n;
	struct mimage *ms;
	for (size_t i = 0; i < N_CASES(fd_state_cases); i++) {
		const struct fd_state_case *c = &fd_state_cases[i];
		struct bytes blob = {0};
		if (c->kind == CKPT_FD_EPOLL)
			put_items(&blob, c->items, c->n);
		else
			put_watches(&blob, c->watches, c->n);
		blob.n -= c->cut;
		ms = model_all(seeds->threads, &n);
		add_state_fd(&ms[0], 100, 1000, c->kind, c->kind_flags, c->extra, &blob);
		emit_model(C, ms, n, c->name);
		free_models(ms, n);
		free(blob.p);
	}
	/* Two inotify fds whose wds together span more than restart rebuilds. */
	{
		static const struct watch_spec far = {CKPT_INOTIFY_MAX_WD / 2 + 1, IN_CREATE, 0, "/tmp", 0, 0, 0};
		struct bytes blob = {0};
		put_watches(&blob, &far, 1);
		ms = model_all(seeds->threads, &n);
		add_state_fd(&ms[0], 100, 1000, CKPT_FD_INOTIFY, 0, 0, &blob);
		add_state_fd(&ms[0], 101, 1001, CKPT_FD_INOTIFY, 0, 0, &blob);
		emit_model(C, ms, n, "inotify-wds-span-too-wide");
		free_models(ms, n);
		free(blob.p);
	}
	/* One epoll shared by parent and child, each adding the same item (the stdin they share). */
	{
		static const struct item_spec same = {0, EPOLLIN, 0, 0};
		struct bytes blob = {0};
		put_items(&blob, &same, 1);
		ms = model_all(seeds->tree, &n);
		for (size_t i = 0; i < n; i++)
			add_state_fd(&ms[i], 100, 1000, CKPT_FD_EPOLL, 0, 0, &blob);
		emit_model(C, ms, n, "epoll-item-twice-in-two-processes");
		free_models(ms, n);
		free(blob.p);
	}
}

/* Pseudo-terminals the reader must refuse, added as fds 100 and 101 to the threads seed: a
 * master's state that does not add up, a slave without its master, and a controlling
 * terminal that is no pty of the tree. */
static void put_pty(struct bytes *b, struct ckpt_fd_pty st, uint32_t bytes)
{
	b_put(b, &st, sizeof(st));
	for (uint32_t i = 0; i < bytes; i++)
		b_put(b, "q", 1);
}

static void gen_ptys(const char *C, const struct seeds *seeds)
{
	static const struct pty_case {
		const char *name;
		uint32_t kind_flags, cut, bytes;
		struct ckpt_fd_pty st;
		int slave_of_other;   /* fd 101, a slave of pty 9, which no master holds */
	} cases[] = {
		{"pty-master-state-short", 0, 4, 0, {.queued = 0}, 0},
		{"pty-master-queued-more-than-stored", 0, 0, 5, {.queued = 10}, 0},
		{"pty-master-queued-over-max", 0, 0, CKPT_PTY_MAX_QUEUED + 1, {.queued = CKPT_PTY_MAX_QUEUED + 1}, 0},
		{"pty-master-mode-01777", 0, 0, 0, {.mode = 01777}, 0},
		{"pty-master-reserved", 0, 0, 0, {.reserved2 = 1}, 0},
		{"pty-master-flags-unknown", 0x8, 0, 0, {.queued = 0}, 0},
		{"pty-master-dev-tty-flag", CKPT_PTY_DEV_TTY, 0, 0, {.queued = 0}, 0},
		{"pty-slave-without-master", 0, 0, 0, {.queued = 0}, 1},
	};
	size_t n;
	for (size_t i = 0; i < N_CASES(cases); i++) {
		const struct pty_case *c = &cases[i];
		struct bytes blob = {0}, none = {0};
		put_pty(&blob, c->st, c->bytes);
		blob.n -= c->cut;
		struct mimage *ms = model_all(seeds->threads, &n);
		add_state_fd(&ms[0], 100, 1000, CKPT_FD_PTY_MASTER, c->kind_flags, 7, &blob);
		if (c->slave_of_other)
			add_state_fd(&ms[0], 101, 1001, CKPT_FD_PTY_SLAVE, 0, 9, &none);
		emit_model(C, ms, n, c->name);
		free_models(ms, n);
		free(blob.p);
	}
	/* A slave with state, a slave flag on it, a master with none. */
	{
		struct bytes blob = {0}, none = {0};
		put_pty(&blob, (struct ckpt_fd_pty){.queued = 0}, 0);
		struct mimage *ms = model_all(seeds->threads, &n);
		add_state_fd(&ms[0], 100, 1000, CKPT_FD_PTY_MASTER, 0, 7, &blob);
		add_state_fd(&ms[0], 101, 1001, CKPT_FD_PTY_SLAVE, 0, 7, &blob);
		emit_model(C, ms, n, "pty-slave-with-state");
		free_models(ms, n);
		ms = model_all(seeds->threads, &n);
		add_state_fd(&ms[0], 100, 1000, CKPT_FD_PTY_MASTER, 0, 7, &blob);
		add_state_fd(&ms[0], 101, 1001, CKPT_FD_PTY_SLAVE, CKPT_PTY_LOCKED, 7, &none);
		emit_model(C, ms, n, "pty-slave-locked-flag");
		free_models(ms, n);
		ms = model_all(seeds->threads, &n);
		add_state_fd(&ms[0], 100, 1000, CKPT_FD_PTY_MASTER, 0, 7, &none);
		emit_model(C, ms, n, "pty-master-without-state");
		free_models(ms, n);
		/* Controlling terminals: of a pty no master holds, twice, with a group of no session, of
		 * a process that leads no session. */
		static const struct ckpt_rec_ctty ctty[][2] = {
			{{9, 0}, {0, 0}}, {{7, 0}, {7, 0}}, {{7, 999999}, {0, 0}}, {{7, 0}, {0, 0}}};
		/* The seed's process does not lead its session: the last case is refused for that alone. */
		static const char *const names[] = {"ctty-pty-without-master", "ctty-two-records", "ctty-foreground-not-a-group",
						    "ctty-not-a-session-leader"};
		for (size_t k = 0; k < N_CASES(names); k++) {
			ms = model_all(seeds->threads, &n);
			add_state_fd(&ms[0], 100, 1000, CKPT_FD_PTY_MASTER, 0, 7, &blob);
			struct mtable t = {.rec_size = sizeof(struct ckpt_rec_ctty)};
			tadd(&t, &ctty[k][0]);
			if (k == 1)
				tadd(&t, &ctty[k][1]);
			tencode(&t, madd(&ms[0], ms[0].nnt, CKPT_NOTE_OWNER, CKPT_NT_CTTY));
			emit_model(C, ms, n, names[k]);
			free_models(ms, n);
		}
		free(blob.p);
	}
}

/* The annotation: its record, and labels, notes and parents that a reader must refuse (they
 * would put escape sequences on a terminal, hide lines, or name files elsewhere), put into
 * rebuilt images of the tree seed. */
static void gen_annotation(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image r = parse(tree, 0);
	const struct noteref *an = ckpt(&r, CKPT_NT_ANNOTATION);
	static const struct field_case record_cases[] = {
		{"origin-5", FIELD(struct ckpt_rec_annotation, origin), SET, 5},
		{"origin-max", FIELD(struct ckpt_rec_annotation, origin), SET, 0xffffffff},
		{"label-none", FIELD(struct ckpt_rec_annotation, label), SET, CKPT_NO_STR},
		{"label-room-0", FIELD(struct ckpt_rec_annotation, label_room), SET, 0},
		{"label-room-4097", FIELD(struct ckpt_rec_annotation, label_room), SET, 4097},
		{"label-room-past-data", FIELD(struct ckpt_rec_annotation, label_room), PLUS, 1 << 12},
		{"label-in-note-region", FIELD(struct ckpt_rec_annotation, label), PLUS, CKPT_ANN_LABEL_ROOM},
		{"note-none", FIELD(struct ckpt_rec_annotation, note), SET, CKPT_NO_STR},
		{"note-room-0", FIELD(struct ckpt_rec_annotation, note_room), SET, 0},
		{"note-room-past-data", FIELD(struct ckpt_rec_annotation, note_room), PLUS, 1},
		{"note-over-label", FIELD(struct ckpt_rec_annotation, note), SET, 0},
		{"parent-in-label-region", FIELD(struct ckpt_rec_annotation, parent), SET, 0},
		{"parent-past-data", FIELD(struct ckpt_rec_annotation, parent), SET, 0x7ffffff0},
	};
	emit_field_cases(C, tree, t_rec(tree, an, 0), record_cases, N_CASES(record_cases));

	/* Hostile strings.  A region given as bytes without a NUL is filled with them. */
	enum { LABEL, NOTE, PARENT };
	static const struct {
		const char *name;
		int field;
		const char *bytes;
		int unterminated;
	} string_cases[] = {
		{"label-escape-sequence", LABEL, "\x1b]0;owned\x07\x1b[2J", 0},
		{"label-newline", LABEL, "two\nlines", 0},
		{"label-carriage-return", LABEL, "shown\rhidden", 0},
		{"label-delete", LABEL, "rub\x7fout", 0},
		{"label-tab", LABEL, "tab\tbed", 0},
		{"label-unterminated", LABEL, "L", 1},
		{"note-escape-sequence", NOTE, "fine\n\x1b[31mred", 0},
		{"note-bell", NOTE, "ring\x07", 0},
		{"note-unterminated", NOTE, "N", 1},
		{"parent-with-slash", PARENT, "../../etc/passwd", 0},
		{"parent-dot-dot", PARENT, "..", 0},
		{"parent-dot", PARENT, ".", 0},
		{"parent-empty", PARENT, "", 0},
		{"parent-escape-sequence", PARENT, "a\x1b[2Jb.ckpt", 0},
		{"parent-too-long", PARENT, NULL, 0},
	};
	for (size_t i = 0; i < N_CASES(string_cases); i++) {
		size_t n;
		struct mimage *ms = model_all(tree, &n);
		struct mnote *mn = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_ANNOTATION);
		struct mtable t = tdecode(mn);
		struct ckpt_rec_annotation rec;
		memcpy(&rec, trec(&t, 0), sizeof(rec));
		const char *bytes = string_cases[i].bytes;
		char longname[CKPT_ANN_PARENT_MAX + 2];
		if (!bytes) {
			memset(longname, 'p', sizeof(longname) - 1);
			longname[sizeof(longname) - 1] = 0;
			bytes = longname;
		}
		if (string_cases[i].field == PARENT) {
			rec.parent = tstr(&t, bytes);
		} else {
			uint32_t off = string_cases[i].field == LABEL ? rec.label : rec.note;
			uint32_t room = string_cases[i].field == LABEL ? rec.label_room : rec.note_room;
			if (string_cases[i].unterminated)
				memset(t.data.p + off, bytes[0], room);
			else
				memcpy(t.data.p + off, bytes, strlen(bytes) + 1);
		}
		memcpy(trec(&t, 0), &rec, sizeof(rec));
		tencode(&t, mn);
		emit_model(C, ms, n, string_cases[i].name);
		for (size_t k = 0; k < n; k++)
			mfree(&ms[k]);
		free(ms);
	}

	/* The root's annotation copied into the child image, and a second one in the root. */
	for (int where = 0; where < 2; where++) {
		size_t n;
		struct mimage *ms = model_all(tree, &n);
		struct mimage *m = &ms[where ? 0 : 1];
		struct mnote *mn = madd(m, m->nnt, CKPT_NOTE_OWNER, CKPT_NT_ANNOTATION);
		b_put(&mn->desc, tree->d + an->desc, an->descsz);
		emit_model(C, ms, n, where ? "annotation-twice" : "annotation-in-child");
		for (size_t k = 0; k < n; k++)
			mfree(&ms[k]);
		free(ms);
	}
	free(r.nt);
}

/* Big counts and amplification, on rebuilt (memory-less) images of the threads seed. */
static void gen_counts(const char *C, const struct seeds *seeds)
{
	const struct file *thr = seeds->threads;
	size_t n;
	struct mimage *ms;

	/* 200000 fds with distinct numbers, then one duplicate at the end. */
	ms = model_all(thr, &n);
	{
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FDS);
		struct mtable t = tdecode(fnote);
		struct ckpt_rec_fd f;
		memcpy(&f, trec(&t, 0), sizeof(f));
		t.recs.n = 0;
		t.count = 0;
		t.data.n = 0;
		for (uint32_t i = 0; i < 200000; i++) {
			f.fd = i;
			f.kind = CKPT_FD_CHR;
			f.path = CKPT_NO_STR;
			f.data_len = 0;
			tadd(&t, &f);
		}
		f.fd = 5;
		tadd(&t, &f);
		tencode(&t, fnote);
		emit_model(C, ms, n, "fds-200000-last-duplicate");
	}
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);

	/* 100000 fds whose paths are all the same 1 MB string: 100 GB if each is copied. */
	ms = model_all(thr, &n);
	{
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FDS);
		struct mtable t = tdecode(fnote);
		struct ckpt_rec_fd f;
		memcpy(&f, trec(&t, 0), sizeof(f));
		t.recs.n = 0;
		t.count = 0;
		t.data.n = 0;
		char *big = xalloc(1 << 20);
		memset(big, 'p', (1 << 20) - 1);
		big[0] = '/';
		uint32_t off = tstr(&t, big);
		free(big);
		for (uint32_t i = 0; i < 100000; i++) {
			f.fd = i;
			f.kind = CKPT_FD_REG;
			f.path = off;
			f.data_len = 0;
			tadd(&t, &f);
		}
		tencode(&t, fnote);
		emit_model(C, ms, n, "fds-100000-share-1MB-path");
	}
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);

	/* The same with pipe data: every pipe record names the same 1 MB blob. */
	ms = model_all(thr, &n);
	{
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FDS);
		struct mtable t = tdecode(fnote);
		struct ckpt_rec_fd f;
		memcpy(&f, trec(&t, 0), sizeof(f));
		t.recs.n = 0;
		t.count = 0;
		t.data.n = 0;
		uint32_t off = (uint32_t)b_put(&t.data, NULL, 1 << 20);
		for (uint32_t i = 0; i < 100000; i++) {
			f.fd = i;
			f.kind = CKPT_FD_PIPE;
			f.path = CKPT_NO_STR;
			f.pipe_size = 1 << 20;
			f.data_off = off;
			f.data_len = 1 << 20;
			tadd(&t, &f);
		}
		tencode(&t, fnote);
		emit_model(C, ms, n, "fds-100000-share-1MB-pipe-data");
	}
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);

	/* 100000 mapped files sharing one 1 MB path. */
	ms = model_all(thr, &n);
	{
		struct mnote *fnote = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_FILES);
		struct mtable t = tdecode(fnote);
		uint8_t rec[sizeof(struct ckpt_rec_file)];
		memcpy(rec, trec(&t, 0), sizeof(rec));
		uint32_t keep = t.count;
		char *big = xalloc(1 << 20);
		memset(big, 'q', (1 << 20) - 1);
		big[0] = '/';
		uint32_t off = tstr(&t, big);
		free(big);
		struct ckpt_rec_file f;
		memcpy(&f, rec, sizeof(f));
		f.path = off;
		for (uint32_t i = keep; i < 100000; i++)
			tadd(&t, &f);
		tencode(&t, fnote);
		emit_model(C, ms, n, "files-100000-share-1MB-path");
	}
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);

	/* 32768 threads (the most allowed), the last one a duplicate; and 32769 threads. */
	for (int over = 0; over < 2; over++) {
		ms = model_all(thr, &n);
		struct mimage *m = &ms[0];
		struct mnote *tnote = mnote(m, CKPT_NOTE_OWNER, CKPT_NT_THREADS);
		struct mtable t = tdecode(tnote);
		struct mnote *pr = mnote(m, "CORE", NT_PRSTATUS);
		struct elf_prstatus st;
		memcpy(&st, pr->desc.p, sizeof(st));
		struct ckpt_rec_thread rec;
		memcpy(&rec, trec(&t, 0), sizeof(rec));
		uint32_t have = t.count, want = over ? 32769 : 32768;
		/* Extra PRSTATUS notes go after the existing thread notes. */
		size_t at = 0;
		for (size_t k = 0; k < m->nnt; k++)
			if (strcmp(m->nt[k].name, CKPT_NOTE_OWNER) != 0)
				at = k + 1;
		for (uint32_t i = have; i < want; i++) {
			uint32_t tid = i + 1 < want || over ? 1000000 + i : rec.tid;
			st.pr_pid = (pid_t)tid;
			struct mnote *nn = madd(m, at++, "CORE", NT_PRSTATUS);
			b_put(&nn->desc, &st, sizeof(st));
			struct ckpt_rec_thread r2 = rec;
			r2.tid = tid;
			r2.comm = CKPT_NO_STR;
			tadd(&t, &r2);
		}
		tencode(&t, mnote(m, CKPT_NOTE_OWNER, CKPT_NT_THREADS));
		struct mnote *pn = mnote(m, CKPT_NOTE_OWNER, CKPT_NT_PROCESS);
		struct mtable pt = tdecode(pn);
		struct ckpt_rec_process p;
		memcpy(&p, trec(&pt, 0), sizeof(p));
		p.nr_threads = want;
		memcpy(trec(&pt, 0), &p, sizeof(p));
		tencode(&pt, pn);
		emit_model(C, ms, n, over ? "threads-32769" : "threads-32768-last-duplicate");
		for (size_t i = 0; i < n; i++)
			mfree(&ms[i]);
		free(ms);
	}

	/* 65536 pending signals, the last one for an unknown thread; and bad signal numbers. */
	for (int kind = 0; kind < 4; kind++) {
		ms = model_all(thr, &n);
		struct mnote *qn = mnote(&ms[0], CKPT_NOTE_OWNER, CKPT_NT_SIGQUEUE);
		struct mtable t = tdecode(qn);
		struct ckpt_rec_sigqueue q = {0};
		int sig = SIGUSR1;
		uint32_t count = kind == 0 ? 65536 : 1;
		for (uint32_t i = 0; i < count; i++) {
			q.tid = 0;
			sig = SIGUSR1;
			if (i + 1 == count) {
				if (kind == 0 || kind == 1)
					q.tid = 999999;
				if (kind == 2)
					sig = 0;
				if (kind == 3)
					sig = 65;
			}
			memcpy(q.siginfo, &sig, sizeof(sig));
			tadd(&t, &q);
		}
		tencode(&t, qn);
		static const char *names[] = {"sigqueue-65536-last-unknown-thread", "sigqueue-unknown-thread",
					      "sigqueue-signal-0", "sigqueue-signal-65"};
		emit_model(C, ms, n, names[kind]);
		for (size_t i = 0; i < n; i++)
			mfree(&ms[i]);
		free(ms);
	}

	/* 70000 mappings (extended program header numbering), the last overlapping the one before. */
	ms = model_all(thr, &n);
	{
		struct mimage *m = &ms[0];
		struct mnote *vn = mnote(m, CKPT_NOTE_OWNER, CKPT_NT_VMAS);
		struct mtable t = tdecode(vn);
		/* Keep only the note phdr and put 70000 one-page anonymous mappings below 4 GiB. */
		Elf64_Phdr note_ph = {0};
		for (size_t k = 0; k < m->nph; k++)
			if (m->ph[k].p_type == PT_NOTE)
				note_ph = m->ph[k];
		const uint32_t N = 70000;
		free(m->ph);
		m->ph = xalloc((N + 1) * sizeof(*m->ph));
		m->nph = N + 1;
		m->ph[0] = note_ph;
		t.recs.n = 0;
		t.count = 0;
		for (uint32_t i = 0; i < N; i++) {
			uint64_t start = 0x10000000ull + (uint64_t)i * 2 * PAGE;
			if (i + 1 == N)
				start -= PAGE;
			struct ckpt_rec_vma v = {.start = start, .end = start + 2 * PAGE, .prot = 3,
						 .flags = CKPT_VMA_ANON, .file = CKPT_NO_INDEX, .store = CKPT_STORE_NONE};
			tadd(&t, &v);
			m->ph[i + 1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = start,
						    .p_memsz = 2 * PAGE, .p_align = PAGE};
		}
		tencode(&t, vn);
		emit_model(C, ms, n, "vmas-70000-last-overlaps");
	}
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);
}

/* ---- the kernel objects of issue 15, on the objects seed ----------------------------------- */

/* The first record of a CKPT table whose 32-bit field at `field` has value v. */
static size_t rec_where(const struct file *f, const struct noteref *n, size_t field, uint32_t v)
{
	for (uint32_t i = 0; i < t_count(f, n); i++)
		if (g32(f, t_rec(f, n, i) + field) == v)
			return t_rec(f, n, i);
	die("the objects seed lacks a record with value %u at offset %zu of note %u", v, field, n->type);
	return 0;
}

#define REC_WHERE(f, n, type, field, v) rec_where(f, n, offsetof(type, field), v)

static void emit_two32(const char *cat, const struct file *seed, size_t a, uint32_t va, size_t b, uint32_t vb, const char *name)
{
	struct file c = fcopy(seed);
	s32(&c, a, va);
	s32(&c, b, vb);
	emit(cat, &c, "%s", name);
	free(c.d);
}

static void gen_timers(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *n = ckpt(r, CKPT_NT_TIMERS);
	size_t posix = REC_WHERE(obj, n, struct ckpt_rec_timer, notify, SIGEV_SIGNAL);
	size_t none = REC_WHERE(obj, n, struct ckpt_rec_timer, notify, SIGEV_NONE);
	size_t itimer = REC_WHERE(obj, n, struct ckpt_rec_timer, kind, CKPT_TIMER_REAL);
	static const struct field_case posix_cases[] = {
		{"timer-kind-0", FIELD(struct ckpt_rec_timer, kind), SET, 0},
		{"timer-kind-9", FIELD(struct ckpt_rec_timer, kind), SET, 9},
		{"timer-clock-monotonic-raw", FIELD(struct ckpt_rec_timer, clockid), SET, CLOCK_MONOTONIC_RAW},
		{"timer-clock-of-an-fd", FIELD(struct ckpt_rec_timer, clockid), SET, (uint32_t)((~0u << 3) | 3)},
		{"timer-clock-of-another-process", FIELD(struct ckpt_rec_timer, clockid), SET, (uint32_t)((~4000000u << 3) | 2)},
		{"timer-notify-sigev-thread", FIELD(struct ckpt_rec_timer, notify), SET, SIGEV_THREAD},
		{"timer-notify-99", FIELD(struct ckpt_rec_timer, notify), SET, 99},
		{"timer-signal-0", FIELD(struct ckpt_rec_timer, signo), SET, 0},
		{"timer-signal-65", FIELD(struct ckpt_rec_timer, signo), SET, 65},
		{"timer-id-2-31", FIELD(struct ckpt_rec_timer, id), SET, 0x80000000u},
		{"timer-value-2-62", FIELD(struct ckpt_rec_timer, value_ns), SET, 1ull << 62},
		{"timer-interval-max", FIELD(struct ckpt_rec_timer, interval_ns), SET, UINT64_MAX},
	}, itimer_cases[] = {
		{"itimer-kind-9", FIELD(struct ckpt_rec_timer, kind), SET, 9},
		{"itimer-value-max", FIELD(struct ckpt_rec_timer, value_ns), SET, UINT64_MAX},
	};
	emit_field_cases(C, obj, posix, posix_cases, N_CASES(posix_cases));
	emit_field_cases(C, obj, itimer, itimer_cases, N_CASES(itimer_cases));
	emit32(C, obj, none + offsetof(struct ckpt_rec_timer, id), g32(obj, posix + offsetof(struct ckpt_rec_timer, id)),
	       "timer-id-twice");
	emit_two32(C, obj, posix + offsetof(struct ckpt_rec_timer, notify), SIGEV_THREAD_ID,
		   posix + offsetof(struct ckpt_rec_timer, notify_tid), 4000000, "timer-to-an-unknown-thread");
	/* An itimer without any time, and a second one of a kind. */
	{
		struct file c = fcopy(obj);
		s64(&c, itimer + offsetof(struct ckpt_rec_timer, value_ns), 0);
		s64(&c, itimer + offsetof(struct ckpt_rec_timer, interval_ns), 0);
		emit(C, &c, "itimer-disarmed");
		free(c.d);
		c = fcopy(obj);
		memcpy(c.d + none, obj->d + itimer, sizeof(struct ckpt_rec_timer));
		emit(C, &c, "itimer-twice");
		free(c.d);
	}
}

static void gen_locks(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *n = ckpt(r, CKPT_NT_LOCKS), *fds = ckpt(r, CKPT_NT_FDS);
	size_t fl = REC_WHERE(obj, n, struct ckpt_rec_lock, kind, CKPT_LOCK_FLOCK);
	size_t px = REC_WHERE(obj, n, struct ckpt_rec_lock, kind, CKPT_LOCK_POSIX);
	static const struct field_case cases[] = {
		{"lock-kind-0", FIELD(struct ckpt_rec_lock, kind), SET, 0},
		{"lock-kind-5", FIELD(struct ckpt_rec_lock, kind), SET, 5},
		{"lease-on-a-range", FIELD(struct ckpt_rec_lock, kind), SET, CKPT_LOCK_LEASE},
		{"lock-flags-2", FIELD(struct ckpt_rec_lock, flags), SET, 2},
		{"lock-breaking-not-a-lease", FIELD(struct ckpt_rec_lock, flags), SET, CKPT_LOCK_BREAKING},
		{"lock-type-3", FIELD(struct ckpt_rec_lock, type), SET, 3},
		{"lock-start-after-end", FIELD(struct ckpt_rec_lock, start), SET, 1000},
		{"lock-start-2-63", FIELD(struct ckpt_rec_lock, start), SET, 1ull << 63},
		{"lock-end-2-63", FIELD(struct ckpt_rec_lock, end), SET, 1ull << 63},
		{"lock-fd-unknown", FIELD(struct ckpt_rec_lock, fd), SET, 999},
		{"lock-read-through-write-only-fd", FIELD(struct ckpt_rec_lock, type), SET, CKPT_LOCK_READ},
	};
	emit_field_cases(C, obj, px, cases, N_CASES(cases));
	emit64(C, obj, fl + offsetof(struct ckpt_rec_lock, start), 5, "flock-on-a-range");
	/* Through the read end of a pipe, and through stdin (read-only) for a write lock. */
	size_t pipe_fd = REC_WHERE(obj, fds, struct ckpt_rec_fd, kind, CKPT_FD_PIPE);
	emit32(C, obj, px + offsetof(struct ckpt_rec_lock, fd), g32(obj, pipe_fd), "lock-on-a-pipe");
	emit32(C, obj, px + offsetof(struct ckpt_rec_lock, fd), 0, "lock-write-through-read-only-fd");
	/* The flock's record made a lease (whole file): on stdin (a device), and a write lease being broken. */
	struct file c = fcopy(obj);
	s32(&c, fl + offsetof(struct ckpt_rec_lock, kind), CKPT_LOCK_LEASE);
	emit32(C, &c, fl + offsetof(struct ckpt_rec_lock, fd), 0, "lease-on-stdin-not-a-regular-file");
	s32(&c, fl + offsetof(struct ckpt_rec_lock, type), CKPT_LOCK_WRITE);
	emit32(C, &c, fl + offsetof(struct ckpt_rec_lock, flags), CKPT_LOCK_BREAKING, "lease-write-breaking");
	free(c.d);
}

static void gen_sysvipc(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *n = ckpt(r, CKPT_NT_SYSVIPC);
	size_t mapped = REC_WHERE(obj, n, struct ckpt_rec_ipc, flags, CKPT_IPC_MAPPED);
	size_t sem = REC_WHERE(obj, n, struct ckpt_rec_ipc, kind, CKPT_IPC_SEM);
	size_t msg = REC_WHERE(obj, n, struct ckpt_rec_ipc, kind, CKPT_IPC_MSG);
	size_t lone = 0;
	for (uint32_t i = 0; i < t_count(obj, n); i++) {
		size_t at = t_rec(obj, n, i);
		if (g32(obj, at) == CKPT_IPC_SHM && !g32(obj, at + offsetof(struct ckpt_rec_ipc, flags)))
			lone = at;
	}
	if (!lone)
		die("the objects seed lacks an unmapped SysV segment");
	static const struct field_case any_cases[] = {
		{"ipc-kind-0", FIELD(struct ckpt_rec_ipc, kind), SET, 0},
		{"ipc-kind-4", FIELD(struct ckpt_rec_ipc, kind), SET, 4},
		{"ipc-id-negative", FIELD(struct ckpt_rec_ipc, id), SET, 0xffffffffu},
		{"ipc-mode-setuid", FIELD(struct ckpt_rec_ipc, mode), SET, 04600},
		{"ipc-mode-removed-semaphores", FIELD(struct ckpt_rec_ipc, mode), SET, 01600},
		{"ipc-flags-on-semaphores", FIELD(struct ckpt_rec_ipc, flags), SET, CKPT_IPC_MAPPED},
		{"sem-count-0", FIELD(struct ckpt_rec_ipc, size), SET, 0},
		{"sem-count-32001", FIELD(struct ckpt_rec_ipc, size), SET, 32001},
		{"sem-count-plus-1", FIELD(struct ckpt_rec_ipc, size), PLUS, 1},
	}, lone_cases[] = {
		{"shm-size-0", FIELD(struct ckpt_rec_ipc, size), SET, 0},
		{"shm-size-2-41", FIELD(struct ckpt_rec_ipc, size), SET, 1ull << 41},
		{"shm-size-plus-1", FIELD(struct ckpt_rec_ipc, size), PLUS, 1},
		{"shm-removed-and-unmapped", FIELD(struct ckpt_rec_ipc, mode), SET, CKPT_SHM_DEST | 0600},
		{"shm-mode-bit-4000", FIELD(struct ckpt_rec_ipc, mode), SET, 04000 | 0600},
	}, mapped_cases[] = {
		{"shm-smaller-than-its-mapping", FIELD(struct ckpt_rec_ipc, size), SET, 4096},
		{"shm-larger-than-its-mappings", FIELD(struct ckpt_rec_ipc, size), SET, 16384},
		{"shm-mapped-with-a-blob", FIELD(struct ckpt_rec_ipc, data_len), SET, 8},
	}, msg_cases[] = {
		{"msg-count-plus-1", FIELD(struct ckpt_rec_ipc, nmsgs), PLUS, 1},
		{"msg-count-0", FIELD(struct ckpt_rec_ipc, nmsgs), SET, 0},
		{"msg-over-its-limit", FIELD(struct ckpt_rec_ipc, size), SET, 2},
		{"msg-flags", FIELD(struct ckpt_rec_ipc, flags), SET, 2},
	};
	emit_field_cases(C, obj, sem, any_cases, N_CASES(any_cases));
	emit_field_cases(C, obj, lone, lone_cases, N_CASES(lone_cases));
	emit_field_cases(C, obj, mapped, mapped_cases, N_CASES(mapped_cases));
	emit_field_cases(C, obj, msg, msg_cases, N_CASES(msg_cases));
	/* Said to be in the mappings, but mapped by nobody. */
	emit_two32(C, obj, lone + offsetof(struct ckpt_rec_ipc, flags), CKPT_IPC_MAPPED, lone + offsetof(struct ckpt_rec_ipc, data_len),
		   0, "shm-in-mappings-nobody-has");
	emit32(C, obj, lone + offsetof(struct ckpt_rec_ipc, id), g32(obj, mapped + offsetof(struct ckpt_rec_ipc, id)), "shm-id-twice");
	emit_two32(C, obj, lone + offsetof(struct ckpt_rec_ipc, key), 0x1234, mapped + offsetof(struct ckpt_rec_ipc, key), 0x1234,
		   "shm-key-twice");
	/* The blobs: a semaphore above SEMVMX, a message of type 0 or of a huge length. */
	size_t sem_values = t_data(obj, n) + g32(obj, sem + offsetof(struct ckpt_rec_ipc, data_off));
	{
		struct file c = fcopy(obj);
		s16(&c, sem_values, 32768);
		emit(C, &c, "sem-value-32768");
		free(c.d);
	}
	size_t first_msg = t_data(obj, n) + g32(obj, msg + offsetof(struct ckpt_rec_ipc, data_off));
	emit64(C, obj, first_msg, 0, "msg-type-0");
	emit64(C, obj, first_msg, 1ull << 63, "msg-type-negative");
	emit64(C, obj, first_msg + 8, 1ull << 30, "msg-length-1G");
	emit64(C, obj, first_msg + 8, 9, "msg-length-past-the-blob");
}

static void gen_seccomp(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *n = ckpt(r, CKPT_NT_SECCOMP);
	size_t strict = REC_WHERE(obj, n, struct ckpt_rec_seccomp, mode, 1);
	size_t filter = REC_WHERE(obj, n, struct ckpt_rec_seccomp, mode, 2);
	static const struct field_case cases[] = {
		{"seccomp-mode-3", FIELD(struct ckpt_rec_seccomp, mode), SET, 3},
		{"seccomp-filter-mode-without-filters", FIELD(struct ckpt_rec_seccomp, nfilters), SET, 0},
		{"seccomp-more-filters-than-stored", FIELD(struct ckpt_rec_seccomp, nfilters), SET, 2},
		{"seccomp-flags-unknown", FIELD(struct ckpt_rec_seccomp, flags), SET, 2},
		{"seccomp-thread-unknown", FIELD(struct ckpt_rec_seccomp, tid), SET, 4000000},
		{"seccomp-blob-longer", FIELD(struct ckpt_rec_seccomp, data_len), PLUS, 8},
		{"seccomp-blob-shorter", FIELD(struct ckpt_rec_seccomp, data_len), PLUS, (uint64_t)-8},
	};
	emit_field_cases(C, obj, filter, cases, N_CASES(cases));
	emit32(C, obj, strict + offsetof(struct ckpt_rec_seccomp, nfilters), 1, "seccomp-strict-with-filters");
	emit32(C, obj, strict + offsetof(struct ckpt_rec_seccomp, tid), g32(obj, filter), "seccomp-thread-twice");
	/* Inside the filter: its header, then its instructions (code u16, jt, jf, k u32). */
	size_t h = t_data(obj, n) + g32(obj, filter + offsetof(struct ckpt_rec_seccomp, data_off)), insn = h + 8;
	uint32_t count = g32(obj, h + 4);
	emit32(C, obj, h, 1 /* TSYNC */, "seccomp-filter-flag-tsync");
	emit32(C, obj, h + 4, 0, "seccomp-filter-of-0-instructions");
	emit32(C, obj, h + 4, 5000, "seccomp-filter-of-5000-instructions");
	struct { const char *name; size_t at; int width; uint32_t v; } insn_cases[] = {
		{"seccomp-unknown-instruction", insn, 2, 0x0d},
		{"seccomp-load-unaligned", insn + 4, 4, 2},
		{"seccomp-load-past-seccomp-data", insn + 4, 4, 64},
		{"seccomp-jump-past-the-end", insn + 8 + 2, 1, 200},
		{"seccomp-division-by-zero", insn, 4, 0x34 /* ALU DIV K, k of the load: 0 */},
		{"seccomp-no-return-at-the-end", insn + (count - 1) * 8, 2, 0x00 /* LD IMM */},
		{"seccomp-scratch-word-16", insn, 2, 0x02 /* ST */},
	};
	for (size_t i = 0; i < N_CASES(insn_cases); i++) {
		struct file c = fcopy(obj);
		if (insn_cases[i].width == 4)
			s32(&c, insn_cases[i].at, insn_cases[i].v);
		else if (insn_cases[i].width == 2)
			s16(&c, insn_cases[i].at, (uint16_t)insn_cases[i].v);
		else
			c.d[insn_cases[i].at] = (uint8_t)insn_cases[i].v;
		if (strcmp(insn_cases[i].name, "seccomp-scratch-word-16") == 0)
			s32(&c, insn + 4, 16);
		if (strcmp(insn_cases[i].name, "seccomp-division-by-zero") == 0) {
			s16(&c, insn, 0x34);
			s32(&c, insn + 4, 0);
		}
		emit(C, &c, "%s", insn_cases[i].name);
		free(c.d);
	}
}

static void gen_zombies(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *tn = ckpt(r, CKPT_NT_TREE);
	size_t z = REC_WHERE(obj, tn, struct ckpt_rec_tree, flags, CKPT_TREE_ZOMBIE), root = t_rec(obj, tn, 0);
	uint32_t zpid = g32(obj, z), root_pid = g32(obj, root);
	static const struct field_case cases[] = {
		{"zombie-with-an-image", FIELD(struct ckpt_rec_tree, image_size), SET, PAGE},
		{"zombie-with-an-image-offset", FIELD(struct ckpt_rec_tree, image_offset), SET, PAGE},
		{"zombie-stopped", FIELD(struct ckpt_rec_tree, exit_code), SET, 0x137f},
		{"zombie-killed-by-sigchld", FIELD(struct ckpt_rec_tree, exit_code), SET, SIGCHLD},
		{"zombie-killed-by-signal-65", FIELD(struct ckpt_rec_tree, exit_code), SET, 65},
		{"zombie-status-high-bits", FIELD(struct ckpt_rec_tree, exit_code), SET, 0x10300},
		{"zombie-pid-1", FIELD(struct ckpt_rec_tree, pid), SET, 1},
		{"zombie-pid-huge", FIELD(struct ckpt_rec_tree, pid), SET, 1u << 23},
		{"zombie-parent-unknown", FIELD(struct ckpt_rec_tree, ppid), SET, 4000000},
	};
	emit_field_cases(C, obj, z, cases, N_CASES(cases));
	emit32(C, obj, z, root_pid, "zombie-pid-of-the-root");
	emit32(C, obj, z + offsetof(struct ckpt_rec_tree, ppid), zpid, "zombie-its-own-parent");
	emit32(C, obj, root + offsetof(struct ckpt_rec_tree, flags), CKPT_TREE_ZOMBIE, "zombie-root");
	emit32(C, obj, z + offsetof(struct ckpt_rec_tree, flags), CKPT_TREE_ZOMBIE | CKPT_TREE_STOPPED,
	       "zombie-in-a-job-control-stop");
	emit32(C, obj, root + offsetof(struct ckpt_rec_tree, flags), 0x4, "tree-flags-unknown");
	emit32(C, obj, z + offsetof(struct ckpt_rec_tree, sid), zpid, "zombie-session-leader-without-group");
}

/* Each kernel object's note: its records, its table, a second copy. */
/* The process attributes (note 19): each field out of its range. */
static void gen_procattr(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *n = ckpt(r, CKPT_NT_PROCATTR);
	static const struct field_case cases[] = {
		{"procattr-flags-unknown", FIELD(struct ckpt_rec_procattr, flags), SET, 0x40},
		{"procattr-uid-minus-1", FIELD(struct ckpt_rec_procattr, uid), SET, 0xffffffff},
		{"procattr-fsgid-minus-1", FIELD(struct ckpt_rec_procattr, fsgid), SET, 0xffffffff},
		{"procattr-mlock-onfault-without-future", FIELD(struct ckpt_rec_procattr, flags), SET, 0x10},
		{"procattr-dumpable-3", FIELD(struct ckpt_rec_procattr, dumpable), SET, 3},
		{"procattr-pdeath-sig-65", FIELD(struct ckpt_rec_procattr, pdeath_sig), SET, 65},
		{"procattr-oom-score-adj-1001", FIELD(struct ckpt_rec_procattr, oom_score_adj), SET, 1001},
		{"procattr-oom-score-adj-minus-1001", FIELD(struct ckpt_rec_procattr, oom_score_adj), SET, (uint32_t)-1001},
		{"procattr-sched-policy-4", FIELD(struct ckpt_rec_procattr, sched_policy), SET, 4},
		{"procattr-sched-policy-deadline", FIELD(struct ckpt_rec_procattr, sched_policy), SET, 6},
		{"procattr-sched-other-with-priority", FIELD(struct ckpt_rec_procattr, sched_priority), SET, 1},
		{"procattr-nice-20", FIELD(struct ckpt_rec_procattr, nice), SET, 20},
		{"procattr-nice-minus-21", FIELD(struct ckpt_rec_procattr, nice), SET, (uint32_t)-21},
		{"procattr-membarrier-unknown", FIELD(struct ckpt_rec_procattr, membarrier), SET, 0x1},
		{"procattr-groups-65537", FIELD(struct ckpt_rec_procattr, ngroups), SET, 65537},
		{"procattr-groups-past-data", FIELD(struct ckpt_rec_procattr, ngroups), PLUS, 1000},
		{"procattr-root-past-data", FIELD(struct ckpt_rec_procattr, root), SET, 0x7fffff00},
		{"procattr-cwd-ino-cwd-not-deleted", FIELD(struct ckpt_rec_procattr, cwd_ino), SET, 5},
	};
	size_t rec = t_rec(obj, n, 0);
	emit_field_cases(C, obj, rec, cases, N_CASES(cases));
	/* Real-time policies need a priority of 1 to 99. */
	emit_two32(C, obj, rec + offsetof(struct ckpt_rec_procattr, sched_policy), 1,
		   rec + offsetof(struct ckpt_rec_procattr, sched_priority), 0, "procattr-fifo-priority-0");
	emit_two32(C, obj, rec + offsetof(struct ckpt_rec_procattr, sched_policy), 2,
		   rec + offsetof(struct ckpt_rec_procattr, sched_priority), 100, "procattr-rr-priority-100");
	/* The note cut short inside its record (the notes after it then misalign). */
	emit32(C, obj, n->hdr + 4, (uint32_t)(rec - n->desc) + 8, "procattr-note-cut-short");
}

/* A raw socket's record and options with values no raw socket has. */
static void gen_raw(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *fdn = ckpt(r, CKPT_NT_FDS);
	size_t rec = REC_WHERE(obj, fdn, struct ckpt_rec_fd, kind, CKPT_FD_RAW);
	size_t blob = t_data(obj, fdn) + g32(obj, rec + offsetof(struct ckpt_rec_fd, data_off));
	static const struct field_case cases[] = {
		{"raw-family-unix", FIELD(struct ckpt_fd_raw, family), SET, 1},
		{"raw-type-dgram", FIELD(struct ckpt_fd_raw, sk.type), SET, 2},
		{"raw-protocol-263", FIELD(struct ckpt_fd_raw, protocol), SET, 263},
		{"raw-state-listening", FIELD(struct ckpt_fd_raw, sk.state), SET, 10},
		{"raw-peer-when-unconnected", FIELD(struct ckpt_fd_raw, peer[0]), SET, 127},
		{"raw-local-beyond-ipv4", FIELD(struct ckpt_fd_raw, local[4]), SET, 1},
		{"raw-flags-unknown", FIELD(struct ckpt_fd_raw, raw_flags), SET, 2},
		{"raw-icmp6-filter-on-ipv4", FIELD(struct ckpt_fd_raw, icmp6_filter[3]), SET, 1},
		{"raw-ipv6-only-on-ipv4", FIELD(struct ckpt_fd_raw, sk.opts), SET, CKPT_SKO_V6ONLY},
		{"raw-messages", FIELD(struct ckpt_fd_raw, sk.nmsgs), SET, 1},
		{"raw-backlog", FIELD(struct ckpt_fd_raw, sk.backlog), SET, 5},
		{"raw-options-size-44", sizeof(struct ckpt_fd_raw) + offsetof(struct ckpt_sk_options, size), 4, SET, 44},
		{"raw-options-cork", sizeof(struct ckpt_fd_raw) + offsetof(struct ckpt_sk_options, flags), 4, SET, CKPT_SKX_CORK},
	};
	emit_field_cases(C, obj, blob, cases, N_CASES(cases));
	static const struct field_case fd_cases[] = {
		{"raw-kind-flags-queues", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_QUEUES},
		{"raw-without-options", FIELD(struct ckpt_rec_fd, kind_flags), SET, 0},
		{"raw-state-one-byte-more", FIELD(struct ckpt_rec_fd, data_len), PLUS, 1},
		{"raw-state-cut-short", FIELD(struct ckpt_rec_fd, data_len), SET, 8},
	};
	emit_field_cases(C, obj, rec, fd_cases, N_CASES(fd_cases));
}

/* A netlink socket's record with values no netlink socket has. */
static void gen_netlink(const char *C, const struct file *obj, const struct image *r)
{
	const struct noteref *fdn = ckpt(r, CKPT_NT_FDS);
	size_t rec = REC_WHERE(obj, fdn, struct ckpt_rec_fd, kind, CKPT_FD_NETLINK);
	size_t blob = t_data(obj, fdn) + g32(obj, rec + offsetof(struct ckpt_rec_fd, data_off));
	static const struct field_case cases[] = {
		{"netlink-type-stream", FIELD(struct ckpt_fd_netlink, sk.type), SET, 1},
		{"netlink-protocol-32", FIELD(struct ckpt_fd_netlink, protocol), SET, 32},
		{"netlink-state-listening", FIELD(struct ckpt_fd_netlink, sk.state), SET, 10},
		{"netlink-unconnected-with-destination", FIELD(struct ckpt_fd_netlink, sk.state), SET, 7},
		{"netlink-destination-group-33", FIELD(struct ckpt_fd_netlink, dst_group), SET, 33},
		{"netlink-flags-unknown", FIELD(struct ckpt_fd_netlink, nl_flags), SET, 0x80},
		{"netlink-reserved", FIELD(struct ckpt_fd_netlink, reserved), SET, 1},
		{"netlink-messages", FIELD(struct ckpt_fd_netlink, sk.nmsgs), SET, 1},
		{"netlink-options-freebind", sizeof(struct ckpt_fd_netlink) + offsetof(struct ckpt_sk_options, flags), 4, SET,
		 CKPT_SKX_FREEBIND},
		{"netlink-options-size-4100", sizeof(struct ckpt_fd_netlink) + offsetof(struct ckpt_sk_options, size), 4, SET,
		 4100},
	};
	emit_field_cases(C, obj, blob, cases, N_CASES(cases));
	static const struct field_case fd_cases[] = {
		{"netlink-kind-flags-unknown", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_RESET},
		{"netlink-state-cut-short", FIELD(struct ckpt_rec_fd, data_len), SET, 40},
	};
	emit_field_cases(C, obj, rec, fd_cases, N_CASES(fd_cases));
}

static void gen_objects(const char *C, const struct seeds *seeds)
{
	const struct file *obj = seeds->objects;
	if (!obj)
		return;
	struct image r = parse(obj, 0);
	gen_timers(C, obj, &r);
	gen_locks(C, obj, &r);
	gen_sysvipc(C, obj, &r);
	gen_seccomp(C, obj, &r);
	gen_zombies(C, obj, &r);
	gen_procattr(C, obj, &r);
	gen_raw(C, obj, &r);
	gen_netlink(C, obj, &r);
	static const uint32_t types[] = {CKPT_NT_TIMERS, CKPT_NT_LOCKS, CKPT_NT_SYSVIPC, CKPT_NT_SECCOMP, CKPT_NT_PROCATTR};
	for (size_t i = 0; i < N_CASES(types); i++) {
		const struct noteref *n = ckpt(&r, types[i]);
		/* Shorter than the oldest record the reader takes (process attributes grew since). */
		uint32_t oldest = types[i] == CKPT_NT_PROCATTR ? (uint32_t)CKPT_REC_PROCATTR_OLDEST_SIZE : t_rec_size(obj, n);
		emit32(C, obj, n->desc + T_REC_SIZE, oldest - 4, "note-%u-rec-size-short", types[i]);
		emit32(C, obj, n->desc + T_COUNT, t_count(obj, n) + 1, "note-%u-count-plus-1", types[i]);
		emit32(C, obj, n->desc + T_COUNT, 0x7fffffff, "note-%u-count-2g", types[i]);
		emit32(C, obj, n->desc + T_DATA_OFF, n->descsz + 1, "note-%u-data-off-past-note", types[i]);
		emit32(C, obj, n->desc + T_DATA_SIZE, t_data_size(obj, n) + 4, "note-%u-data-size-plus-4", types[i]);
		/* The next note of these retyped as this one: the note twice. */
		uint32_t other = types[(i + 1) % N_CASES(types)];
		emit32(C, obj, ckpt(&r, other)->hdr + 8, types[i], "note-%u-twice", types[i]);
	}
	free(r.nt);
}

/* Statefiles that the reader accepts but restart cannot honour: restart must refuse them
 * cleanly (one line, nothing left behind).  Written only with 'mkcorpus semantic'. */
static size_t socket_record(const struct file *f, const struct noteref *fdn, uint32_t kind, int want_tcp);

static void gen_semantic(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image r = parse(tree, 0);
	size_t e1 = tree_rec(tree, &r, 1);
	uint64_t child = g64(tree, e1 + offsetof(struct ckpt_rec_tree, image_offset));
	struct image ch = parse(tree, child);
	size_t cp = t_rec(tree, ckpt(&ch, CKPT_NT_PROCESS), 0), rp = t_rec(tree, ckpt(&r, CKPT_NT_PROCESS), 0);
	uint32_t child_pid = g32(tree, e1);
	/* The child in a process group that does not exist. */
	emit32_both(C, tree, e1 + offsetof(struct ckpt_rec_tree, pgid),
		    cp + offsetof(struct ckpt_rec_process, pgid), 4000000, "child-pgid-nowhere");
	/* The child leads its own session but stays in the root's process group. */
	emit32_both(C, tree, e1 + offsetof(struct ckpt_rec_tree, sid),
		    cp + offsetof(struct ckpt_rec_process, sid), child_pid, "child-session-without-group");
	/* The child's main thread is missing: its only thread has another tid. */
	{
		const struct noteref *tn = ckpt(&ch, CKPT_NT_THREADS);
		const struct noteref *pr = note(&ch, "CORE", NT_PRSTATUS, 0);
		struct file c = fcopy(tree);
		s32(&c, t_rec(&c, tn, 0), child_pid + 1);
		s32(&c, pr->desc + offsetof(struct elf_prstatus, pr_pid), child_pid + 1);
		emit(C, &c, "child-main-thread-missing");
		free(c.d);
	}
	/* The root is pid 1. */
	{
		struct file c = fcopy(tree);
		size_t e0 = tree_rec(tree, &r, 0);
		s32(&c, e0, 1);
		s32(&c, rp + offsetof(struct ckpt_rec_process, pid), 1);
		s32(&c, e1 + offsetof(struct ckpt_rec_tree, ppid), 1);
		s32(&c, cp + offsetof(struct ckpt_rec_process, ppid), 1);
		const struct noteref *tn = ckpt(&r, CKPT_NT_THREADS);
		const struct noteref *pr = note(&r, "CORE", NT_PRSTATUS, 0);
		s32(&c, t_rec(&c, tn, 0), 1);
		s32(&c, pr->desc + offsetof(struct elf_prstatus, pr_pid), 1);
		emit(C, &c, "root-pid-1");
		free(c.d);
	}
	/* RLIMIT_NOFILE 0 for the root, and an fd above its limit. */
	{
		struct file c = fcopy(tree);
		size_t rl = rp + offsetof(struct ckpt_rec_process, rlimits) + 7 * 16; /* RLIMIT_NOFILE */
		s64(&c, rl, 3);
		s64(&c, rl + 8, 3);
		emit(C, &c, "root-nofile-3");
		free(c.d);
	}
	/* A mapping moved to page 0 (below mmap_min_addr), in the child. */
	{
		const struct noteref *vn = ckpt(&ch, CKPT_NT_VMAS);
		uint32_t n = t_count(tree, vn);
		for (uint32_t i = 0, load = 0; i < n; i++, load++) {
			while (get_ph(tree, &ch, load).p_type != PT_LOAD)
				load++;
			size_t v = t_rec(tree, vn, i);
			Elf64_Phdr ph = get_ph(tree, &ch, load);
			if (g32(tree, v + offsetof(struct ckpt_rec_vma, file)) == CKPT_NO_INDEX)
				continue;
			struct file c = fcopy(tree);
			/* Records stay sorted: the first mapping is the lowest. */
			if (i != 0)
				break;
			s64(&c, PH_FIELD(&ch, load, p_vaddr), 0);
			s64(&c, v + offsetof(struct ckpt_rec_vma, start), 0);
			s64(&c, v + offsetof(struct ckpt_rec_vma, end), ph.p_memsz);
			emit(C, &c, "child-mapping-at-0");
			free(c.d);
			break;
		}
	}
	/* An fd of the root that is a directory now claims to be a regular file path that is a
	 * directory, and one that names a file that does not exist. */
	{
		const struct noteref *fn = ckpt(&r, CKPT_NT_FDS);
		struct file c = fcopy(tree);
		s32(&c, t_rec(&c, fn, 0) + offsetof(struct ckpt_rec_fd, fd), 1048575);
		emit(C, &c, "root-fd-1048575");
		free(c.d);
	}
	/* An fd saved as in flight that no queued message carries. */
	{
		const struct noteref *fn = ckpt(&r, CKPT_NT_FDS);
		size_t at = t_rec(tree, fn, 0) + offsetof(struct ckpt_rec_fd, fd_flags);
		emit32(C, tree, at, g32(tree, at) | CKPT_FDF_IN_FLIGHT, "fd-in-flight-carried-by-nothing");
	}
	/* A unix socket whose peer in the tree is no socket of the statefile. */
	{
		const struct noteref *fn = ckpt(&r, CKPT_NT_FDS);
		size_t rec = socket_record(tree, fn, CKPT_FD_UNIX, -1);
		if (rec && (g32(tree, rec + offsetof(struct ckpt_rec_fd, kind_flags)) & CKPT_SK_PEER_IN_TREE))
			emit64(C, tree, t_data(tree, fn) + g32(tree, rec + offsetof(struct ckpt_rec_fd, data_off)) +
					      offsetof(struct ckpt_fd_unix, peer_ino),
			       0xdeadbeef, "unix-peer-nowhere");
	}
	free(ch.nt);
	free(r.nt);
}

/* The root's first fd of this kind whose record carries its queues (CKPT_SK_QUEUES), and, when
 * want_tcp is 0 or 1, whose protocol is UDP or TCP; returns its record's offset, 0 if none. */
static size_t socket_record(const struct file *f, const struct noteref *fdn, uint32_t kind, int want_tcp)
{
	for (uint32_t i = 0; i < t_count(f, fdn); i++) {
		size_t rec = t_rec(f, fdn, i);
		if (g32(f, rec + offsetof(struct ckpt_rec_fd, kind)) != kind ||
		    !(g32(f, rec + offsetof(struct ckpt_rec_fd, kind_flags)) & CKPT_SK_QUEUES))
			continue;
		size_t blob = t_data(f, fdn) + g32(f, rec + offsetof(struct ckpt_rec_fd, data_off));
		if (want_tcp >= 0 && (g32(f, blob + offsetof(struct ckpt_fd_inet, protocol)) == 6) != want_tcp)
			continue;
		return rec;
	}
	return 0;
}

/* Socket state that no socket has, or that cannot be rebuilt: in a unix socket's, a TCP
 * connection's and a UDP socket's record, its options block (right after the record; the
 * seed's sockets are unnamed, so the first queued message follows the block), and in their
 * flags. */
#define UNIX_OPT(f) sizeof(struct ckpt_fd_unix) + offsetof(struct ckpt_sk_options, f), 4
#define INET_OPT(f) sizeof(struct ckpt_fd_inet) + offsetof(struct ckpt_sk_options, f), 4
#define UNIX_MSG (sizeof(struct ckpt_fd_unix) + offsetof(struct ckpt_sk_options, filter))
#define INET_MSG (sizeof(struct ckpt_fd_inet) + offsetof(struct ckpt_sk_options, filter))
static void gen_sockets(const char *C, const struct seeds *seeds)
{
	const struct file *tree = seeds->tree;
	struct image r = parse(tree, 0);
	const struct noteref *fdn = ckpt(&r, CKPT_NT_FDS);
	static const struct field_case unix_cases[] = {
		{"unix-type-0", FIELD(struct ckpt_fd_unix, sk.type), SET, 0},
		{"unix-type-raw", FIELD(struct ckpt_fd_unix, sk.type), SET, 3},
		{"unix-state-3", FIELD(struct ckpt_fd_unix, sk.state), SET, 3},
		{"unix-name-length-109", FIELD(struct ckpt_fd_unix, name_len), SET, 109},
		{"unix-name-length-max", FIELD(struct ckpt_fd_unix, name_len), SET, 0xffffffff},
		{"unix-peer-name-length-max", FIELD(struct ckpt_fd_unix, peer_name_len), SET, 0xffffffff},
		{"unix-messages-max", FIELD(struct ckpt_fd_unix, sk.nmsgs), SET, 0xffffffff},
		{"unix-messages-one-more", FIELD(struct ckpt_fd_unix, sk.nmsgs), PLUS, 1},
		{"unix-shutdown-4", FIELD(struct ckpt_fd_unix, shutdown), SET, 4},
		{"unix-peek-offset-minus-2", FIELD(struct ckpt_fd_unix, sk.peek_off), SET, 0xfffffffe},
		{"unix-options-unknown", FIELD(struct ckpt_fd_unix, sk.opts), SET, 0x80000000},
		{"unix-backlog-when-connected", FIELD(struct ckpt_fd_unix, sk.backlog), SET, 5},
		{"unix-pending-when-connected", FIELD(struct ckpt_fd_unix, pending), SET, 1},
		{"unix-receive-timeout-huge", FIELD(struct ckpt_fd_unix, sk.rcvtimeo_us), SET, 1ull << 62},
		{"unix-first-message-length-max", UNIX_MSG + offsetof(struct ckpt_sk_msg, len), 4, SET, 0xffffffff},
		{"unix-first-message-fds-254", UNIX_MSG + offsetof(struct ckpt_sk_msg, nfds), 4, SET, 254},
		{"unix-options-size-0", UNIX_OPT(size), SET, 0},
		{"unix-options-size-44", UNIX_OPT(size), SET, 44},
		{"unix-options-size-50", UNIX_OPT(size), SET, 50},
		{"unix-options-size-4100", UNIX_OPT(size), SET, 4100},
		{"unix-options-filter-beyond-block", UNIX_OPT(filter_len), SET, 1},
		{"unix-options-filter-257", UNIX_OPT(filter_len), SET, 257},
		{"unix-options-lock-filter-without-filter", UNIX_OPT(flags), SET, CKPT_SKX_LOCK_FILTER},
		{"unix-options-size-max", UNIX_OPT(size), SET, 0xffffffff},
		{"unix-options-flags-unknown", UNIX_OPT(flags), SET, 0x80},
		{"unix-options-cork", UNIX_OPT(flags), SET, CKPT_SKX_CORK},
		{"unix-options-linger-when-off", UNIX_OPT(linger), SET, 5},
		{"unix-options-rcvlowat-huge", UNIX_OPT(rcvlowat), SET, 0x80000000u},
		{"unix-options-priority-huge", UNIX_OPT(priority), SET, 0x80000000u},
		{"unix-options-keepidle", UNIX_OPT(keepidle), SET, 60},
		{"unix-options-user-timeout", UNIX_OPT(user_timeout), SET, 1000},
		{"unix-options-ttl", UNIX_OPT(ttl), SET, 64},
		{"unix-options-freebind", UNIX_OPT(flags), SET, CKPT_SKX_FREEBIND},
		{"unix-options-nonlocal", UNIX_OPT(flags), SET, CKPT_SKX_NONLOCAL},
		{"unix-options-buf-lock-4", UNIX_OPT(buf_lock), SET, 4},
		{"unix-options-bound-dev-unterminated", UNIX_OPT(bound_dev[12]), SET, 0x41414141},
		{"unix-options-bound-dev-slash", UNIX_OPT(bound_dev[0]), SET, 0x00622f61},
		{"unix-options-bound-dev-after-nul", UNIX_OPT(bound_dev[4]), SET, 0x41},
	}, tcp_cases[] = {
		{"tcp-family-unix", FIELD(struct ckpt_fd_inet, family), SET, 1},
		{"tcp-protocol-sctp", FIELD(struct ckpt_fd_inet, protocol), SET, 132},
		{"tcp-type-raw", FIELD(struct ckpt_fd_inet, sk.type), SET, 3},
		{"tcp-state-time-wait", FIELD(struct ckpt_fd_inet, sk.state), SET, 6},
		{"tcp-state-12", FIELD(struct ckpt_fd_inet, sk.state), SET, 12},
		{"tcp-state-listening-with-peer", FIELD(struct ckpt_fd_inet, sk.state), SET, 10},
		{"tcp-local-family-ipv6", FIELD(struct ckpt_fd_inet, local.family), SET, 10},
		{"tcp-peer-family-7", FIELD(struct ckpt_fd_inet, peer.family), SET, 7},
		{"tcp-peer-port-0", FIELD(struct ckpt_fd_inet, peer.port), SET, 0},
		{"tcp-local-address-beyond-ipv4", FIELD(struct ckpt_fd_inet, local.addr[8]), SET, 1},
		{"tcp-ipv6-only-on-ipv4", FIELD(struct ckpt_fd_inet, sk.opts), SET, CKPT_SKO_V6ONLY},
		{"tcp-send-queue-one-more", FIELD(struct ckpt_fd_inet, send_len), PLUS, 1},
		{"tcp-receive-queue-max", FIELD(struct ckpt_fd_inet, recv_len), SET, 0xffffffff},
		{"tcp-unsent-beyond-send-queue", FIELD(struct ckpt_fd_inet, unsent_len), PLUS, 1000},
		{"tcp-window-scale-15", FIELD(struct ckpt_fd_inet, snd_wscale), SET, 15},
		{"tcp-mss-70000", FIELD(struct ckpt_fd_inet, mss), SET, 70000},
		{"tcp-reserved", FIELD(struct ckpt_fd_inet, reserved), SET, 1},
		{"tcp-backlog-when-connected", FIELD(struct ckpt_fd_inet, sk.backlog), SET, 5},
		{"tcp-with-datagrams", FIELD(struct ckpt_fd_inet, sk.nmsgs), SET, 1},
		{"tcp-options-size-44", INET_OPT(size), SET, 44},
		{"tcp-options-flags-unknown", INET_OPT(flags), SET, 0x400},
		{"tcp-options-linger-huge", INET_OPT(linger), SET, 0x80000000u},
		{"tcp-options-keepidle-32768", INET_OPT(keepidle), SET, 32768},
		{"tcp-options-keepintvl-32768", INET_OPT(keepintvl), SET, 32768},
		{"tcp-options-keepcnt-128", INET_OPT(keepcnt), SET, 128},
		{"tcp-options-user-timeout-huge", INET_OPT(user_timeout), SET, 0x80000000u},
		{"tcp-options-tos-256", INET_OPT(tos), SET, 256},
		{"tcp-options-ttl-256", INET_OPT(ttl), SET, 256},
		{"tcp-options-buf-lock-max", INET_OPT(buf_lock), SET, 0xffffffff},
		{"tcp-options-bound-dev-space", INET_OPT(bound_dev[0]), SET, 0x00006120},
	}, udp_cases[] = {
		{"udp-protocol-tcp", FIELD(struct ckpt_fd_inet, protocol), SET, 6},
		{"udp-protocol-igmp", FIELD(struct ckpt_fd_inet, protocol), SET, 2},
		{"udp-state-listening", FIELD(struct ckpt_fd_inet, sk.state), SET, 10},
		{"udp-datagrams-one-more", FIELD(struct ckpt_fd_inet, sk.nmsgs), PLUS, 1},
		{"udp-sender-name-21-bytes", INET_MSG + offsetof(struct ckpt_sk_msg, name_len), 4, SET, 21},
		{"udp-options-cork", INET_OPT(flags), SET, CKPT_SKX_CORK},
		{"udp-options-keepcnt", INET_OPT(keepcnt), SET, 3},
		{"udp-options-size-4100", INET_OPT(size), SET, 4100},
		{"udp-options-unknown", FIELD(struct ckpt_fd_inet, sk.opts), SET, 0x100},
	};
	static const struct field_case flag_cases[] = {
		{"flags-unknown", FIELD(struct ckpt_rec_fd, kind_flags), SET, 0x80000000},
		{"flags-peer-in-tree-and-reset", FIELD(struct ckpt_rec_fd, kind_flags), SET,
		 CKPT_SK_PEER_IN_TREE | CKPT_SK_RESET | CKPT_SK_QUEUES | CKPT_SK_REPAIR},
		{"flags-repair-without-peer", FIELD(struct ckpt_rec_fd, kind_flags), SET, CKPT_SK_REPAIR | CKPT_SK_QUEUES},
		/* A connection to a peer outside the tree with its repair state, but no queues. */
		{"flags-repair-outside-without-queues", FIELD(struct ckpt_rec_fd, kind_flags), PLUS,
		 CKPT_SK_RESET - CKPT_SK_PEER_IN_TREE - CKPT_SK_QUEUES},
		{"flags-shut-on-tcp", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_SHUT_RD},
		{"flags-shared-port-when-connected", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_SHARED_PORT},
		{"flags-fin-sent-when-established", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_FIN_SENT},
		{"flags-name-gone-unnamed", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_NAME_GONE},
		{"flags-file-mode-unnamed", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, CKPT_SK_FILE_ATTRS},
		{"flags-without-options", FIELD(struct ckpt_rec_fd, kind_flags), PLUS, (uint32_t)-CKPT_SK_OPTIONS},
		{"state-cut-short", FIELD(struct ckpt_rec_fd, data_len), SET, 8},
		{"state-one-byte-less", FIELD(struct ckpt_rec_fd, data_len), PLUS, 0xffffffff},
	};
	const struct {
		uint32_t kind;
		int tcp;
		const char *prefix;
		const struct field_case *cases;
		size_t n;
	} kinds[] = {
		{CKPT_FD_UNIX, -1, "unix", unix_cases, N_CASES(unix_cases)},
		{CKPT_FD_INET, 1, "tcp", tcp_cases, N_CASES(tcp_cases)},
		{CKPT_FD_INET, 0, "udp", udp_cases, N_CASES(udp_cases)},
	};
	/* The unix listener's socket file: a mode, an owner or a reserved field it cannot have, and
	 * a path that both leads to it and was removed. */
#define UNIX_FILE(f) sizeof(struct ckpt_fd_unix) + offsetof(struct ckpt_sk_options, filter) + offsetof(struct ckpt_unix_file, f), 4 /* no filter */
	static const struct field_case file_cases[] = {
		{"unix-file-mode-beyond-07777", UNIX_FILE(mode), SET, 010000},
		{"unix-file-uid-minus-1", UNIX_FILE(uid), SET, 0xffffffff},
		{"unix-file-gid-minus-1", UNIX_FILE(gid), SET, 0xffffffff},
		{"unix-file-reserved", UNIX_FILE(reserved), SET, 1},
	};
	size_t listener = 0;
	for (uint32_t i = 0; i < t_count(tree, fdn) && !listener; i++) {
		size_t rec = t_rec(tree, fdn, i);
		if (g32(tree, rec + offsetof(struct ckpt_rec_fd, kind)) == CKPT_FD_UNIX &&
		    (g32(tree, rec + offsetof(struct ckpt_rec_fd, kind_flags)) & CKPT_SK_FILE_ATTRS))
			listener = rec;
	}
	if (!listener)
		die("the tree seed has no unix socket with its socket file's mode");
	emit_field_cases(C, tree, t_data(tree, fdn) + g32(tree, listener + offsetof(struct ckpt_rec_fd, data_off)),
			 file_cases, N_CASES(file_cases));
	const struct field_case gone = {"unix-file-of-a-removed-path", FIELD(struct ckpt_rec_fd, kind_flags), PLUS,
					CKPT_SK_NAME_GONE};
	emit_field_case(C, tree, listener, &gone);
	for (size_t k = 0; k < N_CASES(kinds); k++) {
		size_t rec = socket_record(tree, fdn, kinds[k].kind, kinds[k].tcp);
		if (!rec)
			die("the tree seed has no %s socket with its queues", kinds[k].prefix);
		size_t blob = t_data(tree, fdn) + g32(tree, rec + offsetof(struct ckpt_rec_fd, data_off));
		emit_field_cases(C, tree, blob, kinds[k].cases, kinds[k].n);
		for (size_t i = 0; i < N_CASES(flag_cases); i++) {
			struct field_case fc = flag_cases[i];
			char name[64];
			snprintf(name, sizeof(name), "%s-%s", kinds[k].prefix, fc.name);
			fc.name = name;
			/* Flags that a UDP or unix socket never has, and TCP ones that do not fit. */
			if (kinds[k].tcp != 1 && (strstr(fc.name, "fin-sent") || strstr(fc.name, "repair-outside") ||
						strstr(fc.name, "shut-on-tcp") || strstr(fc.name, "shared-port")))
				continue;
			emit_field_case(C, tree, rec, &fc);
		}
	}
	free(r.nt);
}

/* ---- packed statefiles ------------------------------------------------------------------ */

/* One way to spoil the embedded file note of a packed seed: a path, or a field of record 0 or
 * 1 (value, or the root image's end plus value), or the root image not covering the files. */
struct embed_case {
	const char *name;
	int rec;
	const char *path;        /* NULL: the valid one */
	size_t field;
	int width;               /* 0: no field */
	uint64_t value;
	int from_root_end;
	int short_root;          /* the tree leaves the root image's size as it was without them */
};

/* The threads seed packed by hand: two embedded files of 100 and 200 bytes after the root image's
 * notes, on pages of their own.  With no case (or a case that changes nothing) the reader
 * accepts it. */
static struct file packed_seed(const struct file *thr, const struct embed_case *ec)
{
	uint64_t root_end = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t n;
		struct mimage *ms = model_all(thr, &n);
		struct mnote *en = madd(&ms[0], ms[0].nnt, CKPT_NOTE_OWNER, CKPT_NT_EMBEDDED);
		struct mtable t = {.rec_size = sizeof(struct ckpt_rec_embedded)};
		static const char *const paths[2] = {"/usr/lib/libembedded.so.1",
						     "/usr/lib/debug/.build-id/ab/cdef0123456789.debug"};
		for (int i = 0; i < 2; i++) {
			struct ckpt_rec_embedded r = {
				.offset = root_end + (uint64_t)i * PAGE, .size = 100 + 100 * (uint64_t)i,
				.kind = i == 0 ? CKPT_EMBED_MAPPED : CKPT_EMBED_DEBUG, .mode = 0100644, .build_id_len = 20,
			};
			r.path = tstr(&t, ec && ec->path && ec->rec == i ? ec->path : paths[i]);
			memset(r.build_id, 0xab, 20);
			if (ec && ec->width && ec->rec == i) {
				uint64_t v = ec->value + (ec->from_root_end ? root_end : 0);
				memcpy((uint8_t *)&r + ec->field, &v, (size_t)ec->width);
			}
			tadd(&t, &r);
		}
		tencode(&t, en);
		struct file f = serialize(ms, n);
		for (size_t i = 0; i < n; i++)
			mfree(&ms[i]);
		free(ms);
		if (pass == 0) {
			root_end = f.n;
			free(f.d);
			continue;
		}
		/* Room for the two files, and a root image that covers them. */
		f.d = realloc(f.d, f.n + 2 * PAGE);
		memset(f.d + f.n, 0, 2 * PAGE);
		f.n += 2 * PAGE;
		struct image r = parse(&f, 0);
		s64(&f, tree_rec(&f, &r, 0) + offsetof(struct ckpt_rec_tree, image_size),
		    ec && ec->short_root ? root_end : root_end + PAGE + 200);
		free(r.nt);
		return f;
	}
	return (struct file){0};
}

#define EMB_PATH(n, r, p) {.name = n, .rec = r, .path = p}
#define EMB_FIELD(n, r, f, v, rel)                                                                              \
	{.name = n, .rec = r, .field = offsetof(struct ckpt_rec_embedded, f),                                    \
	 .width = (int)sizeof(((struct ckpt_rec_embedded *)0)->f), .value = v, .from_root_end = rel}
static void gen_embedded(const char *C, const struct seeds *seeds)
{
	static const struct embed_case cases[] = {
		EMB_PATH("path-relative", 0, "usr/lib/libembedded.so.1"),
		EMB_PATH("path-dotdot", 0, "/usr/lib/../../etc/passwd"),
		EMB_PATH("path-dot", 0, "/usr/./lib/libembedded.so"),
		EMB_PATH("path-empty-component", 0, "/usr//lib/libembedded.so"),
		EMB_PATH("path-root", 0, "/"),
		EMB_PATH("path-trailing-slash", 1, "/usr/lib/debug/"),
		EMB_PATH("path-newline-gdb-command", 0, "/usr/lib/libembedded.so\nshell id"),
		EMB_FIELD("kind-zero", 0, kind, 0, 0),
		EMB_FIELD("kind-unknown", 1, kind, 4, 0),
		EMB_FIELD("build-id-33-bytes", 0, build_id_len, 33, 0),
		EMB_FIELD("offset-unaligned", 1, offset, PAGE + 1, 1),
		EMB_FIELD("offset-in-headers", 0, offset, 0, 0),
		EMB_FIELD("offset-in-notes", 0, offset, -(uint64_t)PAGE, 1),
		EMB_FIELD("offset-beyond-file", 1, offset, 64 * PAGE, 1),
		EMB_FIELD("size-beyond-file", 1, size, 2 * PAGE, 0),
		EMB_FIELD("size-huge", 0, size, 1ull << 41, 0),
		EMB_FIELD("size-wraps", 1, size, ~0ull, 0),
		EMB_FIELD("overlap-next", 0, size, PAGE + 50, 0),
		EMB_FIELD("same-offset-other-size", 1, offset, 0, 1),
		{.name = "beyond-root-image", .short_root = 1},
	};
	for (size_t i = 0; i < N_CASES(cases); i++) {
		struct file f = packed_seed(seeds->threads, &cases[i]);
		emit(C, &f, "%s", cases[i].name);
		free(f.d);
	}
	/* The note's table itself, and where the note is. */
	struct file ok = packed_seed(seeds->threads, NULL);
	struct image r = parse(&ok, 0);
	const struct noteref *en = ckpt(&r, CKPT_NT_EMBEDDED);
	emit32(C, &ok, en->desc + T_REC_SIZE, 8, "record-short");
	emit32(C, &ok, en->desc + T_COUNT, 100000, "count-beyond-note");
	emit32(C, &ok, en->desc + T_DATA_SIZE, 1u << 30, "data-beyond-note");
	free(r.nt);
	free(ok.d);
	/* Twice in the root image, and in a child image. */
	size_t n;
	struct mimage *ms = model_all(seeds->threads, &n);
	struct mtable t = {.rec_size = sizeof(struct ckpt_rec_embedded)};
	tencode(&t, madd(&ms[0], ms[0].nnt, CKPT_NOTE_OWNER, CKPT_NT_EMBEDDED));
	t = (struct mtable){.rec_size = sizeof(struct ckpt_rec_embedded)};
	tencode(&t, madd(&ms[0], ms[0].nnt, CKPT_NOTE_OWNER, CKPT_NT_EMBEDDED));
	emit_model(C, ms, n, "note-twice");
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);
	ms = model_all(seeds->tree, &n);
	t = (struct mtable){.rec_size = sizeof(struct ckpt_rec_embedded)};
	tencode(&t, madd(&ms[1], ms[1].nnt, CKPT_NOTE_OWNER, CKPT_NT_EMBEDDED));
	emit_model(C, ms, n, "in-child-image");
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);
}

/* Every category of the malformed corpus: the reader must refuse each of its files. */
static const struct {
	const char *name;
	void (*gen)(const char *category, const struct seeds *seeds);
} malformed_categories[] = {
	{"truncated", gen_truncated},
	{"elf-header", gen_elf_header},
	{"program-headers", gen_program_headers},
	{"notes", gen_notes},
	{"ckpt-tables", gen_tables},
	{"strings", gen_strings},
	{"records", gen_records},
	{"tree", gen_tree},
	{"counts", gen_counts},
	{"fd-state", gen_fd_state},
	{"ptys", gen_ptys},
	{"ghosts", gen_ghosts},
	{"ghost-nodes", gen_ghost_nodes},
	{"symlinks", gen_symlinks},
	{"sockets", gen_sockets},
	{"objects", gen_objects},
	{"annotation", gen_annotation},
	{"embedded", gen_embedded},
};

static void seed(const char *in, const char *out)
{
	struct file f = load(in);
	size_t n;
	struct mimage *ms = model_all(&f, &n);
	struct file s = serialize(ms, n);
	write_sparse(out, &s);
	for (size_t i = 0; i < n; i++)
		mfree(&ms[i]);
	free(ms);
	free(s.d);
	free(f.d);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "seed") == 0) {
		seed(argv[2], argv[3]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "semantic") == 0) {
		struct file tree = load(argv[2]);
		outdir = argv[3];
		const struct seeds seeds = {&tree, NULL, NULL};
		gen_semantic("semantic", &seeds);
		for (int i = 0; i < ncats; i++)
			printf("%s %d\n", cats[i].name, cats[i].n);
		free(tree.d);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "packed") == 0) {
		struct file thr = load(argv[2]);
		struct file f = packed_seed(&thr, NULL);
		write_sparse(argv[3], &f);
		free(f.d);
		free(thr.d);
		return 0;
	}
	if ((argc != 5 && argc != 6) || strcmp(argv[1], "malformed") != 0) {
		fprintf(stderr, "usage: mkcorpus seed IN OUT | mkcorpus malformed TREE THREADS OUTDIR [OBJECTS] | mkcorpus "
				"semantic TREE OUTDIR | mkcorpus packed THREADS OUT\n");
		return 2;
	}
	struct file tree = load(argv[2]), thr = load(argv[3]), obj = {0};
	outdir = argv[4];
	if (argc == 6)
		obj = load(argv[5]);
	{
		struct image r = parse(&tree, 0);
		if (t_count(&tree, ckpt(&r, CKPT_NT_TREE)) < 2)
			die("%s has no child process", argv[2]);
		free(r.nt);
		struct image t = parse(&thr, 0);
		if (t_count(&thr, ckpt(&t, CKPT_NT_THREADS)) < 2)
			die("%s has fewer than two threads", argv[3]);
		free(t.nt);
	}
	const struct seeds seeds = {&tree, &thr, argc == 6 ? &obj : NULL};
	for (size_t i = 0; i < N_CASES(malformed_categories); i++)
		malformed_categories[i].gen(malformed_categories[i].name, &seeds);
	for (int i = 0; i < ncats; i++)
		printf("%s %d\n", cats[i].name, cats[i].n);
	free(tree.d);
	free(thr.d);
	free(obj.d);
	return 0;
}
