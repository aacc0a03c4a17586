/*
 * Fibers: functions that run on stacks of their own and hand the CPU back
 * and forth with their caller, in one thread, without the kernel. A switch
 * saves what the ABI says a call preserves (the callee-saved registers, the
 * floating-point control: MXCSR and the x87 word, or FPCR) and swaps
 * stacks: a few nanoseconds.
 *
 * minemeter uses them to run several RandomX hashes in one thread in
 * lockstep: each stops where it needs a dataset item, and the items of all
 * are computed together (pow/rx/group.c).
 *
 * x86-64 and AArch64; elsewhere arch_fiber_supported() is 0 and arch_fiber_create
 * says -ENOTSUP. Under AddressSanitizer every switch is announced to it.
 */
#ifndef MINEMETER_ARCH_FIBER_H
#define MINEMETER_ARCH_FIBER_H

#include <stddef.h>

typedef struct arch_fiber {
    void *sp;        /* its stack pointer while it is not running */
    void *caller_sp; /* the resumer's while it runs */
    void (*fn)(void *);
    void *arg;
    unsigned char *stack; /* mmap'ed, a guard page below */
    size_t stack_size;    /* usable bytes above the guard page */
    int finished;
    /* AddressSanitizer's bookkeeping of the two stacks. */
    void *fake_stack, *caller_fake_stack;
    const void *caller_bottom;
    size_t caller_size;
} arch_fiber_t;

/* Nonzero where fibers are built (x86-64, AArch64). */
int arch_fiber_supported(void);

/*
 * Maps a stack of stack_size bytes (rounded up to pages, a guard page
 * below) for f. Returns 0, -ENOTSUP where fibers are not built, or the
 * negative errno of mmap.
 */
int arch_fiber_create(arch_fiber_t *f, size_t stack_size);

/*
 * Makes f run fn(arg) from the start at its next resume. f must not be
 * running; it may be fresh, finished, or stopped part way (a yielded
 * fiber that will never be resumed is simply started again: what was on
 * its stack is dropped, so it must own nothing that needs releasing).
 */
void arch_fiber_start(arch_fiber_t *f, void (*fn)(void *), void *arg);

/* Runs f until it yields or fn returns. f must be started and not finished. */
void arch_fiber_resume(arch_fiber_t *f);

/* From inside f: back to the resume that ran it. */
void arch_fiber_yield(arch_fiber_t *f);

/* Nonzero once fn has returned. */
int arch_fiber_finished(const arch_fiber_t *f);

/* Unmaps the stack; f must not be running. Safe on a zeroed struct. */
void arch_fiber_destroy(arch_fiber_t *f);

#endif
