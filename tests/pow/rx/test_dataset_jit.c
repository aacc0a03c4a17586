/*
 * The dataset item JIT (pow/rx/dataset_jit_x86_64.c), diffed against the
 * interpreter (pow/rx/dataset_item.c), which the reference's dataset
 * vectors already pin down (tests/pow/rx/test_randomx.c).
 *
 * Most tests use a small cache of pseudo-random bytes instead of the 256 MiB
 * Argon2d cache: the item computation does not care what the bytes are, and
 * a small cache keeps the suite fast. Programs come from the generator as
 * pow_rx_cache_init makes them, and from hand-built lists that reach every
 * instruction type on every register pair.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pow/rx/argon2d.h"
#include "pow/rx/blake_generator.h"
#include "pow/rx/dataset_item.h"
#include "pow/rx/dataset_jit.h"
#include "pow/rx/superscalar.h"
#include "pow/rx/variant.h"

#define SMALL_CACHE_BYTES ((size_t)4 << 20)
#define TARGET_LATENCY    170
#define ITEM_COUNT_RX0    34078719u /* items in the rx/0 dataset */

/* Eight programs are about 64 KiB: static, since each test runs in its own process. */
static pow_rx_superscalar_t programs[8];
static pow_rx_dataset_jit_t jit;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint8_t *fake_cache(size_t bytes, uint64_t seed)
{
    uint8_t *cache = aligned_alloc(64, bytes);
    cr_assert_not_null(cache);
    for (size_t i = 0; i < bytes; i += 8) {
        uint64_t v = splitmix64(&seed);
        memcpy(cache + i, &v, 8);
    }
    return cache;
}

/* As pow_rx_cache_init does: one generator, eight programs in sequence. */
static void generate_programs(const char *key)
{
    pow_rx_blake_generator_t gen;
    pow_rx_blake_generator_init(&gen, key, strlen(key), 0);
    for (int i = 0; i < 8; i++)
        pow_rx_superscalar_generate(&programs[i], &gen, TARGET_LATENCY);
}

static void compile_or_skip(size_t cache_bytes)
{
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    int rc = pow_rx_dataset_jit_compile(&jit, programs, cache_bytes);
    cr_assert_eq(rc, 0, "compile: %d", rc);
    cr_assert_not_null(jit.fn);
    cr_assert_not_null(jit.batch_fn);
    cr_assert_eq(jit.wide.eight != NULL, pow_rx_dataset_jit_wide_supported(),
                 "the wide functions are there exactly where the CPU runs them");
    cr_assert_eq(jit.wide.four != NULL, pow_rx_dataset_jit_wide_supported());
}

/* Whether got and want agree; reports the first word that differs. */
static int words_match(const uint64_t got[8], const uint64_t want[8], uint64_t item,
                       const char *got_name, const char *want_name, const char *what)
{
    for (int w = 0; w < 8; w++) {
        if (got[w] != want[w]) {
            cr_log_error("%s: item %llu word %d: %s %016llx, %s %016llx", what,
                         (unsigned long long)item, w, got_name, (unsigned long long)got[w],
                         want_name, (unsigned long long)want[w]);
            return 0;
        }
    }
    return 1;
}

/*
 * Whether the wide functions, given item first, then its neighbours, a
 * repeat, one far away and its bitwise complement, give each as the item
 * function does: every lane sees a different item.
 */
static int wide_matches(const uint8_t *cache, uint64_t item, const char *what)
{
    uint64_t items[POW_RX_DATASET_JIT_WIDE], wide[POW_RX_DATASET_JIT_WIDE][8], want[8];
    for (unsigned k = 0; k < POW_RX_DATASET_JIT_WIDE; k++)
        items[k] = item + k;
    items[3] = item;
    items[5] = item ^ 0x5A5A5A5Au;
    items[7] = ~item;
    items[2] = ~item + 1;
    memset(wide, 0xA5, sizeof(wide));
    jit.wide.eight(cache, items, wide);
    for (unsigned k = 0; k < POW_RX_DATASET_JIT_WIDE; k++) {
        jit.fn(cache, items[k], want);
        if (!words_match(wide[k], want, items[k], "eight lanes", "jit", what))
            return 0;
    }
    /* Four lanes, from the second half of the same numbers. */
    memset(wide, 0xA5, sizeof(wide));
    jit.wide.four(cache, items + 4, wide);
    for (unsigned k = 0; k < 4; k++) {
        jit.fn(cache, items[4 + k], want);
        if (!words_match(wide[k], want, items[4 + k], "four lanes", "jit", what))
            return 0;
        for (int word = 0; word < 8; word++)
            if (wide[4 + k][word] != 0xA5A5A5A5A5A5A5A5u) {
                cr_log_error("%s: four lanes wrote past four items", what);
                return 0;
            }
    }
    return 1;
}

