#include "config.h"
#include "bench/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch/clock.h"

#define BAR_WIDTH   24
#define REDRAW_NS   100000000ull /* ten times a second at most */
#define STATUS_SIZE 160

void bench_format_duration(double seconds, char *out, size_t cap)
{
    if (seconds < 0)
        seconds = 0;
    unsigned long whole = (unsigned long)(seconds + 0.5);
    if (seconds < 60)
        snprintf(out, cap, "%.1f s", seconds);
    else if (whole < 3600)
        snprintf(out, cap, "%lu min %02lu s", whole / 60, whole % 60);
    else
        snprintf(out, cap, "%lu h %02lu min", whole / 3600, whole / 60 % 60);
}

static void draw_bar(char *out, size_t cap, double fraction)
{
    char bar[BAR_WIDTH + 1];
    unsigned filled = (unsigned)(fraction * BAR_WIDTH + 0.5);
    for (unsigned i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[BAR_WIDTH] = '\0';
    snprintf(out, cap, "[%s] %3.0f%%", bar, 100 * fraction);
}

/* "7.9 s, ~7.2 s left" from the time so far and the share done; the estimate only past 1 s. */
static void elapsed_and_left(uint64_t start_ns, double fraction, char *out, size_t cap)
{
    double elapsed = (double)(arch_clock_ns() - start_ns) / 1e9;
    char so_far[32], left[32];
    bench_format_duration(elapsed, so_far, sizeof(so_far));
    if (fraction <= 0 || fraction >= 1 || elapsed < 1) {
        snprintf(out, cap, "%s", so_far);
        return;
    }
    bench_format_duration(elapsed * (1 - fraction) / fraction, left, sizeof(left));
    snprintf(out, cap, "%s, ~%s left", so_far, left);
}

void bench_meter_begin(bench_meter_t *m, const char *label, uint64_t total)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->label, sizeof(m->label), "%s", label);
    m->total = total > 0 ? total : 1;
    m->start_ns = arch_clock_ns();
    m->tty = isatty(2);
    if (!m->tty)
        fprintf(stderr, "%s...\n", m->label);
    bench_meter_update(m, 0);
}

void bench_meter_update(bench_meter_t *m, uint64_t done)
{
    m->done = done;
    double fraction = done >= m->total ? 1.0 : (double)done / (double)m->total;
    char times[96];
    if (m->tty) {
        uint64_t now = arch_clock_ns();
        if (done > 0 && done < m->total && now - m->drawn_ns < REDRAW_NS)
            return;
        m->drawn_ns = now;
        char bar[BAR_WIDTH + 16];
        draw_bar(bar, sizeof(bar), fraction);
        elapsed_and_left(m->start_ns, fraction, times, sizeof(times));
        fprintf(stderr, "\r\033[K%s %s %s", m->label, bar, times);
        fflush(stderr);
        return;
    }
    unsigned quarters = (unsigned)(fraction * 4);
    if (quarters <= m->quarters_said || quarters >= 4)
        return;
    m->quarters_said = quarters;
    elapsed_and_left(m->start_ns, fraction, times, sizeof(times));
    fprintf(stderr, "%s: %u%% (%s)\n", m->label, quarters * 25, times);
}

void bench_meter_report(void *meter, uint64_t done, uint64_t total)
{
    (void)total;
    bench_meter_update(meter, done);
}

double bench_meter_end(bench_meter_t *m)
{
    double seconds = (double)(arch_clock_ns() - m->start_ns) / 1e9;
    if (m->tty) {
        fprintf(stderr, "\r\033[K");
    } else {
        char took[32];
        bench_format_duration(seconds, took, sizeof(took));
        if (m->done >= m->total)
            fprintf(stderr, "%s: done in %s\n", m->label, took);
        else
            fprintf(stderr, "%s: stopped at %.0f%% after %s\n", m->label,
                    100.0 * (double)m->done / (double)m->total, took);
    }
    fflush(stderr);
    return seconds;
}

/* The sweep: one per process, as bench runs one at a time. */
static struct {
    unsigned rows, done;
    uint64_t start_ns;
    char status[STATUS_SIZE];
} sweep;

static void draw_status(void)
{
    if (!isatty(2))
        return;
    char line[STATUS_SIZE + 96] = "";
    if (sweep.rows > 0) {
        char bar[BAR_WIDTH + 16], times[96];
        double fraction = (double)sweep.done / (double)sweep.rows;
        draw_bar(bar, sizeof(bar), fraction);
        elapsed_and_left(sweep.start_ns, fraction, times, sizeof(times));
        snprintf(line, sizeof(line), "row %u of %u %s %s%s",
                 sweep.done + 1 > sweep.rows ? sweep.rows : sweep.done + 1, sweep.rows, bar, times,
                 sweep.status[0] ? " | " : "");
    }
    fprintf(stderr, "\r\033[K%s%s", line, sweep.status);
    fflush(stderr);
}

void bench_sweep_begin(unsigned rows)
{
    sweep.rows = rows;
    sweep.done = 0;
    sweep.start_ns = arch_clock_ns();
    sweep.status[0] = '\0';
}

void bench_sweep_row_done(void)
{
    if (sweep.rows == 0)
        return;
    sweep.done++;
    if (isatty(2)) {
        draw_status();
        return;
    }
    char times[96];
    elapsed_and_left(sweep.start_ns, (double)sweep.done / (double)sweep.rows, times, sizeof(times));
    fprintf(stderr, "bench: %u of %u rows measured (%s)\n", sweep.done, sweep.rows, times);
}

void bench_sweep_end(void)
{
    sweep.rows = 0;
    bench_progress_done();
}

void bench_progress(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sweep.status, sizeof(sweep.status), fmt, ap);
    va_end(ap);
    draw_status();
}

void bench_progress_done(void)
{
    sweep.status[0] = '\0';
    if (isatty(2)) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
}
