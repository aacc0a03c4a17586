/*
 * The RandomX virtual machine (spec chapters 4 and 5): programming it from
 * generator output, and running a program over the scratchpad. This is the
 * interpreter every faster path is checked against.
 */
#ifndef MINEMETER_POW_RX_VM_H
#define MINEMETER_POW_RX_VM_H

#include <stdint.h>

#include "pow/rx/variant.h"

typedef union {
    double d[2];
    uint64_t u[2];
} rx_fpair_t;

/* The 256-byte register file, laid out as the spec hashes it (little-endian). */
typedef struct {
    uint64_t r[8];
    rx_fpair_t f[4], e[4], a[4];
} rx_register_file_t;

_Static_assert(sizeof(rx_register_file_t) == 256, "the register file is hashed as 256 bytes");

/* A decoded instruction: operands resolved to pointers, immediates prepared. */
typedef struct {
    uint8_t kind;   /* rx_op_kind_t (vm.c) */
    uint8_t shift;  /* IADD_RS */
    int16_t target; /* CBRANCH: continue after this instruction index */
    uint32_t mem_mask;
    uint64_t imm;
    uint64_t cond_mask; /* CBRANCH */
    uint64_t *idst;
    const uint64_t *isrc;
    rx_fpair_t *fdst;
    const rx_fpair_t *fsrc;
} rx_op_t;

/* Where dataset items come from: the dataset itself, or the cache (light mode). */
typedef void (*rx_dataset_read_fn)(void *source, uint64_t item_number, uint64_t out[8]);

/* F/E mixing at the end of each v2 iteration (AES rounds): portable, AES-NI or ARMv8 crypto. */
typedef void (*rx_fe_mix_fn)(rx_fpair_t f[4], const rx_fpair_t e[4]);

typedef struct {
    const pow_rx_variant_t *variant;
    uint8_t *scratchpad; /* variant->scratchpad_l3 bytes, 64-byte aligned */
    rx_register_file_t reg;
    uint64_t zero; /* source of memory operands whose register is ignored */
    uint64_t emask[2];
    uint32_t ma, mx;
    unsigned read_reg[4];
    uint64_t dataset_offset;
    unsigned fprc; /* 0 nearest, 1 down, 2 up, 3 toward zero */
    uint8_t kind_of_opcode[256];
    rx_op_t ops[RX_PROGRAM_MAX_SIZE];
    const uint8_t *dataset;          /* fast mode: the whole dataset, else NULL */
    rx_dataset_read_fn dataset_read; /* light mode: computes an item */
    void *dataset_source;
    rx_fe_mix_fn fe_mix_v2;
} rx_vm_t;

/* Prepares the opcode table of vm->variant; call once after setting variant. */
void pow_rx_vm_setup(rx_vm_t *vm);

/*
 * Only the 128 bytes of configuration of a program: the a registers, ma,
 * mx, the read registers, the dataset offset and the E masks; integer
 * registers are reset. What a JIT needs before it compiles the
 * instructions itself.
 */
void pow_rx_vm_configure(rx_vm_t *vm, const uint8_t *program_bytes);

/*
 * Programs the VM from AesGenerator4R output: 128 bytes of configuration,
 * then variant->program_size 8-byte instructions. Integer registers are reset.
 */
void pow_rx_vm_program(rx_vm_t *vm, const uint8_t *program_bytes);

/*
 * Runs the decoded instructions once, without the loop around them: the
 * unit the per-instruction tests check.
 */
void pow_rx_vm_run_once(rx_vm_t *vm);

/* Runs the program loop (spec 4.6.2) in the caller's current rounding mode state. */
void pow_rx_vm_execute(rx_vm_t *vm);

/* Sets the FPU rounding mode for fprc (0-3). */
void pow_rx_set_rounding(unsigned fprc);

/* The portable F/E mix of v2 (soft AES). */
void pow_rx_fe_mix_portable(rx_fpair_t f[4], const rx_fpair_t e[4]);

/* The same with AES-NI (pow/rx/vm_fe_mix_aesni.c). */
void pow_rx_fe_mix_aesni(rx_fpair_t f[4], const rx_fpair_t e[4]);

/* The same with the ARMv8 crypto extensions (pow/rx/vm_fe_mix_armcrypto.c). */
void pow_rx_fe_mix_armcrypto(rx_fpair_t f[4], const rx_fpair_t e[4]);

#endif
