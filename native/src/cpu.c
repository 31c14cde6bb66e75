/* The CPU a statefile needs: recorded at capture, compared at restart and by ckpt check (cpu.h). */
#include "cpu.h"
#include "util.h"

#include <cpuid.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Where a feature bit lives in struct ckpt_rec_cpu. */
enum cpu_word { L1_ECX, L1_EDX, L7_EBX, L7_ECX, L7_EDX, L7_1_EAX, LD_1_EAX, E1_ECX, E1_EDX };

static uint32_t word_of(const struct ckpt_rec_cpu *c, enum cpu_word w)
{
	switch (w) {
	case L1_ECX: return c->leaf1_ecx;
	case L1_EDX: return c->leaf1_edx;
	case L7_EBX: return c->leaf7_ebx;
	case L7_ECX: return c->leaf7_ecx;
	case L7_EDX: return c->leaf7_edx;
	case L7_1_EAX: return c->leaf7_1_eax;
	case LD_1_EAX: return c->leafd_1_eax;
	case E1_ECX: return c->ext1_ecx;
	case E1_EDX: return c->ext1_edx;
	}
	return 0;
}

/* The instruction-set features user code can use and libraries choose code by.  Bits that
 * describe the system rather than the instructions (OSXSAVE, the hypervisor bit, APIC and
 * power features) are left out: they may differ between machines that run the same code. */
static const struct {
	enum cpu_word word;
	int bit;
	const char *name;
} features[] = {
	{L1_EDX, 15, "cmov"}, {L1_EDX, 23, "mmx"}, {L1_EDX, 24, "fxsr"}, {L1_EDX, 25, "sse"},
	{L1_EDX, 26, "sse2"}, {L1_ECX, 0, "sse3"}, {L1_ECX, 1, "pclmulqdq"}, {L1_ECX, 9, "ssse3"},
	{L1_ECX, 12, "fma"}, {L1_ECX, 13, "cx16"}, {L1_ECX, 19, "sse4_1"}, {L1_ECX, 20, "sse4_2"},
	{L1_ECX, 22, "movbe"}, {L1_ECX, 23, "popcnt"}, {L1_ECX, 25, "aes"}, {L1_ECX, 26, "xsave"},
	{L1_ECX, 28, "avx"}, {L1_ECX, 29, "f16c"}, {L1_ECX, 30, "rdrand"},
	{L7_EBX, 3, "bmi1"}, {L7_EBX, 4, "hle"}, {L7_EBX, 5, "avx2"}, {L7_EBX, 8, "bmi2"},
	{L7_EBX, 9, "erms"}, {L7_EBX, 11, "rtm"}, {L7_EBX, 16, "avx512f"}, {L7_EBX, 17, "avx512dq"},
	{L7_EBX, 18, "rdseed"}, {L7_EBX, 19, "adx"}, {L7_EBX, 21, "avx512ifma"}, {L7_EBX, 23, "clflushopt"},
	{L7_EBX, 24, "clwb"}, {L7_EBX, 26, "avx512pf"}, {L7_EBX, 27, "avx512er"}, {L7_EBX, 28, "avx512cd"},
	{L7_EBX, 29, "sha"}, {L7_EBX, 30, "avx512bw"}, {L7_EBX, 31, "avx512vl"},
	{L7_ECX, 1, "avx512vbmi"}, {L7_ECX, 5, "waitpkg"}, {L7_ECX, 6, "avx512vbmi2"}, {L7_ECX, 8, "gfni"},
	{L7_ECX, 9, "vaes"}, {L7_ECX, 10, "vpclmulqdq"}, {L7_ECX, 11, "avx512vnni"}, {L7_ECX, 12, "avx512bitalg"},
	{L7_ECX, 14, "avx512vpopcntdq"}, {L7_ECX, 22, "rdpid"}, {L7_ECX, 27, "movdiri"}, {L7_ECX, 28, "movdir64b"},
	{L7_EDX, 4, "fsrm"}, {L7_EDX, 8, "avx512vp2intersect"}, {L7_EDX, 14, "serialize"},
	{L7_EDX, 22, "amx_bf16"}, {L7_EDX, 23, "avx512fp16"}, {L7_EDX, 24, "amx_tile"}, {L7_EDX, 25, "amx_int8"},
	{L7_1_EAX, 4, "avx_vnni"}, {L7_1_EAX, 5, "avx512_bf16"},
	{LD_1_EAX, 0, "xsaveopt"}, {LD_1_EAX, 1, "xsavec"}, {LD_1_EAX, 2, "xgetbv1"},
	{E1_ECX, 0, "lahf_lm"}, {E1_ECX, 5, "lzcnt"}, {E1_ECX, 6, "sse4a"}, {E1_ECX, 8, "prefetchw"},
	{E1_ECX, 11, "xop"}, {E1_ECX, 16, "fma4"}, {E1_ECX, 21, "tbm"}, {E1_EDX, 27, "rdtscp"},
};

