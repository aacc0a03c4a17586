/*
 * monerod's replies, checked field by field: a daemon that sends garbage
 * gets a sentence, never a buffer overrun or a job that cannot be hashed.
 */
#include "config.h"
#include "stratum/daemon_template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pow/hex.h"

/* Monero's RPC error codes (core_rpc_server_error_codes.h), as documented. */
#define RPC_WRONG_WALLET_ADDRESS (-4)
#define RPC_CORE_BUSY            (-9)
#define RPC_MINING_TO_SUBADDRESS (-12)

static int refuse(char *why, size_t why_len, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
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

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* --- difficulty ---------------------------------------------------------------- */

int stratum_difficulty_parse(const char *text, stratum_difficulty_t *out)
{
    if (text == NULL || (strncmp(text, "0x", 2) != 0 && strncmp(text, "0X", 2) != 0))
        return -1;
    const char *digits = text + 2;
    size_t n = strlen(digits);
    if (n == 0 || n > 32 || strspn(digits, "0123456789abcdefABCDEF") != n)
        return -1;
    stratum_difficulty_t d = {0, 0};
    for (size_t i = 0; i < n; i++) {
        char c = digits[i];
        unsigned v = c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
        d.hi = d.hi << 4 | d.lo >> 60;
        d.lo = d.lo << 4 | v;
    }
    if (d.lo == 0 && d.hi == 0)
        return -1;
    *out = d;
    return 0;
}

int stratum_block_meets_difficulty(const uint8_t hash[32], stratum_difficulty_t difficulty)
{
    uint64_t h[4], d[2] = {difficulty.lo, difficulty.hi}, p[6] = {0};
    for (int i = 0; i < 4; i++)
        h[i] = load_le64(hash + 8 * i);
    /* Schoolbook 256 x 128 bits: a block when nothing reaches the limbs above 2^256. */
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 2; j++) {
            unsigned __int128 t = (unsigned __int128)h[i] * d[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 2] = carry;
    }
    return p[4] == 0 && p[5] == 0;
}

uint64_t stratum_block_candidate_target(stratum_difficulty_t difficulty)
{
    /*
     * With t the hash's top 64 bits, hash * d < 2^256 implies t * d < 2^64,
     * so t <= (2^64 - 1) / d: one more than that lets every block through.
     */
    if (difficulty.hi != 0)
        return 1;
    if (difficulty.lo <= 1)
        return UINT64_MAX;
    return UINT64_MAX / difficulty.lo + 1;
}

/* --- block header ------------------------------------------------------------ */

static int read_varint(const uint8_t *blob, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
        uint8_t b = blob[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int stratum_block_header_parse(const uint8_t *blob, size_t len, stratum_block_header_t *out)
{
    size_t pos = 0;
    uint64_t major, minor, timestamp;
    if (read_varint(blob, len, &pos, &major) != 0 || read_varint(blob, len, &pos, &minor) != 0 ||
        read_varint(blob, len, &pos, &timestamp) != 0 || major > 255 || minor > 255)
        return -1;
    size_t nonce_offset = pos + 32;
    if (len < nonce_offset + 4)
        return -1;
    out->major_version = (unsigned)major;
    out->minor_version = (unsigned)minor;
    out->timestamp = timestamp;
    out->nonce_offset = nonce_offset;
    return 0;
}

const pow_algo_t *stratum_block_algo(unsigned major_version)
{
    const char *name = major_version >= 12   ? "rx/0"
                       : major_version >= 10 ? "cn/r"
                       : major_version >= 8  ? "cn/2"
                       : major_version == 7  ? "cn/1"
                                             : "cn/0";
    return pow_algo_find(name);
}

/* --- get_block_template ------------------------------------------------------------ */

static const char *string_member(const json_t *o, const char *key, char *why, size_t why_len)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        refuse(why, why_len, "the template has no string \"%s\"", key);
        return NULL;
    }
    return json_string_value(v);
}

static int hash_member(const json_t *o, const char *key, uint8_t out[32], char *why, size_t why_len)
{
    const char *hex = string_member(o, key, why, why_len);
    if (hex == NULL)
        return -1;
    if (strlen(hex) != 64 || pow_hex_decode(hex, 64, out, 32, NULL) != 32)
        return refuse(why, why_len, "the template's \"%s\" is not 64 hex digits", key);
    return 0;
}

