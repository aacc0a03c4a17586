/*
 * The RandomX VM as machine code: one program (spec chapter 5) and the
 * whole loop around it (spec 4.6.2, every iteration) compiled into one
 * function, with exactly the effect of pow_rx_vm_execute on the register
 * file, ma, mx, fprc and the scratchpad.
 *
 * A program is compiled once per execution (eight times per rx/0 hash), so
 * the code memory is mapped once and rewritten through a writable view
 * while it runs through an executable one: W^X without a system call per
 * program (arch/jit_memory.h).
 */
#ifndef MINEMETER_POW_RX_VM_JIT_H
#define MINEMETER_POW_RX_VM_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "arch/jit_memory.h"
#include "pow/rx/vm.h"

typedef void (*pow_rx_vm_jit_fn)(rx_vm_t *vm);

typedef struct {
    arch_jit_dual_t code;
    pow_rx_vm_jit_fn fn; /* NULL until a compilation succeeds */
} pow_rx_vm_jit_t;

/*
 * Nonzero when this build and CPU can run compiled programs: x86-64 with
 * AES-NI, AArch64 with the AES instructions (v2's F/E mix needs them).
 */
int pow_rx_vm_jit_supported(void);

/* Maps the code memory once. Returns 0, -ENOTSUP without a JIT, or a negative errno. */
int pow_rx_vm_jit_init(pow_rx_vm_jit_t *jit);

/*
 * Compiles the program of program_bytes (128 bytes of configuration, then
 * vm->variant->program_size instructions) for vm, after
 * pow_rx_vm_program(vm, program_bytes). What execution cannot change is
 * built into the code: the variant, read registers, dataset offset, and
 * the mode: fast mode reads vm->dataset (as it is now) inline, light mode
 * calls vm->dataset_read. Returns 0, -EINVAL for a program longer than
 * RX_PROGRAM_MAX_SIZE, -ENOTSUP without a JIT, or a negative errno; on
 * failure jit->fn is NULL.
 */
int pow_rx_vm_jit_compile(pow_rx_vm_jit_t *jit, const rx_vm_t *vm, const uint8_t *program_bytes);

/*
 * Runs the compiled program loop on vm: what pow_rx_vm_execute(vm) does.
 * The MXCSR rounding field is set from vm->fprc on entry and left in the
 * program's last mode on return (the other MXCSR bits are kept).
 */
void pow_rx_vm_jit_execute(const pow_rx_vm_jit_t *jit, rx_vm_t *vm);

/* Unmaps the code memory; safe on a zeroed struct. */
void pow_rx_vm_jit_release(pow_rx_vm_jit_t *jit);

/*
 * Inside pow/rx, for each architecture's compiler: the integer registers
 * the instruction at b (of kind) writes, as a bit set, counted as vm.c
 * counts them to find where a taken CBRANCH continues (after the last
 * writer of its register).
 */
unsigned pow_rx__vm_jit_registers_written(rx_instruction_kind_t kind, const uint8_t *b);

/* The code memory of a compiled program: the longest program's code fits. */
#define POW_RX_VM_JIT_BUFFER_SIZE 32768

/*
 * Inside pow/rx, each architecture's compiler: writes the function for
 * the program of program_bytes and vm (as pow_rx_vm_jit_compile says) at
 * code, capacity bytes at least POW_RX_VM_JIT_BUFFER_SIZE, and returns
 * the bytes written.
 */
size_t pow_rx__vm_jit_emit(uint8_t *code, size_t capacity, const rx_vm_t *vm,
                           const uint8_t *program_bytes);

#endif
