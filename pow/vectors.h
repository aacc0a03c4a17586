/*
 * Published test vectors as data: what `minemeter selftest` checks and what
 * `minemeter bench` verifies before it reports any figure.
 */
#ifndef MINEMETER_POW_VECTORS_H
#define MINEMETER_POW_VECTORS_H

#include <stdint.h>

typedef struct {
    const char *algo;      /* "cn/2" */
    const char *hash_hex;  /* expected, 64 hex digits */
    const char *input_hex; /* the input */
    uint64_t height;       /* cn/r's block height, else 0 */
    const char *key_hex;   /* RandomX's key (seed), else "" */
    unsigned line;         /* line in the vector file, for messages */
} pow_vector_t;

/* CryptoNight: generated from pow/cn/cn_vectors.txt. */
extern const pow_vector_t pow_cn_vectors[];
extern const unsigned pow_cn_vectors_count;

/* RandomX: generated from pow/rx/rx_vectors.txt. */
extern const pow_vector_t pow_rx_vectors[];
extern const unsigned pow_rx_vectors_count;

#endif
