/*
 * minemeter bench: what hashing costs this CPU. Every algorithm is first
 * verified against its published vectors; only then is it measured, over
 * thread counts, repeated, with the median and the spread reported, and
 * side by side with the reference implementation where one is installed.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/memory.h"
#include "arch/cpu.h"
#include "arch/energy.h"
#include "arch/pages.h"
#include "arch/topology.h"
#include "bench/throughput.h"
#include "bench/verify_path.h"
#include "bench/xmrig_peer.h"
#include "bench/xmrig_sum.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"
#include "bench/cost.h"
#include "bench/measure.h"
#include "bench/monero_reference.h"
#include "bench/plan.h"
#include "bench/progress.h"
#include "bench/randomx_reference.h"
#include "bench/report.h"
#include "bench/stats.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/isa_option.h"
#include "cli/power_options.h"
#include "cli/rx_options.h"
#include "cli/worker_options.h"
#include "pow/algo.h"

#define DEFAULT_ALGOS "rx/0:fast,rx/0:light,rx/2:fast,cn/r,cn/2"

enum {
    OPT_ALGO,
    OPT_MODE,
    OPT_THREADS,
    OPT_REPEAT,
    OPT_DURATION,
    OPT_ISA,
    OPT_JSON,
    OPT_CSV,
    OPT_SVG,
    OPT_NO_REF,
    OPT_XMRIG,
    OPT_PRICE,
    OPT_HOURS,
    OPT_BENCH_SIZE,
    OPT_AFFINITY,
    OPT_PIN,
    OPT_JIT,
    OPT_HUGE_PAGES,
    OPT_1GB_PAGES,
    OPT_LOCKSTEP,
    OPT_VCPU_PRICE,
    OPT_POWER_CMD,
    OPT_POWER_MODEL,
    OPT_CONFIG,
    OPT_DUMP_CONFIG,
    OPT_COUNT
};

static const cli_option_t bench_options[OPT_COUNT] = {
    [OPT_CONFIG] = CLI_CONFIG_OPTION_FILE,
    [OPT_DUMP_CONFIG] = CLI_CONFIG_OPTION_DUMP,
    [OPT_ALGO] = {"algo", CLI_OPT_STRING, "LIST", 0, 0,
                  "algorithms, comma-separated (default: " DEFAULT_ALGOS ")"},
    [OPT_MODE] = {"mode", CLI_OPT_STRING, "LIST", 0, 0,
                  "RandomX modes for --algo entries without one: fast, light, both (default), "
                  "or auto (fast when the memory is free)"},
    [OPT_THREADS] = {"threads", CLI_OPT_STRING, "LIST", 0, 0,
                     "thread counts, e.g. 1,2,4 (default: 1 to the number of cores)"},
    [OPT_REPEAT] = {"repeat", CLI_OPT_UINT, "N", 1, BENCH_MAX_REPEAT,
                    "repetitions per measurement (default: 3)"},
    [OPT_DURATION] = {"duration", CLI_OPT_UINT, "SECONDS", 1, 3600,
                      "length of one measurement (default: 3)"},
    [OPT_ISA] = {"isa", CLI_OPT_STRING, "PATH", 0, 0,
                 "force a code path for every algorithm: portable, aesni"},
    [OPT_JSON] = {"json", CLI_OPT_STRING, "FILE", 0, 0, "also write the results as JSON"},
    [OPT_CSV] = {"csv", CLI_OPT_STRING, "FILE", 0, 0, "also write the results as CSV"},
    [OPT_SVG] = {"svg", CLI_OPT_STRING, "FILE", 0, 0, "also draw H/s against threads as SVG"},
    [OPT_PRICE] = {"price", CLI_OPT_STRING, "PER_KWH", 0, 0,
                   "electricity price per kWh, for what a miner's extra energy costs"},
    [OPT_VCPU_PRICE] = {"vcpu-price", CLI_OPT_STRING, "PER_HOUR", 0, 0,
                        "price of one vCPU-hour, for what the CPU time a miner takes is worth"},
    [OPT_POWER_CMD] = CLI_POWER_OPTION_CMD,
    [OPT_POWER_MODEL] = CLI_POWER_OPTION_MODEL,
    [OPT_HOURS] = {"hours", CLI_OPT_UINT, "N", 1, 8760,
                   "hours of mining the cost is for (default: 24)"},
    [OPT_BENCH_SIZE] = {"bench-size", CLI_OPT_STRING, "N", 0, 0,
                        "XMRig's benchmark: hash nonces 0..N-1 (10K up, K/M suffixes) and print "
                        "the hash sum"},
    [OPT_AFFINITY] = {"affinity", CLI_OPT_STRING, "LIST", 0, 0,
                      "pin thread i to the i-th PU of LIST (OS indexes, e.g. 0-3,8)"},
    [OPT_PIN] = {"pin", CLI_OPT_STRING, "MODE", 0, 0,
                 "core (default: a core each, then second PUs), pu, or none"},
    [OPT_NO_REF] = {"no-reference", CLI_OPT_FLAG, NULL, 0, 0,
                    "skip the side-by-side run of the reference implementation"},
    [OPT_XMRIG] = {"xmrig", CLI_OPT_STRING, "PATH", 0, 0,
                   "also measure this XMRig binary at each algorithm and thread count, mining "
                   "from a loopback lab pool that hashes its shares again"},
    [OPT_JIT] = CLI_RX_OPTION_JIT,
    [OPT_HUGE_PAGES] = CLI_RX_OPTION_HUGE_PAGES,
    [OPT_1GB_PAGES] = CLI_RX_OPTION_1GB_PAGES,
    [OPT_LOCKSTEP] = CLI_RX_OPTION_LOCKSTEP,
};

static const cli_command_spec_t bench_spec = {
    "bench",
    "benchmark algorithms over thread counts, verified, against the reference",
    "[--algo LIST] [--threads LIST] [--repeat N] [--duration SECONDS]",
    "Each algorithm first hashes its published vectors; a wrong hash stops that\n"
    "algorithm (exit status 1) before any figure is printed. Then each thread\n"
    "count is measured --repeat times for --duration seconds, threads pinned one\n"
    "per core, each with its own scratchpad: the median H/s with its min-max\n"
    "spread, H/s per thread, scaling over one thread, cycles per hash and, where\n"
    "a package energy counter is readable, joules per hash.\n"
    "Side by side, on the same cores in the same run: Monero's reference tool\n"
    "(Debian monero-tests) for cn/0, cn/1, cn/2 and cn/r, and the RandomX reference\n"
    "library (Debian librandomx0, loaded when installed) for rx/0 in both modes at\n"
    "every thread count, under our flags (JIT, hardware AES, large pages when ours\n"
    "got them), with its cache and dataset build times; the ratios are printed. --price and "
    "--hours add the cost of a\n"
    "miner at the measured load; --bench-size runs XMRig's benchmark and compares\n"
    "its hash sum with XMRig's published table.\n"
    "Examples:\n"
    "  minemeter bench\n"
    "  minemeter bench --algo rx/0:fast,cn/r --threads 1,2 --json out.json --svg out.svg\n"
    "  minemeter bench --bench-size 250K --algo rx/0 --threads 2\n"
    "  minemeter bench --algo rx/0:fast,cn/r --threads 1,2 --xmrig /opt/xmrig/xmrig\n"
    "With --xmrig, XMRig mines on the same PUs from a lab pool on 127.0.0.1 (it\n"
    "benchmarks offline only RandomX, over 250K hashes at least), in turns with our\n"
    "repetitions: one 10 s window after each, stopped while ours runs. Its figure is\n"
    "its own 10 s hash rate from its HTTP API; it counts only if the pool, hashing\n"
    "every share again, rejected none. Its MSR writes are off, its donation level 0;\n"
    "in fast mode both datasets are in memory at once.\n"
    "RandomX runs in fast mode (the 2080 MiB dataset, built once in parallel)\n"
    "and light mode (the 256 MiB cache, items computed on demand, four hashes per\n"
    "thread in lockstep so their items are computed together; --lockstep off for\n"
    "one at a time); write rx/0:fast or rx/0:light in --algo, or use --mode.\n"
    "Programs run as machine code (--jit off interprets them). Reserve huge pages\n"
    "for like-for-like fast mode numbers, enough for both datasets: minemeter info\n"
    "prints the number for this machine. The key is four zero bytes, as the RandomX reference\n"
    "benchmark's --seed 0. Default plan: rx/0 fast and light, rx/2 fast, cn/r, cn/2.",
    bench_options,
    OPT_COUNT,
};

/* XMRig in turns with our repetitions at each thread count (bench/xmrig_peer.h). */
typedef struct {
    const char *path;
    const int *pus;
    int huge_pages, gb_pages;
    bench_xmrig_session_t *session;
    bench_xmrig_run_t run;
    int rc; /* the first failure at this thread count, 0 while none */
} xmrig_turns_t;

