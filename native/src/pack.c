/*
 * Packed statefiles (pack.h): ckpt pack, restart from embedded copies, ckpt unpack-debug.
 *
 * Packing rewrites only the root image's headers and notes: the embedded file note goes at the
 * end of the note segment, every segment of the root image moves by the same number of pages,
 * the embedded files' bytes follow the root image's segments, and the child images move after
 * them.  Every byte of the old file is kept, so the packed file is the same core file with more
 * notes and data after its segments.
 */
#include "pack.h"
#include "ckpt.h"
#include "elfutil.h"
#include "mem.h"
#include "notes.h"
#include "sha256.h"
#include "statefile.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_OPEN_FILE (16ull << 20)
#define BUILD_ID_DIR "/usr/lib/debug/.build-id"

bool path_is_normal_absolute(const char *s)
{
	if (s[0] != '/' || s[1] == 0 || strlen(s) >= PATH_MAX)
		return false;
	/* No control characters: the paths go into gdb command lines (unpack-debug's gdbinit). */
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	for (const char *c = s; *c;) {
		const char *e = strchr(c + 1, '/');
		size_t n = e ? (size_t)(e - c - 1) : strlen(c + 1);
		if (n == 0 || (n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return false;
		if (!e)
			break;
		c = e;
	}
	return true;
}

static const char *kind_name(uint32_t kind)
{
	return kind == CKPT_EMBED_MAPPED ? "mapped" : kind == CKPT_EMBED_DEBUG ? "debug info" : "open file";
}

/* ---- Copying bytes ------------------------------------------------------------------- */

/* CKPT_TEST_SLOW_WRITE makes packing slow enough for tests to interrupt it. */
static bool slow_for_tests;

/* n bytes from in at from to out at to, in the kernel where it can (copy_file_range). */
static int copy_bytes(int in, uint64_t from, int out, uint64_t to, uint64_t n)
{
	bool in_kernel = true;
	uint8_t *buf = NULL;
	int rc = 0;
	while (n && rc == 0) {
		if (check_interrupted() < 0) {
			rc = -1;
			break;
		}
		size_t chunk = n > (64u << 20) ? (64u << 20) : (size_t)n;
		if (slow_for_tests) {
			chunk = chunk > 65536 ? 65536 : chunk;
			usleep(20000);
		}
		ssize_t r;
		if (in_kernel) {
			loff_t a = (loff_t)from, b = (loff_t)to;
			r = copy_file_range(in, &a, out, &b, chunk, 0);
			if (r < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
				in_kernel = false;
				continue;
			}
		} else {
			if (!buf)
				buf = xmalloc(1u << 20);
			if (chunk > (1u << 20))
				chunk = 1u << 20;
			r = pread(in, buf, chunk, (off_t)from);
			if (r > 0 && pwrite_all(out, buf, (size_t)r, (off_t)to) < 0) {
				rc = ckpt_fail_errno("cannot write a copy");
				break;
			}
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = ckpt_fail_errno("cannot copy a file's bytes");
		else if (r == 0)
			rc = ckpt_fail("a file ended before the bytes to copy (did it shrink?)");
		if (rc < 0)
			break;
		from += (uint64_t)r;
		to += (uint64_t)r;
		n -= (uint64_t)r;
	}
	free(buf);
	return rc;
}

/* [from, end) of in to out at to, leaving holes where in has them. */
static int copy_sparse(int in, uint64_t from, uint64_t end, int out, uint64_t to)
{
	uint64_t at = from, start, stop;
	int r;
	while (at < end && (r = file_next_data(in, at, end, &start, &stop)) > 0) {
		if (copy_bytes(in, start, out, to + (start - from), stop - start) < 0)
			return -1;
		at = stop;
	}
	if (at < end && r < 0) /* the file system cannot say where the holes are */
		return copy_bytes(in, at, out, to + (at - from), end - at);
	return 0;
}

/* ---- Choosing what to embed ------------------------------------------------------------ */

struct pack_entry {
	struct ckpt_rec_embedded rec;
	char *path;
	int fd;            /* its bytes; -1 when it shares another entry's */
	size_t same_as;    /* the entry whose bytes it shares, or SIZE_MAX */
	dev_t dev;
	ino_t ino;
};

struct packer {
	struct pack_entry *e;
	size_t n, cap;
	struct ckpt_pack_result *res;
};

static void packer_free(struct packer *pk)
{
	for (size_t i = 0; i < pk->n; i++) {
		free(pk->e[i].path);
		if (pk->e[i].fd >= 0)
			close(pk->e[i].fd);
	}
	free(pk->e);
}

/* Takes fd (a regular file with stat st): a new entry, or none when the same file is in
 * under the same path already.  A file under a second path shares the first one's bytes. */
static struct pack_entry *add_entry(struct packer *pk, uint32_t kind, const char *path, int fd, const struct stat *st)
{
	size_t same = SIZE_MAX;
	for (size_t i = 0; i < pk->n; i++) {
		struct pack_entry *o = &pk->e[i];
		if (o->dev != st->st_dev || o->ino != st->st_ino)
			continue;
		if (o->rec.kind == kind && strcmp(o->path, path) == 0) {
			close(fd);
			return NULL;
		}
		if (same == SIZE_MAX)
			same = o->same_as == SIZE_MAX ? i : o->same_as;
	}
	struct pack_entry *e = ARR_PUSH(pk->e, pk->n, pk->cap);
	e->rec.kind = kind;
	e->rec.size = (uint64_t)st->st_size;
	e->rec.mtime_sec = st->st_mtim.tv_sec;
	e->rec.mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	e->rec.mode = st->st_mode;
	e->path = xstrdup(path);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->same_as = same;
	e->fd = fd;
	if (same != SIZE_MAX) {
		close(fd);
		e->fd = -1;
	}
	return e;
}

/* A regular file to read, without waiting on a FIFO or following the statefile into a device. */
static int open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static bool debug_file_matches(int fd, const uint8_t *id, uint32_t len)
{
	uint8_t got[32];
	size_t n = elf_build_id(fd, got, sizeof(got));
	return n == len && memcmp(got, id, len) == 0;
}

static uint32_t file_crc32(int fd)
{
	uint8_t buf[65536];
	uint32_t crc = 0;
	ssize_t r;
	for (off_t off = 0; (r = pread(fd, buf, sizeof(buf), off)) > 0; off += r)
		crc = elf_crc32(crc, buf, (size_t)r);
	return crc;
}

/* The separate debug info of the mapped ELF file m (open as fd), where gdb looks for it: by
 * build-id, else by .gnu_debuglink next to the file, in its .debug directory, or under
 * /usr/lib/debug. */
static void add_debug_info(struct packer *pk, const struct pack_entry *m, int fd)
{
	struct stat st;
	if (m->rec.build_id_len >= 2) {
		char hex[65];
		for (uint32_t i = 0; i < m->rec.build_id_len; i++)
			sprintf(hex + 2 * i, "%02x", m->rec.build_id[i]);
		char *path = xasprintf(BUILD_ID_DIR "/%.2s/%s.debug", hex, hex + 2);
		int dfd = open_regular(path, &st);
		if (dfd >= 0 && debug_file_matches(dfd, m->rec.build_id, m->rec.build_id_len)) {
			struct pack_entry *d = add_entry(pk, CKPT_EMBED_DEBUG, path, dfd, &st);
			if (d) {
				d->rec.build_id_len = m->rec.build_id_len;
				memcpy(d->rec.build_id, m->rec.build_id, sizeof(d->rec.build_id));
			}
			free(path);
			return;
		}
		if (dfd >= 0)
			close(dfd);
		free(path);
	}
	char name[256];
	uint32_t crc;
	if (!elf_debuglink(fd, name, sizeof(name), &crc) || strchr(name, '/'))
		return;
	char *dir = xstrdup(m->path);
	*strrchr(dir, '/') = 0;
	char *candidates[3] = {
		xasprintf("%s/%s", dir, name),
		xasprintf("%s/.debug/%s", dir, name),
		xasprintf("/usr/lib/debug%s/%s", dir, name),
	};
	for (int i = 0; i < 3; i++) {
		if (!path_is_normal_absolute(candidates[i]) || strcmp(candidates[i], m->path) == 0)
			continue;
		int dfd = open_regular(candidates[i], &st);
		if (dfd < 0)
			continue;
		if (file_crc32(dfd) != crc) {
			close(dfd);
			continue;
		}
		struct pack_entry *d = add_entry(pk, CKPT_EMBED_DEBUG, candidates[i], dfd, &st);
		if (d) {
			d->rec.build_id_len = m->rec.build_id_len;
			memcpy(d->rec.build_id, m->rec.build_id, sizeof(d->rec.build_id));
		}
		break;
	}
	for (int i = 0; i < 3; i++)
		free(candidates[i]);
	free(dir);
}

/* Whether restart or a debugger needs this file of p: the executable, or a file some private or
 * read-only mapping comes from.  A file mapped shared and writable is the program's data. */
static bool needs_file(const struct process_image *p, size_t fi)
{
	if (p->rec.exe_file == fi)
		return true;
	for (size_t k = 0; k < p->nvmas; k++) {
		const struct ckpt_rec_vma *v = &p->vmas[k].rec;
		if (v->file == fi && !(v->flags & CKPT_VMA_DELETED) &&
		    !((v->flags & CKPT_VMA_SHARED) && (v->flags & CKPT_VMA_MAYWRITE)))
			return true;
	}
	return false;
}

static int choose_mapped_files(struct packer *pk, const struct statefile_image *img)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t fi = 0; fi < p->nfiles; fi++) {
			const struct file_image *f = &p->files[fi];
			if (!needs_file(p, fi))
				continue;
			if (!path_is_normal_absolute(f->path)) {
				ckpt_warn("%s is not embedded: its path is not a plain absolute path", f->path);
				continue;
			}
			/* The file must still be the one the program mapped: packing a newer one would
			 * give the program code it never ran with. */
			struct ckpt_rec_vma private_mapping = {.file = (uint32_t)fi};
			char *why;
			if (mem_file_state(f, &private_mapping, &why) != MEM_FILE_SAME) {
				ckpt_fail("cannot pack: %s %s; pack the statefile on the machine where it was saved, "
					  "before the file changes", f->path, why);
				free(why);
				return -1;
			}
			struct stat st;
			int fd = open_regular(f->path, &st);
			if (fd < 0)
				return ckpt_fail_errno("cannot pack: cannot open %s", f->path);
			if ((uint64_t)st.st_size != f->rec.size) {
				close(fd);
				return ckpt_fail("cannot pack: %s changed while it was being packed", f->path);
			}
			struct pack_entry *e = add_entry(pk, CKPT_EMBED_MAPPED, f->path, fd, &st);
			if (!e)
				continue;
			/* The identity restart matches against: the record's, which the file still has. */
			e->rec.mtime_sec = f->rec.mtime_sec;
			e->rec.mtime_nsec = f->rec.mtime_nsec;
			e->rec.build_id_len = f->rec.build_id_len;
			memcpy(e->rec.build_id, f->rec.build_id, sizeof(e->rec.build_id));
			struct pack_entry copy = *e; /* add_debug_info may move the array */
			add_debug_info(pk, &copy, copy.fd >= 0 ? copy.fd : pk->e[copy.same_as].fd);
		}
	}
	return 0;
}

