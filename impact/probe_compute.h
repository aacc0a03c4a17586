/*
 * The compute probe's unit of work, open to tests so that they check the
 * digest the probe really computes.
 */
#ifndef MINEMETER_IMPACT_PROBE_COMPUTE_H
#define MINEMETER_IMPACT_PROBE_COMPUTE_H

#include <stddef.h>

#include <openssl/evp.h>

/* The block the probe hashes again and again: in L1/L2 on any current CPU. */
#define IMPACT_PROBE_COMPUTE_BLOCK ((size_t)64 * 1024)

/*
 * SHA-256 of len bytes at data into md, through ctx (which it resets, so
 * one context serves every call, as in the probe's loop). Returns 0, or
 * -EIO when libcrypto fails.
 */
int impact_probe_compute_digest(EVP_MD_CTX *ctx, const unsigned char *data, size_t len,
                                unsigned char md[32]);

#endif
