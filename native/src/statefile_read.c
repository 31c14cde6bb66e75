/*
 * Reading a statefile: the ELF container of each process image (headers, the note segment,
 * PT_LOAD segments bound to their mapping records) and the process tree that ties the images
 * together.  The notes themselves are parsed by note_parsers.c.  A statefile is untrusted
 * input: every offset, size and count is checked before it is used.
 */
#include "statefile.h"
#include "annotation.h"
#include "fdkind.h"
#include "files.h"
#include "mem.h"
#include "note_parsers.h"
#include "notes.h"
#include "sysvipc.h"
#include "util.h"

#include <elf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct reader {
	int fd;
	uint64_t file_size;
};

static int rd(const struct reader *r, void *buf, uint64_t len, uint64_t off, const char *what)
{
	if (off > r->file_size || len > r->file_size - off)
		return ckpt_fail("truncated statefile: the %s lies beyond the end of the file", what);
	if (pread_all(r->fd, buf, len, (off_t)off) < 0)
		return ckpt_fail_errno("cannot read the %s", what);
	return 0;
}

static int cmp_u64_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int cmp_embedded(const void *a, const void *b)
{
	const struct embedded_file *x = a, *y = b;
	if (x->rec.offset != y->rec.offset)
		return x->rec.offset < y->rec.offset ? -1 : 1;
	return x->rec.size < y->rec.size ? -1 : x->rec.size > y->rec.size;
}

/* The files ckpt pack embedded lie in the root image after everything else it holds (*used),
 * inside the image, each on its own bytes or on exactly the bytes of another record. */
static int check_embedded_layout(struct statefile_image *img, uint64_t size, uint64_t *used)
{
	if (img->nembedded > 1)
		qsort(img->embedded, img->nembedded, sizeof(*img->embedded), cmp_embedded);
	uint64_t after = *used, end = *used;
	for (size_t i = 0; i < img->nembedded; i++) {
		const struct embedded_file *e = &img->embedded[i];
		if (e->rec.offset > size || e->rec.size > size - e->rec.offset)
			return ckpt_fail("truncated statefile: embedded file %s lies beyond the end of the file", e->path);
		if (i > 0 && e->rec.offset == e[-1].rec.offset && e->rec.size == e[-1].rec.size)
			continue; /* one file's bytes under two records */
		if (e->rec.offset < after)
			return ckpt_fail("embedded file %s overlaps the statefile's segments or another embedded file",
					 e->path);
		after = end = e->rec.offset + e->rec.size;
	}
	*used = end;
	return 0;
}

/* Reads one process image at [base, base+size) of the file.  *extent is set to how much of it
 * the image's headers, notes and segments use.  ann (root only, may be NULL) gets the image's
 * annotation and where its descriptor lies in the file. */