/*
 * Whether the JIT's item function and the interpreter agree on one item,
 * and the batch function, given that item first and then others (the next
 * numbers, one from far away and a repeat), gives each as the item
 * function does.
 */
static int item_matches(const uint8_t *cache, size_t cache_bytes, uint64_t item, const char *what)
{
    uint8_t bytes[64];
    uint64_t want[8], got[8], batch[POW_RX_DATASET_JIT_BATCH][8];
    pow_rx_dataset_item(cache, cache_bytes, programs, item, bytes);
    memcpy(want, bytes, sizeof(want));
    memset(got, 0xA5, sizeof(got));
    jit.fn(cache, item, got);
    if (!words_match(got, want, item, "jit", "interpreter", what))
        return 0;
    uint64_t items[POW_RX_DATASET_JIT_BATCH];
    for (unsigned k = 0; k < POW_RX_DATASET_JIT_BATCH; k++)
        items[k] = item + k;
    items[POW_RX_DATASET_JIT_BATCH - 1] = item ^ 0x5A5A5A5Au;
    if (POW_RX_DATASET_JIT_BATCH > 2)
        items[1] = item;
    memset(batch, 0xA5, sizeof(batch));
    jit.batch_fn(cache, items, batch);
    for (unsigned k = 0; k < POW_RX_DATASET_JIT_BATCH; k++) {
        if (k > 0)
            jit.fn(cache, items[k], want);
        if (!words_match(batch[k], want, items[k], "batch", "jit", what))
            return 0;
    }
    return jit.wide.eight == NULL || wide_matches(cache, item, what);
}

/* Random item numbers, mostly inside the rx/0 dataset, some anywhere in 64 bits. */
static uint64_t random_item(uint64_t *state)
{
    uint64_t r = splitmix64(state);
    return (r & 3) == 0 ? r : (r >> 8) % ITEM_COUNT_RX0;
}

/* The ends of the rx/0 dataset, numbers past 32 bits, and UINT64_MAX, whose r0 seed
   (item + 1) * multiplier wraps to 0. */
#define TWO_TO_32 ((uint64_t)1 << 32)
static const uint64_t edge_items[] = {
    0, 1, ITEM_COUNT_RX0 - 1, TWO_TO_32 + 5, TWO_TO_32 - 1, UINT64_MAX - 1, UINT64_MAX,
};

static void expect_items_match(const uint8_t *cache, size_t cache_bytes, size_t count,
                               uint64_t seed, const char *what)
{
    size_t bad = 0;
    for (size_t i = 0; i < sizeof(edge_items) / sizeof(edge_items[0]); i++)
        bad += !item_matches(cache, cache_bytes, edge_items[i], what);
    for (size_t i = 0; i < count && bad < 5; i++)
        bad += !item_matches(cache, cache_bytes, random_item(&seed), what);
    cr_expect_eq(bad, 0, "%s: %zu items differ", what, bad);
}

/* ---- Generated programs --------------------------------------------------- */

Test(rx_dataset_jit, items_match_the_interpreter_for_programs_of_test_key_000)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 1);
    generate_programs("test key 000");
    compile_or_skip(SMALL_CACHE_BYTES);
    expect_items_match(cache, SMALL_CACHE_BYTES, 12000, 42, "test key 000");
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

Test(rx_dataset_jit, items_match_the_interpreter_for_programs_of_other_keys)
{
    static const char *keys[] = {"test key 001", "", "minemeter",
                                 "a key of exactly sixty bytes, the most the state can hold!!!"};
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 2);
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        generate_programs(keys[k]);
        /* One buffer for every key: compiling again must replace the code. */
        uint8_t *before = jit.code;
        compile_or_skip(SMALL_CACHE_BYTES);
        if (before != NULL)
            cr_expect_eq(jit.code, before, "the buffer is reused");
        expect_items_match(cache, SMALL_CACHE_BYTES, 2500, 100 + k, keys[k]);
    }
    pow_rx_dataset_jit_release(&jit);
    cr_expect_null(jit.code);
    cr_expect_null(jit.fn);
    cr_expect_null(jit.batch_fn);
    cr_expect_null(jit.wide.eight);
    cr_expect_null(jit.wide.four);
    cr_expect_null(jit.wide.code);
    free(cache);
}

