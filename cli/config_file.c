#include "config.h"
#include "cli/config_file.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_xmrig.h"

/* Every file read and every text made for it, referenced until the process ends. */
static json_t *kept;

static void keep(json_t *value)
{
    if (kept == NULL)
        kept = json_array();
    json_array_append_new(kept, value);
}

static const char *kept_text(const char *text)
{
    json_t *copy = json_string(text);
    keep(copy);
    return json_string_value(copy);
}

/* One value of the file as the text the command line would have held. */
static const char *text_of(const json_t *item)
{
    char number[48];
    if (json_is_string(item))
        return json_string_value(item);
    if (json_is_integer(item)) {
        snprintf(number, sizeof(number), "%lld", json_integer_value(item));
        return kept_text(number);
    }
    if (json_is_real(item)) {
        snprintf(number, sizeof(number), "%.17g", json_real_value(item));
        return kept_text(number);
    }
    return NULL;
}

/* values[...] for one key of the file; 0, or -1 after one sentence. */
static int set_from_json(const cli_command_spec_t *spec, const char *path, const cli_option_t *opt,
                         const char *key, const json_t *json, cli_value_t *value)
{
    if (opt->kind == CLI_OPT_FLAG) {
        if (json_is_true(json))
            value->set = 1;
        else if (!json_is_false(json) && !json_is_null(json)) {
            cli_usage_error(spec->name, "--config %s: \"%s\" is a flag: true or false", path, key);
            return -1;
        }
        return 0;
    }
    if (json_is_null(json))
        return 0;
    size_t items = json_is_array(json) ? json_array_size(json) : 1;
    for (size_t k = 0; k < items; k++) {
        const json_t *item = json_is_array(json) ? json_array_get(json, k) : json;
        const char *text = text_of(item);
        if (text == NULL) {
            cli_usage_error(spec->name, "--config %s: \"%s\" takes %s, as --%s does", path, key,
                            json_is_array(json) ? "a list of texts or numbers"
                                                : "a text or a number",
                            opt->name);
            return -1;
        }
        if (opt->kind == CLI_OPT_UINT &&
            cli_parse_uint(spec->name, opt->name, text, opt->min, opt->max, &value->number) != 0)
            return -1;
        if (value->count == CLI_MAX_REPEAT) {
            cli_usage_error(spec->name, "--config %s: \"%s\" has more than %d values", path, key,
                            CLI_MAX_REPEAT);
            return -1;
        }
        value->set = 1;
        value->text = text;
        value->texts[value->count++] = text;
    }
    return 0;
}

/* The file as a flat object of option names (XMRig's shape turned into it); NULL after a sentence.
 */
static json_t *load_flat(const cli_command_spec_t *spec, const char *path, json_t *ignored,
                         int *xmrig)
{
    json_error_t error;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    if (root == NULL) {
        if (error.line > 0)
            cli_usage_error(spec->name, "--config %s: line %d: %s", path, error.line, error.text);
        else
            cli_usage_error(spec->name, "--config %s: %s", path, error.text);
        return NULL;
    }
    keep(root);
    if (!json_is_object(root)) {
        cli_usage_error(spec->name, "--config %s: not a JSON object of option names", path);
        return NULL;
    }
    *xmrig = cli_config_is_xmrig(root);
    if (!*xmrig)
        return root;
    char why[256];
    json_t *flat = cli_config_from_xmrig(root, ignored, why, sizeof(why));
    if (flat == NULL) {
        cli_usage_error(spec->name, "--config %s (XMRig's config.json): %s", path, why);
        return NULL;
    }
    keep(flat);
    return flat;
}

static void say_ignored(const cli_command_spec_t *spec, const char *path, const json_t *ignored)
{
    if (json_array_size(ignored) == 0)
        return;
    fprintf(stderr,
            "minemeter %s: --config %s is XMRig's config.json; ignored, as %s has no "
            "option for them: ",
            spec->name, path, spec->name);
    size_t i;
    json_t *item;
    json_array_foreach((json_t *)ignored, i, item)
        fprintf(stderr, "%s%s", i ? ", " : "", json_string_value(item));
    fprintf(stderr, "\n");
}

int cli_config_apply(const cli_command_spec_t *spec, cli_value_t *values)
{
    unsigned config_index;
    if (cli_find_option(spec, "config", &config_index) == NULL || !values[config_index].set)
        return CLI_CONTINUE;
    const char *path = values[config_index].text;
    json_t *ignored = json_array();
    int xmrig = 0;
    json_t *flat = load_flat(spec, path, ignored, &xmrig);
    const char *key;
    json_t *json;
    int rc = flat != NULL ? CLI_CONTINUE : CLI_EXIT_USAGE;
    json_object_foreach(flat, key, json)
    {
        if (rc != CLI_CONTINUE)
            break;
        unsigned i;
        if (cli_find_option(spec, key, &i) == NULL) {
            if (xmrig) {
                json_array_append_new(ignored, json_string(key));
                continue;
            }
            cli_usage_error(spec->name,
                            "--config %s: \"%s\" is not an option of %s (minemeter %s --help "
                            "lists them)",
                            path, key, spec->name, spec->name);
            rc = CLI_EXIT_USAGE;
        } else if (strcmp(spec->options[i].name, "config") == 0 ||
                   strcmp(spec->options[i].name, "dump-config") == 0) {
            cli_usage_error(spec->name, "--config %s: \"%s\" belongs on the command line", path,
                            key);
            rc = CLI_EXIT_USAGE;
        } else if (!values[i].set &&
                   set_from_json(spec, path, &spec->options[i], key, json, &values[i]) != 0) {
            rc = CLI_EXIT_USAGE;
        }
    }
    if (rc == CLI_CONTINUE)
        say_ignored(spec, path, ignored);
    json_decref(ignored);
    return rc;
}

void cli_config_dump(const cli_command_spec_t *spec, const cli_value_t *values, FILE *out)
{
    json_t *dump = json_object();
    for (unsigned i = 0; i < spec->option_count; i++) {
        const cli_option_t *o = &spec->options[i];
        const cli_value_t *v = &values[i];
        if (!v->set || strcmp(o->name, "config") == 0 || strcmp(o->name, "dump-config") == 0)
            continue;
        if (o->kind == CLI_OPT_FLAG) {
            json_object_set_new(dump, o->name, json_true());
            continue;
        }
        json_t *list = json_array();
        for (unsigned k = 0; k < v->count; k++)
            json_array_append_new(list,
                                  o->kind == CLI_OPT_UINT
                                      ? json_integer((json_int_t)strtoull(v->texts[k], NULL, 10))
                                      : json_string(v->texts[k]));
        if (v->count == 1)
            json_object_set(dump, o->name, json_array_get(list, 0));
        else
            json_object_set(dump, o->name, list);
        json_decref(list);
    }
    char *text = json_dumps(dump, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
    fprintf(out, "%s\n", text != NULL ? text : "{}");
    free(text);
    json_decref(dump);
}
