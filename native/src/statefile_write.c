/*
 * Writing a statefile: the notes of each process image (the standard core notes, then the CKPT
 * notes of format.h), the layout of the images and their PT_LOAD data, the ELF headers, and the
 * temporary file that is renamed into place only when complete.
 */
#include "statefile.h"
#include "annotation.h"
#include "notes.h"
#include "locks.h"
#include "tty.h"
#include "procattr.h"
#include "remote.h"
#include "seccomp.h"
#include "sysvipc.h"
#include "timers.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>

static void fill_prstatus(struct elf_prstatus *st, const struct process_image *p, const struct thread_image *t)
{
	memset(st, 0, sizeof(*st));
	st->pr_info.si_signo = t->stop_siginfo.si_signo;
	st->pr_info.si_code = t->stop_siginfo.si_code;
	st->pr_info.si_errno = t->stop_siginfo.si_errno;
	st->pr_cursig = (short)t->stop_siginfo.si_signo;
	uint64_t pend = 0;
	for (size_t i = 0; i < t->npending; i++) {
		int sig;
		memcpy(&sig, t->pending[i].siginfo, sizeof(sig));
		if (sig >= 1 && sig <= 64)
			pend |= 1ull << (sig - 1);
	}
	st->pr_sigpend = pend;
	st->pr_sighold = t->rec.sigmask;
	st->pr_pid = (pid_t)t->rec.tid;
	st->pr_ppid = (pid_t)p->rec.ppid;
	st->pr_pgrp = (pid_t)p->rec.pgid;
	st->pr_sid = (pid_t)p->rec.sid;
	memcpy(&st->pr_reg, &t->regs, sizeof(st->pr_reg));
	st->pr_fpvalid = 1;
}

static void fill_prpsinfo(struct elf_prpsinfo *ps, const struct process_image *p)
{
	memset(ps, 0, sizeof(*ps));
	ps->pr_state = 3; /* stopped */
	ps->pr_sname = 'T';
	ps->pr_uid = p->rec.uid;
	ps->pr_gid = p->rec.gid;
	ps->pr_pid = (pid_t)p->rec.pid;
	ps->pr_ppid = (pid_t)p->rec.ppid;
	ps->pr_pgrp = (pid_t)p->rec.pgid;
	ps->pr_sid = (pid_t)p->rec.sid;
	memcpy(ps->pr_fname, p->comm, strnlen(p->comm, sizeof(ps->pr_fname)));
	size_t n = p->cmdline_len < sizeof(ps->pr_psargs) - 1 ? p->cmdline_len : sizeof(ps->pr_psargs) - 1;
	memcpy(ps->pr_psargs, p->cmdline, n);
	for (size_t i = 0; i < n; i++)
		if (!ps->pr_psargs[i])
			ps->pr_psargs[i] = ' ';
	while (n > 0 && ps->pr_psargs[n - 1] == ' ')
		ps->pr_psargs[--n] = 0;
}

static void add_nt_file(struct buf *notes, const struct process_image *p)
{
	struct buf desc = {0}, names = {0};
	uint64_t count = 0, page = PAGE;
	buf_put(&desc, &count, 8);
	buf_put(&desc, &page, 8);
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct ckpt_rec_vma *v = &p->vmas[i].rec;
		if (v->file == CKPT_NO_INDEX)
			continue;
		uint64_t e[3] = {v->start, v->end, v->pgoff / PAGE};
		buf_put(&desc, e, sizeof(e));
		const char *path = p->files[v->file].path;
		buf_put(&names, path, strlen(path) + 1);
		count++;
	}
	memcpy(desc.data, &count, 8);
	buf_put(&desc, names.data, names.len);
	note_add(notes, "CORE", NT_FILE, desc.data, desc.len);
	buf_free(&desc);
	buf_free(&names);
}

static size_t gdb_xstate_size(uint64_t xcr0)
{
	if (xcr0 & (1u << 9))
		return 2696; /* PKRU */
	if (xcr0 & 0xe0)
		return 2688; /* AVX-512 */
	if (xcr0 & 0x18)
		return 1088; /* MPX */
	if (xcr0 & 0x4)
		return 832;  /* AVX */
	return 576;
}

