/*
 * The impact chart: the victim's slowdown against the miner's threads, one
 * line per victim (and per algorithm and intensity when the run had
 * several), each point the median over rounds with its min-max as a bar. A
 * self-contained SVG 1.1 file, written whole or not at all.
 */
#include "config.h"
#include "impact/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/report_file.h"
#include "bench/svg_parts.h"

#define WIDTH    760
#define HEIGHT   440
#define LEFT     80
#define RIGHT    220 /* room for the legend */
#define TOP      50
#define BOTTOM   60
#define MAX_XS   64
#define MAX_LINE 256

static const char *const PALETTE[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
#define PALETTE_SIZE (sizeof(PALETTE) / sizeof(PALETTE[0]))

/* One line: a victim with one algorithm (and mode) at one intensity. */
typedef struct {
    unsigned victim, first; /* the victim, and its first entry on the line */
} line_t;

typedef struct {
    unsigned xs[MAX_XS], x_count; /* the thread counts, ascending */
    double y_min, y_max, y_step;
} axes_t;

static int same_line(const impact_entry_t *a, const impact_entry_t *b)
{
    return a->algo == b->algo && a->fast == b->fast && a->intensity == b->intensity;
}

static unsigned find_lines(const impact_victim_results_t *v, unsigned count, line_t *lines)
{
    unsigned n = 0;
    for (unsigned k = 0; k < count; k++) {
        for (unsigned e = 1; e < v[k].entries && n < MAX_LINE; e++) {
            int seen = 0;
            for (unsigned l = 0; l < n && !seen; l++)
                seen =
                    lines[l].victim == k && same_line(&v[k].entry[lines[l].first], &v[k].entry[e]);
            if (!seen)
                lines[n++] = (line_t){k, e};
        }
    }
    return n;
}

static void add_x(axes_t *a, unsigned threads)
{
    unsigned i = 0;
    while (i < a->x_count && a->xs[i] < threads)
        i++;
    if ((i < a->x_count && a->xs[i] == threads) || a->x_count == MAX_XS)
        return;
    memmove(&a->xs[i + 1], &a->xs[i], (a->x_count - i) * sizeof(a->xs[0]));
    a->xs[i] = threads;
    a->x_count++;
}

/* A step of 1, 2 or 5 times a power of ten, for about five gridlines. */
static double nice_step(double span)
{
    double raw = span / 5, power = pow(10, floor(log10(raw)));
    double m = raw / power;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

static void axes_for(const impact_victim_results_t *v, unsigned count, axes_t *a)
{
    memset(a, 0, sizeof(*a));
    double lo = 0, hi = 10;
    for (unsigned k = 0; k < count; k++) {
        for (unsigned e = 1; e < v[k].entries; e++) {
            add_x(a, v[k].entry[e].threads);
            const impact_summary_t *s = &v[k].summary[e];
            if (s->slowdown.n == 0)
                continue;
            lo = s->slowdown.min < lo ? s->slowdown.min : lo;
            hi = s->slowdown.max > hi ? s->slowdown.max : hi;
        }
    }
    a->y_step = nice_step(hi - lo);
    a->y_min = floor(lo / a->y_step) * a->y_step;
    a->y_max = ceil(hi / a->y_step) * a->y_step;
}

static double x_of(const axes_t *a, unsigned threads)
{
    unsigned i = 0;
    while (i < a->x_count && a->xs[i] != threads)
        i++;
    /* Inset from the axes, so the end points' bars stand clear of them. */
    double inset = 40, plot = WIDTH - LEFT - RIGHT - 2 * inset;
    return LEFT + inset + (a->x_count > 1 ? plot * i / (a->x_count - 1) : plot / 2);
}

static double y_of(const axes_t *a, double percent)
{
    double plot = HEIGHT - TOP - BOTTOM;
    return TOP + plot * (a->y_max - percent) / (a->y_max - a->y_min);
}

static void draw_axes(FILE *f, const axes_t *a, const impact_run_info_t *info)
{
    fprintf(f,
            "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">The victim's "
            "slowdown beside a miner (placement %s)</text>\n",
            LEFT, info->placement);
    for (double y = a->y_min; y <= a->y_max + a->y_step / 2; y += a->y_step) {
        double py = y_of(a, y);
        int zero = fabs(y) < a->y_step / 1000;
        fprintf(f,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n"
                "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">%s%g%%</text>\n",
                LEFT, py, WIDTH - RIGHT, py, zero ? "#555" : "#ddd", LEFT - 8, py + 4,
                y > 0 && !zero ? "+" : "", zero ? 0.0 : y);
    }
    for (unsigned i = 0; i < a->x_count; i++)
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%u</text>\n",
                x_of(a, a->xs[i]), HEIGHT - BOTTOM + 20, a->xs[i]);
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">miner threads</text>\n"
            "<text x=\"18\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" "
            "transform=\"rotate(-90 18 %d)\">slowdown: extra time per unit of work</text>\n",
            LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 18, TOP + (HEIGHT - TOP - BOTTOM) / 2,
            TOP + (HEIGHT - TOP - BOTTOM) / 2);
}