static int parse_difficulty(const json_t *result, stratum_difficulty_t *out, char *why,
                            size_t why_len)
{
    const json_t *wide = json_object_get(result, "wide_difficulty");
    if (wide != NULL) {
        if (!json_is_string(wide) || stratum_difficulty_parse(json_string_value(wide), out) != 0)
            return refuse(why, why_len, "the template's wide_difficulty is not a 0x hex number");
        return 0;
    }
    /* Daemons older than wide_difficulty: the low 64 bits, and the top ones when given. */
    const json_t *lo = json_object_get(result, "difficulty");
    const json_t *hi = json_object_get(result, "difficulty_top64");
    if (!json_is_integer(lo) || (hi != NULL && !json_is_integer(hi)))
        return refuse(why, why_len, "the template has no difficulty");
    out->lo = (uint64_t)json_integer_value(lo);
    out->hi = hi != NULL ? (uint64_t)json_integer_value(hi) : 0;
    if (out->lo == 0 && out->hi == 0)
        return refuse(why, why_len, "the template's difficulty is zero");
    return 0;
}

static int parse_hashing_blob(const json_t *result, const pow_algo_t *algo,
                              stratum_block_template_t *out, char *why, size_t why_len)
{
    stratum_job_t *job = &out->job;
    const char *hex = string_member(result, "blockhashing_blob", why, why_len);
    if (hex == NULL)
        return -1;
    long n = pow_hex_decode(hex, strlen(hex), job->blob, sizeof(job->blob), NULL);
    if (n == POW_HEX_TOO_LONG)
        return refuse(why, why_len, "blockhashing_blob is longer than %d bytes", MINER_MAX_BLOB);
    if (n < 0)
        return refuse(why, why_len, "blockhashing_blob is not hex");
    job->blob_len = (size_t)n;
    stratum_block_header_t header;
    if (stratum_block_header_parse(job->blob, job->blob_len, &header) != 0)
        return refuse(why, why_len, "blockhashing_blob does not start with a block header");
    out->major_version = header.major_version;
    job->nonce_offset = header.nonce_offset;
    job->algo = algo != NULL ? algo : stratum_block_algo(header.major_version);
    if (job->algo == NULL)
        return refuse(why, why_len, "no proof of work for block version %u", header.major_version);
    if (job->blob_len < pow_algo_min_input(job->algo))
        return refuse(why, why_len, "blockhashing_blob is too short for %s",
                      pow_algo_name(job->algo));
    return 0;
}

static int parse_block(const json_t *result, stratum_block_template_t *out, char *why,
                       size_t why_len)
{
    const char *hex = string_member(result, "blocktemplate_blob", why, why_len);
    if (hex == NULL)
        return -1;
    size_t len = strlen(hex);
    if (len == 0 || len % 2 != 0)
        return refuse(why, why_len, "blocktemplate_blob is not hex");
    out->block = malloc(len / 2);
    if (out->block == NULL)
        return refuse(why, why_len, "out of memory for the block template");
    if (pow_hex_decode(hex, len, out->block, len / 2, NULL) < 0)
        return refuse(why, why_len, "blocktemplate_blob is not hex");
    out->block_len = len / 2;
    stratum_block_header_t header;
    if (stratum_block_header_parse(out->block, out->block_len, &header) != 0)
        return refuse(why, why_len, "blocktemplate_blob does not start with a block header");
    /* Both blobs start with the same header; a daemon that disagrees is not trusted. */
    if (header.nonce_offset != out->job.nonce_offset ||
        memcmp(out->block, out->job.blob, header.nonce_offset) != 0)
        return refuse(why, why_len,
                      "blocktemplate_blob and blockhashing_blob have different "
                      "headers");
    out->block_nonce_offset = header.nonce_offset;
    return 0;
}

int stratum_block_template_parse(const json_t *result, stratum_block_template_t *out, char *why,
                                 size_t why_len)
{
    return stratum_block_template_parse_as(result, NULL, out, why, why_len);
}

