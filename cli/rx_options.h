/*
 * How RandomX runs, the same on every hashing command: --jit on|off,
 * --huge-pages on|off, --1gb-pages, --lockstep on|off. They are process-wide settings (new
 * VMs start with or without the JIT; every allocation follows the page
 * policy), applied once after parsing.
 */
#ifndef MINEMETER_CLI_RX_OPTIONS_H
#define MINEMETER_CLI_RX_OPTIONS_H

#include "cli/args.h"

#define CLI_RX_OPTION_JIT                                                                          \
    {                                                                                              \
        "jit", CLI_OPT_STRING, "on|off", 0, 0,                                                     \
            "RandomX programs as machine code (default on) or interpreted"                         \
    }
#define CLI_RX_OPTION_HUGE_PAGES                                                                   \
    {                                                                                              \
        "huge-pages", CLI_OPT_STRING, "on|off", 0, 0,                                              \
            "huge pages for scratchpads, cache and dataset (default on)"                           \
    }
#define CLI_RX_OPTION_1GB_PAGES                                                                    \
    {                                                                                              \
        "1gb-pages", CLI_OPT_FLAG, NULL, 0, 0, "try 1 GiB pages for the RandomX dataset first"     \
    }

#define CLI_RX_OPTION_LOCKSTEP                                                                     \
    {                                                                                              \
        "lockstep", CLI_OPT_STRING, "on|off", 0, 0,                                                \
            "light mode: 4 hashes per thread at once, their dataset items computed together "      \
            "(default on)"                                                                         \
    }

typedef struct {
    const cli_value_t *jit, *huge_pages, *gb_pages, *lockstep;
} cli_rx_values_t;

/* Checks and applies the values. Returns CLI_CONTINUE, or CLI_EXIT_USAGE after one sentence. */
int cli_rx_options_apply(const char *command, const cli_rx_values_t *values);

#endif
