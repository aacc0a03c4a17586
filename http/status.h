/*
 * What the HTTP API serves: one plain snapshot of a running command,
 * filled by the command about once a second and copied whole into the
 * server (http/server.h), which renders it per request. Nothing here
 * points anywhere, so a copy is a consistent picture and the server needs
 * nothing from the miner, the session or the energy source.
 *
 * A figure that is not known is negative (rates, watts, ping) or has its
 * has_ flag clear; the renderers print it as JSON null and leave the
 * Prometheus sample out, never as a made-up zero.
 */
#ifndef MINEMETER_HTTP_STATUS_H
#define MINEMETER_HTTP_STATUS_H

#include <stdint.h>

#define HTTP_STATUS_MAX_THREADS 256
#define HTTP_STATUS_WINDOWS     3 /* 10 s, 60 s, 15 min, as miners print them */

typedef struct {
    double rate[HTTP_STATUS_WINDOWS]; /* H/s; < 0 while a window is not yet covered */
    uint64_t hashes;
    double cpu_seconds; /* the worker thread's CPU time */
    double cpu_percent; /* of one CPU over the last second; < 0 unknown */
    int pu;             /* the PU it is pinned to, -1 unpinned */
} http_thread_status_t;

#define HTTP_STATUS_MAX_MINERS 32 /* a pool's miners listed by login */

/* One login at a lab pool (`pool`). */
typedef struct {
    char login[64];
    unsigned connections; /* now */
    uint64_t accepted, rejected, stale;
    uint64_t accepted_difficulty; /* the hashes its accepted shares stand for */
} http_miner_status_t;

typedef struct {
    /* Fixed at the start. */
    char command[16];   /* "mine", "load", "pool", "impact" */
    char id[20];        /* this process's instance id: random hex */
    char worker_id[64]; /* the host name */
    char version[32];
    char user_agent[96];
    char algo[32];
    char mode[8];       /* RandomX "fast" or "light"; "" for CryptoNight */
    char code_path[32]; /* the ISA path hashing ("aesni", "portable" ...) */
    char cpu_brand[64];
    int cpu_aes, cpu_avx2, cpu_x64;
    uint64_t start_ns; /* arch_clock_ns() at the start */

    /* Updated each second. */
    int has_pages;
    uint64_t resident_bytes, huge_bytes; /* the process's, and the part on huge pages */
    char thp_mode[16];                   /* the kernel's: always, madvise, never */
    uint64_t now_ns;                     /* when this snapshot was taken */
    double rate[HTTP_STATUS_WINDOWS];
    double highest; /* the highest 10 s rate seen; < 0 none yet */
    uint64_t hashes;
    unsigned threads;
    http_thread_status_t thread[HTTP_STATUS_MAX_THREADS];

    /* A pool or monerod (mine, load --url). */
    int has_pool;
    int solo;       /* monerod: results are blocks */
    char pool[160]; /* host:port now used, or last tried */
    int connected;
    uint64_t connected_ns; /* arch_clock_ns() of the current login */
    double ping_ms;        /* the mean round trip of the last shares' replies; < 0 none */
    uint64_t difficulty;   /* the current job's */
    uint64_t failures;     /* connections lost */
    uint64_t accepted, rejected;
    uint64_t jobs;

    /* Energy (mine, load): measured or estimated, as the label says. */
    int has_energy;
    double joules; /* since the start */
    double watts;  /* over the last second; < 0 unknown */
    int energy_estimate;
    char energy_source[200];
    char energy_reason[240]; /* why there is no reading, or why only an estimate */

    /*
     * pool: the lab pool's own counts. Its hash rate is an estimate, the
     * accepted difficulty per second, kept in rate[] for /1/summary; the
     * workers' fields stay empty (it hashes only to check shares).
     */
    int has_server;
    unsigned server_connected;
    uint64_t server_connections, server_logins, server_jobs_sent, server_bans, server_bad_lines;
    uint64_t server_accepted, server_rejected, server_stale, server_accepted_difficulty;
    double server_verify_seconds;
    unsigned miners, miners_total; /* listed (the most active first), and all logins */
    http_miner_status_t miner[HTTP_STATUS_MAX_MINERS];

    /* impact: where the protocol is (published at each window's start and end). */
    int has_impact;
    char impact_victim[64];
    char impact_window[96]; /* the miner configuration now, "alone" or "beside cn/2 x2 at 100%" */
    unsigned impact_round, impact_rounds;
    unsigned impact_windows_done, impact_windows_total;
    double impact_last_miner_hps; /* the last window's miner, H/s; < 0 none yet */

    /* load: the schedule. */
    int has_load;
    unsigned intensity; /* percent asked now */
    char profile[256];
    double elapsed_s, duration_s;
} http_status_t;

#endif
