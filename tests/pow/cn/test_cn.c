/*
 * CryptoNight, every variant on every path: Monero's own vector files
 * (Debian monero-tests), the vectors minemeter ships (pow/cn/cn_vectors.txt:
 * Monero's tests/hash and XMRig's CryptoNight_test.h), and bad input.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fenv.h>
#include <stdlib.h>
#include <string.h>

#include "pow/cn/cn.h"
#include "pow/cn/cn_kernel.h"
#include "pow/cn/cn_v2_sqrt.h"
#include "pow/hex.h"
#include "pow/vectors.h"
#include "tests/support/vector_file.h"

#define PAD_SIZE ((size_t)4 << 20)

static uint8_t *pad;

static void setup(void)
{
    pad = aligned_alloc(64, PAD_SIZE);
    cr_assert_not_null(pad);
}

static void teardown(void)
{
    free(pad);
}

TestSuite(cn, .init = setup, .fini = teardown, .timeout = 600);

static unsigned available_paths(pow_isa_t paths[POW_ISA_COUNT])
{
    unsigned n = 0;
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        if (pow_cn_isa_available((pow_isa_t)i))
            paths[n++] = (pow_isa_t)i;
    }
    cr_assert_geq(n, 1, "not even the portable path is available");
    return n;
}

static void expect_hash(pow_cn_ctx_t *ctx, const uint8_t *in, size_t len, uint64_t height,
                        const uint8_t expected[32], const char *where)
{
    uint8_t out[32];
    char want[65], got[65];
    cr_assert_eq(pow_cn_hash(ctx, in, len, height, out), 0, "%s: hash failed", where);
    if (memcmp(out, expected, 32) != 0) {
        pow_hex_encode(expected, 32, want);
        pow_hex_encode(out, 32, got);
        cr_expect_fail("%s on %s: expected %s, got %s", where, pow_isa_name(ctx->isa), want, got);
    }
}

/* One of Monero's tests/hash/tests-slow*.txt files, every line, every path. */
static void check_monero_file(const char *file, const char *algo_name, size_t want_lines)
{
    pow_isa_t paths[POW_ISA_COUNT];
    unsigned npaths = available_paths(paths);
    const pow_cn_algo_t *algo = pow_cn_algo_find(algo_name);
    cr_assert_not_null(algo);
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", MONERO_HASH_VECTOR_DIR, file);
    for (unsigned p = 0; p < npaths; p++) {
        pow_cn_ctx_t ctx;
        cr_assert_eq(pow_cn_ctx_init(&ctx, algo, paths[p], pad, PAD_SIZE), 0);
        vector_file_t vf;
        vector_file_open(&vf, path);
        size_t lines = 0;
        while (vector_file_next(&vf)) {
            uint8_t expected[32], input[512];
            cr_assert_eq(vector_field_hex(&vf, 0, expected, 32), 32);
            size_t len = vector_field_hex(&vf, 1, input, sizeof(input));
            uint64_t height = vf.field_count > 2 ? strtoull(vf.fields[2], NULL, 10) : 0;
            char where[300];
            snprintf(where, sizeof(where), "%s line %zu", path, vf.line_number);
            expect_hash(&ctx, input, len, height, expected, where);
            lines++;
        }
        vector_file_close(&vf);
        pow_cn_ctx_release(&ctx);
        cr_expect_eq(lines, want_lines, "%s: %zu lines, expected %zu", path, lines, want_lines);
    }
}

Test(cn, cn0_matches_monero_tests_slow_every_line_on_every_path)
{
    check_monero_file("tests-slow.txt", "cn/0", 4);
}

Test(cn, cn1_matches_monero_tests_slow_1_every_line_on_every_path)
{
    check_monero_file("tests-slow-1.txt", "cn/1", 5);
}

Test(cn, cn2_matches_monero_tests_slow_2_every_line_on_every_path)
{
    check_monero_file("tests-slow-2.txt", "cn/2", 10);
}

Test(cn, cnr_matches_monero_tests_slow_4_every_line_on_every_path)
{
    check_monero_file("tests-slow-4.txt", "cn/r", 10);
}

