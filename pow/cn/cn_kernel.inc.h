/*
 * The CryptoNight kernel, written once and compiled once per instruction
 * set. The including file provides cn_vec_t and the cn_vec_* operations
 * (cn_vec_portable.h, cn_vec_aesni.h ...) and names the kernel table with
 * CN_KERNEL_TABLE.
 *
 * The kernel body takes the variant's family as compile-time constants, so
 * each kernel in the table is a specialised copy without the branches of the
 * families it is not (as Monero's and XMRig's templates do); sizes stay run
 * time values.
 *
 * Sources: CNS008 for the base algorithm; Monero's slow-hash.c (variants 1,
 * 2 and 4) and XMRig's CryptoNight_x86.h (sub-variants) read as
 * specifications; ../shared/notes/cryptonight.md condenses both.
 */
#ifndef CN_KERNEL_TABLE
#error "define CN_KERNEL_TABLE and include a cn_vec_*.h header before cn_kernel.inc.h"
#endif

#include <fenv.h>
#include <stdint.h>
#include <string.h>

#include "pow/cn/cn_kernel.h"
#include "pow/cn/cn_v2_sqrt.h"
#include "pow/prim/aes.h"

#define CN_INLINE static inline __attribute__((always_inline))

/*
 * Loops over the eight blocks and ten rounds are unrolled whole: rolled, GCC
 * keeps the blocks in a stack array, and every AES round goes through a
 * store and a load (measured: explode and implode 2x slower).
 */
#if defined(__clang__)
#define CN_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define CN_UNROLL _Pragma("GCC unroll 16")
#else
#define CN_UNROLL
#endif

CN_INLINE uint64_t cn_load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

CN_INLINE void cn_store64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

CN_INLINE void cn_round_keys(const uint8_t key[32], cn_vec_t k[10])
{
    uint8_t rk[POW_AES_CN_ROUND_KEYS][16];
    pow_aes256_key_schedule10(key, rk);
    CN_UNROLL
    for (int i = 0; i < POW_AES_CN_ROUND_KEYS; i++)
        k[i] = cn_vec_load(rk[i]);
}

/* Ten AES rounds on eight independent blocks, round by round. */
CN_INLINE void cn_aes10(cn_vec_t x[8], const cn_vec_t k[10])
{
    CN_UNROLL
    for (int r = 0; r < POW_AES_CN_ROUND_KEYS; r++) {
        CN_UNROLL
        for (int b = 0; b < 8; b++)
            x[b] = cn_vec_aesenc(x[b], k[r]);
    }
}

/* cn-heavy's mixing: each block takes in its right neighbour, cyclically. */
CN_INLINE void cn_mix(cn_vec_t x[8])
{
    cn_vec_t first = x[0];
    CN_UNROLL
    for (int b = 0; b < 7; b++)
        x[b] = cn_vec_xor(x[b], x[b + 1]);
    x[7] = cn_vec_xor(x[7], first);
}

/* Fills the scratchpad from state bytes 64..191 with key state[0..31]. */
CN_INLINE void cn_explode(const uint8_t *state, uint8_t *pad, size_t memory, const int heavy)
{
    cn_vec_t k[10], x[8];
    cn_round_keys(state, k);
    CN_UNROLL
    for (int b = 0; b < 8; b++)
        x[b] = cn_vec_load(state + 64 + 16 * b);
    if (heavy) {
        for (int i = 0; i < 16; i++) {
            cn_aes10(x, k);
            cn_mix(x);
        }
    }
    for (size_t off = 0; off < memory; off += 128) {
        cn_aes10(x, k);
        CN_UNROLL
        for (int b = 0; b < 8; b++)
            cn_vec_store(pad + off + 16 * b, x[b]);
    }
}