Test(rx_dataset_jit, cache_size_is_compiled_into_the_line_mask)
{
    /* From one line (mask 0) to a cache larger than the small one the programs usually see. */
    static const size_t sizes[] = {64, 128, 4096, (size_t)1 << 17, (size_t)16 << 20};
    generate_programs("test key 000");
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint8_t *cache = fake_cache(sizes[s], 3 + s);
        compile_or_skip(sizes[s]);
        char what[64];
        snprintf(what, sizeof(what), "cache of %zu bytes", sizes[s]);
        expect_items_match(cache, sizes[s], 500, 7 + s, what);
        free(cache);
    }
    pow_rx_dataset_jit_release(&jit);
}

/*
 * A mask above 2^31 cannot be an and-immediate (it would be sign-extended).
 * 256 GiB of address space, never written, reads as zero pages and costs
 * no memory; where the system refuses the reservation, the test skips.
 */
Test(rx_dataset_jit, line_mask_wider_than_31_bits_selects_lines_across_the_whole_cache)
{
    const size_t bytes = (size_t)1 << 38;
    void *cache = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (cache == MAP_FAILED)
        cr_skip_test("cannot reserve 256 GiB of address space");
    generate_programs("test key 000");
    compile_or_skip(bytes);
    expect_items_match(cache, bytes, 300, 9, "256 GiB cache");
    pow_rx_dataset_jit_release(&jit);
    munmap(cache, bytes);
}

/* ---- Hand-built programs --------------------------------------------------- */

static void clear_programs(void)
{
    memset(programs, 0, sizeof(programs));
}

/* Appends an instruction to programs[p]; prepare() must run before use. */
static void append(int p, uint8_t opcode, int dst, int src, uint8_t mod, uint32_t imm)
{
    pow_rx_superscalar_t *prog = &programs[p];
    cr_assert_lt(prog->size, POW_RX_SUPERSCALAR_MAX_SIZE);
    prog->code[prog->size++] = (pow_rx_ss_instruction_t){
        .opcode = opcode, .dst = (uint8_t)dst, .src = (uint8_t)src, .mod = mod, .imm32 = imm};
}

static void prepare_programs(void)
{
    for (int p = 0; p < 8; p++)
        pow_rx_superscalar_prepare(&programs[p]);
}

static const char *const opcode_names[POW_RX_SS_INSTRUCTION_TYPES] = {
    "ISUB_R",  "IXOR_R",  "IADD_RS", "IMUL_R",  "IROR_C",  "IADD_C7",  "IXOR_C7",
    "IADD_C8", "IXOR_C8", "IADD_C9", "IXOR_C9", "IMULH_R", "ISMULH_R", "IMUL_RCP",
};

/*
 * Operand values that reach each encoding's corners: every IADD_RS shift
 * (with high mod bits that must be ignored), rotations of 0, 1, 32 and 63
 * (and counts that wrap), immediates that sign-extend and that do not, and
 * divisors whose reciprocals are far apart.
 */
static const uint8_t mods[] = {0x00, 0x04, 0x08, 0x0C, 0xF3, 0xFF};
static const uint32_t imms[] = {3, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 1, 65537, 63, 64, 96};

Test(rx_dataset_jit, every_instruction_type_on_every_register_pair_matches_the_interpreter)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 4);
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    uint64_t seed = 77;
    for (int op = 0; op < POW_RX_SS_INSTRUCTION_TYPES; op++) {
        for (int dst = 0; dst < 8; dst++) {
            for (int src = 0; src < 8; src++) {
                /* The instruction alone in the first program: a mismatch names it. Variants
                   cycle over the pairs so each pair sees a different corner. */
                int v = (dst * 8 + src) % 6;
                clear_programs();
                uint32_t imm = imms[(size_t)(dst * 8 + src) % (sizeof(imms) / sizeof(imms[0]))];
                if (op == POW_RX_SS_IMUL_RCP && (imm & (imm - 1)) == 0)
                    imm = 0xFFFFFFFFu; /* the generator never makes a power of two */
                append(0, (uint8_t)op, dst, src, mods[v], imm);
                prepare_programs();
                cr_assert_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), 0);
                char what[64];
                snprintf(what, sizeof(what), "%s r%d, r%d (mod %#x, imm %#x)", opcode_names[op],
                         dst, src, mods[v], imm);
                int ok = 1;
                for (int i = 0; i < 4 && ok; i++)
                    ok = item_matches(cache, SMALL_CACHE_BYTES, random_item(&seed), what);
                cr_expect(ok, "%s differs", what);
            }
        }
    }
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

