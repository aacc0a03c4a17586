#include "config.h"
#include "pow/isa.h"

#include <string.h>

#include "arch/cpu.h"

static const struct {
    const char *name;
    int compiled;
    uint32_t needs; /* arch/cpu.h feature bits */
} isa_table[POW_ISA_COUNT] = {
    [POW_ISA_PORTABLE] = {"portable", 1, 0},
#ifdef MM_BUILD_AESNI
    [POW_ISA_AESNI] = {"aesni", 1, ARCH_CPU_AESNI | ARCH_CPU_SSE41},
#else
    [POW_ISA_AESNI] = {"aesni", 0, ARCH_CPU_AESNI | ARCH_CPU_SSE41},
#endif
#ifdef MM_BUILD_AVX2
    [POW_ISA_AVX2] = {"avx2", 1, ARCH_CPU_AVX2},
#else
    [POW_ISA_AVX2] = {"avx2", 0, ARCH_CPU_AVX2},
#endif
#ifdef MM_BUILD_NEON
    [POW_ISA_NEON] = {"neon", 1, ARCH_CPU_NEON},
#else
    [POW_ISA_NEON] = {"neon", 0, ARCH_CPU_NEON},
#endif
#ifdef MM_BUILD_ARMCRYPTO
    [POW_ISA_ARMCRYPTO] = {"armcrypto", 1, ARCH_CPU_ARM_AES},
#else
    [POW_ISA_ARMCRYPTO] = {"armcrypto", 0, ARCH_CPU_ARM_AES},
#endif
};

const char *pow_isa_name(pow_isa_t isa)
{
    return (unsigned)isa < POW_ISA_COUNT ? isa_table[isa].name : "unknown";
}

int pow_isa_from_name(const char *name, pow_isa_t *isa)
{
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        if (strcmp(isa_table[i].name, name) == 0) {
            *isa = (pow_isa_t)i;
            return 0;
        }
    }
    return -1;
}

int pow_isa_compiled(pow_isa_t isa)
{
    return (unsigned)isa < POW_ISA_COUNT && isa_table[isa].compiled;
}

int pow_isa_runnable(pow_isa_t isa)
{
    return pow_isa_compiled(isa) && arch_cpu_has(isa_table[isa].needs);
}
