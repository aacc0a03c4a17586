/*
 * minemeter impact: what a miner takes from the work already running on
 * the machine. A victim (a built-in probe or any command) is measured
 * alone and beside each miner configuration, in shuffled rounds; the
 * slowdown of each configuration is taken against the baseline of the same
 * round (impact/protocol.h, impact/report.h).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/energy.h"
#include "arch/topology.h"
#include "bench/plan.h"
#include "bench/throughput.h"
#include "cli/algo_option.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/http_options.h"
#include "cli/power_options.h"
#include "cli/priority_options.h"
#include "impact/probe.h"
#include "impact/protocol.h"
#include "impact/report.h"
#include "impact/runner.h"
#include "miner/placement.h"
#include "pow/algo.h"

#define DEFAULT_PROBES "latency,memory"
#define MAX_VICTIMS    8
#define MAX_ALGOS      8
#define MAX_INTENSITY  8

enum {
    OPT_PROBE,
    OPT_VICTIM_CMD,
    OPT_VICTIM_TIMEOUT,
    OPT_ALGO,
    OPT_MODE,
    OPT_THREADS,
    OPT_INTENSITY,
    OPT_PLACEMENT,
    OPT_NICE,
    OPT_CPU_PRIORITY,
    OPT_REPEAT,
    OPT_DURATION,
    OPT_SEED,
    OPT_JSON,
    OPT_CSV,
    OPT_SVG,
    OPT_HOURS,
    OPT_PRICE,
    OPT_POWER_CMD,
    OPT_POWER_MODEL,
    OPT_HTTP,
    OPT_HTTP_TOKEN,
    OPT_CONFIG,
    OPT_DUMP_CONFIG,
    OPT_COUNT
};

static const cli_option_t impact_options[OPT_COUNT] = {
    [OPT_CONFIG] = CLI_CONFIG_OPTION_FILE,
    [OPT_DUMP_CONFIG] = CLI_CONFIG_OPTION_DUMP,
    [OPT_HTTP] = CLI_HTTP_OPTION_ADDRESS,
    [OPT_HTTP_TOKEN] = CLI_HTTP_OPTION_TOKEN,
    [OPT_PROBE] = {"probe", CLI_OPT_STRING, "LIST", 0, 0,
                   "victims, comma-separated: latency, memory, bandwidth, cache, compute "
                   "(default " DEFAULT_PROBES ")"},
    [OPT_VICTIM_CMD] = {"victim-cmd", CLI_OPT_STRING, "COMMAND", 0, 0,
                        "the victim is this shell command, run to completion each time (it must "
                        "exit 0)"},
    [OPT_VICTIM_TIMEOUT] = {"victim-timeout", CLI_OPT_UINT, "SECONDS", 1, 86400,
                            "give up on a victim command running longer (default 600)"},
    [OPT_ALGO] = {"algo", CLI_OPT_STRING, "LIST", 0, 0,
                  "miner algorithms, ALGO[:MODE] comma-separated (default rx/0)"},
    [OPT_MODE] = {"mode", CLI_OPT_STRING, "MODE", 0, 0,
                  "RandomX mode for --algo entries without one: light (default), fast or auto"},
    [OPT_THREADS] = {"threads", CLI_OPT_STRING, "LIST", 0, 0,
                     "miner thread counts, e.g. 1,2 (default: 1 to all the placement allows)"},
    [OPT_INTENSITY] = {"intensity", CLI_OPT_STRING, "LIST", 0, 0,
                       "percent of each miner thread's time spent hashing, e.g. 25,100 "
                       "(default 100)"},
    [OPT_PLACEMENT] = {"placement", CLI_OPT_STRING, "WHERE", 0, 0,
                       "shared: the miner starts on the victim's PU; separate: only on the "
                       "others; all: one per core, the victim's last (default)"},
    [OPT_NICE] = CLI_PRIORITY_OPTION_NICE,
    [OPT_CPU_PRIORITY] = CLI_PRIORITY_OPTION_CPU_PRIORITY,
    [OPT_REPEAT] = {"repeat", CLI_OPT_UINT, "N", 1, IMPACT_MAX_ROUNDS,
                    "rounds, each running the baseline and every configuration (default 5)"},
    [OPT_DURATION] = {"duration", CLI_OPT_UINT, "SECONDS", 1, 3600, "a probe's window (default 2)"},
    [OPT_SEED] = {"seed", CLI_OPT_UINT, "N", 0, 4294967295ul,
                  "for the order of the runs and the probes' layouts (default: the time)"},
    [OPT_JSON] = {"json", CLI_OPT_STRING, "FILE", 0, 0, "also write the results as JSON"},
    [OPT_CSV] = {"csv", CLI_OPT_STRING, "FILE", 0, 0, "also write the results as CSV"},
    [OPT_SVG] = {"svg", CLI_OPT_STRING, "FILE", 0, 0,
                 "also draw the slowdown against miner threads as SVG"},
    [OPT_HOURS] = {"hours", CLI_OPT_UINT, "N", 1, 8760,
                   "hours the extra power's cost is for (default 24)"},
    [OPT_PRICE] = {"price", CLI_OPT_STRING, "PER_KWH", 0, 0,
                   "electricity price per kWh, for the cost of the power the miner adds"},
    [OPT_POWER_CMD] = CLI_POWER_OPTION_CMD,
    [OPT_POWER_MODEL] = CLI_POWER_OPTION_MODEL,
};

static const cli_command_spec_t impact_spec = {
    "impact",
    "what a miner takes from the work already running: the victim's slowdown",
    "[--probe LIST | --victim-cmd COMMAND] [--algo LIST] [--threads LIST] [--placement WHERE]",
    "The victim runs on one PU (the last one, in core order) and is measured\n"
    "alone (the baseline) and beside each miner configuration (--algo x --threads\n"
    "x --intensity, placed by --placement), in --repeat rounds; each round runs\n"
    "every one once, in a shuffled order, and each configuration's slowdown is\n"
    "taken against the baseline of its own round: the extra time per unit of the\n"
    "victim's work, as the median with min-max and a 95% bootstrap interval.\n"
    "The miner is started, its RandomX cache built, and warmed up before each\n"
    "window, and stopped after it. Probes, each a model of a real workload:\n"
    "  latency    a request/response service on loopback: p99 latency\n"
    "  memory     a dependent pointer chase over 4x the L3: ns per access\n"
    "  bandwidth  streaming read and write over 4x the L3: GB/s\n"
    "  cache      random lookups in a table half the L3: lookups/s\n"
    "  compute    SHA-256 through OpenSSL: MB/s\n"
    "The table also gives the miner's H/s, the victim's CPU time against the\n"
    "baseline's and the power above it, measured or estimated (docs/energy.md).\n"
    "docs/impact-json.md describes the JSON.\n"
    "Examples:\n"
    "  minemeter impact\n"
    "  minemeter impact --probe cache --threads 1 --placement separate\n"
    "  minemeter impact --victim-cmd 'make -C /tmp/proj -j1 clean all' --threads 1,2",
    impact_options,
    OPT_COUNT,
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signum)
{
    stop_signal = signum;
}

/* Splits a comma-separated list into at most max items of buf (modified). */
static unsigned split_list(char *buf, char **items, unsigned max)
{
    unsigned n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (n == max)
            return max + 1;
        items[n++] = tok;
    }
    return n;
}

