#include "statefile.h"
#include "notes.h"
#include "remote.h"
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

#define PAGE 4096ull
#define PID_LIMIT (1u << 22) /* the kernel's PID_MAX_LIMIT on 64-bit */
#define USER_TOP (1ull << 47)
#define VSYSCALL_ADDR 0xffffffffff600000ull

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                   */

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
	h.nr_processes = (uint32_t)img->nprocs;
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
		tw_emit(&tw, notes, CKPT_NT_TREE);
	}
}

static void build_notes(struct buf *notes, const struct statefile_image *img, const struct process_image *p, int root)
{
	notes->len = 0;
	for (size_t t = 0; t < p->nthreads; t++)
		add_thread_notes(notes, p, &p->threads[t], t == 0);
	add_ckpt_notes(notes, img, p, root);
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
		uint64_t len = v->rec.end - v->rec.start;
		v->file_size = v->rec.store == CKPT_STORE_FULL ? len : v->rec.store == CKPT_STORE_HEADER ? PAGE : 0;
		v->file_offset = image_offset + off;
		off += ALIGN_UP(v->file_size, PAGE);
	}
	return off;
}

int statefile_layout(struct statefile_image *img, struct statefile_layout *lay)
{
	memset(lay, 0, sizeof(*lay));
	lay->nprocs = img->nprocs;
	lay->notes = xcalloc(img->nprocs, sizeof(struct buf));
	/* Children first: their sizes do not depend on the root.  The root's tree note has a
	 * fixed size, so building it once with placeholder offsets gives the final layout. */
	struct process_image *root = &img->procs[0];
	build_notes(&lay->notes[0], img, root, 1);
	root->image_offset = 0;
	root->image_size = place_segments(root, 0, lay->notes[0].len);
	uint64_t off = root->image_size;
	for (size_t i = 1; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		build_notes(&lay->notes[i], img, p, 0);
		p->image_offset = off;
		p->image_size = place_segments(p, off, lay->notes[i].len);
		off += p->image_size;
	}
	size_t before = lay->notes[0].len;
	build_notes(&lay->notes[0], img, root, 1);
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

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                   */

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

static int find_note_thread(struct process_image *p, struct thread_image **cur)
{
	if (!*cur)
		return ckpt_fail("a thread note comes before any NT_PRSTATUS");
	return 0;
}

static int parse_standard_note(struct process_image *p, const struct note *n, struct thread_image **cur)
{
	if (strcmp(n->name, "CORE") == 0 && n->type == NT_PRSTATUS) {
		if (n->descsz != sizeof(struct elf_prstatus))
			return ckpt_fail("NT_PRSTATUS has size %u, expected %zu", n->descsz, sizeof(struct elf_prstatus));
		if (p->nthreads >= MAX_THREADS)
			return ckpt_fail("too many threads in a process image");
		struct elf_prstatus st;
		memcpy(&st, n->desc, sizeof(st));
		struct thread_image *t = ARR_PUSH(p->threads, p->nthreads, p->cap_threads);
		t->rec.tid = (uint32_t)st.pr_pid;
		memcpy(&t->regs, &st.pr_reg, sizeof(t->regs));
		*cur = t;
		return 0;
	}
	if (strcmp(n->name, "CORE") == 0 && n->type == NT_FPREGSET) {
		if (find_note_thread(p, cur) < 0)
			return -1;
		if (n->descsz != sizeof((*cur)->fpregs))
			return ckpt_fail("NT_FPREGSET has size %u", n->descsz);
		memcpy(&(*cur)->fpregs, n->desc, n->descsz);
		return 0;
	}
	if (strcmp(n->name, "LINUX") == 0 && n->type == NT_X86_XSTATE) {
		if (find_note_thread(p, cur) < 0)
			return -1;
		if (n->descsz < 576 || n->descsz > (1u << 20) || (*cur)->xstate)
			return ckpt_fail("bad NT_X86_XSTATE note (size %u)", n->descsz);
		(*cur)->xstate = xmalloc(n->descsz);
		memcpy((*cur)->xstate, n->desc, n->descsz);
		(*cur)->xstate_len = n->descsz;
		return 0;
	}
	if (strcmp(n->name, "CORE") == 0 && n->type == NT_SIGINFO) {
		if (find_note_thread(p, cur) < 0)
			return -1;
		if (n->descsz != sizeof(siginfo_t))
			return ckpt_fail("NT_SIGINFO has size %u", n->descsz);
		memcpy(&(*cur)->stop_siginfo, n->desc, n->descsz);
		return 0;
	}
	if (strcmp(n->name, "CORE") == 0 && n->type == NT_AUXV) {
		if (n->descsz > 4096 || n->descsz % 16 || p->auxv)
			return ckpt_fail("bad NT_AUXV note (size %u)", n->descsz);
		p->auxv = xmalloc(n->descsz);
		memcpy(p->auxv, n->desc, n->descsz);
		p->auxv_len = n->descsz;
		return 0;
	}
	return 0; /* NT_PRPSINFO, NT_FILE and unknown notes: informational */
}

enum { SEEN_HEADER = 1, SEEN_PROCESS = 2, SEEN_MM = 4, SEEN_VMAS = 8, SEEN_FILES = 16, SEEN_FDS = 32,
       SEEN_SIGACTIONS = 64, SEEN_SIGQUEUE = 128, SEEN_THREADS = 256, SEEN_TREE = 512 };

struct ckpt_notes {
	unsigned seen;
	struct table threads, sigqueue, tree, vmas;
};

static char *dup_str(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int parse_ckpt_note(struct statefile_image *img, struct process_image *p, const struct note *n,
			   struct ckpt_notes *cn, int root)
{
	struct table t;
	unsigned bit = n->type >= 1 && n->type <= 10 ? 1u << (n->type - 1) : 0;
	if (!bit)
		return 0; /* a later version's note: ignore */
	if (cn->seen & bit)
		return ckpt_fail("CKPT note %u appears twice in one image", n->type);
	cn->seen |= bit;
	switch (n->type) {
	case CKPT_NT_HEADER: {
		if (table_parse(n, sizeof(struct ckpt_rec_header), 1, &t) < 0)
			return -1;
		if (t.count != 1)
			return ckpt_fail("the CKPT header note has no record");
		struct ckpt_rec_header h;
		table_rec(&t, 0, &h, sizeof(h));
		if (h.format_version != CKPT_FORMAT_VERSION)
			return ckpt_fail("statefile format version %u is not supported (this engine reads version %d)",
					 h.format_version, CKPT_FORMAT_VERSION);
		if (h.page_size != PAGE)
			return ckpt_fail("statefile page size %u is not supported", h.page_size);
		if (!root)
			return 0;
		const char *ev, *kr, *hn, *sf, *sfile;
		if (table_str(&t, h.engine_version, &ev, "engine version") < 0 ||
		    table_str(&t, h.kernel_release, &kr, "kernel release") < 0 ||
		    table_str(&t, h.hostname, &hn, "hostname") < 0 ||
		    table_str(&t, h.stop_function, &sf, "stop function") < 0 ||
		    table_str(&t, h.stop_file, &sfile, "stop file") < 0)
			return -1;
		img->hdr = h;
		img->engine_version = dup_str(ev);
		img->kernel_release = dup_str(kr);
		img->hostname = dup_str(hn);
		img->stop_function = dup_str(sf);
		img->stop_file = dup_str(sfile);
		return 0;
	}
	case CKPT_NT_PROCESS: {
		if (table_parse(n, sizeof(struct ckpt_rec_process), 1, &t) < 0)
			return -1;
		if (t.count != 1)
			return ckpt_fail("the CKPT process note has no record");
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
	case CKPT_NT_MM:
		if (table_parse(n, sizeof(struct ckpt_rec_mm), 1, &t) < 0)
			return -1;
		if (t.count != 1)
			return ckpt_fail("the CKPT mm note has no record");
		table_rec(&t, 0, &p->mm, sizeof(p->mm));
		return 0;
	case CKPT_NT_VMAS:
		return table_parse(n, sizeof(struct ckpt_rec_vma), MAX_VMAS, &cn->vmas);
	case CKPT_NT_FILES:
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
	case CKPT_NT_FDS: {
		if (table_parse(n, sizeof(struct ckpt_rec_fd), MAX_FDS, &t) < 0)
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
			    table_blob(&t, f->rec.data_off, f->rec.data_len, &data, "pipe") < 0)
				goto fds_out;
			if (f->rec.fd >= MAX_FDS) {
				ckpt_fail("fd number %u is out of range", f->rec.fd);
				goto fds_out;
			}
			if (seen_fd[f->rec.fd / 64] & (1ull << (f->rec.fd % 64))) {
				ckpt_fail("fd %u appears twice", f->rec.fd);
				goto fds_out;
			}
			seen_fd[f->rec.fd / 64] |= 1ull << (f->rec.fd % 64);
			if (f->rec.kind < CKPT_FD_REG || f->rec.kind > CKPT_FD_TTY) {
				ckpt_fail("fd %u has an unknown kind %u", f->rec.fd, f->rec.kind);
				goto fds_out;
			}
			/* Queued bytes belong to pipes and FIFOs, and fit in the pipe they came from. */
			if (f->rec.data_len && ((f->rec.kind != CKPT_FD_PIPE && f->rec.kind != CKPT_FD_FIFO) ||
						f->rec.data_len > f->rec.pipe_size)) {
				ckpt_fail("fd %u holds %u queued bytes, which its kind and pipe size (%u) do not allow",
					  f->rec.fd, f->rec.data_len, f->rec.pipe_size);
				goto fds_out;
			}
			f->path = dup_str(path);
			if (f->rec.data_len) {
				f->data = xmalloc(f->rec.data_len);
				memcpy(f->data, data, f->rec.data_len);
			}
		}
		rc = 0;
	fds_out:
		free(seen_fd);
		return rc;
	}
	case CKPT_NT_SIGACTIONS:
		if (table_parse(n, sizeof(struct ckpt_rec_sigaction), 64, &t) < 0)
			return -1;
		if (t.count != 64)
			return ckpt_fail("the signal handler note has %u entries, expected 64", t.count);
		for (uint32_t i = 0; i < 64; i++)
			table_rec(&t, i, &p->sigactions[i], sizeof(p->sigactions[i]));
		return 0;
	case CKPT_NT_SIGQUEUE:
		return table_parse(n, sizeof(struct ckpt_rec_sigqueue), MAX_SIGQUEUE, &cn->sigqueue);
	case CKPT_NT_THREADS:
		return table_parse(n, sizeof(struct ckpt_rec_thread), MAX_THREADS, &cn->threads);
	case CKPT_NT_TREE:
		if (!root)
			return ckpt_fail("a child image carries a process tree note");
		return table_parse(n, sizeof(struct ckpt_rec_tree), MAX_PROCESSES, &cn->tree);
	}
	return 0;
}

static int cmp_u64_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Reads one process image at [base, base+size) of the file.  *extent is set to how much of it
 * the image's headers, notes and segments use. */
static int read_image(const struct reader *r, struct statefile_image *img, struct process_image *p,
		      uint64_t base, uint64_t size, int root, struct table *tree_out, uint8_t **tree_keep,
		      uint64_t *extent)
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
	uint32_t (*tids)[2] = NULL;
	struct ckpt_notes cn = {0};
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
	struct thread_image *cur = NULL;
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
		if (strcmp(n.name, CKPT_NOTE_OWNER) == 0) {
			if (parse_ckpt_note(img, p, &n, &cn, root) < 0)
				goto out;
		} else if (parse_standard_note(p, &n, &cur) < 0) {
			goto out;
		}
	}
	if (more < 0)
		goto out;
	unsigned need = SEEN_HEADER | SEEN_PROCESS | SEEN_MM | SEEN_VMAS | SEEN_FILES | SEEN_FDS |
			SEEN_SIGACTIONS | SEEN_SIGQUEUE | SEEN_THREADS | (root ? SEEN_TREE : 0);
	if ((cn.seen & need) != need) {
		ckpt_fail(cn.seen ? "the statefile lacks CKPT notes (0x%x of 0x%x): truncated or not made by ckpt"
				  : "not a ckpt statefile: a core file without CKPT notes (0x%x of 0x%x)",
			  cn.seen, need);
		goto out;
	}
	if (p->nthreads == 0) {
		ckpt_fail("the process image has no threads");
		goto out;
	}

	/* Threads: the CKPT thread records follow NT_PRSTATUS order. */
	if (cn.threads.count != p->nthreads || p->rec.nr_threads != p->nthreads) {
		ckpt_fail("process %u has %u thread records and %zu NT_PRSTATUS notes, but says it has %u threads",
			  p->rec.pid, cn.threads.count, p->nthreads, p->rec.nr_threads);
		goto out;
	}
	for (uint32_t i = 0; i < cn.threads.count; i++) {
		struct thread_image *t = &p->threads[i];
		uint32_t tid = t->rec.tid;
		table_rec(&cn.threads, i, &t->rec, sizeof(t->rec));
		if (t->rec.tid != tid) {
			ckpt_fail("thread record %u is for tid %u, but its NT_PRSTATUS is for %u", i, t->rec.tid, tid);
			goto out;
		}
		const char *comm;
		if (table_str(&cn.threads, t->rec.comm, &comm, "thread name") < 0)
			goto out;
		snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "");
		if (t->rec.tid == 0 || t->rec.tid > PID_LIMIT) {
			ckpt_fail("thread id %u is out of range", t->rec.tid);
			goto out;
		}
	}
	/* Sorted (tid, index) pairs: duplicates sit side by side, and pending signals find their
	 * thread by binary search, in n log n for the most threads a file may hold. */
	tids = xmalloc(p->nthreads * sizeof(*tids));
	for (size_t i = 0; i < p->nthreads; i++) {
		tids[i][0] = p->threads[i].rec.tid;
		tids[i][1] = (uint32_t)i;
	}
	qsort(tids, p->nthreads, sizeof(*tids), cmp_u32);
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
	for (uint32_t i = 0; i < cn.sigqueue.count; i++) {
		struct ckpt_rec_sigqueue q;
		table_rec(&cn.sigqueue, i, &q, sizeof(q));
		int sig;
		memcpy(&sig, q.siginfo, sizeof(sig));
		if (sig < 1 || sig > 64) {
			ckpt_fail("a pending signal has number %d", sig);
			goto out;
		}
		if (q.tid == 0) {
			*ARR_PUSH(p->shared_pending, p->nshared_pending, p->cap_shared_pending) = q;
			continue;
		}
		uint32_t key[2] = {q.tid, 0};
		uint32_t (*hit)[2] = bsearch(key, tids, p->nthreads, sizeof(*tids), cmp_u32);
		struct thread_image *t = hit ? &p->threads[(*hit)[1]] : NULL;
		if (!t) {
			ckpt_fail("a pending signal is for unknown thread %u", q.tid);
			goto out;
		}
		*ARR_PUSH(t->pending, t->npending, t->cap_pending) = q;
	}

	/* Loads: one per VMA record, in order, page aligned, inside the image, not overlapping. */
	if (cn.vmas.count != nloads) {
		ckpt_fail("%u mapping records for %zu PT_LOAD segments", cn.vmas.count, nloads);
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
		table_rec(&cn.vmas, (uint32_t)vi++, &v->rec, sizeof(v->rec));
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
		uint64_t want = v->rec.store == CKPT_STORE_FULL ? len : v->rec.store == CKPT_STORE_HEADER ? PAGE : 0;
		if (v->rec.store > CKPT_STORE_HEADER || l->p_filesz != want) {
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
		/* Contents come from the file, or from the statefile: readable memory with neither
		 * (anonymous, or its file deleted) would come back as zeros. */
		int no_file = v->rec.file == CKPT_NO_INDEX || (v->rec.flags & CKPT_VMA_DELETED);
		if (v->rec.store == CKPT_STORE_HEADER && no_file) {
			ckpt_fail("mapping at 0x%llx stores a file's header page but has no file", (unsigned long long)start);
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
	if (root) {
		*tree_out = cn.tree;
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
	free(tids);
	return rc;
}

int statefile_read(int fd, struct statefile_image *img)
{
	memset(img, 0, sizeof(*img));
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
	if (read_image(&r, img, root, 0, r.file_size, 1, &tree, &tree_keep, &root_end) < 0)
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
	root->image_size = t0.image_size;
	root->tree_flags = t0.flags;
	uint64_t prev_end = t0.image_size;
	for (uint32_t i = 1; i < tree.count; i++) {
		struct ckpt_rec_tree te;
		table_rec(&tree, i, &te, sizeof(te));
		if (te.image_offset % PAGE || te.image_offset < prev_end || te.image_offset > r.file_size ||
		    te.image_size > r.file_size - te.image_offset || te.image_size == 0) {
			ckpt_fail("process %u's image lies outside the statefile or overlaps another", te.pid);
			goto fail;
		}
		prev_end = te.image_offset + te.image_size;
		struct process_image *p = ARR_PUSH(img->procs, img->nprocs, img->cap_procs);
		struct ckpt_rec_header keep = img->hdr;
		if (read_image(&r, img, p, te.image_offset, te.image_size, 0, NULL, NULL, &extent) < 0)
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
	/* Sessions and groups as the kernel keeps them: a session leader leads its own group,
	 * a session inside the tree is led by a session leader, and a group inside the tree
	 * lies in one session.  Restart could not rebuild anything else. */
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct ckpt_rec_process *a = &img->procs[i].rec;
		if (a->sid == a->pid && a->pgid != a->pid) {
			ckpt_fail("process %u leads its session but not its own process group", a->pid);
			goto fail;
		}
		for (size_t j = 0; j < img->nprocs; j++) {
			const struct ckpt_rec_process *b = &img->procs[j].rec;
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
	for (size_t i = 0; i < img->nprocs; i++) {
		for (size_t j = 0; j < i; j++)
			if (img->procs[j].rec.pid == img->procs[i].rec.pid) {
				ckpt_fail("pid %u appears twice in the process tree", img->procs[i].rec.pid);
				goto fail;
			}
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
	free(tree_keep);
	return 0;
fail:
	free(tree_keep);
	image_free(img);
	return -1;
}
