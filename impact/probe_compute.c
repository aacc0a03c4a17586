/*
 * The compute probe: SHA-256 over a 64 KiB block, again and again, through
 * OpenSSL's libcrypto, the code real services hash with. Block and state
 * fit in L1/L2, so a miner slows it by taking the core (or its sibling
 * hyperthread) and its turbo headroom, not memory.
 */
#include "impact/probe_compute.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "impact/probe_impl.h"
#include "impact/probe_window.h"
#include "impact/protocol.h"

typedef struct {
    EVP_MD_CTX *ctx;
    unsigned char *block;
    unsigned char md[32]; /* the last digest, kept so that the work has a result */
} compute_state_t;

int impact_probe_compute_digest(EVP_MD_CTX *ctx, const unsigned char *data, size_t len,
                                unsigned char md[32])
{
    unsigned int md_len = 0;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len != 32)
        return -EIO;
    return 0;
}

static void compute_close(void *state)
{
    compute_state_t *s = state;
    if (!s)
        return;
    EVP_MD_CTX_free(s->ctx);
    free(s->block);
    free(s);
}

static int compute_open(const impact_probe_config_t *config, void **state)
{
    if (!config)
        return -EINVAL;
    compute_state_t *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->ctx = EVP_MD_CTX_new();
    s->block = malloc(IMPACT_PROBE_COMPUTE_BLOCK);
    if (!s->ctx || !s->block) {
        compute_close(s);
        return -ENOMEM;
    }
    /* SHA-256 takes as long for any data; random bytes just make the block touched and real. */
    uint64_t random = config->seed;
    for (size_t i = 0; i < IMPACT_PROBE_COMPUTE_BLOCK; i += sizeof(uint64_t)) {
        uint64_t r = impact_random(&random);
        memcpy(s->block + i, &r, sizeof(r));
    }
    /* One digest outside the window: libcrypto fetches its implementation on first use. */
    int rc = impact_probe_compute_digest(s->ctx, s->block, IMPACT_PROBE_COMPUTE_BLOCK, s->md);
    if (rc < 0) {
        compute_close(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int compute_run(void *state, double seconds, volatile sig_atomic_t *stop,
                       impact_probe_sample_t *out)
{
    compute_state_t *s = state;
    uint64_t bytes = 0;
    int rc = 0;
    probe_window_t w;
    probe_window_start(&w, seconds);
    /* One digest between clock reads: some tens of microseconds. */
    do {
        rc = impact_probe_compute_digest(s->ctx, s->block, IMPACT_PROBE_COMPUTE_BLOCK, s->md);
        if (rc < 0)
            break;
        bytes += IMPACT_PROBE_COMPUTE_BLOCK;
    } while (!probe_window_over(&w, stop));
    double wall = probe_window_finish(&w, bytes, out);
    out->value = (double)bytes / wall / 1e6;
    return rc;
}

const impact_probe_ops_t impact_probe_compute_ops = {compute_open, compute_run, compute_close};