/* The PUs this process may run on, in the miner's core-first order. */
static unsigned allowed_pus_in_order(arch_topology_t *topo, int *order)
{
    cpu_set_t set;
    unsigned count = sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set) : 1;
    if (count > MINER_MAX_THREADS)
        count = MINER_MAX_THREADS;
    if (miner_place_threads(topo, MINER_PIN_CORE, NULL, count, order) != 0)
        return 0;
    return count;
}

/* The largest last-level cache any PU sees, for sizing the probes' buffers. */
static size_t last_level_cache(const arch_topology_t *topo)
{
    static arch_cache_t caches[512];
    size_t n = arch_topology_caches(topo, caches, 512);
    unsigned level = 0;
    size_t size = 0;
    for (size_t i = 0; i < n && i < 512; i++) {
        if (caches[i].type == 'i')
            continue;
        if (caches[i].level > level || (caches[i].level == level && caches[i].size > size)) {
            level = caches[i].level;
            size = (size_t)caches[i].size;
        }
    }
    return size;
}

/* The miner's PUs for threads under placement; the victim sits on order[count - 1]. */
static void place_miner(const char *placement, const int *order, unsigned count, unsigned threads,
                        int *pus)
{
    int victim = order[count - 1];
    if (strcmp(placement, "shared") == 0) {
        pus[0] = victim;
        for (unsigned i = 1; i < threads; i++)
            pus[i] = order[i - 1];
    } else {
        for (unsigned i = 0; i < threads; i++)
            pus[i] = order[i];
    }
}

