/*
 * arch/power_model.c: the compiled table is the CSV kept beside it, and
 * CPU identities land on the right row. The CPUID models and steppings
 * below are those the Linux kernel lists (arch/x86/include/asm/intel-family.h,
 * the Zen ranges in arch/x86/kernel/cpu/amd.c, arch/arm64/include/asm/cputype.h);
 * the coefficients are Cloud Carbon Footprint's, named in the CSV's header.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/power_model.h"

#define CSV_PATH   MINEMETER_SRCDIR "/arch/power_model_ccf.csv"
#define CSV_HEADER "microarchitecture,min_watts_per_vcpu,max_watts_per_vcpu"
#define CSV_ROWS   32

typedef struct {
    char name[64];
    double idle, max;
} csv_row_t;

/* Reads the data rows of the CSV into rows; returns how many. Fails the test on a malformed file.
 */
static size_t read_csv(csv_row_t *rows, size_t cap)
{
    FILE *f = fopen(CSV_PATH, "r");
    cr_assert_not_null(f, "cannot open %s", CSV_PATH);
    char line[256];
    int seen_header = 0;
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!seen_header) {
            cr_assert_str_eq(line, CSV_HEADER);
            seen_header = 1;
            continue;
        }
        cr_assert_lt(n, cap, "more rows than the test expects");
        char *comma1 = strchr(line, ',');
        cr_assert_not_null(comma1, "no comma in \"%s\"", line);
        *comma1 = '\0';
        cr_assert_lt(strlen(line), sizeof rows[n].name);
        strcpy(rows[n].name, line);
        char *end;
        rows[n].idle = strtod(comma1 + 1, &end);
        cr_assert_eq(*end, ',', "bad idle value in row %zu", n);
        rows[n].max = strtod(end + 1, &end);
        cr_assert_eq(*end, '\0', "bad max value in row %zu", n);
        n++;
    }
    fclose(f);
    cr_assert(seen_header, "no header line in %s", CSV_PATH);
    return n;
}

/* Looks up one identity and checks both the return value and the row's name. */
static void expect_row(const char *vendor, unsigned family, unsigned model, unsigned stepping,
                       const char *want)
{
    arch_power_coefficients_t c;
    int rc = arch_power_model_lookup(vendor, family, model, stepping, &c);
    int known = strcmp(want, "average of all") != 0;
    cr_expect_eq(rc, known, "%s family 0x%x model 0x%x stepping %u: rc %d", vendor, family, model,
                 stepping, rc);
    cr_expect_str_eq(c.name, want, "%s family 0x%x model 0x%x stepping %u", vendor, family, model,
                     stepping);
}

Test(arch_power_model, compiled_table_equals_the_csv_row_for_row)
{
    csv_row_t csv[CSV_ROWS];
    size_t n = read_csv(csv, CSV_ROWS);
    const arch_power_coefficients_t *rows;
    size_t count = arch_power_model_rows(&rows);
    cr_assert_eq(count, n, "compiled %zu rows, CSV has %zu", count, n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(rows[i].name, csv[i].name, "row %zu", i);
        /* Exact: both come from the same decimal digits. */
        cr_expect(rows[i].idle_watts == csv[i].idle, "%s idle %.17g vs %.17g", csv[i].name,
                  rows[i].idle_watts, csv[i].idle);
        cr_expect(rows[i].max_watts == csv[i].max, "%s max %.17g vs %.17g", csv[i].name,
                  rows[i].max_watts, csv[i].max);
    }
}

Test(arch_power_model, csv_names_its_source_commit_license_and_specpower)
{
    FILE *f = fopen(CSV_PATH, "r");
    cr_assert_not_null(f);
    char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    cr_expect_not_null(strstr(text, "# Source: Cloud Carbon Footprint"));
    cr_expect_not_null(strstr(text, "output/coefficients-aws-use.csv"));
    cr_expect_not_null(strstr(text, "b0032d928c787cf76cecd7d1d611c5b46f366e29"));
    cr_expect_not_null(strstr(text, "Apache-2.0"));
    cr_expect_not_null(strstr(text, "SPECpower_ssj2008"));
}

Test(arch_power_model, source_is_one_line_naming_project_file_commit_and_specpower)
{
    const char *s = arch_power_model_source();
    cr_assert_not_null(s);
    cr_expect_null(strchr(s, '\n'));
    cr_expect_not_null(strstr(s, "Cloud Carbon Footprint"));
    cr_expect_not_null(strstr(s, "coefficients-aws-use.csv"));
    cr_expect_not_null(strstr(s, "b0032d928c787cf76cecd7d1d611c5b46f366e29"));
    cr_expect_not_null(strstr(s, "from SPECpower_ssj2008"));
}

Test(arch_power_model, idle_is_positive_and_below_max_in_every_row)
{
    const arch_power_coefficients_t *rows;
    size_t n = arch_power_model_rows(&rows);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        cr_expect_gt(rows[i].idle_watts, 0.0, "%s", rows[i].name);
        cr_expect_lt(rows[i].idle_watts, rows[i].max_watts, "%s", rows[i].name);
    }
}

