/*
 * Fibers (arch/fiber.c): control passes back and forth in order, each side
 * keeps its registers and its rounding mode, stacks are deep enough for
 * real work, and a finished fiber can be started again.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fenv.h>
#include <string.h>

#include "arch/fiber.h"

#define STACK_BYTES ((size_t)256 << 10)

static void create_or_skip(arch_fiber_t *f)
{
    int rc = arch_fiber_create(f, STACK_BYTES);
    if (!arch_fiber_supported()) {
        cr_expect_eq(rc, -ENOTSUP);
        cr_skip_test("no fibers on this machine");
    }
    cr_assert_eq(rc, 0, "create: %d", rc);
}

typedef struct {
    arch_fiber_t *self;
    int *trace;
    int n;
    int steps;
} counter_t;

/* Writes 10 + i to the trace, yields, three times. */
static void count_and_yield(void *arg)
{
    counter_t *c = arg;
    for (int i = 0; i < c->steps; i++) {
        c->trace[c->n++] = 10 + i;
        arch_fiber_yield(c->self);
    }
}

Test(arch_fiber, control_alternates_between_caller_and_fiber_in_order)
{
    arch_fiber_t f;
    create_or_skip(&f);
    int trace[16];
    counter_t c = {&f, trace, 0, 3};
    arch_fiber_start(&f, count_and_yield, &c);
    while (!arch_fiber_finished(&f)) {
        trace[c.n++] = 1; /* the caller's turn */
        arch_fiber_resume(&f);
    }
    static const int want[] = {1, 10, 1, 11, 1, 12, 1};
    cr_assert_eq(c.n, 7, "%d entries", c.n);
    for (int i = 0; i < 7; i++)
        cr_expect_eq(trace[i], want[i], "entry %d: %d", i, trace[i]);
    arch_fiber_destroy(&f);
}

Test(arch_fiber, several_fibers_interleave_and_a_finished_one_starts_again)
{
    arch_fiber_t f[3];
    counter_t c[3];
    int trace[3][8];
    for (int k = 0; k < 3; k++) {
        create_or_skip(&f[k]);
        c[k] = (counter_t){&f[k], trace[k], 0, k + 1};
        arch_fiber_start(&f[k], count_and_yield, &c[k]);
    }
    for (int round = 0; round < 4; round++) {
        for (int k = 0; k < 3; k++) {
            if (!arch_fiber_finished(&f[k]))
                arch_fiber_resume(&f[k]);
        }
    }
    for (int k = 0; k < 3; k++) {
        cr_expect(arch_fiber_finished(&f[k]));
        cr_expect_eq(c[k].n, k + 1);
        for (int i = 0; i <= k; i++)
            cr_expect_eq(trace[k][i], 10 + i);
    }
    /* The same stack again, from the start. */
    c[2].n = 0;
    arch_fiber_start(&f[2], count_and_yield, &c[2]);
    cr_expect(!arch_fiber_finished(&f[2]));
    while (!arch_fiber_finished(&f[2]))
        arch_fiber_resume(&f[2]);
    cr_expect_eq(c[2].n, 3);
    for (int k = 0; k < 3; k++)
        arch_fiber_destroy(&f[k]);
}

typedef struct {
    arch_fiber_t *self;
    int mode_seen[2];
} rounding_t;

/* Rounds upward, yields, and checks the mode is still its own when resumed. */
static void round_upward(void *arg)
{
    rounding_t *r = arg;
    fesetround(FE_UPWARD);
    r->mode_seen[0] = fegetround();
    arch_fiber_yield(r->self);
    r->mode_seen[1] = fegetround();
}

Test(arch_fiber, each_side_keeps_its_own_rounding_mode)
{
    arch_fiber_t f;
    create_or_skip(&f);
    rounding_t r = {&f, {-1, -1}};
    fesetround(FE_TOWARDZERO);
    arch_fiber_start(&f, round_upward, &r);
    arch_fiber_resume(&f);
    cr_expect_eq(fegetround(), FE_TOWARDZERO, "the caller's mode survives the fiber's");
    fesetround(FE_DOWNWARD);
    arch_fiber_resume(&f);
    cr_expect_eq(fegetround(), FE_DOWNWARD);
    cr_expect_eq(r.mode_seen[0], FE_UPWARD);
    cr_expect_eq(r.mode_seen[1], FE_UPWARD, "the fiber's mode survives the caller's");
    fesetround(FE_TONEAREST);
    arch_fiber_destroy(&f);
}

