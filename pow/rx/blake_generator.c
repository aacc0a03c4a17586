/*
 * BlakeGenerator: the state is rehashed in place, so the stream is
 * Hash512(S), Hash512(Hash512(S)), ... read front to back, except that a
 * multi-byte read never straddles two hashes.
 */
#include "pow/rx/blake_generator.h"

#include <string.h>

#include "pow/prim/blake2b.h"

#define STATE_BYTES ((unsigned)sizeof(((pow_rx_blake_generator_t *)0)->data))

void pow_rx_blake_generator_init(pow_rx_blake_generator_t *g, const void *seed, size_t len,
                                 uint32_t nonce)
{
    memset(g->data, 0, sizeof(g->data));
    if (len > POW_RX_BLAKE_GENERATOR_SEED_MAX)
        len = POW_RX_BLAKE_GENERATOR_SEED_MAX;
    if (len > 0)
        memcpy(g->data, seed, len);
    for (unsigned i = 0; i < 4; i++)
        g->data[POW_RX_BLAKE_GENERATOR_SEED_MAX + i] = (uint8_t)(nonce >> (8 * i));
    g->index = STATE_BYTES;
}

/* Makes sure that `want` unread bytes follow g->index. */
static void blake_generator_reserve(pow_rx_blake_generator_t *g, unsigned want)
{
    if (g->index + want > STATE_BYTES) {
        pow_blake2b(g->data, sizeof(g->data), g->data, sizeof(g->data));
        g->index = 0;
    }
}

uint8_t pow_rx_blake_generator_byte(pow_rx_blake_generator_t *g)
{
    blake_generator_reserve(g, 1);
    return g->data[g->index++];
}

uint32_t pow_rx_blake_generator_u32(pow_rx_blake_generator_t *g)
{
    blake_generator_reserve(g, 4);
    const uint8_t *p = g->data + g->index;
    g->index += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