static int xmrig_begin(void *context, bench_result_t *r, unsigned t, double hps)
{
    xmrig_turns_t *x = context;
    r->xmrig_tried = 1;
    bench_xmrig_config_t config = {
        .path = x->path,
        .algo = r->algo,
        .fast = r->fast,
        .threads = r->threads[t],
        .pus = x->pus,
        .expected_hps = hps,
        .huge_pages = x->huge_pages,
        .gb_pages = x->gb_pages,
    };
    x->rc = bench_xmrig_start(&config, &x->session, &x->run);
    return x->rc;
}

static int xmrig_window(void *context, bench_result_t *r, unsigned t, unsigned rep, unsigned repeat)
{
    (void)r;
    (void)t;
    xmrig_turns_t *x = context;
    x->rc = bench_xmrig_window(x->session, rep + 1, repeat, &x->run);
    return x->rc;
}

static void xmrig_end(void *context, bench_result_t *r, unsigned t)
{
    xmrig_turns_t *x = context;
    bench_xmrig_run_t *run = &x->run;
    int rc = bench_xmrig_finish(x->session, x->rc, run);
    x->session = NULL;
    r->xmrig_accepted[t] = run->accepted;
    if (r->fast && run->dataset_seconds > 0) /* light mode logs its cache's "dataset" */
        r->xmrig_dataset_seconds = run->dataset_seconds;
    if (run->pages[0] != '\0')
        snprintf(r->xmrig_pages, sizeof(r->xmrig_pages), "%s", run->pages);
    if (rc == 0)
        r->xmrig_hps[t] = bench_stats(run->hps, run->count);
    else if (rc != -EINTR)
        snprintf(r->xmrig_note, sizeof(r->xmrig_note), "%s", run->why);
}

