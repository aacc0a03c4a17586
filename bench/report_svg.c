/*
 * The benchmark as a picture: hashes per second against threads, one line
 * per verified result with its min-max spread, as a self-contained SVG 1.1
 * file that a browser opens as it is (no script, no external font or style).
 */
#include "config.h"
#include "bench/report.h"
#include "bench/report_file.h"
#include "bench/svg_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Geometry in SVG user units (pixels at 100%). */
#define SVG_WIDTH      900
#define SVG_MIN_HEIGHT 480
#define PLOT_LEFT      90.0
#define PLOT_RIGHT     620.0
#define PLOT_TOP       60.0
#define PLOT_MARGIN_X  30.0 /* keeps the first and last points off the frame */
#define LEGEND_X       645.0
#define LEGEND_ROW     22.0

/*
 * Okabe-Ito's colour-blind-safe palette (yellow left out: unreadable on
 * white) plus grey; past its end the colours repeat with a dashed line.
 */
static const char *const PALETTE[] = {
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#7f7f7f",
};
#define PALETTE_SIZE (sizeof(PALETTE) / sizeof(PALETTE[0]))

typedef bench_out_t svg_out_t;

static int compare_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* The chart's frame: where thread counts and rates land. */
typedef struct {
    unsigned *threads; /* every thread count measured, ascending, once each */
    unsigned thread_counts;
    double height, plot_bottom;
    bench_svg_axis_t y;
    unsigned series; /* verified results */
    double dodge;    /* horizontal offset between series, so spreads do not hide each other */
    unsigned reference_rows; /* results with the reference's H/s beside theirs */
} chart_t;

/* The centre of the column of the i-th thread count. */
static double chart_column(const chart_t *c, unsigned i)
{
    if (c->thread_counts < 2)
        return (PLOT_LEFT + PLOT_RIGHT) / 2;
    return PLOT_LEFT + PLOT_MARGIN_X +
           i * (PLOT_RIGHT - PLOT_LEFT - 2 * PLOT_MARGIN_X) / (c->thread_counts - 1);
}

/* Where a series' point at threads lands: its column, shifted by the series' dodge. */
static double chart_x(const chart_t *c, unsigned threads, unsigned series)
{
    unsigned i = 0;
    while (i + 1 < c->thread_counts && c->threads[i] < threads)
        i++;
    return chart_column(c, i) + ((double)series - ((double)c->series - 1) / 2) * c->dodge;
}

static double chart_y(const chart_t *c, double hps)
{
    if (!isfinite(hps) || hps < 0)
        hps = 0;
    return c->plot_bottom - hps / c->y.top * (c->plot_bottom - PLOT_TOP);
}

static int chart_init(chart_t *c, const bench_result_t *results, unsigned count)
{
    memset(c, 0, sizeof(*c));
    size_t all = 0;
    for (unsigned a = 0; a < count; a++)
        if (results[a].verified)
            all += results[a].thread_counts;
    c->threads = malloc((all > 0 ? all : 1) * sizeof(c->threads[0]));
    if (c->threads == NULL)
        return -ENOMEM;
    double max = 0;
    size_t n = 0;
    for (unsigned a = 0; a < count; a++) {
        const bench_result_t *r = &results[a];
        if (!r->verified)
            continue;
        c->series++;
        for (unsigned t = 0; t < r->thread_counts; t++) {
            c->threads[n++] = r->threads[t];
            if (isfinite(r->hps[t].max) && r->hps[t].max > max)
                max = r->hps[t].max;
            if (isfinite(r->hps[t].median) && r->hps[t].median > max)
                max = r->hps[t].median;
            if (r->have_reference_hps && r->reference_hps[t].n > 0 &&
                isfinite(r->reference_hps[t].median) && r->reference_hps[t].median > max)
                max = r->reference_hps[t].median;
        }
        c->reference_rows += r->have_reference_hps ? 1u : 0u;
    }
    qsort(c->threads, n, sizeof(c->threads[0]), compare_unsigned);
    for (size_t i = 0; i < n; i++)
        if (c->thread_counts == 0 || c->threads[c->thread_counts - 1] != c->threads[i])
            c->threads[c->thread_counts++] = c->threads[i];

    c->y = bench__svg_axis(max);
    unsigned legend_rows = count + c->reference_rows > 0 ? count + c->reference_rows : 1;
    c->height = SVG_MIN_HEIGHT;
    if (PLOT_TOP + 10 + legend_rows * LEGEND_ROW + 80 > c->height)
        c->height = PLOT_TOP + 10 + legend_rows * LEGEND_ROW + 80;
    c->plot_bottom = c->height - 70;
    double spacing = PLOT_RIGHT - PLOT_LEFT - 2 * PLOT_MARGIN_X;
    if (c->thread_counts > 1)
        spacing /= c->thread_counts - 1;
    c->dodge = c->series > 1 ? fmin(5.0, spacing / (3.0 * c->series)) : 0;
    return 0;
}