/* Folds the scratchpad back into state bytes 64..191 with key state[32..63]. */
CN_INLINE void cn_implode(uint8_t *state, const uint8_t *pad, size_t memory, const int heavy)
{
    cn_vec_t k[10], x[8];
    cn_round_keys(state + 32, k);
    CN_UNROLL
    for (int b = 0; b < 8; b++)
        x[b] = cn_vec_load(state + 64 + 16 * b);
    for (int pass = 0; pass < (heavy ? 2 : 1); pass++) {
        for (size_t off = 0; off < memory; off += 128) {
            CN_UNROLL
            for (int b = 0; b < 8; b++)
                x[b] = cn_vec_xor(x[b], cn_vec_load(pad + off + 16 * b));
            cn_aes10(x, k);
            if (heavy)
                cn_mix(x);
        }
    }
    if (heavy) {
        for (int i = 0; i < 16; i++) {
            cn_aes10(x, k);
            cn_mix(x);
        }
    }
    CN_UNROLL
    for (int b = 0; b < 8; b++)
        cn_vec_store(state + 64 + 16 * b, x[b]);
}

/*
 * With table-driven AES (the portable path) explode and implode are made
 * once, not inlined into every kernel: their fully unrolled rounds, copied
 * into ten kernels, made basic blocks of thousands of loads on which GCC
 * 12's instruction combiner spent 4.5 minutes per compile of cn_portable.c
 * (now 35 s; a copy per kind took a minute). Measured one thread, two runs
 * each, out of line against inlined: cn/0 34.4, 33.4 against 34.9, 34.9
 * H/s, cn-heavy/0 19.6, 20.5 against 20.9, 20.2: within this VM's noise or
 * some 2% slower on the fallback path. The hardware-AES paths compile in
 * seconds and keep them inlined (out of line, cn/0 on AES-NI looked 5%
 * slower).
 */
#if defined(CN_VEC_TABLE_DRIVEN)
static __attribute__((noinline)) void cn_explode_out_of_line(const uint8_t *state, uint8_t *pad,
                                                             size_t memory, int heavy)
{
    cn_explode(state, pad, memory, heavy);
}

static __attribute__((noinline)) void cn_implode_out_of_line(uint8_t *state, const uint8_t *pad,
                                                             size_t memory, int heavy)
{
    cn_implode(state, pad, memory, heavy);
}
#define CN_EXPLODE cn_explode_out_of_line
#define CN_IMPLODE cn_implode_out_of_line
#else
#define CN_EXPLODE cn_explode
#define CN_IMPLODE cn_implode
#endif

/*
 * 64x64->128. On x86-64 one MUL: through unsigned __int128 GCC 12 passes
 * the operand and the product through a stack slot, a store and a load on
 * the loop's critical path (measured: cn/0 10% slower).
 */
CN_INLINE uint64_t cn_mul128(uint64_t a, uint64_t b, uint64_t *hi)
{
#if defined(__x86_64__) && defined(__GNUC__)
    uint64_t lo, high;
    __asm__("mulq %3" : "=a"(lo), "=d"(high) : "a"(a), "rm"(b) : "cc");
    *hi = high;
    return lo;
#else
    unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
#endif
}

/* Variant 2's shuffle of the other three 16-byte blocks of j's 64-byte line. */
typedef struct {
    cn_vec_t c1, c2, c3; /* The blocks at j ^ 0x10, 0x20, 0x30 before the stores. */
} cn_line_t;

CN_INLINE cn_line_t cn_shuffle(uint8_t *pad, uint64_t j, cn_vec_t a, cn_vec_t b0, cn_vec_t b1,
                               const int reverse, cn_vec_t xor_into_c1)
{
    cn_line_t old;
    old.c1 = cn_vec_load(pad + (j ^ 0x10));
    old.c2 = cn_vec_load(pad + (j ^ 0x20));
    old.c3 = cn_vec_load(pad + (j ^ 0x30));
    cn_vec_t from_10 = cn_vec_xor(old.c1, xor_into_c1);
    if (reverse) {
        cn_vec_store(pad + (j ^ 0x10), cn_vec_add64(from_10, b1));
        cn_vec_store(pad + (j ^ 0x20), cn_vec_add64(old.c3, b0));
    } else {
        cn_vec_store(pad + (j ^ 0x10), cn_vec_add64(old.c3, b1));
        cn_vec_store(pad + (j ^ 0x20), cn_vec_add64(from_10, b0));
    }
    cn_vec_store(pad + (j ^ 0x30), cn_vec_add64(old.c2, a));
    return old;
}