static int read_image(const struct reader *r, struct statefile_image *img, struct process_image *p,
		      uint64_t base, uint64_t size, int root, struct table *tree_out, uint8_t **tree_keep,
		      uint64_t *extent, struct annotation *ann)
{
	Elf64_Ehdr eh;
	if (size < sizeof(eh))
		return ckpt_fail("truncated statefile: no ELF header");
	if (rd(r, &eh, sizeof(eh), base, "ELF header") < 0)
		return -1;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return ckpt_fail("not a statefile: no ELF magic");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return ckpt_fail("not a statefile: not a 64-bit little-endian ELF file");
	if (eh.e_type != ET_CORE)
		return ckpt_fail("not a statefile: ELF type %u is not a core file", eh.e_type);
	if (eh.e_machine != EM_X86_64)
		return ckpt_fail("statefile is for machine %u, not x86-64", eh.e_machine);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return ckpt_fail("bad program header size %u", eh.e_phentsize);
	uint64_t nph = eh.e_phnum, headers_end = sizeof(eh);
	if (nph == PN_XNUM) {
		Elf64_Shdr sh;
		if (eh.e_shoff < sizeof(eh) || eh.e_shoff > size || size - eh.e_shoff < sizeof(sh))
			return ckpt_fail("extended program header count without a section header");
		if (rd(r, &sh, sizeof(sh), base + eh.e_shoff, "section header") < 0)
			return -1;
		nph = sh.sh_info;
		headers_end = eh.e_shoff + sizeof(sh);
	}
	if (nph < 1 || nph > MAX_VMAS + 1)
		return ckpt_fail("bad program header count %llu", (unsigned long long)nph);
	if (eh.e_phoff > size || nph * sizeof(Elf64_Phdr) > size - eh.e_phoff)
		return ckpt_fail("truncated statefile: program headers lie beyond the image");
	if (eh.e_phoff < sizeof(eh))
		return ckpt_fail("the program headers overlap the ELF header");
	if (eh.e_phoff + nph * sizeof(Elf64_Phdr) > headers_end)
		headers_end = eh.e_phoff + nph * sizeof(Elf64_Phdr);
	Elf64_Phdr *ph = xmalloc(nph * sizeof(Elf64_Phdr));
	uint8_t *notes = NULL;
	uint64_t (*ranges)[2] = NULL;
	struct image_notes in;
	notes_begin(&in, img, p, root);
	int rc = -1;
	if (rd(r, ph, nph * sizeof(Elf64_Phdr), base + eh.e_phoff, "program headers") < 0)
		goto out;

	/* One PT_NOTE, then the loads. */
	const Elf64_Phdr *note_ph = NULL;
	size_t nloads = 0;
	for (uint64_t i = 0; i < nph; i++) {
		if (ph[i].p_type == PT_NOTE) {
			if (note_ph) {
				ckpt_fail("more than one note segment");
				goto out;
			}
			note_ph = &ph[i];
		} else if (ph[i].p_type == PT_LOAD) {
			nloads++;
		}
	}
	if (!note_ph) {
		ckpt_fail("not a statefile: no note segment");
		goto out;
	}
	if (note_ph->p_filesz > (64u << 20) || note_ph->p_offset > size || note_ph->p_filesz > size - note_ph->p_offset) {
		ckpt_fail("truncated statefile: the note segment lies beyond the image");
		goto out;
	}
	/* The writer puts the notes right after the headers; they may not share bytes. */
	if (note_ph->p_offset < headers_end) {
		ckpt_fail("the note segment overlaps the ELF or program headers");
		goto out;
	}
	notes = xmalloc(note_ph->p_filesz + 1);
	if (rd(r, notes, note_ph->p_filesz, base + note_ph->p_offset, "note segment") < 0)
		goto out;

	struct note n;
	size_t pos = 0;
	int more;
	/* A core file that ckpt did not write (gcore, the kernel) gets that said plainly, before
	 * its other notes are judged by a statefile's rules. */
	int has_ckpt = 0;
	while ((more = note_next(notes, note_ph->p_filesz, &pos, &n)) > 0)
		has_ckpt |= strcmp(n.name, CKPT_NOTE_OWNER) == 0;
	if (more < 0)
		goto out;
	if (!has_ckpt) {
		if (root)
			ckpt_fail("not a ckpt statefile: a core file that ckpt did not make (it has no CKPT notes)");
		else
			ckpt_fail("the process image at offset %llu has no CKPT notes", (unsigned long long)base);
		goto out;
	}
	pos = 0;
	while ((more = note_next(notes, note_ph->p_filesz, &pos, &n)) > 0) {
		if (note_parse(&in, &n) < 0)
			goto out;
		if (ann && n.type == CKPT_NT_ANNOTATION && strcmp(n.name, CKPT_NOTE_OWNER) == 0) {
			if (annotation_decode(&n, ann) < 0)
				goto out;
			ann->present = true;
			ann->desc_offset = base + note_ph->p_offset + (uint64_t)(n.desc - notes);
			ann->desc_size = n.descsz;
		}
	}
	if (more < 0 || notes_finish(&in) < 0)
		goto out;

	/* Loads: one per VMA record, in order, page aligned, inside the image, not overlapping. */
	if (in.vmas.count != nloads) {
		ckpt_fail("%u mapping records for %zu PT_LOAD segments", in.vmas.count, nloads);
		goto out;
	}
	uint64_t data_start = ALIGN_UP(note_ph->p_offset + note_ph->p_filesz, PAGE);
	uint64_t used = note_ph->p_offset + note_ph->p_filesz;
	uint32_t seen_special = 0;
	ranges = xmalloc((nloads + 1) * sizeof(*ranges));
	size_t vi = 0, nfile_ranges = 0;
	for (uint64_t i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		struct vma_image *v = ARR_PUSH(p->vmas, p->nvmas, p->cap_vmas);
		table_rec(&in.vmas, (uint32_t)vi++, &v->rec, sizeof(v->rec));
		const Elf64_Phdr *l = &ph[i];
		uint64_t start = l->p_vaddr, len = l->p_memsz;
		if (start % PAGE || len % PAGE || len == 0 || start + len < start ||
		    (start + len > USER_TOP && start != VSYSCALL_ADDR)) {
			ckpt_fail("segment at 0x%llx (+0x%llx) is not a page-aligned user address range",
				  (unsigned long long)start, (unsigned long long)len);
			goto out;
		}
		if (v->rec.start != start || v->rec.end != start + len) {
			ckpt_fail("mapping record %zu does not match its PT_LOAD segment", vi - 1);
			goto out;
		}
		if (l->p_filesz > len || l->p_offset % PAGE || l->p_offset > size || l->p_filesz > size - l->p_offset) {
			ckpt_fail("truncated or corrupt statefile: segment at 0x%llx has data beyond the image",
				  (unsigned long long)start);
			goto out;
		}
		if (v->rec.store > CKPT_STORE_COW || l->p_filesz != image_vma_data_size(&v->rec)) {
			ckpt_fail("segment at 0x%llx has %llu bytes of data, but its mapping record says store kind %u",
				  (unsigned long long)start, (unsigned long long)l->p_filesz, v->rec.store);
			goto out;
		}
		if (l->p_filesz && l->p_offset < data_start) {
			ckpt_fail("segment at 0x%llx overlaps the statefile's headers", (unsigned long long)start);
			goto out;
		}
		if (v->rec.file != CKPT_NO_INDEX && v->rec.file >= p->nfiles) {
			ckpt_fail("mapping at 0x%llx refers to unknown file %u", (unsigned long long)start, v->rec.file);
			goto out;
		}
		if (v->rec.prot & ~7u) {
			ckpt_fail("mapping at 0x%llx has bad protection bits", (unsigned long long)start);
			goto out;
		}
		if (v->rec.flags & ~CKPT_VMA_KNOWN) {
			ckpt_fail("mapping at 0x%llx has unknown flags 0x%x", (unsigned long long)start,
				  v->rec.flags & ~CKPT_VMA_KNOWN);
			goto out;
		}
		/* The kernel sets LOCKONFAULT only with LOCKED, and makes only private anonymous
		 * memory droppable. */
		if (((v->rec.flags & CKPT_VMA_LOCKONFAULT) && !(v->rec.flags & CKPT_VMA_LOCKED)) ||
		    ((v->rec.flags & CKPT_VMA_DROPPABLE) &&
		     (v->rec.flags & (CKPT_VMA_ANON | CKPT_VMA_SHARED | CKPT_VMA_LOCKED)) != CKPT_VMA_ANON)) {
			ckpt_fail("mapping at 0x%llx has flags that do not go together (0x%x)", (unsigned long long)start,
				  v->rec.flags);
			goto out;
		}
		/* Contents come from the file, or from the statefile: readable memory with neither
		 * (anonymous, or its file deleted) would come back as zeros. */
		int no_file = v->rec.file == CKPT_NO_INDEX || (v->rec.flags & CKPT_VMA_DELETED);
		if (v->rec.store == CKPT_STORE_HEADER && no_file) {
			ckpt_fail("mapping at 0x%llx stores a file's header page but has no file", (unsigned long long)start);
			goto out;
		}
		/* Only a private mapping of a memory object keeps just its changed pages. */
		if (v->rec.store == CKPT_STORE_COW &&
		    ((v->rec.flags & (CKPT_VMA_SHARED | CKPT_VMA_VDSO | CKPT_VMA_SYSVSHM)) ||
		     ((v->rec.flags & CKPT_VMA_ANON) ? !v->rec.shmem_id || v->rec.file != CKPT_NO_INDEX
						     : !(v->rec.flags & CKPT_VMA_DELETED) || v->rec.file == CKPT_NO_INDEX))) {
			ckpt_fail("mapping at 0x%llx keeps only its changed pages but maps no memory object",
				  (unsigned long long)start);
			goto out;
		}
		if (v->rec.store == CKPT_STORE_NONE && no_file && (v->rec.prot & 1) &&
		    !(v->rec.flags & (CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL))) {
			ckpt_fail("readable memory at 0x%llx has neither contents in the statefile nor a file to come from",
				  (unsigned long long)start);
			goto out;
		}
		if (v->rec.pgoff % PAGE) {
			ckpt_fail("mapping at 0x%llx has a file offset that is not page aligned", (unsigned long long)start);
			goto out;
		}
		/* Where it ends in its file is a size restart may give a file (a deleted one). */
		if (v->rec.pgoff > (uint64_t)INT64_MAX - (v->rec.end - v->rec.start)) {
			ckpt_fail("mapping at 0x%llx has a file offset past any file size", (unsigned long long)start);
			goto out;
		}
		/* [vvar], [vvar_vclock] and [vdso] exist once; restart moves each to its one place. */
		uint32_t special = v->rec.flags & (CKPT_VMA_VDSO | CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK);
		if (special & (special - 1) || special & seen_special) {
			ckpt_fail("mapping at 0x%llx is a second [vdso] or [vvar]", (unsigned long long)start);
			goto out;
		}
		seen_special |= special;
		v->file_offset = base + l->p_offset;
		v->file_size = l->p_filesz;
		if (l->p_filesz) {
			ranges[nfile_ranges][0] = l->p_offset;
			ranges[nfile_ranges][1] = l->p_offset + l->p_filesz;
			nfile_ranges++;
			if (ALIGN_UP(l->p_offset + l->p_filesz, PAGE) > used)
				used = ALIGN_UP(l->p_offset + l->p_filesz, PAGE);
		}
	}
	if (mem_check_objects(p) < 0)
		goto out;
	/* Address ranges must not overlap; records are sorted by the writer, check that. */
	for (size_t i = 1; i < p->nvmas; i++)
		if (p->vmas[i].rec.start < p->vmas[i - 1].rec.end) {
			ckpt_fail("mappings at 0x%llx and 0x%llx overlap or are out of order",
				  (unsigned long long)p->vmas[i - 1].rec.start, (unsigned long long)p->vmas[i].rec.start);
			goto out;
		}
	qsort(ranges, nfile_ranges, sizeof(*ranges), cmp_u64_pair);
	for (size_t i = 1; i < nfile_ranges; i++)
		if (ranges[i][0] < ranges[i - 1][1]) {
			ckpt_fail("two segments share the same bytes of the statefile");
			goto out;
		}
	if (p->rec.exe_file != CKPT_NO_INDEX && p->rec.exe_file >= p->nfiles) {
		ckpt_fail("the executable refers to unknown file %u", p->rec.exe_file);
		goto out;
	}
	if (root && check_embedded_layout(img, size, &used) < 0)
		goto out;
	if (root) {
		*tree_out = in.tree;
		/* The tree table points into the notes buffer; keep it alive for the caller. */
		*tree_keep = notes;
		notes = NULL;
	}
	p->image_offset = base;
	p->image_size = size;
	*extent = used;
	rc = 0;
out:
	free(ph);
	free(notes);
	free(ranges);
	return rc;
}

