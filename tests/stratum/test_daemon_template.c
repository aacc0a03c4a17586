/*
 * stratum/daemon_template.c: block difficulty and Monero's 256-bit check,
 * header varints, the algorithm per block version, templates to jobs,
 * get_info, error codes. The template and info below are replies of
 * monerod 0.18.0.0 (Debian's monero package) in a fresh regtest chain
 * (--regtest --offline --fixed-difficulty 200), at height 1.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pow/hex.h"
#include "stratum/daemon_template.h"

#include "tests/stratum/regtest_template.h"

static json_t *regtest_template(void)
{
    json_t *t =
        json_pack("{s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:i, s:s, s:s}", "blockhashing_blob",
                  REGTEST_HASHING_BLOB, "blocktemplate_blob", REGTEST_BLOCK_BLOB, "difficulty", 200,
                  "difficulty_top64", 0, "height", 1, "prev_hash", GENESIS, "seed_hash", GENESIS,
                  "seed_height", 0, "status", "OK", "wide_difficulty", "0xc8");
    cr_assert_not_null(t);
    return t;
}

/* --- 256-bit arithmetic helpers for the boundaries -------------------------------- */

/* (2^bits - 1) / d as a little-endian 32-byte hash (bits a multiple of 8, at most 256). */
static void max_hash(unsigned bits, uint32_t d, uint8_t out[32])
{
    uint8_t be[32] = {0};
    for (unsigned i = 32 - bits / 8; i < 32; i++)
        be[i] = 0xff;
    uint64_t rem = 0;
    for (unsigned i = 0; i < 32; i++) {
        uint64_t cur = rem << 8 | be[i];
        be[i] = (uint8_t)(cur / d);
        rem = cur % d;
    }
    for (unsigned i = 0; i < 32; i++)
        out[i] = be[31 - i];
}

/* Adds one to a little-endian hash; returns 1 on overflow. */
static int plus_one(uint8_t h[32])
{
    for (unsigned i = 0; i < 32; i++)
        if (++h[i] != 0)
            return 0;
    return 1;
}

static uint64_t top64(const uint8_t h[32])
{
    uint64_t v = 0;
    for (int i = 31; i >= 24; i--)
        v = v << 8 | h[i];
    return v;
}

/* --- difficulty ------------------------------------------------------------------ */

Test(daemon_template, difficulty_parses_wide_hex)
{
    stratum_difficulty_t d;
    cr_assert_eq(stratum_difficulty_parse("0xc8", &d), 0);
    cr_expect_eq(d.lo, 200);
    cr_expect_eq(d.hi, 0);
    cr_assert_eq(stratum_difficulty_parse("0x1ffffffffffffffff", &d), 0);
    cr_expect_eq(d.lo, UINT64_MAX);
    cr_expect_eq(d.hi, 1);
    cr_assert_eq(stratum_difficulty_parse("0XFFFFFFFFFFFFFFFF0000000000000001", &d), 0);
    cr_expect_eq(d.lo, 1);
    cr_expect_eq(d.hi, UINT64_MAX);
    const char *bad[] = {
        "c8", "0x",  "0x0", "0x00000", "0xg1", "0x1 ", "0x100000000000000000000000000000000",
        "",   "-0x1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(stratum_difficulty_parse(bad[i], &d), -1, "\"%s\"", bad[i]);
    cr_expect_eq(stratum_difficulty_parse(NULL, &d), -1);
}

Test(daemon_template, the_256_bit_check_straddles_the_boundary)
{
    const uint32_t ds[] = {1, 2, 3, 200, 1000003, 0x7fffffff, 0xffffffff};
    for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
        stratum_difficulty_t d = {ds[i], 0};
        uint8_t h[32];
        max_hash(256, ds[i], h);
        cr_expect(stratum_block_meets_difficulty(h, d), "largest block hash for %u", ds[i]);
        /* Every block hash passes the miner's 64-bit candidate test (but one at difficulty 1). */
        if (ds[i] > 1)
            cr_expect_lt(top64(h), stratum_block_candidate_target(d), "candidate for %u", ds[i]);
        if (!plus_one(h))
            cr_expect_not(stratum_block_meets_difficulty(h, d), "one above for %u", ds[i]);
    }
}

