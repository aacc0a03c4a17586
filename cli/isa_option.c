#include "config.h"
#include "cli/isa_option.h"

#include <stdio.h>
#include <string.h>

int cli_isa_option(const char *command, const cli_value_t *value, int (*available)(pow_isa_t),
                   pow_isa_t *isa)
{
    if (!value->set)
        return 0;
    char paths[128] = "";
    size_t used = 0;
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        if (available((pow_isa_t)i))
            used += (size_t)snprintf(paths + used, sizeof(paths) - used, "%s%s", used ? ", " : "",
                                     pow_isa_name((pow_isa_t)i));
    }
    pow_isa_t chosen;
    if (pow_isa_from_name(value->text, &chosen) != 0) {
        cli_usage_error(command, "unknown --isa '%s'; paths here: %s", value->text, paths);
        return -1;
    }
    if (!available(chosen)) {
        cli_error(command, "--isa %s: no such path in this binary for this CPU; paths here: %s",
                  value->text, paths);
        return -1;
    }
    *isa = chosen;
    return 1;
}
