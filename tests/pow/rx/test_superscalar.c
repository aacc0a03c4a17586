/*
 * RandomX's BlakeGenerator, reciprocal, SuperscalarHash generator and
 * interpreter, and dataset item assembly (pow/rx/blake_generator.c,
 * reciprocal.c, superscalar.c, dataset_item.c).
 *
 * Bit-exactness of generation is proven by the reference's own program
 * hashes; execution by hand-computed single instructions. The dataset item
 * vectors need the Argon2d cache and live with the cache tests.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pow/hex.h"
#include "pow/prim/blake2b.h"
#include "pow/rx/blake_generator.h"
#include "pow/rx/dataset_item.h"
#include "pow/rx/reciprocal.h"
#include "pow/rx/superscalar.h"

/* ---- BlakeGenerator ----------------------------------------------------- */

/* The state the generator starts from: seed, zero padding, nonce LE. */
static void seeded_state(uint8_t state[64], const char *seed, uint32_t nonce)
{
    memset(state, 0, 64);
    memcpy(state, seed, strlen(seed));
    state[60] = (uint8_t)nonce;
    state[61] = (uint8_t)(nonce >> 8);
    state[62] = (uint8_t)(nonce >> 16);
    state[63] = (uint8_t)(nonce >> 24);
}

Test(rx_blake_generator, state_holds_seed_then_nonce_little_endian_until_the_first_read)
{
    pow_rx_blake_generator_t g;
    uint8_t want[64];
    pow_rx_blake_generator_init(&g, "test key 000", 12, 0x04030201u);
    seeded_state(want, "test key 000", 0x04030201u);
    cr_expect_arr_eq(g.data, want, 64);
    cr_expect_eq(g.index, 64, "the first read must rehash");
}

