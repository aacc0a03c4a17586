/*
 * CPUID / MIDR identity to Cloud Carbon Footprint power coefficients.
 *
 * Model numbers follow the Linux kernel: Intel family 6 models from
 * arch/x86/include/asm/intel-family.h, AMD Zen generations from the model
 * ranges in bsp_init_amd() in arch/x86/kernel/cpu/amd.c, Arm parts from
 * arch/arm64/include/asm/cputype.h. Only the numbers are used, no code.
 */
#include "arch/power_model.h"

#include <errno.h>
#include <string.h>

/* Row indices, in the order of arch/power_model_ccf.csv (alphabetical, as the source has them). */
enum {
    ROW_BROADWELL,
    ROW_CASCADE_LAKE,
    ROW_COFFEE_LAKE,
    ROW_EPYC_1ST_GEN,
    ROW_EPYC_2ND_GEN,
    ROW_EPYC_3RD_GEN,
    ROW_EPYC_4TH_GEN,
    ROW_EPYC_5TH_GEN,
    ROW_EMERALD_RAPIDS,
    ROW_GRANITE_RAPIDS,
    ROW_GRAVITON2,
    ROW_GRAVITON3,
    ROW_GRAVITON3E,
    ROW_GRAVITON4,
    ROW_HASWELL,
    ROW_ICE_LAKE,
    ROW_IVY_BRIDGE,
    ROW_SANDY_BRIDGE,
    ROW_SAPPHIRE_RAPIDS,
    ROW_SKYLAKE,
    ROW_COUNT,
    ROW_NONE = -1,
};

/*
 * Copied digit for digit from the source so that the compiled doubles are
 * the ones the CSV parses to; the test compares them with ==.
 */
static const arch_power_coefficients_t ROWS[] = {
    [ROW_BROADWELL] = {"Broadwell", 0.7128342245989305, 3.685327540106952},
    [ROW_CASCADE_LAKE] = {"Cascade Lake", 0.6902978319127387, 4.063193520161689},
    [ROW_COFFEE_LAKE] = {"Coffee Lake", 1.138425925925926, 5.421759259259259},
    [ROW_EPYC_1ST_GEN] = {"EPYC 1st Gen", 0.8467881944444444, 2.6041666666666665},
    [ROW_EPYC_2ND_GEN] = {"EPYC 2nd Gen", 0.4742621527777777, 1.6929615162037035},
    [ROW_EPYC_3RD_GEN] = {"EPYC 3rd Gen", 0.45562453497023814, 1.957333519345238},
    [ROW_EPYC_4TH_GEN] = {"EPYC 4th Gen", 0.7391482469512195, 2.282155106707317},
    [ROW_EPYC_5TH_GEN] = {"EPYC 5th Gen", 3.6824237779748152, 8.96143545344501},
    [ROW_EMERALD_RAPIDS] = {"Emerald Rapids", 0.8140104166666666, 4.48203125},
    [ROW_GRANITE_RAPIDS] = {"Granite Rapids", 0.5815883902616279, 2.5274707237711422},
    /* The source has no Graviton measurements and repeats EPYC 2nd Gen for all four. */
    [ROW_GRAVITON2] = {"Graviton2", 0.4742621527777777, 1.6929615162037035},
    [ROW_GRAVITON3] = {"Graviton3", 0.4742621527777777, 1.6929615162037035},
    [ROW_GRAVITON3E] = {"Graviton3E", 0.4742621527777777, 1.6929615162037035},
    [ROW_GRAVITON4] = {"Graviton4", 0.4742621527777777, 1.6929615162037035},
    [ROW_HASWELL] = {"Haswell", 1.8573529411764707, 5.595383986928105},
    [ROW_ICE_LAKE] = {"Ice Lake", 0.766796875, 3.7582031249999996},
    [ROW_IVY_BRIDGE] = {"Ivy Bridge", 1.7074305555555556, 5.5569444444444445},
    [ROW_SANDY_BRIDGE] = {"Sandy Bridge", 2.212243200231481, 8.630870594765684},
    [ROW_SAPPHIRE_RAPIDS] = {"Sapphire Rapids", 1.0362861003136936, 4.160476336606656},
    [ROW_SKYLAKE] = {"Skylake", 0.6129888539040325, 4.104170352960531},
};

