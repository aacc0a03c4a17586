/*
 * arch/jit_memory.c's dual mapping: code written through the read-write
 * view runs through the read-execute view, rewriting needs no switch, and
 * /proc/self/maps never shows a view that is writable and executable; the
 * mprotect fallback keeps the same rules.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch/jit_memory.h"

/* The permission string ("r-xs") of the mapping that holds addr, or "" when none does. */
static void permissions_of(const void *addr, char perms[5])
{
    FILE *fp = fopen("/proc/self/maps", "r");
    cr_assert_not_null(fp);
    char line[512];
    perms[0] = '\0';
    uintptr_t a = (uintptr_t)addr;
    while (fgets(line, sizeof(line), fp) != NULL) {
        unsigned long start, end;
        char p[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, p) == 3 && a >= start && a < end) {
            memcpy(perms, p, 5);
            break;
        }
    }
    fclose(fp);
}

/* Both ends of a range have exactly the permissions want. */
static void expect_range_permissions(const void *base, size_t size, const char *want,
                                     const char *what)
{
    char first[5], last[5];
    permissions_of(base, first);
    permissions_of((const uint8_t *)base + size - 1, last);
    cr_expect_str_eq(first, want, "%s (first byte)", what);
    cr_expect_str_eq(last, want, "%s (last byte)", what);
}

/* Writes a function returning value at the start of the memory (x86-64 or AArch64 code). */
static void write_return(uint8_t *code, uint32_t value)
{
#if defined(__aarch64__)
    uint32_t words[2] = {0x52800000u | (value & 0xFFFF) << 5, 0xD65F03C0u}; /* movz w0; ret */
    memcpy(code, words, sizeof(words));
#else
    code[0] = 0xB8; /* mov eax, imm32; ret */
    memcpy(code + 1, &value, 4);
    code[5] = 0xC3;
#endif
}

static void expect_returns(const uint8_t *code, uint32_t value)
{
#if defined(__x86_64__) || defined(__aarch64__)
    uint32_t (*fn)(void) = (uint32_t(*)(void))(uintptr_t)code;
    cr_expect_eq(fn(), value);
#else
    (void)code;
    (void)value;
#endif
}

/* Where the second view would run stale code (qemu-user), one switched mapping serves. */
static void skip_without_coherent_views(arch_jit_dual_t *m)
{
    if (arch_jit__dual_views_run_rewrites())
        return;
    cr_expect_eq(m->dual_view, 0, "stale code through a second view: one mapping");
    cr_expect_eq((const void *)m->rw, (const void *)m->rx);
    arch_jit_dual_unmap(m);
    cr_skip_test("a second view runs stale code here (an emulator): the switched mapping serves");
}

Test(jit_memory, dual_map_has_a_writable_view_and_a_separate_executable_one)
{
    arch_jit_dual_t m;
    cr_assert_eq(arch_jit_dual_map(&m, 10000), 0);
    skip_without_coherent_views(&m);
    cr_assert_eq(m.dual_view, 1, "memfd is available on this system: expected two views");
    cr_expect_geq(m.size, 10000u);
    cr_expect_neq((const void *)m.rw, (const void *)m.rx);
    expect_range_permissions(m.rw, m.size, "rw-s", "rw view");
    expect_range_permissions(m.rx, m.size, "r-xs", "rx view");
    arch_jit_dual_unmap(&m);
    cr_expect_null(m.rw);
}

Test(jit_memory, code_written_through_rw_runs_through_rx_and_rewrites_without_switching)
{
    arch_jit_dual_t m;
    cr_assert_eq(arch_jit_dual_map(&m, 4096), 0);
    for (uint32_t value = 1; value <= 3; value++) {
        cr_assert_eq(arch_jit_dual_begin_write(&m), 0);
        write_return(m.rw, 0x1000u * value);
        cr_assert_eq(arch_jit_dual_end_write(&m, 8), 0);
        cr_expect_eq(m.rx[1], m.rw[1], "the rx view sees the bytes written through rw");
        expect_returns(m.rx, 0x1000u * value);
        expect_range_permissions(m.rx, m.size, m.dual_view ? "r-xs" : "r-xp",
                                 "rx view after a rewrite");
    }
    arch_jit_dual_unmap(&m);
}

Test(jit_memory, single_mapping_fallback_is_writable_only_between_begin_and_end)
{
    arch_jit_dual_t m;
    cr_assert_eq(arch_jit__dual_map_single(&m, 4096), 0);
    cr_expect_eq(m.dual_view, 0);
    cr_expect_eq((const void *)m.rw, (const void *)m.rx);
    expect_range_permissions(m.rx, m.size, "r-xp", "at rest");
    cr_assert_eq(arch_jit_dual_begin_write(&m), 0);
    expect_range_permissions(m.rw, m.size, "rw-p", "while writing");
    write_return(m.rw, 77);
    cr_assert_eq(arch_jit_dual_end_write(&m, 8), 0);
    expect_range_permissions(m.rx, m.size, "r-xp", "after writing");
    expect_returns(m.rx, 77);
    arch_jit_dual_unmap(&m);
    cr_expect_null(m.rw);
}
