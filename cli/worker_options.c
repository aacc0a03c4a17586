#include "config.h"
#include "cli/worker_options.h"

#include <stdio.h>
#include <string.h>

#include "cli/algo_option.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"
#include "pow/cn/cn.h"
#include "pow/rx/variant.h"

/* The L3 a thread of algo needs to itself: its scratchpad. */
static size_t cache_per_thread(const pow_algo_t *algo)
{
    const struct pow_rx_variant *rx = pow_algo_rx(algo);
    if (rx != NULL)
        return rx->scratchpad_l3;
    const struct pow_cn_algo *cn = pow_algo_cn(algo);
    return cn != NULL ? pow_cn_algo_memory(cn) : (size_t)2 << 20;
}

/* Resolves the RandomX mode, auto by the room for the dataset, and says why. */
static void choose_mode(cli_mode_t mode, int mode_given, cli_workers_t *w)
{
    if (pow_algo_rx(w->algo) == NULL)
        return;
    if (mode != CLI_MODE_AUTO) {
        w->fast = mode == CLI_MODE_FAST;
        snprintf(w->mode_reason, sizeof(w->mode_reason), "as asked");
        return;
    }
    char why[256];
    w->fast = miner_dataset_fits(why, sizeof(why));
    snprintf(w->mode_reason, sizeof(w->mode_reason), "%s: %s%s",
             mode_given ? "auto" : "default auto", why,
             w->fast ? "" : "; --mode fast would run out of memory");
}

int cli_workers_setup(const char *command, const cli_worker_values_t *v, cli_workers_t *w)
{
    memset(w, 0, sizeof(*w));
    cli_mode_t from_algo, mode;
    if (cli_algo_parse(command, v->algo->set ? v->algo->text : "rx/0", &w->algo, &from_algo) != 0)
        return CLI_EXIT_USAGE;
    if (cli_mode_for(command, w->algo, from_algo, v->mode, CLI_MODE_AUTO, &mode) != 0)
        return CLI_EXIT_USAGE;
    miner_pin_mode_t pin = MINER_PIN_CORE;
    if (v->pin->set && miner_pin_mode_from_name(v->pin->text, &pin) != 0) {
        cli_usage_error(command, "--pin is core, pu or none, not '%s'", v->pin->text);
        return CLI_EXIT_USAGE;
    }
    choose_mode(mode, from_algo != CLI_MODE_UNSET || v->mode->set, w);
    if (arch_topology_load(&w->topo) != 0) {
        cli_error(command, "cannot read the machine's topology");
        return CLI_EXIT_FAILURE;
    }
    if (v->threads->set) {
        w->threads = (unsigned)v->threads->number;
        snprintf(w->threads_reason, sizeof(w->threads_reason), "as --threads asked");
    } else {
        w->threads = miner_default_threads_why(w->topo, cache_per_thread(w->algo),
                                               w->threads_reason, sizeof(w->threads_reason));
    }
    if (miner_place_threads(w->topo, pin, v->affinity->set ? v->affinity->text : NULL, w->threads,
                            w->pus) != 0) {
        cli_affinity_refused(command, v->affinity->text, w->topo);
        cli_workers_release(w);
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

void cli_affinity_refused(const char *command, const char *text, const arch_topology_t *topo)
{
    char list[256] = "";
    size_t used = 0;
    unsigned pus = arch_topology_count(topo, ARCH_TOPO_PU);
    for (unsigned i = 0; i < pus && used < sizeof(list) - 12; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%d", i ? "," : "",
                                 arch_topology_pu_os_index(topo, i));
    cli_usage_error(command, "--affinity '%s' is not a list of this machine's PUs (%s)", text,
                    list);
}

miner_config_t cli_workers_miner_config(cli_workers_t *w)
{
    return (miner_config_t){
        .threads = w->threads,
        .pus = w->pus,
        .topo = w->topo,
        .randomx_fast = w->fast,
        .isa = POW_ISA_COUNT,
    };
}

void cli_workers_release(cli_workers_t *w)
{
    arch_topology_free(w->topo);
    w->topo = NULL;
}
