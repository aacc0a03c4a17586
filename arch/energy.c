/*
 * Choosing the power source and labelling its figures.
 */
#include "arch/energy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/power_model.h"

static arch_energy_attempt_t *attempt(arch_energy_t *e, arch_energy_source_t source, int rc)
{
    arch_energy_attempt_t *a = &e->attempt[e->tried++];
    a->source = source;
    a->rc = rc;
    return a;
}

static const char *plural(unsigned n)
{
    return n == 1 ? "" : "s";
}

static int try_powercap(arch_energy_t *e, const char *root)
{
    arch_energy_attempt_t *a = attempt(e, ARCH_ENERGY_POWERCAP, 0);
    a->rc = arch_energy_powercap_open(&e->powercap, root, a->reason, sizeof(a->reason));
    if (a->rc != 0)
        return a->rc;
    const arch_energy_powercap_t *p = &e->powercap;
    snprintf(e->label, sizeof(e->label), "measured: powercap RAPL %s, %u package%s",
             p->dram > 0 ? "package+dram" : "package", p->packages, plural(p->packages));
    return 0;
}

static int try_perf(arch_energy_t *e, const char *root)
{
    arch_energy_attempt_t *a = attempt(e, ARCH_ENERGY_PERF, 0);
    a->rc = arch_energy_perf_open(&e->perf, root, a->reason, sizeof(a->reason));
    if (a->rc != 0)
        return a->rc;
    snprintf(e->label, sizeof(e->label), "measured: perf power %s, %u package%s",
             arch_energy_perf_events_name(&e->perf), e->perf.packages, plural(e->perf.packages));
    return 0;
}

static int try_msr(arch_energy_t *e, const char *root, const arch_cpu_t *cpu)
{
    arch_energy_attempt_t *a = attempt(e, ARCH_ENERGY_MSR, 0);
    a->rc = arch_energy_msr_open(&e->msr, root, cpu->vendor, cpu->family, cpu->model, a->reason,
                                 sizeof(a->reason));
    if (a->rc != 0)
        return a->rc;
    snprintf(e->label, sizeof(e->label), "measured: RAPL MSR %s, %u package%s",
             arch_energy_msr_domains(&e->msr), e->msr.packages, plural(e->msr.packages));
    return 0;
}

static int try_meter(arch_energy_t *e, arch_meter_kind_t kind, const char *command)
{
    arch_energy_attempt_t *a =
        attempt(e, kind == ARCH_METER_IPMI ? ARCH_ENERGY_IPMI : ARCH_ENERGY_COMMAND, 0);
    a->rc = arch_meter_open(&e->meter, kind, command, a->reason, sizeof(a->reason));
    if (a->rc != 0)
        return a->rc;
    snprintf(e->label, sizeof(e->label), "%s",
             kind == ARCH_METER_IPMI ? "measured: IPMI DCMI system power (whole machine)"
                                     : "measured: --power-cmd meter");
    return 0;
}

static int try_model(arch_energy_t *e, const char *root, const arch_energy_config_t *cfg,
                     const arch_cpu_t *cpu)
{
    arch_energy_attempt_t *a = attempt(e, ARCH_ENERGY_MODEL, 0);
    arch_power_coefficients_t c;
    char name[96];
    if (cfg != NULL && cfg->model_idle_watts >= 0 && cfg->model_max_watts > 0) {
        c.idle_watts = cfg->model_idle_watts;
        c.max_watts = cfg->model_max_watts;
        snprintf(name, sizeof(name), "--power-model");
    } else {
        int known =
            arch_power_model_lookup(cpu->vendor, cpu->family, cpu->model, cpu->stepping, &c);
        snprintf(name, sizeof(name), "CCF %s%s", c.name, known ? "" : " (CPU not in the table)");
    }
    a->rc = arch_energy_model_open(&e->model, root, c.idle_watts, c.max_watts, a->reason,
                                   sizeof(a->reason));
    if (a->rc != 0)
        return a->rc;
    snprintf(e->label, sizeof(e->label),
             "estimated: %s, %.3g-%.4g W per vCPU x %u vCPU%s, by CPU time", name, c.idle_watts,
             c.max_watts, e->model.cpus, plural(e->model.cpus));
    return 0;
}

static const char *root_of(const arch_energy_config_t *cfg)
{
    if (cfg != NULL && cfg->root != NULL)
        return cfg->root;
    /* A test hook: MINEMETER_TEST_ROOT=DIR makes the binary read a made-up machine. */
    const char *root = getenv("MINEMETER_TEST_ROOT");
    return root != NULL ? root : "";
}

