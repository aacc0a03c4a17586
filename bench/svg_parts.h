/*
 * Pieces bench's SVG charts share (bench/report_svg.c, bench/compare_report.c):
 * text made safe for XML, and a y axis of round numbers.
 */
#ifndef MINEMETER_BENCH_SVG_PARTS_H
#define MINEMETER_BENCH_SVG_PARTS_H

#include "bench/report_file.h"

/* The y axis: 0 to top in steps of step, top a round number at or above the largest value. */
typedef struct {
    double top, step;
    unsigned lines; /* gridlines above 0 */
    double divisor; /* labels are value / divisor + suffix */
    const char *suffix;
} bench_svg_axis_t;

/*
 * Opens the document: the XML declaration and an <svg> of width x height
 * user units in sans-serif of font_size, then a white background when
 * background is nonzero.
 */
void bench__svg_begin(bench_out_t *o, double width, double height, int font_size, int background);

/*
 * Writes s as XML character data or attribute text. Bytes XML 1.0 cannot
 * carry (control characters, broken UTF-8) become '?': the chart must stay
 * well-formed whatever the text holds.
 */
void bench__svg_text(bench_out_t *o, const char *s);

/*
 * Picks the smallest step from 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power
 * of ten that covers max in at most 5 steps (4 or 5 gridlines above 0),
 * with k or M labels for large values.
 */
bench_svg_axis_t bench__svg_axis(double max);

#endif
