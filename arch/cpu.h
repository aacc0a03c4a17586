/*
 * CPU identification and instruction-set features, read once and cached.
 *
 * On x86-64 the features come from CPUID together with the operating
 * system's consent (XGETBV) for the AVX and AVX-512 register state; on
 * aarch64 from the kernel's HWCAP auxiliary vector. Every other part of
 * minemeter asks here instead of probing on its own.
 */
#ifndef MINEMETER_ARCH_CPU_H
#define MINEMETER_ARCH_CPU_H

#include <stdint.h>

/* One bit per feature a hashing path may depend on. */
enum {
    ARCH_CPU_SSE2 = 1u << 0,
    ARCH_CPU_SSSE3 = 1u << 1,
    ARCH_CPU_SSE41 = 1u << 2,
    ARCH_CPU_SSE42 = 1u << 3,
    ARCH_CPU_AESNI = 1u << 4,
    ARCH_CPU_PCLMUL = 1u << 5,
    ARCH_CPU_AVX = 1u << 6,
    ARCH_CPU_AVX2 = 1u << 7,
    ARCH_CPU_BMI2 = 1u << 8,
    ARCH_CPU_AVX512F = 1u << 9,
    ARCH_CPU_VAES = 1u << 10,
    ARCH_CPU_AVX512DQ = 1u << 11,
    ARCH_CPU_AVX512VL = 1u << 12,
    ARCH_CPU_NEON = 1u << 16,
    ARCH_CPU_ARM_AES = 1u << 17,
    ARCH_CPU_ARM_PMULL = 1u << 18,
    ARCH_CPU_ARM_SHA2 = 1u << 19,
};

typedef struct {
    char arch[16];   /* "x86_64", "aarch64" */
    char vendor[16]; /* "AuthenticAMD", "GenuineIntel", "arm" ... */
    char brand[64];  /* The marketing name, trimmed; may be empty. */
    unsigned family; /* Displayed family (base + extended on x86). */
    unsigned model;  /* Displayed model (base + extended on x86). */
    unsigned stepping;
    uint32_t features; /* ARCH_CPU_* bits that this CPU and OS support. */
} arch_cpu_t;

/* The cached description of the CPU running this process; thread-safe. */
const arch_cpu_t *arch_cpu(void);

/* Nonzero when every bit of mask is supported. */
int arch_cpu_has(uint32_t mask);

/*
 * The name of one feature bit as Linux prints it in /proc/cpuinfo ("aes",
 * "avx2", "asimd"), or NULL for a bit that names no feature.
 */
const char *arch_cpu_feature_name(uint32_t bit);

/* The bits that exist on the architecture this binary was built for. */
uint32_t arch_cpu_known_features(void);

#endif
