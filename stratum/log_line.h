/*
 * The one way the pool and daemon clients report what happens: a formatted
 * line handed to the caller's log callback, when there is one.
 */
#ifndef MINEMETER_STRATUM_LOG_LINE_H
#define MINEMETER_STRATUM_LOG_LINE_H

#include <stdarg.h>
#include <stdio.h>

typedef void (*stratum_log_fn)(void *context, const char *line);

static inline void stratum_log_line(stratum_log_fn log, void *context, const char *fmt, va_list ap)
{
    if (log == NULL)
        return;
    char line[768];
    vsnprintf(line, sizeof(line), fmt, ap);
    log(context, line);
}

#endif
