/*
 * The duty cycle behind --intensity: a worker asked for P percent hashes
 * for P percent of each 100 ms period of the monotonic clock and idles the
 * rest, the periods aligned to multiples of 100 ms so that any whole
 * second starting on such a multiple (how `minemeter load` samples) holds
 * ten whole periods.
 *
 * The budget is CPU time on the thread's own clock (what the OS and a
 * detector see). Each period adds P percent of it; what a period leaves
 * over or overspends carries to the next, so the share over a second is
 * the asked one within the rounding of the work's own granularity:
 *
 *   - work that can stop anywhere (light mode's lockstep groups, which ask
 *     a callback every few microseconds) runs while the budget lasts;
 *   - work in whole units (a CryptoNight hash, a fast-mode RandomX hash)
 *     starts while any budget is left, so a second's share is off by at
 *     most one unit's CPU time (39 ms, 3.9 points, for the slowest hash).
 *
 * A thread the core cannot serve (other work on it) does not hoard: what
 * it could not use is not carried past the period. Pure arithmetic on
 * the clocks the caller reads, so it is tested with made-up clocks.
 */
#ifndef MINEMETER_MINER_DUTY_CYCLE_H
#define MINEMETER_MINER_DUTY_CYCLE_H

#include <stdint.h>

#define MINER_DUTY_PERIOD_NS 100000000ull

typedef struct {
    unsigned percent;       /* what the budget is for; 0: not started */
    uint64_t period_end_ns; /* monotonic */
    int64_t budget_ns;      /* CPU time left until period_end_ns, carry included */
    uint64_t cpu_mark_ns;   /* the thread CPU clock the budget was last charged at */
    uint64_t next_poll_ns;  /* before this (monotonic), a poll need not read the CPU clock */
} miner_duty_t;

/* Starts afresh from the next call (after a pause, a new job or a new intensity source). */
void miner_duty_restart(miner_duty_t *duty);

/*
 * How long to idle (0: go on) at monotonic now_ns with the thread CPU
 * clock at cpu_ns, asked for percent: before a unit of work, and inside
 * work that can stop anywhere whenever miner_duty_poll_due says so. Call
 * again after idling (percent may have changed meanwhile). At 100 it never
 * idles, and a later lower percent starts afresh.
 */
uint64_t miner_duty_idle(miner_duty_t *duty, unsigned percent, uint64_t now_ns, uint64_t cpu_ns);

/*
 * Whether a poll at now_ns must read the CPU clock and call miner_duty_idle:
 * the budget may be spent, or the intensity changed.
 */
static inline int miner_duty_poll_due(const miner_duty_t *duty, unsigned percent, uint64_t now_ns)
{
    return percent < 100 && (now_ns >= duty->next_poll_ns || percent != duty->percent);
}

#endif
