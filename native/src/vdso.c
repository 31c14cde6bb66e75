/* The kernel's special mappings, [vdso], [vvar], [vvar_vclock] and [vsyscall]: how capture
 * keeps them, and how restart checks and moves them (vdso.h). */
#include "vdso.h"
#include "inject.h"
#include "remote.h"
#include "vdso_proxy.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096ull

/* The kernel's special mappings by name.  The first VDSO_PARTS are the vDSO's, which move only
 * together; the arrays of struct special below hold them in this order. */
static const struct {
	const char *name;
	uint32_t flag;
} specials[] = {
	{"[vvar]", CKPT_VMA_VVAR},
	{"[vvar_vclock]", CKPT_VMA_VVAR_VCLOCK},
	{"[vdso]", CKPT_VMA_VDSO},
	{"[vsyscall]", CKPT_VMA_VSYSCALL},
};
enum { VVAR, VVAR_VCLOCK, VDSO_CODE, VDSO_PARTS };

bool vdso_capture(const char *name, struct ckpt_rec_vma *r)
{
	for (size_t k = 0; k < ARRAY_LEN(specials); k++)
		if (strcmp(name, specials[k].name) == 0) {
			r->flags |= specials[k].flag;
			/* Only the vDSO's code is kept: a restart checks that this kernel's is the same. */
			r->store = specials[k].flag == CKPT_VMA_VDSO ? CKPT_STORE_FULL : CKPT_STORE_NONE;
			return true;
		}
	return false;
}

bool vdso_is_special(const struct ckpt_rec_vma *v)
{
	return v->flags & (CKPT_VMA_VDSO | CKPT_VMA_VVAR | CKPT_VMA_VVAR_VCLOCK | CKPT_VMA_VSYSCALL);
}

/* The index in specials[] of the mapping a line of /proc/PID/maps (len bytes) shows, or -1. */
static int special_of_line(const char *line, size_t len)
{
	for (size_t k = 0; k < ARRAY_LEN(specials); k++) {
		size_t nlen = strlen(specials[k].name);
		if (len >= nlen && memcmp(line + len - nlen, specials[k].name, nlen) == 0)
			return (int)k;
	}
	return -1;
}

bool vdso_in_maps_line(const char *line)
{
	return special_of_line(line, strlen(line)) >= 0;
}

struct special {
	uint64_t start, end;
};

/* The vDSO's mappings in a maps text. */
static void find_specials(const char *maps, struct special sp[VDSO_PARTS])
{
	memset(sp, 0, VDSO_PARTS * sizeof(*sp));
	for (const char *l = maps; l && *l;) {
		unsigned long long a, b;
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		int k = special_of_line(l, len);
		if (k >= 0 && k < VDSO_PARTS && sscanf(l, "%llx-%llx", &a, &b) == 2)
			sp[k] = (struct special){a, b};
		l = nl ? nl + 1 : NULL;
	}
}

static void saved_specials(const struct process_image *p, struct special sp[VDSO_PARTS])
{
	memset(sp, 0, VDSO_PARTS * sizeof(*sp));
	for (size_t k = 0; k < p->nvmas; k++) {
		const struct ckpt_rec_vma *v = &p->vmas[k].rec;
		int kind = v->flags & CKPT_VMA_VVAR ? VVAR : v->flags & CKPT_VMA_VVAR_VCLOCK ? VVAR_VCLOCK
			   : v->flags & CKPT_VMA_VDSO ? VDSO_CODE : -1;
		if (kind >= 0)
			sp[kind] = (struct special){v->start, v->end};
	}
}

/* How one saved process's vDSO comes back here. */
struct vdso_state {
	bool proxied;                /* it differs from this kernel's: restart proxies it */
	struct special saved[VDSO_PARTS], cur[VDSO_PARTS];
	const struct vma_image *code;  /* the saved [vdso] mapping */
	uint8_t *saved_bytes;        /* its saved contents */
	const uint8_t *cur_bytes;    /* this kernel's vDSO, as ckpt itself has it mapped */
	size_t cur_len;
	struct vdso_funcs saved_fs, cur_fs;
};

