/*
 * minemeter: one binary, git-style subcommands.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"

static const cli_command_t *const commands[] = {
    &cli_command_bench,  &cli_command_hash, &cli_command_selftest,
    &cli_command_info,   &cli_command_mine, &cli_command_load,
    &cli_command_impact, &cli_command_pool, &cli_command_compare,
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: minemeter COMMAND [OPTIONS]\n"
                 "\n"
                 "minemeter measures what proof-of-work mining costs a CPU: hashes per second,\n"
                 "scaling over cores, cycles and joules per hash. It runs in the foreground,\n"
                 "says what it does, and stops when told (Ctrl-C, or --duration).\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->spec->name, commands[i]->spec->summary);
    fprintf(out, "\n"
                 "Run 'minemeter COMMAND --help' for the options of one command.\n"
                 "Options for minemeter itself:\n"
                 "  -h, --help     show this help and exit\n"
                 "  --version      print the version and exit\n");
}

static const cli_command_t *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i]->spec->name, name) == 0)
            return commands[i];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "-h") == 0 || strcmp(first, "--help") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("minemeter %s\n", PACKAGE_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "help") == 0) {
        if (argc < 3) {
            print_usage(stdout);
            return CLI_EXIT_OK;
        }
        const cli_command_t *cmd = find_command(argv[2]);
        if (cmd == NULL) {
            fprintf(stderr, "minemeter: unknown command '%s' (see 'minemeter --help')\n", argv[2]);
            return CLI_EXIT_USAGE;
        }
        cli_print_help(cmd->spec, stdout);
        return CLI_EXIT_OK;
    }
    if (first[0] == '-') {
        fprintf(stderr, "minemeter: unknown option '%s' (see 'minemeter --help')\n", first);
        return CLI_EXIT_USAGE;
    }
    const cli_command_t *cmd = find_command(first);
    if (cmd == NULL) {
        fprintf(stderr, "minemeter: unknown command '%s' (see 'minemeter --help')\n", first);
        return CLI_EXIT_USAGE;
    }
    return cmd->run(cmd->spec, argc - 1, argv + 1);
}