/* Variant 1's tweak of byte 11 of the block just written. */
CN_INLINE void cn_v1_tweak_byte11(uint8_t *block)
{
    uint8_t t = block[11];
    unsigned index = (unsigned)((((t >> 3) & 6) | (t & 1)) << 1);
    block[11] = (uint8_t)(t ^ ((0x75310u >> index) & 0x30));
}

/* A block as four little-endian 32-bit words, and back: for the tweaks that work on words. */
CN_INLINE void cn_vec_words(cn_vec_t v, uint32_t w[4])
{
    w[0] = (uint32_t)cn_vec_lo(v), w[1] = (uint32_t)(cn_vec_lo(v) >> 32);
    w[2] = (uint32_t)cn_vec_hi(v), w[3] = (uint32_t)(cn_vec_hi(v) >> 32);
}

CN_INLINE cn_vec_t cn_vec_of_words(const uint32_t w[4])
{
    return cn_vec_make(w[0] | (uint64_t)w[1] << 32, w[2] | (uint64_t)w[3] << 32);
}

/*
 * cn-heavy/tube's AES round (BitTube): the round of AESENC on the block's
 * complement, except that each output column, once made, is xored into the
 * input column it came from, so that the columns after it read that instead.
 */
CN_INLINE cn_vec_t cn_tube_round(cn_vec_t v, cn_vec_t key)
{
    uint32_t x[4], k[4];
    cn_vec_words(cn_vec_xor(v, cn_vec_make(~0ull, ~0ull)), x);
    cn_vec_words(key, k);
    CN_UNROLL
    for (int c = 0; c < 4; c++) {
        k[c] ^= pow__aes_te[0][x[c] & 0xff] ^ pow__aes_te[1][(x[(c + 1) & 3] >> 8) & 0xff] ^
                pow__aes_te[2][(x[(c + 2) & 3] >> 16) & 0xff] ^
                pow__aes_te[3][x[(c + 3) & 3] >> 24];
        x[c] ^= k[c];
    }
    return cn_vec_of_words(k);
}

/* A float's sign and mantissa under the exponent of 2.0: a value of magnitude in [2, 4). */
CN_INLINE float cn_ccx_squash(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof(bits));
    bits = (bits & 0x807FFFFFu) | 0x40000000u;
    memcpy(&f, &bits, sizeof(f));
    return f;
}

/*
 * cn/ccx's tweak (Conceal) of the block read before the AES round, lane by
 * lane of four 32-bit words with a running float sum per lane: the word as
 * a signed integer plus the sum, cubed and squashed, is added to the sum;
 * the sum from before, squashed and scaled to 31 bits, truncated, is xored
 * into the word. Single precision, rounding to nearest (the kernel sets it).
 */
CN_INLINE cn_vec_t cn_ccx_tweak(cn_vec_t v, float sum[4])
{
    uint32_t w[4];
    cn_vec_words(v, w);
    CN_UNROLL
    for (int i = 0; i < 4; i++) {
        float r = (float)(int32_t)w[i] + sum[i];
        r = r * (r * r);
        r = cn_ccx_squash(r);
        float before = cn_ccx_squash(sum[i]);
        sum[i] = sum[i] + r;
        w[i] ^= (uint32_t)(int32_t)(before * 536870880.0f);
    }
    return cn_vec_of_words(w);
}

/*
 * cn/r's random math: r0-r3 in and out, r4-r8 the low halves of a and the
 * low words of b0 and b1's halves, the nine in memory for the compiled C
 * entry (fn) or the interpreter (fn NULL). Where the AES-NI kernels are
 * built for x86-64, cn/r's loop is compiled whole instead (cn_r_jit.h), so
 * this serves the other paths, which interpret.
 */
