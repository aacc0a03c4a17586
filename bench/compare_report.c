/*
 * compare's outputs: a table for people, CSV for spreadsheets, and an SVG
 * bar chart of every file's H/s over the first file's. The chart plots
 * ratios, not H/s, so algorithms thousands of H/s apart share one axis.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/compare.h"
#include "bench/report_file.h"
#include "bench/svg_parts.h"

static void row_title(const bench_compare_row_t *r, char *out, size_t len)
{
    snprintf(out, len, "%s%s%s, %u thread%s", r->algo, r->mode[0] ? " " : "", r->mode, r->threads,
             r->threads == 1 ? "" : "s");
}

void bench_compare_table(FILE *out, const bench_compare_t *c)
{
    int width = 4;
    for (unsigned f = 0; f < c->files; f++)
        if ((int)strlen(c->file[f].label) > width)
            width = (int)strlen(c->file[f].label);
    fprintf(out, "%u bench results, ratios to the first:\n", c->files);
    for (unsigned f = 0; f < c->files; f++)
        fprintf(out, "  %-*s  %s (minemeter %s, %s)\n", width, c->file[f].label,
                c->file[f].cpu[0] ? c->file[f].cpu : "CPU not named", c->file[f].version,
                c->file[f].path);
    for (unsigned i = 0; i < c->rows; i++) {
        const bench_compare_row_t *r = &c->row[i];
        char title[96];
        row_title(r, title, sizeof(title));
        fprintf(out, "\n%s\n", title);
        fprintf(out, "  %-*s  %12s  %12s  %14s  %8s\n", width, "", "H/s", "H/s/thread", "J/hash",
                "ratio");
        for (unsigned f = 0; f < c->files; f++) {
            const bench_compare_cell_t *cell = &r->cell[f];
            if (cell->hps < 0) {
                fprintf(out, "  %-*s  %12s  %12s  %14s  %8s\n", width, c->file[f].label, "-", "-",
                        "-", "-");
                continue;
            }
            char joules[32] = "-", ratio[16] = "-";
            if (cell->joules_per_hash >= 0)
                snprintf(joules, sizeof(joules), "%s%.4g", cell->energy_estimated ? "~" : "",
                         cell->joules_per_hash);
            if (cell->ratio >= 0)
                snprintf(ratio, sizeof(ratio), "%.3f", cell->ratio);
            fprintf(out, "  %-*s  %12.1f  %12.1f  %14s  %8s\n", width, c->file[f].label, cell->hps,
                    cell->hps_per_thread, joules, ratio);
        }
    }
    fprintf(out, "\n~ marks an estimated energy figure (docs/energy.md); - a figure the file does "
                 "not have.\n");
}

/* A CSV field: quoted, with quotes doubled. */
static void csv_text(bench_out_t *o, const char *s)
{
    bench_out_printf(o, "\"");
    for (; *s != '\0'; s++)
        bench_out_printf(o, *s == '"' ? "\"\"" : "%c", *s);
    bench_out_printf(o, "\"");
}

static void csv_number(bench_out_t *o, double v, int known)
{
    if (known)
        bench_out_printf(o, ",%.10g", v);
    else
        bench_out_printf(o, ",");
}

int bench_compare_csv(const char *path, const bench_compare_t *c)
{
    bench_out_t o;
    int rc = bench_out_open(&o, path);
    if (rc != 0)
        return rc;
    bench_out_printf(&o, "algo,mode,threads,file,label,cpu,hashes_per_second,hps_min,hps_max,"
                         "hashes_per_second_per_thread,joules_per_hash,energy_estimated,"
                         "ratio_to_first\n");
    for (unsigned i = 0; i < c->rows; i++) {
        const bench_compare_row_t *r = &c->row[i];
        for (unsigned f = 0; f < c->files; f++) {
            const bench_compare_cell_t *cell = &r->cell[f];
            bench_out_printf(&o, "%s,%s,%u,", r->algo, r->mode, r->threads);
            csv_text(&o, c->file[f].path);
            bench_out_printf(&o, ",");
            csv_text(&o, c->file[f].label);
            bench_out_printf(&o, ",");
            csv_text(&o, c->file[f].cpu);
            int have = cell->hps >= 0;
            csv_number(&o, cell->hps, have);
            csv_number(&o, cell->hps_min, have);
            csv_number(&o, cell->hps_max, have);
            csv_number(&o, cell->hps_per_thread, have);
            csv_number(&o, cell->joules_per_hash, have && cell->joules_per_hash >= 0);
            if (have && cell->joules_per_hash >= 0)
                bench_out_printf(&o, ",%s", cell->energy_estimated ? "true" : "false");
            else
                bench_out_printf(&o, ",");
            csv_number(&o, cell->ratio, cell->ratio >= 0);
            bench_out_printf(&o, "\n");
        }
    }
    return bench_out_close(&o, path);
}