static void state_free(struct vdso_state *st)
{
	free(st->saved_bytes);
	vdso_funcs_free(&st->saved_fs);
	vdso_funcs_free(&st->cur_fs);
	memset(st, 0, sizeof(*st));
}

/* 0: p's vDSO can come back here (st->proxied says how), 1: it cannot (*why, malloc'ed), -1
 * on error.  A proxied vDSO needs every thread's pc to be able to go on: outside the saved
 * vDSO, at a function's entry, or in a function whose code is byte-identical here. */
static int vdso_state(const struct process_image *p, int sf_fd, struct vdso_state *st, char **why)
{
	memset(st, 0, sizeof(*st));
	*why = NULL;
	char *maps = read_file("/proc/self/maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read /proc/self/maps");
	find_specials(maps, st->cur);
	free(maps);
	saved_specials(p, st->saved);
	for (size_t k = 0; k < p->nvmas; k++)
		if ((p->vmas[k].rec.flags & CKPT_VMA_VDSO) && p->vmas[k].file_size == p->vmas[k].rec.end - p->vmas[k].rec.start)
			st->code = &p->vmas[k];
	if (!st->code)
		return 0; /* nothing saved to compare or proxy: restart moves this kernel's there */
	size_t len = st->code->file_size;
	st->saved_bytes = xmalloc(len);
	if (pread_all(sf_fd, st->saved_bytes, len, (off_t)st->code->file_offset) < 0) {
		state_free(st);
		return ckpt_fail_errno("cannot read the saved vDSO");
	}
	st->cur_bytes = (const uint8_t *)(uintptr_t)st->cur[VDSO_CODE].start;
	st->cur_len = st->cur[VDSO_CODE].end - st->cur[VDSO_CODE].start;
	bool same = st->cur_len == len && memcmp(st->saved_bytes, st->cur_bytes, len) == 0;
	for (int k = 0; k < VDSO_PARTS; k++)
		same &= st->saved[k].end - st->saved[k].start == st->cur[k].end - st->cur[k].start;
	if (same)
		return 0;
	st->proxied = true;
	char *bad = NULL;
	if (!st->cur_len)
		bad = xstrdup("this kernel maps no vDSO");
	else if (vdso_funcs_read(st->saved_bytes, len, &st->saved_fs, &bad) == 0 &&
		 vdso_funcs_read(st->cur_bytes, st->cur_len, &st->cur_fs, &bad) == 0)
		vdso_proxy_possible(&st->saved_fs, &st->cur_fs, &bad);
	for (size_t t = 0; !bad && t < p->nthreads; t++) {
		uint64_t pc = p->threads[t].regs.rip, off;
		char *where;
		if (pc < st->code->rec.start || pc >= st->code->rec.end)
			continue;
		if (vdso_proxy_pc(st->saved_bytes, len, &st->saved_fs, st->cur_bytes, st->cur_len, &st->cur_fs,
				  pc - st->code->rec.start, &off, &where) < 0) {
			bad = xasprintf("thread %u was saved inside the vDSO, at %s", p->threads[t].rec.tid, where);
			free(where);
		}
	}
	if (bad) {
		*why = bad;
		state_free(st);
		return 1;
	}
	return 0;
}