/* --with-files: the regular files the program had open, as they are now, when they are still
 * the files it had open and small. */
static void choose_open_files(struct packer *pk, const struct statefile_image *img, uint64_t max)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			const struct fd_image *f = &p->fds[k];
			if (f->rec.kind != CKPT_FD_REG || !f->path || (f->rec.fd_flags & (CKPT_FDF_DELETED | CKPT_FDF_LOST)))
				continue;
			struct stat st;
			int fd = path_is_normal_absolute(f->path) ? open_regular(f->path, &st) : -1;
			if (fd < 0 || st.st_dev != f->rec.dev || st.st_ino != f->rec.ino || (uint64_t)st.st_size > max) {
				ckpt_warn("open file %s is not embedded: %s", f->path,
					  fd < 0 ? "it cannot be read" :
					  (uint64_t)st.st_size > max ? "it is larger than --with-files takes" :
					  "it is not the file the program had open");
				if (fd >= 0)
					close(fd);
				pk->res->skipped_open_files++;
				continue;
			}
			add_entry(pk, CKPT_EMBED_OPEN, f->path, fd, &st);
		}
	}
}

/* ---- Writing the packed file ----------------------------------------------------------- */

static void embedded_note(const struct packer *pk, struct buf *out)
{
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_embedded));
	for (size_t i = 0; i < pk->n; i++) {
		struct ckpt_rec_embedded r = pk->e[i].rec;
		r.path = tw_str(&tw, pk->e[i].path);
		tw_add(&tw, &r);
	}
	tw_emit(&tw, out, CKPT_NT_EMBEDDED);
}