static void add_thread_notes(struct buf *notes, const struct process_image *p, const struct thread_image *t, int first)
{
	struct elf_prstatus st;
	fill_prstatus(&st, p, t);
	note_add(notes, "CORE", NT_PRSTATUS, &st, sizeof(st));
	if (first) {
		struct elf_prpsinfo ps;
		fill_prpsinfo(&ps, p);
		note_add(notes, "CORE", NT_PRPSINFO, &ps, sizeof(ps));
	}
	if (t->stop_siginfo.si_signo)
		note_add(notes, "CORE", NT_SIGINFO, &t->stop_siginfo, sizeof(t->stop_siginfo));
	if (first) {
		if (p->auxv_len)
			note_add(notes, "CORE", NT_AUXV, p->auxv, p->auxv_len);
		add_nt_file(notes, p);
	}
	note_add(notes, "CORE", NT_FPREGSET, &t->fpregs, sizeof(t->fpregs));
	if (t->xstate_len) {
		/* gdb 13 sizes this note by the Intel layout for XCR0 and rejects shorter ones, while
		 * CPUs without MPX (AMD) have a shorter area; zero padding satisfies gdb, and restart
		 * uses only the header's xsave_size bytes. */
		size_t want = gdb_xstate_size(xstate_xcr0_of(t->xstate, t->xstate_len));
		if (want > t->xstate_len) {
			uint8_t *padded = xcalloc(1, want);
			memcpy(padded, t->xstate, t->xstate_len);
			note_add(notes, "LINUX", NT_X86_XSTATE, padded, want);
			free(padded);
		} else {
			note_add(notes, "LINUX", NT_X86_XSTATE, t->xstate, t->xstate_len);
		}
	}
}

static void add_ckpt_notes(struct buf *notes, const struct statefile_image *img, const struct process_image *p, int root)
{
	struct table_writer tw;

	tw_init(&tw, sizeof(struct ckpt_rec_header));
	struct ckpt_rec_header h = img->hdr;
	h.flags = (h.flags & ~CKPT_HDR_ROOT) | (root ? CKPT_HDR_ROOT : 0);
	h.engine_version = tw_str(&tw, img->engine_version);
	h.kernel_release = tw_str(&tw, img->kernel_release);
	h.hostname = tw_str(&tw, img->hostname);
	h.stop_function = tw_str(&tw, img->stop_function);
	h.stop_file = tw_str(&tw, img->stop_file);
	h.nr_processes = (uint32_t)(img->nprocs + img->nzombies);
	tw_add(&tw, &h);
	tw_emit(&tw, notes, CKPT_NT_HEADER);

	tw_init(&tw, sizeof(struct ckpt_rec_process));
	struct ckpt_rec_process pr = p->rec;
	pr.exe = tw_str(&tw, p->exe);
	pr.cwd = tw_str(&tw, p->cwd);
	pr.comm = tw_str(&tw, p->comm);
	pr.cmdline_off = tw_blob(&tw, p->cmdline, p->cmdline_len);
	pr.cmdline_len = (uint32_t)p->cmdline_len;
	pr.nr_threads = (uint32_t)p->nthreads;
	tw_add(&tw, &pr);
	tw_emit(&tw, notes, CKPT_NT_PROCESS);

	tw_init(&tw, sizeof(struct ckpt_rec_mm));
	tw_add(&tw, &p->mm);
	tw_emit(&tw, notes, CKPT_NT_MM);

	tw_init(&tw, sizeof(struct ckpt_rec_vma));
	for (size_t i = 0; i < p->nvmas; i++)
		tw_add(&tw, &p->vmas[i].rec);
	tw_emit(&tw, notes, CKPT_NT_VMAS);

	tw_init(&tw, sizeof(struct ckpt_rec_file));
	for (size_t i = 0; i < p->nfiles; i++) {
		struct ckpt_rec_file f = p->files[i].rec;
		f.path = tw_str(&tw, p->files[i].path);
		tw_add(&tw, &f);
	}
	tw_emit(&tw, notes, CKPT_NT_FILES);

	tw_init(&tw, sizeof(struct ckpt_rec_fd));
	for (size_t i = 0; i < p->nfds; i++) {
		struct ckpt_rec_fd f = p->fds[i].rec;
		f.path = tw_str(&tw, p->fds[i].path);
		f.data_off = tw_blob(&tw, p->fds[i].data, p->fds[i].rec.data_len);
		tw_add(&tw, &f);
	}
	tw_emit(&tw, notes, CKPT_NT_FDS);

	tw_init(&tw, sizeof(struct ckpt_rec_sigaction));
	for (int i = 0; i < 64; i++)
		tw_add(&tw, &p->sigactions[i]);
	tw_emit(&tw, notes, CKPT_NT_SIGACTIONS);

	tw_init(&tw, sizeof(struct ckpt_rec_sigqueue));
	for (size_t i = 0; i < p->nshared_pending; i++)
		tw_add(&tw, &p->shared_pending[i]);
	for (size_t t = 0; t < p->nthreads; t++)
		for (size_t i = 0; i < p->threads[t].npending; i++)
			tw_add(&tw, &p->threads[t].pending[i]);
	tw_emit(&tw, notes, CKPT_NT_SIGQUEUE);

	tw_init(&tw, sizeof(struct ckpt_rec_thread));
	for (size_t t = 0; t < p->nthreads; t++) {
		struct ckpt_rec_thread r = p->threads[t].rec;
		r.comm = tw_str(&tw, p->threads[t].comm);
		tw_add(&tw, &r);
	}
	tw_emit(&tw, notes, CKPT_NT_THREADS);

	/* The process's kernel objects, each note only when there is something in it. */
	procattr_write_note(notes, p);
	timers_write_note(notes, p);
	locks_write_note(notes, p);
	tty_write_note(notes, p);
	seccomp_write_note(notes, p);
	if (root)
		sysvipc_write_note(notes, img);

	if (root) {
		tw_init(&tw, sizeof(struct ckpt_rec_tree));
		for (size_t i = 0; i < img->nprocs; i++) {
			const struct process_image *q = &img->procs[i];
			struct ckpt_rec_tree r = {
				.pid = q->rec.pid, .ppid = q->rec.ppid, .pgid = q->rec.pgid, .sid = q->rec.sid,
				.image_offset = q->image_offset, .image_size = q->image_size,
				.flags = q->tree_flags, .exit_code = q->exit_code,
			};
			tw_add(&tw, &r);
		}
		for (size_t i = 0; i < img->nzombies; i++)
			tw_add(&tw, &img->zombies[i]); /* no image of their own */
		tw_emit(&tw, notes, CKPT_NT_TREE);
		if (img->has_cpu) {
			tw_init(&tw, sizeof(struct ckpt_rec_cpu));
			tw_add(&tw, &img->cpu);
			tw_emit(&tw, notes, CKPT_NT_CPU);
		}
	}
}