Test(rx_blake_generator, stream_is_the_chain_of_blake2b_512_hashes_of_the_state)
{
    uint8_t h1[64], h2[64];
    seeded_state(h1, "test key 000", 0);
    pow_blake2b(h1, 64, h1, 64);
    pow_blake2b(h2, 64, h1, 64);

    pow_rx_blake_generator_t g;
    pow_rx_blake_generator_init(&g, "test key 000", 12, 0);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(pow_rx_blake_generator_byte(&g), h1[i], "byte %d", i);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(pow_rx_blake_generator_byte(&g), h2[i], "byte %d", 64 + i);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

Test(rx_blake_generator, u32_uses_the_last_four_bytes_when_they_are_all_left)
{
    uint8_t h1[64];
    seeded_state(h1, "k", 7);
    pow_blake2b(h1, 64, h1, 64);

    pow_rx_blake_generator_t g;
    pow_rx_blake_generator_init(&g, "k", 1, 7);
    for (int i = 0; i < 60; i++)
        pow_rx_blake_generator_byte(&g);
    cr_expect_eq(pow_rx_blake_generator_u32(&g), le32(h1 + 60));
    cr_expect_eq(g.index, 64);
}

Test(rx_blake_generator, u32_that_does_not_fit_skips_the_leftover_bytes_and_rehashes)
{
    uint8_t h1[64], h2[64];
    seeded_state(h1, "k", 7);
    pow_blake2b(h1, 64, h1, 64);
    pow_blake2b(h2, 64, h1, 64);

    pow_rx_blake_generator_t g;
    pow_rx_blake_generator_init(&g, "k", 1, 7);
    for (int i = 0; i < 61; i++)
        pow_rx_blake_generator_byte(&g);
    /* Bytes 61..63 of the first hash are never returned. */
    cr_expect_eq(pow_rx_blake_generator_u32(&g), le32(h2));
    cr_expect_eq(pow_rx_blake_generator_byte(&g), h2[4]);
}

Test(rx_blake_generator, seed_beyond_60_bytes_is_ignored)
{
    uint8_t long_seed[80];
    for (int i = 0; i < 80; i++)
        long_seed[i] = (uint8_t)(i + 1);
    pow_rx_blake_generator_t a, b;
    pow_rx_blake_generator_init(&a, long_seed, sizeof(long_seed), 9);
    pow_rx_blake_generator_init(&b, long_seed, 60, 9);
    cr_expect_arr_eq(a.data, b.data, 64);
    cr_expect_eq(a.data[60], 9, "the nonce, not seed byte 60, ends the state");
}

Test(rx_blake_generator, empty_seed_gives_a_zero_state)
{
    pow_rx_blake_generator_t g;
    uint8_t zero[64] = {0};
    pow_rx_blake_generator_init(&g, NULL, 0, 0);
    cr_expect_arr_eq(g.data, zero, 64);
}

/* ---- Reciprocal ----------------------------------------------------------- */

/* tevador/RandomX src/tests/tests.cpp, "randomx_reciprocal" (notes section 5). */
Test(rx_reciprocal, matches_the_reference_test_values)
{
    static const struct {
        uint64_t divisor, reciprocal;
    } cases[] = {
        {3, 12297829382473034410u},         {13, 11351842506898185609u},
        {33, 17887751829051686415u},        {65537, 18446462603027742720u},
        {15000001, 10316166306300415204u},  {3845182035, 10302264209224146340u},
        {0xffffffff, 9223372039002259456u},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect_eq(pow_rx_reciprocal(cases[i].divisor), cases[i].reciprocal, "divisor %llu",
                     (unsigned long long)cases[i].divisor);
}

Test(rx_reciprocal, is_the_floor_of_the_largest_power_of_two_quotient_below_2_to_64)
{
    for (uint64_t d = 3; d < 1u << 20; d = d * 3 + 1) {
        if ((d & (d - 1)) == 0)
            continue;
        uint64_t q = pow_rx_reciprocal(d);
        unsigned bits = 64u - (unsigned)__builtin_clzll(d);
        unsigned __int128 n = (unsigned __int128)1 << (63 + bits);
        cr_assert(q >> 63, "d=%llu: the quotient uses all 64 bits", (unsigned long long)d);
        cr_assert((unsigned __int128)q * d <= n && (unsigned __int128)(q + 1) * d > n,
                  "d=%llu: not the floor", (unsigned long long)d);
    }
}

/* ---- SuperscalarHash generation ------------------------------------------- */

/* The reference test's view of a program: size records of 8 bytes, imm32 LE. */
static void program_hash(const pow_rx_superscalar_t *p, char hex[65])
{
    static uint8_t bytes[POW_RX_SUPERSCALAR_MAX_SIZE * 8];
    for (uint32_t i = 0; i < p->size; i++) {
        const pow_rx_ss_instruction_t *in = &p->code[i];
        uint8_t *b = bytes + 8 * i;
        b[0] = in->opcode;
        b[1] = in->dst;
        b[2] = in->src;
        b[3] = in->mod;
        for (int k = 0; k < 4; k++)
            b[4 + k] = (uint8_t)(in->imm32 >> (8 * k));
    }
    uint8_t digest[32];
    pow_blake2b(digest, 32, bytes, 8 * (size_t)p->size);
    pow_hex_encode(digest, 32, hex);
}

/*
 * tevador/RandomX src/tests/tests.cpp, "SuperscalarHash generator": one
 * generator seeded with "test key 000" (nonce 0) yields these programs in
 * turn; the first 8 are the ones randomx_init_cache makes for that key.
 */
static const char *const reference_program_hashes[10] = {
    "d3a4a6623738756f77e6104469102f082eff2a3e60be7ad696285ef7dfc72a61",
    "f5e7e0bbc7e93c609003d6359208688070afb4a77165a552ff7be63b38dfbc86",
    "85ed8b11734de5b3e9836641413a8f36e99e89694f419c8cd25c3f3f16c40c5a",
    "5dd956292cf5d5704ad99e362d70098b2777b2a1730520be52f772ca48cd3bc0",
    "6f14018ca7d519e9b48d91af094c0f2d7e12e93af0228782671a8640092af9e5",
    "134be097c92e2c45a92f23208cacd89e4ce51f1009a0b900dbe83b38de11d791",
    "268f9392c20c6e31371a5131f82bd7713d3910075f2f0468baafaa1abd2f3187",
    "c668a05fd909714ed4a91e8d96d67b17e44329e88bc71e0672b529a3fc16be47",
    "99739351315840963011e4c5d8e90ad0bfed3facdcb713fe8f7138fbf01c4c94",
    "14ab53d61880471f66e80183968d97effd5492b406876060e595fcf9682f9295",
};

static pow_rx_superscalar_t programs[10];

static void generate_reference_programs(void)
{
    pow_rx_blake_generator_t gen;
    pow_rx_blake_generator_init(&gen, "test key 000", 12, 0);
    for (int i = 0; i < 10; i++)
        pow_rx_superscalar_generate(&programs[i], &gen, 170);
}

Test(rx_superscalar, ten_programs_from_test_key_000_match_the_reference_hashes)
{
    generate_reference_programs();
    for (int i = 0; i < 10; i++) {
        char hex[65];
        program_hash(&programs[i], hex);
        cr_expect_str_eq(hex, reference_program_hashes[i], "program %d (%u instructions)", i,
                         programs[i].size);
    }
}

static int is_register_op(uint8_t op)
{
    return op == POW_RX_SS_ISUB_R || op == POW_RX_SS_IXOR_R || op == POW_RX_SS_IADD_RS ||
           op == POW_RX_SS_IMUL_R;
}

Test(rx_superscalar, generated_programs_obey_the_operand_rules)
{
    generate_reference_programs();
    unsigned total = 0;
    for (int p = 0; p < 10; p++) {
        const pow_rx_superscalar_t *prog = &programs[p];
        cr_assert(prog->size > 0 && prog->size <= 3 * 170 + 2, "program %d: %u instructions", p,
                  prog->size);
        cr_assert(prog->address_register >= 0 && prog->address_register < 8);
        uint32_t rcp = 0;
        for (uint32_t i = 0; i < prog->size; i++) {
            const pow_rx_ss_instruction_t *in = &prog->code[i];
            cr_assert_lt(in->opcode, POW_RX_SS_INSTRUCTION_TYPES);
            cr_assert(in->dst < 8 && in->src < 8);
            if (is_register_op(in->opcode))
                cr_assert_neq(in->src, in->dst, "program %d, %u: x op x", p, i);
            if (in->opcode == POW_RX_SS_IADD_RS)
                cr_assert_neq(in->dst, 5, "lea cannot write r5 here");
            if (in->opcode == POW_RX_SS_IROR_C)
                cr_assert(in->imm32 >= 1 && in->imm32 <= 63);
            if (in->opcode == POW_RX_SS_IMUL_RCP) {
                cr_assert(in->imm32 & (in->imm32 - 1), "0 or a power of two");
                cr_assert_eq(prog->reciprocal[rcp], pow_rx_reciprocal(in->imm32));
                rcp++;
            }
            if (in->opcode != POW_RX_SS_IADD_RS)
                cr_assert_eq(in->mod, 0);
        }
        cr_assert_eq(prog->reciprocal_count, rcp);
        total += prog->size;
    }
    /* design.md 3.4: programs average about 450 instructions. */
    cr_expect(total / 10 > 400 && total / 10 < 500, "average %u", total / 10);
}

/* ---- SuperscalarHash execution -------------------------------------------- */

static pow_rx_superscalar_t hand;

static void hand_program(size_t n, const pow_rx_ss_instruction_t *code)
{
    memset(&hand, 0, sizeof(hand));
    hand.size = (uint32_t)n;
    memcpy(hand.code, code, n * sizeof(*code));
    pow_rx_superscalar_prepare(&hand);
}

/* Runs one instruction with r1 = a, r2 = b (others 0); returns r1 (dst). */
static uint64_t run1(uint8_t opcode, uint8_t mod, uint32_t imm32, uint64_t a, uint64_t b)
{
    pow_rx_ss_instruction_t in = {opcode, 1, 2, mod, imm32};
    hand_program(1, &in);
    uint64_t r[8] = {0, a, b, 0, 0, 0, 0, 0};
    pow_rx_superscalar_execute(&hand, r);
    cr_assert_eq(r[2], b, "the source is not written");
    return r[1];
}

Test(rx_superscalar_exec, isub_r_subtracts_with_wraparound)
{
    cr_expect_eq(run1(POW_RX_SS_ISUB_R, 0, 0, 10, 3), 7);
    cr_expect_eq(run1(POW_RX_SS_ISUB_R, 0, 0, 0, 1), 0xffffffffffffffffu);
}

Test(rx_superscalar_exec, ixor_r_xors)
{
    cr_expect_eq(run1(POW_RX_SS_IXOR_R, 0, 0, 0xff00ff00ff00ff00u, 0x0ff00ff00ff00ff0u),
                 0xf0f0f0f0f0f0f0f0u);
}

Test(rx_superscalar_exec, iadd_rs_shifts_the_source_by_mod_bits_2_and_3)
{
    cr_expect_eq(run1(POW_RX_SS_IADD_RS, 0x0c, 0, 1, 5), 41);         /* shift 3 */
    cr_expect_eq(run1(POW_RX_SS_IADD_RS, 0x04, 0, 1, 5), 11);         /* shift 1 */
    cr_expect_eq(run1(POW_RX_SS_IADD_RS, 0xf3, 0, 1, 5), 6);          /* other bits ignored */
    cr_expect_eq(run1(POW_RX_SS_IADD_RS, 0x08, 0, 1, 1ull << 62), 1); /* carried out */
}

Test(rx_superscalar_exec, imul_r_keeps_the_low_64_bits)
{
    /* (2^32 + 1)^2 = 2^64 + 2^33 + 1 */
    cr_expect_eq(run1(POW_RX_SS_IMUL_R, 0, 0, 0x100000001u, 0x100000001u), 0x200000001u);
}

Test(rx_superscalar_exec, iror_c_rotates_right_by_imm32)
{
    cr_expect_eq(run1(POW_RX_SS_IROR_C, 0, 1, 1, 0), 0x8000000000000000u);
    cr_expect_eq(run1(POW_RX_SS_IROR_C, 0, 63, 1, 0), 2);
    cr_expect_eq(run1(POW_RX_SS_IROR_C, 0, 8, 0x0123456789abcdefu, 0), 0xef0123456789abcdu);
}

Test(rx_superscalar_exec, iadd_c_adds_the_sign_extended_immediate_for_all_three_sizes)
{
    uint8_t ops[3] = {POW_RX_SS_IADD_C7, POW_RX_SS_IADD_C8, POW_RX_SS_IADD_C9};
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(run1(ops[i], 0, 0xffffffffu, 5, 0), 4);
        cr_expect_eq(run1(ops[i], 0, 0x7fffffffu, 1, 0), 0x80000000u);
        cr_expect_eq(run1(ops[i], 0, 0x80000000u, 0, 0), 0xffffffff80000000u);
    }
}

Test(rx_superscalar_exec, ixor_c_xors_the_sign_extended_immediate_for_all_three_sizes)
{
    uint8_t ops[3] = {POW_RX_SS_IXOR_C7, POW_RX_SS_IXOR_C8, POW_RX_SS_IXOR_C9};
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(run1(ops[i], 0, 0x80000001u, 0, 0), 0xffffffff80000001u);
        cr_expect_eq(run1(ops[i], 0, 0x12345678u, 0xffffffff00000000u, 0), 0xffffffff12345678u);
    }
}

