/*
 * Memory for generated code, never writable and executable at once (W^X).
 *
 * Two forms. The single mapping is mapped read-write, written, then
 * switched to read-execute; writing it again first switches it back (one
 * mprotect each way). The dual mapping maps one memfd twice: a read-write
 * view where code is written and a read-execute view where it runs, so code
 * can be rewritten as often as wanted without a system call; it falls back
 * to one switched mapping where memfd is refused or where the second view
 * would run stale code (qemu-user).
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

/*
 * Code memory written through rw and run through rx. With two views
 * (dual_view set) both are always usable. Without (the fallback) rw == rx
 * is one mapping that is writable only between arch_jit_dual_begin_write
 * and arch_jit_dual_end_write, executable only outside.
 */
typedef struct {
    uint8_t *rw;
    const uint8_t *rx;
    size_t size;
    int dual_view; /* 1: two views of one memfd; 0: one mapping switched by mprotect */
} arch_jit_dual_t;

/*
 * Maps size bytes (rounded up to whole pages) of code memory, two views of
 * one memfd when the system allows it, else one mapping. Returns 0 or a
 * negative errno; on failure m is zeroed.
 */
int arch_jit_dual_map(arch_jit_dual_t *m, size_t size);

/* Opens m for writing: a no-op with two views. Returns 0 or a negative errno. */
int arch_jit_dual_begin_write(arch_jit_dual_t *m);

/*
 * Closes m for writing: makes it executable again where needed and flushes
 * the instruction cache over the first used bytes. Returns 0 or a negative
 * errno.
 */
int arch_jit_dual_end_write(arch_jit_dual_t *m, size_t used);

/* Unmaps both views; safe on a zeroed struct. */
void arch_jit_dual_unmap(arch_jit_dual_t *m);

/*
 * Nonzero when code rewritten through a read-write view is what its
 * read-execute view runs, checked once per process by running a rewritten
 * function. Every CPU passes; qemu-user does not (it does not see writes
 * through another mapping), and arch_jit_dual_map then maps one switched
 * mapping.
 */
int arch_jit__dual_views_run_rewrites(void);

/* For tests: maps the fallback form (one mapping switched by mprotect) directly. */
int arch_jit__dual_map_single(arch_jit_dual_t *m, size_t size);

#endif
