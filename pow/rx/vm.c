/*
 * The RandomX interpreter: instructions are decoded once per program into
 * rx_op_t (operands as pointers, immediates ready, branch targets
 * resolved), then executed by one switch per instruction.
 *
 * Floating point follows the current FPU rounding mode, which CFROUND
 * changes; this file is compiled with -frounding-math so the compiler does
 * not assume round-to-nearest.
 */
#include "pow/rx/vm.h"

#include <fenv.h>
#include <math.h>
#include <string.h>

#include "pow/prim/aes.h"
#include "pow/rx/reciprocal.h"

enum {
    OP_IADD_RS,
    OP_IADD_M,
    OP_ISUB_R,
    OP_ISUB_M,
    OP_IMUL_R,
    OP_IMUL_M,
    OP_IMULH_R,
    OP_IMULH_M,
    OP_ISMULH_R,
    OP_ISMULH_M,
    OP_INEG_R,
    OP_IXOR_R,
    OP_IXOR_M,
    OP_IROR_R,
    OP_IROL_R,
    OP_ISWAP_R,
    OP_FSWAP_R,
    OP_FADD_R,
    OP_FADD_M,
    OP_FSUB_R,
    OP_FSUB_M,
    OP_FSCAL_R,
    OP_FMUL_R,
    OP_FDIV_M,
    OP_FSQRT_R,
    OP_CBRANCH,
    OP_CFROUND,
    OP_ISTORE,
    OP_NOP,
};

#define MANTISSA_SIZE               52
#define MANTISSA_MASK               ((1ull << MANTISSA_SIZE) - 1)
#define EXPONENT_BIAS               1023
#define DYNAMIC_MANTISSA_MASK       ((1ull << 56) - 1)
#define FSCAL_MASK                  0x80F0000000000000ull
#define REGISTER_NEEDS_DISPLACEMENT 5

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void store64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

static uint64_t rotr64(uint64_t x, unsigned n)
{
    n &= 63;
    return n == 0 ? x : (x >> n) | (x << (64 - n));
}

