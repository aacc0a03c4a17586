/*
 * Subcommands whose work is not built yet. Their options are declared and
 * checked already (so --help teaches what is coming, and a bad number is
 * refused the same way it will be later), but running one says plainly that
 * it is not built and exits 2: nothing pretends to measure.
 */
#include "config.h"

#include "cli/commands.h"

static int run_planned(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t values[32];
    if (spec->option_count > sizeof(values) / sizeof(values[0]))
        return CLI_EXIT_USAGE;
    int parsed = cli_parse(spec, argc, argv, values);
    if (parsed != CLI_CONTINUE)
        return parsed;
    cli_error(spec->name, "not built yet in minemeter %s; nothing was run", PACKAGE_VERSION);
    return CLI_EXIT_USAGE;
}

static const cli_option_t load_options[] = {
    {"duration", CLI_OPT_UINT, "SECONDS", 1, 86400, "how long to run (required)"},
    {"intensity", CLI_OPT_UINT, "PERCENT", 1, 100, "per-thread duty cycle"},
    {"threads", CLI_OPT_UINT, "N", 1, 1024, "worker threads"},
    {"log", CLI_OPT_STRING, "FILE", 0, 0, "ground-truth log, JSON lines"},
};
static const cli_command_spec_t load_spec = {
    "load",
    "bounded, labelled miner load for labs (not built yet)",
    "--duration SECONDS [--intensity PERCENT]",
    NULL,
    load_options,
    sizeof(load_options) / sizeof(load_options[0])};

const cli_command_t cli_command_load = {&load_spec, run_planned};
