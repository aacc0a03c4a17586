/*
 * The RandomX interpreter one instruction at a time (pow/rx/vm.c): each
 * test programs the VM with a handful of instructions, sets the registers
 * it needs, runs the program once (no loop around it) and checks the result.
 *
 * Expected values marked "tests.cpp" are copied from the instruction tests
 * of tevador/RandomX src/tests/tests.cpp at commit
 * 00fcaf7034881b781aa9056e52515b7670e04647 (a version with the v2 tests;
 * the instruction section is the same in the older, v1-only 07a413b9). Like
 * tests.cpp, every instruction carries imm32 = 3234567890 unless the test
 * needs another, and register bytes are written as 192 | index, so the
 * decoder must reduce them modulo 8. Values marked "derived" are worked out
 * by hand from the specification (spec chapter 5; notes sections 9-11):
 * there is no published value for them.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <fenv.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cpu.h"
#include "pow/hex.h"
#include "pow/rx/variant.h"
#include "pow/rx/vm.h"

#define MAX_INSTRUCTIONS 201
#define CONFIG_SIZE      128

/* tests.cpp's operands: its registerHigh, registerDst, registerSrc and imm32. */
#define REG_HIGH 192u
#define DST      0u
#define SRC      1u
#define IMM32    3234567890u
#define IMM64    0xFFFFFFFFC0CB96D2ull /* IMM32 sign-extended */

/* Scratchpad masks of rx/0 (L1 16 KiB, L2 256 KiB, L3 2 MiB, 8-byte aligned). */
#define L1_MASK 0x3FF8u
#define L2_MASK 0x3FFF8u
#define L3_MASK 0x1FFFF8u

/* mod bytes: mod.mem is bits 0-1, mod.cond bits 4-7. */
#define MOD_L2 0u   /* mem == 0: L2 */
#define MOD_L1 1u   /* mem != 0: L1 */
#define MOD_L3 224u /* cond == 14: ISTORE goes to L3 (tests.cpp "ISTORE L3") */

static rx_vm_t *vm;
static pow_rx_variant_t variant;
static uint8_t program[CONFIG_SIZE + 8 * MAX_INSTRUCTIONS];

static void setup(void)
{
    const pow_rx_variant_t *rx0 = pow_rx_variant_find("rx/0");
    cr_assert_not_null(rx0);
    variant = *rx0;
    vm = calloc(1, sizeof(*vm));
    cr_assert_not_null(vm);
    vm->scratchpad = aligned_alloc(64, variant.scratchpad_l3);
    cr_assert_not_null(vm->scratchpad);
    memset(vm->scratchpad, 0, variant.scratchpad_l3);
    /* All-zero configuration: no test reads the a registers before setting them, and only
     * FDIV_M needs the E masks, which its tests set. */
    memset(program, 0, sizeof(program));
}

static void teardown(void)
{
    /* CFROUND and the rounding tests change the thread's mode: leave it as found. */
    fesetround(FE_TONEAREST);
    if (vm != NULL)
        free(vm->scratchpad);
    free(vm);
    vm = NULL;
}

TestSuite(rx_vm, .init = setup, .fini = teardown);

/* Runs the next programs under another variant's rules ("rx/2" for v2's CFROUND). */
static void use_variant(const char *name)
{
    const pow_rx_variant_t *v = pow_rx_variant_find(name);
    cr_assert_not_null(v, "%s is not shipped", name);
    cr_assert_leq(v->scratchpad_l3, variant.scratchpad_l3, "the scratchpad was sized for rx/0");
    variant = *v;
}

/* The last opcode of an instruction kind under the variant's frequencies: tests.cpp's
 * "ceil_X - 1", so the top of every opcode range is exercised. */
static uint8_t opcode_of(rx_instruction_kind_t kind)
{
    unsigned ceil = 0;
    for (unsigned k = 0; k <= (unsigned)kind; k++)
        ceil += variant.frequency[k];
    cr_assert_gt(ceil, 0u, "instruction kind %u has no opcode", (unsigned)kind);
    return (uint8_t)(ceil - 1);
}

/* Writes instruction `at`: opcode, dst, src, mod, imm32 little-endian. */
static void put(unsigned at, rx_instruction_kind_t kind, unsigned dst, unsigned src, unsigned mod,
                uint32_t imm32)
{
    cr_assert_lt(at, MAX_INSTRUCTIONS);
    uint8_t *b = program + CONFIG_SIZE + 8 * at;
    b[0] = opcode_of(kind);
    b[1] = (uint8_t)dst;
    b[2] = (uint8_t)src;
    b[3] = (uint8_t)mod;
    for (int i = 0; i < 4; i++)
        b[4 + i] = (uint8_t)(imm32 >> (8 * i));
}

/* A NOP filler: ISWAP_R with src == dst. */
static void put_nop(unsigned at)
{
    put(at, RX_ISWAP_R, REG_HIGH | 7, REG_HIGH | 7, 0, 0);
}

/* Configuration word q[i] (notes section 9), little-endian. */
static void set_config_word(unsigned i, uint64_t q)
{
    for (int k = 0; k < 8; k++)
        program[8 * i + (unsigned)k] = (uint8_t)(q >> (8 * k));
}

/* Decodes the first `count` instructions; r0-r7 are zero afterwards. */
static void load(unsigned count)
{
    cr_assert_leq(count, MAX_INSTRUCTIONS);
    variant.program_size = count;
    vm->variant = &variant;
    pow_rx_vm_setup(vm);
    pow_rx_vm_program(vm, program);
}

static void poke(uint32_t addr, uint64_t value)
{
    for (int k = 0; k < 8; k++)
        vm->scratchpad[addr + (unsigned)k] = (uint8_t)(value >> (8 * k));
}

static uint64_t peek(uint32_t addr)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | vm->scratchpad[addr + (unsigned)k];
    return v;
}

/*
 * Puts `value` where a memory operand (base + imm64) & mask must read it, and
 * a different decoy at every other address the instruction could wrongly use
 * (the same sum under the other masks, or the immediate alone).
 */