/* Whether a process can end with this wait status: exit(0..255), or killed by a signal whose
 * default action ends a process (possibly with the core-dump bit). */
static bool exit_status_ok(uint32_t st)
{
	if ((st & 0x7f) == 0)
		return (st & ~0xff00u) == 0;
	uint32_t sig = st & 0x7f;
	static const uint32_t not_fatal[] = {SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH};
	for (size_t i = 0; i < sizeof(not_fatal) / sizeof(not_fatal[0]); i++)
		if (sig == not_fatal[i])
			return false;
	return sig <= 64 && (st & ~0xffu) == 0;
}

/* A zombie's tree record: no image, a status it can end with, ids in range. */
static int check_zombie(const struct ckpt_rec_tree *z)
{
	if (z->image_offset || z->image_size)
		return ckpt_fail("zombie %u has a process image; a zombie has none", z->pid);
	if (!exit_status_ok(z->exit_code))
		return ckpt_fail("zombie %u has wait status 0x%x, which no process can end with", z->pid, z->exit_code);
	if (z->pid <= 1 || z->pid > PID_LIMIT || z->ppid > PID_LIMIT || z->pgid > PID_LIMIT || z->sid > PID_LIMIT)
		return ckpt_fail("zombie %u has a pid, parent, group or session out of range", z->pid);
	return 0;
}

