/*
 * RandomX's BlakeGenerator (spec chapter 3, "BlakeGenerator"): a byte
 * stream drawn from a 64-byte state that is replaced by its own BLAKE2b-512
 * hash whenever a read would run past its end. The SuperscalarHash
 * generator takes all its random choices from one instance.
 */
#ifndef MINEMETER_POW_RX_BLAKE_GENERATOR_H
#define MINEMETER_POW_RX_BLAKE_GENERATOR_H

#include <stddef.h>
#include <stdint.h>

/* Longest seed that reaches the state; the rest of a longer seed is ignored. */
#define POW_RX_BLAKE_GENERATOR_SEED_MAX 60

typedef struct {
    uint8_t data[64];
    unsigned index; /* next unread byte of data; 64 means "rehash first" */
} pow_rx_blake_generator_t;

/*
 * Starts a stream from seed (the first 60 bytes of it, zero padded) and a
 * 32-bit nonce stored little-endian in the last 4 bytes of the state. The
 * state itself is never read: the first read hashes it. seed may be NULL
 * when len is 0.
 */
void pow_rx_blake_generator_init(pow_rx_blake_generator_t *g, const void *seed, size_t len,
                                 uint32_t nonce);

/* The next byte of the stream. */
uint8_t pow_rx_blake_generator_byte(pow_rx_blake_generator_t *g);

/*
 * The next 4 bytes as a little-endian integer. They always come from one
 * state: when fewer than 4 bytes are left, those are skipped and the state
 * is rehashed.
 */
uint32_t pow_rx_blake_generator_u32(pow_rx_blake_generator_t *g);

#endif
