/*
 * The mining session's life: the source's events in, jobs to the feeder,
 * results out. Threads: the caller's libuv loop does all of this; the
 * miner's workers hash; the feeder publishes jobs. Results and the
 * feeder's verdicts reach the loop through uv_async.
 */
#define _GNU_SOURCE
#include "config.h"
#include "stratum/session.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/clock.h"
#include "miner/job_feeder.h"
#include "miner/nonce_resume.h"
#include "miner/rx_dataset_build.h"
#include "stratum/daemon_client.h"
#include "stratum/log_line.h"
#include "stratum/message.h"

/* The usual algorithms announced at login, the configured one first when it is not among them. */
static const char *const usual_algos[] = {"rx/0", "rx/2", "cn/r", "cn/2", "cn/1", "cn/0"};

struct stratum_session {
    uv_loop_t *loop;
    stratum_session_config_t config;
    stratum_source_t source;
    int have_source; /* until it is closed */
    miner_t *miner;
    miner_feeder_t *feeder;
    unsigned threads;
    uv_async_t results_async, published_async;
    uv_timer_t switch_timer;
    int stopping;

    /* The job being hashed, as the loop knows it. */
    uint64_t job_counter;
    uint64_t current_job;
    char current_pool_job[STRATUM_MAX_JOB_ID + 1];
    uint64_t current_difficulty;
    /* The last job as sent, to resume it past its tried nonces when a source sends it again. */
    uint8_t last_blob[MINER_MAX_BLOB];
    size_t last_blob_len;
    uint32_t last_first_nonce;
    uint64_t hashes_at_job[MINER_MAX_THREADS];
    /* The switch to the current job: arrival, then every worker hashing it. */
    uint64_t arrival_ns;
    int switch_pending;
    double switch_ms[STRATUM_SESSION_SWITCH_SAMPLES];
    unsigned switch_count;

    /* From the feeder's thread, under published_lock. */
    pthread_mutex_t published_lock;
    int published_rc;
    double published_seconds;
    uint64_t published_job;
    int published_new;
    /* Fast mode's dataset build, in quarters, for the log (also under published_lock). */
    int building, build_new;
    unsigned build_quarters;
    uint64_t build_start_ns;
    double build_elapsed;

    uint64_t stale_local;
    stratum_source_stats_t final;         /* the source's counters when it closed */
    size_t last_in_bytes, last_out_bytes; /* the last line each way (Stratum) */
    uint64_t jobs_published;              /* handed to the workers, ready to hash */
};

static void emit(stratum_session_t *s, stratum_session_event_t *e)
{
    /* Closing the source at the stop is no news (a log's summary stays its last line). */
    if (s->config.event != NULL && !s->stopping)
        s->config.event(s->config.context, e);
}

