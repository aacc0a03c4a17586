/* A ring of the last HTTP_HISTORY_POINTS points, rendered as one JSON array per series. */
#include "config.h"

#include <jansson.h>

#include "http/history.h"
#include "http/render.h"

static const http_history_point_t *newest(const http_history_t *h)
{
    if (h->count == 0)
        return NULL;
    return &h->point[(h->head + HTTP_HISTORY_POINTS - 1) % HTTP_HISTORY_POINTS];
}

void http_history_add(http_history_t *h, const http_status_t *s)
{
    http_history_point_t p = {0};
    p.t = http__uptime_seconds(s);
    p.hashes = s->hashes;
    const http_history_point_t *last = newest(h);
    if (last != NULL && p.t <= last->t)
        return;
    p.rate = last != NULL && s->hashes >= last->hashes
                 ? (double)(s->hashes - last->hashes) / (p.t - last->t)
                 : -1;
    double cpu = 0;
    unsigned known = 0;
    for (unsigned i = 0; i < s->threads && i < HTTP_STATUS_MAX_THREADS; i++)
        if (s->thread[i].cpu_percent >= 0) {
            cpu += s->thread[i].cpu_percent;
            known++;
        }
    p.cpu_percent = known > 0 ? cpu / known : -1;
    p.intensity = s->has_load ? (int)s->intensity : -1;
    p.watts = s->has_energy ? s->watts : -1;
    h->point[h->head] = p;
    h->head = (h->head + 1) % HTTP_HISTORY_POINTS;
    if (h->count < HTTP_HISTORY_POINTS)
        h->count++;
}

static json_t *number(double v, int known)
{
    return known ? json_real(v) : json_null();
}

char *http_render_history(const http_history_t *h)
{
    json_t *t = json_array(), *rate = json_array(), *cpu = json_array(), *asked = json_array(),
           *watts = json_array();
    unsigned first = (h->head + HTTP_HISTORY_POINTS - h->count) % HTTP_HISTORY_POINTS;
    for (unsigned k = 0; k < h->count; k++) {
        const http_history_point_t *p = &h->point[(first + k) % HTTP_HISTORY_POINTS];
        json_array_append_new(t, json_real(p->t));
        json_array_append_new(rate, number(p->rate, p->rate >= 0));
        json_array_append_new(cpu, number(p->cpu_percent, p->cpu_percent >= 0));
        json_array_append_new(asked, p->intensity >= 0 ? json_integer(p->intensity) : json_null());
        json_array_append_new(watts, number(p->watts, p->watts >= 0));
    }
    json_t *o = json_object();
    json_object_set_new(o, "t", t);
    json_object_set_new(o, "hashrate", rate);
    json_object_set_new(o, "cpu_percent", cpu);
    json_object_set_new(o, "intensity", asked);
    json_object_set_new(o, "watts", watts);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
    json_decref(o);
    return text;
}