/* r's XMRig figures: its H/s and ours over it at each thread count, or why none. */
static void print_xmrig(const bench_result_t *r, const char *version)
{
    if (!r->xmrig_tried)
        return;
    printf("  %-10s XMRig %s:", r->label, version);
    for (unsigned t = 0; t < r->thread_counts; t++) {
        const bench_stats_t *x = &r->xmrig_hps[t];
        if (x->n == 0) {
            printf(" %u thread(s) n/a;", r->threads[t]);
            continue;
        }
        printf(" %u thread(s) %.2f H/s (%.2f-%.2f), ours %.3fx, %llu shares accepted;",
               r->threads[t], x->median, x->min, x->max, r->hps[t].median / x->median,
               (unsigned long long)r->xmrig_accepted[t]);
    }
    if (r->xmrig_dataset_seconds > 0)
        printf(" its dataset built in %.1f s;", r->xmrig_dataset_seconds);
    if (r->xmrig_pages[0] != '\0')
        printf(" %s;", r->xmrig_pages);
    if (r->xmrig_note[0] != '\0')
        printf(" %s", r->xmrig_note);
    printf("\n");
}

static bench_meter_t sum_meter;

static void sum_progress(uint64_t done, uint64_t size)
{
    (void)size;
    bench_meter_update(&sum_meter, done);
}

/* Builds dataset from cache on cores with a progress meter; 0 or a negative errno. */
static int build_dataset_shown(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache,
                               unsigned cores, arch_topology_t *topo, const int *pus)
{
    char label[96];
    snprintf(label, sizeof(label), "building the RandomX dataset (2080 MiB) with %u thread(s)",
             cores);
    bench_meter_t meter;
    bench_meter_begin(&meter, label, pow_rx_dataset_item_count());
    const miner_build_progress_t progress = {bench_meter_report, &meter};
    int rc = miner_build_dataset(dataset, cache, cores, topo, pus, &progress);
    bench_meter_end(&meter);
    return rc;
}

