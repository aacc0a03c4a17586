/*
 * Argon2d memory fill (RFC 9106, 3.2 steps 1 to 6, version 0x13) and the
 * portable compression function G. The index computation and the block
 * order live here once; the compression function is passed in, so the
 * AVX2 and NEON paths (argon2d_avx2.c, argon2d_neon.c) share everything
 * but G.
 */
#include "pow/rx/argon2d.h"

#include <errno.h>
#include <string.h>

#include "pow/prim/blake2b.h"

/*
 * Blocks are kept as native 64-bit words, and the cache is read as
 * little-endian words by the dataset code; both agree only on
 * little-endian hosts, which is all minemeter targets.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pow/rx/argon2d.c assumes a little-endian host"
#endif

#define ARGON2D_VERSION     0x13
#define ARGON2D_TYPE        0 /* Argon2d in H0's type field */
#define ARGON2D_SYNC_POINTS 4
#define ARGON2D_MAX_LANES   0xFFFFFFu

static void store32_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline uint64_t rotr64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/* BlaMka's multiplication-hardened addition (RFC 9106, 3.6). */
static inline uint64_t blamka(uint64_t x, uint64_t y)
{
    return x + y + 2 * (uint64_t)(uint32_t)x * (uint32_t)y;
}

#define GB(a, b, c, d)                                                                             \
    do {                                                                                           \
        a = blamka(a, b);                                                                          \
        d = rotr64(d ^ a, 32);                                                                     \
        c = blamka(c, d);                                                                          \
        b = rotr64(b ^ c, 24);                                                                     \
        a = blamka(a, b);                                                                          \
        d = rotr64(d ^ a, 16);                                                                     \
        c = blamka(c, d);                                                                          \
        b = rotr64(b ^ c, 63);                                                                     \
    } while (0)

/* The permutation P on sixteen words: four column rounds, four diagonal rounds. */
#define P(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15)                    \
    do {                                                                                           \
        GB(v0, v4, v8, v12);                                                                       \
        GB(v1, v5, v9, v13);                                                                       \
        GB(v2, v6, v10, v14);                                                                      \
        GB(v3, v7, v11, v15);                                                                      \
        GB(v0, v5, v10, v15);                                                                      \
        GB(v1, v6, v11, v12);                                                                      \
        GB(v2, v7, v8, v13);                                                                       \
        GB(v3, v4, v9, v14);                                                                       \
    } while (0)

/* Row i of the 8x8 matrix of 16-byte registers is words 16i .. 16i+15. */
#define P_ROW(q, i)                                                                                \
    P(q[16 * (i) + 0], q[16 * (i) + 1], q[16 * (i) + 2], q[16 * (i) + 3], q[16 * (i) + 4],         \
      q[16 * (i) + 5], q[16 * (i) + 6], q[16 * (i) + 7], q[16 * (i) + 8], q[16 * (i) + 9],         \
      q[16 * (i) + 10], q[16 * (i) + 11], q[16 * (i) + 12], q[16 * (i) + 13], q[16 * (i) + 14],    \
      q[16 * (i) + 15])

/* Column i is the register pair at words 2i, 2i+1 of every row. */
#define P_COLUMN(q, i)                                                                             \
    P(q[2 * (i) + 0], q[2 * (i) + 1], q[2 * (i) + 16], q[2 * (i) + 17], q[2 * (i) + 32],           \
      q[2 * (i) + 33], q[2 * (i) + 48], q[2 * (i) + 49], q[2 * (i) + 64], q[2 * (i) + 65],         \
      q[2 * (i) + 80], q[2 * (i) + 81], q[2 * (i) + 96], q[2 * (i) + 97], q[2 * (i) + 112],        \
      q[2 * (i) + 113])

