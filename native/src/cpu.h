/*
 * The CPU: capture records what the saving CPU offers the program (its instruction sets, and
 * the layout of its xsave area); restart and ckpt check compare that with the CPU they run on.
 * A program that glibc set up for AVX2, restarted on a CPU without it, would die of SIGILL
 * later; one whose AVX-512 registers the new CPU lays out elsewhere could not get them back.
 */
#ifndef CKPT_CPU_H
#define CKPT_CPU_H

#include "format.h"

#include <stdbool.h>
#include <stddef.h>

/* This CPU, as a statefile records it. */
void cpu_describe(struct ckpt_rec_cpu *cpu);

/* What the saved CPU had and this one lacks: names of instruction-set features, comma
 * separated, and the xsave components this CPU does not enable or lays out elsewhere.  Each
 * is a malloc'ed text, or NULL when nothing is missing. */
struct cpu_gaps {
	char *features;   /* "avx2, bmi2" */
	char *xsave;      /* "AVX-512 state (components 5-7)" and the like */
};
void cpu_compare(const struct ckpt_rec_cpu *saved, const struct ckpt_rec_cpu *here, struct cpu_gaps *gaps);
void cpu_gaps_free(struct cpu_gaps *gaps);
/* The saved CPU's instruction-set features by name, for ckpt info and ckpt check. */
char *cpu_feature_names(const struct ckpt_rec_cpu *cpu);

#endif