int vdso_compare(const struct statefile_image *img, int sf_fd, char **why)
{
	*why = NULL;
	int result = VDSO_SAME;
	unsigned funcs = 0;
	for (size_t i = 0; i < img->nprocs; i++) {
		struct vdso_state st;
		char *bad;
		int r = vdso_state(&img->procs[i], sf_fd, &st, &bad);
		if (r < 0)
			return -1;
		if (r == 1) {
			free(*why);
			*why = xasprintf("differs from this kernel's, and cannot be proxied: %s", bad);
			free(bad);
			return VDSO_UNUSABLE;
		}
		if (st.proxied) {
			result = VDSO_PROXIED;
			funcs = (unsigned)st.saved_fs.n;
		}
		state_free(&st);
	}
	if (result == VDSO_PROXIED)
		*why = xasprintf("differs, proxied: restart keeps the saved vDSO's code and its %u functions jump to this "
				 "kernel's", funcs);
	return result;
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

/* Where this kernel's vDSO goes when it proxies p's: span bytes free in p's saved layout and
 * apart from the trampoline, just above the saved vDSO when there is room.  The same answer
 * every time for the same p, so that threads can be pointed into it before it is there. */
static int proxy_place(const struct process_image *p, const struct vdso_state *st, uint64_t tramp, uint64_t *base)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int k = 0; k < VDSO_PARTS; k++)
		if (st->cur[k].end > st->cur[k].start) {
			lo = st->cur[k].start < lo ? st->cur[k].start : lo;
			hi = st->cur[k].end > hi ? st->cur[k].end : hi;
		}
	uint64_t span = hi - lo;
	uint64_t starts[] = {st->code->rec.end + PAGE, 0x10000};
	for (size_t s = 0; s < ARRAY_LEN(starts); s++) {
		uint64_t cand = starts[s];
		for (bool moved = true; moved && cand + span <= (1ull << 47);) {
			moved = false;
			if (overlaps(cand, cand + span, tramp, tramp + PAGE)) {
				cand = tramp + PAGE;
				moved = true;
			}
			for (size_t k = 0; k < p->nvmas; k++)
				if (overlaps(cand, cand + span, p->vmas[k].rec.start, p->vmas[k].rec.end)) {
					cand = ALIGN_UP(p->vmas[k].rec.end, PAGE);
					moved = true;
				}
		}
		if (cand + span <= (1ull << 47)) {
			*base = cand;
			return 0;
		}
	}
	return ckpt_fail("no free address for this kernel's vDSO");
}

/* Where each part of this kernel's vDSO goes: at the saved addresses, or, proxied, together at
 * proxy_place with the offsets between them that this vDSO needs. */
static int vdso_targets(const struct process_image *p, const struct vdso_state *st, uint64_t tramp,
			struct special want[VDSO_PARTS])
{
	if (!st->proxied) {
		memcpy(want, st->saved, sizeof(st->saved));
		return 0;
	}
	uint64_t base = 0, lo = UINT64_MAX;
	if (proxy_place(p, st, tramp, &base) < 0)
		return -1;
	for (int k = 0; k < VDSO_PARTS; k++)
		if (st->cur[k].end > st->cur[k].start && st->cur[k].start < lo)
			lo = st->cur[k].start;
	for (int k = 0; k < VDSO_PARTS; k++)
		want[k] = st->cur[k].end > st->cur[k].start
				  ? (struct special){base + (st->cur[k].start - lo), base + (st->cur[k].end - lo)}
				  : (struct special){0, 0};
	return 0;
}

int vdso_redirect_threads(struct statefile_image *img, int sf_fd, uint64_t tramp)
{
	for (size_t i = 0; i < img->nprocs; i++) {
		struct process_image *p = &img->procs[i];
		struct vdso_state st;
		struct special want[VDSO_PARTS];
		char *why;
		int r = vdso_state(p, sf_fd, &st, &why);
		if (r < 0)
			return -1;
		if (r == 1) { /* the check refused this already */
			int rc = ckpt_fail("cannot restart: [vdso]: %s", why);
			free(why);
			return rc;
		}
		if (st.proxied && vdso_targets(p, &st, tramp, want) < 0) {
			state_free(&st);
			return -1;
		}
		for (size_t t = 0; st.proxied && t < p->nthreads; t++) {
			struct user_regs_struct *regs = &p->threads[t].regs;
			uint64_t off;
			if (regs->rip < st.code->rec.start || regs->rip >= st.code->rec.end)
				continue;
			if (vdso_proxy_pc(st.saved_bytes, st.code->file_size, &st.saved_fs, st.cur_bytes, st.cur_len, &st.cur_fs,
					  regs->rip - st.code->rec.start, &off, &why) == 0) {
				ckpt_debug("vdso: thread %u's pc moves from 0x%llx into this kernel's vDSO", p->threads[t].rec.tid,
					   (unsigned long long)regs->rip);
				regs->rip = want[VDSO_CODE].start + off;
			}
			free(why);
		}
		state_free(&st);
	}
	return 0;
}