void pow_rx_argon2d__compress_portable(uint64_t *restrict next, const uint64_t *prev,
                                       const uint64_t *ref, int xor_into_next)
{
    /* r keeps R (and, from the second pass on, R ^ old block) for the final XOR. */
    _Alignas(64) uint64_t r[POW_RX_ARGON2D_WORDS];
    _Alignas(64) uint64_t q[POW_RX_ARGON2D_WORDS];

    for (int i = 0; i < POW_RX_ARGON2D_WORDS; i++) {
        r[i] = prev[i] ^ ref[i];
        q[i] = r[i];
    }
    if (xor_into_next) {
        for (int i = 0; i < POW_RX_ARGON2D_WORDS; i++)
            r[i] ^= next[i];
    }

    P_ROW(q, 0);
    P_ROW(q, 1);
    P_ROW(q, 2);
    P_ROW(q, 3);
    P_ROW(q, 4);
    P_ROW(q, 5);
    P_ROW(q, 6);
    P_ROW(q, 7);

    P_COLUMN(q, 0);
    P_COLUMN(q, 1);
    P_COLUMN(q, 2);
    P_COLUMN(q, 3);
    P_COLUMN(q, 4);
    P_COLUMN(q, 5);
    P_COLUMN(q, 6);
    P_COLUMN(q, 7);

    for (int i = 0; i < POW_RX_ARGON2D_WORDS; i++)
        next[i] = q[i] ^ r[i];
}

static int check_params(const void *memory, const pow_rx_argon2d_params_t *params)
{
    if (memory == NULL || params == NULL)
        return -EINVAL;
    if (((uintptr_t)memory & 63) != 0)
        return -EINVAL;
    if (params->lanes < 1 || params->lanes > ARGON2D_MAX_LANES)
        return -EINVAL;
    if (params->passes < 1)
        return -EINVAL;
    if (params->memory_kib < 2 * ARGON2D_SYNC_POINTS * (uint64_t)params->lanes)
        return -EINVAL;
    if (params->salt_len > UINT32_MAX || (params->salt == NULL && params->salt_len != 0))
        return -EINVAL;
    return 0;
}

void pow_rx_argon2d__initial_hash(uint8_t h0[64], const pow_rx_argon2d_params_t *params,
                                  uint32_t tag_len, const void *password, size_t password_len,
                                  const void *secret, size_t secret_len, const void *ad,
                                  size_t ad_len)
{
    uint8_t field[4];
    pow_blake2b_t s;
    pow_blake2b_init(&s, 64);

    const uint32_t head[6] = {params->lanes,  tag_len,         params->memory_kib,
                              params->passes, ARGON2D_VERSION, ARGON2D_TYPE};
    for (int i = 0; i < 6; i++) {
        store32_le(field, head[i]);
        pow_blake2b_update(&s, field, 4);
    }

    const void *data[4] = {password, params->salt, secret, ad};
    const size_t len[4] = {password_len, params->salt_len, secret_len, ad_len};
    for (int i = 0; i < 4; i++) {
        store32_le(field, (uint32_t)len[i]);
        pow_blake2b_update(&s, field, 4);
        if (len[i] != 0)
            pow_blake2b_update(&s, data[i], len[i]);
    }
    pow_blake2b_final(&s, h0);
}

/*
 * The reference block is usually a cache miss, and G reads it in several
 * steps, each behind a long chain of arithmetic; asking for all sixteen
 * lines up front overlaps their misses instead of taking them in turn.
 */
static inline void prefetch_block(const uint64_t *block)
{
#if defined(__GNUC__)
    for (int i = 0; i < POW_RX_ARGON2D_BLOCK / 64; i++)
        __builtin_prefetch(block + 8 * i);
#else
    (void)block;
#endif
}

/*
 * Fills one segment of one lane (RFC 9106, 3.4): every block is G of the
 * block before it and a reference block chosen by the previous block's
 * first word, J1 its low half and J2 its high half.
 */