CN_INLINE void cn_r_run(const cn_r_program_t *program, cn_r_jit_fn fn, uint32_t *r0, uint32_t *r1,
                        uint32_t *r2, uint32_t *r3, uint64_t al, uint64_t ah, cn_vec_t b0,
                        cn_vec_t b1)
{
    uint32_t r[9] = {*r0,
                     *r1,
                     *r2,
                     *r3,
                     (uint32_t)al,
                     (uint32_t)ah,
                     (uint32_t)cn_vec_lo(b0),
                     (uint32_t)cn_vec_lo(b1),
                     (uint32_t)cn_vec_hi(b1)};
    if (fn != NULL)
        fn(r);
    else
        pow_cn_r_execute(program, r);
    *r0 = r[0], *r1 = r[1], *r2 = r[2], *r3 = r[3];
}

enum { CN_FAMILY_V0, CN_FAMILY_V1, CN_FAMILY_V2, CN_FAMILY_R };

/* What sets a kernel apart besides its family, as compile-time flags. */
enum {
    CN_HEAVY = 1,   /* cn-heavy's mixing and division */
    CN_XHV = 2,     /* cn-heavy/xhv's inverted index */
    CN_REVERSE = 4, /* v2's reversed shuffle */
    CN_RTO = 8,     /* v1's tweak also xors in the low half */
    CN_TUBE = 16,   /* cn-heavy/tube's AES round */
    CN_CCX = 32,    /* cn/ccx's float tweak before the AES round */
};