Test(daemon_template, the_256_bit_check_with_wide_difficulty)
{
    /* d = 2^64: blocks are the hashes below 2^192. */
    stratum_difficulty_t d = {0, 1};
    uint8_t h[32] = {0};
    memset(h, 0xff, 24);
    cr_expect(stratum_block_meets_difficulty(h, d));
    cr_expect_eq(top64(h), 0);
    cr_expect_eq(stratum_block_candidate_target(d), 1);
    plus_one(h);
    cr_expect_not(stratum_block_meets_difficulty(h, d));

    /* d = 3 * 2^64: the largest block hash is (2^192 - 1) / 3. */
    d = (stratum_difficulty_t){0, 3};
    max_hash(192, 3, h);
    cr_expect(stratum_block_meets_difficulty(h, d));
    plus_one(h);
    cr_expect_not(stratum_block_meets_difficulty(h, d));

    /* d = 2^64 + 1 (low half set too): (2^192 - 1) * d overflows, (2^192 - 2^128) * d does not. */
    d = (stratum_difficulty_t){1, 1};
    memset(h, 0, 32);
    memset(h, 0xff, 24);
    cr_expect_not(stratum_block_meets_difficulty(h, d));
    memset(h, 0, 16);
    cr_expect(stratum_block_meets_difficulty(h, d));

    /* The largest difficulty, 2^128 - 1: 2^128 * d is below 2^256, 2^129 * d is not. */
    d = (stratum_difficulty_t){UINT64_MAX, UINT64_MAX};
    memset(h, 0, 32);
    cr_expect(stratum_block_meets_difficulty(h, d));
    h[16] = 1;
    cr_expect(stratum_block_meets_difficulty(h, d));
    h[16] = 2;
    cr_expect_not(stratum_block_meets_difficulty(h, d));
}

Test(daemon_template, candidate_target_edges)
{
    cr_expect_eq(stratum_block_candidate_target((stratum_difficulty_t){1, 0}), UINT64_MAX);
    cr_expect_eq(stratum_block_candidate_target((stratum_difficulty_t){200, 0}),
                 UINT64_MAX / 200 + 1);
    cr_expect_eq(stratum_block_candidate_target((stratum_difficulty_t){UINT64_MAX, 0}), 2);
    cr_expect_eq(stratum_block_candidate_target((stratum_difficulty_t){5, 7}), 1);
}

/* --- header and algorithm ----------------------------------------------------------- */

Test(daemon_template, nonce_offset_from_a_real_blob)
{
    uint8_t blob[128];
    long n = pow_hex_decode(REGTEST_HASHING_BLOB, strlen(REGTEST_HASHING_BLOB), blob, sizeof(blob),
                            NULL);
    cr_assert_gt(n, 0);
    stratum_block_header_t h;
    cr_assert_eq(stratum_block_header_parse(blob, (size_t)n, &h), 0);
    cr_expect_eq(h.major_version, 16);
    cr_expect_eq(h.minor_version, 16);
    cr_expect_eq(h.nonce_offset, 39);
    cr_expect_eq(h.timestamp, 1795647117); /* 8d cd 9d d8 06 */
    /* Truncated just before the end of the nonce. */
    cr_expect_eq(stratum_block_header_parse(blob, 42, &h), -1);
    cr_expect_eq(stratum_block_header_parse(blob, 43, &h), 0);
    /* A varint that never ends. */
    uint8_t endless[64];
    memset(endless, 0x80, sizeof(endless));
    cr_expect_eq(stratum_block_header_parse(endless, sizeof(endless), &h), -1);
}

Test(daemon_template, nonce_offset_follows_the_varints)
{
    /* major 7, minor 7, a one-byte timestamp: the nonce is at 3 + 32. */
    uint8_t blob[80] = {7, 7, 0x05};
    stratum_block_header_t h;
    cr_assert_eq(stratum_block_header_parse(blob, sizeof(blob), &h), 0);
    cr_expect_eq(h.nonce_offset, 35);
    cr_expect_eq(h.timestamp, 5);
    /* A 300 major version does not fit a byte: refused. */
    uint8_t wide[80] = {0xac, 0x02, 1, 1};
    cr_expect_eq(stratum_block_header_parse(wide, sizeof(wide), &h), -1);
}