static void draw_axes(svg_out_t *o, const chart_t *c)
{
    double bottom = c->plot_bottom;
    bench_out_printf(o, "<g stroke-width=\"1\">\n");
    for (unsigned i = 0; i <= c->y.lines; i++) {
        double value = c->y.step * i;
        double y = chart_y(c, value);
        bench_out_printf(
            o,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333333\">%.6g%s</text>\n",
            PLOT_LEFT, y, PLOT_RIGHT, y, i == 0 ? "#333333" : "#dddddd", PLOT_LEFT - 8, y + 4,
            value / c->y.divisor, i == 0 ? "" : c->y.suffix);
    }
    bench_out_printf(o,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
                     PLOT_LEFT, PLOT_TOP, PLOT_LEFT, bottom);

    /* Label every thread count unless they crowd: then every k-th, always the first. */
    double spacing = PLOT_RIGHT - PLOT_LEFT - 2 * PLOT_MARGIN_X;
    if (c->thread_counts > 1)
        spacing /= c->thread_counts - 1;
    unsigned every = spacing >= 28 ? 1 : (unsigned)ceil(28 / spacing);
    for (unsigned i = 0; i < c->thread_counts; i++) {
        double x = chart_column(c, i);
        bench_out_printf(
            o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n", x,
            bottom, x, bottom + 5);
        if (i % every == 0)
            bench_out_printf(o,
                             "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                             "fill=\"#333333\">%u</text>\n",
                             x, bottom + 20, c->threads[i]);
    }
    bench_out_printf(o, "</g>\n");

    double middle = (PLOT_TOP + bottom) / 2;
    bench_out_printf(
        o,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\">threads</text>\n"
        "<text x=\"24\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" "
        "transform=\"rotate(-90 24 %.1f)\">hashes per second</text>\n",
        (PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 48, middle, middle);
    if (c->series == 0)
        bench_out_printf(o,
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#7f7f7f\">"
                         "no verified results to draw</text>\n",
                         (PLOT_LEFT + PLOT_RIGHT) / 2, middle);
}

static void draw_series(svg_out_t *o, const chart_t *c, const bench_result_t *r, unsigned series)
{
    const char *colour = PALETTE[series % PALETTE_SIZE];
    const char *dash = series >= PALETTE_SIZE ? " stroke-dasharray=\"6 3\"" : "";
    bench_out_printf(o, "<g stroke=\"%s\" fill=\"%s\">\n", colour, colour);

    /* The spread first, so the line and markers are drawn over it. */
    for (unsigned t = 0; t < r->thread_counts; t++) {
        double x = chart_x(c, r->threads[t], series);
        double lo = chart_y(c, r->hps[t].min), hi = chart_y(c, r->hps[t].max);
        bench_out_printf(o,
                         "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fh8M%.1f %.1fh8\" fill=\"none\" "
                         "stroke-width=\"1.5\"/>\n",
                         x, lo, hi, x - 4, lo, x - 4, hi);
    }
    if (r->thread_counts > 1) {
        bench_out_printf(o, "<polyline fill=\"none\" stroke-width=\"2\"%s points=\"", dash);
        for (unsigned t = 0; t < r->thread_counts; t++)
            bench_out_printf(o, "%s%.1f,%.1f", t > 0 ? " " : "", chart_x(c, r->threads[t], series),
                             chart_y(c, r->hps[t].median));
        bench_out_printf(o, "\"/>\n");
    }
    for (unsigned t = 0; t < r->thread_counts; t++) {
        /* A tooltip with the figures, for whoever hovers over a point in a browser. */
        bench_out_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" stroke=\"#ffffff\"><title>",
                         chart_x(c, r->threads[t], series), chart_y(c, r->hps[t].median));
        bench__svg_text(o, r->label);
        bench_out_printf(o, ", %u thread%s: %.6g H/s (min %.6g, max %.6g)</title></circle>\n",
                         r->threads[t], r->threads[t] == 1 ? "" : "s", r->hps[t].median,
                         r->hps[t].min, r->hps[t].max);
    }
    bench_out_printf(o, "</g>\n");
}

static const char *reference_of(const bench_result_t *r)
{
    return r->reference_label[0] != '\0' ? r->reference_label : r->reference_name;
}

/*
 * The reference's H/s at the thread counts it was timed at, as hollow
 * markers on a dotted line in the series' colour; where it failed, "n/a"
 * on the axis, with the reason as the tooltip.
 */
