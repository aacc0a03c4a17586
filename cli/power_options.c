#include "cli/power_options.h"

#include <string.h>

int cli_power_open(const char *command, const cli_power_values_t *v, arch_energy_t *e)
{
    arch_energy_config_t cfg = {.model_idle_watts = -1, .model_max_watts = -1};
    if (v->model != NULL && v->model->set &&
        arch_energy_parse_model(v->model->text, &cfg.model_idle_watts, &cfg.model_max_watts) != 0) {
        cli_usage_error(command,
                        "--power-model needs IDLE_W,MAX_W in watts per vCPU with idle below busy, "
                        "such as 0.74,2.28, not '%s'",
                        v->model->text);
        return CLI_EXIT_USAGE;
    }
    if (v->cmd != NULL && v->cmd->set)
        cfg.power_cmd = v->cmd->text;
    int rc = arch_energy_open(e, &cfg);
    if (rc == 0 || cfg.power_cmd == NULL)
        return CLI_CONTINUE; /* without a meter asked for, no figure is null with e->reason */
    cli_error(command, "--power-cmd gave no watts: %s", e->reason);
    return CLI_EXIT_USAGE;
}

const char *cli_power_mark(const arch_energy_t *e)
{
    return arch_energy_is_estimate(e) ? "~" : "";
}