/* pid, ppid, pgid and sid of every process and zombie of the tree, for the checks that span them. */
struct member {
	uint32_t pid, ppid, pgid, sid;
	bool zombie;
};

int statefile_read(int fd, struct statefile_image *img)
{
	return statefile_read_annotated(fd, img, NULL);
}

int statefile_read_annotated(int fd, struct statefile_image *img, struct annotation *ann)
{
	struct member *all = NULL;
	size_t nall = 0, cap_all = 0;
	memset(img, 0, sizeof(*img));
	if (ann)
		memset(ann, 0, sizeof(*ann));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ckpt_fail_errno("cannot stat the statefile");
	if (!S_ISREG(st.st_mode))
		return ckpt_fail("not a statefile: not a regular file but a %s",
				 S_ISDIR(st.st_mode) ? "directory" : S_ISFIFO(st.st_mode) ? "FIFO" :
				 S_ISCHR(st.st_mode) ? "character device" : S_ISBLK(st.st_mode) ? "block device" :
				 S_ISSOCK(st.st_mode) ? "socket" : "special file");
	struct reader r = {fd, (uint64_t)st.st_size};
	img->file_size = (uint64_t)st.st_size;
	img->allocated_bytes = (uint64_t)st.st_blocks * 512;
	if (r.file_size < sizeof(Elf64_Ehdr))
		return ckpt_fail("truncated statefile: %llu bytes", (unsigned long long)r.file_size);

	struct process_image *root = ARR_PUSH(img->procs, img->nprocs, img->cap_procs);
	struct table tree = {0};
	uint8_t *tree_keep = NULL;
	uint64_t root_end = 0, extent = 0;
	if (read_image(&r, img, root, 0, r.file_size, 1, &tree, &tree_keep, &root_end, ann) < 0)
		goto fail;
	if (tree.count < 1 || tree.count != img->hdr.nr_processes) {
		ckpt_fail("the process tree lists %u processes, the header %u", tree.count, img->hdr.nr_processes);
		goto fail;
	}
	struct ckpt_rec_tree t0;
	table_rec(&tree, 0, &t0, sizeof(t0));
	if (t0.pid != root->rec.pid || t0.image_offset != 0) {
		ckpt_fail("the first process of the tree is not the root image");
		goto fail;
	}
	/* The root image was read against the whole file; everything it uses must lie inside the
	 * size the tree gives it, where no child image may be. */
	if (t0.image_size < root_end || t0.image_size > r.file_size) {
		ckpt_fail("the root image's size in the process tree (%llu) does not cover its data (%llu) or exceeds the file",
			  (unsigned long long)t0.image_size, (unsigned long long)root_end);
		goto fail;
	}
	if (t0.flags & CKPT_TREE_ZOMBIE) {
		ckpt_fail("the root process of the tree is a zombie");
		goto fail;
	}
	if (t0.flags & ~CKPT_TREE_STOPPED) {
		ckpt_fail("unknown flags 0x%x for process %u in the process tree", t0.flags, t0.pid);
		goto fail;
	}
	root->image_size = t0.image_size;
	root->tree_flags = t0.flags;
	uint64_t prev_end = t0.image_size;
	for (uint32_t i = 1; i < tree.count; i++) {
		struct ckpt_rec_tree te;
		table_rec(&tree, i, &te, sizeof(te));
		if (te.flags & ~(te.flags & CKPT_TREE_ZOMBIE ? CKPT_TREE_ZOMBIE : CKPT_TREE_STOPPED)) {
			ckpt_fail("unknown flags 0x%x for process %u in the process tree", te.flags, te.pid);
			goto fail;
		}
		if (te.flags & CKPT_TREE_ZOMBIE) {
			if (check_zombie(&te) < 0)
				goto fail;
			*ARR_PUSH(img->zombies, img->nzombies, img->cap_zombies) = te;
			continue;
		}
		if (te.image_offset % PAGE || te.image_offset < prev_end || te.image_offset > r.file_size ||
		    te.image_size > r.file_size - te.image_offset || te.image_size == 0) {
			ckpt_fail("process %u's image lies outside the statefile or overlaps another", te.pid);
			goto fail;
		}
		prev_end = te.image_offset + te.image_size;
		struct process_image *p = ARR_PUSH(img->procs, img->nprocs, img->cap_procs);
		struct ckpt_rec_header keep = img->hdr;
		if (read_image(&r, img, p, te.image_offset, te.image_size, 0, NULL, NULL, &extent, NULL) < 0)
			goto fail;
		img->hdr = keep;
		if (p->rec.pid != te.pid) {
			ckpt_fail("process image %u is for pid %u, but the tree says %u", i, p->rec.pid, te.pid);
			goto fail;
		}
		if (p->rec.ppid != te.ppid || p->rec.pgid != te.pgid || p->rec.sid != te.sid) {
			ckpt_fail("process %u's parent, group or session differ between its image and the tree", te.pid);
			goto fail;
		}
		p->tree_flags = te.flags;
		p->exit_code = te.exit_code;
	}
	root = &img->procs[0]; /* the pushes above may have moved the array */
	if (root->rec.ppid != t0.ppid || root->rec.pgid != t0.pgid || root->rec.sid != t0.sid) {
		ckpt_fail("process %u's parent, group or session differ between its image and the tree", t0.pid);
		goto fail;
	}
	/* The saved xsave area size must fit in every thread's NT_X86_XSTATE note. */
	if (img->hdr.xsave_size && img->hdr.xsave_size < 576) {
		ckpt_fail("bad xsave size %u in the header", img->hdr.xsave_size);
		goto fail;
	}
	for (size_t i = 0; i < img->nprocs; i++)
		for (size_t k = 0; k < img->procs[i].nthreads; k++) {
			const struct thread_image *t = &img->procs[i].threads[k];
			if (t->xstate && img->hdr.xsave_size > t->xstate_len) {
				ckpt_fail("thread %u's xsave state is shorter than the header's xsave size", t->rec.tid);
				goto fail;
			}
		}
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct ckpt_rec_process *a = &img->procs[i].rec;
		*ARR_PUSH(all, nall, cap_all) = (struct member){a->pid, a->ppid, a->pgid, a->sid, false};
	}
	for (size_t i = 0; i < img->nzombies; i++) {
		const struct ckpt_rec_tree *z = &img->zombies[i];
		*ARR_PUSH(all, nall, cap_all) = (struct member){z->pid, z->ppid, z->pgid, z->sid, true};
	}
	/* Sessions and groups as the kernel keeps them: a session leader leads its own group,
	 * a session inside the tree is led by a session leader, and a group inside the tree
	 * lies in one session.  Restart could not rebuild anything else. */
	for (size_t i = 0; i < nall; i++) {
		const struct member *a = &all[i];
		if (a->sid == a->pid && a->pgid != a->pid) {
			ckpt_fail("process %u leads its session but not its own process group", a->pid);
			goto fail;
		}
		for (size_t j = 0; j < nall; j++) {
			const struct member *b = &all[j];
			if (a->sid == b->pid && b->sid != b->pid) {
				ckpt_fail("process %u's session %u is led by a process that is not a session leader", a->pid,
					  a->sid);
				goto fail;
			}
			if (a->pgid == b->pid && b->sid != a->sid) {
				ckpt_fail("process %u's group %u lies in another session", a->pid, a->pgid);
				goto fail;
			}
		}
	}
	/* Parents must come before children, and pids must be unique; the root's parent lies
	 * outside the tree (no cycle through the root). */
	for (size_t i = 0; i < img->nprocs; i++)
		if (img->procs[i].rec.pid == root->rec.ppid) {
			ckpt_fail("the root process's parent %u is inside its own tree", root->rec.ppid);
			goto fail;
		}
	for (size_t i = 0; i < nall; i++)
		for (size_t j = 0; j < i; j++)
			if (all[j].pid == all[i].pid) {
				ckpt_fail("pid %u appears twice in the process tree", all[i].pid);
				goto fail;
			}
	/* A zombie's parent is a live process of the tree (which will reap it), and a zombie is
	 * nobody's parent: its children went to another parent when it died. */
	for (size_t i = 0; i < nall; i++) {
		bool parent_live = false, parent_zombie = false;
		for (size_t j = 0; j < nall; j++)
			if (all[j].pid == all[i].ppid) {
				parent_live |= !all[j].zombie;
				parent_zombie |= all[j].zombie;
			}
		if (parent_zombie) {
			ckpt_fail("process %u's parent %u is a zombie", all[i].pid, all[i].ppid);
			goto fail;
		}
		if (all[i].zombie && !parent_live) {
			ckpt_fail("zombie %u's parent %u is not a process of the tree", all[i].pid, all[i].ppid);
			goto fail;
		}
	}
	for (size_t i = 0; i < img->nprocs; i++) {
		if (i > 0) {
			int found = 0;
			for (size_t j = 0; j < i; j++)
				found |= img->procs[j].rec.pid == img->procs[i].rec.ppid;
			if (!found) {
				ckpt_fail("process %u's parent %u is not before it in the tree", img->procs[i].rec.pid,
					  img->procs[i].rec.ppid);
				goto fail;
			}
		}
	}
	/* What the state of the fds that ckpt rebuilds says about other fds and processes. */
	for (uint32_t kind = 1; kind <= CKPT_FD_KIND_MAX; kind++) {
		const struct fd_kind *k = fd_kind_of(kind);
		if (k && k->check_tree && k->check_tree(img) < 0)
			goto fail;
	}
	if (sysvipc_check_image(img) < 0 || files_check_owners(img) < 0)
		goto fail;
	free(tree_keep);
	free(all);
	return 0;
fail:
	free(tree_keep);
	free(all);
	image_free(img);
	if (ann)
		annotation_free(ann);
	return -1;
}