struct root_headers {
	uint8_t *head;        /* [0, note offset): ELF header, program headers, section header */
	Elf64_Phdr *ph;       /* inside head */
	uint64_t nph;
	size_t note_index;
	uint8_t *notes;
	uint64_t note_off, note_size;
};

static int read_root_headers(int fd, struct root_headers *h)
{
	/* The statefile has been validated: only what the layout needs is looked up again. */
	Elf64_Ehdr eh;
	if (pread_all(fd, &eh, sizeof(eh), 0) < 0)
		return ckpt_fail_errno("cannot read the statefile");
	h->nph = eh.e_phnum;
	if (eh.e_phnum == PN_XNUM) {
		Elf64_Shdr sh;
		if (pread_all(fd, &sh, sizeof(sh), (off_t)eh.e_shoff) < 0)
			return ckpt_fail_errno("cannot read the statefile");
		h->nph = sh.sh_info;
	}
	Elf64_Phdr *ph = xmalloc(h->nph * sizeof(*ph));
	if (pread_all(fd, ph, h->nph * sizeof(*ph), (off_t)eh.e_phoff) < 0) {
		free(ph);
		return ckpt_fail_errno("cannot read the statefile");
	}
	for (size_t i = 0; i < h->nph; i++)
		if (ph[i].p_type == PT_NOTE)
			h->note_index = i;
	h->note_off = ph[h->note_index].p_offset;
	h->note_size = ph[h->note_index].p_filesz;
	free(ph);
	if (h->note_size % 4)
		return ckpt_fail("the statefile's note segment does not end on a note boundary");
	h->head = xmalloc(h->note_off);
	h->notes = xmalloc(h->note_size);
	if (pread_all(fd, h->head, h->note_off, 0) < 0 || pread_all(fd, h->notes, h->note_size, (off_t)h->note_off) < 0)
		return ckpt_fail_errno("cannot read the statefile");
	h->ph = (Elf64_Phdr *)(h->head + eh.e_phoff);
	return 0;
}

