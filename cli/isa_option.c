#include "config.h"
#include "cli/isa_option.h"

#include <stdio.h>
#include <string.h>

int cli_isa_option(const char *command, const cli_value_t *value, const pow_algo_t *algo,
                   pow_isa_t *isa)
{
    if (!value->set)
        return 0;
    char paths[128] = "";
    size_t used = 0;
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        if (pow_algo_isa_available(algo, (pow_isa_t)i))
            used += (size_t)snprintf(paths + used, sizeof(paths) - used, "%s%s", used ? ", " : "",
                                     pow_isa_name((pow_isa_t)i));
    }
    pow_isa_t chosen;
    if (pow_isa_from_name(value->text, &chosen) != 0) {
        cli_usage_error(command, "unknown --isa '%s'; paths here: %s", value->text, paths);
        return -1;
    }
    if (!pow_algo_isa_available(algo, chosen)) {
        cli_error(command, "--isa %s: %s has no such path here; its paths here: %s", value->text,
                  pow_algo_name(algo), paths);
        return -1;
    }
    *isa = chosen;
    return 1;
}
