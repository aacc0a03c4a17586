/*
 * stratum/job.c: the target arithmetic against XMRig's numbers, a good job
 * decoded field by field, and every kind of bad job refused with a reason.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "stratum/job.h"

/* A 76-byte Monero-style hashing blob: 152 hex digits. */
#define BLOB76                                                                                     \
    "1010f6c3c1a806a1b3a0c5e3c5c2f1e6d0e6a58b1d5b31d81c7c6c5c0c1b74e8f6d1b1c3a0f20000000000e1"     \
    "a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8001"
#define SEED64 "7fd3a9b5e2c1d0f4a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5"

static json_t *job_json(const char *text)
{
    json_error_t error;
    json_t *job = json_loads(text, 0, &error);
    cr_assert_not_null(job, "bad test JSON: %s", error.text);
    return job;
}

/* A valid rx/0 job with one member replaced (or removed when value is NULL). */
static json_t *job_with(const char *key, json_t *value)
{
    json_t *job = job_json("{\"job_id\":\"j1\",\"blob\":\"" BLOB76 "\",\"target\":\"b88d0600\","
                           "\"algo\":\"rx/0\",\"height\":3100000,\"seed_hash\":\"" SEED64 "\"}");
    if (key != NULL) {
        if (value == NULL)
            json_object_del(job, key);
        else
            json_object_set_new(job, key, value);
    }
    return job;
}

static void expect_refused(json_t *job, const pow_algo_t *default_algo, const char *needle)
{
    stratum_job_t out;
    char why[160] = "";
    cr_expect_eq(stratum_job_parse(job, default_algo, &out, why, sizeof(why)), -1,
                 "accepted a job that should be refused for \"%s\"", needle);
    cr_expect(strstr(why, needle) != NULL, "reason \"%s\" does not mention \"%s\"", why, needle);
    json_decref(job);
}

Test(stratum_job, widens_an_8_digit_target_as_xmrig_does)
{
    /* b88d0600 is 0x00068db8 = 429496 = 0xFFFFFFFF / 10000: difficulty 10000. */
    uint64_t target = 0;
    cr_assert_eq(stratum_target_decode("b88d0600", &target), 0);
    cr_expect_eq(target, UINT64_MAX / 10000);
    cr_expect_eq(target, 0x68db8bac710cbULL);
    cr_expect_eq(stratum_difficulty_from_target(target), 10000);
    cr_assert_eq(stratum_target_decode("ffffffff", &target), 0);
    cr_expect_eq(target, UINT64_MAX);
    cr_assert_eq(stratum_target_decode("01000000", &target), 0);
    cr_expect_eq(target, UINT64_MAX / UINT32_MAX);
}

Test(stratum_job, reads_a_16_digit_target_as_64_bit_little_endian)
{
    uint64_t target = 0;
    cr_assert_eq(stratum_target_decode("0100000000000080", &target), 0);
    cr_expect_eq(target, 0x8000000000000001ULL);
    cr_expect_eq(stratum_difficulty_from_target(target), 1);
}

Test(stratum_job, refuses_bad_targets)
{
    uint64_t target = 7;
    cr_expect_eq(stratum_target_decode("00000000", &target), -1);
    cr_expect_eq(stratum_target_decode("0000000000000000", &target), -1);
    cr_expect_eq(stratum_target_decode("b88d06", &target), -1);
    cr_expect_eq(stratum_target_decode("b88d06000", &target), -1);
    cr_expect_eq(stratum_target_decode("b88d060g", &target), -1);
    cr_expect_eq(target, 7);
}

Test(stratum_job, difficulty_and_target_round_trip)
{
    cr_expect_eq(stratum_target_from_difficulty(0), UINT64_MAX);
    cr_expect_eq(stratum_target_from_difficulty(1), UINT64_MAX);
    cr_expect_eq(stratum_target_from_difficulty(10000), 0x68db8bac710cbULL);
    for (uint64_t d = 2; d < 100000; d = d * 3 + 1)
        cr_expect_eq(stratum_difficulty_from_target(stratum_target_from_difficulty(d)), d);
}