Test(rx_superscalar_exec, imulh_r_gives_the_high_half_of_the_unsigned_product)
{
    /* (2^64 - 1)^2 = 2^128 - 2^65 + 1 */
    cr_expect_eq(run1(POW_RX_SS_IMULH_R, 0, 0, ~0ull, ~0ull), 0xfffffffffffffffeu);
    cr_expect_eq(run1(POW_RX_SS_IMULH_R, 0, 0, 1ull << 63, 4), 2);
    cr_expect_eq(run1(POW_RX_SS_IMULH_R, 0, 0, 0xffffffffu, 0xffffffffu), 0);
}

Test(rx_superscalar_exec, ismulh_r_gives_the_high_half_of_the_signed_product)
{
    cr_expect_eq(run1(POW_RX_SS_ISMULH_R, 0, 0, ~0ull, ~0ull), 0);               /* -1 * -1 = 1 */
    cr_expect_eq(run1(POW_RX_SS_ISMULH_R, 0, 0, ~0ull, 2), 0xffffffffffffffffu); /* -2 */
    cr_expect_eq(run1(POW_RX_SS_ISMULH_R, 0, 0, 1ull << 62, 4), 1);              /* 2^64 */
    cr_expect_eq(run1(POW_RX_SS_ISMULH_R, 0, 0, 1ull << 63, 1ull << 63), 1ull << 62); /* 2^126 */
}

