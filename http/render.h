/*
 * The API's three views of one status snapshot, each as a string the
 * caller frees: XMRig's /1/summary shape, our own /api/summary, and the
 * Prometheus text exposition of /metrics. They read the snapshot only, so
 * the server calls them on a private copy, outside any lock. NULL means
 * out of memory. docs/http-api.md documents every field and metric.
 */
#ifndef MINEMETER_HTTP_RENDER_H
#define MINEMETER_HTTP_RENDER_H

#include <jansson.h>

#include "http/status.h"

/* XMRig's /1/summary fields that apply, with its names and units, so tools made for it read ours.
 */
char *http_render_xmrig_summary(const http_status_t *status);

/* /api/summary: everything above and what only minemeter knows (per thread, energy, load). */
char *http_render_api_summary(const http_status_t *status);

/* /metrics: Prometheus text format 0.0.4, checked by `promtool check metrics` in the tests. */
char *http_render_metrics(const http_status_t *status);

/* Seconds from the start to the snapshot (whole seconds are what XMRig prints). */
double http__uptime_seconds(const http_status_t *status);

/* {brand, aes, avx2, x64}: the CPU as both summaries give it. */
json_t *http__cpu_json(const http_status_t *status);

#endif