/* The XMRig-compatible benchmark: one algorithm, one thread count, a hash sum. */
static int run_bench_size(const cli_command_spec_t *spec, cli_value_t *v, arch_topology_t *topo,
                          const int *pus, unsigned cores)
{
    char why[256];
    uint64_t size = bench_size_parse(v[OPT_BENCH_SIZE].text, why, sizeof(why));
    if (size == 0) {
        cli_usage_error(spec->name, "%s", why);
        return CLI_EXIT_USAGE;
    }
    const char *name = v[OPT_ALGO].set ? v[OPT_ALGO].text : "rx/0";
    const pow_algo_t *algo = pow_algo_find(name);
    if (algo == NULL || pow_algo_rx(algo) == NULL) {
        cli_usage_error(spec->name,
                        "--bench-size is for one RandomX algorithm (rx/0, rx/2, rx/wow, "
                        "rx/arq), not '%s'",
                        name);
        return CLI_EXIT_USAGE;
    }
    unsigned threads = cores;
    if (v[OPT_THREADS].set) {
        unsigned long n;
        if (cli_parse_uint(spec->name, "threads", v[OPT_THREADS].text, 1, BENCH_MAX_THREADS, &n) !=
            0)
            return CLI_EXIT_USAGE;
        threads = (unsigned)n;
    }
    int fast = !v[OPT_MODE].set || strcmp(v[OPT_MODE].text, "light") != 0;
    pow_isa_t isa = pow_algo_isa_best(algo);
    if (cli_isa_option(spec->name, &v[OPT_ISA], algo, &isa) < 0)
        return CLI_EXIT_USAGE;

    pow_verify_result_t verified;
    if (pow_algo_verify(algo, isa, &verified) != 0) {
        printf("%s: verification FAILED on %s; no benchmark\n", name, pow_isa_name(isa));
        return CLI_EXIT_FAILURE;
    }
    static const uint8_t zero_seed[32] = {0};
    bench_progress("building the RandomX cache");
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_algo_rx(algo));
    pow_rx_dataset_t *dataset = NULL;
    int rc = cache == NULL ? -ENOMEM : pow_rx_cache_init(cache, zero_seed, sizeof(zero_seed));
    if (rc == 0 && fast) {
        bench_progress_done();
        dataset = pow_rx_dataset_alloc(0);
        rc = dataset == NULL ? -ENOMEM : build_dataset_shown(dataset, cache, cores, topo, pus);
    }
    char wrong[160] = "";
    if (rc == 0 && fast) {
        bench_verify_test_corrupt_dataset(dataset);
        if (bench_verify_dataset(cache, dataset, cores, wrong, sizeof(wrong)) != 0) {
            bench_progress_done();
            printf("%s: %s; not measured\n", name, wrong);
            pow_rx_dataset_release(dataset);
            pow_rx_cache_release(cache);
            return CLI_EXIT_FAILURE;
        }
    }
    bench_xmrig_result_t result;
    if (rc == 0) {
        char label[64];
        snprintf(label, sizeof(label), "hashing %llu inputs", (unsigned long long)size);
        bench_progress_done();
        bench_meter_begin(&sum_meter, label, size);
        rc = bench_xmrig_sum(cache, dataset, pow_algo_rx(algo), isa, size, threads, topo, pus,
                             sum_progress, &result);
        bench_meter_end(&sum_meter);
    }
    bench_progress_done();
    pow_rx_dataset_release(dataset);
    pow_rx_cache_release(cache);
    if (rc != 0) {
        cli_error(spec->name, "the benchmark failed: %s", strerror(-rc));
        return CLI_EXIT_FAILURE;
    }
    printf("%s %s mode, %u thread(s), %s: %llu hashes in %.1f s (%.1f H/s), hash sum = %016llX\n",
           name, fast ? "fast" : "light", threads, pow_isa_name(isa),
           (unsigned long long)result.hashes, result.seconds,
           (double)result.hashes / result.seconds, (unsigned long long)result.sum);
    uint64_t published = bench_xmrig_published_sum(pow_algo_name(algo), size);
    if (threads < 2) {
        printf("XMRig's one-thread sum uses a different chain, which minemeter does not "
               "reproduce: run with 2 or more threads to compare with XMRig's table\n");
        return CLI_EXIT_OK;
    }
    if (published == 0) {
        printf("XMRig publishes no sum for %s at this size (it does for rx/0, rx/2 and rx/wow "
               "at 250K, 500K and 1M-10M, and in debug builds 10K and 20K)\n",
               name);
        return CLI_EXIT_OK;
    }
    int match = published == result.sum;
    printf("XMRig's published sum %016llX: %s\n", (unsigned long long)published,
           match ? "MATCH" : "DIFFERENT (a wrong hash somewhere)");
    return match ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static void on_stop_signal(int signum)
{
    bench_interrupt(signum);
}

/* CPUs this process may run on (its affinity mask): what its threads' hours can come from. */
static unsigned cpus_allowed(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set) : 0;
}

/* Says where the threads go, and warns when some must share a PU. */
static void print_pinning(const bench_cost_basis_t *basis, const int *pus, unsigned most)
{
    printf("threads pinned to PUs:");
    for (unsigned i = 0; i < most; i++)
        printf(i == 0 ? " %d" : ",%d", pus[i]);
    printf("\n");
    unsigned used = bench_cost_pus_used(basis, most);
    if (used < most)
        printf("warning: %u threads on %u PU(s): threads share PUs, so per-thread figures are "
               "per share of a PU and CPU-hours are capped at what %u PU(s) have\n",
               most, used, used);
}