int stratum_block_template_parse_as(const json_t *result, const pow_algo_t *algo,
                                    stratum_block_template_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(result))
        return refuse(why, why_len, "the template is not a JSON object");
    int rc = -1;
    const json_t *height = json_object_get(result, "height");
    if (parse_hashing_blob(result, algo, out, why, why_len) != 0 ||
        parse_block(result, out, why, why_len) != 0 ||
        parse_difficulty(result, &out->difficulty, why, why_len) != 0 ||
        hash_member(result, "prev_hash", out->prev_hash, why, why_len) != 0)
        goto done;
    if (!json_is_integer(height) || json_integer_value(height) < 0) {
        refuse(why, why_len, "the template has no height");
        goto done;
    }
    out->job.height = (uint64_t)json_integer_value(height);
    if (pow_algo_needs_key(out->job.algo)) {
        if (hash_member(result, "seed_hash", out->job.seed, why, why_len) != 0)
            goto done;
        out->job.seed_len = 32;
    }
    out->job.target = stratum_block_candidate_target(out->difficulty);
    out->job.difficulty = out->difficulty.hi != 0 ? UINT64_MAX : out->difficulty.lo;
    rc = 0;
done:
    if (rc != 0)
        stratum_block_template_free(out);
    return rc;
}

char *stratum_block_template_fill(const stratum_block_template_t *tpl, uint32_t nonce)
{
    char *hex = malloc(2 * tpl->block_len + 1);
    if (hex == NULL)
        return NULL;
    pow_hex_encode(tpl->block, tpl->block_len, hex);
    uint8_t le[4] = {(uint8_t)nonce, (uint8_t)(nonce >> 8), (uint8_t)(nonce >> 16),
                     (uint8_t)(nonce >> 24)};
    char digits[9];
    pow_hex_encode(le, sizeof(le), digits);
    memcpy(hex + 2 * tpl->block_nonce_offset, digits, 8);
    return hex;
}

void stratum_block_template_free(stratum_block_template_t *tpl)
{
    free(tpl->block);
    tpl->block = NULL;
    tpl->block_len = 0;
}

/* --- get_info and errors ------------------------------------------------------- */

int stratum_daemon_info_parse(const json_t *result, stratum_daemon_info_t *out, char *why,
                              size_t why_len)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(result))
        return refuse(why, why_len, "get_info's result is not a JSON object");
    const char *status = json_string_value(json_object_get(result, "status"));
    out->busy = (status != NULL && strcmp(status, "BUSY") == 0) ||
                json_is_true(json_object_get(result, "busy_syncing"));
    /* Daemons that predate "synchronized" do not mine while syncing anyway. */
    out->syncing = json_is_false(json_object_get(result, "synchronized"));
    const json_t *target = json_object_get(result, "target_height");
    out->target_height = json_is_integer(target) ? (uint64_t)json_integer_value(target) : 0;
    const char *version = json_string_value(json_object_get(result, "version"));
    snprintf(out->version, sizeof(out->version), "%s", version != NULL ? version : "?");
    const char *nettype = json_string_value(json_object_get(result, "nettype"));
    snprintf(out->nettype, sizeof(out->nettype), "%s", nettype != NULL ? nettype : "?");
    if (out->busy)
        return 0; /* a busy daemon may leave the rest out */
    if (status != NULL && strcmp(status, "OK") != 0)
        return refuse(why, why_len, "get_info's status is \"%.64s\"", status);
    const json_t *height = json_object_get(result, "height");
    if (!json_is_integer(height) || json_integer_value(height) < 1)
        return refuse(why, why_len, "get_info has no height");
    out->height = (uint64_t)json_integer_value(height);
    const char *top = json_string_value(json_object_get(result, "top_block_hash"));
    if (top == NULL || strlen(top) != 64 || pow_hex_decode(top, 64, out->top_hash, 32, NULL) != 32)
        return refuse(why, why_len, "get_info's top_block_hash is not 64 hex digits");
    return 0;
}

stratum_daemon_error_t stratum_daemon_error_classify(long long code)
{
    switch (code) {
    case RPC_WRONG_WALLET_ADDRESS:
    case RPC_MINING_TO_SUBADDRESS:
        return STRATUM_DAEMON_ERROR_ADDRESS;
    case RPC_CORE_BUSY:
        return STRATUM_DAEMON_ERROR_BUSY;
    default:
        return STRATUM_DAEMON_ERROR_OTHER;
    }
}