Test(cn, every_shipped_vector_matches_on_every_path)
{
    pow_isa_t paths[POW_ISA_COUNT];
    unsigned npaths = available_paths(paths);
    unsigned checked = 0;
    for (unsigned i = 0; i < pow_cn_vectors_count; i++) {
        const pow_vector_t *v = &pow_cn_vectors[i];
        const pow_cn_algo_t *algo = pow_cn_algo_find(v->algo);
        cr_assert_not_null(algo, "cn_vectors.txt line %u: unknown variant %s", v->line, v->algo);
        uint8_t expected[32], input[512];
        cr_assert_eq(pow_hex_decode(v->hash_hex, strlen(v->hash_hex), expected, 32, NULL), 32);
        long len = pow_hex_decode(v->input_hex, strlen(v->input_hex), input, sizeof(input), NULL);
        cr_assert_geq(len, 0, "cn_vectors.txt line %u: bad input hex", v->line);
        for (unsigned p = 0; p < npaths; p++) {
            pow_cn_ctx_t ctx;
            cr_assert_eq(pow_cn_ctx_init(&ctx, algo, paths[p], pad, PAD_SIZE), 0);
            char where[64];
            snprintf(where, sizeof(where), "%s, cn_vectors.txt line %u", v->algo, v->line);
            expect_hash(&ctx, input, (size_t)len, v->height, expected, where);
            pow_cn_ctx_release(&ctx);
            checked++;
        }
    }
    cr_expect_geq(checked, 100 * npaths);
}

Test(cn, every_shipped_variant_has_a_vector_and_sane_parameters)
{
    size_t n = 0;
    for (const pow_cn_algo_t *a; (a = pow_cn_algo_at(n)) != NULL; n++) {
        unsigned vectors = 0;
        for (unsigned i = 0; i < pow_cn_vectors_count; i++)
            vectors += strcmp(pow_cn_vectors[i].algo, a->name) == 0;
        cr_expect_geq(vectors, 1, "%s is shipped without a vector", a->name);
        cr_expect_eq(a->mask % 16, 0, "%s: mask not block-aligned", a->name);
        cr_expect_lt(a->mask, a->memory, "%s: mask reaches past the scratchpad", a->name);
        cr_expect_eq(a->memory % 128, 0, "%s: memory not whole 128-byte lines", a->name);
        cr_expect_lt(a->kernel, CN_KERNEL_COUNT);
        cr_expect_eq(pow_cn_algo_find(a->name), a, "%s: name not unique", a->name);
    }
    cr_expect_geq(n, 20);
}

Test(cn, shipped_monero_vectors_are_the_installed_files)
{
    static const struct {
        const char *file, *algo;
    } files[] = {{"tests-slow.txt", "cn/0"},
                 {"tests-slow-1.txt", "cn/1"},
                 {"tests-slow-2.txt", "cn/2"},
                 {"tests-slow-4.txt", "cn/r"}};
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", MONERO_HASH_VECTOR_DIR, files[f].file);
        vector_file_t vf;
        vector_file_open(&vf, path);
        while (vector_file_next(&vf)) {
            int found = 0;
            for (unsigned i = 0; i < pow_cn_vectors_count && !found; i++) {
                const pow_vector_t *v = &pow_cn_vectors[i];
                found = strcmp(v->algo, files[f].algo) == 0 &&
                        strcmp(v->hash_hex, vf.fields[0]) == 0 &&
                        strcmp(v->input_hex, vf.fields[1]) == 0;
            }
            cr_expect(found, "%s line %zu is not in pow/cn/cn_vectors.txt", path, vf.line_number);
        }
        vector_file_close(&vf);
    }
}