static void plant(uint64_t base, uint32_t imm32, uint32_t right_addr, uint64_t value)
{
    const uint32_t masks[3] = {L1_MASK, L2_MASK, L3_MASK};
    const uint64_t imm = (uint64_t)(int64_t)(int32_t)imm32;
    for (unsigned i = 0; i < 3; i++) {
        poke((uint32_t)((base + imm) & masks[i]), 0xDEC0DE0000000001ull + i);
        poke((uint32_t)(imm & masks[i]), 0xDEC0DE0000000011ull + i);
    }
    poke(right_addr, value);
}

/* tests.cpp's rx_set_vec_f128(hi, lo): the high lane first. */
static void set_vec(rx_fpair_t *p, uint64_t hi, uint64_t lo)
{
    p->u[0] = lo;
    p->u[1] = hi;
}

/* tests.cpp compares a register stored to memory (low lane first, little-endian) as hex. */
static void expect_vec_hex(const rx_fpair_t *p, const char *want, const char *what)
{
    uint8_t bytes[16];
    char got[33];
    for (int lane = 0; lane < 2; lane++) {
        for (int k = 0; k < 8; k++)
            bytes[8 * lane + k] = (uint8_t)(p->u[lane] >> (8 * k));
    }
    pow_hex_encode(bytes, sizeof(bytes), got);
    cr_expect_str_eq(got, want, "%s", what);
}

/* Rounding modes in fprc order, for messages. */
static const char *const mode_names[4] = {"round to nearest", "round down", "round up",
                                          "round toward zero"};

/* ---- The opcode table ----------------------------------------------------- */

/* Opcode ranges of the rx/0 frequencies (notes section 11, RandomX configuration.h). */
Test(rx_vm, opcodes_map_to_kinds_by_cumulative_frequency)
{
    static const struct {
        rx_instruction_kind_t kind;
        unsigned first, last;
    } ranges[] = {
        {RX_IADD_RS, 0, 15},    {RX_IADD_M, 16, 22},    {RX_ISUB_R, 23, 38},
        {RX_ISUB_M, 39, 45},    {RX_IMUL_R, 46, 61},    {RX_IMUL_M, 62, 65},
        {RX_IMULH_R, 66, 69},   {RX_IMULH_M, 70, 70},   {RX_ISMULH_R, 71, 74},
        {RX_ISMULH_M, 75, 75},  {RX_IMUL_RCP, 76, 83},  {RX_INEG_R, 84, 85},
        {RX_IXOR_R, 86, 100},   {RX_IXOR_M, 101, 105},  {RX_IROR_R, 106, 113},
        {RX_IROL_R, 114, 115},  {RX_ISWAP_R, 116, 119}, {RX_FSWAP_R, 120, 123},
        {RX_FADD_R, 124, 139},  {RX_FADD_M, 140, 144},  {RX_FSUB_R, 145, 160},
        {RX_FSUB_M, 161, 165},  {RX_FSCAL_R, 166, 171}, {RX_FMUL_R, 172, 203},
        {RX_FDIV_M, 204, 207},  {RX_FSQRT_R, 208, 213}, {RX_CBRANCH, 214, 238},
        {RX_CFROUND, 239, 239}, {RX_ISTORE, 240, 255},
    };
    vm->variant = &variant;
    pow_rx_vm_setup(vm);
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        for (unsigned op = ranges[i].first; op <= ranges[i].last; op++)
            cr_expect_eq(vm->kind_of_opcode[op], (uint8_t)ranges[i].kind,
                         "opcode %u should be kind %u", op, (unsigned)ranges[i].kind);
        cr_expect_eq(opcode_of(ranges[i].kind), ranges[i].last);
    }
}

/* ---- Integer register instructions ---------------------------------------- */

Test(rx_vm, iadd_rs_adds_shifted_source_without_displacement_outside_r5)
{
    /* tests.cpp "IADD_RS": mod 255 gives shift 3; dst r0 takes no immediate. */
    put(0, RX_IADD_RS, REG_HIGH | DST, REG_HIGH | SRC, 255, IMM32);
    load(1);
    vm->reg.r[DST] = 0x8000000000000000ull;
    vm->reg.r[SRC] = 0x1000000000000000ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0);
}

Test(rx_vm, iadd_rs_adds_displacement_only_for_r5)
{
    /* tests.cpp "IADD_RS with immediate": mod 8 gives shift 2; r5 adds imm64. */
    put(0, RX_IADD_RS, REG_HIGH | 5, REG_HIGH | SRC, 8, IMM32);
    /* Derived: the same instruction into r6 adds no immediate. */
    put(1, RX_IADD_RS, REG_HIGH | 6, REG_HIGH | SRC, 8, IMM32);
    load(2);
    vm->reg.r[5] = 0x8000000000000000ull;
    vm->reg.r[6] = 0x8000000000000000ull;
    vm->reg.r[SRC] = 0x2000000000000000ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[5], IMM64);
    cr_expect_eq(vm->reg.r[6], 0);
}

Test(rx_vm, iadd_rs_with_src_equal_dst_uses_the_register)
{
    /* Derived: no immediate form; r0 += r0 << 3 is r0 * 9. */
    put(0, RX_IADD_RS, REG_HIGH | DST, REG_HIGH | DST, 255, IMM32);
    load(1);
    vm->reg.r[DST] = 7;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 63);
}

Test(rx_vm, isub_r_subtracts_source)
{
    /* tests.cpp "ISUB_R (execute)". */
    put(0, RX_ISUB_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 1;
    vm->reg.r[SRC] = 0xFFFFFFFF;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xFFFFFFFF00000002ull);
}

Test(rx_vm, isub_r_with_src_equal_dst_subtracts_sign_extended_immediate)
{
    /* tests.cpp "ISUB_R with immediate": 0 - imm64 = ~imm64 + 1. */
    put(0, RX_ISUB_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], ~IMM64 + 1);
    cr_expect_eq(vm->reg.r[DST], 0x000000003F34692Eull);
}

Test(rx_vm, imul_r_multiplies_low_64_bits)
{
    /* tests.cpp "IMUL_R (execute)". */
    put(0, RX_IMUL_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    vm->reg.r[SRC] = 0xF5391FA9F18D6273ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x28723424A9108E51ull);
}

Test(rx_vm, imul_r_with_src_equal_dst_multiplies_by_sign_extended_immediate)
{
    /* tests.cpp "IMUL_R with immediate (execute)". */
    put(0, RX_IMUL_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 1;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], IMM64);
}

