/*
 * RandomX variants as parameter sets (the reference's configuration.h,
 * made run-time values): rx/0 is Monero's RandomX, rx/2 its v2 with longer
 * programs, the CFROUND tweak, AES mixing of F and E, and the commitment.
 */
#ifndef MINEMETER_POW_RX_VARIANT_H
#define MINEMETER_POW_RX_VARIANT_H

#include <stddef.h>
#include <stdint.h>

/* Instruction kinds, in the order their frequencies are laid over opcodes 0-255. */
typedef enum {
    RX_IADD_RS,
    RX_IADD_M,
    RX_ISUB_R,
    RX_ISUB_M,
    RX_IMUL_R,
    RX_IMUL_M,
    RX_IMULH_R,
    RX_IMULH_M,
    RX_ISMULH_R,
    RX_ISMULH_M,
    RX_IMUL_RCP,
    RX_INEG_R,
    RX_IXOR_R,
    RX_IXOR_M,
    RX_IROR_R,
    RX_IROL_R,
    RX_ISWAP_R,
    RX_FSWAP_R,
    RX_FADD_R,
    RX_FADD_M,
    RX_FSUB_R,
    RX_FSUB_M,
    RX_FSCAL_R,
    RX_FMUL_R,
    RX_FDIV_M,
    RX_FSQRT_R,
    RX_CBRANCH,
    RX_CFROUND,
    RX_ISTORE,
    RX_INSTRUCTION_KINDS,
} rx_instruction_kind_t;

typedef struct pow_rx_variant {
    const char *name;       /* "rx/0" */
    const char *argon_salt; /* with its length below (it may hold NUL-free binary) */
    size_t argon_salt_len;
    uint32_t argon_memory_kib; /* cache size in KiB */
    uint32_t argon_iterations;
    uint32_t argon_lanes;
    uint32_t superscalar_latency;
    uint32_t program_size;       /* instructions per program */
    uint32_t program_iterations; /* loop iterations per program */
    uint32_t program_count;      /* chained programs per hash */
    uint32_t scratchpad_l1, scratchpad_l2, scratchpad_l3;
    int v2;                                  /* RandomX v2 rules */
    const uint8_t (*aes4r_keys)[16];         /* AesGenerator4R's eight keys */
    uint8_t frequency[RX_INSTRUCTION_KINDS]; /* opcodes per instruction kind, sum 256 */
} pow_rx_variant_t;

/* The variant called name ("rx/0", "rx/2"), or NULL. */
const pow_rx_variant_t *pow_rx_variant_find(const char *name);

/* The i-th shipped variant, or NULL past the end. */
const pow_rx_variant_t *pow_rx_variant_at(size_t i);

/* Dataset layout: shared by every variant. */
#define RX_DATASET_BASE_SIZE     2147483648u
#define RX_DATASET_EXTRA_SIZE    33554368u
#define RX_DATASET_ITEM_SIZE     64u
#define RX_DATASET_EXTRA_ITEMS   524287u
#define RX_CACHE_LINE_ALIGN_MASK 0x7FFFFFC0u
#define RX_CACHE_ACCESSES        8
#define RX_JUMP_BITS             8
#define RX_JUMP_OFFSET           8
#define RX_PROGRAM_MAX_SIZE      384
#define RX_STORE_L3_CONDITION    14

#endif
