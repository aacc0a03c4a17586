/*
 * The --isa option shared by the hashing subcommands: which code path to
 * force, checked against what the algorithm has and this CPU runs.
 */
#ifndef MINEMETER_CLI_ISA_OPTION_H
#define MINEMETER_CLI_ISA_OPTION_H

#include "cli/args.h"
#include "pow/isa.h"

/*
 * Reads --isa into *isa. available says whether the algorithm family has a
 * runnable path. Returns 1 when --isa was given and is usable, 0 when it was
 * not given (*isa untouched), or -1 after printing why it is unusable.
 */
int cli_isa_option(const char *command, const cli_value_t *value, int (*available)(pow_isa_t),
                   pow_isa_t *isa);

#endif