Test(rx_vm, imulh_r_keeps_unsigned_high_64_bits)
{
    /* tests.cpp "IMULH_R (execute)". */
    put(0, RX_IMULH_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    vm->reg.r[SRC] = 0xF5391FA9F18D6273ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xB4676D31D2B34883ull);
}

Test(rx_vm, imulh_r_with_src_equal_dst_squares)
{
    /* tests.cpp "IMULH_R squared (decode)" says the source stays the register; the value is
     * derived: high 64 bits of 0xBC550E96BA88A72B squared, unsigned. */
    put(0, RX_IMULH_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x8A8D09B012E5696Cull);
}

Test(rx_vm, ismulh_r_keeps_signed_high_64_bits)
{
    /* tests.cpp "ISMULH_R (execute)". */
    put(0, RX_ISMULH_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    vm->reg.r[SRC] = 0xF5391FA9F18D6273ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x02D93EF1269D3EE5ull);
}

Test(rx_vm, ismulh_r_with_src_equal_dst_squares)
{
    /* tests.cpp "ISMULH_R squared (decode)"; derived value, signed square's high half. */
    put(0, RX_ISMULH_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x11E2EC829DD41B16ull);
}

Test(rx_vm, imul_rcp_multiplies_by_reciprocal_of_immediate)
{
    /* tests.cpp "randomx_reciprocal": reciprocal(3845182035) = 10302264209224146340, so
     * 1 * reciprocal is that value (tests.cpp's "IMUL_RCP (decode)" checks the same
     * reciprocal becomes IMUL_R's immediate). */
    put(0, RX_IMUL_RCP, REG_HIGH | DST, REG_HIGH | SRC, 0, 3845182035u);
    load(1);
    vm->reg.r[DST] = 1;
    vm->reg.r[SRC] = 0xFFFF; /* not an operand */
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 10302264209224146340ull);
}

Test(rx_vm, imul_rcp_is_a_nop_for_zero_and_powers_of_two)
{
    /* tests.cpp "IMUL_RCP zero imm32 (decode)" is a NOP; powers of two too (spec 5.2.4). */
    put(0, RX_IMUL_RCP, REG_HIGH | DST, REG_HIGH | SRC, 0, 0);
    put(1, RX_IMUL_RCP, REG_HIGH | DST, REG_HIGH | SRC, 0, 1);
    put(2, RX_IMUL_RCP, REG_HIGH | DST, REG_HIGH | SRC, 0, 0x80000000u);
    put(3, RX_IMUL_RCP, REG_HIGH | DST, REG_HIGH | SRC, 0, 0x00010000u);
    load(4);
    vm->reg.r[DST] = 12345;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 12345);
}

Test(rx_vm, ineg_r_negates_twos_complement)
{
    /* tests.cpp "INEG_R (execute)". */
    put(0, RX_INEG_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xFFFFFFFFFFFFFFFFull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 1);
}

Test(rx_vm, ixor_r_xors_source)
{
    /* tests.cpp "IXOR_R (execute)". */
    put(0, RX_IXOR_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0x8888888888888888ull;
    vm->reg.r[SRC] = 0xAAAAAAAAAAAAAAAAull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x2222222222222222ull);
}

Test(rx_vm, ixor_r_with_src_equal_dst_xors_sign_extended_immediate)
{
    /* tests.cpp "IXOR_R with immediate (execute)". */
    put(0, RX_IXOR_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 0xFFFFFFFFFFFFFFFFull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], ~IMM64);
}

Test(rx_vm, iror_r_rotates_right_by_source_mod_64)
{
    /* tests.cpp "IROR_R (execute)": the source is 4569451684712230561, 33 mod 64. */
    put(0, RX_IROR_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 953360005391419562ull;
    vm->reg.r[SRC] = 4569451684712230561ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xD835C455069D81EFull);
}

Test(rx_vm, iror_r_with_src_equal_dst_rotates_by_immediate)
{
    /* Derived: the count is imm32 & 63 = 18. The immediate is not sign-extended here, but
     * only its low 6 bits count, so that rule cannot change a result. */
    put(0, RX_IROR_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 953360005391419562ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xE22A834EC0F7EC1Aull);
}

Test(rx_vm, irol_r_rotates_left_by_source_mod_64)
{
    /* tests.cpp "IROL_R (execute)". */
    put(0, RX_IROL_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 953360005391419562ull;
    vm->reg.r[SRC] = 4569451684712230561ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 6978065200552740799ull);
}

Test(rx_vm, irol_r_with_src_equal_dst_rotates_by_immediate)
{
    /* Derived: rotate left by imm32 & 63 = 18. */
    put(0, RX_IROL_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 953360005391419562ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x0F7EC1AE22A834ECull);
}

Test(rx_vm, iswap_r_exchanges_registers)
{
    /* tests.cpp "ISWAP_R (execute)". */
    put(0, RX_ISWAP_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[DST] = 953360005391419562ull;
    vm->reg.r[SRC] = 4569451684712230561ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 4569451684712230561ull);
    cr_expect_eq(vm->reg.r[SRC], 953360005391419562ull);
}

Test(rx_vm, iswap_r_with_src_equal_dst_is_a_nop)
{
    put(0, RX_ISWAP_R, REG_HIGH | DST, REG_HIGH | DST, 0, IMM32);
    load(1);
    for (unsigned i = 0; i < 8; i++)
        vm->reg.r[i] = 0x1111111111111111ull * (i + 1);
    pow_rx_vm_run_once(vm);
    for (unsigned i = 0; i < 8; i++)
        cr_expect_eq(vm->reg.r[i], 0x1111111111111111ull * (i + 1), "r%u changed", i);
}

/* ---- Integer memory instructions ------------------------------------------
 *
 * tests.cpp only decodes these (type, operands, immediate, mask); the mask
 * is checked here by where the operand is read from. The base register is
 * 0x1000, so the address is (0x1000 + imm64) & mask: 0x26D0 in L1, 0x3A6D0 in
 * L2; with src == dst it is imm64 & L3_MASK = 0xB96D0. The values reuse the
 * register-form vectors of tests.cpp where one fits.
 */