Test(cn, cn1_family_rejects_input_shorter_than_43_bytes)
{
    const char *names[] = {"cn/1", "cn/rto", "cn-lite/1", "cn/fast", "cn-heavy/tube"};
    uint8_t input[43] = {0}, out[32];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const pow_cn_algo_t *algo = pow_cn_algo_find(names[i]);
        cr_assert_not_null(algo);
        cr_expect_eq(pow_cn_algo_min_input(algo), 43);
        pow_cn_ctx_t ctx;
        cr_assert_eq(pow_cn_ctx_init(&ctx, algo, POW_ISA_PORTABLE, pad, PAD_SIZE), 0);
        cr_expect_eq(pow_cn_hash(&ctx, input, 42, 0, out), -EINVAL, "%s took 42 bytes", names[i]);
        pow_cn_ctx_release(&ctx);
    }
    cr_expect_eq(pow_cn_algo_min_input(pow_cn_algo_find("cn/0")), 0);
}

Test(cn, ctx_init_refuses_bad_scratchpads_and_missing_paths)
{
    const pow_cn_algo_t *algo = pow_cn_algo_find("cn/2");
    pow_cn_ctx_t ctx;
    cr_expect_eq(pow_cn_ctx_init(&ctx, algo, POW_ISA_PORTABLE, pad, (2u << 20) - 1), -ENOBUFS);
    cr_expect_eq(pow_cn_ctx_init(&ctx, algo, POW_ISA_PORTABLE, pad + 8, PAD_SIZE - 8), -EINVAL);
    cr_expect_eq(pow_cn_ctx_init(&ctx, algo, POW_ISA_PORTABLE, NULL, PAD_SIZE), -EINVAL);
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        if (!pow_cn_isa_available((pow_isa_t)i))
            cr_expect_eq(pow_cn_ctx_init(&ctx, algo, (pow_isa_t)i, pad, PAD_SIZE), -ENOTSUP, "%s",
                         pow_isa_name((pow_isa_t)i));
    }
    cr_expect_null(pow_cn_algo_find("cn/9"));
    cr_expect(pow_cn_isa_available(pow_cn_isa_best()));
}

/* Sample values from Monero's variant2_int_sqrt.h and tests/hash/main.cpp. */
Test(cn, v2_square_root_matches_monero_samples)
{
    static const struct {
        uint64_t in, out;
    } samples[] = {
        {0, 0},
        {1ull << 32, 0},
        {(1ull << 32) + 1, 1},
        {1ull << 50, 262140},
        {(1ull << 55) + 20963331, 8384515},
        {(1ull << 55) + 20963332, 8384516},
        {(1ull << 62) + 26599786, 1013904242},
        {(1ull << 62) + 26599787, 1013904243},
        {UINT64_MAX, 3558067407},
        {1ull << 63, 1930543745},
    };
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
        cr_expect_eq(pow_cn_v2_sqrt(samples[i].in), samples[i].out, "sqrt(%llu)",
                     (unsigned long long)samples[i].in);
}

/* floor(sqrt(2^66 + 4n)) - 2^33 by bisection in 128 bits: the definition, slowly. */
static uint64_t exact_v2_sqrt(uint64_t n)
{
    unsigned __int128 m = ((unsigned __int128)1 << 66) + ((unsigned __int128)n << 2);
    uint64_t lo = 1ull << 33, hi = 1ull << 35; /* lo^2 <= m < hi^2 */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((unsigned __int128)mid * mid <= m)
            lo = mid;
        else
            hi = mid;
    }
    return lo - (1ull << 33);
}

/* The branch-free estimate and fix-up, where a double's rounding bites: at squares. */
Test(cn, v2_square_root_is_exact_at_and_around_every_kind_of_square)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned checked = 0;
    for (unsigned i = 0; i < 200000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        /* A root k in [2^33, 2^33 sqrt 2), its square's n, and the n beside it. */
        uint64_t k = (1ull << 33) + seed % 3558067408ull;
        unsigned __int128 square = (unsigned __int128)k * k - ((unsigned __int128)1 << 66);
        uint64_t at = (uint64_t)(square >> 2);
        uint64_t inputs[] = {at - 1, at, at + 1, seed, seed >> 20, ~seed};
        for (size_t j = 0; j < sizeof(inputs) / sizeof(inputs[0]); j++) {
            uint64_t want = exact_v2_sqrt(inputs[j]);
            if (pow_cn_v2_sqrt(inputs[j]) != want)
                cr_assert_fail("sqrt(%llu) = %llu, exact %llu", (unsigned long long)inputs[j],
                               (unsigned long long)pow_cn_v2_sqrt(inputs[j]),
                               (unsigned long long)want);
            checked++;
        }
    }
    uint64_t edges[] = {0, 1, 2, 3, 4095, 4096, 4097, UINT64_MAX, UINT64_MAX - 1, 1ull << 63};
    for (size_t j = 0; j < sizeof(edges) / sizeof(edges[0]); j++)
        cr_expect_eq(pow_cn_v2_sqrt(edges[j]), exact_v2_sqrt(edges[j]), "sqrt(%llu)",
                     (unsigned long long)edges[j]);
    cr_expect_eq(checked, 1200000u);
}

