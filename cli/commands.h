/*
 * The subcommands. Each takes argv with argv[0] = its own name and returns
 * the process exit code (cli/args.h).
 */
#ifndef MINEMETER_CLI_COMMANDS_H
#define MINEMETER_CLI_COMMANDS_H

#include "cli/args.h"

typedef struct {
    const cli_command_spec_t *spec;
    int (*run)(const cli_command_spec_t *spec, int argc, char **argv);
} cli_command_t;

extern const cli_command_t cli_command_info;
extern const cli_command_t cli_command_bench;
extern const cli_command_t cli_command_hash;
extern const cli_command_t cli_command_selftest;
extern const cli_command_t cli_command_mine;
extern const cli_command_t cli_command_load;
extern const cli_command_t cli_command_impact;
extern const cli_command_t cli_command_pool;
extern const cli_command_t cli_command_compare;

#endif
