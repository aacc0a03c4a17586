/*
 * The power options every measuring command shares (bench, load, mine,
 * info): --power-cmd names an external meter, --power-model the estimate's
 * coefficients. They open the energy source the command's figures come
 * from (arch/energy.h).
 */
#ifndef MINEMETER_CLI_POWER_OPTIONS_H
#define MINEMETER_CLI_POWER_OPTIONS_H

#include "arch/energy.h"
#include "cli/args.h"

#define CLI_POWER_OPTION_CMD                                                                       \
    {                                                                                              \
        "power-cmd", CLI_OPT_STRING, "COMMAND", 0, 0,                                              \
            "measure power with COMMAND, a shell command that prints watts (a smart plug, a "      \
            "PDU), run about once a second"                                                        \
    }
#define CLI_POWER_OPTION_MODEL                                                                     \
    {                                                                                              \
        "power-model", CLI_OPT_STRING, "IDLE_W,MAX_W", 0, 0,                                       \
            "where no counter reads, estimate with these watts per vCPU, idle and busy "           \
            "(default: the CPU's row of the CCF table; see docs/energy.md)"                        \
    }

typedef struct {
    const cli_value_t *cmd, *model;
} cli_power_values_t;

/*
 * Checks the values and opens the energy source into e. Returns
 * CLI_CONTINUE (e->source is ARCH_ENERGY_NONE, with e->reason, when not
 * even an estimate can be made), or CLI_EXIT_USAGE after one sentence: a
 * bad --power-model, a --power-cmd that fails or prints no number.
 */
int cli_power_open(const char *command, const cli_power_values_t *values, arch_energy_t *e);

/*
 * "~" before an estimated figure, "" before a measured one: tables mark
 * estimates so they are never read as measurements.
 */
const char *cli_power_mark(const arch_energy_t *e);

#endif
