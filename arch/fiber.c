/*
 * Fibers on x86-64 (System V) and AArch64 (AAPCS64): the stack switch is
 * a few dozen instructions of assembly per architecture, the rest is C.
 *
 * A stopped fiber's stack on x86-64, from its saved stack pointer up:
 *
 *   sp + 0    MXCSR (4 bytes), x87 control word (2 bytes), padding
 *   sp + 8    r15, r14, r13, r12, rbx, rbp
 *   sp + 56   where the switch returns to
 *
 * and on AArch64:
 *
 *   sp + 0    x19 ... x28, x29 (frame pointer), x30 (where the switch returns to)
 *   sp + 96   d8 ... d15 (the low halves of v8-v15 a call preserves)
 *   sp + 160  FPCR (the rounding mode), padding to 176 bytes
 *
 * A fresh stack is laid out the same way, returning into fiber_trampoline
 * with the fiber in r12 (x19) and the stack pointer 16-byte aligned, as a
 * call needs.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/fiber.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__) || defined(__aarch64__)

/* Saves the running context's stack pointer in *save, continues the one at load. */
void arch__fiber_switch(void **save, void *load);
/* Where a fresh fiber starts: calls arch__fiber_main(r12 or x19) and never returns. */
void arch__fiber_trampoline(void);

#if defined(__x86_64__)

__asm__(".text\n"
        ".globl arch__fiber_switch\n"
        ".hidden arch__fiber_switch\n"
        ".type arch__fiber_switch, @function\n"
        "arch__fiber_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size arch__fiber_switch, .-arch__fiber_switch\n"
        ".globl arch__fiber_trampoline\n"
        ".hidden arch__fiber_trampoline\n"
        ".type arch__fiber_trampoline, @function\n"
        "arch__fiber_trampoline:\n"
        "    movq %r12, %rdi\n"
        "    call arch__fiber_main\n"
        "    ud2\n"
        ".size arch__fiber_trampoline, .-arch__fiber_trampoline\n");

/* The stopped-context layout above, in words. */
enum { SAVED_CONTROL, SAVED_R15, SAVED_R14, SAVED_R13, SAVED_R12, SAVED_RBX, SAVED_RBP, SAVED_RET };

/* The stopped context of a fiber that has not run yet, below top (16-byte aligned). */
static void *initial_context(arch_fiber_t *f, uintptr_t top)
{
    /* The return slot at top - 24 leaves rsp at top - 16 in the trampoline: aligned. */
    uint64_t *frame = (uint64_t *)(top - 24) - SAVED_RET;
    memset(frame, 0, (SAVED_RET + 1) * sizeof(uint64_t));
    uint32_t mxcsr;
    uint16_t fpucw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fpucw));
    frame[SAVED_CONTROL] = mxcsr | (uint64_t)fpucw << 32;
    frame[SAVED_R12] = (uint64_t)(uintptr_t)f;
    frame[SAVED_RET] = (uint64_t)(uintptr_t)arch__fiber_trampoline;
    return frame;
}

#else /* AArch64 */

__asm__(".text\n"
        ".globl arch__fiber_switch\n"
        ".hidden arch__fiber_switch\n"
        ".type arch__fiber_switch, %function\n"
        "arch__fiber_switch:\n"
        "    sub sp, sp, #176\n"
        "    stp x19, x20, [sp, #0]\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    stp d8, d9, [sp, #96]\n"
        "    stp d10, d11, [sp, #112]\n"
        "    stp d12, d13, [sp, #128]\n"
        "    stp d14, d15, [sp, #144]\n"
        "    mrs x9, fpcr\n"
        "    str x9, [sp, #160]\n"
        "    mov x9, sp\n"
        "    str x9, [x0]\n"
        "    mov sp, x1\n"
        "    ldr x9, [sp, #160]\n"
        "    msr fpcr, x9\n"
        "    ldp d14, d15, [sp, #144]\n"
        "    ldp d12, d13, [sp, #128]\n"
        "    ldp d10, d11, [sp, #112]\n"
        "    ldp d8, d9, [sp, #96]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x19, x20, [sp, #0]\n"
        "    add sp, sp, #176\n"
        "    ret\n"
        ".size arch__fiber_switch, .-arch__fiber_switch\n"
        ".globl arch__fiber_trampoline\n"
        ".hidden arch__fiber_trampoline\n"
        ".type arch__fiber_trampoline, %function\n"
        "arch__fiber_trampoline:\n"
        "    mov x0, x19\n"
        "    bl arch__fiber_main\n"
        "    brk #1\n"
        ".size arch__fiber_trampoline, .-arch__fiber_trampoline\n");

