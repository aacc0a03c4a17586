/*
 * Decoding and checking a Stratum job object: every field a pool can get
 * wrong is refused with a sentence, never trusted into a buffer.
 */
#include "stratum/job.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pow/hex.h"

static int refuse(char *why, size_t why_len, const char *format, ...)
{
    if (why != NULL && why_len > 0) {
        va_list ap;
        va_start(ap, format);
        vsnprintf(why, why_len, format, ap);
        va_end(ap);
    }
    return -1;
}

static uint64_t load_le(const uint8_t *bytes, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | bytes[i];
    return v;
}

int stratum_target_decode(const char *hex, uint64_t *target)
{
    size_t len = strlen(hex);
    uint8_t bytes[8];
    if ((len != 8 && len != 16) || pow_hex_decode(hex, len, bytes, sizeof(bytes), NULL) < 0)
        return -1;
    uint64_t raw = load_le(bytes, len / 2);
    if (raw == 0)
        return -1;
    /* The compact form is a 32-bit target; XMRig widens it through its difficulty. */
    *target = len == 16 ? raw : UINT64_MAX / (UINT32_MAX / raw);
    return 0;
}

void stratum_target_encode(uint64_t difficulty, char out[17])
{
    if (difficulty == 0)
        difficulty = 1;
    int compact = difficulty <= UINT32_MAX;
    uint64_t t = compact ? UINT32_MAX / difficulty : stratum_target_from_difficulty(difficulty);
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(t >> (8 * i));
    pow_hex_encode(le, compact ? 4 : 8, out);
}

uint64_t stratum_target_from_difficulty(uint64_t difficulty)
{
    return difficulty <= 1 ? UINT64_MAX : UINT64_MAX / difficulty;
}

uint64_t stratum_difficulty_from_target(uint64_t target)
{
    return target == 0 ? 0 : UINT64_MAX / target;
}

/* The string member key of job, or NULL (with why filled) when it is missing or not a string. */
static const char *string_member(const json_t *job, const char *key, char *why, size_t why_len)
{
    const json_t *v = json_object_get(job, key);
    if (v == NULL) {
        refuse(why, why_len, "job has no \"%s\"", key);
        return NULL;
    }
    if (!json_is_string(v)) {
        refuse(why, why_len, "job \"%s\" is not a string", key);
        return NULL;
    }
    const char *text = json_string_value(v);
    if (strlen(text) != json_string_length(v)) {
        refuse(why, why_len, "job \"%s\" contains a NUL character", key);
        return NULL;
    }
    return text;
}

static int parse_id(const json_t *job, stratum_job_t *out, char *why, size_t why_len)
{
    const char *id = string_member(job, "job_id", why, why_len);
    if (id == NULL)
        return -1;
    size_t len = strlen(id);
    if (len == 0 || len > STRATUM_MAX_JOB_ID)
        return refuse(why, why_len, "job_id must be 1 to %d characters", STRATUM_MAX_JOB_ID);
    memcpy(out->id, id, len + 1);
    return 0;
}

static int parse_algo(const json_t *job, const pow_algo_t *default_algo, stratum_job_t *out,
                      char *why, size_t why_len)
{
    if (json_object_get(job, "algo") == NULL) {
        if (default_algo == NULL)
            return refuse(why, why_len, "job has no \"algo\" and there is no default algorithm");
        out->algo = default_algo;
        return 0;
    }
    const char *name = string_member(job, "algo", why, why_len);
    if (name == NULL)
        return -1;
    out->algo = pow_algo_find(name);
    if (out->algo == NULL)
        return refuse(why, why_len, "unknown algorithm \"%.32s\"", name);
    return 0;
}

static int parse_blob(const json_t *job, stratum_job_t *out, char *why, size_t why_len)
{
    const char *hex = string_member(job, "blob", why, why_len);
    if (hex == NULL)
        return -1;
    size_t len = strlen(hex);
    long n = pow_hex_decode(hex, len, out->blob, sizeof(out->blob), NULL);
    if (n == POW_HEX_TOO_LONG)
        return refuse(why, why_len, "blob is longer than %d bytes", MINER_MAX_BLOB);
    if (n < 0)
        return refuse(why, why_len, "blob is not hex");
    out->blob_len = (size_t)n;
    out->nonce_offset = STRATUM_NONCE_OFFSET;
    size_t need = out->nonce_offset + 4;
    size_t min_input = pow_algo_min_input(out->algo);
    if (need < min_input)
        need = min_input;
    if (out->blob_len < need)
        return refuse(why, why_len, "blob is %zu bytes, too short for the nonce (needs %zu)",
                      out->blob_len, need);
    return 0;
}

static int parse_target(const json_t *job, stratum_job_t *out, char *why, size_t why_len)
{
    const char *hex = string_member(job, "target", why, why_len);
    if (hex == NULL)
        return -1;
    size_t len = strlen(hex);
    if (len != 8 && len != 16)
        return refuse(why, why_len, "target must be 8 or 16 hex digits");
    if (stratum_target_decode(hex, &out->target) != 0)
        return refuse(why, why_len, "target is not a non-zero hex number");
    out->difficulty = stratum_difficulty_from_target(out->target);
    return 0;
}

static int parse_height(const json_t *job, stratum_job_t *out, char *why, size_t why_len)
{
    const json_t *v = json_object_get(job, "height");
    out->height = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return refuse(why, why_len, "job \"height\" is not a non-negative integer");
    out->height = (uint64_t)json_integer_value(v);
    return 0;
}

static int parse_seed(const json_t *job, stratum_job_t *out, char *why, size_t why_len)
{
    out->seed_len = 0;
    const json_t *v = json_object_get(job, "seed_hash");
    if (v == NULL || json_is_null(v)) {
        if (pow_algo_needs_key(out->algo))
            return refuse(why, why_len, "RandomX job without seed_hash");
        return 0;
    }
    const char *hex = string_member(job, "seed_hash", why, why_len);
    if (hex == NULL)
        return -1;
    if (strlen(hex) != 2 * sizeof(out->seed) ||
        pow_hex_decode(hex, strlen(hex), out->seed, sizeof(out->seed), NULL) < 0)
        return refuse(why, why_len, "seed_hash must be 64 hex digits");
    out->seed_len = sizeof(out->seed);
    return 0;
}

int stratum_job_parse(const json_t *job, const pow_algo_t *default_algo, stratum_job_t *out,
                      char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(job))
        return refuse(why, why_len, "job is not a JSON object");
    if (parse_id(job, out, why, why_len) != 0 ||
        parse_algo(job, default_algo, out, why, why_len) != 0 ||
        parse_blob(job, out, why, why_len) != 0 || parse_target(job, out, why, why_len) != 0 ||
        parse_height(job, out, why, why_len) != 0 || parse_seed(job, out, why, why_len) != 0)
        return -1;
    return 0;
}

void stratum_job_to_miner(const stratum_job_t *job, uint64_t miner_job_id, miner_job_t *out)
{
    memset(out, 0, sizeof(*out));
    out->job_id = miner_job_id;
    out->algo = job->algo;
    memcpy(out->blob, job->blob, job->blob_len);
    out->blob_len = job->blob_len;
    out->nonce_offset = job->nonce_offset;
    out->nonce_fixed_bits = job->nicehash ? 0xFF000000u : 0;
    out->target = job->target;
    out->height = job->height;
    memcpy(out->seed, job->seed, job->seed_len);
    out->seed_len = job->seed_len;
}
