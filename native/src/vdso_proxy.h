/*
 * The vDSO proxy: a statefile saved on another kernel build has a vDSO whose functions sit
 * elsewhere than in this kernel's, and the program has cached their addresses.  Restart keeps
 * the saved vDSO's code at its saved address and makes each function it exports jump to the
 * same function of this kernel's vDSO, which it maps at a free address with its vvar pages
 * where that vDSO needs them (CRIU's idea).  A thread saved with its pc inside the saved vDSO
 * moves to the same place of this kernel's when the function around it is byte-identical.
 */
#ifndef CKPT_VDSO_PROXY_H
#define CKPT_VDSO_PROXY_H

#include <stddef.h>
#include <stdint.h>

struct vdso_func {
	char name[64];
	uint64_t offset, size;   /* in the image */
};

struct vdso_funcs {
	struct vdso_func *f;
	size_t n, cap;
};

/* The functions a vDSO image exports (its dynamic symbols), read from len bytes at image,
 * which may be hostile.  -1 with *why (malloc'ed) when it is not a vDSO this can proxy. */
int vdso_funcs_read(const uint8_t *image, size_t len, struct vdso_funcs *out, char **why);
void vdso_funcs_free(struct vdso_funcs *fs);

/* Whether every function of saved can jump to the same function of cur: 0, or -1 with *why. */
int vdso_proxy_possible(const struct vdso_funcs *saved, const struct vdso_funcs *cur, char **why);
/* Writes into image (a copy of the saved vDSO) a jump at each saved function's entry to the
 * same function of cur, which is mapped at cur_base.  vdso_proxy_possible must have said yes. */
void vdso_proxy_patch(uint8_t *image, size_t len, const struct vdso_funcs *saved, const struct vdso_funcs *cur,
		      uint64_t cur_base);
/* Where a pc at offset off of the saved vDSO goes in cur: the same offset into the same function
 * when that function's code is byte-identical in both (0, with *cur_off); nowhere when it is at
 * a function's entry, where the jump takes it (1); -1 with *why when it cannot go on here. */
int vdso_proxy_pc(const uint8_t *saved, size_t saved_len, const struct vdso_funcs *saved_fs, const uint8_t *cur,
		  size_t cur_len, const struct vdso_funcs *cur_fs, uint64_t off, uint64_t *cur_off, char **why);

#endif
