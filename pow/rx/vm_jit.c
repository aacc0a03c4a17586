/*
 * What the VM compilers of every architecture share: which registers an
 * instruction writes (a CBRANCH's target follows them), running and
 * releasing a compiled program, and the answers where no compiler is
 * built (vm_jit_x86_64.c and vm_jit_aarch64.c compile).
 */
#include "config.h"
#include "pow/rx/vm_jit.h"

#include <errno.h>
#include <string.h>

unsigned pow_rx__vm_jit_registers_written(rx_instruction_kind_t kind, const uint8_t *b)
{
    unsigned dst = b[1] % 8, src = b[2] % 8;
    uint32_t imm =
        (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    switch (kind) {
    case RX_IADD_RS:
    case RX_IADD_M:
    case RX_ISUB_R:
    case RX_ISUB_M:
    case RX_IMUL_R:
    case RX_IMUL_M:
    case RX_IMULH_R:
    case RX_IMULH_M:
    case RX_ISMULH_R:
    case RX_ISMULH_M:
    case RX_INEG_R:
    case RX_IXOR_R:
    case RX_IXOR_M:
    case RX_IROR_R:
    case RX_IROL_R:
        return 1u << dst;
    case RX_IMUL_RCP:
        return imm != 0 && (imm & (imm - 1)) != 0 ? 1u << dst : 0;
    case RX_ISWAP_R:
        return src != dst ? 1u << dst | 1u << src : 0;
    case RX_CBRANCH:
        return 0xFF; /* a taken branch may change any register's history */
    default:
        return 0;
    }
}

#if defined(__x86_64__) || defined(__aarch64__)

int pow_rx_vm_jit_init(pow_rx_vm_jit_t *jit)
{
    memset(jit, 0, sizeof(*jit));
    if (!pow_rx_vm_jit_supported())
        return -ENOTSUP;
    return arch_jit_dual_map(&jit->code, POW_RX_VM_JIT_BUFFER_SIZE);
}

int pow_rx_vm_jit_compile(pow_rx_vm_jit_t *jit, const rx_vm_t *vm, const uint8_t *program_bytes)
{
    jit->fn = NULL;
    if (jit->code.rw == NULL)
        return -ENOTSUP;
    if (vm->variant->program_size > RX_PROGRAM_MAX_SIZE)
        return -EINVAL;
    int rc = arch_jit_dual_begin_write(&jit->code);
    if (rc != 0)
        return rc;
    size_t used = pow_rx__vm_jit_emit(jit->code.rw, jit->code.size, vm, program_bytes);
    rc = arch_jit_dual_end_write(&jit->code, used);
    if (rc != 0)
        return rc;
    jit->fn = (pow_rx_vm_jit_fn)(uintptr_t)jit->code.rx;
    return 0;
}

#else

int pow_rx_vm_jit_supported(void)
{
    return 0;
}

int pow_rx_vm_jit_init(pow_rx_vm_jit_t *jit)
{
    memset(jit, 0, sizeof(*jit));
    return -ENOTSUP;
}

int pow_rx_vm_jit_compile(pow_rx_vm_jit_t *jit, const rx_vm_t *vm, const uint8_t *program_bytes)
{
    (void)vm;
    (void)program_bytes;
    jit->fn = NULL;
    return -ENOTSUP;
}

#endif

void pow_rx_vm_jit_execute(const pow_rx_vm_jit_t *jit, rx_vm_t *vm)
{
    jit->fn(vm);
}

void pow_rx_vm_jit_release(pow_rx_vm_jit_t *jit)
{
    arch_jit_dual_unmap(&jit->code);
    memset(jit, 0, sizeof(*jit));
}