Test(arch_power_model, rows_accepts_a_null_out_pointer)
{
    const arch_power_coefficients_t *rows;
    cr_expect_eq(arch_power_model_rows(NULL), arch_power_model_rows(&rows));
}

Test(arch_power_model, zen4_genoa_maps_to_epyc_4th_gen)
{
    /* The machine these tests were written on: EPYC, family 0x19 model 0x11 stepping 1. */
    arch_power_coefficients_t c;
    cr_assert_eq(arch_power_model_lookup("AuthenticAMD", 0x19, 0x11, 1, &c), 1);
    cr_expect_str_eq(c.name, "EPYC 4th Gen");
    cr_expect(c.idle_watts == 0.7391482469512195);
    cr_expect(c.max_watts == 2.282155106707317);
    expect_row("AuthenticAMD", 0x19, 0x18, 1, "EPYC 4th Gen"); /* Storm Peak */
    expect_row("AuthenticAMD", 0x19, 0x61, 2, "EPYC 4th Gen"); /* Raphael */
    expect_row("AuthenticAMD", 0x19, 0x74, 1, "EPYC 4th Gen"); /* Phoenix */
    expect_row("AuthenticAMD", 0x19, 0xA0, 1, "EPYC 4th Gen"); /* Bergamo, Zen 4c */
}

Test(arch_power_model, zen3_milan_and_its_client_parts_map_to_epyc_3rd_gen)
{
    expect_row("AuthenticAMD", 0x19, 0x01, 1, "EPYC 3rd Gen"); /* Milan */
    expect_row("AuthenticAMD", 0x19, 0x21, 0, "EPYC 3rd Gen"); /* Vermeer */
    expect_row("AuthenticAMD", 0x19, 0x44, 1, "EPYC 3rd Gen"); /* Rembrandt, Zen 3+ */
    expect_row("AuthenticAMD", 0x19, 0x50, 0, "EPYC 3rd Gen"); /* Cezanne */
}

Test(arch_power_model, zen2_including_van_gogh_and_mendocino_maps_to_epyc_2nd_gen)
{
    expect_row("AuthenticAMD", 0x17, 0x31, 0, "EPYC 2nd Gen"); /* Rome */
    expect_row("AuthenticAMD", 0x17, 0x60, 1, "EPYC 2nd Gen"); /* Renoir */
    expect_row("AuthenticAMD", 0x17, 0x71, 0, "EPYC 2nd Gen"); /* Matisse */
    expect_row("AuthenticAMD", 0x17, 0x90, 2, "EPYC 2nd Gen"); /* Van Gogh */
    expect_row("AuthenticAMD", 0x17, 0xA0, 0, "EPYC 2nd Gen"); /* Mendocino */
}

Test(arch_power_model, zen1_and_zen_plus_map_to_epyc_1st_gen)
{
    expect_row("AuthenticAMD", 0x17, 0x01, 2, "EPYC 1st Gen"); /* Naples */
    expect_row("AuthenticAMD", 0x17, 0x08, 2, "EPYC 1st Gen"); /* Pinnacle Ridge, Zen+ */
    expect_row("AuthenticAMD", 0x17, 0x18, 1, "EPYC 1st Gen"); /* Picasso, Zen+ */
}

Test(arch_power_model, zen5_maps_to_epyc_5th_gen_but_zen6_is_not_guessed)
{
    expect_row("AuthenticAMD", 0x1A, 0x02, 1, "EPYC 5th Gen");   /* Turin */
    expect_row("AuthenticAMD", 0x1A, 0x11, 0, "EPYC 5th Gen");   /* Turin dense, Zen 5c */
    expect_row("AuthenticAMD", 0x1A, 0x44, 0, "EPYC 5th Gen");   /* Granite Ridge */
    expect_row("AuthenticAMD", 0x1A, 0x50, 0, "average of all"); /* Zen 6 range */
    expect_row("AuthenticAMD", 0x1A, 0x80, 0, "average of all"); /* Zen 6 range */
}

Test(arch_power_model, amd_models_outside_the_zen_ranges_get_the_average)
{
    expect_row("AuthenticAMD", 0x17, 0x80, 0, "average of all");
    expect_row("AuthenticAMD", 0x19, 0xB0, 0, "average of all");
    expect_row("AuthenticAMD", 0x15, 0x02, 0, "average of all"); /* Piledriver */
}

