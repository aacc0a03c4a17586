/*
 * --config FILE and --dump-config, for every command whose option table
 * has them.
 *
 * A config file is a JSON object whose keys are the command's long option
 * names (or their aliases) and whose values are what the command line
 * would take: a string or a number, true for a flag, an array for an
 * option that repeats (--url). An option given on the command line wins
 * over the file. A key that is not one of the command's options is an
 * error, so a typo never passes silently.
 *
 * XMRig's config.json is read too (cli/config_xmrig.h turns it into the
 * flat form): what has a minemeter option is taken, and every other key is
 * listed on stderr as ignored.
 *
 * --dump-config prints the options in effect, file and command line
 * merged, as a config file, and exits.
 */
#ifndef MINEMETER_CLI_CONFIG_FILE_H
#define MINEMETER_CLI_CONFIG_FILE_H

#include <stdio.h>

#include "cli/args.h"

#define CLI_CONFIG_OPTION_FILE                                                                     \
    {                                                                                              \
        "config", CLI_OPT_STRING, "FILE", 0, 0,                                                    \
            "options from a JSON file (option names as keys, or XMRig's config.json); the "        \
            "command line wins",                                                                   \
            'c', NULL                                                                              \
    }
#define CLI_CONFIG_OPTION_DUMP                                                                     \
    {                                                                                              \
        "dump-config", CLI_OPT_FLAG, NULL, 0, 0,                                                   \
            "print the options in effect (file and command line) as a --config file, and exit"     \
    }

/*
 * Fills the values the command line left unset from the file --config
 * names (values[index of "config"]). Returns CLI_CONTINUE, or
 * CLI_EXIT_USAGE after one sentence on stderr. The values' text stays
 * valid until the process ends.
 */
int cli_config_apply(const cli_command_spec_t *spec, cli_value_t *values);

/* Prints the set options of values as a config file (JSON) on out. */
void cli_config_dump(const cli_command_spec_t *spec, const cli_value_t *values, FILE *out);

#endif
