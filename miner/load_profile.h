/*
 * Load profiles for `minemeter load`: the intensity (percent of each
 * worker's time spent hashing, 0 = idle) asked at each moment of a run.
 *
 *   constant          the base intensity throughout
 *   square:ON/OFF     ON seconds at the base intensity, then OFF seconds idle, repeated
 *   ramp:FROM-TO      from FROM% in the first second to TO% in the last, a straight line in
 *                     whole seconds and whole percents
 *   sine:PERIOD       base * (1 + sin(2 pi t / PERIOD)) / 2, recomputed each second
 *   file:PATH         a CSV of "seconds,intensity" rows in time order (an optional
 *                     "seconds,intensity" header, # comments): each row holds until the next
 *
 * A phase is a stretch of constant asked intensity; load_profile_next_change
 * says when the current one may end, so the caller can switch on time.
 */
#ifndef MINEMETER_MINER_LOAD_PROFILE_H
#define MINEMETER_MINER_LOAD_PROFILE_H

#include <stddef.h>

typedef enum {
    LOAD_PROFILE_CONSTANT,
    LOAD_PROFILE_SQUARE,
    LOAD_PROFILE_RAMP,
    LOAD_PROFILE_SINE,
    LOAD_PROFILE_FILE,
} load_profile_kind_t;

typedef struct {
    double t;           /* seconds from the start */
    unsigned intensity; /* 0-100 */
} load_profile_point_t;

typedef struct {
    load_profile_kind_t kind;
    double on_s, off_s;         /* square */
    unsigned from, to;          /* ramp */
    double period_s;            /* sine */
    load_profile_point_t *rows; /* file, sorted by t */
    size_t row_count;
    char text[256]; /* as given, for logs */
} load_profile_t;

/* Parses text; returns 0, or -1 with one sentence in why. Free with load_profile_free. */
int load_profile_parse(const char *text, load_profile_t *profile, char *why, size_t why_len);

void load_profile_free(load_profile_t *profile);

/* Whether the profile scales the base intensity (--intensity): not ramp or file. */
int load_profile_uses_base(const load_profile_t *profile);

/* The intensity asked at t seconds of a run of duration seconds at base percent. */
unsigned load_profile_intensity(const load_profile_t *profile, unsigned base, double t,
                                double duration);

/* When, after t, the asked intensity may next change (duration if never). */
double load_profile_next_change(const load_profile_t *profile, double t, double duration);

#endif
