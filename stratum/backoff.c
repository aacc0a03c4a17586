#include "stratum/backoff.h"

#include <pthread.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t state;
static int seeded;

uint64_t stratum_random(void)
{
    pthread_mutex_lock(&lock);
    if (!seeded) {
        /* The kernel's randomness; without it, the clock and the pid still differ per process. */
        if (getrandom(&state, sizeof(state), GRND_NONBLOCK) != (ssize_t)sizeof(state)) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            state = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
        }
        seeded = 1;
    }
    /* splitmix64 */
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    pthread_mutex_unlock(&lock);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

unsigned stratum_backoff_ms(uint64_t base_ms, unsigned failures)
{
    unsigned doublings = failures > 0 ? failures - 1 : 0;
    uint64_t delay = base_ms << (doublings > 6 ? 6 : doublings);
    if (delay > STRATUM_MAX_BACKOFF_MS)
        delay = STRATUM_MAX_BACKOFF_MS;
    /* 0.75 to 1.25, from the top 53 bits */
    double jitter = 0.75 + 0.5 * ((double)(stratum_random() >> 11) / 9007199254740992.0);
    return (unsigned)((double)delay * jitter);
}
