#include "config.h"
#include "bench/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void bench_progress(const char *fmt, ...)
{
    if (!isatty(2))
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\r\033[K");
    vfprintf(stderr, fmt, ap);
    fflush(stderr);
    va_end(ap);
}

void bench_progress_done(void)
{
    if (isatty(2))
        fprintf(stderr, "\r\033[K");
}