#define BASE    0x1000u
#define AT_L1   0x26D0u
#define AT_L2   0x3A6D0u
#define AT_IMM3 0xB96D0u

Test(rx_vm, iadd_m_reads_l1_when_mod_mem_is_nonzero)
{
    /* tests.cpp "IADD_M (decode)": mod 1 selects ScratchpadL1Mask. */
    put(0, RX_IADD_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L1, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L1, 0x10);
    vm->reg.r[DST] = 5;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x15);
}

Test(rx_vm, iadd_m_reads_l2_when_mod_mem_is_zero)
{
    put(0, RX_IADD_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L2, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L2, 0x10);
    vm->reg.r[DST] = 5;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x15);
}

Test(rx_vm, iadd_m_with_src_equal_dst_reads_l3_at_immediate)
{
    /* mod 1 would mean L1; src == dst overrides it: address imm64 & L3 mask, register
     * ignored. */
    put(0, RX_IADD_M, REG_HIGH | DST, REG_HIGH | DST, MOD_L1, IMM32);
    load(1);
    plant(0x40, IMM32, AT_IMM3, 0x10);
    vm->reg.r[DST] = 0x40;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x50);
}

Test(rx_vm, isub_m_subtracts_from_l2)
{
    /* tests.cpp "ISUB_M (decode)": mod 0, L2; the values are "ISUB_R (execute)"'s. */
    put(0, RX_ISUB_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L2, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L2, 0xFFFFFFFF);
    vm->reg.r[DST] = 1;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xFFFFFFFF00000002ull);
}

Test(rx_vm, imul_m_with_src_equal_dst_multiplies_by_l3_word_at_immediate)
{
    /* tests.cpp "IMUL_M (decode)": src == dst, source zero, L3 mask; "IMUL_R" values. */
    put(0, RX_IMUL_M, REG_HIGH | DST, REG_HIGH | DST, MOD_L2, IMM32);
    load(1);
    plant(0xBC550E96BA88A72Bull, IMM32, AT_IMM3, 0xF5391FA9F18D6273ull);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x28723424A9108E51ull);
}

Test(rx_vm, imul_m_multiplies_by_l1_word)
{
    put(0, RX_IMUL_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L1, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L1, 0xF5391FA9F18D6273ull);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x28723424A9108E51ull);
}

Test(rx_vm, imulh_m_keeps_unsigned_high_bits_of_l2_product)
{
    /* tests.cpp "IMULH_M (decode)": mod 0, L2; "IMULH_R (execute)" values. */
    put(0, RX_IMULH_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L2, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L2, 0xF5391FA9F18D6273ull);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xB4676D31D2B34883ull);
}

Test(rx_vm, ismulh_m_keeps_signed_high_bits_of_l1_product)
{
    /* tests.cpp "ISMULH_M (decode)": mod 3, L1; "ISMULH_R (execute)" values. */
    put(0, RX_ISMULH_M, REG_HIGH | DST, REG_HIGH | SRC, 3, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L1, 0xF5391FA9F18D6273ull);
    vm->reg.r[DST] = 0xBC550E96BA88A72Bull;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x02D93EF1269D3EE5ull);
}

Test(rx_vm, ixor_m_with_src_equal_dst_xors_l3_word_at_immediate)
{
    /* tests.cpp "IXOR_M (decode)": src == dst, L3; "IXOR_R (execute)" values. */
    put(0, RX_IXOR_M, REG_HIGH | DST, REG_HIGH | DST, MOD_L1, IMM32);
    load(1);
    plant(0x8888888888888888ull, IMM32, AT_IMM3, 0xAAAAAAAAAAAAAAAAull);
    vm->reg.r[DST] = 0x8888888888888888ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x2222222222222222ull);
}

Test(rx_vm, ixor_m_xors_l2_word)
{
    put(0, RX_IXOR_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L2, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L2, 0xAAAAAAAAAAAAAAAAull);
    vm->reg.r[DST] = 0x8888888888888888ull;
    vm->reg.r[SRC] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0x2222222222222222ull);
}

/* ---- ISTORE -----------------------------------------------------------------
 *
 * tests.cpp decodes "ISTORE L1" (mod 1), "L2" (mod 0) and "L3" (mod 224,
 * cond 14). Here the store lands at (r[dst] + imm64) & mask with r[dst] =
 * 0x1000: 0x26D0, 0x3A6D0 or 0xBA6D0.
 */

#define STORED 0x0123456789ABCDEFull

static void check_store(unsigned mod, uint32_t want_at)
{
    const uint32_t candidates[3] = {AT_L1, AT_L2, 0xBA6D0u};
    put(0, RX_ISTORE, REG_HIGH | DST, REG_HIGH | SRC, mod, IMM32);
    load(1);
    vm->reg.r[DST] = BASE;
    vm->reg.r[SRC] = STORED;
    pow_rx_vm_run_once(vm);
    for (int i = 0; i < 3; i++) {
        uint64_t want = candidates[i] == want_at ? STORED : 0;
        cr_expect_eq(peek(candidates[i]), want, "mod %u, scratchpad 0x%x", mod,
                     (unsigned)candidates[i]);
    }
    cr_expect_eq(vm->reg.r[SRC], STORED);
}

Test(rx_vm, istore_writes_l1_when_mod_mem_is_nonzero)
{
    check_store(MOD_L1, AT_L1);
}

Test(rx_vm, istore_writes_l2_when_mod_mem_is_zero)
{
    check_store(MOD_L2, AT_L2);
}

Test(rx_vm, istore_writes_l3_when_mod_cond_is_14_or_more)
{
    check_store(MOD_L3, 0xBA6D0u);
    /* cond 15 with mem 1: still L3. */
    memset(vm->scratchpad, 0, variant.scratchpad_l3);
    check_store(0xF1, 0xBA6D0u);
}

Test(rx_vm, istore_writes_l1_when_mod_cond_is_13)
{
    check_store(0xD1, AT_L1);
}

/* ---- Floating-point instructions ----------------------------------------- */

