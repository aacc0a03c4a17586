#include "config.h"
#include "cli/algo_option.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "miner/rx_dataset_build.h"

static int mode_from_word(const char *word, cli_mode_t *mode)
{
    static const struct {
        const char *word;
        cli_mode_t mode;
    } words[] = {{"fast", CLI_MODE_FAST}, {"light", CLI_MODE_LIGHT}, {"auto", CLI_MODE_AUTO}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(word, words[i].word) == 0) {
            *mode = words[i].mode;
            return 0;
        }
    }
    return -1;
}

int cli_algo_parse(const char *command, const char *text, const pow_algo_t **algo, cli_mode_t *mode)
{
    char name[64];
    const char *colon = strchr(text, ':');
    size_t len = colon != NULL ? (size_t)(colon - text) : strlen(text);
    snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1), text);
    *algo = pow_algo_find(name);
    if (*algo == NULL) {
        char why[512];
        pow_algo_unknown(name, why, sizeof(why));
        cli_usage_error(command, "%s", why);
        return -1;
    }
    *mode = CLI_MODE_UNSET;
    if (colon == NULL)
        return 0;
    if (pow_algo_rx(*algo) == NULL) {
        cli_usage_error(command, "--algo %s: only RandomX has modes (%s)", text, CLI_MODE_WORDS);
        return -1;
    }
    if (mode_from_word(colon + 1, mode) != 0) {
        cli_usage_error(command, "--algo %s: the mode is %s, not '%s'", text, CLI_MODE_WORDS,
                        colon + 1);
        return -1;
    }
    return 0;
}

int cli_mode_for(const char *command, const pow_algo_t *algo, cli_mode_t from_algo,
                 const cli_value_t *mode_option, cli_mode_t fallback, cli_mode_t *mode)
{
    cli_mode_t option = CLI_MODE_UNSET;
    if (mode_option->set && mode_from_word(mode_option->text, &option) != 0) {
        cli_usage_error(command, "--mode is %s, not '%s'", CLI_MODE_WORDS, mode_option->text);
        return -1;
    }
    if (option != CLI_MODE_UNSET && pow_algo_rx(algo) == NULL) {
        cli_usage_error(command, "--mode is for RandomX; %s has no dataset", pow_algo_name(algo));
        return -1;
    }
    if (option != CLI_MODE_UNSET && from_algo != CLI_MODE_UNSET && option != from_algo) {
        cli_usage_error(command, "--algo names one mode and --mode another: give it once");
        return -1;
    }
    *mode = from_algo != CLI_MODE_UNSET ? from_algo : option != CLI_MODE_UNSET ? option : fallback;
    return 0;
}

int cli_mode_is_fast(cli_mode_t mode)
{
    if (mode == CLI_MODE_AUTO) {
        char why[256];
        return miner_dataset_fits(why, sizeof(why));
    }
    return mode == CLI_MODE_FAST;
}
