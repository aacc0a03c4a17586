/*
 * Newline framing of a Stratum byte stream: bytes go in as they arrive,
 * complete lines come out. One buffer, grown up to the line limit and
 * reused, holds the partial line between reads.
 */
#ifndef MINEMETER_STRATUM_LINE_H
#define MINEMETER_STRATUM_LINE_H

#include <stddef.h>

/* The longest line accepted, without its "\n" or "\r\n". */
#define STRATUM_MAX_LINE 65536

typedef struct {
    char *data;     /* the partial line, NUL-terminated when delivered */
    size_t len;     /* bytes of it so far */
    size_t cap;     /* bytes allocated */
    int overflowed; /* a line went past STRATUM_MAX_LINE: the stream is unusable */
} stratum_line_buffer_t;

/*
 * Receives one line, without its "\n" or "\r\n", NUL-terminated (a NUL
 * inside the line is passed through; len is the real length). Returns 0 to
 * go on, or any other value to stop the feed, which then returns it.
 */
typedef int (*stratum_line_fn)(const char *line, size_t len, void *context);

void stratum_line_init(stratum_line_buffer_t *buffer);

/*
 * Appends len bytes and calls on_line for each line they complete, in
 * order; empty lines are skipped. Returns 0, what on_line returned to stop
 * (the bytes after that line are dropped), -ENOMEM, or -E2BIG once a line
 * is longer than STRATUM_MAX_LINE; after -E2BIG every feed returns -E2BIG.
 */
int stratum_line_feed(stratum_line_buffer_t *buffer, const void *data, size_t len,
                      stratum_line_fn on_line, void *context);

/* Forgets any partial line and the overflow, keeping the memory (a new connection). */
void stratum_line_reset(stratum_line_buffer_t *buffer);

void stratum_line_free(stratum_line_buffer_t *buffer);

#endif