static void draw_reference(svg_out_t *o, const chart_t *c, const bench_result_t *r, unsigned series)
{
    if (!r->have_reference_hps)
        return;
    const char *colour = PALETTE[series % PALETTE_SIZE];
    bench_out_printf(o, "<g stroke=\"%s\" fill=\"#ffffff\">\n", colour);
    unsigned measured = 0;
    for (unsigned t = 0; t < r->thread_counts; t++)
        measured += r->reference_hps[t].n > 0;
    if (measured > 1) {
        bench_out_printf(o, "<polyline fill=\"none\" stroke-width=\"1.5\" "
                            "stroke-dasharray=\"2 3\" points=\"");
        unsigned drawn = 0;
        for (unsigned t = 0; t < r->thread_counts; t++)
            if (r->reference_hps[t].n > 0)
                bench_out_printf(o, "%s%.1f,%.1f", drawn++ > 0 ? " " : "",
                                 chart_x(c, r->threads[t], series),
                                 chart_y(c, r->reference_hps[t].median));
        bench_out_printf(o, "\"/>\n");
    }
    for (unsigned t = 0; t < r->thread_counts; t++) {
        double x = chart_x(c, r->threads[t], series);
        if (r->reference_hps[t].n > 0) {
            bench_out_printf(o,
                             "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" stroke-width=\"2\">"
                             "<title>",
                             x, chart_y(c, r->reference_hps[t].median));
            bench__svg_text(o, r->label);
            bench_out_printf(o, ", the reference (");
            bench__svg_text(o, reference_of(r));
            bench_out_printf(o, "), %u thread%s: %.6g H/s</title></circle>\n", r->threads[t],
                             r->threads[t] == 1 ? "" : "s", r->reference_hps[t].median);
        } else {
            bench_out_printf(o,
                             "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                             "stroke=\"none\" fill=\"%s\" font-size=\"11\">n/a<title>",
                             x, c->plot_bottom - 6, colour);
            bench__svg_text(o, r->label);
            bench_out_printf(o, ", the reference at %u thread%s: ", r->threads[t],
                             r->threads[t] == 1 ? "" : "s");
            bench__svg_text(o, r->reference_note[0] != '\0' ? r->reference_note
                                                            : "the reference run failed");
            bench_out_printf(o, "</title></text>\n");
        }
    }
    bench_out_printf(o, "</g>\n");
}

static void draw_legend(svg_out_t *o, const bench_result_t *results, unsigned count)
{
    unsigned series = 0;
    double y = PLOT_TOP + 10;
    bench_out_printf(o, "<g>\n");
    for (unsigned a = 0; a < count; a++, y += LEGEND_ROW) {
        const bench_result_t *r = &results[a];
        if (!r->verified) {
            /* Named, so that nobody wonders where it went. */
            bench_out_printf(o,
                             "<text x=\"%.1f\" y=\"%.1f\" fill=\"#7f7f7f\" font-style=\"italic\">",
                             LEGEND_X, y + 4);
            bench__svg_text(o, r->label);
            bench_out_printf(o, ": n/a (not verified or not measured)</text>\n");
            continue;
        }
        const char *colour = PALETTE[series % PALETTE_SIZE];
        const char *dash = series >= PALETTE_SIZE ? " stroke-dasharray=\"6 3\"" : "";
        series++;
        /* The sample shows a line only where the chart draws one. */
        if (r->thread_counts > 1)
            bench_out_printf(o,
                             "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                             "stroke-width=\"2\"%s/>\n",
                             LEGEND_X, y, LEGEND_X + 24, y, colour, dash);
        bench_out_printf(
            o,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#ffffff\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\">",
            LEGEND_X + 12, y, colour, LEGEND_X + 32, y + 4);
        bench__svg_text(o, r->label);
        bench_out_printf(o, "</text>\n");
        if (r->have_reference_hps) {
            y += LEGEND_ROW;
            if (r->thread_counts > 1)
                bench_out_printf(o,
                                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                 "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n",
                                 LEGEND_X, y, LEGEND_X + 24, y, colour);
            bench_out_printf(o,
                             "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#ffffff\" "
                             "stroke=\"%s\" stroke-width=\"2\"/>\n"
                             "<text x=\"%.1f\" y=\"%.1f\">",
                             LEGEND_X + 12, y, colour, LEGEND_X + 32, y + 4);
            bench__svg_text(o, r->label);
            bench_out_printf(o, ": the reference</text>\n");
        }
    }
    bench_out_printf(o, "</g>\n");
}

int bench_report_svg(const char *path, const bench_result_t *results, unsigned count,
                     const char *title)
{
    chart_t c;
    int rc = chart_init(&c, results, count);
    if (rc != 0)
        return rc;
    svg_out_t o;
    rc = bench_out_open(&o, path);
    if (rc != 0) {
        free(c.threads);
        return rc;
    }
    bench__svg_begin(&o, SVG_WIDTH, c.height, 13, 0);
    bench_out_printf(&o, "<title>");
    bench__svg_text(&o, title);
    bench_out_printf(&o,
                     "</title>\n"
                     "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
                     "<text x=\"%.1f\" y=\"32\" text-anchor=\"middle\" font-size=\"18\" "
                     "font-weight=\"bold\">",
                     SVG_WIDTH / 2.0);
    bench__svg_text(&o, title);
    bench_out_printf(&o, "</text>\n");
    draw_axes(&o, &c);
    unsigned series = 0;
    for (unsigned a = 0; a < count; a++) {
        if (!results[a].verified)
            continue;
        draw_reference(&o, &c, &results[a], series);
        draw_series(&o, &c, &results[a], series++);
    }
    draw_legend(&o, results, count);
    bench_out_printf(&o, "</svg>\n");
    free(c.threads);
    return bench_out_close(&o, path);
}
