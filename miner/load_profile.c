#include "config.h"
#include "miner/load_profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 100000

static int refuse(char *why, size_t why_len, const char *fmt, const char *arg)
{
    snprintf(why, why_len, fmt, arg);
    return -1;
}

/* A number of seconds > 0 ending at *end. */
static int parse_seconds(const char *s, char **end, double *out)
{
    errno = 0;
    double v = strtod(s, end);
    if (errno != 0 || *end == s || !(v > 0) || v > 1e7)
        return -1;
    *out = v;
    return 0;
}

static int parse_percent(const char *s, char **end, unsigned *out)
{
    errno = 0;
    unsigned long v = strtoul(s, end, 10);
    if (errno != 0 || *end == s || v > 100 || *s == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int read_rows(const char *path, load_profile_t *p, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(why, why_len, "cannot open the profile file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    unsigned number = 0;
    size_t cap = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        number++;
        char *s = line + strspn(line, " \t");
        if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
            continue;
        if (p->row_count == 0 && (strncmp(s, "seconds", 7) == 0 || strncmp(s, "time", 4) == 0))
            continue; /* a header, as "seconds,intensity" */
        char *end;
        double t;
        unsigned intensity;
        errno = 0;
        t = strtod(s, &end);
        int ok = errno == 0 && end != s && t >= 0 && t < 1e7 && *end == ',' &&
                 parse_percent(end + 1, &end, &intensity) == 0 &&
                 end[strspn(end, " \t\r\n")] == '\0';
        if (!ok || p->row_count == MAX_ROWS) {
            snprintf(why, why_len,
                     "%s line %u: want \"seconds,intensity\" with intensity 0-100 (at most %d "
                     "rows)",
                     path, number, MAX_ROWS);
            fclose(f);
            return -1;
        }
        if (p->row_count > 0 && !(t > p->rows[p->row_count - 1].t)) {
            snprintf(why, why_len,
                     "%s line %u: %g s is not after the row before it (%g s): rows go in time "
                     "order, one per time",
                     path, number, t, p->rows[p->row_count - 1].t);
            fclose(f);
            return -1;
        }
        if (p->row_count == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            load_profile_point_t *rows = realloc(p->rows, cap * sizeof(*rows));
            if (rows == NULL) {
                fclose(f);
                snprintf(why, why_len, "out of memory reading %s", path);
                return -1;
            }
            p->rows = rows;
        }
        p->rows[p->row_count++] = (load_profile_point_t){t, intensity};
    }
    fclose(f);
    if (p->row_count == 0) {
        snprintf(why, why_len, "the profile file %s has no \"seconds,intensity\" rows", path);
        return -1;
    }
    return 0;
}

int load_profile_parse(const char *text, load_profile_t *p, char *why, size_t why_len)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->text, sizeof(p->text), "%s", text);
    char *end;
    if (strcmp(text, "constant") == 0) {
        p->kind = LOAD_PROFILE_CONSTANT;
        return 0;
    }
    if (strncmp(text, "square:", 7) == 0) {
        p->kind = LOAD_PROFILE_SQUARE;
        if (parse_seconds(text + 7, &end, &p->on_s) != 0 || *end != '/' ||
            parse_seconds(end + 1, &end, &p->off_s) != 0 || *end != '\0')
            return refuse(why, why_len,
                          "--profile %s: want square:ON/OFF in seconds, e.g. square:5/5", text);
        return 0;
    }
    if (strncmp(text, "ramp:", 5) == 0) {
        p->kind = LOAD_PROFILE_RAMP;
        if (parse_percent(text + 5, &end, &p->from) != 0 || *end != '-' ||
            parse_percent(end + 1, &end, &p->to) != 0 || *end != '\0')
            return refuse(why, why_len,
                          "--profile %s: want ramp:FROM-TO in percent, e.g. ramp:10-90", text);
        return 0;
    }
    if (strncmp(text, "sine:", 5) == 0) {
        p->kind = LOAD_PROFILE_SINE;
        if (parse_seconds(text + 5, &end, &p->period_s) != 0 || *end != '\0')
            return refuse(why, why_len, "--profile %s: want sine:PERIOD in seconds, e.g. sine:60",
                          text);
        return 0;
    }
    if (strncmp(text, "file:", 5) == 0) {
        p->kind = LOAD_PROFILE_FILE;
        if (text[5] == '\0')
            return refuse(why, why_len, "--profile %s: want file:PATH to a CSV", text);
        int rc = read_rows(text + 5, p, why, why_len);
        if (rc != 0)
            load_profile_free(p);
        return rc;
    }
    return refuse(why, why_len,
                  "--profile '%s' is not one of constant, square:ON/OFF, ramp:FROM-TO, "
                  "sine:PERIOD, file:PATH",
                  text);
}

void load_profile_free(load_profile_t *p)
{
    free(p->rows);
    p->rows = NULL;
    p->row_count = 0;
}

int load_profile_uses_base(const load_profile_t *p)
{
    return p->kind != LOAD_PROFILE_RAMP && p->kind != LOAD_PROFILE_FILE;
}

unsigned load_profile_intensity(const load_profile_t *p, unsigned base, double t, double duration)
{
    switch (p->kind) {
    case LOAD_PROFILE_CONSTANT:
        return base;
    case LOAD_PROFILE_SQUARE: {
        double in_cycle = fmod(t, p->on_s + p->off_s);
        return in_cycle < p->on_s ? base : 0;
    }
    case LOAD_PROFILE_RAMP: {
        /* Whole seconds: the first at FROM, the last (second ceil(duration) - 1) at TO. */
        double last = ceil(duration) - 1;
        double f = last > 0 ? floor(t) / last : 1;
        f = f > 1 ? 1 : f;
        return (unsigned)lround((double)p->from + ((double)p->to - (double)p->from) * f);
    }
    case LOAD_PROFILE_SINE: {
        double s = sin(2 * M_PI * floor(t) / p->period_s);
        return (unsigned)lround((double)base * (1 + s) / 2);
    }
    case LOAD_PROFILE_FILE: {
        unsigned v = 0; /* idle before the first row */
        for (size_t i = 0; i < p->row_count && p->rows[i].t <= t; i++)
            v = p->rows[i].intensity;
        return v;
    }
    }
    return base;
}

double load_profile_next_change(const load_profile_t *p, double t, double duration)
{
    double next = duration;
    switch (p->kind) {
    case LOAD_PROFILE_CONSTANT:
        break;
    case LOAD_PROFILE_SQUARE: {
        double cycle = p->on_s + p->off_s;
        double start = floor(t / cycle) * cycle;
        next = t < start + p->on_s ? start + p->on_s : start + cycle;
        break;
    }
    case LOAD_PROFILE_RAMP:
    case LOAD_PROFILE_SINE:
        next = floor(t) + 1;
        break;
    case LOAD_PROFILE_FILE:
        for (size_t i = 0; i < p->row_count; i++) {
            if (p->rows[i].t > t) {
                next = p->rows[i].t;
                break;
            }
        }
        break;
    }
    return next < duration ? next : duration;
}
