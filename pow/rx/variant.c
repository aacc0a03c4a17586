/*
 * The shipped RandomX variants. A variant is listed only with published
 * vectors that prove it (tests/pow/rx).
 */
#include "pow/rx/variant.h"

#include <string.h>

#include "pow/rx/aes_hash.h"

/* RandomX configuration.h defaults: Monero's instruction frequencies. */
#define RX0_FREQUENCIES                                                                            \
    {                                                                                              \
        [RX_IADD_RS] = 16, [RX_IADD_M] = 7, [RX_ISUB_R] = 16, [RX_ISUB_M] = 7, [RX_IMUL_R] = 16,   \
        [RX_IMUL_M] = 4, [RX_IMULH_R] = 4, [RX_IMULH_M] = 1, [RX_ISMULH_R] = 4, [RX_ISMULH_M] = 1, \
        [RX_IMUL_RCP] = 8, [RX_INEG_R] = 2, [RX_IXOR_R] = 15, [RX_IXOR_M] = 5, [RX_IROR_R] = 8,    \
        [RX_IROL_R] = 2, [RX_ISWAP_R] = 4, [RX_FSWAP_R] = 4, [RX_FADD_R] = 16, [RX_FADD_M] = 5,    \
        [RX_FSUB_R] = 16, [RX_FSUB_M] = 5, [RX_FSCAL_R] = 6, [RX_FMUL_R] = 32, [RX_FDIV_M] = 4,    \
        [RX_FSQRT_R] = 6, [RX_CBRANCH] = 25, [RX_CFROUND] = 1, [RX_ISTORE] = 16,                   \
    }

/* What every shipped variant keeps of RandomX: the cache's size and lanes, SuperscalarHash, L1. */
#define RX_EVERY_VARIANT                                                                           \
    .argon_memory_kib = 262144, .argon_lanes = 1, .superscalar_latency = 170, .scratchpad_l1 = 16384

/* What Monero's v1 and v2 share: the cache, the scratchpad, the program count. */
#define RX_MONERO_COMMON                                                                           \
    RX_EVERY_VARIANT, .argon_salt = "RandomX\x03", .argon_salt_len = 8, .argon_iterations = 3,     \
                      .program_iterations = 2048, .program_count = 8, .scratchpad_l2 = 262144,     \
                      .scratchpad_l3 = 2097152, .aes4r_keys = pow_rx_aes4r_keys_rx0,               \
                      .frequency = RX0_FREQUENCIES

/*
 * RandomWOW (Wownero, wownero/RandomWOW configuration.h): its own salt and
 * AesGenerator4R keys, twice the programs at half the iterations, a 1 MiB
 * scratchpad, and frequencies moved from FMUL_R, CBRANCH and IROL_R to
 * IADD_RS, IROR_R, FSWAP_R, FADD_R and FSUB_R (still 256 in all).
 */
#define RXWOW_FREQUENCIES                                                                          \
    {                                                                                              \
        [RX_IADD_RS] = 25, [RX_IADD_M] = 7, [RX_ISUB_R] = 16, [RX_ISUB_M] = 7, [RX_IMUL_R] = 16,   \
        [RX_IMUL_M] = 4, [RX_IMULH_R] = 4, [RX_IMULH_M] = 1, [RX_ISMULH_R] = 4, [RX_ISMULH_M] = 1, \
        [RX_IMUL_RCP] = 8, [RX_INEG_R] = 2, [RX_IXOR_R] = 15, [RX_IXOR_M] = 5, [RX_IROR_R] = 10,   \
        [RX_IROL_R] = 0, [RX_ISWAP_R] = 4, [RX_FSWAP_R] = 8, [RX_FADD_R] = 20, [RX_FADD_M] = 5,    \
        [RX_FSUB_R] = 20, [RX_FSUB_M] = 5, [RX_FSCAL_R] = 6, [RX_FMUL_R] = 20, [RX_FDIV_M] = 4,    \
        [RX_FSQRT_R] = 6, [RX_CBRANCH] = 16, [RX_CFROUND] = 1, [RX_ISTORE] = 16,                   \
    }

static const pow_rx_variant_t variants[] = {
    {.name = "rx/0", RX_MONERO_COMMON, .program_size = 256, .v2 = 0},
    /* RandomX v2: longer programs; the rest of v2 is behind the v2 flag. */
    {.name = "rx/2", RX_MONERO_COMMON, .program_size = 384, .v2 = 1},
    {
        .name = "rx/wow",
        .argon_salt = "RandomWOW\x01",
        .argon_salt_len = 10,
        RX_EVERY_VARIANT,
        .argon_iterations = 3,
        .program_size = 256,
        .program_iterations = 1024,
        .program_count = 16,
        .scratchpad_l2 = 131072,
        .scratchpad_l3 = 1048576,
        .v2 = 0,
        .aes4r_keys = pow_rx_aes4r_keys_wow,
        .frequency = RXWOW_FREQUENCIES,
    },
    /*
     * RandomARQ (Arqma, arqma/RandomARQ configuration.h): Monero's
     * instructions and keys with its own salt, one Argon2 pass, a quarter
     * of the programs at half the iterations and a 256 KiB scratchpad.
     */
    {
        .name = "rx/arq",
        .argon_salt = "RandomARQ\x01",
        .argon_salt_len = 10,
        RX_EVERY_VARIANT,
        .argon_iterations = 1,
        .program_size = 256,
        .program_iterations = 1024,
        .program_count = 4,
        .scratchpad_l2 = 131072,
        .scratchpad_l3 = 262144,
        .v2 = 0,
        .aes4r_keys = pow_rx_aes4r_keys_rx0,
        .frequency = RX0_FREQUENCIES,
    },
};

#define VARIANT_COUNT (sizeof(variants) / sizeof(variants[0]))

const pow_rx_variant_t *pow_rx_variant_find(const char *name)
{
    for (size_t i = 0; i < VARIANT_COUNT; i++) {
        if (strcmp(variants[i].name, name) == 0)
            return &variants[i];
    }
    return NULL;
}

const pow_rx_variant_t *pow_rx_variant_at(size_t i)
{
    return i < VARIANT_COUNT ? &variants[i] : NULL;
}