Test(rx_vm, fswap_r_swaps_halves_of_an_f_register)
{
    /* tests.cpp "FSWAP_R (execute)". */
    put(0, RX_FSWAP_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    set_vec(&vm->reg.f[DST], 953360005391419562ull, 4569451684712230561ull);
    pow_rx_vm_run_once(vm);
    expect_vec_hex(&vm->reg.f[DST], "aa886bb0df033b0da12e95e518f4693f", "f0");
}

Test(rx_vm, fswap_r_with_dst_4_to_7_swaps_halves_of_an_e_register)
{
    /* dst 192 | 5 is 5: e1. tests.cpp's FSWAP_R vector, applied to e1; f1 is untouched. */
    put(0, RX_FSWAP_R, REG_HIGH | 5, REG_HIGH | SRC, 0, IMM32);
    load(1);
    set_vec(&vm->reg.e[1], 953360005391419562ull, 4569451684712230561ull);
    set_vec(&vm->reg.f[1], 953360005391419562ull, 4569451684712230561ull);
    pow_rx_vm_run_once(vm);
    expect_vec_hex(&vm->reg.e[1], "aa886bb0df033b0da12e95e518f4693f", "e1");
    expect_vec_hex(&vm->reg.f[1], "a12e95e518f4693faa886bb0df033b0d", "f1");
}

Test(rx_vm, fadd_r_adds_a_register_in_each_rounding_mode)
{
    /* tests.cpp "FADD_R RoundToNearest/RoundDown/RoundUp/RoundToZero (execute)". */
    static const char *const want[4] = {
        "b932e048a730cec1fea6ea633bcc2d40",
        "b932e048a730cec1fda6ea633bcc2d40",
        "b832e048a730cec1fea6ea633bcc2d40",
        "b832e048a730cec1fda6ea633bcc2d40",
    };
    put(0, RX_FADD_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    for (unsigned fprc = 0; fprc < 4; fprc++) {
        set_vec(&vm->reg.f[DST], 0x3ffd2c97cc4ef015ull, 0xc1ce30b3c4223576ull);
        set_vec(&vm->reg.a[SRC], 0x402a26a86a60c8fbull, 0x40b8f684057a59e1ull);
        pow_rx_set_rounding(fprc);
        pow_rx_vm_run_once(vm);
        fesetround(FE_TONEAREST);
        expect_vec_hex(&vm->reg.f[DST], want[fprc], mode_names[fprc]);
    }
}

Test(rx_vm, fadd_m_adds_two_int32_from_l1_as_doubles)
{
    /* tests.cpp "FADD_M (execute)": r1 = 0xFFFFFFFFFFFFE930 puts (r1 + imm64) & L1 mask at
     * 0, where tests.cpp's one-word scratchpad holds 0x1234567890abcdef. The L2 address of
     * the same sum, 0x38000, holds a decoy. */
    put(0, RX_FADD_M, REG_HIGH | DST, REG_HIGH | SRC, MOD_L1, IMM32);
    load(1);
    plant(0xFFFFFFFFFFFFE930ull, IMM32, 0, 0x1234567890abcdefull);
    set_vec(&vm->reg.f[DST], 0, 0);
    vm->reg.r[SRC] = 0xFFFFFFFFFFFFE930ull;
    pow_rx_vm_run_once(vm);
    expect_vec_hex(&vm->reg.f[DST], "000040840cd5dbc1000000785634b241", "f0");
}

Test(rx_vm, fadd_m_with_src_equal_dst_still_reads_at_register_plus_immediate)
{
    /* Derived: dst indexes F and src indexes R, so equal numbers are no special case: the
     * address is (r1 + imm64) & L1 mask = 0x26D0, not imm64 & L3 mask. The word holds
     * int32 1 (low) and 2 (high). */
    put(0, RX_FADD_M, REG_HIGH | 1, REG_HIGH | 1, MOD_L1, IMM32);
    load(1);
    plant(BASE, IMM32, AT_L1, 0x0000000200000001ull);
    set_vec(&vm->reg.f[1], 0, 0);
    vm->reg.r[1] = BASE;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.f[1].d[0], 1.0);
    cr_expect_eq(vm->reg.f[1].d[1], 2.0);
}

Test(rx_vm, fsub_r_subtracts_a_register)
{
    /* Derived (round to nearest) from the FADD_R operands of tests.cpp: f0 - a1. */
    put(0, RX_FSUB_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    set_vec(&vm->reg.f[DST], 0x3ffd2c97cc4ef015ull, 0xc1ce30b3c4223576ull);
    set_vec(&vm->reg.a[SRC], 0x402a26a86a60c8fbull, 0x40b8f684057a59e1ull);
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.f[DST].u[0], 0xc1ce30c03f643833ull);
    cr_expect_eq(vm->reg.f[DST].u[1], 0xc026811570d6eaf8ull);
}

Test(rx_vm, fsub_m_subtracts_two_int32_from_l1_as_doubles)
{
    /* tests.cpp "FSUB_M (decode)": mod 2 selects L1. Derived value: 0 minus tests.cpp's FADD_M
     * word, i.e. -(-1867788817) and -305419896, both exact. */
    put(0, RX_FSUB_M, REG_HIGH | DST, REG_HIGH | SRC, 2, IMM32);
    load(1);
    plant(0xFFFFFFFFFFFFE930ull, IMM32, 0, 0x1234567890abcdefull);
    set_vec(&vm->reg.f[DST], 0, 0);
    vm->reg.r[SRC] = 0xFFFFFFFFFFFFE930ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.f[DST].u[0], 0x41dbd50c84400000ull);
    cr_expect_eq(vm->reg.f[DST].u[1], 0xc1b2345678000000ull);
}

