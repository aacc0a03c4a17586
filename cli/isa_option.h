/*
 * The --isa option shared by the hashing subcommands: which code path to
 * force, checked against what the algorithm has and this CPU runs.
 */
#ifndef MINEMETER_CLI_ISA_OPTION_H
#define MINEMETER_CLI_ISA_OPTION_H

#include "cli/args.h"
#include "pow/algo.h"
#include "pow/isa.h"

/*
 * Reads --isa into *isa for algo. Returns 1 when --isa was given and algo
 * has that path here, 0 when it was not given (*isa untouched), or -1 after
 * printing why it is unusable.
 */
int cli_isa_option(const char *command, const cli_value_t *value, const pow_algo_t *algo,
                   pow_isa_t *isa);

#endif