static int run_bench(const cli_command_spec_t *spec, int argc, char **argv)
{
    const time_t started = time(NULL);
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    /* Every output path before any work: a long run must not end in "cannot write". */
    if (cli_check_output(spec->name, &v[OPT_JSON], "json") != 0 ||
        cli_check_output(spec->name, &v[OPT_CSV], "csv") != 0 ||
        cli_check_output(spec->name, &v[OPT_SVG], "svg") != 0)
        return CLI_EXIT_USAGE;
    static char xmrig_version[32];
    if (v[OPT_XMRIG].set) {
        char why[300];
        if (v[OPT_BENCH_SIZE].set) {
            cli_usage_error(spec->name,
                            "--xmrig measures by time; for XMRig's --bench=%s, run "
                            "XMRig itself and compare its hash sum",
                            v[OPT_BENCH_SIZE].text);
            return CLI_EXIT_USAGE;
        }
        if (bench_xmrig_version(v[OPT_XMRIG].text, xmrig_version, sizeof(xmrig_version), why,
                                sizeof(why)) != 0) {
            cli_usage_error(spec->name, "%s", why);
            return CLI_EXIT_USAGE;
        }
    }
    cli_rx_values_t rxv = {&v[OPT_JIT], &v[OPT_HUGE_PAGES], &v[OPT_1GB_PAGES], &v[OPT_LOCKSTEP]};
    if (cli_rx_options_apply(spec->name, &rxv) != CLI_CONTINUE)
        return CLI_EXIT_USAGE;
    static bench_plan_item_t plan[BENCH_MAX_ALGOS];
    pow_isa_t isas[BENCH_MAX_ALGOS];
    unsigned algo_count = 0;
    char why[512];
    const char *modes = v[OPT_MODE].set ? v[OPT_MODE].text : "fast,light";
    if (strcmp(modes, "auto") == 0) {
        /* Fast mode when its dataset and the reference's fit in the room this process has. */
        char room[256];
        modes = arch_memory_fits(2 * (pow_rx_dataset_item_count() * 64 + (256u << 20)),
                                 "two datasets", room, sizeof(room))
                    ? "fast"
                    : "light";
    }
    if (bench_plan_parse(v[OPT_ALGO].set ? v[OPT_ALGO].text : DEFAULT_ALGOS, modes, plan,
                         &algo_count, why, sizeof(why)) != 0) {
        cli_usage_error(spec->name, "%s", why);
        return CLI_EXIT_USAGE;
    }
    for (unsigned a = 0; a < algo_count; a++) {
        isas[a] = pow_algo_isa_best(plan[a].algo);
        if (cli_isa_option(spec->name, &v[OPT_ISA], plan[a].algo, &isas[a]) < 0)
            return CLI_EXIT_USAGE;
    }

    arch_topology_t *topo = NULL;
    int rc = arch_topology_load(&topo);
    if (rc != 0) {
        cli_error(spec->name, "cannot read the machine's topology: %s", strerror(-rc));
        return CLI_EXIT_FAILURE;
    }
    static int pus[BENCH_MAX_THREADS];
    unsigned pu_count = arch_topology_count(topo, ARCH_TOPO_PU);
    miner_pin_mode_t pin = MINER_PIN_CORE;
    if (v[OPT_PIN].set && miner_pin_mode_from_name(v[OPT_PIN].text, &pin) != 0) {
        cli_usage_error(spec->name, "--pin takes core, pu or none, not '%s'", v[OPT_PIN].text);
        arch_topology_free(topo);
        return CLI_EXIT_USAGE;
    }
    if (miner_place_threads(topo, pin, v[OPT_AFFINITY].set ? v[OPT_AFFINITY].text : NULL,
                            BENCH_MAX_THREADS, pus) != 0) {
        cli_affinity_refused(spec->name, v[OPT_AFFINITY].text, topo);
        arch_topology_free(topo);
        return CLI_EXIT_USAGE;
    }
    unsigned cores = arch_topology_count(topo, ARCH_TOPO_CORE);
    if (v[OPT_BENCH_SIZE].set) {
        int exit_code = run_bench_size(spec, v, topo, pus, cores);
        arch_topology_free(topo);
        return exit_code;
    }
    unsigned threads[BENCH_MAX_THREADS], thread_counts = 0;
    if (v[OPT_THREADS].set) {
        if (bench_threads_parse(v[OPT_THREADS].text, threads, &thread_counts, why, sizeof(why)) !=
            0) {
            cli_usage_error(spec->name, "%s", why);
            arch_topology_free(topo);
            return CLI_EXIT_USAGE;
        }
    } else {
        for (unsigned t = 1; t <= cores && t <= BENCH_MAX_THREADS; t++)
            threads[thread_counts++] = t;
    }
    unsigned repeat = v[OPT_REPEAT].set ? (unsigned)v[OPT_REPEAT].number : 3;
    unsigned duration = v[OPT_DURATION].set ? (unsigned)v[OPT_DURATION].number : 3;
    double hours = v[OPT_HOURS].set ? (double)v[OPT_HOURS].number : 24;
    double price = -1, vcpu_price = -1;
    if (cli_parse_price(spec->name, &v[OPT_PRICE], "--price", "kWh", "0.25", &price) != 0 ||
        cli_parse_price(spec->name, &v[OPT_VCPU_PRICE], "--vcpu-price", "vCPU-hour", "0.04",
                        &vcpu_price) != 0) {
        arch_topology_free(topo);
        return CLI_EXIT_USAGE;
    }
    /* Opened once: an external meter's thread and the counters' wraps span the whole run. */
    static arch_energy_t energy;
    const cli_power_values_t power = {&v[OPT_POWER_CMD], &v[OPT_POWER_MODEL]};
    rc = cli_power_open(spec->name, &power, &energy);
    if (rc != CLI_CONTINUE) {
        arch_topology_free(topo);
        return rc;
    }
    bench_progress("measuring the idle power (%s)", energy.label);
    double idle = bench_idle_watts(&energy, 1);
    const bench_cost_basis_t basis = {
        .hours = hours,
        .price = price,
        .vcpu_price = vcpu_price,
        .idle_watts = idle,
        .power_source = energy.source != ARCH_ENERGY_NONE ? energy.label : NULL,
        .power_reason = energy.reason,
        .pus = cpus_allowed(),
        .pinning = pus,
    };
    struct sigaction stop_action;
    memset(&stop_action, 0, sizeof(stop_action));
    stop_action.sa_handler = on_stop_signal;
    sigaction(SIGINT, &stop_action, NULL);
    sigaction(SIGTERM, &stop_action, NULL);

    const arch_cpu_t *cpu = arch_cpu();
    printf("minemeter %s bench: %s, %u core(s), %u PU(s); %u x %u s per measurement\n",
           PACKAGE_VERSION, cpu->brand[0] ? cpu->brand : cpu->arch, cores, pu_count, repeat,
           duration);
    print_pinning(&basis, pus, threads[thread_counts - 1]);
    printf("%-12s %7s %10s %-19s %10s %7s %12s %8s\n", "algorithm", "threads", "H/s", "min-max",
           "H/s/thread", "scaling", "cycles/hash", "J/hash");

    static bench_result_t results[BENCH_MAX_ALGOS];
    int failed = 0;
    /* One cache and one dataset serve every RandomX entry: rx/0 and rx/2 share them. */
    static const uint8_t key[4] = {0, 0, 0, 0};
    pow_rx_cache_t *rx_cache = NULL;
    const pow_rx_variant_t *rx_cache_variant = NULL; /* the entry the cache was built for */
    pow_rx_dataset_t *rx_dataset = NULL;
    char rx_dataset_wrong[160] = ""; /* why the dataset failed its check, "" when it did not */
    double cache_seconds = 0, dataset_seconds = 0, ref_dataset_seconds = 0;
    char dataset_pages[48] = "?";
    bench_sweep_begin(algo_count * thread_counts);
    for (unsigned a = 0; a < algo_count; a++) {
        bench_result_t *r = &results[a];
        memset(r, 0, sizeof(*r));
        r->algo = plan[a].algo;
        r->fast = plan[a].fast;
        snprintf(r->label, sizeof(r->label), "%s%s", pow_algo_name(r->algo),
                 pow_algo_rx(r->algo) == NULL ? ""
                 : r->fast                    ? " fast"
                                              : " light");
        r->isa = isas[a];
        if (bench_interrupted())
            continue; /* named, not measured: the run was interrupted before it */
        r->thread_counts = thread_counts;
        memcpy(r->threads, threads, sizeof(threads[0]) * thread_counts);
        bench_progress("verifying %s", pow_algo_name(r->algo));
        if (bench_verify_algo(r->algo, r->isa) != 0) {
            bench_progress_done();
            failed = 1;
            continue;
        }
        bench_target_t target = {r->algo, r->isa, NULL, NULL, &energy};
        if (pow_algo_rx(r->algo) != NULL) {
            if (rx_cache == NULL) {
                bench_progress("building the RandomX cache (256 MiB)");
                /* Timed like the reference's: the build, not the allocation. */
                rx_cache = pow_rx_cache_alloc(pow_algo_rx(r->algo));
                uint64_t t0 = arch_clock_ns();
                if (rx_cache == NULL || pow_rx_cache_init(rx_cache, key, sizeof(key)) != 0) {
                    bench_progress_done();
                    printf("%s: cannot build the cache (out of memory?); not measured\n", r->label);
                    pow_rx_cache_release(rx_cache);
                    rx_cache = NULL;
                    failed = 1;
                    continue;
                }
                cache_seconds = (double)(arch_clock_ns() - t0) / 1e9;
                r->cache_seconds = cache_seconds;
                rx_cache_variant = pow_algo_rx(r->algo);
            }
            if (!pow_rx_variants_share_cache(pow_algo_rx(r->algo), rx_cache_variant)) {
                printf("%s: needs another cache than the first RandomX entry; not measured\n",
                       r->label);
                failed = 1;
                continue;
            }
            /* The vectors hashed this variant over its own cache: check the switch. */
            char switched[200];
            if (pow_algo_rx(r->algo) != rx_cache_variant &&
                bench_verify_switched_variant(rx_cache, r->isa, pow_algo_rx(r->algo), key,
                                              sizeof(key), switched, sizeof(switched)) != 0) {
                printf("%s: %s; not measured\n", r->label, switched);
                failed = 1;
                continue;
            }
            if (r->fast && rx_dataset_wrong[0] != '\0') {
                printf("%s: %s; not measured\n", r->label, rx_dataset_wrong);
                failed = 1;
                continue;
            }
            char room[256];
            if (r->fast && rx_dataset == NULL && !miner_dataset_fits(room, sizeof(room))) {
                /* Where the kernel would kill us half way instead. */
                printf("%s: %s; not measured (light mode needs 256 MiB)\n", r->label, room);
                failed = 1;
                continue;
            }
            if (r->fast && rx_dataset == NULL) {
                bench_progress_done();
                rx_dataset = pow_rx_dataset_alloc(0);
                uint64_t t0 = arch_clock_ns();
                if (rx_dataset == NULL ||
                    build_dataset_shown(rx_dataset, rx_cache, cores, topo, pus) != 0) {
                    bench_progress_done();
                    printf("%s: cannot build the 2080 MiB dataset (out of memory?); not "
                           "measured\n",
                           r->label);
                    pow_rx_dataset_release(rx_dataset);
                    rx_dataset = NULL;
                    failed = 1;
                    continue;
                }
                dataset_seconds = (double)(arch_clock_ns() - t0) / 1e9;
                size_t dataset_len;
                const void *dataset_memory = pow_rx_dataset_memory(rx_dataset, &dataset_len);
                bench_pages_describe(pow_rx_dataset_pages(rx_dataset), dataset_memory, dataset_len,
                                     dataset_pages, sizeof(dataset_pages));
                /* The vectors never read this dataset: check it against the cache's items. */
                bench_progress("checking the RandomX dataset against the cache");
                bench_verify_test_corrupt_dataset(rx_dataset);
                if (bench_verify_dataset(rx_cache, rx_dataset, cores, rx_dataset_wrong,
                                         sizeof(rx_dataset_wrong)) != 0) {
                    bench_progress_done();
                    printf("%s: %s; not measured\n", r->label, rx_dataset_wrong);
                    pow_rx_dataset_release(rx_dataset);
                    rx_dataset = NULL;
                    dataset_seconds = 0;
                    failed = 1;
                    continue;
                }
            }
            target.rx_cache = rx_cache;
            target.rx_dataset = r->fast ? rx_dataset : NULL;
        }
        r->verified = 1;
        r->topo = topo;
        xmrig_turns_t xmrig = {
            .path = v[OPT_XMRIG].text,
            .pus = pus,
            .huge_pages = !v[OPT_HUGE_PAGES].set || strcmp(v[OPT_HUGE_PAGES].text, "off") != 0,
            .gb_pages = v[OPT_1GB_PAGES].set,
        };
        const bench_peer_t xmrig_peer = {xmrig_begin, xmrig_window, xmrig_end, &xmrig};
        rc = bench_measure_algo(topo, pus, &target, repeat, duration, !v[OPT_NO_REF].set,
                                v[OPT_XMRIG].set ? &xmrig_peer : NULL, r);
        if (rc == -EINTR) {
            r->verified = r->thread_counts > 0; /* the rows measured whole stand */
        } else if (rc != 0) {
            r->verified = 0;
            failed = 1;
        }
        bench_randomx_ref_close(r->randomx_ref);
        r->randomx_ref = NULL;
        if (r->ref_dataset_seconds > 0)
            ref_dataset_seconds = r->ref_dataset_seconds;
    }
    bench_sweep_end();
    pow_rx_dataset_release(rx_dataset);
    pow_rx_cache_release(rx_cache);
    if (dataset_seconds > 0) {
        printf("RandomX dataset (2080 MiB, %s pages) built in %.1f s with %u threads",
               dataset_pages, dataset_seconds, cores);
        if (ref_dataset_seconds > 0)
            printf("; reference randomx_init_dataset %.1f s = %.2fx", ref_dataset_seconds,
                   ref_dataset_seconds / dataset_seconds);
        printf("\n");
    }
    /* The footer speaks of what was measured: the first entry may not have been. */
    const bench_result_t *measured = NULL;
    for (unsigned a = 0; a < algo_count && measured == NULL; a++)
        if (results[a].verified)
            measured = &results[a];
    int any_randomx = 0;
    printf("paths:");
    for (unsigned a = 0; a < algo_count; a++) {
        printf(" %s %s%s;", results[a].label, pow_isa_name(results[a].isa),
               !results[a].verified                   ? " (not measured)"
               : pow_algo_rx(results[a].algo) == NULL ? ""
               : results[a].last[0].jit               ? " JIT"
                                                      : " interpreted");
        any_randomx |= pow_algo_rx(results[a].algo) != NULL;
    }
    printf("\n");
    for (unsigned a = 0; a < algo_count; a++) {
        const bench_result_t *r = &results[a];
        if (r->cache_seconds <= 0)
            continue;
        printf("RandomX cache (Argon2d, 256 MiB) built in %.2f s", r->cache_seconds);
        if (r->ref_cache_seconds > 0)
            printf("; reference randomx_init_cache %.2f s = %.2fx", r->ref_cache_seconds,
                   r->ref_cache_seconds / r->cache_seconds);
        printf("\n");
    }
    if (measured != NULL) {
        const bench_sample_t *first = &measured->last[0];
        char huge[48] = "";
        if (first->pages_huge_share >= 0)
            snprintf(huge, sizeof(huge), " (%.0f%% backed by huge pages)",
                     100 * first->pages_huge_share);
        printf("scratchpads on %s pages%s; cycles/hash: \"core\" from the core's cycle counter "
               "(perf), \"tsc\" is wall time in TSC ticks (it counts time preempted or "
               "stolen by a hypervisor)",
               first->pages ? first->pages : "no", huge);
        printf("\n");
    }
    if (energy.source == ARCH_ENERGY_NONE)
        printf("power: n/a (%s)\n", energy.reason);
    else if (idle < 0)
        printf("power: %s; the idle baseline could not be read, so no marginal figures\n",
               energy.label);
    else
        printf("power: %s%s; idle %s%.2f W just before the run (minemeter info lists every "
               "source tried)\n",
               energy.label, arch_energy_is_estimate(&energy) ? " (\"~\" marks its figures)" : "",
               cli_power_mark(&energy), idle);
    for (unsigned a = 0; a < algo_count; a++)
        bench_table_reference(&results[a]);
    for (unsigned a = 0; a < algo_count && v[OPT_XMRIG].set; a++)
        print_xmrig(&results[a], xmrig_version);
    bench_table_cost(results, algo_count, &basis);
    arch_topology_free(topo);
    int stopped_by = bench_interrupted();
    const char *interrupted = stopped_by == SIGINT    ? "SIGINT"
                              : stopped_by == SIGTERM ? "SIGTERM"
                                                      : NULL;
    if (interrupted != NULL)
        printf("interrupted by %s: the figures above are the rows measured whole before it%s\n",
               interrupted,
               v[OPT_JSON].set || v[OPT_CSV].set || v[OPT_SVG].set ? ", and so are the files" : "");

    char title[160];
    snprintf(title, sizeof(title), "minemeter bench: %s, %u core(s)%s",
             cpu->brand[0] ? cpu->brand : cpu->arch, cores, interrupted ? " (interrupted)" : "");
    const bench_run_t run = {
        .repeat = repeat,
        .duration = duration,
        .cost = &basis,
        .argc = argc + 1,
        .argv = argv - 1,
        .started_unix = (long long)started,
        .cores = cores,
        .pus = pu_count,
        .huge_pages = v[OPT_HUGE_PAGES].set ? v[OPT_HUGE_PAGES].text : "on",
        .gb_pages = v[OPT_1GB_PAGES].set,
        .interrupted = interrupted,
        .xmrig = v[OPT_XMRIG].set ? xmrig_version : NULL,
    };
    const struct {
        int option;
        int rc;
    } files[] = {
        {OPT_JSON,
         v[OPT_JSON].set ? bench_report_json(v[OPT_JSON].text, results, algo_count, &run) : 0},
        {OPT_CSV,
         v[OPT_CSV].set ? bench_report_csv(v[OPT_CSV].text, results, algo_count, &basis) : 0},
        {OPT_SVG,
         v[OPT_SVG].set ? bench_report_svg(v[OPT_SVG].text, results, algo_count, title) : 0},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (files[i].rc != 0) {
            cli_error(spec->name, "cannot write %s: %s", v[files[i].option].text,
                      strerror(-files[i].rc));
            failed = 1;
        }
    }
    arch_energy_close(&energy);
    if (stopped_by != 0)
        return 128 + stopped_by; /* as a shell reports a command the signal ended */
    return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

const cli_command_t cli_command_bench = {&bench_spec, run_bench};
