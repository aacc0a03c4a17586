/*
 * Dataset item: registers seeded from the item number, then for each of
 * the eight programs: run it, XOR in a cache line, and let the program's
 * address register choose the next line. Only the first line is known
 * before any program runs; the rest depend on the computation, which is
 * what makes light mode pay for every item it reads.
 */
#include "pow/rx/dataset_item.h"

const uint64_t pow_rx_item_xor[7] = {
    9298411001130361340u,  12065312585734608966u, 9306329213124626780u, 5281919268842080866u,
    10536153434571861004u, 3398623926847679864u,  9549104520008361294u,
};

#define CACHE_ACCESSES 8
#define LINE_BYTES     64

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void pow_rx_dataset_item(const uint8_t *cache, size_t cache_bytes,
                         const pow_rx_superscalar_t programs[8], uint64_t item_number,
                         uint8_t out[64])
{
    const uint64_t line_mask = (uint64_t)(cache_bytes / LINE_BYTES) - 1;
    uint64_t r[8];
    r[0] = (item_number + 1) * POW_RX_ITEM_MULTIPLIER;
    for (int i = 1; i < 8; i++)
        r[i] = r[0] ^ pow_rx_item_xor[i - 1];

    uint64_t line_number = item_number;
    for (int i = 0; i < CACHE_ACCESSES; i++) {
        const uint8_t *line = cache + (size_t)(line_number & line_mask) * LINE_BYTES;
#if defined(__GNUC__)
        /* The line is needed only after the program: fetch it meanwhile. */
        __builtin_prefetch(line, 0, 0);
#endif
        pow_rx_superscalar_execute(&programs[i], r);
        for (int j = 0; j < 8; j++)
            r[j] ^= load_le64(line + 8 * j);
        line_number = r[programs[i].address_register];
    }

    for (int j = 0; j < 8; j++)
        store_le64(out + 8 * j, r[j]);
}