static void say(stratum_session_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(stratum_session_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stratum_log_line(s->config.log, s->config.context, fmt, ap);
    va_end(ap);
}

/* --- the job switch ------------------------------------------------------------ */

/* Every millisecond after a job arrives: are all workers on it yet? */
static void on_switch_check(uv_timer_t *timer)
{
    stratum_session_t *s = timer->data;
    uint64_t started;
    if (!s->switch_pending) {
        uv_timer_stop(timer);
        return;
    }
    if (miner_job_started(s->miner, s->current_job, &started) != 0)
        return;
    s->switch_pending = 0;
    uv_timer_stop(timer);
    if (s->switch_count < STRATUM_SESSION_SWITCH_SAMPLES && started >= s->arrival_ns)
        s->switch_ms[s->switch_count++] = (double)(started - s->arrival_ns) / 1e6;
}

/* No job switch to wait for any more: the 1 ms check stops (#23, item 6). */
static void forget_switch(stratum_session_t *s)
{
    s->switch_pending = 0;
    uv_timer_stop(&s->switch_timer);
}

/* --- jobs in ----------------------------------------------------------------------- */

/*
 * Where workers start on job: at 0, or, when it is the job just hashed sent
 * again (a reconnect), past every nonce any worker tried, so that no share
 * is sent twice.
 */
static uint32_t first_nonce_for(stratum_session_t *s, const stratum_job_t *job, uint32_t fixed_bits)
{
    int again =
        job->blob_len == s->last_blob_len && memcmp(job->blob, s->last_blob, job->blob_len) == 0;
    uint64_t most = 0;
    for (unsigned i = 0; again && i < s->threads; i++) {
        uint64_t done = miner_thread_hashes(s->miner, i) - s->hashes_at_job[i];
        most = done > most ? done : most;
    }
    /* Within the bits the pool left free: 24 under nicehash (#23, item 12). */
    uint64_t first =
        again ? miner_resume_nonce(s->last_first_nonce, most, s->threads, fixed_bits) : 0;
    memcpy(s->last_blob, job->blob, job->blob_len);
    s->last_blob_len = job->blob_len;
    s->last_first_nonce = (uint32_t)first;
    for (unsigned i = 0; i < s->threads; i++)
        s->hashes_at_job[i] = miner_thread_hashes(s->miner, i);
    if (again && first > 0)
        say(s, "job %s again: resuming at nonce %" PRIu64, job->id, first);
    return (uint32_t)first;
}

static void take_job(stratum_session_t *s, const stratum_job_t *job)
{
    miner_job_t mj;
    stratum_job_to_miner(job, ++s->job_counter, &mj);
    mj.first_nonce = first_nonce_for(s, job, mj.nonce_fixed_bits);
    s->current_job = mj.job_id;
    snprintf(s->current_pool_job, sizeof(s->current_pool_job), "%s", job->id);
    s->current_difficulty = job->difficulty;
    s->arrival_ns = arch_clock_ns();
    s->switch_pending = 1;
    uv_timer_start(&s->switch_timer, on_switch_check, 1, 1);
    say(s, "new job %s: algo %s, height %" PRIu64 ", difficulty %" PRIu64, job->id,
        pow_algo_name(job->algo), job->height, job->difficulty);
    stratum_session_event_t e = {.kind = STRATUM_SESSION_JOB,
                                 .job_id = job->id,
                                 .algo = pow_algo_name(job->algo),
                                 .height = job->height,
                                 .difficulty = job->difficulty,
                                 .bytes = s->last_in_bytes};
    emit(s, &e);
    miner_feeder_offer(s->feeder, &mj);
}

static void lose_source(stratum_session_t *s)
{
    forget_switch(s);
    s->current_job = 0;
    s->current_pool_job[0] = '\0';
    miner_feeder_pause(s->feeder);
    if (!s->stopping) /* closing the connection at the stop is no news */
        say(s, "hashing paused until %s answers", s->source.waiting_for);
    stratum_session_event_t e = {.kind = STRATUM_SESSION_DISCONNECTED};
    emit(s, &e);
}

/* --- events from the source ------------------------------------------------------- */

static void on_log(void *context, const char *line)
{
    stratum_session_t *s = context;
    say(s, "%s", line);
}

static void on_job(void *context, const stratum_job_t *job, unsigned pool)
{
    (void)pool;
    take_job(context, job);
}

static void on_connection(void *context, int connected, unsigned pool)
{
    if (!connected) {
        lose_source(context);
        return;
    }
    stratum_session_event_t e = {.kind = STRATUM_SESSION_CONNECTED, .pool = pool};
    emit(context, &e);
}

static void on_traffic(void *context, int sent, size_t bytes)
{
    stratum_session_t *s = context;
    if (sent)
        s->last_out_bytes = bytes;
    else
        s->last_in_bytes = bytes;
}

static void on_daemon_job(void *context, const stratum_job_t *job)
{
    take_job(context, job);
}

static void on_daemon_connection(void *context, int connected)
{
    if (!connected)
        lose_source(context);
}

static void on_share_result(void *context, int accepted, const char *reason, double latency_ms)
{
    stratum_session_t *s = context;
    if (!s->have_source)
        return;
    stratum_source_stats_t st;
    s->source.stats(s->source.client, &st);
    /* (accepted/rejected), as XMRig counts */
    if (accepted)
        say(s, "share accepted (%" PRIu64 "/%" PRIu64 ") difficulty %" PRIu64 " (%.0f ms)",
            st.accepted, st.rejected, s->current_difficulty, latency_ms);
    else
        say(s, "share rejected (%" PRIu64 "/%" PRIu64 "): %s", st.accepted, st.rejected, reason);
    stratum_session_event_t e = {.kind = STRATUM_SESSION_SHARE_RESULT,
                                 .accepted = accepted,
                                 .reason = reason,
                                 .latency_ms = latency_ms,
                                 .bytes = s->last_in_bytes};
    emit(s, &e);
}

static void on_block_result(void *context, const stratum_block_result_t *r)
{
    stratum_session_t *s = context;
    if (!s->have_source)
        return;
    stratum_source_stats_t st;
    s->source.stats(s->source.client, &st);
    if (r->accepted)
        say(s,
            "block accepted (%" PRIu64 "/%" PRIu64 ") at height %" PRIu64 ", pow hash %s (%.0f ms)",
            st.accepted, st.accepted + st.rejected, r->height, r->pow_hash, r->latency_ms);
    else
        say(s, "block refused (%" PRIu64 "/%" PRIu64 ") at height %" PRIu64 ": %s (pow hash %s)",
            st.rejected, st.accepted + st.rejected, r->height, r->reason, r->pow_hash);
}

static void on_address_refused(void *context, const char *address, const char *reason)
{
    stratum_session_t *s = context;
    char why[512];
    snprintf(why, sizeof(why), "monerod refused the address %s: %s", address, reason);
    if (s->config.fatal != NULL)
        s->config.fatal(s->config.context, 2, why);
}

/* --- events from the workers and the feeder -------------------------------------- */

static void on_result(void *context)
{
    stratum_session_t *s = context;
    uv_async_send(&s->results_async);
}

static void drain_results(uv_async_t *async)
{
    stratum_session_t *s = async->data;
    miner_result_t r[16];
    size_t n;
    while ((n = miner_take_results(s->miner, r, 16)) > 0) {
        for (size_t i = 0; i < n; i++) {
            char wire[9]; /* the nonce as the submit carries it: little-endian hex */
            stratum_nonce_to_hex(r[i].nonce, wire);
            /* A share for a job the pool has replaced is never sent. */
            if (r[i].job_id != s->current_job) {
                s->stale_local++;
                if (s->config.verbose)
                    say(s, "not sending a share for a replaced job (nonce %s)", wire);
                continue;
            }
            if (s->config.verbose)
                say(s, "sending a share for job %s, nonce %s", s->current_pool_job, wire);
            s->last_out_bytes = 0;
            if (s->have_source &&
                s->source.submit(s->source.client, s->current_pool_job, &r[i]) == 0) {
                stratum_session_event_t e = {.kind = STRATUM_SESSION_SHARE_SENT,
                                             .job_id = s->current_pool_job,
                                             .bytes = s->last_out_bytes};
                memcpy(e.nonce, wire, sizeof(wire));
                emit(s, &e);
            }
        }
    }
}

static void on_published(void *context, const miner_job_t *job, int rc, double seconds)
{
    stratum_session_t *s = context;
    pthread_mutex_lock(&s->published_lock);
    s->published_rc = rc;
    s->published_seconds = seconds;
    s->published_job = job->job_id;
    s->published_new = 1;
    pthread_mutex_unlock(&s->published_lock);
    uv_async_send(&s->published_async);
}

/* From the thread building a dataset: a quarter reached is said on the loop. */
static void on_dataset_progress(void *context, uint64_t done, uint64_t total)
{
    stratum_session_t *s = context;
    uint64_t now = arch_clock_ns();
    int tell = 0;
    pthread_mutex_lock(&s->published_lock);
    if (!s->building) {
        s->building = 1;
        s->build_start_ns = now;
        s->build_quarters = 0;
    }
    unsigned quarters = total > 0 ? (unsigned)(done * 4 / total) : 4;
    if (quarters >= 4) {
        s->building = 0;
    } else if (quarters > s->build_quarters) {
        s->build_quarters = quarters;
        s->build_elapsed = (double)(now - s->build_start_ns) / 1e9;
        s->build_new = tell = 1;
    }
    pthread_mutex_unlock(&s->published_lock);
    if (tell)
        uv_async_send(&s->published_async);
}

static void report_published(uv_async_t *async)
{
    stratum_session_t *s = async->data;
    pthread_mutex_lock(&s->published_lock);
    if (s->build_new) {
        double fraction = s->build_quarters / 4.0, elapsed = s->build_elapsed;
        s->build_new = 0;
        pthread_mutex_unlock(&s->published_lock);
        say(s, "RandomX dataset %.0f%% built in %.1f s, ~%.0f s to go", 100 * fraction, elapsed,
            elapsed * (1 - fraction) / fraction);
        pthread_mutex_lock(&s->published_lock);
    }
    int fresh = s->published_new, rc = s->published_rc;
    double seconds = s->published_seconds;
    uint64_t job = s->published_job;
    s->published_new = 0;
    pthread_mutex_unlock(&s->published_lock);
    if (!fresh)
        return;
    if (rc == 0)
        s->jobs_published++;
    if (rc != 0 && job == s->current_job)
        forget_switch(s); /* the workers will never start it */
    char room[256];
    /* The miner has paused its workers: no result for a job gone by is worth hashing. */
    if (rc == -ENOMEM && s->config.fast && !miner_dataset_fits(room, sizeof(room)))
        say(s,
            "cannot hash this job: %s (light mode, --mode light, needs 256 MiB); hashing "
            "paused until the next job",
            room);
    else if (rc != 0)
        say(s, "cannot hash this job: %s; hashing paused until the next job",
            rc == -ENOMEM ? "out of memory" : "it is not hashable");
    else if (seconds > 0.5 && miner_rx_datasets(s->miner) > 1)
        say(s, "RandomX state for the new seed ready in %.1f s (%u datasets, one per NUMA node)",
            seconds, miner_rx_datasets(s->miner));
    else if (seconds > 0.5)
        say(s, "RandomX state for the new seed ready in %.1f s", seconds);
}

/* --- the source ---------------------------------------------------------------------- */

/* The Stratum client for pools, or the daemon client for one daemon+http:// URL. */
static int create_source(stratum_session_t *s)
{
    const stratum_session_config_t *c = &s->config;
    if (stratum_url_is_daemon(c->pools[0].url.scheme)) {
        stratum_daemon_config_t dc = {
            .url = c->pools[0].url,
            .wallet_address = c->pools[0].user,
            .agent = c->agent,
            .poll_interval_ms = c->daemon_poll_ms,
            .request_timeout_ms = c->response_timeout_ms,
            .retry_pause_ms = c->retry_pause_ms,
            .algo = c->algo_given ? c->algo : NULL,
            .zmq_endpoint = c->zmq_endpoint,
            .tls = {.fingerprint = c->pools[0].tls_fingerprint,
                    .ca_file = c->tls_ca_file,
                    .insecure = c->tls_insecure},
            .events = {.context = s,
                       .on_job = on_daemon_job,
                       .on_block_result = on_block_result,
                       .on_connection = on_daemon_connection,
                       .on_address_refused = on_address_refused,
                       .log = on_log},
        };
        stratum_daemon_t *d = stratum_daemon_create(s->loop, &dc);
        if (d == NULL)
            return -1;
        s->source = stratum_source_daemon(d);
        s->have_source = 1;
        return 0;
    }
    stratum_client_config_t cc = {
        .pools = c->pools,
        .pool_count = c->pool_count,
        .agent = c->agent,
        .default_algo = c->algo,
        .algos = usual_algos,
        .algo_count = sizeof(usual_algos) / sizeof(usual_algos[0]),
        .tls_ca_file = c->tls_ca_file,
        .tls_insecure = c->tls_insecure,
        .response_timeout_ms = c->response_timeout_ms,
        /* One bound for any wait on the pool, the connection up to the login included. */
        .connect_timeout_ms = c->response_timeout_ms,
        .keepalive_ms = c->keepalive_ms,
        .retry_pause_ms = c->retry_pause_ms,
        .retries = c->retries,
        .failback_ms = c->failback_ms,
        .job_timeout_ms = c->job_timeout_ms,
        .events = {.context = s,
                   .on_job = on_job,
                   .on_share_result = on_share_result,
                   .on_connection = on_connection,
                   .on_traffic = on_traffic,
                   .log = on_log},
    };
    stratum_client_t *client = stratum_client_create(s->loop, &cc);
    if (client == NULL)
        return -1;
    s->source = stratum_source_pool(client);
    s->have_source = 1;
    return 0;
}

/* --- the public side ------------------------------------------------------------------ */

int stratum_session_create(stratum_session_t **out, uv_loop_t *loop,
                           const stratum_session_config_t *config, char *why, size_t why_len)
{
    *out = NULL;
    stratum_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(why, why_len, "out of memory");
        return -ENOMEM;
    }
    s->loop = loop;
    s->config = *config;
    s->threads = config->miner.threads;
    miner_config_t mc = config->miner;
    mc.on_result = on_result;
    mc.context = s;
    if (mc.dataset_progress.report == NULL)
        mc.dataset_progress = (miner_build_progress_t){on_dataset_progress, s};
    pthread_mutex_init(&s->published_lock, NULL);
    if (miner_create(&s->miner, &mc) != 0 ||
        miner_feeder_create(&s->feeder, s->miner, on_published, s) != 0) {
        snprintf(why, why_len, "cannot start %u worker threads", s->threads);
        miner_destroy(s->miner);
        pthread_mutex_destroy(&s->published_lock);
        free(s);
        return -EAGAIN;
    }
    if (create_source(s) != 0) {
        snprintf(why, why_len, "cannot start the %s client",
                 stratum_url_is_daemon(config->pools[0].url.scheme) ? "monerod" : "Stratum");
        stratum_session_destroy(s);
        return -ENOMEM;
    }
    uv_async_init(loop, &s->results_async, drain_results);
    uv_async_init(loop, &s->published_async, report_published);
    uv_timer_init(loop, &s->switch_timer);
    s->results_async.data = s->published_async.data = s->switch_timer.data = s;
    *out = s;
    return 0;
}