/* The stopped-context layout above, in words. */
enum { SAVED_X19 = 0, SAVED_X29 = 10, SAVED_X30 = 11, SAVED_FPCR = 20, SAVED_WORDS = 22 };

/* The stopped context of a fiber that has not run yet, below top (16-byte aligned). */
static void *initial_context(arch_fiber_t *f, uintptr_t top)
{
    /* The switch's final add leaves sp at top, aligned as a call needs. */
    uint64_t *frame = (uint64_t *)top - SAVED_WORDS;
    memset(frame, 0, SAVED_WORDS * sizeof(uint64_t));
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    frame[SAVED_FPCR] = fpcr;
    frame[SAVED_X19] = (uint64_t)(uintptr_t)f;
    frame[SAVED_X30] = (uint64_t)(uintptr_t)arch__fiber_trampoline;
    return frame;
}

#endif

/* Leaves f's stack for its caller's; finishing tells the sanitizer f's stack is done with. */
static void switch_to_caller(arch_fiber_t *f)
{
#ifdef FIBER_ASAN
    __sanitizer_start_switch_fiber(f->finished ? NULL : &f->fake_stack, f->caller_bottom,
                                   f->caller_size);
#endif
    arch__fiber_switch(&f->sp, f->caller_sp);
#ifdef FIBER_ASAN
    __sanitizer_finish_switch_fiber(f->fake_stack, &f->caller_bottom, &f->caller_size);
#endif
}

void arch__fiber_main(arch_fiber_t *f);
void arch__fiber_main(arch_fiber_t *f)
{
#ifdef FIBER_ASAN
    __sanitizer_finish_switch_fiber(NULL, &f->caller_bottom, &f->caller_size);
#endif
    f->fn(f->arg);
    f->finished = 1;
    switch_to_caller(f);
    abort(); /* a finished fiber is never resumed */
}

int arch_fiber_supported(void)
{
    return 1;
}

int arch_fiber_create(arch_fiber_t *f, size_t stack_size)
{
    memset(f, 0, sizeof(*f));
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    stack_size = (stack_size + page - 1) / page * page;
    unsigned char *p = mmap(NULL, stack_size + page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    /* An overflow faults on the guard page instead of running into other memory. */
    if (mprotect(p, page, PROT_NONE) != 0) {
        int rc = -errno;
        munmap(p, stack_size + page);
        return rc;
    }
    f->stack = p + page;
    f->stack_size = stack_size;
    return 0;
}

void arch_fiber_start(arch_fiber_t *f, void (*fn)(void *), void *arg)
{
    f->fn = fn;
    f->arg = arg;
    f->finished = 0;
#ifdef FIBER_ASAN
    /* Frames of a run given up part way never returned to clear their red zones. */
    __asan_unpoison_memory_region(f->stack, f->stack_size);
    f->fake_stack = NULL;
#endif
    uintptr_t top = ((uintptr_t)f->stack + f->stack_size) & ~(uintptr_t)15;
    f->sp = initial_context(f, top);
}

void arch_fiber_resume(arch_fiber_t *f)
{
#ifdef FIBER_ASAN
    __sanitizer_start_switch_fiber(&f->caller_fake_stack, f->stack, f->stack_size);
#endif
    arch__fiber_switch(&f->caller_sp, f->sp);
#ifdef FIBER_ASAN
    __sanitizer_finish_switch_fiber(f->caller_fake_stack, NULL, NULL);
#endif
}

void arch_fiber_yield(arch_fiber_t *f)
{
    switch_to_caller(f);
}

void arch_fiber_destroy(arch_fiber_t *f)
{
    if (f->stack != NULL) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        munmap(f->stack - page, f->stack_size + page);
    }
    memset(f, 0, sizeof(*f));
}

#else

int arch_fiber_supported(void)
{
    return 0;
}

int arch_fiber_create(arch_fiber_t *f, size_t stack_size)
{
    (void)stack_size;
    memset(f, 0, sizeof(*f));
    return -ENOTSUP;
}

void arch_fiber_start(arch_fiber_t *f, void (*fn)(void *), void *arg)
{
    f->fn = fn;
    f->arg = arg;
}

/* Never reached: without fibers, arch_fiber_create fails and there is nothing to resume. */
void arch_fiber_resume(arch_fiber_t *f)
{
    (void)f;
    abort();
}

void arch_fiber_yield(arch_fiber_t *f)
{
    (void)f;
    abort();
}

void arch_fiber_destroy(arch_fiber_t *f)
{
    memset(f, 0, sizeof(*f));
}

#endif

int arch_fiber_finished(const arch_fiber_t *f)
{
    return f->finished;
}