/* The xsave components by name, for messages. */
static const char *xsave_part_name(int i)
{
	static const char *const names[CKPT_CPU_XSAVE_PARTS] = {
		"x87", "SSE", "AVX", "MPX bounds", "MPX status", "AVX-512 masks", "AVX-512 upper ZMM",
		"AVX-512 high ZMM", "PT", "PKRU", "PASID", "CET user", "CET supervisor", "HDC", "UINTR",
		"LBR", "HWP", "AMX tile config", "AMX tile data"};
	return i >= 0 && i < CKPT_CPU_XSAVE_PARTS ? names[i] : "?";
}

void cpu_describe(struct ckpt_rec_cpu *c)
{
	memset(c, 0, sizeof(*c));
	unsigned a, b, cx, d, max;
	__cpuid(0, max, b, cx, d);
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	__cpuid(1, a, b, cx, d);
	c->signature = a;
	c->leaf1_ecx = cx;
	c->leaf1_edx = d;
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, cx, d);
		c->leaf7_ebx = b;
		c->leaf7_ecx = cx;
		c->leaf7_edx = d;
		__cpuid_count(7, 1, a, b, cx, d);
		c->leaf7_1_eax = a;
	}
	if (max >= 0xd && (c->leaf1_ecx & (1u << 27))) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		c->xcr0 = ((uint64_t)hi << 32) | lo;
		__cpuid_count(0xd, 0, a, b, cx, d);
		c->xsave_size = b;
		__cpuid_count(0xd, 1, a, b, cx, d);
		c->leafd_1_eax = a;
		for (int i = 2; i < CKPT_CPU_XSAVE_PARTS; i++)
			if (c->xcr0 & (1ull << i)) {
				__cpuid_count(0xd, (unsigned)i, a, b, cx, d);
				c->xsave_part_size[i] = a;
				c->xsave_offset[i] = b;
			}
	}
	unsigned emax;
	__cpuid(0x80000000, emax, b, cx, d);
	if (emax >= 0x80000001) {
		__cpuid(0x80000001, a, b, cx, d);
		c->ext1_ecx = cx;
		c->ext1_edx = d;
	}
}

static void append(struct buf *b, const char *s)
{
	if (b->len)
		buf_put(b, ", ", 2);
	buf_put(b, s, strlen(s));
}

static char *finish(struct buf *b)
{
	if (!b->len) {
		buf_free(b);
		return NULL;
	}
	buf_put(b, "", 1);
	return (char *)b->data;
}

char *cpu_feature_names(const struct ckpt_rec_cpu *c)
{
	struct buf b = {0};
	for (size_t i = 0; i < ARRAY_LEN(features); i++)
		if (word_of(c, features[i].word) & (1u << features[i].bit))
			append(&b, features[i].name);
	return finish(&b);
}

void cpu_compare(const struct ckpt_rec_cpu *saved, const struct ckpt_rec_cpu *here, struct cpu_gaps *gaps)
{
	struct buf f = {0}, x = {0};
	for (size_t i = 0; i < ARRAY_LEN(features); i++) {
		uint32_t bit = 1u << features[i].bit;
		if ((word_of(saved, features[i].word) & bit) && !(word_of(here, features[i].word) & bit))
			append(&f, features[i].name);
	}
	/* x87 and SSE (components 0 and 1) have a fixed place; the others must be enabled here and
	 * lie where they lay, or the saved registers cannot be put back. */
	for (int i = 2; i < CKPT_CPU_XSAVE_PARTS; i++) {
		if (!(saved->xcr0 & (1ull << i)))
			continue;
		char what[96];
		if (!(here->xcr0 & (1ull << i)))
			snprintf(what, sizeof(what), "%s state (not enabled here)", xsave_part_name(i));
		else if (saved->xsave_offset[i] && saved->xsave_offset[i] != here->xsave_offset[i])
			snprintf(what, sizeof(what), "%s state (at offset %u here, %u where saved)", xsave_part_name(i),
				 here->xsave_offset[i], saved->xsave_offset[i]);
		else
			continue;
		append(&x, what);
	}
	gaps->features = finish(&f);
	gaps->xsave = finish(&x);
}

void cpu_gaps_free(struct cpu_gaps *gaps)
{
	free(gaps->features);
	free(gaps->xsave);
	gaps->features = gaps->xsave = NULL;
}