/* The process tree note, whose offsets and sizes packing changes. */
static uint8_t *tree_records(struct root_headers *h, uint32_t *rec_size, uint32_t *count)
{
	struct note n;
	size_t pos = 0;
	while (note_next(h->notes, h->note_size, &pos, &n) > 0)
		if (strcmp(n.name, CKPT_NOTE_OWNER) == 0 && n.type == CKPT_NT_TREE && n.descsz >= sizeof(struct ckpt_table_hdr)) {
			struct ckpt_table_hdr th;
			memcpy(&th, n.desc, sizeof(th));
			*rec_size = th.rec_size;
			*count = th.count;
			return h->notes + (n.desc - h->notes) + sizeof(th);
		}
	return NULL;
}

static int write_packed(int in, uint64_t in_size, int out, const struct statefile_image *img, struct packer *pk,
			uint64_t *out_size)
{
	struct root_headers h = {0};
	struct buf note = {0};
	int rc = -1;
	if (read_root_headers(in, &h) < 0)
		goto out;

	/* Where everything goes: the note segment grows by the new note, the root's segments move
	 * by whole pages to make room, the embedded bytes follow them, then the child images. */
	embedded_note(pk, &note);
	uint64_t old_notes_end = h.note_off + h.note_size;
	uint64_t shift = ALIGN_UP(old_notes_end + note.len, PAGE) - ALIGN_UP(old_notes_end, PAGE);
	uint64_t root_size = img->procs[0].image_size;
	uint64_t at = ALIGN_UP(root_size + shift, PAGE), embedded_end = root_size + shift;
	for (size_t i = 0; i < pk->n; i++) {
		struct pack_entry *e = &pk->e[i];
		if (e->same_as != SIZE_MAX)
			continue;
		e->rec.offset = at;
		embedded_end = at + e->rec.size;
		at = ALIGN_UP(embedded_end, PAGE);
		pk->res->files++;
		pk->res->debug_files += e->rec.kind == CKPT_EMBED_DEBUG;
		pk->res->embedded_bytes += e->rec.size;
	}
	for (size_t i = 0; i < pk->n; i++)
		if (pk->e[i].same_as != SIZE_MAX)
			pk->e[i].rec.offset = pk->e[pk->e[i].same_as].rec.offset;
	uint64_t child_shift = ALIGN_UP(embedded_end, PAGE) - ALIGN_UP(root_size, PAGE);
	uint64_t total = img->nprocs > 1 ? in_size + child_shift : embedded_end;
	buf_free(&note);
	embedded_note(pk, &note);

	/* Headers, in place: the note segment's size, the loads' offsets, the tree. */
	h.ph[h.note_index].p_filesz += note.len;
	if (h.ph[h.note_index].p_memsz)
		h.ph[h.note_index].p_memsz += note.len;
	for (size_t i = 0; i < h.nph; i++)
		if (h.ph[i].p_type == PT_LOAD)
			h.ph[i].p_offset += shift;
	uint32_t rec_size, count;
	uint8_t *tree = tree_records(&h, &rec_size, &count);
	if (!tree || rec_size < sizeof(struct ckpt_rec_tree)) {
		ckpt_fail("the statefile's process tree note cannot be read again");
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct ckpt_rec_tree t;
		memcpy(&t, tree + (size_t)i * rec_size, sizeof(t));
		if (i == 0)
			t.image_size = embedded_end;
		else
			t.image_offset += child_shift;
		memcpy(tree + (size_t)i * rec_size, &t, sizeof(t));
	}

	if (ftruncate(out, (off_t)total) < 0) {
		ckpt_fail_errno("cannot size the packed statefile");
		goto out;
	}
	if (pwrite_all(out, h.head, h.note_off, 0) < 0 || pwrite_all(out, h.notes, h.note_size, (off_t)h.note_off) < 0 ||
	    pwrite_all(out, note.data, note.len, (off_t)old_notes_end) < 0) {
		ckpt_fail_errno("cannot write the packed statefile");
		goto out;
	}
	uint64_t data_start = ALIGN_UP(old_notes_end, PAGE);
	if (copy_sparse(in, data_start, root_size, out, data_start + shift) < 0)
		goto out;
	for (size_t i = 0; i < pk->n; i++)
		if (pk->e[i].fd >= 0 && copy_bytes(pk->e[i].fd, 0, out, pk->e[i].rec.offset, pk->e[i].rec.size) < 0)
			goto out;
	if (img->nprocs > 1 &&
	    copy_sparse(in, ALIGN_UP(root_size, PAGE), in_size, out, ALIGN_UP(root_size, PAGE) + child_shift) < 0)
		goto out;
	*out_size = total;
	rc = 0;
out:
	free(h.head);
	free(h.notes);
	buf_free(&note);
	return rc;
}