Test(rx_dataset_jit, iadd_rs_and_iror_c_cover_every_shift_and_rotation_on_every_register)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 5);
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    uint64_t seed = 78;
    for (int dst = 0; dst < 8; dst++) {
        clear_programs();
        /* Each result is XORed with a constant so that no value collapses. */
        for (int src = 0; src < 8; src++) {
            for (uint8_t mod = 0; mod < 16; mod++) {
                append(0, POW_RX_SS_IADD_RS, dst, src, mod, 0);
                append(0, POW_RX_SS_IXOR_C9, dst, dst, 0, 0x9E3779B9u * mod + (uint32_t)src);
            }
        }
        for (uint32_t n = 0; n < 128; n++)
            append(1, POW_RX_SS_IROR_C, dst, dst, 0, n);
        prepare_programs();
        cr_assert_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), 0);
        char what[32];
        snprintf(what, sizeof(what), "shifts into r%d", dst);
        expect_items_match(cache, SMALL_CACHE_BYTES, 50, seed++, what);
    }
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

/* Random instructions of every kind, registers, mod and imm, as long as programs get. */
Test(rx_dataset_jit, random_hand_built_programs_of_maximum_length_match_the_interpreter)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 6);
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    uint64_t state = 2024;
    for (int round = 0; round < 4; round++) {
        clear_programs();
        for (int p = 0; p < 8; p++) {
            for (int j = 0; j < POW_RX_SUPERSCALAR_MAX_SIZE; j++) {
                uint64_t r = splitmix64(&state);
                uint8_t op = (uint8_t)(r % POW_RX_SS_INSTRUCTION_TYPES);
                uint32_t imm = (uint32_t)(r >> 32);
                if (op == POW_RX_SS_IMUL_RCP && (imm & (imm - 1)) == 0)
                    imm |= 3;
                append(p, op, (int)(r >> 8) & 7, (int)(r >> 11) & 7, (uint8_t)(r >> 16), imm);
            }
        }
        prepare_programs();
        cr_assert_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), 0);
        char what[32];
        snprintf(what, sizeof(what), "random programs %d", round);
        expect_items_match(cache, SMALL_CACHE_BYTES, 300, 500 + (uint64_t)round, what);
    }
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

/* IMUL_RCP has the longest encoding: eight programs of nothing else are the largest code. */
Test(rx_dataset_jit, largest_possible_code_fits_and_matches_the_interpreter)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 7);
    clear_programs();
    for (int p = 0; p < 8; p++) {
        for (int j = 0; j < POW_RX_SUPERSCALAR_MAX_SIZE; j++)
            append(p, POW_RX_SS_IMUL_RCP, (j + p) & 7, (j + p) & 7, 0,
                   0x80000001u + 2u * (uint32_t)j);
    }
    prepare_programs();
    compile_or_skip(SMALL_CACHE_BYTES);
    expect_items_match(cache, SMALL_CACHE_BYTES, 200, 11, "all IMUL_RCP");
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

/* ISMULH_R is the wide function's longest instruction (19 vector operations). */
Test(rx_dataset_jit, largest_possible_wide_code_fits_and_matches_the_interpreter)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 14);
    clear_programs();
    for (int p = 0; p < 8; p++) {
        for (int j = 0; j < POW_RX_SUPERSCALAR_MAX_SIZE; j++)
            append(p, POW_RX_SS_ISMULH_R, (j + p) & 7, (j * 3 + p + 1) & 7, 0, 0);
    }
    prepare_programs();
    compile_or_skip(SMALL_CACHE_BYTES);
    expect_items_match(cache, SMALL_CACHE_BYTES, 200, 15, "all ISMULH_R");
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

Test(rx_dataset_jit, empty_programs_only_mix_in_cache_lines)
{
    uint8_t *cache = fake_cache(SMALL_CACHE_BYTES, 8);
    clear_programs();
    prepare_programs();
    compile_or_skip(SMALL_CACHE_BYTES);
    expect_items_match(cache, SMALL_CACHE_BYTES, 200, 12, "empty programs");
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}

/* ---- Refusals ---------------------------------------------------------------- */