static uint64_t mulh(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t smulh(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
}

static uint64_t sign_extend(uint32_t imm)
{
    return (uint64_t)(int64_t)(int32_t)imm;
}

void pow_rx_vm_setup(rx_vm_t *vm)
{
    unsigned opcode = 0;
    for (unsigned kind = 0; kind < RX_INSTRUCTION_KINDS; kind++) {
        for (unsigned n = 0; n < vm->variant->frequency[kind] && opcode < 256; n++)
            vm->kind_of_opcode[opcode++] = (uint8_t)kind;
    }
}

/* The a registers: exponent from the top 5 bits, so values lie in [1, 2^32). */
static uint64_t small_positive_float_bits(uint64_t entropy)
{
    uint64_t exponent = ((entropy >> 59) + EXPONENT_BIAS) & 0x7ff;
    return (entropy & MANTISSA_MASK) | exponent << MANTISSA_SIZE;
}

/* E-register mask: 22 random mantissa bits and a random exponent in [768, 1023]. */
static uint64_t float_mask(uint64_t entropy)
{
    uint64_t exponent = 0x300 | (entropy >> 60) << 4;
    return (entropy & ((1ull << 22) - 1)) | exponent << MANTISSA_SIZE;
}

void pow_rx_vm_configure(rx_vm_t *vm, const uint8_t *bytes)
{
    rx_register_file_t *reg = &vm->reg;
    uint64_t q[16];
    for (int i = 0; i < 16; i++)
        q[i] = load64(bytes + 8 * i);

    memset(reg->r, 0, sizeof(reg->r));
    for (int i = 0; i < 4; i++) {
        reg->a[i].u[0] = small_positive_float_bits(q[2 * i]);
        reg->a[i].u[1] = small_positive_float_bits(q[2 * i + 1]);
    }
    vm->ma = (uint32_t)(q[8] & RX_CACHE_LINE_ALIGN_MASK);
    vm->mx = (uint32_t)q[10];
    for (unsigned i = 0; i < 4; i++)
        vm->read_reg[i] = 2 * i + ((q[12] >> i) & 1);
    vm->dataset_offset = (q[13] % (RX_DATASET_EXTRA_ITEMS + 1)) * RX_DATASET_ITEM_SIZE;
    vm->emask[0] = float_mask(q[14]);
    vm->emask[1] = float_mask(q[15]);
    vm->zero = 0;
}

void pow_rx_vm_program(rx_vm_t *vm, const uint8_t *bytes)
{
    pow_rx_vm_configure(vm, bytes);
    const pow_rx_variant_t *v = vm->variant;
    rx_register_file_t *reg = &vm->reg;
    const uint32_t mask_l1 = (v->scratchpad_l1 - 1) & ~7u;
    const uint32_t mask_l2 = (v->scratchpad_l2 - 1) & ~7u;
    const uint32_t mask_l3 = (v->scratchpad_l3 - 1) & ~7u;
    int last_write[8] = {-1, -1, -1, -1, -1, -1, -1, -1};

    for (unsigned i = 0; i < v->program_size; i++) {
        const uint8_t *b = bytes + 128 + 8 * i;
        rx_op_t *op = &vm->ops[i];
        memset(op, 0, sizeof(*op));
        unsigned dst = b[1] % 8, src = b[2] % 8;
        unsigned mod = b[3];
        uint32_t imm32 =
            (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
        uint32_t mem_mask = (mod & 3) ? mask_l1 : mask_l2;
        uint64_t *idst = &reg->r[dst];
        const uint64_t *isrc = &reg->r[src];

        switch (vm->kind_of_opcode[b[0]]) {
        case RX_IADD_RS:
            *op = (rx_op_t){
                .kind = OP_IADD_RS, .idst = idst, .isrc = isrc, .shift = (uint8_t)((mod >> 2) & 3)};
            op->imm = dst == REGISTER_NEEDS_DISPLACEMENT ? sign_extend(imm32) : 0;
            last_write[dst] = (int)i;
            break;
        case RX_IADD_M:
        case RX_ISUB_M:
        case RX_IMUL_M:
        case RX_IMULH_M:
        case RX_ISMULH_M:
        case RX_IXOR_M: {
            static const uint8_t kinds[RX_INSTRUCTION_KINDS] = {
                [RX_IADD_M] = OP_IADD_M,   [RX_ISUB_M] = OP_ISUB_M,     [RX_IMUL_M] = OP_IMUL_M,
                [RX_IMULH_M] = OP_IMULH_M, [RX_ISMULH_M] = OP_ISMULH_M, [RX_IXOR_M] = OP_IXOR_M,
            };
            *op = (rx_op_t){
                .kind = kinds[vm->kind_of_opcode[b[0]]], .idst = idst, .imm = sign_extend(imm32)};
            /* With src == dst the address is the immediate alone, within L3. */
            op->isrc = src != dst ? isrc : &vm->zero;
            op->mem_mask = src != dst ? mem_mask : mask_l3;
            last_write[dst] = (int)i;
            break;
        }
        case RX_ISUB_R:
        case RX_IMUL_R:
        case RX_IXOR_R: {
            static const uint8_t kinds[RX_INSTRUCTION_KINDS] = {
                [RX_ISUB_R] = OP_ISUB_R, [RX_IMUL_R] = OP_IMUL_R, [RX_IXOR_R] = OP_IXOR_R};
            *op = (rx_op_t){.kind = kinds[vm->kind_of_opcode[b[0]]], .idst = idst, .isrc = isrc};
            /* With src == dst the source is the sign-extended immediate. */
            if (src == dst) {
                op->imm = sign_extend(imm32);
                op->isrc = &op->imm;
            }
            last_write[dst] = (int)i;
            break;
        }
        case RX_IMULH_R:
        case RX_ISMULH_R:
            *op =
                (rx_op_t){.kind = vm->kind_of_opcode[b[0]] == RX_IMULH_R ? OP_IMULH_R : OP_ISMULH_R,
                          .idst = idst,
                          .isrc = isrc};
            last_write[dst] = (int)i;
            break;
        case RX_IMUL_RCP:
            /* Zero and powers of two have no useful reciprocal: the instruction is a NOP. */
            if (imm32 != 0 && (imm32 & (imm32 - 1)) != 0) {
                *op = (rx_op_t){.kind = OP_IMUL_R, .idst = idst, .imm = pow_rx_reciprocal(imm32)};
                op->isrc = &op->imm;
                last_write[dst] = (int)i;
            } else {
                op->kind = OP_NOP;
            }
            break;
        case RX_INEG_R:
            *op = (rx_op_t){.kind = OP_INEG_R, .idst = idst};
            last_write[dst] = (int)i;
            break;
        case RX_IROR_R:
        case RX_IROL_R:
            *op = (rx_op_t){.kind = vm->kind_of_opcode[b[0]] == RX_IROR_R ? OP_IROR_R : OP_IROL_R,
                            .idst = idst,
                            .isrc = isrc};
            /* The rotation count is then the immediate, not sign-extended. */
            if (src == dst) {
                op->imm = imm32;
                op->isrc = &op->imm;
            }
            last_write[dst] = (int)i;
            break;
        case RX_ISWAP_R:
            if (src != dst) {
                *op = (rx_op_t){.kind = OP_ISWAP_R, .idst = idst, .isrc = isrc};
                last_write[dst] = (int)i;
                last_write[src] = (int)i;
            } else {
                op->kind = OP_NOP;
            }
            break;
        case RX_FSWAP_R:
            *op = (rx_op_t){.kind = OP_FSWAP_R, .fdst = dst < 4 ? &reg->f[dst] : &reg->e[dst - 4]};
            break;
        case RX_FADD_R:
        case RX_FSUB_R:
            *op = (rx_op_t){.kind = vm->kind_of_opcode[b[0]] == RX_FADD_R ? OP_FADD_R : OP_FSUB_R,
                            .fdst = &reg->f[dst % 4],
                            .fsrc = &reg->a[src % 4]};
            break;
        case RX_FADD_M:
        case RX_FSUB_M:
            *op = (rx_op_t){.kind = vm->kind_of_opcode[b[0]] == RX_FADD_M ? OP_FADD_M : OP_FSUB_M,
                            .fdst = &reg->f[dst % 4],
                            .isrc = isrc,
                            .imm = sign_extend(imm32),
                            .mem_mask = mem_mask};
            break;
        case RX_FSCAL_R:
            *op = (rx_op_t){.kind = OP_FSCAL_R, .fdst = &reg->f[dst % 4]};
            break;
        case RX_FMUL_R:
            *op = (rx_op_t){.kind = OP_FMUL_R, .fdst = &reg->e[dst % 4], .fsrc = &reg->a[src % 4]};
            break;
        case RX_FDIV_M:
            *op = (rx_op_t){.kind = OP_FDIV_M,
                            .fdst = &reg->e[dst % 4],
                            .isrc = isrc,
                            .imm = sign_extend(imm32),
                            .mem_mask = mem_mask};
            break;
        case RX_FSQRT_R:
            *op = (rx_op_t){.kind = OP_FSQRT_R, .fdst = &reg->e[dst % 4]};
            break;
        case RX_CBRANCH: {
            unsigned shift = (mod >> 4) + RX_JUMP_OFFSET;
            uint64_t cimm = sign_extend(imm32) | (1ull << shift);
            cimm &= ~(1ull << (shift - 1));
            *op = (rx_op_t){.kind = OP_CBRANCH,
                            .idst = idst,
                            .imm = cimm,
                            .cond_mask = ((1ull << RX_JUMP_BITS) - 1) << shift,
                            .target = (int16_t)last_write[dst]};
            /* A taken branch may change any register's history: all restart here. */
            for (int k = 0; k < 8; k++)
                last_write[k] = (int)i;
            break;
        }
        case RX_CFROUND:
            *op = (rx_op_t){.kind = OP_CFROUND, .isrc = isrc, .imm = imm32 & 63};
            break;
        case RX_ISTORE:
            *op =
                (rx_op_t){.kind = OP_ISTORE, .idst = idst, .isrc = isrc, .imm = sign_extend(imm32)};
            op->mem_mask = (mod >> 4) >= RX_STORE_L3_CONDITION ? mask_l3 : mem_mask;
            break;
        default:
            op->kind = OP_NOP;
            break;
        }
    }
}

void pow_rx_set_rounding(unsigned fprc)
{
    static const int modes[4] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    fesetround(modes[fprc & 3]);
}

/* Two int32 of a little-endian word as two exact doubles. */
static rx_fpair_t int_pair_to_double(uint64_t word)
{
    rx_fpair_t p;
    p.d[0] = (double)(int32_t)(uint32_t)word;
    p.d[1] = (double)(int32_t)(uint32_t)(word >> 32);
    return p;
}

static rx_fpair_t masked_pair(uint64_t word, const uint64_t emask[2])
{
    rx_fpair_t p = int_pair_to_double(word);
    p.u[0] = (p.u[0] & DYNAMIC_MANTISSA_MASK) | emask[0];
    p.u[1] = (p.u[1] & DYNAMIC_MANTISSA_MASK) | emask[1];
    return p;
}

void pow_rx_vm_run_once(rx_vm_t *vm)
{
    const uint8_t *sp = vm->scratchpad;
    uint8_t *spw = vm->scratchpad;
    const unsigned size = vm->variant->program_size;
    const int v2 = vm->variant->v2;
    for (int pc = 0; pc < (int)size; pc++) {
        rx_op_t *op = &vm->ops[pc];
        switch (op->kind) {
        case OP_IADD_RS:
            *op->idst += (*op->isrc << op->shift) + op->imm;
            break;
        case OP_IADD_M:
            *op->idst += load64(sp + ((*op->isrc + op->imm) & op->mem_mask));
            break;
        case OP_ISUB_R:
            *op->idst -= *op->isrc;
            break;
        case OP_ISUB_M:
            *op->idst -= load64(sp + ((*op->isrc + op->imm) & op->mem_mask));
            break;
        case OP_IMUL_R:
            *op->idst *= *op->isrc;
            break;
        case OP_IMUL_M:
            *op->idst *= load64(sp + ((*op->isrc + op->imm) & op->mem_mask));
            break;
        case OP_IMULH_R:
            *op->idst = mulh(*op->idst, *op->isrc);
            break;
        case OP_IMULH_M:
            *op->idst = mulh(*op->idst, load64(sp + ((*op->isrc + op->imm) & op->mem_mask)));
            break;
        case OP_ISMULH_R:
            *op->idst = smulh(*op->idst, *op->isrc);
            break;
        case OP_ISMULH_M:
            *op->idst = smulh(*op->idst, load64(sp + ((*op->isrc + op->imm) & op->mem_mask)));
            break;
        case OP_INEG_R:
            *op->idst = 0 - *op->idst;
            break;
        case OP_IXOR_R:
            *op->idst ^= *op->isrc;
            break;
        case OP_IXOR_M:
            *op->idst ^= load64(sp + ((*op->isrc + op->imm) & op->mem_mask));
            break;
        case OP_IROR_R:
            *op->idst = rotr64(*op->idst, (unsigned)(*op->isrc & 63));
            break;
        case OP_IROL_R:
            *op->idst = rotr64(*op->idst, (unsigned)(64 - (*op->isrc & 63)));
            break;
        case OP_ISWAP_R: {
            uint64_t *other = (uint64_t *)op->isrc;
            uint64_t t = *op->idst;
            *op->idst = *other;
            *other = t;
            break;
        }
        case OP_FSWAP_R: {
            uint64_t t = op->fdst->u[0];
            op->fdst->u[0] = op->fdst->u[1];
            op->fdst->u[1] = t;
            break;
        }
        case OP_FADD_R:
            op->fdst->d[0] += op->fsrc->d[0];
            op->fdst->d[1] += op->fsrc->d[1];
            break;
        case OP_FADD_M: {
            rx_fpair_t m = int_pair_to_double(load64(sp + ((*op->isrc + op->imm) & op->mem_mask)));
            op->fdst->d[0] += m.d[0];
            op->fdst->d[1] += m.d[1];
            break;
        }
        case OP_FSUB_R:
            op->fdst->d[0] -= op->fsrc->d[0];
            op->fdst->d[1] -= op->fsrc->d[1];
            break;
        case OP_FSUB_M: {
            rx_fpair_t m = int_pair_to_double(load64(sp + ((*op->isrc + op->imm) & op->mem_mask)));
            op->fdst->d[0] -= m.d[0];
            op->fdst->d[1] -= m.d[1];
            break;
        }
        case OP_FSCAL_R:
            op->fdst->u[0] ^= FSCAL_MASK;
            op->fdst->u[1] ^= FSCAL_MASK;
            break;
        case OP_FMUL_R:
            op->fdst->d[0] *= op->fsrc->d[0];
            op->fdst->d[1] *= op->fsrc->d[1];
            break;
        case OP_FDIV_M: {
            rx_fpair_t m =
                masked_pair(load64(sp + ((*op->isrc + op->imm) & op->mem_mask)), vm->emask);
            op->fdst->d[0] /= m.d[0];
            op->fdst->d[1] /= m.d[1];
            break;
        }
        case OP_FSQRT_R:
            op->fdst->d[0] = sqrt(op->fdst->d[0]);
            op->fdst->d[1] = sqrt(op->fdst->d[1]);
            break;
        case OP_CBRANCH:
            *op->idst += op->imm;
            if ((*op->idst & op->cond_mask) == 0)
                pc = op->target;
            break;
        case OP_CFROUND: {
            uint64_t t = rotr64(*op->isrc, (unsigned)op->imm);
            /* v2 changes the mode only one time in sixteen. */
            if (!v2 || (t & 60) == 0) {
                vm->fprc = (unsigned)(t & 3);
                pow_rx_set_rounding(vm->fprc);
            }
            break;
        }
        case OP_ISTORE:
            store64(spw + ((*op->idst + op->imm) & op->mem_mask), *op->isrc);
            break;
        default:
            break;
        }
    }
}

void pow_rx_fe_mix_portable(rx_fpair_t f[4], const rx_fpair_t e[4])
{
    for (int k = 0; k < 4; k++) {
        uint32_t key[4] = {(uint32_t)e[k].u[0], (uint32_t)(e[k].u[0] >> 32), (uint32_t)e[k].u[1],
                           (uint32_t)(e[k].u[1] >> 32)};
        for (int i = 0; i < 4; i++) {
            uint32_t s[4] = {(uint32_t)f[i].u[0], (uint32_t)(f[i].u[0] >> 32), (uint32_t)f[i].u[1],
                             (uint32_t)(f[i].u[1] >> 32)};
            /* f0 and f2 take encryption rounds, f1 and f3 decryption rounds. */
            if (i % 2 == 0)
                pow_aes_soft_round(s, s, key);
            else
                pow_aes_soft_dec_round(s, s, key);
            f[i].u[0] = s[0] | (uint64_t)s[1] << 32;
            f[i].u[1] = s[2] | (uint64_t)s[3] << 32;
        }
    }
}

void pow_rx_vm_execute(rx_vm_t *vm)
{
    const pow_rx_variant_t *v = vm->variant;
    rx_register_file_t *reg = &vm->reg;
    uint8_t *sp = vm->scratchpad;
    const uint32_t mask64 = (v->scratchpad_l3 - 1) & ~63u;
    uint32_t sp_addr0 = vm->mx, sp_addr1 = vm->ma;

    for (uint32_t ic = 0; ic < v->program_iterations; ic++) {
        uint64_t mix = reg->r[vm->read_reg[0]] ^ reg->r[vm->read_reg[1]];
        sp_addr0 = (sp_addr0 ^ (uint32_t)mix) & mask64;
        sp_addr1 = (sp_addr1 ^ (uint32_t)(mix >> 32)) & mask64;
        for (int i = 0; i < 8; i++)
            reg->r[i] ^= load64(sp + sp_addr0 + 8 * i);
        for (int i = 0; i < 4; i++) {
            reg->f[i] = int_pair_to_double(load64(sp + sp_addr1 + 8 * i));
            reg->e[i] = masked_pair(load64(sp + sp_addr1 + 32 + 8 * i), vm->emask);
        }

        pow_rx_vm_run_once(vm);

        /* v1 reads at ma and prepares mx; v2 prepares ma itself, two iterations ahead. */
        uint32_t read_at = vm->ma;
        uint32_t *prepared = v->v2 ? &vm->ma : &vm->mx;
        *prepared ^= (uint32_t)(reg->r[vm->read_reg[2]] ^ reg->r[vm->read_reg[3]]);
        *prepared &= RX_CACHE_LINE_ALIGN_MASK;
        uint64_t item[8];
        uint64_t item_offset = vm->dataset_offset + (read_at & RX_CACHE_LINE_ALIGN_MASK);
        if (vm->dataset != NULL) {
            /* Fast mode: start fetching the item a later iteration reads. */
            __builtin_prefetch(vm->dataset + vm->dataset_offset + *prepared);
            memcpy(item, vm->dataset + item_offset, sizeof(item));
        } else {
            vm->dataset_read(vm->dataset_source, item_offset / RX_DATASET_ITEM_SIZE, item);
        }
        for (int i = 0; i < 8; i++)
            reg->r[i] ^= item[i];
        uint32_t t = vm->mx;
        vm->mx = vm->ma;
        vm->ma = t;

        for (int i = 0; i < 8; i++)
            store64(sp + sp_addr1 + 8 * i, reg->r[i]);
        if (v->v2) {
            vm->fe_mix_v2(reg->f, reg->e);
        } else {
            for (int i = 0; i < 4; i++) {
                reg->f[i].u[0] ^= reg->e[i].u[0];
                reg->f[i].u[1] ^= reg->e[i].u[1];
            }
        }
        for (int i = 0; i < 4; i++) {
            store64(sp + sp_addr0 + 16 * i, reg->f[i].u[0]);
            store64(sp + sp_addr0 + 16 * i + 8, reg->f[i].u[1]);
        }
        sp_addr0 = 0;
        sp_addr1 = 0;
    }
}