Test(stratum_job, decodes_every_field_of_a_randomx_job)
{
    json_t *json = job_with(NULL, NULL);
    stratum_job_t job;
    char why[160] = "";
    cr_assert_eq(stratum_job_parse(json, NULL, &job, why, sizeof(why)), 0, "%s", why);
    cr_expect_str_eq(job.id, "j1");
    cr_expect_eq(job.algo, pow_algo_find("rx/0"));
    cr_expect_eq(job.blob_len, 76);
    cr_expect_eq(job.blob[0], 0x10);
    cr_expect_eq(job.blob[75], 0x01);
    cr_expect_eq(job.nonce_offset, 39);
    cr_expect_eq(job.target, UINT64_MAX / 10000);
    cr_expect_eq(job.difficulty, 10000);
    cr_expect_eq(job.height, 3100000);
    cr_expect_eq(job.seed_len, 32);
    cr_expect_eq(job.seed[0], 0x7f);
    cr_expect_eq(job.seed[31], 0xf5);
    json_decref(json);
}

Test(stratum_job, takes_the_default_algorithm_and_no_height_for_cryptonight)
{
    json_t *json =
        job_json("{\"job_id\":\"x\",\"blob\":\"" BLOB76 "\",\"target\":\"ffffffffffffff00\"}");
    stratum_job_t job;
    char why[160] = "";
    cr_assert_eq(stratum_job_parse(json, pow_algo_find("cn/r"), &job, why, sizeof(why)), 0, "%s",
                 why);
    cr_expect_eq(job.algo, pow_algo_find("cn/r"));
    cr_expect_eq(job.height, 0);
    cr_expect_eq(job.seed_len, 0);
    cr_expect_eq(job.target, 0x00ffffffffffffffULL);
    json_decref(json);
}

Test(stratum_job, converts_to_a_miner_job)
{
    json_t *json = job_with(NULL, NULL);
    stratum_job_t job;
    cr_assert_eq(stratum_job_parse(json, NULL, &job, NULL, 0), 0);
    miner_job_t m;
    stratum_job_to_miner(&job, 42, &m);
    cr_expect_eq(m.job_id, 42);
    cr_expect_eq(m.algo, job.algo);
    cr_expect_eq(m.blob_len, 76);
    cr_expect_arr_eq(m.blob, job.blob, 76);
    cr_expect_eq(m.nonce_offset, 39);
    cr_expect_eq(m.target, job.target);
    cr_expect_eq(m.height, 3100000);
    cr_expect_eq(m.seed_len, 32);
    cr_expect_arr_eq(m.seed, job.seed, 32);
    json_decref(json);
}

Test(stratum_job, rejects_what_is_not_an_object)
{
    expect_refused(json_string("job"), NULL, "not a JSON object");
    expect_refused(json_array(), NULL, "not a JSON object");
}

Test(stratum_job, rejects_missing_or_bad_job_ids)
{
    expect_refused(job_with("job_id", NULL), NULL, "no \"job_id\"");
    expect_refused(job_with("job_id", json_integer(5)), NULL, "\"job_id\" is not a string");
    expect_refused(job_with("job_id", json_string("")), NULL, "job_id must be 1 to 127");
    char long_id[129];
    memset(long_id, 'a', 128);
    long_id[128] = '\0';
    expect_refused(job_with("job_id", json_string(long_id)), NULL, "job_id must be 1 to 127");
    expect_refused(job_with("job_id", json_stringn("a\0b", 3)), NULL, "NUL");
}

Test(stratum_job, accepts_a_127_character_job_id)
{
    char id[128];
    memset(id, 'z', 127);
    id[127] = '\0';
    json_t *json = job_with("job_id", json_string(id));
    stratum_job_t job;
    cr_expect_eq(stratum_job_parse(json, NULL, &job, NULL, 0), 0);
    cr_expect_str_eq(job.id, id);
    json_decref(json);
}

Test(stratum_job, rejects_unknown_or_missing_algorithms)
{
    expect_refused(job_with("algo", json_string("rx/graft")), NULL,
                   "unknown algorithm \"rx/graft\"");
    expect_refused(job_with("algo", json_integer(0)), NULL, "\"algo\" is not a string");
    expect_refused(job_with("algo", NULL), NULL, "no default algorithm");
}