Test(rx_superscalar_exec, imul_rcp_multiplies_by_the_reciprocal_of_imm32)
{
    /* reciprocal(3) = 0xaaaaaaaaaaaaaaaa; 3 * that = 2^65 - 2 */
    cr_expect_eq(run1(POW_RX_SS_IMUL_RCP, 0, 3, 3, 0), 0xfffffffffffffffeu);
    cr_expect_eq(run1(POW_RX_SS_IMUL_RCP, 0, 13, 1, 0), 11351842506898185609u);
}

Test(rx_superscalar_exec, imul_rcp_instructions_take_their_reciprocals_in_program_order)
{
    pow_rx_ss_instruction_t code[] = {
        {POW_RX_SS_IMUL_RCP, 0, 0, 0, 3},
        {POW_RX_SS_IXOR_R, 2, 0, 0, 0},
        {POW_RX_SS_IMUL_RCP, 1, 1, 0, 13},
        {POW_RX_SS_IMUL_RCP, 0, 0, 0, 33},
    };
    hand_program(4, code);
    cr_assert_eq(hand.reciprocal_count, 3);
    uint64_t r[8] = {1, 1, 0, 0, 0, 0, 0, 0};
    pow_rx_superscalar_execute(&hand, r);
    cr_expect_eq(r[2], 12297829382473034410u);
    cr_expect_eq(r[1], 11351842506898185609u);
    cr_expect_eq(r[0], 12297829382473034410u * 17887751829051686415u);
}