static void draw_line(FILE *f, const axes_t *a, const impact_victim_results_t *v, const line_t *l,
                      unsigned index, unsigned lines)
{
    const char *color = PALETTE[index % PALETTE_SIZE];
    const impact_entry_t *first = &v->entry[l->first];
    /* Lines at the same thread count are spread a little so their bars do not hide each other. */
    double dx = (double)index * 6 - (double)(lines - 1) * 3;
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", color);
    for (unsigned e = 1; e < v->entries; e++) {
        const impact_summary_t *s = &v->summary[e];
        if (same_line(&v->entry[e], first) && s->slowdown.n > 0)
            fprintf(f, "%.1f,%.1f ", x_of(a, v->entry[e].threads) + dx,
                    y_of(a, s->slowdown.median));
    }
    fprintf(f, "\"/>\n");
    for (unsigned e = 1; e < v->entries; e++) {
        const impact_summary_t *s = &v->summary[e];
        if (!same_line(&v->entry[e], first) || s->slowdown.n == 0)
            continue;
        double x = x_of(a, v->entry[e].threads) + dx;
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n"
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
                x, y_of(a, s->slowdown.min), x, y_of(a, s->slowdown.max), color, x,
                y_of(a, s->slowdown.median), color);
    }
    const char *mode = pow_algo_rx(first->algo) == NULL ? "" : first->fast ? " fast" : " light";
    double ly = TOP + 10 + 22.0 * index;
    fprintf(f,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"3\"/>\n"
            "<text x=\"%d\" y=\"%.1f\" font-size=\"12\">%s: %s%s %u%%</text>\n",
            WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 36, ly, color, WIDTH - RIGHT + 42, ly + 4,
            v->victim, pow_algo_name(first->algo), mode, first->intensity);
}

int impact_report_svg(const char *path, const impact_victim_results_t *victims, unsigned count,
                      const impact_run_info_t *info)
{
    static line_t lines[MAX_LINE];
    unsigned n = find_lines(victims, count, lines);
    axes_t axes;
    axes_for(victims, count, &axes);
    bench_out_t o;
    int rc = bench_out_open(&o, path);
    if (rc != 0)
        return rc;
    bench__svg_begin(&o, WIDTH, HEIGHT, 16, 1);
    draw_axes(o.f, &axes, info);
    for (unsigned l = 0; l < n; l++)
        draw_line(o.f, &axes, &victims[lines[l].victim], &lines[l], l, n);
    bench_out_printf(&o,
                     "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">median over %u "
                     "rounds, bars min-max</text>\n</svg>\n",
                     WIDTH - RIGHT + 16, TOP + 10 + 22 * (int)n + 6, info->repeat);
    if (ferror(o.f))
        bench_out_fail(&o, EIO); /* the drawing's own fprintf calls */
    return bench_out_close(&o, path);
}
