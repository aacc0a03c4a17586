/*
 * Time and cycles. Wall time is CLOCK_MONOTONIC; CPU time is per thread or
 * per process. Cycles come from the perf cycles counter of the calling
 * thread when the kernel lets us open it, else from the TSC scaled by its
 * measured frequency (reference cycles, not core cycles: the source is
 * always reported so nobody mistakes one for the other).
 */
#ifndef MINEMETER_ARCH_CLOCK_H
#define MINEMETER_ARCH_CLOCK_H

#include <stdint.h>

/* Monotonic wall time in nanoseconds. */
uint64_t arch_clock_ns(void);

/* CPU time of the calling thread in nanoseconds. */
uint64_t arch_clock_thread_cpu_ns(void);

/* CPU time of the whole process in nanoseconds. */
uint64_t arch_clock_process_cpu_ns(void);

typedef enum {
    ARCH_CYCLES_NONE,
    ARCH_CYCLES_PERF, /* Core cycles of this thread (perf_event_open). */
    ARCH_CYCLES_TSC,  /* Time-stamp counter: constant-rate reference cycles. */
} arch_cycles_source_t;

typedef struct {
    arch_cycles_source_t source;
    int fd; /* perf event, -1 otherwise */
} arch_cycles_t;

/*
 * Opens a cycle counter for the calling thread: perf first, then TSC. It
 * counts only on that thread. Returns 0, or -ENOTSUP when neither exists.
 */
int arch_cycles_open(arch_cycles_t *c);

/* The current count; differences between two reads are cycles spent. */
uint64_t arch_cycles_read(const arch_cycles_t *c);

void arch_cycles_close(arch_cycles_t *c);

/* "perf cycles", "tsc" or "none". */
const char *arch_cycles_source_name(arch_cycles_source_t source);

/*
 * The TSC frequency in Hz, measured once against CLOCK_MONOTONIC over about
 * 20 ms (cached); 0 where there is no usable TSC.
 */
double arch_tsc_hz(void);

/* Whether the kernel lets this process count its own cycles with perf. */
int arch_cycles_perf_available(void);

#endif
