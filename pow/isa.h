/*
 * Instruction-set paths of the hashing core. Every hot function has a
 * portable version and, where it pays, versions for wider or cryptographic
 * instructions, each in its own file compiled with its own flags. This is
 * the list of those paths, which ones this binary has, and which ones this
 * CPU can run.
 */
#ifndef MINEMETER_POW_ISA_H
#define MINEMETER_POW_ISA_H

typedef enum {
    POW_ISA_PORTABLE = 0, /* Plain C: every algorithm, every CPU. */
    POW_ISA_AESNI,        /* x86-64 AES-NI with SSE4.1. */
    POW_ISA_AVX2,         /* x86-64 AVX2. */
    POW_ISA_NEON,         /* aarch64 Advanced SIMD. */
    POW_ISA_ARMCRYPTO,    /* aarch64 ARMv8 crypto extensions (AESE/AESMC). */
    POW_ISA_COUNT,
} pow_isa_t;

/* "portable", "aesni", ... as --isa takes them. */
const char *pow_isa_name(pow_isa_t isa);

/* Parses an --isa name; returns 0, or -1 for an unknown name. */
int pow_isa_from_name(const char *name, pow_isa_t *isa);

/* Whether this binary contains code for isa at all. */
int pow_isa_compiled(pow_isa_t isa);

/* Whether this binary has isa and this CPU (and OS) can run it. */
int pow_isa_runnable(pow_isa_t isa);

#endif