_Static_assert(sizeof ROWS / sizeof ROWS[0] == ROW_COUNT, "one row per microarchitecture");

#define SOURCE                                                                                     \
    "Cloud Carbon Footprint ccf-coefficients, output/coefficients-aws-use.csv at commit "          \
    "b0032d928c787cf76cecd7d1d611c5b46f366e29 (Apache-2.0), from SPECpower_ssj2008"

size_t arch_power_model_rows(const arch_power_coefficients_t **rows)
{
    if (rows)
        *rows = ROWS;
    return ROW_COUNT;
}

const char *arch_power_model_source(void)
{
    return SOURCE;
}

static int intel_row(unsigned family, unsigned model, unsigned stepping)
{
    /* Every microarchitecture in the table is family 6; family 19 (Diamond Rapids) is not. */
    if (family != 6)
        return ROW_NONE;
    switch (model) {
    case 0x2A: /* Sandy Bridge */
    case 0x2D: /* Sandy Bridge-E/EP */
        return ROW_SANDY_BRIDGE;
    case 0x3A: /* Ivy Bridge */
    case 0x3E: /* Ivy Bridge-E/EP/EX */
        return ROW_IVY_BRIDGE;
    case 0x3C: /* Haswell */
    case 0x3F: /* Haswell-E/EP/EX */
    case 0x45: /* Haswell mobile */
    case 0x46: /* Haswell with eDRAM graphics */
        return ROW_HASWELL;
    case 0x3D: /* Broadwell */
    case 0x47: /* Broadwell with eDRAM graphics */
    case 0x4F: /* Broadwell-EP/EX */
    case 0x56: /* Broadwell-DE */
        return ROW_BROADWELL;
    case 0x4E: /* Skylake mobile */
    case 0x5E: /* Skylake desktop, Xeon E3 v5 */
        /*
         * Chosen by name. The Skylake row's figures sit near those of Xeon
         * Scalable servers, so for these client parts it likely reads low.
         */
        return ROW_SKYLAKE;
    case 0x55:
        /*
         * One model number spans three generations, told apart by stepping:
         * Skylake-SP up to 4, Cascade Lake 5 to 7, Cooper Lake 10 and 11.
         * The table has no Cooper Lake row; it is Cascade Lake's 14 nm core
         * with bfloat16 added, so it takes Cascade Lake's numbers.
         */
        return stepping <= 4 ? ROW_SKYLAKE : ROW_CASCADE_LAKE;
    case 0x8E: /* Kaby, Amber, Coffee and Whiskey Lake mobile */
    case 0x9E: /* Kaby and Coffee Lake desktop */
    case 0xA5: /* Comet Lake */
    case 0xA6: /* Comet Lake mobile */
        /*
         * Kaby and Comet Lake have no row of their own. They are the same
         * 14 nm client core as Coffee Lake, sold in the same kind of part the
         * Coffee Lake row was measured on (Xeon E-2100/E-2200, Core i3,
         * Pentium Gold), and 0x8E/0x9E differ from Coffee Lake only by
         * stepping, so all of them take the Coffee Lake row.
         */
        return ROW_COFFEE_LAKE;
    case 0x6A: /* Ice Lake-SP */
    case 0x6C: /* Ice Lake-D */
    case 0x7D: /* Ice Lake desktop */
    case 0x7E: /* Ice Lake mobile */
        return ROW_ICE_LAKE;
    case 0x8F:
        return ROW_SAPPHIRE_RAPIDS;
    case 0xCF:
        return ROW_EMERALD_RAPIDS;
    case 0xAD: /* Granite Rapids-SP */
    case 0xAE: /* Granite Rapids-D */
        return ROW_GRANITE_RAPIDS;
    default:
        return ROW_NONE;
    }
}

/*
 * AMD numbers its EPYC rows by Zen generation, and client parts of a
 * generation share the core, so every model of a generation takes its EPYC
 * row. The ranges are the kernel's; a model outside them (or a newer
 * generation, such as Zen 6 in family 0x1A) gets the average rather than a
 * guess.
 */
