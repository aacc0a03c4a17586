/*
 * Progress on stderr for long work: a bar rewritten in place when stderr
 * is a terminal, and plain lines otherwise (a log gets a line at each
 * quarter of a meter, and one per bench row).
 *
 * A meter counts work done out of a total (dataset items, hashes) and
 * estimates the time left from the rate so far. The sweep is bench's run
 * as rows done out of all; bench_progress adds what is happening now to
 * its line on a terminal.
 */
#ifndef MINEMETER_BENCH_PROGRESS_H
#define MINEMETER_BENCH_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char label[96];
    uint64_t total;
    uint64_t start_ns, drawn_ns;
    uint64_t done;          /* the last count heard */
    unsigned quarters_said; /* plain lines: the quarters already printed */
    int tty;
} bench_meter_t;

void bench_meter_begin(bench_meter_t *m, const char *label, uint64_t total);

/* done of total so far; draws at most ten times a second. */
void bench_meter_update(bench_meter_t *m, uint64_t done);

/* bench_meter_update with the meter as a void pointer, for build callbacks. */
void bench_meter_report(void *meter, uint64_t done, uint64_t total);

/*
 * Clears the bar (on a terminal) or says "LABEL: done in T" (otherwise;
 * "stopped at N%" when the count never reached the total). Returns the
 * seconds since begin.
 */
double bench_meter_end(bench_meter_t *m);

/* bench's run of rows measured out of rows in all. */
void bench_sweep_begin(unsigned rows);
void bench_sweep_row_done(void);
void bench_sweep_end(void);

/* What is happening now, on the status line after the sweep's count (terminal only). */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Clears the status line before ordinary output. */
void bench_progress_done(void);

/* seconds as "7.9 s", "2 min 05 s" or "1 h 03 min". */
void bench_format_duration(double seconds, char *out, size_t cap);

#endif
