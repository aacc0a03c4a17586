/*
 * minemeter info: what this machine offers a miner, read from the machine
 * itself: CPU and features, topology and caches, huge pages, counters.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/energy.h"
#include "arch/pages.h"
#include "arch/topology.h"
#include "cli/commands.h"
#include "cli/power_options.h"
#include "pow/algo.h"
#include "miner/rx_dataset_build.h"
#include "pow/rx/dataset_jit.h"
#include "pow/rx/group.h"
#include "pow/rx/randomx.h"
#include "pow/rx/vm_jit.h"

#define MAX_CACHES 512

typedef struct {
    const arch_cpu_t *cpu;
    unsigned packages, cores, pus, numa;
    arch_cache_t caches[MAX_CACHES];
    size_t cache_count;
    int have_2m, have_1g;
    unsigned long total_2m, free_2m, total_1g, free_1g;
    const char *thp;
    arch_energy_t energy; /* the source the other commands would use */
    arch_energy_attempt_t energy_tried[ARCH_ENERGY_SOURCES];
    unsigned energy_tried_count;
    int perf_cycles;
    double tsc_hz;
} machine_info_t;

static const char *compiled_paths[] = {
    "portable",
#ifdef MM_BUILD_SSE2
    "sse2",
#endif
#ifdef MM_BUILD_SSSE3
    "ssse3",
#endif
#ifdef MM_BUILD_AESNI
    "aesni",
#endif
#ifdef MM_BUILD_AVX2
    "avx2",
#endif
#ifdef MM_BUILD_NEON
    "neon",
#endif
#ifdef MM_BUILD_ARMCRYPTO
    "armcrypto",
#endif
};

#define COMPILED_PATH_COUNT (sizeof(compiled_paths) / sizeof(compiled_paths[0]))

static int gather(machine_info_t *m, const arch_energy_config_t *power)
{
    memset(m, 0, sizeof(*m));
    m->cpu = arch_cpu();
    arch_topology_t *topo = NULL;
    int rc = arch_topology_load(&topo);
    if (rc != 0)
        return rc;
    m->packages = arch_topology_count(topo, ARCH_TOPO_PACKAGE);
    m->cores = arch_topology_count(topo, ARCH_TOPO_CORE);
    m->pus = arch_topology_count(topo, ARCH_TOPO_PU);
    m->numa = arch_topology_count(topo, ARCH_TOPO_NUMA);
    m->cache_count = arch_topology_caches(topo, m->caches, MAX_CACHES);
    if (m->cache_count > MAX_CACHES)
        m->cache_count = MAX_CACHES;
    arch_topology_free(topo);

    m->have_2m = arch_pages_hugetlb_pool((size_t)2 << 20, &m->total_2m, &m->free_2m) == 0;
    m->have_1g = arch_pages_hugetlb_pool((size_t)1 << 30, &m->total_1g, &m->free_1g) == 0;
    m->thp = arch_pages_thp_mode();
    m->energy_tried_count = arch_energy_survey(power, m->energy_tried);
    m->perf_cycles = arch_cycles_perf_available();
    m->tsc_hz = arch_tsc_hz();
    return 0;
}

/* "32 KiB", "2 MiB": caches are powers of two in practice, sizes exact otherwise. */
static void format_size(uint64_t bytes, char *out, size_t cap)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(out, cap, "%llu MiB", (unsigned long long)(bytes >> 20));
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(out, cap, "%llu KiB", (unsigned long long)(bytes >> 10));
    else
        snprintf(out, cap, "%llu B", (unsigned long long)bytes);
}

