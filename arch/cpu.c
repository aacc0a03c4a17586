/*
 * CPU features: CPUID + XGETBV on x86-64, getauxval(AT_HWCAP) on aarch64.
 * The answer is computed once (pthread_once) and never changes afterwards.
 */
#include "config.h"
#include "arch/cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_AES
#define HWCAP_AES (1 << 3)
#endif
#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)
#endif
#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif
#endif

static arch_cpu_t cpu_info;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static const struct {
    uint32_t bit;
    const char *name;
} feature_names[] = {
    {ARCH_CPU_SSE2, "sse2"},       {ARCH_CPU_SSSE3, "ssse3"},       {ARCH_CPU_SSE41, "sse4_1"},
    {ARCH_CPU_SSE42, "sse4_2"},    {ARCH_CPU_AESNI, "aes"},         {ARCH_CPU_PCLMUL, "pclmulqdq"},
    {ARCH_CPU_AVX, "avx"},         {ARCH_CPU_AVX2, "avx2"},         {ARCH_CPU_BMI2, "bmi2"},
    {ARCH_CPU_AVX512F, "avx512f"}, {ARCH_CPU_AVX512DQ, "avx512dq"}, {ARCH_CPU_AVX512VL, "avx512vl"},
    {ARCH_CPU_VAES, "vaes"},       {ARCH_CPU_NEON, "asimd"},        {ARCH_CPU_ARM_AES, "aes"},
    {ARCH_CPU_ARM_PMULL, "pmull"}, {ARCH_CPU_ARM_SHA2, "sha2"},
};

#if defined(__x86_64__)

/* Copies src into dst, collapsing runs of spaces and trimming both ends. */
static void copy_trimmed(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    int pending_space = 0;
    for (; *src != '\0' && n + 1 < cap; src++) {
        if (*src == ' ' || *src == '\t' || *src == '\n') {
            pending_space = n > 0;
            continue;
        }
        if (pending_space && n + 2 < cap)
            dst[n++] = ' ';
        pending_space = 0;
        dst[n++] = *src;
    }
    dst[n] = '\0';
}

static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static void detect(arch_cpu_t *c)
{
    unsigned eax, ebx, ecx, edx;
    strcpy(c->arch, "x86_64");

    __cpuid(0, eax, ebx, ecx, edx);
    unsigned max_leaf = eax;
    memcpy(c->vendor, &ebx, 4);
    memcpy(c->vendor + 4, &edx, 4);
    memcpy(c->vendor + 8, &ecx, 4);
    c->vendor[12] = '\0';

    __cpuid(1, eax, ebx, ecx, edx);
    unsigned base_family = (eax >> 8) & 0xf;
    unsigned base_model = (eax >> 4) & 0xf;
    c->stepping = eax & 0xf;
    c->family = base_family;
    c->model = base_model;
    if (base_family == 0xf)
        c->family += (eax >> 20) & 0xff;
    if (base_family == 0x6 || base_family == 0xf)
        c->model += ((eax >> 16) & 0xf) << 4;

    uint32_t f = 0;
    if (edx & (1u << 26))
        f |= ARCH_CPU_SSE2;
    if (ecx & (1u << 9))
        f |= ARCH_CPU_SSSE3;
    if (ecx & (1u << 19))
        f |= ARCH_CPU_SSE41;
    if (ecx & (1u << 20))
        f |= ARCH_CPU_SSE42;
    if (ecx & (1u << 25))
        f |= ARCH_CPU_AESNI;
    if (ecx & (1u << 1))
        f |= ARCH_CPU_PCLMUL;

    /*
     * AVX state must be enabled by the OS (OSXSAVE, then XCR0 bits 1 and 2),
     * otherwise the first AVX instruction faults even though CPUID has it.
     */
    int os_avx = 0, os_avx512 = 0;
    if (ecx & (1u << 27)) {
        uint64_t xcr0 = read_xcr0();
        os_avx = (xcr0 & 0x6) == 0x6;
        os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;
    }
    if (os_avx && (ecx & (1u << 28)))
        f |= ARCH_CPU_AVX;

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        if (os_avx && (ebx & (1u << 5)))
            f |= ARCH_CPU_AVX2;
        if (ebx & (1u << 8))
            f |= ARCH_CPU_BMI2;
        if (os_avx512 && (ebx & (1u << 16)))
            f |= ARCH_CPU_AVX512F;
        if (os_avx512 && (ebx & (1u << 17)))
            f |= ARCH_CPU_AVX512DQ;
        if (os_avx512 && (ebx & (1u << 31)))
            f |= ARCH_CPU_AVX512VL;
        if (os_avx && (ecx & (1u << 9)))
            f |= ARCH_CPU_VAES;
    }
    c->features = f;

    __cpuid(0x80000000, eax, ebx, ecx, edx);
    if (eax >= 0x80000004) {
        char brand[49];
        unsigned *w = (unsigned *)(void *)brand;
        for (unsigned leaf = 0; leaf < 3; leaf++) {
            __cpuid(0x80000002 + leaf, w[4 * leaf], w[4 * leaf + 1], w[4 * leaf + 2],
                    w[4 * leaf + 3]);
        }
        brand[48] = '\0';
        copy_trimmed(c->brand, sizeof(c->brand), brand);
    }
}