/* A string in a zeroed region of its own, so that it can be rewritten in place later. */
static uint32_t tw_region(struct table_writer *tw, const char *s, uint32_t room)
{
	uint8_t *region = xcalloc(1, room);
	memcpy(region, s, strlen(s));
	uint32_t off = tw_blob(tw, region, room);
	free(region);
	return off;
}

static void add_annotation_note(struct buf *notes, const struct annotation *a)
{
	struct table_writer tw;
	tw_init(&tw, sizeof(struct ckpt_rec_annotation));
	struct ckpt_rec_annotation r = {
		.origin = a->origin, .sequence = a->sequence, .session = a->session,
		.label_room = CKPT_ANN_LABEL_ROOM, .note_room = CKPT_ANN_NOTE_ROOM,
	};
	r.label = tw_region(&tw, a->label, CKPT_ANN_LABEL_ROOM);
	r.note = tw_region(&tw, a->note, CKPT_ANN_NOTE_ROOM);
	r.parent = tw_str(&tw, a->parent);
	tw_add(&tw, &r);
	tw_emit(&tw, notes, CKPT_NT_ANNOTATION);
}

static void build_notes(struct buf *notes, const struct statefile_image *img, const struct process_image *p, int root,
			const struct annotation *ann)
{
	notes->len = 0;
	for (size_t t = 0; t < p->nthreads; t++)
		add_thread_notes(notes, p, &p->threads[t], t == 0);
	add_ckpt_notes(notes, img, p, root);
	if (root && ann)
		add_annotation_note(notes, ann);
}

static uint64_t headers_size(const struct process_image *p, size_t notes_len)
{
	uint64_t nph = 1 + p->nvmas;
	uint64_t sz = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr);
	if (nph >= PN_XNUM)
		sz += sizeof(Elf64_Shdr);
	return sz + notes_len;
}

/* Places the image's PT_LOAD data after its headers; returns the image size. */
static uint64_t place_segments(struct process_image *p, uint64_t image_offset, size_t notes_len)
{
	uint64_t off = ALIGN_UP(headers_size(p, notes_len), PAGE);
	for (size_t i = 0; i < p->nvmas; i++) {
		struct vma_image *v = &p->vmas[i];
		v->file_size = image_vma_data_size(&v->rec);
		v->file_offset = image_offset + off;
		off += ALIGN_UP(v->file_size, PAGE);
	}
	return off;
}

int statefile_layout(struct statefile_image *img, struct statefile_layout *lay)
{
	return statefile_layout_annotated(img, NULL, lay);
}