Test(rx_vm, fscal_r_flips_sign_and_exponent_bits)
{
    /* tests.cpp "FSCAL_R (execute)": xor with 0x80F0000000000000 in both halves. */
    put(0, RX_FSCAL_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    set_vec(&vm->reg.f[DST], 0x41dbc35cef248783ull, 0x40fdfdabb6173d07ull);
    pow_rx_vm_run_once(vm);
    expect_vec_hex(&vm->reg.f[DST], "073d17b6abfd0dc0838724ef5cc32bc1", "f0");
}

Test(rx_vm, fmul_r_multiplies_e_by_a_in_each_rounding_mode)
{
    /* tests.cpp "FMUL_R RoundToNearest", "RoundDown/RoundToZero" (run there as RoundDown
     * only; the operands are positive, so toward zero is the same) and "RoundUp". */
    static const char *const want[4] = {
        "69697aff350fd3422f1589cdecfed742",
        "69697aff350fd3422e1589cdecfed742",
        "6a697aff350fd3422f1589cdecfed742",
        "69697aff350fd3422e1589cdecfed742",
    };
    put(0, RX_FMUL_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    for (unsigned fprc = 0; fprc < 4; fprc++) {
        set_vec(&vm->reg.e[DST], 0x41dbc35cef248783ull, 0x40fdfdabb6173d07ull);
        set_vec(&vm->reg.a[SRC], 0x40eba861aa31c7c0ull, 0x41c4561212ae2d50ull);
        pow_rx_set_rounding(fprc);
        pow_rx_vm_run_once(vm);
        fesetround(FE_TONEAREST);
        expect_vec_hex(&vm->reg.e[DST], want[fprc], mode_names[fprc]);
    }
}

/*
 * FDIV_M's E masks: tests.cpp sets eMask[0] = 0x3a0000000005d11a and
 * eMask[1] = 0x39000000001ba31e directly. Here they come from configuration
 * words q[14] and q[15] (notes section 9: mask = (q & 0x3FFFFF) |
 * (0x300 | (q >> 60) << 4) << 52), so q[14] = 0xA00000000005d11a and
 * q[15] = 0x90000000001ba31e.
 */
static void set_fdiv_masks(void)
{
    set_config_word(14, 0xA00000000005d11aull);
    set_config_word(15, 0x90000000001ba31eull);
}

Test(rx_vm, configuration_words_14_and_15_give_the_e_masks)
{
    set_fdiv_masks();
    put(0, RX_FDIV_M, REG_HIGH | DST, REG_HIGH | SRC, 3, IMM32);
    load(1);
    cr_expect_eq(vm->emask[0], 0x3a0000000005d11aull);
    cr_expect_eq(vm->emask[1], 0x39000000001ba31eull);
}

Test(rx_vm, fdiv_m_divides_e_by_masked_l1_operand_in_each_rounding_mode)
{
    /* tests.cpp "FDIV_M RoundToNearest", "RoundDown/RoundToZero" (run there as RoundDown;
     * operands positive after masking) and "RoundUp": mod 3 (L1), r1 = 0xFFFFFFFFFFFFE930
     * gives address 0, which holds the int32 pair 0xd350a1b6, 0x8b2460d9. */
    static const char *const want[4] = {
        "e7b269639484434632474a66635ba547",
        "e6b269639484434632474a66635ba547",
        "e7b269639484434633474a66635ba547",
        "e6b269639484434632474a66635ba547",
    };
    set_fdiv_masks();
    put(0, RX_FDIV_M, REG_HIGH | DST, REG_HIGH | SRC, 3, IMM32);
    load(1);
    plant(0xFFFFFFFFFFFFE930ull, IMM32, 0, 0x8b2460d9d350a1b6ull);
    for (unsigned fprc = 0; fprc < 4; fprc++) {
        set_vec(&vm->reg.e[DST], 0x41937f76fede16eeull, 0x411b414296ce93b6ull);
        vm->reg.r[SRC] = 0xFFFFFFFFFFFFE930ull;
        pow_rx_set_rounding(fprc);
        pow_rx_vm_run_once(vm);
        fesetround(FE_TONEAREST);
        expect_vec_hex(&vm->reg.e[DST], want[fprc], mode_names[fprc]);
    }
}

Test(rx_vm, fsqrt_r_takes_square_root_of_e_in_each_rounding_mode)
{
    /* tests.cpp "FSQRT_R RoundToNearest", "RoundDown/RoundToZero" (run there as RoundDown;
     * a positive root) and "RoundUp". */
    static const char *const want[4] = {
        "e81f300b612a21408dbaa33f570ed340",
        "e81f300b612a21408cbaa33f570ed340",
        "e91f300b612a21408dbaa33f570ed340",
        "e81f300b612a21408cbaa33f570ed340",
    };
    put(0, RX_FSQRT_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    for (unsigned fprc = 0; fprc < 4; fprc++) {
        set_vec(&vm->reg.e[DST], 0x41b6b21c11affea7ull, 0x40526a7e778d9824ull);
        pow_rx_set_rounding(fprc);
        pow_rx_vm_run_once(vm);
        fesetround(FE_TONEAREST);
        expect_vec_hex(&vm->reg.e[DST], want[fprc], mode_names[fprc]);
    }
}

/* ---- CBRANCH ---------------------------------------------------------------
 *
 * The branch tests count how often an instruction ran with IADD_RS r2 += r3
 * (r3 = 1) and keep the instructions that "write" r0 value-neutral with
 * IADD_RS r0 += r4 (r4 = 0). CBRANCH with mod 0 and imm32 0 adds 0x100 and
 * jumps when bits 8-15 of the sum are zero: from 0xFF00 it is taken once
 * (0x10000), then not again (0x10100).
 */

static void put_counter(unsigned at)
{
    put(at, RX_IADD_RS, REG_HIGH | 2, REG_HIGH | 3, 0, IMM32);
}

static void put_neutral_write_r0(unsigned at)
{
    put(at, RX_IADD_RS, REG_HIGH | 0, REG_HIGH | 4, 0, IMM32);
}

static void start_counting(void)
{
    vm->reg.r[2] = 0;
    vm->reg.r[3] = 1;
    vm->reg.r[4] = 0;
}

Test(rx_vm, cbranch_decodes_immediate_condition_mask_and_target)
{
    /* tests.cpp "CBRANCH (decode) 100" and "(decode) 200": mod 48 (cond 3, b = 11). The
     * immediate gets bit 11 set and bit 10 cleared, the mask is 0xFF << 11, and a CBRANCH
     * after another CBRANCH continues after it (every register was marked there). */
    for (unsigned i = 0; i < MAX_INSTRUCTIONS; i++)
        put_nop(i);
    put(100, RX_CBRANCH, REG_HIGH | DST, 0, 48, IMM32);
    put(200, RX_CBRANCH, REG_HIGH | DST, 0, 48, IMM32);
    load(MAX_INSTRUCTIONS);
    cr_expect_eq(vm->ops[100].imm, 0xFFFFFFFFC0CB9AD2ull);
    cr_expect_eq(vm->ops[100].cond_mask, 0x7F800ull);
    cr_expect_eq(vm->ops[200].imm, 0xFFFFFFFFC0CB9AD2ull);
    cr_expect_eq(vm->ops[200].cond_mask, 0x7F800ull);
    cr_expect_eq(vm->ops[200].target, 100);
}

Test(rx_vm, cbranch_not_taken_falls_through)
{
    /* tests.cpp "CBRANCH not taken (execute)": r0 = 0 becomes the immediate, whose bits
     * 11-18 are not all zero. */
    put_counter(0);
    put(1, RX_CBRANCH, REG_HIGH | DST, 0, 48, IMM32);
    load(2);
    start_counting();
    vm->reg.r[DST] = 0;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[DST], 0xFFFFFFFFC0CB9AD2ull);
    cr_expect_eq(vm->reg.r[2], 1, "the program ran once");
}

Test(rx_vm, cbranch_taken_restarts_after_last_writer_or_at_start)
{
    /* tests.cpp "CBRANCH taken (execute)": r0 = 0xFFFFFFFFFFFC6800 plus the immediate is
     * 0xFFFFFFFFC0C802D2, bits 11-18 zero. No instruction wrote r0, so the program restarts
     * at 0; the second pass (derived) gives 0xFFFFFFFF81939DA4 and falls through. */
    put_counter(0);
    put(1, RX_CBRANCH, REG_HIGH | DST, 0, 48, IMM32);
    load(2);
    start_counting();
    vm->reg.r[DST] = 0xFFFFFFFFFFFC6800ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[2], 2, "the branch should restart the program once");
    cr_expect_eq(vm->reg.r[DST], 0xFFFFFFFF81939DA4ull);
}

Test(rx_vm, cbranch_jumps_to_instruction_after_last_writer_of_dst)
{
    /* Derived. 0: count in r2; 1: write r0; 2: count in r6; 3: CBRANCH r0, taken once. The
     * jump resumes at 2, so instruction 0 ran once and instruction 2 twice. */
    put_counter(0);
    put_neutral_write_r0(1);
    put(2, RX_IADD_RS, REG_HIGH | 6, REG_HIGH | 3, 0, IMM32);
    put(3, RX_CBRANCH, REG_HIGH | 0, 0, 0, 0);
    load(4);
    start_counting();
    vm->reg.r[6] = 0;
    vm->reg.r[0] = 0xFF00;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[2], 1, "instruction 0 must not run again");
    cr_expect_eq(vm->reg.r[6], 2, "instruction 2 must run again");
    cr_expect_eq(vm->reg.r[0], 0x10100);
}