#elif defined(__aarch64__)

static void detect(arch_cpu_t *c)
{
    strcpy(c->arch, "aarch64");
    strcpy(c->vendor, "arm");
    unsigned long hw = getauxval(AT_HWCAP);
    uint32_t f = 0;
    if (hw & HWCAP_ASIMD)
        f |= ARCH_CPU_NEON;
    if (hw & HWCAP_AES)
        f |= ARCH_CPU_ARM_AES;
    if (hw & HWCAP_PMULL)
        f |= ARCH_CPU_ARM_PMULL;
    if (hw & HWCAP_SHA2)
        f |= ARCH_CPU_ARM_SHA2;
    c->features = f;

    /* The kernel exposes the implementer and part number, not a brand. */
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (fp == NULL)
        return;
    char line[256];
    unsigned implementer = 0, part = 0, variant = 0, revision = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        sscanf(line, "CPU implementer : %x", &implementer);
        sscanf(line, "CPU part : %x", &part);
        sscanf(line, "CPU variant : %x", &variant);
        sscanf(line, "CPU revision : %u", &revision);
    }
    fclose(fp);
    snprintf(c->vendor, sizeof(c->vendor), "arm-0x%02x", implementer & 0xffu);
    c->family = variant;
    c->model = part;
    c->stepping = revision;
}

#else

static void detect(arch_cpu_t *c)
{
    strcpy(c->arch, "other");
    strcpy(c->vendor, "unknown");
}

#endif

static void detect_once(void)
{
    memset(&cpu_info, 0, sizeof(cpu_info));
    detect(&cpu_info);
}

const arch_cpu_t *arch_cpu(void)
{
    pthread_once(&cpu_once, detect_once);
    return &cpu_info;
}

int arch_cpu_has(uint32_t mask)
{
    return (arch_cpu()->features & mask) == mask;
}

uint32_t arch_cpu_known_features(void)
{
#if defined(__x86_64__)
    return ARCH_CPU_SSE2 | ARCH_CPU_SSSE3 | ARCH_CPU_SSE41 | ARCH_CPU_SSE42 | ARCH_CPU_AESNI |
           ARCH_CPU_PCLMUL | ARCH_CPU_AVX | ARCH_CPU_AVX2 | ARCH_CPU_BMI2 | ARCH_CPU_AVX512F |
           ARCH_CPU_AVX512DQ | ARCH_CPU_AVX512VL | ARCH_CPU_VAES;
#elif defined(__aarch64__)
    return ARCH_CPU_NEON | ARCH_CPU_ARM_AES | ARCH_CPU_ARM_PMULL | ARCH_CPU_ARM_SHA2;
#else
    return 0;
#endif
}

const char *arch_cpu_feature_name(uint32_t bit)
{
    if ((bit & arch_cpu_known_features()) == 0)
        return NULL;
    for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
        if (feature_names[i].bit == bit)
            return feature_names[i].name;
    }
    return NULL;
}