int ckpt_pack(const char *path, const char *out_path, const struct ckpt_pack_options *options,
	      struct ckpt_pack_result *result)
{
	ckpt_clear_error();
	struct ckpt_pack_options none = {0};
	struct ckpt_pack_result local;
	if (!options)
		options = &none;
	if (!result)
		result = &local;
	memset(result, 0, sizeof(*result));
	slow_for_tests = getenv("CKPT_TEST_SLOW_WRITE") != NULL;
	int in = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (in < 0)
		return ckpt_fail_errno("cannot open %s", path);
	struct statefile_image img;
	if (statefile_read(in, &img) < 0) {
		close(in);
		return -1;
	}
	struct packer pk = {.res = result};
	int out = -1, rc = -1;
	char *tmp = NULL;
	if (img.nembedded) {
		ckpt_fail("%s is packed already", path);
		goto out;
	}
	if (choose_mapped_files(&pk, &img) < 0)
		goto out;
	if (options->with_files)
		choose_open_files(&pk, &img, options->max_open_file_size ? options->max_open_file_size : DEFAULT_MAX_OPEN_FILE);
	out = statefile_create_tmp(out_path, &tmp);
	if (out < 0)
		goto out;
	result->statefile_bytes = img.file_size;
	if (write_packed(in, img.file_size, out, &img, &pk, &result->file_bytes) < 0 ||
	    statefile_commit(out, tmp, out_path) < 0)
		goto out;
	rc = 0;
out:
	if (out >= 0) {
		close(out);
		if (rc < 0)
			unlink(tmp);
	}
	free(tmp);
	packer_free(&pk);
	image_free(&img);
	close(in);
	return rc;
}

/* ---- Restart from the embedded copies --------------------------------------------------- */

const struct embedded_file *pack_find_embedded(const struct statefile_image *img, const struct file_image *f)
{
	for (size_t i = 0; i < img->nembedded; i++) {
		const struct embedded_file *e = &img->embedded[i];
		if (e->rec.kind != CKPT_EMBED_MAPPED || strcmp(e->path, f->path) != 0 || e->rec.size != f->rec.size ||
		    e->rec.build_id_len != f->rec.build_id_len ||
		    memcmp(e->rec.build_id, f->rec.build_id, f->rec.build_id_len) != 0)
			continue;
		/* Without a build-id, the modification time tells versions apart, as at restart. */
		if (!f->rec.build_id_len && (e->rec.mtime_sec != f->rec.mtime_sec || e->rec.mtime_nsec != f->rec.mtime_nsec))
			continue;
		return e;
	}
	return NULL;
}

