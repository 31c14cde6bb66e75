/* Reading ELF files on disk: build-ids and symbols (elfutil.h). */
#include "elfutil.h"
#include "util.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int elf_is_elf(int fd)
{
	unsigned char m[4];
	return pread(fd, m, 4, 0) == 4 && memcmp(m, ELFMAG, 4) == 0;
}

static int read_ehdr(int fd, Elf64_Ehdr *eh)
{
	if (pread(fd, eh, sizeof(*eh), 0) != (ssize_t)sizeof(*eh))
		return -1;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	return 0;
}

size_t elf_build_id(int fd, uint8_t *id, size_t max)
{
	Elf64_Ehdr eh;
	if (read_ehdr(fd, &eh) < 0 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 256)
		return 0;
	Elf64_Phdr ph[256];
	if (pread(fd, ph, eh.e_phnum * sizeof(Elf64_Phdr), (off_t)eh.e_phoff) != (ssize_t)(eh.e_phnum * sizeof(Elf64_Phdr)))
		return 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz > 65536)
			continue;
		uint8_t *n = xmalloc(ph[i].p_filesz);
		size_t len = ph[i].p_filesz;
		if (pread(fd, n, len, (off_t)ph[i].p_offset) != (ssize_t)len) {
			free(n);
			continue;
		}
		for (size_t pos = 0; pos + 12 <= len;) {
			uint32_t h[3];
			memcpy(h, n + pos, 12);
			size_t nsz = ALIGN_UP(h[0], 4), dsz = ALIGN_UP(h[1], 4);
			if (nsz > len - pos - 12 || dsz > len - pos - 12 - nsz)
				break;
			if (h[2] == NT_GNU_BUILD_ID && h[0] == 4 && memcmp(n + pos + 12, "GNU", 4) == 0 && h[1] <= max) {
				memcpy(id, n + pos + 12 + nsz, h[1]);
				free(n);
				return h[1];
			}
			pos += 12 + nsz + dsz;
		}
		free(n);
	}
	return 0;
}

/* Looks a virtual address up in one symbol table section. */
static char *lookup_in(int fd, const Elf64_Shdr *symtab, const Elf64_Shdr *strtab, uint64_t vaddr, uint64_t *delta)
{
	if (symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_size > (256u << 20) || strtab->sh_size > (256u << 20))
		return NULL;
	size_t n = symtab->sh_size / sizeof(Elf64_Sym);
	Elf64_Sym *syms = xmalloc(symtab->sh_size);
	char *res = NULL;
	if (pread_all(fd, syms, symtab->sh_size, (off_t)symtab->sh_offset) < 0)
		goto out;
	const Elf64_Sym *best = NULL;
	for (size_t i = 0; i < n; i++) {
		const Elf64_Sym *s = &syms[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF || s->st_value > vaddr)
			continue;
		if (s->st_size ? vaddr < s->st_value + s->st_size : vaddr == s->st_value) {
			if (!best || s->st_value > best->st_value)
				best = s;
		}
	}
	if (best && best->st_name < strtab->sh_size) {
		size_t max = strtab->sh_size - best->st_name;
		char *name = xmalloc(max + 1);
		if (pread_all(fd, name, max > 512 ? 512 : max, (off_t)(strtab->sh_offset + best->st_name)) == 0) {
			name[max > 512 ? 512 : max] = 0;
			res = name;
			*delta = vaddr - best->st_value;
		} else {
			free(name);
		}
	}
out:
	free(syms);
	return res;
}

char *elf_symbol_at_offset(const char *path, uint64_t file_offset, uint64_t *delta)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	char *res = NULL;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	Elf64_Shdr *sh = NULL;
	if (read_ehdr(fd, &eh) < 0 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 1024 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum > 65000)
		goto out;
	ph = xmalloc((eh.e_phnum + 1) * sizeof(*ph));
	if (pread_all(fd, ph, eh.e_phnum * sizeof(*ph), (off_t)eh.e_phoff) < 0)
		goto out;
	/* File offset to virtual address through the PT_LOAD that holds it. */
	uint64_t vaddr = 0;
	int found = 0;
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && file_offset >= ph[i].p_offset &&
		    file_offset < ph[i].p_offset + ph[i].p_filesz) {
			vaddr = ph[i].p_vaddr + (file_offset - ph[i].p_offset);
			found = 1;
			break;
		}
	if (!found || eh.e_shnum == 0)
		goto out;
	sh = xmalloc(eh.e_shnum * sizeof(*sh));
	if (pread_all(fd, sh, eh.e_shnum * sizeof(*sh), (off_t)eh.e_shoff) < 0)
		goto out;
	for (int want = SHT_SYMTAB; !res && want >= 0; want = want == SHT_SYMTAB ? SHT_DYNSYM : -1)
		for (int i = 0; i < eh.e_shnum && !res; i++)
			if (sh[i].sh_type == (unsigned)want && sh[i].sh_link < eh.e_shnum)
				res = lookup_in(fd, &sh[i], &sh[sh[i].sh_link], vaddr, delta);
out:
	free(ph);
	free(sh);
	close(fd);
	return res;
}

size_t elf_debuglink(int fd, char *name, size_t max, uint32_t *crc)
{
	Elf64_Ehdr eh;
	if (read_ehdr(fd, &eh) < 0 || eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shnum > 65000 ||
	    eh.e_shstrndx >= eh.e_shnum)
		return 0;
	Elf64_Shdr *sh = xmalloc(eh.e_shnum * sizeof(*sh));
	char *names = NULL;
	size_t len = 0;
	if (pread_all(fd, sh, eh.e_shnum * sizeof(*sh), (off_t)eh.e_shoff) < 0)
		goto out;
	const Elf64_Shdr *strs = &sh[eh.e_shstrndx];
	if (strs->sh_size == 0 || strs->sh_size > (1u << 20))
		goto out;
	names = xmalloc(strs->sh_size + 1);
	if (pread_all(fd, names, strs->sh_size, (off_t)strs->sh_offset) < 0)
		goto out;
	names[strs->sh_size] = 0;
	for (int i = 0; i < eh.e_shnum; i++) {
		/* The section: the file name, NUL, padding to 4, then the CRC-32 of the debug file. */
		if (sh[i].sh_name >= strs->sh_size || strcmp(names + sh[i].sh_name, ".gnu_debuglink") != 0 ||
		    sh[i].sh_size < 8 || sh[i].sh_size > 4096 || sh[i].sh_type == SHT_NOBITS)
			continue;
		char sec[4096];
		if (pread_all(fd, sec, sh[i].sh_size, (off_t)sh[i].sh_offset) < 0)
			break;
		size_t n = strnlen(sec, sh[i].sh_size);
		if (n == 0 || n + 1 > max || ALIGN_UP(n + 1, 4) + 4 > sh[i].sh_size)
			break;
		memcpy(name, sec, n + 1);
		memcpy(crc, sec + ALIGN_UP(n + 1, 4), 4);
		len = n;
		break;
	}
out:
	free(sh);
	free(names);
	return len;
}

uint32_t elf_crc32(uint32_t crc, const void *data, size_t n)
{
	/* The CRC-32 of .gnu_debuglink (IEEE 802.3, reflected polynomial 0xedb88320), bit by bit:
	 * only ever run over debug files while packing. */
	const uint8_t *p = data;
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return ~crc;
}
