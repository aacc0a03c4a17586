#include "config.h"
#include "miner/hashrate.h"

#include <string.h>

void miner_hashrate_init(miner_hashrate_t *rate)
{
    memset(rate, 0, sizeof(*rate));
}

void miner_hashrate_add(miner_hashrate_t *rate, uint64_t now_ns, uint64_t hashes)
{
    rate->ring[rate->head] = (miner_hashrate_sample_t){now_ns, hashes};
    rate->head = (rate->head + 1) % MINER_HASHRATE_SAMPLES;
    if (rate->count < MINER_HASHRATE_SAMPLES)
        rate->count++;
}

static const miner_hashrate_sample_t *nth_newest(const miner_hashrate_t *rate, unsigned n)
{
    return &rate->ring[(rate->head + MINER_HASHRATE_SAMPLES - 1 - n) % MINER_HASHRATE_SAMPLES];
}

double miner_hashrate_over(const miner_hashrate_t *rate, uint64_t window_ns)
{
    if (rate->count < 2)
        return -1;
    const miner_hashrate_sample_t *newest = nth_newest(rate, 0);
    /* The oldest sample still inside the window. */
    const miner_hashrate_sample_t *oldest = NULL;
    for (unsigned n = 1; n < rate->count; n++) {
        const miner_hashrate_sample_t *s = nth_newest(rate, n);
        if (newest->ns - s->ns > window_ns)
            break;
        oldest = s;
    }
    if (oldest == NULL)
        return -1;
    uint64_t span = newest->ns - oldest->ns;
    if (span == 0 || (double)span < 0.9 * (double)window_ns)
        return -1;
    return (double)(newest->hashes - oldest->hashes) * 1e9 / (double)span;
}