static int mkdir_private(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return ckpt_fail_errno("cannot create %s", path);
	return 0;
}

/* $XDG_CACHE_HOME/ckpt/files, else ~/.cache/ckpt/files: a directory only this user can
 * write, since restart maps code from it. */
static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	char *base;
	if (xdg && xdg[0] == '/') {
		base = xstrdup(xdg);
	} else {
		const char *home = getenv("HOME");
		struct passwd *pw;
		if ((!home || home[0] != '/') && (pw = getpwuid(getuid())))
			home = pw->pw_dir;
		if (!home || home[0] != '/') {
			ckpt_fail("no cache directory for the packed files: set HOME or XDG_CACHE_HOME");
			return NULL;
		}
		base = xasprintf("%s/.cache", home);
	}
	char *ckpt = xasprintf("%s/ckpt", base), *files = xasprintf("%s/ckpt/files", base);
	struct stat st;
	int ok = mkdir_private(base) == 0 && mkdir_private(ckpt) == 0 && mkdir_private(files) == 0;
	if (ok && (lstat(files, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))) {
		ckpt_fail("the cache directory %s is not private to this user (make it a directory of yours, mode 0700)",
			  files);
		ok = 0;
	}
	free(base);
	free(ckpt);
	if (!ok) {
		free(files);
		return NULL;
	}
	return files;
}

/* Copies e out of the statefile into dir under the name of its SHA-256 (a name another
 * statefile cannot claim for other contents) and returns that path. */
static char *extract_to_cache(const struct embedded_file *e, int sf_fd, const char *dir)
{
	char *tmp = xasprintf("%s/.extract.XXXXXX", dir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ckpt_fail_errno("cannot create a file in %s", dir);
		free(tmp);
		return NULL;
	}
	uint8_t *buf = xmalloc(1u << 20), digest[32];
	struct sha256 h;
	sha256_init(&h);
	char *path = NULL;
	for (uint64_t off = 0; off < e->rec.size;) {
		size_t n = e->rec.size - off > (1u << 20) ? (1u << 20) : (size_t)(e->rec.size - off);
		if (check_interrupted() < 0)
			goto out;
		if (pread_all(sf_fd, buf, n, (off_t)(e->rec.offset + off)) < 0) {
			ckpt_fail_errno("cannot read the embedded copy of %s", e->path);
			goto out;
		}
		sha256_update(&h, buf, n);
		if (write_all(fd, buf, n) < 0) {
			ckpt_fail_errno("cannot write the embedded copy of %s into %s", e->path, dir);
			goto out;
		}
		off += n;
	}
	sha256_final(&h, digest);
	char hex[65];
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	path = xasprintf("%s/%s", dir, hex);
	if (fchmod(fd, 0500) < 0 || rename(tmp, path) < 0) {
		ckpt_fail_errno("cannot put the embedded copy of %s into %s", e->path, dir);
		free(path);
		path = NULL;
	}
out:
	close(fd);
	if (!path)
		unlink(tmp);
	free(tmp);
	free(buf);
	return path;
}

int pack_use_embedded(struct statefile_image *img, int sf_fd)
{
	if (!img->nembedded)
		return 0;
	char **extracted = xcalloc(img->nembedded, sizeof(char *));
	char *dir = NULL;
	int rc = -1;
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		for (size_t fi = 0; fi < p->nfiles; fi++) {
			struct file_image *f = &p->files[fi];
			const struct embedded_file *e = pack_find_embedded(img, f);
			if (!e)
				continue;
			struct ckpt_rec_vma private_mapping = {.file = (uint32_t)fi};
			char *why;
			enum mem_file_state st = mem_file_state(f, &private_mapping, &why);
			free(why);
			if (st == MEM_FILE_SAME)
				continue; /* this machine's file is the one: page cache shared with others */
			size_t k = (size_t)(e - img->embedded);
			if (!extracted[k]) {
				if (!dir && !(dir = cache_dir()))
					goto out;
				if (!(extracted[k] = extract_to_cache(e, sf_fd, dir)))
					goto out;
				int fd = open(extracted[k], O_RDONLY | O_CLOEXEC);
				uint8_t id[32];
				size_t len = fd >= 0 ? elf_build_id(fd, id, sizeof(id)) : 0;
				if (fd >= 0)
					close(fd);
				if (len != f->rec.build_id_len || memcmp(id, f->rec.build_id, len) != 0) {
					ckpt_fail("cannot restart: the embedded copy of %s is not the file that was mapped "
						  "(its build-id differs)", f->path);
					goto out;
				}
				ckpt_debug("pack: %s from its embedded copy %s", f->path, extracted[k]);
			}
			free(f->path);
			f->path = xstrdup(extracted[k]);
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < img->nembedded; i++)
		free(extracted[i]);
	free(extracted);
	free(dir);
	return rc;
}

