/*
 * The linear per-vCPU power model over /proc/stat's CPU time.
 */
#include "arch/energy_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/text_file.h"

int arch_energy_model_parse_stat(const char *text, uint64_t *busy_ticks, unsigned *cpus)
{
    unsigned long long user, nice, system, idle, iowait, irq, softirq;
    if (sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle,
               &iowait, &irq, &softirq) != 7)
        return -EIO;
    unsigned n = 0;
    for (const char *line = text; line != NULL; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9')
            n++;
    }
    if (n == 0)
        return -EIO;
    *busy_ticks = user + nice + system + irq + softirq;
    *cpus = n;
    return 0;
}

static int read_stat(const char *path, uint64_t *busy, unsigned *cpus)
{
    /* A line per CPU of ~100 bytes: room for 1000 CPUs before the total line is cut. */
    static const size_t cap = 128 * 1024;
    char *text = malloc(cap);
    if (text == NULL)
        return -ENOMEM;
    int rc = arch_text_read(path, text, cap);
    if (rc == 0)
        rc = arch_energy_model_parse_stat(text, busy, cpus);
    free(text);
    return rc;
}

int arch_energy_model_open(arch_energy_model_t *m, const char *root, double idle_watts,
                           double max_watts, char *reason, size_t cap)
{
    memset(m, 0, sizeof(*m));
    m->idle_watts = idle_watts;
    m->max_watts = max_watts;
    long hz = sysconf(_SC_CLK_TCK);
    m->ticks_per_s = hz > 0 ? (double)hz : 100;
    int rc = arch_text_join(m->stat_path, sizeof(m->stat_path), root, "proc/stat");
    if (rc == 0)
        rc = read_stat(m->stat_path, &m->last_busy, &m->cpus);
    if (rc != 0) {
        snprintf(reason, cap, "the CPU time in %s could not be read: %s", m->stat_path,
                 strerror(-rc));
        return rc;
    }
    m->last_ns = arch_clock_ns();
    return 0;
}

int arch_energy_model_read(arch_energy_model_t *m, double *joules)
{
    uint64_t busy = 0;
    unsigned cpus = 0;
    if (read_stat(m->stat_path, &busy, &cpus) != 0)
        return -EIO;
    uint64_t now = arch_clock_ns();
    double seconds = (double)(now - m->last_ns) / 1e9;
    /* A CPU taken offline can make the total go back: count that interval as idle. */
    if (busy < m->last_busy)
        m->last_busy = busy;
    double busy_s = (double)(busy - m->last_busy) / m->ticks_per_s;
    /*
     * Ticks lag the clock by up to one per CPU, so a short interval can
     * show more busy time than it had: the excess is carried to the next.
     */
    uint64_t counted = busy;
    if (busy_s > seconds * m->cpus) {
        busy_s = seconds * m->cpus;
        counted = m->last_busy + (uint64_t)(busy_s * m->ticks_per_s);
    }
    m->joules += seconds * m->cpus * m->idle_watts + busy_s * (m->max_watts - m->idle_watts);
    m->last_busy = counted;
    m->last_ns = now;
    *joules = m->joules;
    return 0;
}