Test(rx_vm, cbranch_marks_every_register_as_written)
{
    /* Derived. 0: write r0; 1: CBRANCH r5 (not taken: r5 goes 0 -> 0x100); 2: count;
     * 3: CBRANCH r0, taken once. Instruction 1 is the last "writer" of r0, so the jump
     * resumes at 2 and instruction 1 runs once (r5 = 0x100, not 0x200). */
    put_neutral_write_r0(0);
    put(1, RX_CBRANCH, REG_HIGH | 5, 0, 0, 0);
    put_counter(2);
    put(3, RX_CBRANCH, REG_HIGH | 0, 0, 0, 0);
    load(4);
    start_counting();
    vm->reg.r[5] = 0;
    vm->reg.r[0] = 0xFF00;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[5], 0x100, "the first CBRANCH must not run again");
    cr_expect_eq(vm->reg.r[2], 2);
    cr_expect_eq(vm->reg.r[0], 0x10100);
}

Test(rx_vm, cbranch_ignores_nop_forms_as_writers)
{
    /* Derived. 0: write r0; 1: count; 2: IMUL_RCP r0 with imm 0 (NOP); 3: ISWAP_R r0, r0
     * (NOP); 4: CBRANCH r0, taken once. The NOPs do not write r0: resume at 1. */
    put_neutral_write_r0(0);
    put_counter(1);
    put(2, RX_IMUL_RCP, REG_HIGH | 0, REG_HIGH | 1, 0, 0);
    put(3, RX_ISWAP_R, REG_HIGH | 0, REG_HIGH | 0, 0, IMM32);
    put(4, RX_CBRANCH, REG_HIGH | 0, 0, 0, 0);
    load(5);
    start_counting();
    vm->reg.r[0] = 0xFF00;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[2], 2, "the jump should resume at instruction 1");
    cr_expect_eq(vm->reg.r[0], 0x10100);
}

Test(rx_vm, cbranch_counts_iswap_as_writer_of_both_registers)
{
    /* Derived. 0: count; 1: ISWAP_R r1, r0 (r0 becomes 0xFF00); 2: CBRANCH r0, taken once.
     * ISWAP wrote r0 through its source operand: resume at 2, so nothing runs twice. */
    put_counter(0);
    put(1, RX_ISWAP_R, REG_HIGH | 1, REG_HIGH | 0, 0, IMM32);
    put(2, RX_CBRANCH, REG_HIGH | 0, 0, 0, 0);
    load(3);
    start_counting();
    vm->reg.r[0] = 0;
    vm->reg.r[1] = 0xFF00;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->reg.r[2], 1, "the jump should resume at instruction 2");
    cr_expect_eq(vm->reg.r[0], 0x10100);
    cr_expect_eq(vm->reg.r[1], 0);
}

/* ---- CFROUND ----------------------------------------------------------------
 *
 * tests.cpp "CFROUND (decode)": the rotation is imm32 & 63 = 18. Derived:
 * r1 = 0xF80000 rotates to 0x3E (mode 2, bits 2-5 set); r1 = 0x40000 to 1
 * (mode 1, bits 2-5 clear).
 */

static int current_fprc(void)
{
    switch (fegetround()) {
    case FE_TONEAREST:
        return 0;
    case FE_DOWNWARD:
        return 1;
    case FE_UPWARD:
        return 2;
    case FE_TOWARDZERO:
        return 3;
    default:
        return -1;
    }
}

Test(rx_vm, cfround_v1_always_sets_mode_from_rotated_source)
{
    put(0, RX_CFROUND, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[SRC] = 0xF80000;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->fprc, 2);
    cr_expect_eq(current_fprc(), 2, "the FPU should round up");
}

