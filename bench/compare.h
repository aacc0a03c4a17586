/*
 * Bench results from several machines or runs side by side (`minemeter
 * compare`): the files `bench --json` wrote, read and checked, lined up by
 * algorithm, mode and thread count, with each file's H/s, H/s per thread
 * and J/hash and its ratio to the first file. Reading only: the reports
 * are in bench/compare_report.c.
 */
#ifndef MINEMETER_BENCH_COMPARE_H
#define MINEMETER_BENCH_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#define BENCH_COMPARE_MAX_FILES 8
#define BENCH_COMPARE_MAX_ROWS  256

/* One file's figures in a row; hps < 0: the file has no such measurement. */
typedef struct {
    double hps; /* median H/s */
    double hps_min, hps_max;
    double hps_per_thread;
    double joules_per_hash; /* < 0 unknown */
    int energy_estimated;   /* the J/hash is the model's, not a measurement */
    double ratio;           /* hps over the first file's; < 0 when either is missing */
} bench_compare_cell_t;

typedef struct {
    char algo[32];
    char mode[8]; /* "fast", "light" or "" */
    unsigned threads;
    bench_compare_cell_t cell[BENCH_COMPARE_MAX_FILES];
} bench_compare_row_t;

typedef struct {
    char path[256];
    char label[48]; /* the file's name without directory or ".json", shortened */
    char cpu[64];   /* the CPU's brand as the file has it */
    char version[32];
} bench_compare_file_t;

typedef struct {
    unsigned files;
    bench_compare_file_t file[BENCH_COMPARE_MAX_FILES];
    unsigned rows; /* in the first file's order, then the others' new ones */
    bench_compare_row_t row[BENCH_COMPARE_MAX_ROWS];
} bench_compare_t;

/*
 * Reads paths (2 .. BENCH_COMPARE_MAX_FILES) into out. Returns 0, or -1
 * with one sentence in why: a file that cannot be read, is not JSON, is
 * not a bench result, or was written by another version's schema.
 */
int bench_compare_load(bench_compare_t *out, const char *const *paths, unsigned count, char *why,
                       size_t why_len);

/* The table for people: a group per algorithm, mode and thread count, a line per file. */
void bench_compare_table(FILE *out, const bench_compare_t *c);

/* One CSV row per (row, file) with a header; 0 or a negative errno. */
int bench_compare_csv(const char *path, const bench_compare_t *c);

/* A bar chart of each file's H/s over the first file's, per row; 0 or a negative errno. */
int bench_compare_svg(const char *path, const bench_compare_t *c);

#endif
