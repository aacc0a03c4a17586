/*
 * The option parser. Hand-written instead of getopt_long so that every
 * mistake gets our one-sentence message and exit code 2, and so that help
 * text and validation come from the same table.
 */
#include "config.h"
#include "cli/args.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/config_file.h"
#include <unistd.h>

static void vprint_error(const char *command, const char *fmt, va_list ap)
{
    fprintf(stderr, "minemeter %s: ", command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(command, fmt, ap);
    va_end(ap);
}

void cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "minemeter %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'minemeter %s --help')\n", command);
    va_end(ap);
}

int cli_parse_price(const char *command, const cli_value_t *value, const char *option,
                    const char *per, const char *example, double *out)
{
    if (!value->set)
        return 0;
    char *end = NULL;
    double price = strtod(value->text, &end);
    if (end == value->text || *end != '\0' || !(price >= 0 && price < 1000)) {
        cli_usage_error(command, "%s needs a price per %s such as %s, not '%s'", option, per,
                        example, value->text);
        return -1;
    }
    *out = price;
    return 0;
}

int cli_parse_uint(const char *command, const char *option, const char *text, unsigned long min,
                   unsigned long max, unsigned long *out)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p)) {
        cli_usage_error(command, "--%s needs a whole number, not '%s'", option, text);
        return -1;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(p, &end, 10);
    if (*end != '\0') {
        cli_usage_error(command, "--%s needs a whole number, not '%s'", option, text);
        return -1;
    }
    if (errno == ERANGE || v < min || v > max) {
        cli_usage_error(command, "--%s must be between %lu and %lu, got '%s'", option, min, max,
                        text);
        return -1;
    }
    *out = (unsigned long)v;
    return 0;
}

static const cli_option_t *find_option(const cli_command_spec_t *spec, const char *name, size_t len,
                                       unsigned *index)
{
    for (unsigned i = 0; i < spec->option_count; i++) {
        const char *candidates[2] = {spec->options[i].name, spec->options[i].alias};
        for (int k = 0; k < 2; k++) {
            if (candidates[k] != NULL && strlen(candidates[k]) == len &&
                strncmp(candidates[k], name, len) == 0) {
                *index = i;
                return &spec->options[i];
            }
        }
    }
    return NULL;
}

const cli_option_t *cli_find_option(const cli_command_spec_t *spec, const char *name,
                                    unsigned *index)
{
    return find_option(spec, name, strlen(name), index);
}

static const cli_option_t *find_short(const cli_command_spec_t *spec, char c, unsigned *index)
{
    for (unsigned i = 0; c != 0 && i < spec->option_count; i++) {
        if (spec->options[i].short_name == c) {
            *index = i;
            return &spec->options[i];
        }
    }
    return NULL;
}

int cli_parse(const cli_command_spec_t *spec, int argc, char **argv, cli_value_t *values)
{
    memset(values, 0, sizeof(*values) * spec->option_count);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_print_help(spec, stdout);
            return CLI_EXIT_OK;
        }
        unsigned index = 0;
        const cli_option_t *opt = NULL;
        const char *eq = NULL;
        if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0') {
            /* -X VALUE or -XVALUE, XMRig's short options */
            opt = find_short(spec, arg[1], &index);
            if (opt == NULL) {
                cli_usage_error(spec->name, "unknown option '-%c'", arg[1]);
                return CLI_EXIT_USAGE;
            }
            if (arg[2] != '\0')
                eq = arg + 1; /* the value follows the letter */
        } else {
            if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
                cli_usage_error(spec->name, "unexpected argument '%s'", arg);
                return CLI_EXIT_USAGE;
            }
            const char *name = arg + 2;
            eq = strchr(name, '=');
            size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
            opt = find_option(spec, name, name_len, &index);
            if (opt == NULL) {
                cli_usage_error(spec->name, "unknown option '--%.*s'", (int)name_len, name);
                return CLI_EXIT_USAGE;
            }
        }
        cli_value_t *value = &values[index];
        if (opt->kind == CLI_OPT_FLAG) {
            if (eq != NULL) {
                cli_usage_error(spec->name, "--%s takes no value", opt->name);
                return CLI_EXIT_USAGE;
            }
            value->set = 1;
            continue;
        }
        const char *text = NULL;
        if (eq != NULL) {
            text = eq + 1;
        } else if (i + 1 < argc) {
            text = argv[++i];
        } else {
            cli_usage_error(spec->name, "--%s needs a value (%s)", opt->name, opt->metavar);
            return CLI_EXIT_USAGE;
        }
        if (opt->kind == CLI_OPT_UINT &&
            cli_parse_uint(spec->name, opt->name, text, opt->min, opt->max, &value->number) != 0)
            return CLI_EXIT_USAGE;
        value->set = 1;
        value->text = text;
        if (value->count == CLI_MAX_REPEAT) {
            cli_usage_error(spec->name, "--%s may be given at most %d times", opt->name,
                            CLI_MAX_REPEAT);
            return CLI_EXIT_USAGE;
        }
        value->texts[value->count++] = text;
    }
    /* A config file fills what the command line left unset (cli/config_file.h). */
    unsigned index;
    if (cli_find_option(spec, "config", &index) != NULL && values[index].set) {
        int rc = cli_config_apply(spec, values);
        if (rc != CLI_CONTINUE)
            return rc;
    }
    if (cli_find_option(spec, "dump-config", &index) != NULL && values[index].set) {
        cli_config_dump(spec, values, stdout);
        return CLI_EXIT_OK;
    }
    return CLI_CONTINUE;
}

void cli_print_help(const cli_command_spec_t *spec, FILE *out)
{
    fprintf(out, "Usage: minemeter %s %s\n\n%s\n", spec->name, spec->usage, spec->summary);
    if (spec->description != NULL)
        fprintf(out, "\n%s\n", spec->description);
    fprintf(out, "\nOptions:\n");
    for (unsigned i = 0; i < spec->option_count; i++) {
        const cli_option_t *opt = &spec->options[i];
        char left[64], letter[8] = "";
        if (opt->short_name != 0)
            snprintf(letter, sizeof(letter), "-%c, ", opt->short_name);
        if (opt->kind == CLI_OPT_FLAG)
            snprintf(left, sizeof(left), "%s--%s", letter, opt->name);
        else
            snprintf(left, sizeof(left), "%s--%s %s", letter, opt->name, opt->metavar);
        fprintf(out, "  %-26s %s", left, opt->help);
        if (opt->kind == CLI_OPT_UINT)
            fprintf(out, " [%lu-%lu]", opt->min, opt->max);
        if (opt->alias != NULL)
            fprintf(out, " (also --%s)", opt->alias);
        fputc('\n', out);
    }
    fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
}

int cli_check_output(const char *command, const cli_value_t *value, const char *option)
{
    if (!value->set)
        return 0;
    const char *path = value->text;
    struct stat st;
    if (path[0] == '\0' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
        cli_usage_error(command, "--%s %s: give a file name to write, not a directory", option,
                        path);
        return -1;
    }
    /* The directory the file goes in (and its temporary file beside it). */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_usage_error(command, "--%s %s: the directory %s does not exist", option, path, dir);
        return -1;
    }
    /* Writable as the run will write: a file made there and removed (root passes access()). */
    char probe[4200];
    snprintf(probe, sizeof(probe), "%s/.minemeter-check-XXXXXX", dir);
    int fd = mkstemp(probe);
    if (fd < 0) {
        cli_usage_error(command, "--%s %s: cannot create a file in %s (%s)", option, path, dir,
                        strerror(errno));
        return -1;
    }
    close(fd);
    unlink(probe);
    return 0;
}
