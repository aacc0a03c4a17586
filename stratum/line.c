/*
 * The line framer. A line is delivered from the buffer, so the callback
 * always sees one NUL-terminated copy however the bytes were split across
 * reads; the buffer never holds more than one line.
 */
#include "stratum/line.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A line may end in "\r\n": its '\r' is held until the '\n' is seen. */
#define MAX_PENDING (STRATUM_MAX_LINE + 1)

void stratum_line_init(stratum_line_buffer_t *buffer)
{
    memset(buffer, 0, sizeof(*buffer));
}

void stratum_line_reset(stratum_line_buffer_t *buffer)
{
    buffer->len = 0;
    buffer->overflowed = 0;
}

void stratum_line_free(stratum_line_buffer_t *buffer)
{
    free(buffer->data);
    stratum_line_init(buffer);
}

static int append(stratum_line_buffer_t *buffer, const char *bytes, size_t n)
{
    if (n > MAX_PENDING - buffer->len) {
        buffer->overflowed = 1;
        return -E2BIG;
    }
    size_t need = buffer->len + n + 1; /* and the NUL */
    if (need > buffer->cap) {
        size_t cap = buffer->cap == 0 ? 1024 : buffer->cap;
        while (cap < need)
            cap *= 2;
        if (cap > MAX_PENDING + 1)
            cap = MAX_PENDING + 1;
        char *data = realloc(buffer->data, cap);
        if (data == NULL)
            return -ENOMEM;
        buffer->data = data;
        buffer->cap = cap;
    }
    memcpy(buffer->data + buffer->len, bytes, n);
    buffer->len += n;
    return 0;
}

static int deliver(stratum_line_buffer_t *buffer, stratum_line_fn on_line, void *context)
{
    size_t len = buffer->len;
    buffer->len = 0;
    if (len > 0 && buffer->data[len - 1] == '\r')
        len--;
    if (len > STRATUM_MAX_LINE) {
        buffer->overflowed = 1;
        return -E2BIG;
    }
    if (len == 0)
        return 0;
    buffer->data[len] = '\0';
    return on_line(buffer->data, len, context);
}

int stratum_line_feed(stratum_line_buffer_t *buffer, const void *data, size_t len,
                      stratum_line_fn on_line, void *context)
{
    const char *bytes = data;
    if (buffer->overflowed)
        return -E2BIG;
    while (len > 0) {
        const char *newline = memchr(bytes, '\n', len);
        size_t n = newline == NULL ? len : (size_t)(newline - bytes);
        int rc = append(buffer, bytes, n);
        if (rc != 0)
            return rc;
        if (newline == NULL)
            return 0;
        rc = deliver(buffer, on_line, context);
        if (rc != 0)
            return rc;
        bytes += n + 1;
        len -= n + 1;
    }
    return 0;
}