Test(arch_power_model, intel_server_generations_map_by_model)
{
    expect_row("GenuineIntel", 6, 0x2D, 7, "Sandy Bridge");
    expect_row("GenuineIntel", 6, 0x3E, 4, "Ivy Bridge");
    expect_row("GenuineIntel", 6, 0x3F, 2, "Haswell");
    expect_row("GenuineIntel", 6, 0x4F, 1, "Broadwell");
    expect_row("GenuineIntel", 6, 0x56, 3, "Broadwell");
    expect_row("GenuineIntel", 6, 0x6A, 6, "Ice Lake");
    expect_row("GenuineIntel", 6, 0x8F, 8, "Sapphire Rapids");
    expect_row("GenuineIntel", 6, 0xCF, 2, "Emerald Rapids");
    expect_row("GenuineIntel", 6, 0xAD, 1, "Granite Rapids");
    expect_row("GenuineIntel", 6, 0xAE, 1, "Granite Rapids");
}

Test(arch_power_model, intel_model_0x55_splits_skylake_cascade_and_cooper_lake_by_stepping)
{
    expect_row("GenuineIntel", 6, 0x55, 4, "Skylake");      /* Skylake-SP */
    expect_row("GenuineIntel", 6, 0x55, 5, "Cascade Lake"); /* first Cascade Lake stepping */
    expect_row("GenuineIntel", 6, 0x55, 7, "Cascade Lake");
    expect_row("GenuineIntel", 6, 0x55, 11, "Cascade Lake"); /* Cooper Lake */
}

Test(arch_power_model, intel_kaby_coffee_and_comet_lake_client_parts_map_to_coffee_lake)
{
    expect_row("GenuineIntel", 6, 0x9E, 9, "Coffee Lake");  /* Kaby Lake desktop */
    expect_row("GenuineIntel", 6, 0x9E, 10, "Coffee Lake"); /* Coffee Lake desktop */
    expect_row("GenuineIntel", 6, 0x8E, 11, "Coffee Lake"); /* Whiskey Lake mobile */
    expect_row("GenuineIntel", 6, 0xA5, 5, "Coffee Lake");  /* Comet Lake */
    expect_row("GenuineIntel", 6, 0x5E, 3, "Skylake");      /* Skylake desktop */
}

Test(arch_power_model, intel_models_without_a_row_get_the_average)
{
    expect_row("GenuineIntel", 6, 0x97, 2, "average of all");  /* Alder Lake */
    expect_row("GenuineIntel", 6, 0xA7, 1, "average of all");  /* Rocket Lake */
    expect_row("GenuineIntel", 6, 0xAF, 3, "average of all");  /* Sierra Forest */
    expect_row("GenuineIntel", 19, 0x01, 0, "average of all"); /* Diamond Rapids */
    expect_row("GenuineIntel", 15, 0x04, 1, "average of all"); /* NetBurst */
}

Test(arch_power_model, graviton_cores_map_to_their_graviton_rows)
{
    expect_row("arm-0x41", 0, 0xD0C, 1, "Graviton2"); /* Neoverse N1 */
    expect_row("arm-0x41", 1, 0xD40, 1, "Graviton3"); /* Neoverse V1 */
    expect_row("arm-0x41", 0, 0xD4F, 1, "Graviton4"); /* Neoverse V2 */
}

Test(arch_power_model, other_arm_cores_and_implementers_get_the_average)
{
    expect_row("arm-0x41", 0, 0xD49, 0, "average of all"); /* Neoverse N2 */
    expect_row("arm-0x41", 0, 0xD08, 3, "average of all"); /* Cortex-A72 */
    expect_row("arm-0xc0", 0, 0xD0C, 0, "average of all"); /* Ampere's implementer code */
    expect_row("arm-0x61", 0, 0x022, 0, "average of all"); /* Apple */
}

Test(arch_power_model, unknown_cpu_gets_the_plain_mean_of_all_rows_and_returns_0)
{
    csv_row_t csv[CSV_ROWS];
    size_t n = read_csv(csv, CSV_ROWS);
    double idle = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        idle += csv[i].idle;
        max += csv[i].max;
    }
    idle /= (double)n;
    max /= (double)n;

    arch_power_coefficients_t c;
    cr_assert_eq(arch_power_model_lookup("HygonGenuine", 0x18, 0x01, 1, &c), 0);
    cr_expect_str_eq(c.name, "average of all");
    cr_expect(fabs(c.idle_watts - idle) < 1e-12, "idle %.17g, mean %.17g", c.idle_watts, idle);
    cr_expect(fabs(c.max_watts - max) < 1e-12, "max %.17g, mean %.17g", c.max_watts, max);
    /* The figures arch/power_model.h quotes. */
    cr_expect(fabs(c.idle_watts - 1.0113) < 5e-5, "idle %.6f", c.idle_watts);
    cr_expect(fabs(c.max_watts - 3.8128) < 5e-5, "max %.6f", c.max_watts);
}

Test(arch_power_model, null_vendor_gets_the_average_and_null_out_is_rejected)
{
    expect_row(NULL, 6, 0x55, 4, "average of all");
    expect_row("", 0x19, 0x11, 1, "average of all");
    expect_row("genuineintel", 6, 0x55, 4, "average of all"); /* vendor strings are exact */
    cr_expect_eq(arch_power_model_lookup("AuthenticAMD", 0x19, 0x11, 1, NULL), -EINVAL);
}
