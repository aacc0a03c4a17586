#include "stratum/printable.h"

#include <stdio.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at p (2 to 4), or 0. */
static size_t utf8_sequence(const unsigned char *p)
{
    size_t n = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
               : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
               : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

size_t stratum_printable(const char *in, char *out, size_t cap)
{
    size_t used = 0;
    if (cap == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0';) {
        char piece[16];
        size_t take = 1, len;
        size_t seq = utf8_sequence(p);
        if (seq == 2 && p[0] == 0xC2 && p[1] <= 0x9F) { /* a C1 control, U+0080-U+009F */
            len = (size_t)snprintf(piece, sizeof(piece), "\\xc2\\x%02x", p[1]);
            take = 2;
        } else if (seq > 0) {
            memcpy(piece, p, seq);
            len = take = seq;
        } else if (*p < 0x20 || *p >= 0x7F) { /* controls, DEL and bytes that are not UTF-8 */
            len = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", *p);
        } else if (*p == '\\') {
            memcpy(piece, "\\\\", 2);
            len = 2;
        } else {
            piece[0] = (char)*p;
            len = 1;
        }
        if (used + len >= cap)
            break;
        memcpy(out + used, piece, len);
        used += len;
        p += take;
    }
    out[used] = '\0';
    return used;
}