/* The saved vDSO's code, back at its address as private memory, each function jumping to this
 * kernel's vDSO at cur_base. */
static int map_proxy(struct inject *in, const struct vdso_state *st, uint64_t cur_base)
{
	const struct ckpt_rec_vma *r = &st->code->rec;
	uint64_t len = r->end - r->start;
	long ret;
	if (inject_syscall_checked(in, "mmap (saved vDSO)", SYS_mmap, r->start, len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0, &ret) < 0)
		return -1;
	uint8_t *copy = xmalloc(len);
	memcpy(copy, st->saved_bytes, len);
	vdso_proxy_patch(copy, len, &st->saved_fs, &st->cur_fs, cur_base);
	int rc = remote_write(in->tid, r->start, copy, len);
	free(copy);
	if (rc < 0)
		return -1;
	return inject_syscall_checked(in, "mprotect (saved vDSO)", SYS_mprotect, r->start, len, r->prot, 0, 0, 0, &ret);
}

int vdso_move(struct inject *in, const struct process_image *p, pid_t outer_pid, int sf_fd, uint64_t tramp)
{
	struct vdso_state st;
	char *why;
	int r = vdso_state(p, sf_fd, &st, &why);
	if (r != 0) {
		if (r == 1) {
			ckpt_fail("cannot restart: [vdso]: %s", why);
			free(why);
		}
		return -1;
	}
	char *maps = read_proc(outer_pid, "maps", NULL);
	if (!maps) {
		state_free(&st);
		return ckpt_fail_errno("cannot read the maps of rebuilt pid %d", outer_pid);
	}
	struct special cur[VDSO_PARTS], want[VDSO_PARTS];
	find_specials(maps, cur);
	free(maps);
	if (vdso_targets(p, &st, tramp, want) < 0) {
		state_free(&st);
		return -1;
	}
	bool clash = false;
	for (int i = 0; i < VDSO_PARTS; i++)
		for (int j = 0; j < VDSO_PARTS; j++)
			if (want[i].end > want[i].start && overlaps(want[i].start, want[i].end, cur[j].start, cur[j].end) &&
			    (i != j || want[i].start != cur[j].start))
				clash = true;
	long ret;
	int rc = 0;
	if (clash) {
		/* Step aside first: a free range right above the trampoline, free in the saved layout. */
		uint64_t tmp = 0;
		for (int i = 0; i < VDSO_PARTS; i++)
			if (cur[i].end > tmp)
				tmp = cur[i].end;
		tmp += 64 * PAGE;
		for (int i = 0; i < VDSO_PARTS && rc == 0; i++) {
			if (cur[i].end == cur[i].start)
				continue;
			uint64_t len = cur[i].end - cur[i].start, dst = tmp + (cur[i].start - cur[0].start);
			rc = inject_syscall_checked(in, "mremap (vDSO)", SYS_mremap, cur[i].start, len, len,
						    MREMAP_MAYMOVE | MREMAP_FIXED, dst, 0, &ret);
			cur[i].end = dst + len;
			cur[i].start = dst;
		}
	}
	for (int i = 0; i < VDSO_PARTS && rc == 0; i++) {
		uint64_t len = cur[i].end - cur[i].start;
		if (!len || cur[i].start == want[i].start)
			continue;
		if (want[i].end == want[i].start) /* the program had unmapped it */
			rc = inject_syscall_checked(in, "munmap (vDSO)", SYS_munmap, cur[i].start, len, 0, 0, 0, 0, &ret);
		else
			rc = inject_syscall_checked(in, "mremap (vDSO)", SYS_mremap, cur[i].start, len, len,
						    MREMAP_MAYMOVE | MREMAP_FIXED, want[i].start, 0, &ret);
	}
	if (rc == 0 && st.proxied)
		rc = map_proxy(in, &st, want[VDSO_CODE].start);
	state_free(&st);
	return rc;
}