Test(rx_superscalar_exec, registers_not_named_are_untouched)
{
    pow_rx_ss_instruction_t in = {POW_RX_SS_IADD_C7, 4, 4, 0, 1};
    hand_program(1, &in);
    uint64_t r[8] = {10, 11, 12, 13, 14, 15, 16, 17};
    pow_rx_superscalar_execute(&hand, r);
    uint64_t want[8] = {10, 11, 12, 13, 15, 15, 16, 17};
    cr_expect_arr_eq(r, want, sizeof(want));
}

/* ---- Address register ------------------------------------------------------ */

Test(rx_superscalar, address_register_ends_the_longest_dependency_chain)
{
    pow_rx_ss_instruction_t code[] = {
        {POW_RX_SS_IXOR_R, 3, 1, 0, 0},  /* r3: 1 */
        {POW_RX_SS_IADD_RS, 2, 3, 0, 0}, /* r2: via r3, 2 */
        {POW_RX_SS_IROR_C, 7, 7, 0, 5},  /* r7: 1 */
        {POW_RX_SS_IROR_C, 7, 7, 0, 6},  /* r7: 2, ties with r2 */
    };
    hand_program(4, code);
    cr_expect_eq(hand.address_register, 2, "a tie goes to the lower register");
    hand_program(3, code);
    cr_expect_eq(hand.address_register, 2);
    hand_program(0, code);
    cr_expect_eq(hand.address_register, 0, "no instructions: r0");
}

Test(rx_superscalar, address_register_counts_a_chain_through_the_source)
{
    pow_rx_ss_instruction_t code[] = {
        {POW_RX_SS_IROR_C, 6, 6, 0, 1},  /* r6: 1 */
        {POW_RX_SS_IROR_C, 6, 6, 0, 1},  /* r6: 2 */
        {POW_RX_SS_IROR_C, 6, 6, 0, 1},  /* r6: 3 */
        {POW_RX_SS_IMUL_R, 1, 6, 0, 0},  /* r1: max(0 + 1, 3 + 1) = 4 */
        {POW_RX_SS_IADD_C7, 0, 0, 0, 1}, /* r0: 1 */
    };
    hand_program(5, code);
    cr_expect_eq(hand.address_register, 1);
}

/* ---- Dataset item ---------------------------------------------------------- */