static void fill_segment(uint64_t *mem, uint32_t pass, uint32_t slice, uint32_t lane,
                         uint32_t lanes, uint32_t segment_len, pow_rx_argon2d__compress_fn compress)
{
    const uint32_t lane_len = ARGON2D_SYNC_POINTS * segment_len;
    const int first_slice = pass == 0 && slice == 0;
    /* Later passes offer the three segments after this one, oldest first. */
    const uint32_t window_start =
        pass == 0 || slice == ARGON2D_SYNC_POINTS - 1 ? 0 : (slice + 1) * segment_len;
    /* Finished segments: those before this slice in the first pass, three later on. */
    const uint32_t finished =
        pass == 0 ? slice * segment_len : (ARGON2D_SYNC_POINTS - 1) * segment_len;
    uint64_t *lane_base = mem + (size_t)lane * lane_len * POW_RX_ARGON2D_WORDS;

    for (uint32_t index = first_slice ? 2 : 0; index < segment_len; index++) {
        const uint32_t col = slice * segment_len + index;
        const uint32_t prev_col = col == 0 ? lane_len - 1 : col - 1;
        uint64_t *cur = lane_base + (size_t)col * POW_RX_ARGON2D_WORDS;
        const uint64_t *prev = lane_base + (size_t)prev_col * POW_RX_ARGON2D_WORDS;

        const uint64_t pseudo_rand = prev[0];
        const uint32_t j1 = (uint32_t)pseudo_rand;
        const uint32_t j2 = (uint32_t)(pseudo_rand >> 32);
        const uint32_t ref_lane = first_slice ? lane : j2 % lanes;

        /*
         * The reference set W: in this lane, the finished segments and this
         * segment so far except the block just before; in another lane, the
         * finished segments, less their last block when this block starts
         * a segment (RFC 9106, 3.4.2).
         */
        uint32_t area;
        if (ref_lane == lane)
            area = finished + index - 1;
        else
            area = finished - (index == 0 ? 1u : 0u);

        const uint64_t x = ((uint64_t)j1 * j1) >> 32;
        const uint64_t y = (area * x) >> 32;
        const uint32_t ref_col = (window_start + area - 1 - (uint32_t)y) % lane_len;
        const uint64_t *ref = mem + ((size_t)ref_lane * lane_len + ref_col) * POW_RX_ARGON2D_WORDS;

        prefetch_block(ref);
        compress(cur, prev, ref, pass != 0);
    }
}

int pow_rx_argon2d__fill_from_h0(void *memory, const pow_rx_argon2d_params_t *params,
                                 const uint8_t h0[64], pow_rx_argon2d__compress_fn compress)
{
    int rc = check_params(memory, params);
    if (rc != 0)
        return rc;

    uint64_t *mem = memory;
    const uint32_t lanes = params->lanes;
    const uint32_t segment_len = params->memory_kib / (ARGON2D_SYNC_POINTS * lanes);
    const uint32_t lane_len = ARGON2D_SYNC_POINTS * segment_len;

    /* B[i][0] and B[i][1] = H'^1024(H0 || LE32(0 or 1) || LE32(i)). */
    uint8_t seed[64 + 8];
    uint8_t block[POW_RX_ARGON2D_BLOCK];
    memcpy(seed, h0, 64);
    for (uint32_t lane = 0; lane < lanes; lane++) {
        for (uint32_t j = 0; j < 2; j++) {
            store32_le(seed + 64, j);
            store32_le(seed + 68, lane);
            pow_blake2b_long(block, sizeof(block), seed, sizeof(seed));
            uint64_t *dst = mem + ((size_t)lane * lane_len + j) * POW_RX_ARGON2D_WORDS;
            for (int w = 0; w < POW_RX_ARGON2D_WORDS; w++)
                dst[w] = load64_le(block + 8 * w);
        }
    }

    /*
     * A segment only references other lanes' finished segments, so filling
     * the lanes of one slice one after another gives the parallel result.
     */
    for (uint32_t pass = 0; pass < params->passes; pass++)
        for (uint32_t slice = 0; slice < ARGON2D_SYNC_POINTS; slice++)
            for (uint32_t lane = 0; lane < lanes; lane++)
                fill_segment(mem, pass, slice, lane, lanes, segment_len, compress);
    return 0;
}

int pow_rx_argon2d__fill_key(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                             size_t key_len, pow_rx_argon2d__compress_fn compress)
{
    if (key_len > UINT32_MAX || (key == NULL && key_len != 0))
        return -EINVAL;
    int rc = check_params(memory, params);
    if (rc != 0)
        return rc;
    uint8_t h0[64];
    pow_rx_argon2d__initial_hash(h0, params, 0, key, key_len, NULL, 0, NULL, 0);
    return pow_rx_argon2d__fill_from_h0(memory, params, h0, compress);
}

int pow_rx_argon2d_fill(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                        size_t key_len)
{
    return pow_rx_argon2d__fill_key(memory, params, key, key_len,
                                    pow_rx_argon2d__compress_portable);
}
