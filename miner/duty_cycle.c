#include "config.h"
#include "miner/duty_cycle.h"

#include <string.h>

static int64_t share_of(unsigned percent, uint64_t ns)
{
    return (int64_t)(ns / 100 * percent + ns % 100 * percent / 100);
}

void miner_duty_restart(miner_duty_t *d)
{
    memset(d, 0, sizeof(*d));
}

/* Charges the CPU used since the last call and opens the periods begun since. */
static void charge(miner_duty_t *d, unsigned percent, uint64_t now, uint64_t cpu)
{
    if (d->percent == 0) {
        /* The first period is the rest of the current one, at its share. */
        d->percent = percent;
        d->period_end_ns = (now / MINER_DUTY_PERIOD_NS + 1) * MINER_DUTY_PERIOD_NS;
        d->budget_ns = share_of(percent, d->period_end_ns - now);
        d->cpu_mark_ns = cpu;
        return;
    }
    d->budget_ns -= (int64_t)(cpu - d->cpu_mark_ns);
    d->cpu_mark_ns = cpu;
    if (now < d->period_end_ns) {
        /* A new intensity holds from now: the rest of the period at its share. */
        uint64_t rest = d->period_end_ns - now;
        d->budget_ns += share_of(percent, rest) - share_of(d->percent, rest);
        d->percent = percent;
        return;
    }
    d->percent = percent;
    uint64_t periods = (now - d->period_end_ns) / MINER_DUTY_PERIOD_NS + 1;
    d->budget_ns += share_of(percent, MINER_DUTY_PERIOD_NS) * (int64_t)periods;
    d->period_end_ns += periods * MINER_DUTY_PERIOD_NS;
    int64_t cap = share_of(percent, MINER_DUTY_PERIOD_NS);
    if (d->budget_ns > cap)
        d->budget_ns = cap; /* time the core could not give is not owed */
}

uint64_t miner_duty_idle(miner_duty_t *d, unsigned percent, uint64_t now, uint64_t cpu)
{
    if (percent >= 100) {
        d->percent = 0; /* a later throttle starts afresh */
        return 0;
    }
    charge(d, percent, now, cpu);
    if (d->budget_ns > 0) {
        /* The budget cannot run out sooner than wall time passes. */
        d->next_poll_ns = now + (uint64_t)d->budget_ns;
        return 0;
    }
    d->next_poll_ns = 0;
    return d->period_end_ns - now;
}
