/*
 * Variable difficulty: a pool's per-connection share difficulty, steered
 * so that the miner finds a share about every share_seconds whatever its
 * hash rate. Shares are counted in a window; the window closes after
 * STRATUM_VARDIFF_WINDOW_SHARES shares or STRATUM_VARDIFF_WINDOW_PERIODS
 * target periods, whichever comes first, and the difficulty is scaled by
 * the shares seen over the shares expected, by at most 4x either way (so
 * a wrong start converges in a few windows and one lucky share does not
 * swing it). A ratio within 0.75 .. 1.33 leaves it alone: every change
 * costs the miner a new job. No I/O, no clock of its own: the caller
 * passes the time.
 */
#ifndef MINEMETER_STRATUM_VARDIFF_H
#define MINEMETER_STRATUM_VARDIFF_H

#include <stdint.h>

#define STRATUM_VARDIFF_WINDOW_SHARES  6u
#define STRATUM_VARDIFF_WINDOW_PERIODS 4u
#define STRATUM_VARDIFF_MAX_STEP       4.0

typedef struct {
    double share_seconds; /* the aim: seconds between shares, > 0 */
    uint64_t min, max;    /* bounds on the difficulty, 1 <= min <= max */
} stratum_vardiff_config_t;

typedef struct {
    uint64_t difficulty;
    uint64_t window_start_ms;
    unsigned window_shares;
} stratum_vardiff_t;

void stratum_vardiff_init(stratum_vardiff_t *v, uint64_t difficulty, uint64_t now_ms);

/*
 * Counts one share at now_ms (share = 1) or only looks at the clock
 * (share = 0, from a periodic check). Returns the new difficulty when the
 * window closed with a change, else 0.
 */
uint64_t stratum_vardiff_update(stratum_vardiff_t *v, const stratum_vardiff_config_t *config,
                                uint64_t now_ms, int share);

#endif
