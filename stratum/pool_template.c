/*
 * Synthetic block templates and per-connection blobs (stratum/pool_template.h).
 */
#include "stratum/pool_template.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "pow/prim/keccak.h"
#include "stratum/job.h"

#define ROOT_OFFSET (STRATUM_NONCE_OFFSET + 4)

static int random_bytes(void *out, size_t len)
{
    uint8_t *p = out;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The block major version monerod's chain used for the algorithm. */
static uint8_t major_version(const pow_algo_t *algo)
{
    static const struct {
        const char *name;
        uint8_t major;
    } versions[] = {{"cn/0", 1}, {"cn/1", 7}, {"cn/2", 8}, {"cn/r", 10}};
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        if (strcmp(pow_algo_name(algo), versions[i].name) == 0)
            return versions[i].major;
    return 16;
}

int stratum_pool_synthetic_init(stratum_pool_synthetic_t *chain, const pow_algo_t *algo,
                                uint64_t height, unsigned seed_interval)
{
    memset(chain, 0, sizeof(*chain));
    chain->algo = algo;
    chain->height = height;
    chain->seed_interval = seed_interval;
    return random_bytes(chain->seed, sizeof(chain->seed)) == 0 &&
                   random_bytes(chain->prev_id, sizeof(chain->prev_id)) == 0
               ? 0
               : -1;
}

int stratum_pool_synthetic_next(stratum_pool_synthetic_t *chain, stratum_pool_template_t *out)
{
    if (chain->seed_interval != 0 && chain->seed_age >= chain->seed_interval) {
        if (random_bytes(chain->seed, sizeof(chain->seed)) != 0)
            return -1;
        chain->seed_age = 0;
    }
    memset(out, 0, sizeof(*out));
    out->generation = ++chain->generation;
    out->algo = chain->algo;
    out->height = chain->height++;
    memcpy(out->seed, chain->seed, sizeof(out->seed));
    out->blob_len = STRATUM_POOL_BLOB_LEN;
    uint8_t *b = out->blob;
    b[0] = major_version(chain->algo);
    b[1] = b[0];
    /* The timestamp as monerod writes it: a 5-byte little-endian base-128 varint. */
    uint64_t now = (uint64_t)time(NULL);
    for (int i = 0; i < 5; i++) {
        b[2 + i] = (uint8_t)(now & 0x7f) | (i < 4 ? 0x80 : 0);
        now >>= 7;
    }
    memcpy(b + 7, chain->prev_id, 32);
    if (random_bytes(b + ROOT_OFFSET, 32) != 0)
        return -1;
    b[STRATUM_POOL_BLOB_LEN - 1] = 1; /* the coinbase alone */
    /* The next template's previous id: this one's hash stands in for the block id. */
    pow_keccak256(b, out->blob_len, chain->prev_id);
    chain->seed_age++;
    return 0;
}

void stratum_pool_template_blob(const stratum_pool_template_t *tpl, uint32_t extra_nonce,
                                uint8_t out[STRATUM_POOL_MAX_BLOB])
{
    memcpy(out, tpl->blob, tpl->blob_len);
    if (tpl->nicehash) {
        out[STRATUM_NONCE_OFFSET + 3] = (uint8_t)extra_nonce;
        return;
    }
    uint8_t in[36];
    memcpy(in, tpl->blob + ROOT_OFFSET, 32);
    for (int i = 0; i < 4; i++)
        in[32 + i] = (uint8_t)(extra_nonce >> (8 * i));
    pow_keccak256(in, sizeof(in), out + ROOT_OFFSET);
}
