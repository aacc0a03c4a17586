/*
 * Timestamped, printable lines (cli/say.h).
 */
#define _GNU_SOURCE
#include "cli/say.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "stratum/printable.h"

void cli_say(const char *fmt, ...)
{
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    char line[1024], shown[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    stratum_printable(line, shown, sizeof(shown));
    printf("[%s] %s\n", stamp, shown);
    fflush(stdout);
}