typedef struct {
    const pow_algo_t *algo;
    int fast;
} algo_choice_t;

typedef struct {
    unsigned victims;
    const impact_probe_info_t *probe[MAX_VICTIMS]; /* NULL: the command */
    algo_choice_t algo[MAX_ALGOS];
    unsigned algos;
    unsigned threads[BENCH_MAX_THREADS], thread_counts;
    unsigned intensity[MAX_INTENSITY], intensities;
} impact_plan_t;

static int parse_plan(const cli_command_spec_t *spec, cli_value_t *v, unsigned most,
                      impact_plan_t *plan)
{
    char buf[512], *items[MAX_VICTIMS + 1];
    memset(plan, 0, sizeof(*plan));
    if (v[OPT_VICTIM_CMD].set && v[OPT_PROBE].set) {
        cli_usage_error(spec->name, "--probe and --victim-cmd each name the victim: give one");
        return CLI_EXIT_USAGE;
    }
    if (v[OPT_VICTIM_CMD].set) {
        plan->victims = 1;
    } else {
        snprintf(buf, sizeof(buf), "%s", v[OPT_PROBE].set ? v[OPT_PROBE].text : DEFAULT_PROBES);
        unsigned n = split_list(buf, items, MAX_VICTIMS);
        if (n == 0 || n > MAX_VICTIMS) {
            cli_usage_error(spec->name, "--probe takes 1 to %d probes", MAX_VICTIMS);
            return CLI_EXIT_USAGE;
        }
        for (unsigned i = 0; i < n; i++) {
            plan->probe[i] = impact_probe_find(items[i]);
            if (plan->probe[i] == NULL) {
                cli_usage_error(spec->name,
                                "unknown probe '%s': latency, memory, bandwidth, cache or compute",
                                items[i]);
                return CLI_EXIT_USAGE;
            }
        }
        plan->victims = n;
    }
    snprintf(buf, sizeof(buf), "%s", v[OPT_ALGO].set ? v[OPT_ALGO].text : "rx/0");
    unsigned n = split_list(buf, items, MAX_ALGOS);
    if (n == 0 || n > MAX_ALGOS) {
        cli_usage_error(spec->name, "--algo takes 1 to %d algorithms", MAX_ALGOS);
        return CLI_EXIT_USAGE;
    }
    for (unsigned i = 0; i < n; i++) {
        cli_mode_t from_algo, mode;
        if (cli_algo_parse(spec->name, items[i], &plan->algo[i].algo, &from_algo) != 0 ||
            cli_mode_for(spec->name, plan->algo[i].algo, from_algo, &v[OPT_MODE], CLI_MODE_LIGHT,
                         &mode) != 0)
            return CLI_EXIT_USAGE;
        plan->algo[i].fast = pow_algo_rx(plan->algo[i].algo) != NULL && cli_mode_is_fast(mode);
    }
    plan->algos = n;
    if (v[OPT_THREADS].set) {
        char why[160];
        if (bench_threads_parse(v[OPT_THREADS].text, plan->threads, &plan->thread_counts, why,
                                sizeof(why)) != 0) {
            cli_usage_error(spec->name, "%s", why);
            return CLI_EXIT_USAGE;
        }
    } else {
        for (unsigned t = 1; t <= most && t <= BENCH_MAX_THREADS; t++)
            plan->threads[plan->thread_counts++] = t;
    }
    for (unsigned i = 0; i < plan->thread_counts; i++) {
        if (plan->threads[i] > most) {
            cli_usage_error(
                spec->name, "%u miner threads are more than the %u PU(s) --placement %s leaves",
                plan->threads[i], most, v[OPT_PLACEMENT].set ? v[OPT_PLACEMENT].text : "all");
            return CLI_EXIT_USAGE;
        }
    }
    snprintf(buf, sizeof(buf), "%s", v[OPT_INTENSITY].set ? v[OPT_INTENSITY].text : "100");
    n = split_list(buf, items, MAX_INTENSITY);
    for (unsigned i = 0; i < n && i < MAX_INTENSITY; i++) {
        unsigned long pct = 0;
        if (cli_parse_uint(spec->name, "--intensity", items[i], 1, 100, &pct) != 0)
            return CLI_EXIT_USAGE;
        plan->intensity[i] = (unsigned)pct;
    }
    if (n == 0 || n > MAX_INTENSITY) {
        cli_usage_error(spec->name, "--intensity takes 1 to %d percentages", MAX_INTENSITY);
        return CLI_EXIT_USAGE;
    }
    plan->intensities = n;
    unsigned configs = plan->algos * plan->thread_counts * plan->intensities;
    if (configs + 1 > IMPACT_MAX_ENTRIES) {
        cli_usage_error(spec->name, "%u configurations are more than the %d one run takes", configs,
                        IMPACT_MAX_ENTRIES - 1);
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

/* The entries of one victim: the baseline, then every algorithm x threads x intensity. */
static void fill_entries(const impact_plan_t *plan, const char *placement, const int *order,
                         unsigned count, impact_victim_results_t *v)
{
    v->entries = 1;
    for (unsigned a = 0; a < plan->algos; a++) {
        for (unsigned t = 0; t < plan->thread_counts; t++) {
            for (unsigned i = 0; i < plan->intensities; i++) {
                impact_entry_t *e = &v->entry[v->entries++];
                e->algo = plan->algo[a].algo;
                e->fast = plan->algo[a].fast;
                e->threads = plan->threads[t];
                e->intensity = plan->intensity[i];
                place_miner(placement, order, count, e->threads, e->pus);
            }
        }
    }
}

static void describe_entry(const impact_entry_t *e, char *out, size_t cap)
{
    if (e->threads == 0)
        snprintf(out, cap, "alone");
    else
        snprintf(out, cap, "beside %s%s x%u at %u%%", pow_algo_name(e->algo),
                 pow_algo_rx(e->algo) == NULL ? ""
                 : e->fast                    ? " fast"
                                              : " light",
                 e->threads, e->intensity);
}

typedef struct {
    arch_topology_t *topo;
    arch_energy_t *energy;
    const char *command;
    double command_timeout;
    int victim_pu;
    double seconds;
    cli_priority_t priority;
    unsigned repeat;
    uint64_t seed;
    size_t l3;
    cli_http_t *http; /* NULL without --http */
} impact_setup_t;

/*
 * Runs every round for one victim. Returns 0, CLI_EXIT_USAGE after one
 * sentence (a victim command that fails alone or times out), or -ECANCELED
 * after Ctrl-C with the whole rounds kept.
 */
static int run_victim(const char *name, const impact_setup_t *s, const impact_probe_info_t *info,
                      impact_victim_results_t *v, unsigned index)
{
    impact_probe_t *probe = NULL;
    if (info != NULL) {
        impact_probe_config_t pc = {.pu = s->victim_pu, .l3_bytes = s->l3, .seed = s->seed};
        int rc = impact_probe_open(info, &pc, &probe);
        if (rc != 0) {
            cli_error(name, "cannot prepare the %s probe: %s", info->name, strerror(-rc));
            return CLI_EXIT_FAILURE;
        }
    }
    unsigned order[IMPACT_MAX_ENTRIES * IMPACT_MAX_ROUNDS];
    impact_schedule(v->entries, s->repeat, s->seed + index, order);
    int result = 0;
    for (unsigned r = 0; r < s->repeat && result == 0; r++) {
        for (unsigned i = 0; i < v->entries && result == 0; i++) {
            impact_entry_t *e = &v->entry[order[r * v->entries + i]];
            char what[96], why[256] = "";
            describe_entry(e, what, sizeof(what));
            fprintf(stderr, "minemeter impact: %s, round %u of %u: %s\n", v->victim, r + 1,
                    s->repeat, what);
            http_status_t *status = cli_http_status(s->http);
            if (status != NULL) {
                snprintf(status->impact_victim, sizeof(status->impact_victim), "%s", v->victim);
                snprintf(status->impact_window, sizeof(status->impact_window), "%s", what);
                status->impact_round = r + 1;
                cli_http_publish(s->http);
            }
            impact_miner_spec_t ms = {e->algo,          e->fast,          e->threads, e->intensity,
                                      s->priority.nice, s->priority.idle, e->pus,     s->topo};
            impact_victim_spec_t vs = {probe,      s->command,   s->command_timeout, s->victim_pu,
                                       s->seconds, &stop_signal, s->energy};
            int rc = impact_run_window(&ms, &vs, &e->run[r], why, sizeof(why));
            if (status != NULL && rc == 0) {
                status->impact_windows_done++;
                status->impact_last_miner_hps = e->threads > 0 ? e->run[r].miner_hps : -1;
                cli_http_publish(s->http);
            }
            if (rc == -ECANCELED || stop_signal) {
                result = -ECANCELED;
            } else if (rc != 0) {
                cli_error(name, "%s %s: %s", v->victim, what, why);
                result = rc == -ETIMEDOUT ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
            } else if (s->command != NULL && e->run[r].exit_status != 0) {
                cli_error(name, "the victim command exited with status %d %s%s%s",
                          e->run[r].exit_status, what,
                          e->run[r].stderr_tail[0] ? "; its stderr ended: " : "",
                          e->run[r].stderr_tail);
                result = CLI_EXIT_USAGE;
            }
        }
        if (result == 0)
            for (unsigned i = 0; i < v->entries; i++)
                v->entry[i].rounds = r + 1;
    }
    impact_probe_close(probe);
    return result;
}

static int run_impact(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    /* Every output path before any work: a long run must not end in "cannot write". */
    if (cli_check_output(spec->name, &v[OPT_JSON], "json") != 0 ||
        cli_check_output(spec->name, &v[OPT_CSV], "csv") != 0 ||
        cli_check_output(spec->name, &v[OPT_SVG], "svg") != 0)
        return CLI_EXIT_USAGE;
    const char *placement = v[OPT_PLACEMENT].set ? v[OPT_PLACEMENT].text : "all";
    if (strcmp(placement, "shared") != 0 && strcmp(placement, "separate") != 0 &&
        strcmp(placement, "all") != 0) {
        cli_usage_error(spec->name, "--placement is shared, separate or all, not '%s'", placement);
        return CLI_EXIT_USAGE;
    }
    double price = -1;
    if (cli_parse_price(spec->name, &v[OPT_PRICE], "--price", "kWh", "0.25", &price) != 0)
        return CLI_EXIT_USAGE;
    arch_topology_t *topo = NULL;
    if (arch_topology_load(&topo) != 0) {
        cli_error(spec->name, "cannot read the machine's topology");
        return CLI_EXIT_FAILURE;
    }
    static int order[MINER_MAX_THREADS];
    unsigned count = allowed_pus_in_order(topo, order);
    unsigned most = strcmp(placement, "separate") == 0 ? count - 1 : count;
    if (count == 0 || most == 0) {
        cli_usage_error(spec->name,
                        "--placement separate needs a PU besides the victim's, and this process "
                        "may run on %u",
                        count);
        arch_topology_free(topo);
        return CLI_EXIT_USAGE;
    }
    cli_priority_t priority;
    if (cli_priority_parse(spec->name, &v[OPT_NICE], &v[OPT_CPU_PRIORITY], &priority) !=
        CLI_CONTINUE) {
        arch_topology_free(topo);
        return CLI_EXIT_USAGE;
    }
    static impact_plan_t plan;
    int rc = parse_plan(spec, v, most, &plan);
    if (rc != CLI_CONTINUE) {
        arch_topology_free(topo);
        return rc;
    }
    static arch_energy_t energy;
    const cli_power_values_t power = {&v[OPT_POWER_CMD], &v[OPT_POWER_MODEL]};
    rc = cli_power_open(spec->name, &power, &energy);
    if (rc != CLI_CONTINUE) {
        arch_topology_free(topo);
        return rc;
    }
    const cli_http_values_t http_values = {&v[OPT_HTTP], &v[OPT_HTTP_TOKEN]};
    const cli_http_run_t http_run = {.command = "impact", .algo = plan.algo[0].algo};
    cli_http_t *http = NULL;
    rc = cli_http_open(spec->name, &http_values, &http_run, &http);
    if (rc != CLI_CONTINUE) {
        arch_energy_close(&energy);
        arch_topology_free(topo);
        return rc;
    }
    impact_setup_t setup = {
        .http = http,
        .topo = topo,
        .energy = energy.source != ARCH_ENERGY_NONE ? &energy : NULL,
        .command = v[OPT_VICTIM_CMD].set ? v[OPT_VICTIM_CMD].text : NULL,
        .command_timeout = v[OPT_VICTIM_TIMEOUT].set ? (double)v[OPT_VICTIM_TIMEOUT].number : 600,
        .victim_pu = order[count - 1],
        .seconds = v[OPT_DURATION].set ? (double)v[OPT_DURATION].number : 2,
        .priority = priority,
        .repeat = v[OPT_REPEAT].set ? (unsigned)v[OPT_REPEAT].number : 5,
        .seed = v[OPT_SEED].set ? v[OPT_SEED].number : (uint64_t)time(NULL),
        .l3 = last_level_cache(topo),
    };
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    static impact_victim_results_t results[MAX_VICTIMS];
    for (unsigned k = 0; k < plan.victims; k++) {
        results[k].victim = plan.probe[k] != NULL ? plan.probe[k]->name : "command";
        results[k].unit = plan.probe[k] != NULL ? plan.probe[k]->unit : "s";
        results[k].higher_is_better = plan.probe[k] != NULL && plan.probe[k]->higher_is_better;
        fill_entries(&plan, placement, order, count, &results[k]);
    }
    printf("minemeter impact: victim on PU %d, miner placed %s%s; %u round(s) of %u run(s) per "
           "victim%s; power %s; pid %ld; stop with Ctrl-C\n",
           setup.victim_pu, placement, cli_priority_describe(&setup.priority), setup.repeat,
           results[0].entries, setup.command ? "" : ", each window its --duration",
           energy.source != ARCH_ENERGY_NONE ? energy.label : "n/a", (long)getpid());
    if (http != NULL) {
        http_status_t *status = cli_http_status(http);
        status->has_impact = 1;
        status->impact_rounds = setup.repeat;
        status->impact_last_miner_hps = -1;
        snprintf(status->energy_reason, sizeof(status->energy_reason),
                 "impact measures energy per window: its report has the figures");
        for (unsigned k = 0; k < plan.victims; k++)
            status->impact_windows_total += results[k].entries * setup.repeat;
        printf("minemeter impact: http: %s\n", cli_http_description(http));
        cli_http_publish(http);
    }
    fflush(stdout);
    long long started = (long long)time(NULL);
    int exit_code = CLI_EXIT_OK;
    unsigned done = 0;
    for (unsigned k = 0; k < plan.victims && exit_code == CLI_EXIT_OK; k++) {
        rc = run_victim(spec->name, &setup, plan.probe[k], &results[k], k);
        if (rc == -ECANCELED)
            exit_code = 128 + (int)stop_signal;
        else if (rc != 0)
            exit_code = rc;
        if (results[k].entry[0].rounds > 0)
            done = k + 1;
    }
    cli_http_close(http);
    if (exit_code != CLI_EXIT_OK && exit_code < 128) {
        arch_energy_close(&energy);
        arch_topology_free(topo);
        return exit_code;
    }
    const char *interrupted = stop_signal == SIGINT    ? "SIGINT"
                              : stop_signal == SIGTERM ? "SIGTERM"
                                                       : NULL;
    const impact_run_info_t info = {
        .placement = placement,
        .victim_pu = setup.victim_pu,
        .nice = setup.priority.nice,
        .repeat = setup.repeat,
        .duration = setup.seconds,
        .command = setup.command,
        .seed = setup.seed,
        .hours = v[OPT_HOURS].set ? (double)v[OPT_HOURS].number : 24,
        .price = price,
        .power_source = energy.source != ARCH_ENERGY_NONE ? energy.label : NULL,
        .power_reason = energy.reason,
        .power_estimated = arch_energy_is_estimate(&energy),
        .argc = argc + 1,
        .argv = argv - 1,
        .started_unix = started,
        .interrupted = interrupted,
    };
    impact_summarize_all(results, done, &info); /* once: every report reads them */
    impact_report_table(stdout, results, done, &info);
    if (interrupted != NULL)
        printf("interrupted by %s: the figures above are the rounds finished before it\n",
               interrupted);
    const struct {
        int option;
        int rc;
    } files[] = {
        {OPT_JSON,
         v[OPT_JSON].set ? impact_report_json(v[OPT_JSON].text, results, done, &info) : 0},
        {OPT_CSV, v[OPT_CSV].set ? impact_report_csv(v[OPT_CSV].text, results, done, &info) : 0},
        {OPT_SVG, v[OPT_SVG].set ? impact_report_svg(v[OPT_SVG].text, results, done, &info) : 0},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (files[i].rc != 0) {
            cli_error(spec->name, "cannot write %s: %s", v[files[i].option].text,
                      strerror(-files[i].rc));
            exit_code = exit_code == CLI_EXIT_OK ? CLI_EXIT_FAILURE : exit_code;
        }
    }
    arch_energy_close(&energy);
    arch_topology_free(topo);
    return exit_code;
}

const cli_command_t cli_command_impact = {&impact_spec, run_impact};
