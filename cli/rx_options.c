#include "config.h"
#include "cli/rx_options.h"

#include <string.h>

#include "arch/pages.h"
#include "pow/rx/group.h"
#include "pow/rx/randomx.h"

/* "on" 1, "off" 0, anything else -1. */
static int on_off(const char *text)
{
    return strcmp(text, "on") == 0 ? 1 : strcmp(text, "off") == 0 ? 0 : -1;
}

int cli_rx_options_apply(const char *command, const cli_rx_values_t *v)
{
    int jit = 1, huge = 1, lockstep = 1;
    if (v->jit->set && (jit = on_off(v->jit->text)) < 0) {
        cli_usage_error(command, "--jit is on or off, not '%s'", v->jit->text);
        return CLI_EXIT_USAGE;
    }
    if (v->huge_pages->set && (huge = on_off(v->huge_pages->text)) < 0) {
        cli_usage_error(command, "--huge-pages is on or off, not '%s'", v->huge_pages->text);
        return CLI_EXIT_USAGE;
    }
    if (v->lockstep->set && (lockstep = on_off(v->lockstep->text)) < 0) {
        cli_usage_error(command, "--lockstep is on or off, not '%s'", v->lockstep->text);
        return CLI_EXIT_USAGE;
    }
    if (!huge && v->gb_pages->set) {
        cli_usage_error(command, "--1gb-pages needs --huge-pages on");
        return CLI_EXIT_USAGE;
    }
    pow_rx_set_default_jit(jit);
    pow_rx_set_default_lockstep(lockstep);
    arch_pages_set_policy((huge ? 0u : ARCH_PAGES_NO_HUGE) |
                          (v->gb_pages->set ? ARCH_PAGES_TRY_1G : 0u));
    return CLI_CONTINUE;
}
