/*
 * minemeter compare A.json B.json ...: bench results from several machines
 * or runs side by side (bench/compare.h), as a table, and with --csv and
 * --svg as files. The files come first or anywhere among the options;
 * every one is checked before anything is printed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/compare.h"
#include "cli/args.h"
#include "cli/commands.h"

enum { OPT_CSV, OPT_SVG, OPT_COUNT };

static const cli_option_t compare_options[OPT_COUNT] = {
    [OPT_CSV] = {"csv", CLI_OPT_STRING, "FILE", 0, 0,
                 "also write a CSV row per measurement and file, with the ratio to the first"},
    [OPT_SVG] = {"svg", CLI_OPT_STRING, "FILE", 0, 0,
                 "also draw each file's H/s over the first file's as a bar chart"},
};

static const cli_command_spec_t compare_spec = {
    "compare",
    "bench results from several machines or runs side by side, as ratios to the first",
    "A.json B.json [C.json ...] [--csv FILE] [--svg FILE]",
    "Reads the files `minemeter bench --json` wrote (2 to 8 of them) and lines\n"
    "their verified measurements up by algorithm, mode and thread count. For\n"
    "each it shows every file's H/s (median), H/s per thread, J/hash (~ marks\n"
    "an estimate) and the ratio of its H/s to the first file's: put the\n"
    "machine or run to compare against first. A file that is not a bench\n"
    "result, or that another version wrote in another schema, is refused\n"
    "with exit 2 before anything is printed.\n"
    "Examples:\n"
    "  minemeter compare epyc.json xeon.json graviton.json\n"
    "  minemeter compare before.json after.json --csv ratios.csv --svg ratios.svg",
    compare_options,
    OPT_COUNT,
};

/*
 * Whether arg is an option of spec given as "--name" with its value as the
 * next argument (not "--name=VALUE", not a flag), read off the option table.
 */
static int takes_value(const cli_command_spec_t *spec, const char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    for (unsigned i = 0; i < spec->option_count; i++)
        if (spec->options[i].kind != CLI_OPT_FLAG && strcmp(arg + 2, spec->options[i].name) == 0)
            return 1;
    return 0;
}

static int run_compare(const cli_command_spec_t *spec, int argc, char **argv)
{
    /* The files are the arguments that are neither options nor their values. */
    char **options = calloc((size_t)argc + 1, sizeof(char *));
    const char **files = calloc((size_t)argc + 1, sizeof(char *));
    if (options == NULL || files == NULL) {
        free(options);
        free(files);
        cli_error(spec->name, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    int n_options = 0;
    unsigned n_files = 0;
    options[n_options++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            options[n_options++] = argv[i];
            if (takes_value(spec, argv[i]) && i + 1 < argc)
                options[n_options++] = argv[++i];
        } else {
            files[n_files++] = argv[i];
        }
    }
    cli_value_t v[OPT_COUNT];
    int rc = cli_parse(spec, n_options, options, v);
    if (rc == CLI_CONTINUE && n_files < 2) {
        cli_usage_error(spec->name, "give two or more bench JSON files (minemeter bench --json "
                                    "FILE writes one)");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == CLI_CONTINUE && (cli_check_output(spec->name, &v[OPT_CSV], "csv") != 0 ||
                               cli_check_output(spec->name, &v[OPT_SVG], "svg") != 0))
        rc = CLI_EXIT_USAGE;
    bench_compare_t *c = rc == CLI_CONTINUE ? malloc(sizeof(*c)) : NULL;
    char why[600];
    if (rc == CLI_CONTINUE && c == NULL) {
        cli_error(spec->name, "out of memory");
        rc = CLI_EXIT_FAILURE;
    } else if (rc == CLI_CONTINUE && bench_compare_load(c, files, n_files, why, sizeof(why)) != 0) {
        cli_usage_error(spec->name, "%s", why);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == CLI_CONTINUE) {
        bench_compare_table(stdout, c);
        rc = CLI_EXIT_OK;
        if (v[OPT_CSV].set && bench_compare_csv(v[OPT_CSV].text, c) != 0) {
            cli_error(spec->name, "cannot write %s", v[OPT_CSV].text);
            rc = CLI_EXIT_FAILURE;
        }
        if (v[OPT_SVG].set && bench_compare_svg(v[OPT_SVG].text, c) != 0) {
            cli_error(spec->name, "cannot write %s", v[OPT_SVG].text);
            rc = CLI_EXIT_FAILURE;
        }
    }
    free(c);
    free(options);
    free(files);
    return rc;
}

const cli_command_t cli_command_compare = {&compare_spec, run_compare};
