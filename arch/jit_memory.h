/*
 * Memory for generated code, never writable and executable at once (W^X):
 * it is mapped read-write, written, then switched to read-execute; writing
 * it again first switches it back.
 */
#ifndef MINEMETER_ARCH_JIT_MEMORY_H
#define MINEMETER_ARCH_JIT_MEMORY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Makes *code writable (and not executable), mapping size bytes first when
 * *code is NULL. Returns 0 or a negative errno.
 */
int arch_jit_memory_writable(uint8_t **code, size_t size);

/*
 * Makes code executable (and not writable) and flushes the instruction
 * cache over its first used bytes. Returns 0 or a negative errno.
 */
int arch_jit_memory_executable(uint8_t *code, size_t size, size_t used);

/* Unmaps code (size bytes); safe on NULL. */
void arch_jit_memory_free(uint8_t *code, size_t size);

#endif