/* spec 7.3 step 1: the registers before the first program. */
static void item_seed(uint64_t item, uint64_t r[8])
{
    r[0] = (item + 1) * 6364136223846793005u;
    r[1] = r[0] ^ 9298411001130361340u;
    r[2] = r[0] ^ 12065312585734608966u;
    r[3] = r[0] ^ 9306329213124626780u;
    r[4] = r[0] ^ 5281919268842080866u;
    r[5] = r[0] ^ 10536153434571861004u;
    r[6] = r[0] ^ 3398623926847679864u;
    r[7] = r[0] ^ 9549104520008361294u;
}

static void le64_words(const uint8_t out[64], uint64_t w[8])
{
    for (int i = 0; i < 8; i++) {
        w[i] = 0;
        for (int k = 7; k >= 0; k--)
            w[i] = w[i] << 8 | out[8 * i + k];
    }
}

static pow_rx_superscalar_t empty[8];

Test(rx_dataset_item, empty_programs_over_a_zero_cache_give_the_seeded_registers)
{
    static uint8_t cache[4096];
    memset(empty, 0, sizeof(empty));
    for (uint64_t item = 0; item < 40; item += 13) {
        uint8_t out[64];
        uint64_t got[8], want[8];
        pow_rx_dataset_item(cache, sizeof(cache), empty, item, out);
        le64_words(out, got);
        item_seed(item, want);
        cr_expect_arr_eq(got, want, sizeof(want), "item %llu", (unsigned long long)item);
    }
}

Test(rx_dataset_item, address_register_value_picks_the_next_cache_line)
{
    /* Four lines; item 0 reads line 0 (zeros) first, then line r2 & 3. */
    static uint8_t cache[4 * 64];
    uint64_t seed[8];
    item_seed(0, seed);
    cr_assert_eq(seed[2] & 3, 3, "test premise: r2 points at line 3");
    cr_assert_eq(seed[0] & 3, 1, "test premise: r0 would point at line 1");

    memset(cache, 0, sizeof(cache));
    uint64_t line3[8];
    for (int i = 0; i < 8; i++) {
        line3[i] = 0x1111111111111111u * (uint64_t)(i + 1);
        for (int k = 0; k < 8; k++) {
            cache[3 * 64 + 8 * i + k] = (uint8_t)(line3[i] >> (8 * k));
            cache[1 * 64 + 8 * i + k] = 0xa5; /* must never be read */
        }
    }
    /* 0x333... has low bits 3: r2 ^ it points back at the zero line 0. */
    cr_assert_eq((seed[2] ^ line3[2]) & 3, 0);

    memset(empty, 0, sizeof(empty));
    for (int i = 0; i < 8; i++)
        empty[i].address_register = 2;
    uint8_t out[64];
    uint64_t got[8];
    pow_rx_dataset_item(cache, sizeof(cache), empty, 0, out);
    le64_words(out, got);
    for (int i = 0; i < 8; i++)
        cr_expect_eq(got[i], seed[i] ^ line3[i], "r%d", i);
}

Test(rx_dataset_item, runs_each_program_before_its_cache_line_is_mixed_in)
{
    /* Every line holds the same words, so the order of lines cannot matter,
       only the order of "run program i" and "XOR line": rotating r7 and
       XORing 0x0808... do not commute. The other registers see the line
       eight times and come back to their seeds. */
    static uint8_t cache[16 * 64];
    for (size_t i = 0; i < sizeof(cache); i++)
        cache[i] = (uint8_t)((i % 64) / 8 + 1);
    memset(empty, 0, sizeof(empty));
    for (int i = 0; i < 8; i++) {
        empty[i].size = 1;
        empty[i].code[0] = (pow_rx_ss_instruction_t){POW_RX_SS_IROR_C, 7, 7, 0, 1};
        pow_rx_superscalar_prepare(&empty[i]);
    }
    uint8_t out[64];
    uint64_t got[8], want[8];
    pow_rx_dataset_item(cache, sizeof(cache), empty, 1234, out);
    le64_words(out, got);
    item_seed(1234, want);
    for (int i = 0; i < 8; i++)
        want[7] = ((want[7] >> 1) | (want[7] << 63)) ^ 0x0808080808080808u;
    cr_expect_arr_eq(got, want, sizeof(want));
}
