/*
 * The last 15 minutes of a run, a point per published status, so the
 * dashboard draws the past at once instead of only what it saw itself.
 * Each point holds what the charts show: the hash rate over the second
 * before it (from the hash count, not a window), the workers' mean CPU
 * share, load's asked intensity and the power.
 */
#ifndef MINEMETER_HTTP_HISTORY_H
#define MINEMETER_HTTP_HISTORY_H

#include <stdint.h>

#include "http/status.h"

#define HTTP_HISTORY_POINTS 900

typedef struct {
    double t;           /* seconds since the start */
    uint64_t hashes;    /* in total, by then */
    double rate;        /* H/s since the point before; < 0 for the first */
    double cpu_percent; /* the workers' mean share of a CPU; < 0 unknown */
    int intensity;      /* load's asked percent; -1 when not load */
    double watts;       /* < 0 unknown */
} http_history_point_t;

typedef struct {
    http_history_point_t point[HTTP_HISTORY_POINTS];
    unsigned head; /* next slot */
    unsigned count;
} http_history_t;

/* Appends a point for status (a status no newer than the last point is ignored). */
void http_history_add(http_history_t *history, const http_status_t *status);

/* {"t":[...],"hashrate":[...],"cpu_percent":[...],"intensity":[...],"watts":[...]}, oldest first.
 */
char *http_render_history(const http_history_t *history);

#endif
