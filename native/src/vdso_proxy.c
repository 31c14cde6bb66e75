/* The vDSO proxy (vdso_proxy.h): the saved vDSO's exported functions jump to this kernel's. */
#include "vdso_proxy.h"
#include "util.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* movabs $target, %rax; jmp *%rax.  %rax is free at a function's entry (it carries no argument
 * and the callee may clobber it). */
enum { JUMP_LEN = 12 };

static bool inside(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

int vdso_funcs_read(const uint8_t *image, size_t len, struct vdso_funcs *out, char **why)
{
	memset(out, 0, sizeof(*out));
	*why = NULL;
	Elf64_Ehdr eh;
	if (len < sizeof(eh) || memcmp(image, ELFMAG, SELFMAG) != 0) {
		*why = xstrdup("the saved vDSO is not an ELF image");
		return -1;
	}
	memcpy(&eh, image, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !inside(len, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr)) ||
	    !inside(len, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr))) {
		*why = xstrdup("the saved vDSO's ELF headers are not those of an x86-64 vDSO");
		return -1;
	}
	/* Symbol values are link addresses: the first PT_LOAD says where the image starts. */
	uint64_t link_base = UINT64_MAX;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, image + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD) {
			link_base = ph.p_vaddr - ph.p_offset;
			break;
		}
	}
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh, str;
		memcpy(&sh, image + eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_DYNSYM)
			continue;
		if (sh.sh_link >= eh.e_shnum || sh.sh_entsize != sizeof(Elf64_Sym) || !inside(len, sh.sh_offset, sh.sh_size))
			break;
		memcpy(&str, image + eh.e_shoff + (uint64_t)sh.sh_link * sizeof(str), sizeof(str));
		if (!inside(len, str.sh_offset, str.sh_size))
			break;
		bool damaged = false;
		for (uint64_t k = 0; k < sh.sh_size / sizeof(Elf64_Sym) && !damaged; k++) {
			Elf64_Sym s;
			memcpy(&s, image + sh.sh_offset + k * sizeof(s), sizeof(s));
			if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF)
				continue;
			if (s.st_name >= str.sh_size) {
				damaged = true;
				break;
			}
			const char *name = (const char *)image + str.sh_offset + s.st_name;
			size_t nlen = strnlen(name, str.sh_size - s.st_name);
			uint64_t off = s.st_value - link_base;
			if (link_base == UINT64_MAX || nlen == 0 || nlen >= sizeof(out->f[0].name) || nlen == str.sh_size - s.st_name ||
			    !inside(len, off, s.st_size)) {
				damaged = true;
				break;
			}
			struct vdso_func *f = ARR_PUSH(out->f, out->n, out->cap);
			memcpy(f->name, name, nlen);
			f->name[nlen] = 0;
			f->offset = off;
			f->size = s.st_size;
		}
		/* A vDSO exports functions: one without any would leave the program's calls nowhere. */
		if (!damaged && out->n)
			return 0;
		vdso_funcs_free(out);
		*why = xstrdup(damaged ? "the saved vDSO's symbol table is damaged" : "the saved vDSO exports no function");
		return -1;
	}
	*why = xstrdup("the saved vDSO has no symbol table");
	return -1;
}

void vdso_funcs_free(struct vdso_funcs *fs)
{
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
}

static const struct vdso_func *find(const struct vdso_funcs *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].name, name) == 0)
			return &fs->f[i];
	return NULL;
}

int vdso_proxy_possible(const struct vdso_funcs *saved, const struct vdso_funcs *cur, char **why)
{
	*why = NULL;
	for (size_t i = 0; i < saved->n; i++) {
		const struct vdso_func *s = &saved->f[i];
		if (!find(cur, s->name)) {
			*why = xasprintf("this kernel's vDSO has no %s, which the saved one has", s->name);
			return -1;
		}
		if (s->size < JUMP_LEN) {
			*why = xasprintf("the saved vDSO's %s is too short (%llu bytes) to jump from", s->name,
					 (unsigned long long)s->size);
			return -1;
		}
	}
	return 0;
}

void vdso_proxy_patch(uint8_t *image, size_t len, const struct vdso_funcs *saved, const struct vdso_funcs *cur,
		      uint64_t cur_base)
{
	for (size_t i = 0; i < saved->n; i++) {
		const struct vdso_func *s = &saved->f[i], *c = find(cur, s->name);
		if (!c || s->size < JUMP_LEN || !inside(len, s->offset, JUMP_LEN))
			continue;
		uint64_t target = cur_base + c->offset;
		uint8_t *p = image + s->offset;
		p[0] = 0x48; /* REX.W */
		p[1] = 0xb8; /* mov imm64, %rax */
		memcpy(p + 2, &target, 8);
		p[10] = 0xff; /* jmp *%rax */
		p[11] = 0xe0;
	}
}

int vdso_proxy_pc(const uint8_t *saved, size_t saved_len, const struct vdso_funcs *saved_fs, const uint8_t *cur,
		  size_t cur_len, const struct vdso_funcs *cur_fs, uint64_t off, uint64_t *cur_off, char **why)
{
	*why = NULL;
	for (size_t i = 0; i < saved_fs->n; i++) {
		const struct vdso_func *s = &saved_fs->f[i];
		if (off < s->offset || off >= s->offset + s->size)
			continue;
		if (off == s->offset)
			return 1; /* at the entry: the jump written there takes it */
		const struct vdso_func *c = find(cur_fs, s->name);
		if (c && c->size == s->size && inside(cur_len, c->offset, c->size) && inside(saved_len, s->offset, s->size) &&
		    memcmp(saved + s->offset, cur + c->offset, s->size) == 0) {
			*cur_off = c->offset + (off - s->offset);
			return 0;
		}
		*why = xasprintf("%s+0x%llx, whose code differs on this kernel", s->name, (unsigned long long)(off - s->offset));
		return -1;
	}
	*why = xasprintf("offset 0x%llx, outside the functions it exports", (unsigned long long)off);
	return -1;
}