void stratum_session_start(stratum_session_t *s)
{
    s->source.start(s->source.client);
}

static void on_handle_closed(uv_handle_t *handle)
{
    (void)handle;
}

void stratum_session_stop(stratum_session_t *s)
{
    if (s->stopping)
        return;
    s->stopping = 1;
    miner_feeder_pause(s->feeder);
    s->source.stats(s->source.client, &s->final);
    s->source.close(s->source.client, NULL, NULL);
    s->have_source = 0;
    uv_close((uv_handle_t *)&s->results_async, on_handle_closed);
    uv_close((uv_handle_t *)&s->published_async, on_handle_closed);
    uv_close((uv_handle_t *)&s->switch_timer, on_handle_closed);
}

int stratum_session_solo(const stratum_session_t *s)
{
    return s->source.solo;
}

miner_t *stratum_session_miner(stratum_session_t *s)
{
    return s->miner;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stratum_session_stats(const stratum_session_t *s, stratum_session_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (s->have_source)
        s->source.stats(s->source.client, &out->source);
    else
        out->source = s->final;
    out->stale_local = s->stale_local;
    out->jobs_published = s->jobs_published;
    out->switch_count = s->switch_count;
    if (s->switch_count > 0) {
        double sorted[STRATUM_SESSION_SWITCH_SAMPLES];
        memcpy(sorted, s->switch_ms, s->switch_count * sizeof(double));
        qsort(sorted, s->switch_count, sizeof(double), compare_double);
        out->switch_median_ms = sorted[s->switch_count / 2];
    }
}

void stratum_session_destroy(stratum_session_t *s)
{
    if (s == NULL)
        return;
    miner_feeder_destroy(s->feeder);
    miner_destroy(s->miner);
    pthread_mutex_destroy(&s->published_lock);
    free(s);
}
