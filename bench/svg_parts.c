/*
 * What bench's charts share: XML-safe text and a y axis of round numbers
 * (bench's thread chart, compare's bars).
 */
#include "config.h"

#include <math.h>

#include "bench/svg_parts.h"

/* Length of the well-formed UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

/*
 * Writes s as XML character data or attribute text. Bytes XML 1.0 cannot
 * carry (control characters, broken UTF-8) become '?': the chart must stay
 * well-formed whatever the title holds.
 */
void bench__svg_text(bench_out_t *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    while (*p != '\0') {
        unsigned char c = *p;
        if (c == '&') {
            bench_out_printf(o, "&amp;");
        } else if (c == '<') {
            bench_out_printf(o, "&lt;");
        } else if (c == '>') {
            bench_out_printf(o, "&gt;");
        } else if (c == '"') {
            bench_out_printf(o, "&quot;");
        } else if (c == '\'') {
            bench_out_printf(o, "&apos;");
        } else if (c >= 0x80) {
            size_t n = utf8_length(p);
            if (n == 0) {
                bench_out_printf(o, "?");
            } else {
                bench_out_printf(o, "%.*s", (int)n, (const char *)p);
                p += n - 1;
            }
        } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            bench_out_printf(o, "?");
        } else {
            bench_out_printf(o, "%c", c);
        }
        p++;
    }
}

/*
 * Picks the smallest step from 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power
 * of ten that covers max in at most 5 steps. Neighbouring steps differ by at
 * most 1.5x, so the chosen one needs at least 4: 4 or 5 gridlines above 0.
 */
bench_svg_axis_t bench__svg_axis(double max)
{
    static const double MANTISSA[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
    bench_svg_axis_t y = {.top = 1, .step = 0.25, .lines = 4, .divisor = 1, .suffix = ""};
    if (!(max > 0) || !isfinite(max))
        return y;
    double decade = pow(10, floor(log10(max / 5)) - 1);
    for (int k = 0; k < 4; k++, decade *= 10) {
        for (size_t m = 0; m < sizeof(MANTISSA) / sizeof(MANTISSA[0]); m++) {
            double step = MANTISSA[m] * decade;
            double lines = ceil(max / step - 1e-9);
            if (lines <= 5) {
                y.step = step;
                y.lines = lines < 1 ? 1 : (unsigned)lines;
                y.top = y.step * y.lines;
                k = 4;
                break;
            }
        }
    }
    if (y.top >= 1e7) {
        y.divisor = 1e6;
        y.suffix = "M";
    } else if (y.top >= 1e4) {
        y.divisor = 1e3;
        y.suffix = "k";
    }
    return y;
}

void bench__svg_begin(bench_out_t *o, double width, double height, int font_size, int background)
{
    bench_out_printf(o,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
                     "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" "
                     "font-size=\"%d\">\n",
                     width, height, width, height, font_size);
    if (background)
        bench_out_printf(o, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
}