Test(rx_vm, cfround_rotates_source_by_immediate_mod_64)
{
    /* Derived: imm32 0xFFFFFFE2 rotates by 34 (a count of 32 or more, unlike tests.cpp's
     * 18); r1 = 3 << 34 rotates to 3: round toward zero. */
    put(0, RX_CFROUND, REG_HIGH | DST, REG_HIGH | SRC, 0, 0xFFFFFFE2u);
    load(1);
    vm->reg.r[SRC] = 0xC00000000ull;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->fprc, 3);
    cr_expect_eq(current_fprc(), 3, "the FPU should round toward zero");
}

Test(rx_vm, cfround_v2_keeps_mode_when_bits_2_to_5_are_set)
{
    use_variant("rx/2");
    put(0, RX_CFROUND, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[SRC] = 0xF80000;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->fprc, 0);
    cr_expect_eq(current_fprc(), 0, "the FPU should still round to nearest");
}

Test(rx_vm, cfround_v2_sets_mode_when_bits_2_to_5_are_clear)
{
    use_variant("rx/2");
    put(0, RX_CFROUND, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(1);
    vm->reg.r[SRC] = 0x40000;
    pow_rx_vm_run_once(vm);
    cr_expect_eq(vm->fprc, 1);
    cr_expect_eq(current_fprc(), 1, "the FPU should round down");
}

Test(rx_vm, cfround_mode_applies_to_following_instructions)
{
    /* CFROUND to round up, then tests.cpp's "FADD_R RoundUp" vector. */
    put(0, RX_CFROUND, REG_HIGH | DST, REG_HIGH | 7, 0, IMM32);
    put(1, RX_FADD_R, REG_HIGH | DST, REG_HIGH | SRC, 0, IMM32);
    load(2);
    vm->reg.r[7] = 0xF80000;
    set_vec(&vm->reg.f[DST], 0x3ffd2c97cc4ef015ull, 0xc1ce30b3c4223576ull);
    set_vec(&vm->reg.a[SRC], 0x402a26a86a60c8fbull, 0x40b8f684057a59e1ull);
    pow_rx_vm_run_once(vm);
    fesetround(FE_TONEAREST);
    expect_vec_hex(&vm->reg.f[DST], "b832e048a730cec1fea6ea633bcc2d40", "f0 after CFROUND");
}

/* ---- The rounding control and the F/E mix --------------------------------- */

/* The rounding-control field of the FPU the VM's doubles use, in fprc order, or -1. */
static int hardware_fprc(void)
{
#if defined(__aarch64__)
    /* FPCR.RMode, bits 23:22: 0 nearest, 1 toward +inf, 2 toward -inf, 3 toward zero. */
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    static const int fprc_of_rmode[4] = {0, 2, 1, 3};
    return fprc_of_rmode[(fpcr >> 22) & 3];
#elif defined(__x86_64__)
    /* MXCSR.RC, bits 14:13: 0 nearest, 1 down, 2 up, 3 toward zero (fprc's order). */
    uint32_t mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    return (int)((mxcsr >> 13) & 3);
#else
    return -1;
#endif
}

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

Test(rx_vm, set_rounding_sets_the_hardware_rounding_control)
{
    /*
     * Derived: 1/3, -1/3 and 1/10 lie between two doubles, so each mode picks
     * its own neighbour, and the three together tell all four modes apart.
     * The operands and results are volatile because this file is not built
     * with -frounding-math: the divisions must happen between the mode
     * changes, where the code puts them.
     */
    static const uint64_t want[4][3] = {
        {0x3fd5555555555555ull, 0xbfd5555555555555ull, 0x3fb999999999999aull},
        {0x3fd5555555555555ull, 0xbfd5555555555556ull, 0x3fb9999999999999ull},
        {0x3fd5555555555556ull, 0xbfd5555555555555ull, 0x3fb999999999999aull},
        {0x3fd5555555555555ull, 0xbfd5555555555555ull, 0x3fb9999999999999ull},
    };
    volatile double one = 1.0, minus_one = -1.0, three = 3.0, ten = 10.0;
    for (unsigned fprc = 0; fprc < 4; fprc++) {
        volatile double got[3];
        pow_rx_set_rounding(fprc);
        int control = hardware_fprc();
        got[0] = one / three;
        got[1] = minus_one / three;
        got[2] = one / ten;
        fesetround(FE_TONEAREST);
        if (control >= 0)
            cr_expect_eq(control, (int)fprc, "the FPU's rounding control for %s", mode_names[fprc]);
        for (int i = 0; i < 3; i++)
            cr_expect_eq(bits_of(got[i]), want[fprc][i], "division %d in %s: got %016llx", i,
                         mode_names[fprc], (unsigned long long)bits_of(got[i]));
    }
}

/* The v2 F/E mix of one hardware path against the portable one, on random registers. */
static void expect_fe_mix_matches_portable(rx_fe_mix_fn mix, const char *name)
{
    uint64_t seed = 0x243f6a8885a308d3ull;
    for (int trial = 0; trial < 1000; trial++) {
        rx_fpair_t soft[4], hard[4], e[4];
        for (int i = 0; i < 4; i++) {
            for (int lane = 0; lane < 2; lane++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                soft[i].u[lane] = seed;
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                e[i].u[lane] = seed;
            }
        }
        memcpy(hard, soft, sizeof(hard));
        pow_rx_fe_mix_portable(soft, e);
        mix(hard, e);
        cr_assert_arr_eq(soft, hard, sizeof(hard), "%s F/E mix, trial %d", name, trial);
    }
}

Test(rx_vm, fe_mix_hardware_paths_match_portable)
{
    int checked = 0;
#ifdef MM_BUILD_AESNI
    if (arch_cpu_has(ARCH_CPU_AESNI)) {
        expect_fe_mix_matches_portable(pow_rx_fe_mix_aesni, "aesni");
        checked++;
    }
#endif
#ifdef MM_BUILD_ARMCRYPTO
    if (arch_cpu_has(ARCH_CPU_ARM_AES)) {
        expect_fe_mix_matches_portable(pow_rx_fe_mix_armcrypto, "armcrypto");
        checked++;
    }
#endif
    if (checked == 0)
        cr_skip_test("no hardware AES path for the F/E mix here");
}