/* The paths must agree on inputs nobody published, too. */
Test(cn, paths_agree_on_random_inputs)
{
    pow_isa_t paths[POW_ISA_COUNT];
    unsigned npaths = available_paths(paths);
    if (npaths < 2)
        cr_skip_test("only one path on this machine");
    const char *names[] = {"cn/upx2", "cn-pico", "cn/r", "cn/2", "cn/ccx", "cn-heavy/tube"};
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        const pow_cn_algo_t *algo = pow_cn_algo_find(names[n]);
        for (int round = 0; round < 3; round++) {
            uint8_t input[76], first[32], other[32];
            for (size_t i = 0; i < sizeof(input); i++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                input[i] = (uint8_t)(seed >> 56);
            }
            pow_cn_ctx_t ctx;
            cr_assert_eq(pow_cn_ctx_init(&ctx, algo, paths[0], pad, PAD_SIZE), 0);
            cr_assert_eq(pow_cn_hash(&ctx, input, sizeof(input), seed % 3000000, first), 0);
            pow_cn_ctx_release(&ctx);
            for (unsigned p = 1; p < npaths; p++) {
                cr_assert_eq(pow_cn_ctx_init(&ctx, algo, paths[p], pad, PAD_SIZE), 0);
                cr_assert_eq(pow_cn_hash(&ctx, input, sizeof(input), seed % 3000000, other), 0);
                pow_cn_ctx_release(&ctx);
                cr_expect_arr_eq(first, other, 32, "%s: %s and %s differ", names[n],
                                 pow_isa_name(paths[0]), pow_isa_name(paths[p]));
            }
        }
    }
}

/*
 * cn/ccx computes in floats: it must hash alike whatever rounding mode the
 * caller left (it rounds to nearest, as Conceal does) and give that mode back.
 */
Test(cn, ccx_hashes_alike_under_every_caller_rounding_mode_and_restores_it)
{
    const pow_cn_algo_t *algo = pow_cn_algo_find("cn/ccx");
    cr_assert_not_null(algo);
    const pow_vector_t *v = NULL;
    for (unsigned i = 0; i < pow_cn_vectors_count && v == NULL; i++)
        if (strcmp(pow_cn_vectors[i].algo, "cn/ccx") == 0)
            v = &pow_cn_vectors[i];
    cr_assert_not_null(v);
    uint8_t input[128];
    long len = pow_hex_decode(v->input_hex, strlen(v->input_hex), input, sizeof(input), NULL);
    cr_assert_gt(len, 0);
    static const int modes[] = {FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO, FE_TONEAREST};
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        pow_cn_ctx_t ctx;
        cr_assert_eq(pow_cn_ctx_init(&ctx, algo, pow_cn_isa_best(), pad, PAD_SIZE), 0);
        cr_assert_eq(fesetround(modes[m]), 0);
        uint8_t out[32];
        int rc = pow_cn_hash(&ctx, input, (size_t)len, 0, out);
        int after = fegetround();
        fesetround(FE_TONEAREST);
        pow_cn_ctx_release(&ctx);
        cr_assert_eq(rc, 0);
        cr_expect_eq(after, modes[m], "mode %d came back as %d", modes[m], after);
        char hex[65];
        pow_hex_encode(out, 32, hex);
        cr_expect_str_eq(hex, v->hash_hex, "under rounding mode %d", modes[m]);
    }
}
