/* The kernel's special mappings, [vdso], [vvar], [vvar_vclock] and [vsyscall]: how capture
 * keeps them, and how restart checks and moves them (vdso.h). */
#include "vdso.h"
#include "inject.h"
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

int vdso_compare(const struct statefile_image *img, int sf_fd, char **why)
{
	*why = NULL;
	char *maps = read_file("/proc/self/maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read /proc/self/maps");
	struct special cur[VDSO_PARTS];
	find_specials(maps, cur);
	free(maps);
	for (size_t i = 0; i < img->nprocs; i++) {
		const struct process_image *p = &img->procs[i];
		struct special sv[VDSO_PARTS];
		saved_specials(p, sv);
		for (int k = 0; k < VDSO_PARTS; k++)
			if (sv[k].end - sv[k].start != cur[k].end - cur[k].start) {
				*why = xstrdup("its layout differs from this kernel's");
				return 1;
			}
		for (size_t k = 0; k < p->nvmas; k++) {
			const struct vma_image *v = &p->vmas[k];
			if (!(v->rec.flags & CKPT_VMA_VDSO) || v->file_size != v->rec.end - v->rec.start)
				continue;
			uint8_t *saved = xmalloc(v->file_size);
			int r = pread_all(sf_fd, saved, v->file_size, (off_t)v->file_offset);
			bool same = r == 0 && memcmp(saved, (void *)(uintptr_t)cur[VDSO_CODE].start, v->file_size) == 0;
			free(saved);
			if (r < 0)
				return ckpt_fail_errno("cannot read the saved vDSO");
			if (!same) {
				*why = xstrdup("differs from this kernel's");
				return 1;
			}
		}
	}
	return 0;
}

int vdso_move(struct inject *in, const struct process_image *p, pid_t outer_pid)
{
	char *maps = read_proc(outer_pid, "maps", NULL);
	if (!maps)
		return ckpt_fail_errno("cannot read the maps of rebuilt pid %d", outer_pid);
	struct special cur[VDSO_PARTS], want[VDSO_PARTS];
	find_specials(maps, cur);
	free(maps);
	saved_specials(p, want);
	bool clash = false;
	for (int i = 0; i < VDSO_PARTS; i++)
		for (int j = 0; j < VDSO_PARTS; j++)
			if (i != j && want[i].end > want[i].start && want[i].start < cur[j].end && cur[j].start < want[i].end)
				clash = true;
	long ret;
	if (clash) {
		/* Step aside first: a free range right above the trampoline, free in the saved layout. */
		uint64_t tmp = 0;
		for (int i = 0; i < VDSO_PARTS; i++)
			if (cur[i].end > tmp)
				tmp = cur[i].end;
		tmp += 64 * PAGE;
		for (int i = 0; i < VDSO_PARTS; i++) {
			if (cur[i].end == cur[i].start)
				continue;
			uint64_t len = cur[i].end - cur[i].start, dst = tmp + (cur[i].start - cur[0].start);
			if (inject_syscall_checked(in, "mremap (vDSO)", SYS_mremap, cur[i].start, len, len,
						   MREMAP_MAYMOVE | MREMAP_FIXED, dst, 0, &ret) < 0)
				return -1;
			cur[i].end = dst + len;
			cur[i].start = dst;
		}
	}
	for (int i = 0; i < VDSO_PARTS; i++) {
		uint64_t len = cur[i].end - cur[i].start;
		if (!len || cur[i].start == want[i].start)
			continue;
		if (inject_syscall_checked(in, "mremap (vDSO)", SYS_mremap, cur[i].start, len, len,
					   MREMAP_MAYMOVE | MREMAP_FIXED, want[i].start, 0, &ret) < 0)
			return -1;
	}
	return 0;
}