int statefile_layout_annotated(struct statefile_image *img, const struct annotation *ann, struct statefile_layout *lay)
{
	memset(lay, 0, sizeof(*lay));
	lay->nprocs = img->nprocs;
	lay->notes = xcalloc(img->nprocs, sizeof(struct buf));
	/* Children first: their sizes do not depend on the root.  The root's tree note has a
	 * fixed size, so building it once with placeholder offsets gives the final layout. */
	struct process_image *root = &img->procs[0];
	build_notes(&lay->notes[0], img, root, 1, ann);
	root->image_offset = 0;
	root->image_size = place_segments(root, 0, lay->notes[0].len);
	uint64_t off = root->image_size;
	for (size_t i = 1; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		build_notes(&lay->notes[i], img, p, 0, NULL);
		p->image_offset = off;
		p->image_size = place_segments(p, off, lay->notes[i].len);
		off += p->image_size;
	}
	size_t before = lay->notes[0].len;
	build_notes(&lay->notes[0], img, root, 1, ann);
	if (lay->notes[0].len != before)
		return ckpt_fail("internal error: root notes changed size");
	lay->total_size = off;
	return 0;
}

void statefile_layout_free(struct statefile_layout *lay)
{
	for (size_t i = 0; i < lay->nprocs; i++)
		buf_free(&lay->notes[i]);
	free(lay->notes);
	memset(lay, 0, sizeof(*lay));
}

static int write_image_headers(int fd, const struct process_image *p, const struct buf *notes)
{
	uint64_t nph = 1 + p->nvmas;
	struct buf b = {0};
	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = nph >= PN_XNUM ? PN_XNUM : (uint16_t)nph;
	uint64_t notes_off = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	if (nph >= PN_XNUM) {
		/* Extended numbering: the real count is in section header 0. */
		eh.e_shoff = notes_off;
		eh.e_shentsize = sizeof(Elf64_Shdr);
		eh.e_shnum = 1;
		notes_off += sizeof(Elf64_Shdr);
	}
	buf_put(&b, &eh, sizeof(eh));
	Elf64_Phdr ph = {.p_type = PT_NOTE, .p_offset = p->image_offset + notes_off, .p_filesz = notes->len, .p_align = 4};
	/* Offsets in a child image are relative to the image, so it is a core file on its own. */
	ph.p_offset -= p->image_offset;
	buf_put(&b, &ph, sizeof(ph));
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct vma_image *v = &p->vmas[i];
		Elf64_Phdr l = {
			.p_type = PT_LOAD,
			.p_flags = (v->rec.prot & 1 ? PF_R : 0) | (v->rec.prot & 2 ? PF_W : 0) | (v->rec.prot & 4 ? PF_X : 0),
			.p_offset = v->file_offset - p->image_offset,
			.p_vaddr = v->rec.start,
			.p_filesz = v->file_size,
			.p_memsz = v->rec.end - v->rec.start,
			.p_align = PAGE,
		};
		buf_put(&b, &l, sizeof(l));
	}
	if (nph >= PN_XNUM) {
		Elf64_Shdr sh = {.sh_info = (uint32_t)nph};
		buf_put(&b, &sh, sizeof(sh));
	}
	buf_put(&b, notes->data, notes->len);
	int r = pwrite_all(fd, b.data, b.len, (off_t)p->image_offset);
	buf_free(&b);
	if (r < 0)
		return ckpt_fail_errno("cannot write the statefile");
	return 0;
}

int statefile_write_headers(int fd, const struct statefile_image *img, const struct statefile_layout *lay)
{
	for (size_t i = 0; i < img->nprocs; i++)
		if (write_image_headers(fd, &img->procs[i], &lay->notes[i]) < 0)
			return -1;
	if (ftruncate(fd, (off_t)lay->total_size) < 0)
		return ckpt_fail_errno("cannot size the statefile");
	return 0;
}

int statefile_create_tmp(const char *path, char **tmp_path)
{
	char *dup = xstrdup(path);
	char *base = xstrdup(basename(dup));
	free(dup);
	dup = xstrdup(path);
	char *dir = dirname(dup);
	char *tmp = xasprintf("%s/.%s.XXXXXX.tmp", dir, base);
	free(dup);
	free(base);
	int fd = mkostemps(tmp, 4, O_CLOEXEC);
	if (fd < 0) {
		ckpt_fail_errno("cannot create a statefile next to %s", path);
		free(tmp);
		return -1;
	}
	fchmod(fd, 0600);
	*tmp_path = tmp;
	return fd;
}

int statefile_commit(int fd, const char *tmp_path, const char *path)
{
	if (fsync(fd) < 0)
		return ckpt_fail_errno("cannot sync %s", tmp_path);
	if (rename(tmp_path, path) < 0)
		return ckpt_fail_errno("cannot rename the statefile to %s", path);
	char *dup = xstrdup(path);
	int dfd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dup);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