static int amd_row(unsigned family, unsigned model)
{
    switch (family) {
    case 0x17:
        if (model <= 0x2F || (model >= 0x50 && model <= 0x5F))
            return ROW_EPYC_1ST_GEN; /* Zen, Zen+ */
        if ((model >= 0x30 && model <= 0x4F) || (model >= 0x60 && model <= 0x7F) ||
            (model >= 0x90 && model <= 0x91) || (model >= 0xA0 && model <= 0xAF))
            return ROW_EPYC_2ND_GEN; /* Zen 2, including Van Gogh 0x90 and Mendocino 0xA0 */
        return ROW_NONE;
    case 0x19:
        if (model <= 0x0F || (model >= 0x20 && model <= 0x5F))
            return ROW_EPYC_3RD_GEN; /* Zen 3, Zen 3+ */
        if ((model >= 0x10 && model <= 0x1F) || (model >= 0x60 && model <= 0xAF))
            return ROW_EPYC_4TH_GEN; /* Zen 4, Zen 4c */
        return ROW_NONE;
    case 0x1A:
        if (model <= 0x2F || (model >= 0x40 && model <= 0x4F) || (model >= 0x60 && model <= 0x7F))
            return ROW_EPYC_5TH_GEN; /* Zen 5, Zen 5c */
        /* Zen 6 (0x50-0x5F, 0x80-0xAF, 0xC0-0xEF so far) shares the family. */
        return ROW_NONE;
    default:
        return ROW_NONE;
    }
}

/*
 * The Graviton rows are named for AWS chips but chosen by the Arm core they
 * use, since that is all the MIDR tells. So Ampere Altra (also Neoverse N1)
 * or NVIDIA Grace (Neoverse V2) land on them too; the source gives every
 * Graviton the same numbers anyway. Graviton3E is a Graviton3 (Neoverse V1)
 * tuned for HPC and cannot be told apart here, so its row is never chosen.
 */
static int arm_row(unsigned part)
{
    switch (part) {
    case 0xD0C: /* Neoverse N1 */
        return ROW_GRAVITON2;
    case 0xD40: /* Neoverse V1 */
        return ROW_GRAVITON3;
    case 0xD4F: /* Neoverse V2 */
        return ROW_GRAVITON4;
    default:
        return ROW_NONE;
    }
}

/*
 * Cloud Carbon Footprint does not derive its own fallback from this table.
 * Its AWS estimator uses fixed, rounded constants (MIN_WATTS_AVG 0.74 and
 * MAX_WATTS_AVG 3.5 in packages/aws/src/domain/AwsFootprintEstimationConstants.ts,
 * unchanged since 2021), which its methodology page calls "the average or
 * median of all micro-architectures used by that cloud provider"; for a
 * group that includes Sandy or Ivy Bridge it takes the median instead. Those
 * constants come from an older coefficient set, so the fallback here is the
 * plain mean of the rows above, which anyone can recompute from the CSV. It
 * is summed on each call: twenty additions cost less than cached state that
 * would need to be thread-safe.
 */
static void average_of_all(arch_power_coefficients_t *out)
{
    double idle = 0, max = 0;
    for (size_t i = 0; i < ROW_COUNT; i++) {
        idle += ROWS[i].idle_watts;
        max += ROWS[i].max_watts;
    }
    out->name = "average of all";
    out->idle_watts = idle / ROW_COUNT;
    out->max_watts = max / ROW_COUNT;
}

int arch_power_model_lookup(const char *vendor, unsigned family, unsigned model, unsigned stepping,
                            arch_power_coefficients_t *out)
{
    if (!out)
        return -EINVAL;
    int row = ROW_NONE;
    if (vendor && strcmp(vendor, "GenuineIntel") == 0)
        row = intel_row(family, model, stepping);
    else if (vendor && strcmp(vendor, "AuthenticAMD") == 0)
        row = amd_row(family, model);
    else if (vendor && strcmp(vendor, "arm-0x41") == 0) /* Arm Ltd's own cores */
        row = arm_row(model);
    if (row == ROW_NONE) {
        average_of_all(out);
        return 0;
    }
    *out = ROWS[row];
    return 1;
}