const struct embedded_file *pack_find_open_copy(const struct statefile_image *img, const char *path)
{
	for (size_t i = 0; i < img->nembedded; i++)
		if (img->embedded[i].rec.kind == CKPT_EMBED_OPEN && strcmp(img->embedded[i].path, path) == 0)
			return &img->embedded[i];
	return NULL;
}

bool pack_recreates(const struct statefile_image *img, const char *path)
{
	struct stat st;
	if (!pack_find_open_copy(img, path) || lstat(path, &st) == 0 || errno != ENOENT)
		return false;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	bool ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	free(dir);
	return ok;
}

int pack_recreate_open_files(const struct statefile_image *img, int sf_fd)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		for (size_t k = 0; k < p->nfds; k++) {
			const struct fd_image *f = &p->fds[k];
			if (f->rec.kind != CKPT_FD_REG || !f->path || !pack_recreates(img, f->path))
				continue;
			const struct embedded_file *e = pack_find_open_copy(img, f->path);
			/* O_EXCL: a file that appeared meanwhile is the user's, never overwritten. */
			int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd < 0)
				return ckpt_fail_errno("cannot make %s again from its packed copy", f->path);
			struct timespec times[2] = {{.tv_nsec = UTIME_OMIT},
						    {.tv_sec = e->rec.mtime_sec, .tv_nsec = e->rec.mtime_nsec}};
			int rc = copy_bytes(sf_fd, e->rec.offset, fd, 0, e->rec.size);
			if (rc == 0 && (fchmod(fd, e->rec.mode & 07777 & ~(S_ISUID | S_ISGID)) < 0 || futimens(fd, times) < 0))
				rc = ckpt_fail_errno("cannot give %s its saved mode and time", f->path);
			close(fd);
			if (rc < 0) {
				unlink(f->path);
				return -1;
			}
			ckpt_warn("%s was missing here: made again from the packed copy (%llu bytes)", f->path,
				  (unsigned long long)e->rec.size);
		}
	}
	return 0;
}

/* ---- ckpt info ------------------------------------------------------------------------- */

void pack_info_text(const struct statefile_image *img, struct buf *b)
{
	if (!img->nembedded)
		return;
	uint64_t bytes = 0;
	size_t unique = 0;
	for (size_t i = 0; i < img->nembedded; i++)
		if (i == 0 || img->embedded[i].rec.offset != img->embedded[i - 1].rec.offset) {
			bytes += img->embedded[i].rec.size;
			unique++;
		}
	buf_printf(b, "\nEmbedded:   %zu file%s, %.1f MiB (packed: restarts where these files differ)\n", unique,
		   unique == 1 ? "" : "s", bytes / 1048576.0);
	for (size_t i = 0; i < img->nembedded; i++) {
		const struct embedded_file *e = &img->embedded[i];
		buf_printf(b, "    embedded %-10s %10llu  %s\n", kind_name(e->rec.kind), (unsigned long long)e->rec.size,
			   e->path);
	}
}

void pack_info_json(const struct statefile_image *img, struct json *j)
{
	json_array_begin(j, "embedded");
	for (size_t i = 0; i < img->nembedded; i++) {
		const struct embedded_file *e = &img->embedded[i];
		json_object_begin(j, NULL);
		json_str(j, "path", e->path);
		json_str(j, "kind", kind_name(e->rec.kind));
		json_u64(j, "size", e->rec.size);
		json_object_end(j);
	}
	json_array_end(j);
}

/* ---- ckpt unpack-debug ----------------------------------------------------------------- */

/* Creates the directories of path below dir (dir itself exists). */
static int make_parents(const char *dir, const char *path)
{
	char *p = xasprintf("%s%s", dir, path);
	int rc = 0;
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = ckpt_fail_errno("cannot create %s", p);
		*s = '/';
		if (rc < 0)
			break;
	}
	free(p);
	return rc;
}

