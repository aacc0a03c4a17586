/*
 * arch/cpu.c against what the kernel says about the same CPU in
 * /proc/cpuinfo (the kernel also hides features the OS does not enable).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cpu.h"

/* Copies the value of the first /proc/cpuinfo line whose key is key. */
static int cpuinfo_value(const char *key, char *out, size_t cap)
{
    FILE *fp = fopen("/proc/cpuinfo", "r");
    cr_assert_not_null(fp, "cannot read /proc/cpuinfo");
    static char line[8192];
    int found = 0;
    while (!found && fgets(line, sizeof(line), fp) != NULL) {
        char *colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        char *end = colon;
        while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - line) != strlen(key) || strncmp(line, key, strlen(key)) != 0)
            continue;
        const char *value = colon + 1;
        while (*value == ' ')
            value++;
        snprintf(out, cap, "%s", value);
        out[strcspn(out, "\n")] = '\0';
        found = 1;
    }
    fclose(fp);
    return found;
}

static int has_word(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
        int starts = p == list || p[-1] == ' ';
        int ends = p[len] == ' ' || p[len] == '\0';
        if (starts && ends)
            return 1;
    }
    return 0;
}

Test(arch_cpu, feature_word_agrees_with_proc_cpuinfo_flags)
{
    static char flags[8192];
#if defined(__x86_64__)
    cr_assert(cpuinfo_value("flags", flags, sizeof(flags)), "no flags line in /proc/cpuinfo");
#elif defined(__aarch64__)
    cr_assert(cpuinfo_value("Features", flags, sizeof(flags)), "no Features line");
#else
    cr_skip_test("no feature detection on this architecture");
#endif
    uint32_t known = arch_cpu_known_features();
    cr_assert_neq(known, 0);
    for (unsigned bit = 0; bit < 32; bit++) {
        uint32_t mask = 1u << bit;
        if (!(known & mask))
            continue;
        const char *name = arch_cpu_feature_name(mask);
        cr_assert_not_null(name, "feature bit %u has no name", bit);
        cr_expect_eq(arch_cpu_has(mask) != 0, has_word(flags, name),
                     "feature '%s': arch_cpu says %s, /proc/cpuinfo says %s", name,
                     arch_cpu_has(mask) ? "yes" : "no", has_word(flags, name) ? "yes" : "no");
    }
}

/*
 * Vendor and family are the CPU's; the brand string is only what CPUID says
 * now. The kernel read its "model name" once at boot, and a VM restored from
 * a snapshot or migrated may present another brand since (seen: CPUID
 * "Oxide Virtual Turin-like Processor", /proc/cpuinfo "AMD EPYC"), so the
 * brand is checked for form, not compared.
 */
Test(arch_cpu, identity_agrees_with_proc_cpuinfo)
{
    const arch_cpu_t *cpu = arch_cpu();
#if defined(__x86_64__)
    char value[256];
    cr_assert(cpuinfo_value("vendor_id", value, sizeof(value)));
    cr_expect_str_eq(cpu->vendor, value);
    cr_assert(cpuinfo_value("cpu family", value, sizeof(value)));
    cr_expect_eq(cpu->family, (unsigned)strtoul(value, NULL, 10));
    size_t len = strlen(cpu->brand);
    for (size_t i = 0; i < len; i++)
        cr_expect(cpu->brand[i] >= 0x20 && cpu->brand[i] < 0x7f, "brand byte %zu is 0x%02x", i,
                  (unsigned char)cpu->brand[i]);
    if (len > 0)
        cr_expect(cpu->brand[0] != ' ' && cpu->brand[len - 1] != ' ', "brand '%s' is not trimmed",
                  cpu->brand);
    if (cpuinfo_value("model name", value, sizeof(value)) && strcmp(value, "unknown") != 0 &&
        value[0] != '\0')
        cr_expect_neq(len, 0, "the kernel read a brand ('%s') and we read none", value);
#else
    cr_expect_str_neq(cpu->arch, "");
#endif
}

Test(arch_cpu, answer_is_cached_and_stable)
{
    const arch_cpu_t *a = arch_cpu();
    const arch_cpu_t *b = arch_cpu();
    cr_assert_eq(a, b);
    cr_assert_eq(a->features, b->features);
}

Test(arch_cpu, unknown_bits_have_no_name)
{
    cr_assert_null(arch_cpu_feature_name(1u << 31));
    cr_assert_null(arch_cpu_feature_name(0));
}