static void feature_list(uint32_t features, char *out, size_t cap)
{
    out[0] = '\0';
    size_t used = 0;
    for (unsigned bit = 0; bit < 32; bit++) {
        const char *name = arch_cpu_feature_name(1u << bit);
        if (name == NULL || !(features & (1u << bit)))
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? " " : "", name);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static void print_caches(const machine_info_t *m)
{
    /* One line per cache kind: size, instance count and the PU sets sharing each. */
    int done[MAX_CACHES] = {0};
    for (size_t i = 0; i < m->cache_count; i++) {
        if (done[i])
            continue;
        const arch_cache_t *c = &m->caches[i];
        unsigned count = 0;
        char sets[256] = "";
        size_t used = 0;
        for (size_t j = i; j < m->cache_count; j++) {
            const arch_cache_t *d = &m->caches[j];
            if (d->level != c->level || d->type != c->type || d->size != c->size)
                continue;
            done[j] = 1;
            count++;
            if (used + strlen(d->pus) + 8 < sizeof(sets))
                used += (size_t)snprintf(sets + used, sizeof(sets) - used, "%s{%s}",
                                         used ? " " : "", d->pus);
            else if (used + 5 < sizeof(sets) && sets[used - 1] != '.')
                used += (size_t)snprintf(sets + used, sizeof(sets) - used, " ...");
        }
        char size[32];
        format_size(c->size, size, sizeof(size));
        char name[8];
        snprintf(name, sizeof(name), "L%u%s", c->level,
                 c->type == 'd'   ? "d"
                 : c->type == 'i' ? "i"
                                  : "");
        fprintf(stdout, "  %-4s %8s x %-3u line %3u B, PUs per instance %u: %s\n", name, size,
                count, c->line, c->pu_count, sets);
    }
}

/* How RandomX will run here: what this machine gets compiled, and light mode's lockstep. */
typedef struct {
    int vm_jit;     /* programs compiled */
    int items_jit;  /* dataset items compiled */
    unsigned batch; /* items computed at once when compiled */
    unsigned build; /* items computed at once when building the dataset */
    int lockstep;   /* light mode: lanes hashes per thread at once */
    unsigned lanes;
} randomx_engine_t;

static randomx_engine_t randomx_engine(void)
{
    pow_isa_t isa = pow_rx_isa_best();
    randomx_engine_t e = {
        .vm_jit = isa != POW_ISA_PORTABLE && pow_rx_vm_jit_supported(),
        .items_jit = pow_rx_dataset_jit_supported(),
        .batch = (unsigned)POW_RX_DATASET_JIT_BATCH,
        .build = pow_rx_dataset_jit_wide_supported() ? (unsigned)POW_RX_DATASET_JIT_WIDE
                                                     : (unsigned)POW_RX_DATASET_JIT_BATCH,
        .lockstep = pow_rx_group_lockstep_for(isa),
        .lanes = (unsigned)POW_RX_GROUP_LANES,
    };
    return e;
}

static void print_randomx_engine(void)
{
    randomx_engine_t e = randomx_engine();
    printf("RandomX:    programs %s; dataset items ",
           e.vm_jit ? "compiled (VM JIT)" : "interpreted");
    if (e.items_jit && e.build != e.batch)
        printf("compiled with AVX-512, %u at a time (the dataset build %u at a time)", e.batch,
               e.build);
    else if (e.items_jit)
        printf("compiled, %u at a time", e.batch);
    else
        printf("interpreted");
    if (e.lockstep)
        printf("; light mode %u hashes per thread in lockstep\n", e.lanes);
    else
        printf("; light mode one hash at a time\n");
}

/* The paths --isa can force some algorithm onto here (compiled, and this CPU runs them). */
static unsigned isa_selectable(pow_isa_t out[POW_ISA_COUNT])
{
    unsigned n = 0;
    for (int isa = 0; isa < POW_ISA_COUNT; isa++) {
        int any = 0;
        for (size_t i = 0; pow_algo_at(i) != NULL && !any; i++)
            any = pow_algo_isa_available(pow_algo_at(i), (pow_isa_t)isa);
        if (any)
            out[n++] = (pow_isa_t)isa;
    }
    return n;
}

static void print_text(const machine_info_t *m)
{
    const arch_cpu_t *cpu = m->cpu;
    char features[512];
    feature_list(cpu->features, features, sizeof(features));
    printf("minemeter %s\n\n", PACKAGE_VERSION);
    printf("CPU:        %s\n", cpu->brand[0] ? cpu->brand : "(no brand string)");
    printf("            %s, %s, family 0x%x model 0x%x stepping %u\n", cpu->arch, cpu->vendor,
           cpu->family, cpu->model, cpu->stepping);
    printf("Features:   %s\n", features[0] ? features : "(none of interest)");
    printf("Code paths: ");
    for (size_t i = 0; i < COMPILED_PATH_COUNT; i++)
        printf("%s%s", i ? " " : "", compiled_paths[i]);
    printf(" (compiled)\n");
    pow_isa_t isas[POW_ISA_COUNT];
    unsigned isa_count = isa_selectable(isas);
    printf("--isa:      ");
    for (unsigned i = 0; i < isa_count; i++)
        printf("%s%s", i ? " " : "", pow_isa_name(isas[i]));
    printf(" (what --isa can select here; selftest --list shows each algorithm's)\n");
    printf("Topology:   %u package(s), %u core(s), %u PU(s), %u NUMA node(s)\n", m->packages,
           m->cores, m->pus, m->numa);
    printf("Caches:\n");
    print_caches(m);
    printf("Huge pages: 2 MiB: ");
    if (m->have_2m)
        printf("%lu free of %lu reserved", m->free_2m, m->total_2m);
    else
        printf("not supported");
    printf("; 1 GiB: ");
    if (m->have_1g)
        printf("%lu free of %lu reserved", m->free_1g, m->total_1g);
    else
        printf("not supported");
    printf("; THP: %s\n", m->thp);
    unsigned fast_needs = miner_huge_pages_for(1, m->cores);
    if (m->have_2m && m->total_2m < fast_needs)
        printf("            (RandomX fast mode on %u threads needs %u; bench like for like, its "
               "dataset and the reference's, %u: as root, sysctl -w vm.nr_hugepages=%u)\n",
               m->cores, fast_needs, miner_huge_pages_for(2, m->cores), fast_needs);
    printf("Cycles:     perf cycles %s; TSC %.3f GHz\n",
           m->perf_cycles ? "readable" : "not readable", m->tsc_hz / 1e9);
    if (m->energy.source != ARCH_ENERGY_NONE)
        printf("Power:      %s\n", m->energy.label);
    else
        printf("Power:      n/a: %s\n", m->energy.reason);
    for (unsigned i = 0; i < m->energy_tried_count; i++) {
        const arch_energy_attempt_t *a = &m->energy_tried[i];
        printf("            %-10s %s%s\n", arch_energy_source_name(a->source),
               a->rc == 0 ? "" : "no: ", a->reason);
    }
    print_randomx_engine();
}

static json_t *pool_json(int have, unsigned long total, unsigned long free_pages)
{
    if (!have)
        return json_null();
    return json_pack("{s:I, s:I}", "total", (json_int_t)total, "free", (json_int_t)free_pages);
}

static int print_json(const machine_info_t *m)
{
    const arch_cpu_t *cpu = m->cpu;
    json_t *features = json_array();
    for (unsigned bit = 0; bit < 32; bit++) {
        const char *name = arch_cpu_feature_name(1u << bit);
        if (name != NULL && (cpu->features & (1u << bit)))
            json_array_append_new(features, json_string(name));
    }
    json_t *paths = json_array();
    for (size_t i = 0; i < COMPILED_PATH_COUNT; i++)
        json_array_append_new(paths, json_string(compiled_paths[i]));
    json_t *caches = json_array();
    for (size_t i = 0; i < m->cache_count; i++) {
        const arch_cache_t *c = &m->caches[i];
        char type[2] = {c->type, '\0'};
        json_array_append_new(caches, json_pack("{s:i, s:s, s:I, s:i, s:s}", "level", (int)c->level,
                                                "type", type, "size", (json_int_t)c->size, "line",
                                                (int)c->line, "pus", c->pus));
    }
    /* "readable": a measured source; an estimate says why nothing was measured. */
    int measured = m->energy.source != ARCH_ENERGY_NONE && !arch_energy_is_estimate(&m->energy);
    json_t *energy =
        json_pack("{s:b, s:s, s:o, s:b}", "readable", measured, "source",
                  arch_energy_source_name(m->energy.source), "power_source",
                  m->energy.source != ARCH_ENERGY_NONE ? json_string(m->energy.label) : json_null(),
                  "estimated", arch_energy_is_estimate(&m->energy));
    if (!measured)
        json_object_set_new(energy, "reason", json_string(m->energy.reason));
    json_t *tried = json_array();
    for (unsigned i = 0; i < m->energy_tried_count; i++) {
        const arch_energy_attempt_t *a = &m->energy_tried[i];
        json_array_append_new(
            tried, json_pack("{s:s, s:b, s:s}", "source", arch_energy_source_name(a->source),
                             "available", a->rc == 0, a->rc == 0 ? "label" : "reason", a->reason));
    }
    json_object_set_new(energy, "tried", tried);
    pow_isa_t isas[POW_ISA_COUNT];
    unsigned isa_count = isa_selectable(isas);
    json_t *selectable = json_array();
    for (unsigned i = 0; i < isa_count; i++)
        json_array_append_new(selectable, json_string(pow_isa_name(isas[i])));
    randomx_engine_t e = randomx_engine();
    json_t *randomx = json_pack("{s:b, s:b, s:i, s:i, s:b, s:i}", "programs_compiled", e.vm_jit,
                                "dataset_items_compiled", e.items_jit, "items_at_a_time",
                                (int)(e.items_jit ? e.batch : 1), "dataset_build_items_at_a_time",
                                (int)(e.items_jit ? e.build : 1), "light_mode_lockstep", e.lockstep,
                                "light_mode_hashes_per_thread", (int)(e.lockstep ? e.lanes : 1));
    json_t *root = json_pack(
        "{s:s, s:{s:s, s:s, s:s, s:i, s:i, s:i, s:o}, s:o, s:o,"
        " s:{s:i, s:i, s:i, s:i}, s:o, s:{s:o, s:o, s:s, s:i, s:i}, s:{s:b, s:f, s:s}, s:o,"
        " s:o}",
        "version", PACKAGE_VERSION, "cpu", "arch", cpu->arch, "vendor", cpu->vendor, "brand",
        cpu->brand, "family", (int)cpu->family, "model", (int)cpu->model, "stepping",
        (int)cpu->stepping, "features", features, "compiled_paths", paths, "isa_selectable",
        selectable, "topology", "packages", (int)m->packages, "cores", (int)m->cores, "pus",
        (int)m->pus, "numa_nodes", (int)m->numa, "caches", caches, "huge_pages", "2MiB",
        pool_json(m->have_2m, m->total_2m, m->free_2m), "1GiB",
        pool_json(m->have_1g, m->total_1g, m->free_1g), "thp", m->thp, "fast_mode_needs",
        (int)miner_huge_pages_for(1, m->cores), "bench_like_for_like_needs",
        (int)miner_huge_pages_for(2, m->cores), "cycles", "perf_readable", m->perf_cycles, "tsc_hz",
        m->tsc_hz, "source", m->perf_cycles ? "perf cycles" : "tsc", "energy", energy, "randomx",
        randomx);
    if (root == NULL)
        return -ENOMEM;
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(root);
    return rc == 0 ? 0 : -EIO;
}

enum { OPT_JSON, OPT_POWER_CMD, OPT_POWER_MODEL, OPT_COUNT };

static const cli_option_t info_options[OPT_COUNT] = {
    [OPT_JSON] = {"json", CLI_OPT_FLAG, NULL, 0, 0, "print one JSON object instead of text", 0,
                  NULL},
    [OPT_POWER_CMD] = CLI_POWER_OPTION_CMD,
    [OPT_POWER_MODEL] = CLI_POWER_OPTION_MODEL,
};

static const cli_command_spec_t info_spec = {
    "info",
    "show the CPU, its features, topology, caches, huge pages and counters",
    "[--json]",
    "Everything is read from this machine (CPUID or HWCAP, hwloc, /sys). Huge pages\n"
    "and energy counters matter for honest numbers: without huge pages minemeter\n"
    "runs slower; without an energy counter its watts and joules are an estimate\n"
    "from a power model, marked as one. Power lists every source in the order\n"
    "they are tried, and why each one is not available here (docs/energy.md).\n"
    "With --power-cmd, it checks the meter command.",
    info_options,
    OPT_COUNT,
};

static int run_info(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t values[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, values);
    if (parsed != CLI_CONTINUE)
        return parsed;
    static machine_info_t machine;
    int rc = gather(&machine, NULL);
    if (rc != 0) {
        cli_error(spec->name, "cannot read the machine's topology: %s", strerror(-rc));
        return CLI_EXIT_FAILURE;
    }
    const cli_power_values_t power = {&values[OPT_POWER_CMD], &values[OPT_POWER_MODEL]};
    rc = cli_power_open(spec->name, &power, &machine.energy);
    if (rc != CLI_CONTINUE)
        return rc;
    if (values[OPT_POWER_CMD].set) {
        arch_energy_config_t cfg = {
            .power_cmd = values[OPT_POWER_CMD].text, .model_idle_watts = -1, .model_max_watts = -1};
        machine.energy_tried_count = arch_energy_survey(&cfg, machine.energy_tried);
    }
    rc = 0;
    if (values[OPT_JSON].set)
        rc = print_json(&machine);
    else
        print_text(&machine);
    arch_energy_close(&machine.energy);
    if (rc != 0) {
        cli_error(spec->name, "cannot write the JSON output: %s", strerror(-rc));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

const cli_command_t cli_command_info = {&info_spec, run_info};
