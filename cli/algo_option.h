/*
 * One grammar for --algo and --mode in every command that hashes:
 *
 *   --algo ALGO[:MODE]   an algorithm by our name or XMRig's, any case; a
 *                        RandomX one may name its mode after a colon
 *   --mode MODE          fast (the 2080 MiB dataset), light (the 256 MiB
 *                        cache) or auto (fast when the dataset fits in the
 *                        memory this process may use, else light)
 *
 * bench takes lists in both (rx/0:fast,cn/r; --mode fast,light or both)
 * through bench/plan.c, with the same words. A mode given twice must agree.
 */
#ifndef MINEMETER_CLI_ALGO_OPTION_H
#define MINEMETER_CLI_ALGO_OPTION_H

#include "cli/args.h"
#include "pow/algo.h"

typedef enum {
    CLI_MODE_UNSET,
    CLI_MODE_LIGHT,
    CLI_MODE_FAST,
    CLI_MODE_AUTO,
} cli_mode_t;

/* The --mode words, for help and errors. */
#define CLI_MODE_WORDS "fast, light or auto"

/*
 * Parses one algorithm, "ALGO" or "ALGO:MODE", into *algo and *mode
 * (CLI_MODE_UNSET without a suffix). Returns 0, or -1 after one sentence.
 */
int cli_algo_parse(const char *command, const char *text, const pow_algo_t **algo,
                   cli_mode_t *mode);

/*
 * The mode for algo from its --algo suffix and the --mode option (either,
 * or both when they agree); fallback when neither says. Refuses a mode for
 * an algorithm that has none. Returns 0, or -1 after one sentence.
 */
int cli_mode_for(const char *command, const pow_algo_t *algo, cli_mode_t from_algo,
                 const cli_value_t *mode_option, cli_mode_t fallback, cli_mode_t *mode);

/* Whether a mode, auto resolved by the room for the dataset, builds the dataset. */
int cli_mode_is_fast(cli_mode_t mode);

#endif