/* DIR/gdbinit: what gdb needs to read the statefile with DIR's files (gdb -ix DIR/gdbinit -c FILE).
 * The dynamic linker may know a library by another name than its real path (/lib/... for
 * /usr/lib/... on merged-/usr systems), which the sysroot lacks: gdb then finds it by its base
 * name in solib-search-path. */
static int write_gdbinit(const struct statefile_image *img, const char *dir)
{
	char *abs = realpath(dir, NULL);
	if (!abs)
		return ckpt_fail_errno("cannot resolve %s", dir);
	struct buf b = {0}, dirs = {0};
	for (size_t i = 0; i < img->nembedded; i++) {
		const struct embedded_file *e = &img->embedded[i];
		if (e->rec.kind != CKPT_EMBED_MAPPED)
			continue;
		char *d = xasprintf("%s%s", abs, e->path);
		*strrchr(d, '/') = 0;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++) {
			const struct embedded_file *o = &img->embedded[k];
			const char *slash = strrchr(o->path, '/');
			seen = o->rec.kind == CKPT_EMBED_MAPPED && (size_t)(slash - o->path) == strlen(d) - strlen(abs) &&
			       strncmp(o->path, d + strlen(abs), (size_t)(slash - o->path)) == 0;
		}
		if (!seen)
			buf_printf(&dirs, "%s%s", dirs.len ? ":" : "", d);
		free(d);
	}
	buf_printf(&b, "# Written by ckpt unpack-debug: gdb -ix THIS -c STATEFILE\nset sysroot %s\n", abs);
	if (dirs.len)
		buf_printf(&b, "set solib-search-path %.*s\n", (int)dirs.len, (const char *)dirs.data);
	buf_printf(&b, "set debug-file-directory %s/usr/lib/debug\n", abs);
	const struct process_image *root = &img->procs[0];
	const char *exe = root->rec.exe_file != CKPT_NO_INDEX ? root->files[root->rec.exe_file].path : NULL;
	for (size_t i = 0; exe && i < img->nembedded; i++)
		if (img->embedded[i].rec.kind == CKPT_EMBED_MAPPED && strcmp(img->embedded[i].path, exe) == 0) {
			/* gdb's quoting, for paths with spaces or quotes. */
			buf_printf(&b, "file \"");
			for (const char *c = abs; *c; c++)
				buf_printf(&b, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
			for (const char *c = exe; *c; c++)
				buf_printf(&b, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
			buf_printf(&b, "\"\n");
			break;
		}
	char *path = xasprintf("%s/gdbinit", abs);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc = fd < 0 || write_all(fd, b.data, b.len) < 0 ? ckpt_fail_errno("cannot write %s", path) : 0;
	if (fd >= 0)
		close(fd);
	free(path);
	free(abs);
	buf_free(&b);
	buf_free(&dirs);
	return rc;
}

int ckpt_unpack_debug(const char *path, const char *dir)
{
	ckpt_clear_error();
	int sf = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (sf < 0)
		return ckpt_fail_errno("cannot open %s", path);
	struct statefile_image img;
	if (statefile_read(sf, &img) < 0) {
		close(sf);
		return -1;
	}
	int written = 0, rc = -1;
	if (!img.nembedded) {
		ckpt_fail("%s carries no files (make one that does with ckpt pack, where it was saved)", path);
		goto out;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		ckpt_fail_errno("cannot create %s", dir);
		goto out;
	}
	for (size_t i = 0; i < img.nembedded; i++) {
		const struct embedded_file *e = &img.embedded[i];
		if (e->rec.kind == CKPT_EMBED_OPEN)
			continue;
		if (make_parents(dir, e->path) < 0)
			goto out;
		char *dest = xasprintf("%s%s", dir, e->path);
		/* A fresh file, never through a link that is there already. */
		unlink(dest);
		int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (e->rec.mode & 0755) | 0400);
		if (fd < 0) {
			ckpt_fail_errno("cannot create %s", dest);
			free(dest);
			goto out;
		}
		int r = copy_bytes(sf, e->rec.offset, fd, 0, e->rec.size);
		close(fd);
		free(dest);
		if (r < 0)
			goto out;
		written++;
	}
	if (write_gdbinit(&img, dir) < 0)
		goto out;
	rc = written;
out:
	image_free(&img);
	close(sf);
	return rc;
}
