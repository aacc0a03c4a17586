/*
 * Clocks and cycle counters.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/clock.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LINUX_PERF_EVENT_H
#include <linux/perf_event.h>
#endif
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

static uint64_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t arch_clock_ns(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

uint64_t arch_clock_thread_cpu_ns(void)
{
    return read_clock(CLOCK_THREAD_CPUTIME_ID);
}

uint64_t arch_clock_process_cpu_ns(void)
{
    return read_clock(CLOCK_PROCESS_CPUTIME_ID);
}

static int open_perf_cycles(void)
{
#ifdef HAVE_LINUX_PERF_EVENT_H
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_HARDWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_HW_CPU_CYCLES;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    return fd < 0 ? -1 : (int)fd;
#else
    return -1;
#endif
}

int arch_cycles_perf_available(void)
{
    int fd = open_perf_cycles();
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

static uint64_t read_tsc(void)
{
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}

static double tsc_hz;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

static void measure_tsc(void)
{
#if defined(__x86_64__)
    uint64_t t0 = arch_clock_ns();
    uint64_t c0 = read_tsc();
    struct timespec pause = {0, 20 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
    uint64_t t1 = arch_clock_ns();
    uint64_t c1 = read_tsc();
    if (t1 > t0 && c1 > c0)
        tsc_hz = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
#endif
}

double arch_tsc_hz(void)
{
    pthread_once(&tsc_once, measure_tsc);
    return tsc_hz;
}

int arch_cycles_open(arch_cycles_t *c)
{
    c->fd = open_perf_cycles();
    if (c->fd >= 0) {
        c->source = ARCH_CYCLES_PERF;
        return 0;
    }
    if (arch_tsc_hz() > 0) {
        c->source = ARCH_CYCLES_TSC;
        return 0;
    }
    c->source = ARCH_CYCLES_NONE;
    return -ENOTSUP;
}

uint64_t arch_cycles_read(const arch_cycles_t *c)
{
    switch (c->source) {
    case ARCH_CYCLES_PERF: {
        uint64_t count = 0;
        if (read(c->fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
            return 0;
        return count;
    }
    case ARCH_CYCLES_TSC:
        return read_tsc();
    case ARCH_CYCLES_NONE:
        break;
    }
    return 0;
}

void arch_cycles_close(arch_cycles_t *c)
{
    if (c->source == ARCH_CYCLES_PERF && c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->source = ARCH_CYCLES_NONE;
}

const char *arch_cycles_source_name(arch_cycles_source_t source)
{
    switch (source) {
    case ARCH_CYCLES_PERF:
        return "perf cycles";
    case ARCH_CYCLES_TSC:
        return "tsc";
    case ARCH_CYCLES_NONE:
        break;
    }
    return "none";
}