/* Recursion that needs its frames: sums depth .. 1, each read back from a 256-byte frame. */
static unsigned long deep(unsigned depth)
{
    volatile unsigned char frame[256];
    memset((void *)frame, (int)depth, sizeof(frame));
    if (depth == 0)
        return 0;
    return deep(depth - 1) + frame[depth % sizeof(frame)];
}

typedef struct {
    arch_fiber_t *self;
    unsigned long sum;
} deep_t;

static void recurse(void *arg)
{
    deep_t *d = arg;
    d->sum = deep(200);
    arch_fiber_yield(d->self);
    d->sum += deep(200);
}

Test(arch_fiber, a_fiber_stack_holds_deep_calls_across_yields)
{
    arch_fiber_t f;
    create_or_skip(&f);
    deep_t d = {&f, 0};
    arch_fiber_start(&f, recurse, &d);
    arch_fiber_resume(&f);
    unsigned long once = d.sum;
    cr_expect_eq(once, 200ul * 201 / 2, "%lu", once);
    arch_fiber_resume(&f);
    cr_expect(arch_fiber_finished(&f));
    cr_expect_eq(d.sum, 2 * once);
    arch_fiber_destroy(&f);
}

#if defined(__aarch64__)
typedef struct {
    arch_fiber_t *self;
    double kept[8]; /* what the fiber's d8-d15 held after the yield */
} floats_t;

/* Holds -8.5 ... -15.5 in d8-d15 across a yield. */
static void hold_callee_saved_floats(void *arg)
{
    floats_t *t = arg;
    register double d8 __asm__("d8") = -8.5, d9 __asm__("d9") = -9.5, d10 __asm__("d10") = -10.5,
                       d11 __asm__("d11") = -11.5, d12 __asm__("d12") = -12.5,
                       d13 __asm__("d13") = -13.5, d14 __asm__("d14") = -14.5,
                       d15 __asm__("d15") = -15.5;
    __asm__ volatile(""
                     : "+w"(d8), "+w"(d9), "+w"(d10), "+w"(d11), "+w"(d12), "+w"(d13), "+w"(d14),
                       "+w"(d15));
    arch_fiber_yield(t->self);
    __asm__ volatile(""
                     : "+w"(d8), "+w"(d9), "+w"(d10), "+w"(d11), "+w"(d12), "+w"(d13), "+w"(d14),
                       "+w"(d15));
    double kept[8] = {d8, d9, d10, d11, d12, d13, d14, d15};
    memcpy(t->kept, kept, sizeof(kept));
}

/*
 * AAPCS64 makes d8-d15 callee-saved: each side's values in them must
 * survive the other side running with its own values there.
 */
Test(arch_fiber, each_side_keeps_its_own_d8_to_d15)
{
    arch_fiber_t f;
    create_or_skip(&f);
    floats_t t = {&f, {0}};
    arch_fiber_start(&f, hold_callee_saved_floats, &t);
    register double d8 __asm__("d8") = 8.5, d9 __asm__("d9") = 9.5, d10 __asm__("d10") = 10.5,
                       d11 __asm__("d11") = 11.5, d12 __asm__("d12") = 12.5,
                       d13 __asm__("d13") = 13.5, d14 __asm__("d14") = 14.5,
                       d15 __asm__("d15") = 15.5;
    __asm__ volatile(""
                     : "+w"(d8), "+w"(d9), "+w"(d10), "+w"(d11), "+w"(d12), "+w"(d13), "+w"(d14),
                       "+w"(d15));
    arch_fiber_resume(&f);
    __asm__ volatile(""
                     : "+w"(d8), "+w"(d9), "+w"(d10), "+w"(d11), "+w"(d12), "+w"(d13), "+w"(d14),
                       "+w"(d15));
    double got[8] = {d8, d9, d10, d11, d12, d13, d14, d15};
    for (int i = 0; i < 8; i++)
        cr_expect_eq(got[i], 8.5 + i, "the caller's d%d: %g", 8 + i, got[i]);
    arch_fiber_resume(&f);
    cr_assert(arch_fiber_finished(&f));
    for (int i = 0; i < 8; i++)
        cr_expect_eq(t.kept[i], -8.5 - i, "the fiber's d%d: %g", 8 + i, t.kept[i]);
    arch_fiber_destroy(&f);
}
#endif
