/*
 * The measuring window the built-in probes share, so that every probe
 * reads its wall and CPU time at the same points and ends the same way:
 * after a step of work, once the time is up or *stop is set. Probes check
 * at least every millisecond or so, so a window overshoots by no more.
 */
#ifndef MINEMETER_IMPACT_PROBE_WINDOW_H
#define MINEMETER_IMPACT_PROBE_WINDOW_H

#include <signal.h>
#include <stdint.h>

#include "arch/clock.h"
#include "impact/probe.h"

typedef struct {
    uint64_t wall0, cpu0; /* ns at the start */
    uint64_t end;         /* the wall-clock ns at which the window is over */
} probe_window_t;

static inline void probe_window_start(probe_window_t *w, double seconds)
{
    /* About 30 years: beyond any window, and it keeps the conversion below defined. */
    if (seconds > 1e9)
        seconds = 1e9;
    w->cpu0 = arch_clock_thread_cpu_ns();
    w->wall0 = arch_clock_ns();
    w->end = w->wall0 + (uint64_t)(seconds * 1e9);
}

static inline int probe_window_over(const probe_window_t *w, volatile sig_atomic_t *stop)
{
    return *stop || arch_clock_ns() >= w->end;
}

/*
 * Closes the window: wall and CPU seconds and operations go into out, with
 * the latency figures a non-latency probe does not have. Returns the wall
 * seconds, never 0, for the probe's own figure.
 */
static inline double probe_window_finish(const probe_window_t *w, uint64_t operations,
                                         impact_probe_sample_t *out)
{
    uint64_t wall = arch_clock_ns() - w->wall0;
    uint64_t cpu = arch_clock_thread_cpu_ns() - w->cpu0;
    if (wall == 0)
        wall = 1;
    out->operations = operations;
    out->wall_seconds = (double)wall / 1e9;
    out->cpu_seconds = (double)cpu / 1e9;
    out->p50_us = out->p99_us = out->p999_us = out->requests_per_s = -1;
    return out->wall_seconds;
}

#endif