/* Okabe-Ito's colour-blind-safe colours, as bench's chart uses them. */
static const char *const COLOURS[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                      "#e69f00", "#56b4e9", "#000000", "#7f7f7f"};

#define SVG_WIDTH   900.0
#define PLOT_LEFT   70.0
#define PLOT_RIGHT  880.0
#define PLOT_TOP    90.0
#define PLOT_HEIGHT 300.0

int bench_compare_svg(const char *path, const bench_compare_t *c)
{
    double max = 1;
    for (unsigned i = 0; i < c->rows; i++)
        for (unsigned f = 0; f < c->files; f++)
            if (c->row[i].cell[f].ratio > max)
                max = c->row[i].cell[f].ratio;
    bench_svg_axis_t axis = bench__svg_axis(max);
    double bottom = PLOT_TOP + PLOT_HEIGHT;
    double group = (PLOT_RIGHT - PLOT_LEFT) / (c->rows > 0 ? c->rows : 1);
    double bar = group * 0.8 / c->files;
    double height = bottom + 130;
    bench_out_t o;
    int rc = bench_out_open(&o, path);
    if (rc != 0)
        return rc;
    bench__svg_begin(&o, SVG_WIDTH, height, 12, 1);
    bench_out_printf(&o,
                     "<text x=\"%.1f\" y=\"30\" font-size=\"16\" font-weight=\"bold\">"
                     "H/s relative to ",
                     PLOT_LEFT);
    bench__svg_text(&o, c->file[0].label);
    bench_out_printf(&o, " (1.0 = the same)</text>\n");
    /* The legend: one swatch per file, across the top. */
    double x = PLOT_LEFT;
    for (unsigned f = 0; f < c->files; f++) {
        bench_out_printf(&o,
                         "<rect x=\"%.1f\" y=\"46\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                         "<text x=\"%.1f\" y=\"57\">",
                         x, COLOURS[f % 8], x + 16);
        bench__svg_text(&o, c->file[f].label);
        bench_out_printf(&o, "</text>\n");
        x += 28 + 7.0 * (double)strlen(c->file[f].label);
    }
    for (unsigned k = 0; k <= axis.lines; k++) {
        double v = axis.step * k, y = bottom - PLOT_HEIGHT * v / axis.top;
        bench_out_printf(&o,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n"
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333333\">%.3g"
                         "</text>\n",
                         PLOT_LEFT, y, PLOT_RIGHT, y, k == 0 ? "#333333" : "#dddddd", PLOT_LEFT - 8,
                         y + 4, v);
    }
    double one = bottom - PLOT_HEIGHT / axis.top;
    bench_out_printf(&o,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\" "
                     "stroke-dasharray=\"6 4\"/>\n",
                     PLOT_LEFT, one, PLOT_RIGHT, one);
    for (unsigned i = 0; i < c->rows; i++) {
        const bench_compare_row_t *r = &c->row[i];
        double left = PLOT_LEFT + group * i + group * 0.1;
        for (unsigned f = 0; f < c->files; f++) {
            const bench_compare_cell_t *cell = &r->cell[f];
            if (cell->ratio < 0)
                continue;
            double h = PLOT_HEIGHT * cell->ratio / axis.top;
            bench_out_printf(&o,
                             "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                             "fill=\"%s\"><title>",
                             left + bar * f, bottom - h, bar * 0.9, h, COLOURS[f % 8]);
            bench__svg_text(&o, c->file[f].label);
            bench_out_printf(&o, ": %.1f H/s, %.3f</title></rect>\n", cell->hps, cell->ratio);
            if (bar >= 24) /* the ratio over its bar, where there is room */
                bench_out_printf(&o,
                                 "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                                 "font-size=\"10\" fill=\"#333333\">%.2f</text>\n",
                                 left + bar * f + bar * 0.45, bottom - h - 4, cell->ratio);
        }
        char title[96];
        row_title(r, title, sizeof(title));
        double middle = left + group * 0.4;
        bench_out_printf(&o,
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                         "transform=\"rotate(-35 %.1f %.1f)\">",
                         middle, bottom + 16, middle, bottom + 16);
        bench__svg_text(&o, title);
        bench_out_printf(&o, "</text>\n");
    }
    bench_out_printf(&o, "</svg>\n");
    return bench_out_close(&o, path);
}