int arch_energy_open(arch_energy_t *e, const arch_energy_config_t *cfg)
{
    memset(e, 0, sizeof(*e));
    const char *root = root_of(cfg);
    const arch_cpu_t *cpu = cfg != NULL && cfg->cpu != NULL ? cfg->cpu : arch_cpu();

    if (cfg != NULL && cfg->power_cmd != NULL) {
        /* The meter the user named, or nothing: a silent fallback would misreport its figures. */
        int rc = try_meter(e, ARCH_METER_COMMAND, cfg->power_cmd);
        if (rc == 0) {
            e->source = ARCH_ENERGY_COMMAND;
            return 0;
        }
        snprintf(e->reason, sizeof(e->reason), "%s", e->attempt[0].reason);
        return rc;
    }
    if (try_powercap(e, root) == 0)
        e->source = ARCH_ENERGY_POWERCAP;
    else if (try_perf(e, root) == 0)
        e->source = ARCH_ENERGY_PERF;
    else if (try_msr(e, root, cpu) == 0)
        e->source = ARCH_ENERGY_MSR;
    else if (try_meter(e, ARCH_METER_IPMI, NULL) == 0)
        e->source = ARCH_ENERGY_IPMI;
    else if (try_model(e, root, cfg, cpu) == 0)
        e->source = ARCH_ENERGY_MODEL;
    if (e->source != ARCH_ENERGY_NONE && !arch_energy_is_estimate(e))
        return 0;
    /* Why nothing was measured: a refusal the user can lift says most, else the first source. */
    const arch_energy_attempt_t *why = &e->attempt[0];
    for (unsigned i = 0; i < e->tried; i++) {
        if (e->attempt[i].rc == -EACCES && e->attempt[i].source != ARCH_ENERGY_MODEL) {
            why = &e->attempt[i];
            break;
        }
    }
    snprintf(e->reason, sizeof(e->reason), "%s", why->reason);
    if (e->source != ARCH_ENERGY_NONE)
        return 0;
    return e->attempt[e->tried - 1].rc;
}

unsigned arch_energy_survey(const arch_energy_config_t *cfg,
                            arch_energy_attempt_t out[ARCH_ENERGY_SOURCES])
{
    arch_energy_t *e = malloc(sizeof(*e));
    if (e == NULL)
        return 0;
    const char *root = root_of(cfg);
    const arch_cpu_t *cpu = cfg != NULL && cfg->cpu != NULL ? cfg->cpu : arch_cpu();
    unsigned n = 0;
    for (arch_energy_source_t s = ARCH_ENERGY_POWERCAP; s <= ARCH_ENERGY_MODEL; s++) {
        const char *command = cfg != NULL ? cfg->power_cmd : NULL;
        if (s == ARCH_ENERGY_COMMAND && command == NULL)
            continue;
        memset(e, 0, sizeof(*e));
        int rc = s == ARCH_ENERGY_POWERCAP  ? try_powercap(e, root)
                 : s == ARCH_ENERGY_PERF    ? try_perf(e, root)
                 : s == ARCH_ENERGY_MSR     ? try_msr(e, root, cpu)
                 : s == ARCH_ENERGY_IPMI    ? try_meter(e, ARCH_METER_IPMI, NULL)
                 : s == ARCH_ENERGY_COMMAND ? try_meter(e, ARCH_METER_COMMAND, command)
                                            : try_model(e, root, cfg, cpu);
        out[n] = e->attempt[0];
        if (rc == 0) {
            snprintf(out[n].reason, sizeof(out[n].reason), "%s", e->label);
            e->source = s;
            arch_energy_close(e);
        }
        n++;
    }
    free(e);
    return n;
}

int arch_energy_read(arch_energy_t *e, double *joules)
{
    switch (e->source) {
    case ARCH_ENERGY_POWERCAP:
        return arch_energy_powercap_read(&e->powercap, joules);
    case ARCH_ENERGY_PERF:
        return arch_energy_perf_read(&e->perf, joules);
    case ARCH_ENERGY_MSR:
        return arch_energy_msr_read(&e->msr, joules);
    case ARCH_ENERGY_IPMI:
    case ARCH_ENERGY_COMMAND:
        return arch_meter_read(&e->meter, joules);
    case ARCH_ENERGY_MODEL:
        return arch_energy_model_read(&e->model, joules);
    case ARCH_ENERGY_NONE:
        break;
    }
    return -ENOENT;
}

void arch_energy_close(arch_energy_t *e)
{
    if (e->source == ARCH_ENERGY_PERF)
        arch_energy_perf_close(&e->perf);
    else if (e->source == ARCH_ENERGY_MSR)
        arch_energy_msr_close(&e->msr);
    else if (e->source == ARCH_ENERGY_IPMI || e->source == ARCH_ENERGY_COMMAND)
        arch_meter_close(&e->meter);
    e->source = ARCH_ENERGY_NONE;
}

int arch_energy_is_estimate(const arch_energy_t *e)
{
    return e->source == ARCH_ENERGY_MODEL;
}

const char *arch_energy_source_name(arch_energy_source_t source)
{
    switch (source) {
    case ARCH_ENERGY_POWERCAP:
        return "powercap";
    case ARCH_ENERGY_PERF:
        return "perf";
    case ARCH_ENERGY_MSR:
        return "msr";
    case ARCH_ENERGY_IPMI:
        return "ipmi";
    case ARCH_ENERGY_COMMAND:
        return "power-cmd";
    case ARCH_ENERGY_MODEL:
        return "model";
    case ARCH_ENERGY_NONE:
        break;
    }
    return "none";
}

int arch_energy_parse_model(const char *text, double *idle_watts, double *max_watts)
{
    char *end = NULL;
    double idle = strtod(text, &end);
    if (end == text || *end != ',')
        return -EINVAL;
    const char *rest = end + 1;
    double max = strtod(rest, &end);
    if (end == rest || *end != '\0')
        return -EINVAL;
    if (!isfinite(idle) || !isfinite(max) || idle < 0 || max <= idle || max > 1000)
        return -EINVAL;
    *idle_watts = idle;
    *max_watts = max;
    return 0;
}