CN_INLINE void cn_kernel_body(uint64_t h[25], uint8_t *pad, const pow_cn_algo_t *algo,
                              uint64_t tweak, const cn_r_program_t *program, const cn_r_jit_t *jit,
                              const int family, const int flags)
{
    const int heavy = flags & CN_HEAVY, xhv = flags & CN_XHV, reverse = flags & CN_REVERSE;
    const int rto = flags & CN_RTO, tube = flags & CN_TUBE, ccx = flags & CN_CCX;
    uint8_t *state = (uint8_t *)h;
    const size_t memory = algo->memory;
    const uint64_t mask = algo->mask;
    const uint32_t iterations = algo->iterations;

    CN_EXPLODE(state, pad, memory, heavy);

#if defined(CN_ASM_LOOPS)
    /* Variants 1 and 2's loops in assembly; cn/r's compiled whole with its program (cn_r_jit.h). */
    if ((family == CN_FAMILY_V1 && !heavy) || family == CN_FAMILY_V2 ||
        (family == CN_FAMILY_R && jit != NULL && jit->loop != NULL && iterations > 0)) {
        const cn_loop_input_t in = {
            .a = {h[0] ^ h[4], h[1] ^ h[5]},
            .b0 = {h[2] ^ h[6], h[3] ^ h[7]},
            .b1 = {h[8] ^ h[10], h[9] ^ h[11]},
            .division_result = h[12], /* cn/r: r0, r1 */
            .sqrt_result = h[13],     /* cn/r: r2, r3 */
            .mask = mask,
            .iterations = iterations,
            .tweak = tweak,
        };
        if (family == CN_FAMILY_V1)
            (rto ? pow__cn_v1_rto_loop_x86_64 : pow__cn_v1_loop_x86_64)(&in, pad);
        else if (family == CN_FAMILY_R)
            jit->loop(&in, pad);
        else if (reverse)
            pow__cn_v2_reverse_loop_x86_64(&in, pad);
        else
            pow__cn_v2_loop_x86_64(&in, pad);
        CN_IMPLODE(state, pad, memory, heavy);
        return;
    }
#endif

    cn_vec_t a = cn_vec_make(h[0] ^ h[4], h[1] ^ h[5]);
    cn_vec_t b0 = cn_vec_make(h[2] ^ h[6], h[3] ^ h[7]);
    cn_vec_t b1 = cn_vec_make(h[8] ^ h[10], h[9] ^ h[11]);
    uint64_t division_result = h[12];
    uint64_t sqrt_result = h[13];
    uint32_t r0 = (uint32_t)h[12], r1 = (uint32_t)(h[12] >> 32), r2 = (uint32_t)h[13],
             r3 = (uint32_t)(h[13] >> 32);
    const cn_vec_t zero = cn_vec_make(0, 0);
    uint64_t idx = cn_vec_lo(a);
    float ccx_sum[4] = {0, 0, 0, 0};
    const int caller_rounding = ccx ? fegetround() : 0;
    if (ccx)
        fesetround(FE_TONEAREST);

    for (uint32_t i = 0; i < iterations; i++) {
        /* First half-step: one AES round keyed by a. */
        uint64_t j = idx & mask;
        cn_vec_t c1;
        if (tube)
            c1 = cn_tube_round(cn_vec_load(pad + j), a);
        else if (ccx)
            c1 = cn_vec_aesenc(cn_ccx_tweak(cn_vec_load(pad + j), ccx_sum), a);
        else
            c1 = cn_vec_aesenc(cn_vec_load(pad + j), a);
        if (family >= CN_FAMILY_V2) {
            cn_line_t old = cn_shuffle(pad, j, a, b0, b1, reverse, zero);
            if (family == CN_FAMILY_R)
                c1 = cn_vec_xor(cn_vec_xor(c1, old.c3), cn_vec_xor(old.c1, old.c2));
        }
        cn_vec_store(pad + j, cn_vec_xor(b0, c1));
        if (family == CN_FAMILY_V1)
            cn_v1_tweak_byte11(pad + j);

        /* Second half-step: a 64x64->128 multiply. */
        idx = cn_vec_lo(c1);
        j = idx & mask;
        uint64_t cl = cn_load64(pad + j);
        uint64_t ch = cn_load64(pad + j + 8);
        uint64_t al = cn_vec_lo(a), ah = cn_vec_hi(a);
        if (family == CN_FAMILY_V2) {
            cl ^= division_result ^ (sqrt_result << 32);
            uint64_t c1_lo = cn_vec_lo(c1), c1_hi = cn_vec_hi(c1);
            uint32_t divisor = (uint32_t)(c1_lo + (uint32_t)(sqrt_result << 1)) | 0x80000001u;
            division_result = (uint32_t)(c1_hi / divisor) + ((c1_hi % divisor) << 32);
            sqrt_result = pow_cn_v2_sqrt(c1_lo + division_result);
        }
        if (family == CN_FAMILY_R) {
            cl ^= (uint64_t)(r0 + r1) | (uint64_t)(r2 + r3) << 32;
            cn_r_run(program, jit != NULL ? jit->fn : NULL, &r0, &r1, &r2, &r3, al, ah, b0, b1);
            al ^= r2 | (uint64_t)r3 << 32;
            ah ^= r0 | (uint64_t)r1 << 32;
        }
        uint64_t hi, lo = cn_mul128(cn_vec_lo(c1), cl, &hi);
        if (family == CN_FAMILY_V2) {
            /* The product is mixed into the line before the shuffle moves it. */
            cn_line_t old = cn_shuffle(pad, j, a, b0, b1, reverse, cn_vec_make(hi, lo));
            hi ^= cn_vec_lo(old.c2);
            lo ^= cn_vec_hi(old.c2);
        } else if (family == CN_FAMILY_R) {
            cn_line_t old = cn_shuffle(pad, j, a, b0, b1, 0, zero);
            c1 = cn_vec_xor(cn_vec_xor(c1, old.c3), cn_vec_xor(old.c1, old.c2));
        }
        al += hi;
        ah += lo;
        cn_store64(pad + j, al);
        if (family == CN_FAMILY_V1)
            cn_store64(pad + j + 8, rto ? ah ^ tweak ^ al : ah ^ tweak);
        else
            cn_store64(pad + j + 8, ah);
        al ^= cl;
        ah ^= ch;
        a = cn_vec_make(al, ah);
        idx = al;

        if (heavy) {
            uint8_t *p = pad + (idx & mask);
            int64_t n = (int64_t)cn_load64(p);
            int32_t d32;
            memcpy(&d32, p + 8, sizeof(d32));
            int64_t d = d32;
            int64_t divisor = d | 5;
            /* INT64_MIN / -1 traps on x86; define it as the wrapped quotient. */
            int64_t q = divisor == -1 ? (int64_t)(0 - (uint64_t)n) : n / divisor;
            cn_store64(p, (uint64_t)(n ^ q));
            idx = (uint64_t)((xhv ? ~d : d) ^ q);
        }
        if (family >= CN_FAMILY_V2)
            b1 = b0;
        b0 = c1;
    }
    if (ccx)
        fesetround(caller_rounding);

    CN_IMPLODE(state, pad, memory, heavy);
}

