/*
 * Per-connection difficulty (stratum/vardiff.h).
 */
#include "stratum/vardiff.h"

void stratum_vardiff_init(stratum_vardiff_t *v, uint64_t difficulty, uint64_t now_ms)
{
    v->difficulty = difficulty != 0 ? difficulty : 1;
    v->window_start_ms = now_ms;
    v->window_shares = 0;
}

uint64_t stratum_vardiff_update(stratum_vardiff_t *v, const stratum_vardiff_config_t *config,
                                uint64_t now_ms, int share)
{
    if (share)
        v->window_shares++;
    double elapsed_s =
        now_ms > v->window_start_ms ? (double)(now_ms - v->window_start_ms) / 1000.0 : 0.0;
    double period_s = config->share_seconds;
    if (v->window_shares < STRATUM_VARDIFF_WINDOW_SHARES &&
        elapsed_s < period_s * STRATUM_VARDIFF_WINDOW_PERIODS)
        return 0;
    /* Shares seen over shares expected; a window that closed on shares cannot be empty. */
    double expected = elapsed_s / period_s;
    double ratio = expected > 0 ? (double)v->window_shares / expected : STRATUM_VARDIFF_MAX_STEP;
    if (ratio > STRATUM_VARDIFF_MAX_STEP)
        ratio = STRATUM_VARDIFF_MAX_STEP;
    if (ratio < 1.0 / STRATUM_VARDIFF_MAX_STEP)
        ratio = 1.0 / STRATUM_VARDIFF_MAX_STEP;
    v->window_start_ms = now_ms;
    v->window_shares = 0;
    if (ratio >= 0.75 && ratio <= 4.0 / 3.0)
        return 0;
    double next = (double)v->difficulty * ratio;
    uint64_t d = next >= (double)config->max   ? config->max
                 : next <= (double)config->min ? config->min
                                               : (uint64_t)next;
    if (d == v->difficulty)
        return 0;
    v->difficulty = d;
    return d;
}