Test(daemon_template, algorithm_per_major_version)
{
    const struct {
        unsigned version;
        const char *algo;
    } cases[] = {{1, "cn/0"},  {6, "cn/0"},  {7, "cn/1"},  {8, "cn/2"},  {9, "cn/2"},
                 {10, "cn/r"}, {11, "cn/r"}, {12, "rx/0"}, {16, "rx/0"}, {255, "rx/0"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const pow_algo_t *a = stratum_block_algo(cases[i].version);
        cr_assert_not_null(a, "version %u", cases[i].version);
        cr_expect_str_eq(pow_algo_name(a), cases[i].algo, "version %u", cases[i].version);
    }
}

/* --- templates ------------------------------------------------------------------ */

Test(daemon_template, regtest_template_to_job)
{
    json_t *t = regtest_template();
    stratum_block_template_t tpl;
    char why[256] = "";
    cr_assert_eq(stratum_block_template_parse(t, &tpl, why, sizeof(why)), 0, "%s", why);
    cr_expect_str_eq(pow_algo_name(tpl.job.algo), "rx/0");
    cr_expect_eq(tpl.major_version, 16);
    cr_expect_eq(tpl.job.nonce_offset, 39);
    cr_expect_eq(tpl.block_nonce_offset, 39);
    cr_expect_eq(tpl.job.blob_len, strlen(REGTEST_HASHING_BLOB) / 2);
    cr_expect_eq(tpl.block_len, strlen(REGTEST_BLOCK_BLOB) / 2);
    cr_expect_eq(tpl.job.height, 1);
    cr_expect_eq(tpl.job.seed_len, 32);
    char seed[65];
    pow_hex_encode(tpl.job.seed, 32, seed);
    cr_expect_str_eq(seed, GENESIS);
    pow_hex_encode(tpl.prev_hash, 32, seed);
    cr_expect_str_eq(seed, GENESIS);
    cr_expect_eq(tpl.difficulty.lo, 200);
    cr_expect_eq(tpl.difficulty.hi, 0);
    cr_expect_eq(tpl.job.difficulty, 200);
    cr_expect_eq(tpl.job.target, UINT64_MAX / 200 + 1);

    char *filled = stratum_block_template_fill(&tpl, 0x11223344u);
    cr_assert_not_null(filled);
    cr_expect_eq(strlen(filled), strlen(REGTEST_BLOCK_BLOB));
    cr_expect_eq(strncmp(filled + 78, "44332211", 8), 0);
    cr_expect_eq(strncmp(filled, REGTEST_BLOCK_BLOB, 78), 0);
    cr_expect_str_eq(filled + 86, REGTEST_BLOCK_BLOB + 86);
    free(filled);
    stratum_block_template_free(&tpl);
    json_decref(t);
}

/* The same template with another major version in both blobs. */
static json_t *template_with_version(const char *version_hex)
{
    json_t *t = regtest_template();
    char hashing[] = REGTEST_HASHING_BLOB, block[] = REGTEST_BLOCK_BLOB;
    memcpy(hashing, version_hex, 2);
    memcpy(block, version_hex, 2);
    json_object_set_new(t, "blockhashing_blob", json_string(hashing));
    json_object_set_new(t, "blocktemplate_blob", json_string(block));
    return t;
}

Test(daemon_template, older_versions_map_to_cryptonight)
{
    const char *versions[] = {"0a", "08", "07", "01"};
    const char *algos[] = {"cn/r", "cn/2", "cn/1", "cn/0"};
    for (size_t i = 0; i < 4; i++) {
        json_t *t = template_with_version(versions[i]);
        json_object_del(t, "seed_hash"); /* CryptoNight needs none */
        stratum_block_template_t tpl;
        char why[256] = "";
        cr_assert_eq(stratum_block_template_parse(t, &tpl, why, sizeof(why)), 0, "%s", why);
        cr_expect_str_eq(pow_algo_name(tpl.job.algo), algos[i]);
        cr_expect_eq(tpl.job.height, 1); /* cn/r hashes with it */
        cr_expect_eq(tpl.job.seed_len, 0);
        stratum_block_template_free(&tpl);
        json_decref(t);
    }
}

/* mine --algo on a daemon: every template hashed with it, whatever its version says. */
Test(daemon_template, a_given_algorithm_overrides_the_major_version)
{
    json_t *t = regtest_template(); /* version 16: rx/0 by Monero's schedule */
    stratum_block_template_t tpl;
    char why[256] = "";
    cr_assert_eq(stratum_block_template_parse_as(t, pow_algo_find("rx/2"), &tpl, why, sizeof(why)),
                 0, "%s", why);
    cr_expect_str_eq(pow_algo_name(tpl.job.algo), "rx/2");
    cr_expect_eq(tpl.job.seed_len, 32, "a RandomX variant takes the template's seed");
    stratum_block_template_free(&tpl);
    json_decref(t);
    /* An old version forced to RandomX needs the seed its template lacks: refused, said why. */
    t = template_with_version("07");
    json_object_del(t, "seed_hash");
    cr_expect_eq(stratum_block_template_parse_as(t, pow_algo_find("rx/0"), &tpl, why, sizeof(why)),
                 -1);
    cr_expect_not_null(strstr(why, "seed_hash"), "%s", why);
    json_decref(t);
}

Test(daemon_template, wide_difficulty_template)
{
    json_t *t = regtest_template();
    json_object_set_new(t, "wide_difficulty", json_string("0x30000000000000000"));
    stratum_block_template_t tpl;
    char why[256] = "";
    cr_assert_eq(stratum_block_template_parse(t, &tpl, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(tpl.difficulty.hi, 3);
    cr_expect_eq(tpl.difficulty.lo, 0);
    cr_expect_eq(tpl.job.target, 1);
    cr_expect_eq(tpl.job.difficulty, UINT64_MAX);
    stratum_block_template_free(&tpl);
    /* Without wide_difficulty: difficulty and difficulty_top64. */
    json_object_del(t, "wide_difficulty");
    json_object_set_new(t, "difficulty_top64", json_integer(2));
    cr_assert_eq(stratum_block_template_parse(t, &tpl, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(tpl.difficulty.hi, 2);
    cr_expect_eq(tpl.difficulty.lo, 200);
    stratum_block_template_free(&tpl);
    json_decref(t);
}

Test(daemon_template, bad_templates_are_refused_with_a_reason)
{
    const struct {
        const char *key;
        json_t *value; /* NULL: removed */
        const char *needle;
    } cases[] = {
        {"blocktemplate_blob", NULL, "blocktemplate_blob"},
        {"blockhashing_blob", json_string("10zz"), "not hex"},
        {"blockhashing_blob", json_string("1010"), "block header"},
        {"blocktemplate_blob", json_string("0f"), "block header"},
        {"prev_hash", json_string("00"), "prev_hash"},
        {"seed_hash", NULL, "seed_hash"},
        {"height", json_string("1"), "height"},
        {"wide_difficulty", json_string("0x0"), "wide_difficulty"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *t = regtest_template();
        if (cases[i].value == NULL)
            json_object_del(t, cases[i].key);
        else
            json_object_set_new(t, cases[i].key, cases[i].value);
        stratum_block_template_t tpl;
        char why[256] = "";
        cr_expect_eq(stratum_block_template_parse(t, &tpl, why, sizeof(why)), -1, "case %zu", i);
        cr_expect_not_null(strstr(why, cases[i].needle), "case %zu: %s", i, why);
        cr_expect_null(tpl.block);
        json_decref(t);
    }
    /* The two blobs must share their header. */
    json_t *t = regtest_template();
    char block[] = REGTEST_BLOCK_BLOB;
    block[20] = block[20] == '0' ? '1' : '0';
    json_object_set_new(t, "blocktemplate_blob", json_string(block));
    stratum_block_template_t tpl;
    char why[256] = "";
    cr_expect_eq(stratum_block_template_parse(t, &tpl, why, sizeof(why)), -1);
    cr_expect_not_null(strstr(why, "different headers"), "%s", why);
    json_decref(t);
}

/* --- get_info and errors ------------------------------------------------------------ */

Test(daemon_template, info_ready_syncing_and_busy)
{
    json_t *r =
        json_pack("{s:s, s:i, s:s, s:b, s:b, s:i, s:s, s:s}", "status", "OK", "height", 5,
                  "top_block_hash", GENESIS, "synchronized", 1, "busy_syncing", 0, "target_height",
                  0, "version", "0.18.0.0-unknown", "nettype", "fakechain");
    stratum_daemon_info_t info;
    char why[256] = "";
    cr_assert_eq(stratum_daemon_info_parse(r, &info, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(info.height, 5);
    cr_expect_not(info.busy);
    cr_expect_not(info.syncing);
    cr_expect_str_eq(info.nettype, "fakechain");
    cr_expect_eq(info.top_hash[0], 0x41);

    json_object_set_new(r, "synchronized", json_false());
    json_object_set_new(r, "target_height", json_integer(900));
    cr_assert_eq(stratum_daemon_info_parse(r, &info, why, sizeof(why)), 0, "%s", why);
    cr_expect(info.syncing);
    cr_expect_eq(info.target_height, 900);

    json_t *busy = json_pack("{s:s}", "status", "BUSY");
    cr_assert_eq(stratum_daemon_info_parse(busy, &info, why, sizeof(why)), 0, "%s", why);
    cr_expect(info.busy);

    json_object_set_new(r, "top_block_hash", json_string("abc"));
    cr_expect_eq(stratum_daemon_info_parse(r, &info, why, sizeof(why)), -1);
    cr_expect_not_null(strstr(why, "top_block_hash"));
    json_decref(r);
    json_decref(busy);
}

Test(daemon_template, error_codes)
{
    cr_expect_eq(stratum_daemon_error_classify(-4), STRATUM_DAEMON_ERROR_ADDRESS);
    cr_expect_eq(stratum_daemon_error_classify(-12), STRATUM_DAEMON_ERROR_ADDRESS);
    cr_expect_eq(stratum_daemon_error_classify(-9), STRATUM_DAEMON_ERROR_BUSY);
    cr_expect_eq(stratum_daemon_error_classify(-7), STRATUM_DAEMON_ERROR_OTHER);
    cr_expect_eq(stratum_daemon_error_classify(-1), STRATUM_DAEMON_ERROR_OTHER);
}