Test(rx_dataset_jit, compile_refuses_cache_sizes_that_are_not_powers_of_two_of_a_line_or_more)
{
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    generate_programs("test key 000");
    static const size_t sizes[] = {0, 1, 32, 63, 96, (size_t)3 << 20};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, sizes[s]), -EINVAL, "%zu",
                     sizes[s]);
        cr_expect_null(jit.fn);
        cr_expect_null(jit.batch_fn);
        cr_expect_null(jit.wide.eight);
        cr_expect_null(jit.wide.four);
    }
    pow_rx_dataset_jit_release(&jit);
}

Test(rx_dataset_jit, compile_refuses_malformed_programs_and_leaves_no_function)
{
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    generate_programs("test key 000");
    cr_assert_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), 0);
    pow_rx_superscalar_t saved = programs[3];

    programs[3].code[5].opcode = POW_RX_SS_INSTRUCTION_TYPES;
    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), -EINVAL);
    cr_expect_null(jit.fn, "a failed compile leaves no callable function");
    cr_expect_null(jit.batch_fn, "nor a batch function");
    cr_expect_null(jit.wide.eight, "nor a wide one");
    cr_expect_null(jit.wide.four);
    programs[3] = saved;

    programs[3].code[0].dst = 8;
    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), -EINVAL);
    programs[3] = saved;

    programs[3].code[0].src = 9;
    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), -EINVAL);
    programs[3] = saved;

    programs[3].size = POW_RX_SUPERSCALAR_MAX_SIZE + 1;
    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), -EINVAL);
    programs[3] = saved;

    programs[3].address_register = 8;
    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), -EINVAL);
    programs[3] = saved;

    cr_assert_gt(programs[3].reciprocal_count, 0, "generated programs have IMUL_RCPs");
    programs[3].reciprocal_count--;
    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), -EINVAL);
    programs[3] = saved;

    cr_expect_eq(pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES), 0,
                 "the buffer is usable again after refusals");
    cr_expect_not_null(jit.fn);
    pow_rx_dataset_jit_release(&jit);
}

Test(rx_dataset_jit, compile_reports_enotsup_exactly_where_there_is_no_jit)
{
    generate_programs("test key 000");
    int rc = pow_rx_dataset_jit_compile(&jit, programs, SMALL_CACHE_BYTES);
    cr_expect_eq(rc, pow_rx_dataset_jit_supported() ? 0 : -ENOTSUP);
    pow_rx_dataset_jit_release(&jit);
    pow_rx_dataset_jit_release(&jit); /* release twice is harmless */
}

/* ---- The real cache ------------------------------------------------------------ */

/* tests.cpp "Dataset initialization": key "test key 000", first word of items. */
Test(rx_dataset_jit, items_from_the_real_cache_match_the_reference_words)
{
    if (!pow_rx_dataset_jit_supported())
        cr_skip_test("no dataset JIT on this machine");
    const pow_rx_variant_t *v = pow_rx_variant_find("rx/0");
    cr_assert_not_null(v);
    size_t bytes = (size_t)v->argon_memory_kib * 1024;
    uint8_t *cache = aligned_alloc(64, bytes);
    cr_assert_not_null(cache);
    pow_rx_argon2d_params_t params = {
        .salt = (const uint8_t *)v->argon_salt,
        .salt_len = v->argon_salt_len,
        .memory_kib = v->argon_memory_kib,
        .passes = v->argon_iterations,
        .lanes = v->argon_lanes,
    };
    cr_assert_eq(pow_rx_argon2d_fill(cache, &params, "test key 000", 12), 0);
    generate_programs("test key 000");
    compile_or_skip(bytes);

    static const struct {
        uint64_t item, first_word;
    } items[] = {{0, 0x680588a85ae222dbull},
                 {10000000, 0x7943a1f6186ffb72ull},
                 {20000000, 0x9035244d718095e1ull},
                 {30000000, 0x145a5091f7853099ull}};
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        uint64_t out[8], batch[POW_RX_DATASET_JIT_BATCH][8];
        jit.fn(cache, items[i].item, out);
        cr_expect_eq(out[0], items[i].first_word, "item %llu: %016llx",
                     (unsigned long long)items[i].item, (unsigned long long)out[0]);
        const uint64_t numbers[POW_RX_DATASET_JIT_BATCH] = {items[i].item};
        jit.batch_fn(cache, numbers, batch);
        cr_expect_eq(batch[0][0], items[i].first_word, "batch from item %llu: %016llx",
                     (unsigned long long)items[i].item, (unsigned long long)batch[0][0]);
    }
    expect_items_match(cache, bytes, 200, 13, "real cache");
    pow_rx_dataset_jit_release(&jit);
    free(cache);
}
