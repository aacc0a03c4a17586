/*
 * Text from a pool or a daemon made safe for a terminal: error messages,
 * job ids, reject reasons and method names can carry escape sequences
 * (window-title changes, OSC 52 clipboard writes, cursor moves that forge
 * earlier log lines). Control characters become visible \xNN escapes;
 * printable ASCII and UTF-8 text pass unchanged.
 */
#ifndef MINEMETER_STRATUM_PRINTABLE_H
#define MINEMETER_STRATUM_PRINTABLE_H

#include <stddef.h>

/*
 * Copies in into out (cap bytes, NUL-terminated, cut at a whole escape),
 * with C0 controls (below 0x20, newline included), DEL and the C1 controls
 * (U+0080 to U+009F, and any lone byte 0x80-0x9F) written as \xNN, and a
 * backslash as \\ so an escape cannot be forged. Returns the bytes written.
 */
size_t stratum_printable(const char *in, char *out, size_t cap);

#endif