Test(stratum_job, rejects_bad_blobs)
{
    expect_refused(job_with("blob", NULL), NULL, "no \"blob\"");
    expect_refused(job_with("blob", json_true()), NULL, "\"blob\" is not a string");
    expect_refused(job_with("blob", json_string(BLOB76 "a")), NULL, "blob is not hex");
    expect_refused(job_with("blob", json_string("zz" BLOB76)), NULL, "blob is not hex");
    char big[2 * (MINER_MAX_BLOB + 1) + 1];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_refused(job_with("blob", json_string(big)), NULL, "longer than 256 bytes");
}

Test(stratum_job, rejects_blob_without_room_for_nonce)
{
    /* 42 bytes: the nonce at 39 needs 43. */
    char short_blob[2 * 42 + 1];
    memset(short_blob, '0', sizeof(short_blob) - 1);
    short_blob[sizeof(short_blob) - 1] = '\0';
    expect_refused(job_with("blob", json_string(short_blob)), NULL, "too short for the nonce");
    expect_refused(job_with("blob", json_string("")), NULL, "too short for the nonce");
    char just_enough[2 * 43 + 1];
    memset(just_enough, '0', sizeof(just_enough) - 1);
    just_enough[sizeof(just_enough) - 1] = '\0';
    json_t *json = job_with("blob", json_string(just_enough));
    stratum_job_t job;
    cr_expect_eq(stratum_job_parse(json, NULL, &job, NULL, 0), 0);
    json_decref(json);
}

Test(stratum_job, rejects_bad_targets_in_a_job)
{
    expect_refused(job_with("target", NULL), NULL, "no \"target\"");
    expect_refused(job_with("target", json_integer(1000)), NULL, "\"target\" is not a string");
    expect_refused(job_with("target", json_string("b88d06")), NULL,
                   "target must be 8 or 16 hex digits");
    expect_refused(job_with("target", json_string("00000000")), NULL, "non-zero");
    expect_refused(job_with("target", json_string("0000000000000000")), NULL, "non-zero");
    expect_refused(job_with("target", json_string("b88d06xx")), NULL, "non-zero hex");
}

Test(stratum_job, rejects_bad_heights)
{
    expect_refused(job_with("height", json_string("5")), NULL, "height");
    expect_refused(job_with("height", json_integer(-1)), NULL, "height");
    expect_refused(job_with("height", json_real(1.5)), NULL, "height");
}

Test(stratum_job, rejects_randomx_job_without_seed_hash)
{
    expect_refused(job_with("seed_hash", NULL), NULL, "RandomX job without seed_hash");
    expect_refused(job_with("seed_hash", json_null()), NULL, "RandomX job without seed_hash");
    expect_refused(job_with("seed_hash", json_string("abcd")), NULL, "64 hex digits");
    expect_refused(job_with("seed_hash", json_string(SEED64 "00")), NULL, "64 hex digits");
    expect_refused(job_with("seed_hash", json_integer(1)), NULL, "not a string");
    char bad[65];
    memcpy(bad, SEED64, 65);
    bad[10] = 'q';
    expect_refused(job_with("seed_hash", json_string(bad)), NULL, "64 hex digits");
}

Test(stratum_job, encodes_a_difficulty_as_the_target_a_miner_decodes)
{
    char hex[17];
    stratum_target_encode(1, hex);
    cr_assert_str_eq(hex, "ffffffff");
    stratum_target_encode(0, hex);
    cr_assert_str_eq(hex, "ffffffff", "0 counts as 1");
    /* 0xFFFFFFFF / 1000 = 4294967 = 0x418937, little-endian. */
    stratum_target_encode(1000, hex);
    cr_assert_str_eq(hex, "37894100");
    uint64_t target;
    cr_assert_eq(stratum_target_decode(hex, &target), 0);
    cr_assert_eq(stratum_difficulty_from_target(target), 1000);
    /* Past 32 bits: the 64-bit form. */
    uint64_t big = 1ull << 36;
    stratum_target_encode(big, hex);
    cr_assert_eq(strlen(hex), 16);
    cr_assert_eq(stratum_target_decode(hex, &target), 0);
    cr_assert_eq(target, stratum_target_from_difficulty(big));
}
