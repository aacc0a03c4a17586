/*
 * Declarative command-line options for the subcommands: each subcommand
 * lists its options once, and the same table drives parsing, validation
 * (values, ranges) and the --help text. Errors are one sentence on stderr.
 */
#ifndef MINEMETER_CLI_ARGS_H
#define MINEMETER_CLI_ARGS_H

#include <stdio.h>

/* Exit codes shared by every subcommand. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /* The work ran and something was wrong (a bad hash). */
    CLI_EXIT_USAGE = 2,   /* The command line was wrong, or the feature is missing. */
};

typedef enum {
    CLI_OPT_FLAG,   /* --name */
    CLI_OPT_STRING, /* --name VALUE */
    CLI_OPT_UINT,   /* --name N, checked against [min, max] */
} cli_opt_kind_t;

typedef struct {
    const char *name; /* Long name without the dashes. */
    cli_opt_kind_t kind;
    const char *metavar; /* How --help shows the value: "N", "URL". */
    unsigned long min;   /* CLI_OPT_UINT range, inclusive. */
    unsigned long max;
    const char *help;  /* One line for --help. */
    char short_name;   /* -X, as XMRig spells it; 0 for none */
    const char *alias; /* another long name (XMRig's), or NULL */
} cli_option_t;

#define CLI_MAX_REPEAT 8

typedef struct {
    int set;              /* Given on the command line. */
    const char *text;     /* The value as written (STRING and UINT); the last one when repeated. */
    unsigned long number; /* The parsed value (UINT). */
    unsigned count;       /* How many times it was given. */
    const char *texts[CLI_MAX_REPEAT]; /* Each value in order, for options that may repeat. */
} cli_value_t;

typedef struct {
    const char *name;        /* "info" */
    const char *summary;     /* One line for the command list. */
    const char *usage;       /* Arguments after the name, e.g. "[--json]". */
    const char *description; /* Paragraphs for --help; may be NULL. */
    const cli_option_t *options;
    unsigned option_count;
} cli_command_spec_t;

/* What cli_parse returns when the command should go on and run. */
#define CLI_CONTINUE (-1)

/*
 * Parses argv[1..argc-1] (argv[0] is the subcommand's name) against the
 * spec into values (spec->option_count entries, zeroed here). Returns
 * CLI_CONTINUE, or the exit code to return at once: CLI_EXIT_OK after
 * printing --help, CLI_EXIT_USAGE after printing an error.
 */
int cli_parse(const cli_command_spec_t *spec, int argc, char **argv, cli_value_t *values);

/*
 * The option whose long name or alias is name, and its index in the table;
 * NULL when the command has none.
 */
const cli_option_t *cli_find_option(const cli_command_spec_t *spec, const char *name,
                                    unsigned *index);

/* Prints the subcommand's --help text. */
void cli_print_help(const cli_command_spec_t *spec, FILE *out);

/* Prints "minemeter CMD: MESSAGE" and a pointer to --help on stderr. */
void cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "minemeter CMD: MESSAGE" on stderr. */
void cli_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parses a decimal unsigned number within [min, max]. On failure prints one
 * sentence naming the option and returns -1.
 */
int cli_parse_uint(const char *command, const char *option, const char *text, unsigned long min,
                   unsigned long max, unsigned long *out);

/*
 * A price option (--price, --vcpu-price) into *out: a decimal from 0 to
 * below 1000 per unit, such as example. Leaves *out alone when value is not
 * set. On failure prints one sentence naming the option and returns -1.
 */
int cli_parse_price(const char *command, const cli_value_t *value, const char *option,
                    const char *per, const char *example, double *out);

/*
 * An output file option (--json, --csv, --svg) checked before any work, so
 * a long run never ends in "cannot write": its directory must exist and be
 * writable, and the path must not be a directory. Leaves an unset value
 * alone. On failure prints one sentence naming the option and returns -1.
 */
int cli_check_output(const char *command, const cli_value_t *value, const char *option);

#endif