#define CN_DEFINE_KERNEL_WITH(attributes, name, family, flags)                                     \
    static attributes void name(uint64_t h[25], uint8_t *pad, const pow_cn_algo_t *algo,           \
                                uint64_t tweak, const cn_r_program_t *program,                     \
                                const cn_r_jit_t *jit)                                             \
    {                                                                                              \
        cn_kernel_body(h, pad, algo, tweak, program, jit, family, flags);                          \
    }
#define CN_DEFINE_KERNEL(name, family, flags) CN_DEFINE_KERNEL_WITH(, name, family, flags)
/*
 * cn-heavy's kernels keep a's halves in general registers: GCC's SLP
 * vectorizer otherwise pairs them in a vector register for the 16-byte
 * store, and the next index goes mul -> movq/pinsrq -> paddq -> pxor ->
 * movq on the critical path where four scalar adds and xors would do
 * (measured: cn-heavy/0 +2-4%; cn/0 showed no gain).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define CN_SCALAR __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define CN_SCALAR
#endif

CN_DEFINE_KERNEL(cn_kernel_v0, CN_FAMILY_V0, 0)
CN_DEFINE_KERNEL(cn_kernel_v1, CN_FAMILY_V1, 0)
CN_DEFINE_KERNEL(cn_kernel_v1_rto, CN_FAMILY_V1, CN_RTO)
CN_DEFINE_KERNEL(cn_kernel_v2, CN_FAMILY_V2, 0)
CN_DEFINE_KERNEL(cn_kernel_v2_reverse, CN_FAMILY_V2, CN_REVERSE)
CN_DEFINE_KERNEL(cn_kernel_r, CN_FAMILY_R, 0)
CN_DEFINE_KERNEL(cn_kernel_ccx, CN_FAMILY_V0, CN_CCX)
CN_DEFINE_KERNEL_WITH(CN_SCALAR, cn_kernel_heavy, CN_FAMILY_V0, CN_HEAVY)
CN_DEFINE_KERNEL_WITH(CN_SCALAR, cn_kernel_heavy_xhv, CN_FAMILY_V0, CN_HEAVY | CN_XHV)
/* cn-heavy/tube: heavy on v1's tweaks, cn/rto's store, and its own AES round. */
CN_DEFINE_KERNEL_WITH(CN_SCALAR, cn_kernel_heavy_tube, CN_FAMILY_V1, CN_HEAVY | CN_RTO | CN_TUBE)

const cn_kernel_fn CN_KERNEL_TABLE[CN_KERNEL_COUNT] = {
    [CN_KERNEL_V0] = cn_kernel_v0,
    [CN_KERNEL_V1] = cn_kernel_v1,
    [CN_KERNEL_V1_RTO] = cn_kernel_v1_rto,
    [CN_KERNEL_V2] = cn_kernel_v2,
    [CN_KERNEL_V2_REVERSE] = cn_kernel_v2_reverse,
    [CN_KERNEL_R] = cn_kernel_r,
    [CN_KERNEL_CCX] = cn_kernel_ccx,
    [CN_KERNEL_HEAVY] = cn_kernel_heavy,
    [CN_KERNEL_HEAVY_XHV] = cn_kernel_heavy_xhv,
    [CN_KERNEL_HEAVY_TUBE] = cn_kernel_heavy_tube,
};
