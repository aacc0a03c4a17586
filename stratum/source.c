#include "config.h"
#include "stratum/source.h"

#include <string.h>

/* --- a Stratum pool ------------------------------------------------------------- */

static void stratum_start(void *client)
{
    stratum_client_start(client);
}

static int stratum_submit(void *client, const char *job_id, const miner_result_t *r)
{
    /* rx/2 judges the commitment: it is the result, and the raw hash rides along. */
    const uint8_t *result = r->has_commitment ? r->commitment : r->hash;
    const uint8_t *raw = r->has_commitment ? r->hash : NULL;
    return stratum_client_submit(client, job_id, r->nonce, result, raw);
}

static void stratum_stats(const void *client, stratum_source_stats_t *out)
{
    stratum_client_stats_t st;
    stratum_client_stats(client, &st);
    memset(out, 0, sizeof(*out));
    out->accepted = st.accepted;
    out->rejected = st.rejected;
    out->stale_dropped = st.stale_dropped;
    out->jobs = st.jobs;
    out->bad_jobs = st.bad_jobs;
    out->held_back = st.held_back;
    out->connects = st.connects;
    out->disconnects = st.disconnects;
}

static void stratum_close(void *client, void (*on_closed)(void *arg), void *arg)
{
    stratum_client_close(client, on_closed, arg);
}

stratum_source_t stratum_source_pool(stratum_client_t *client)
{
    return (stratum_source_t){
        0, "a pool", client, stratum_start, stratum_submit, stratum_stats, stratum_close};
}

/* --- a monerod daemon ----------------------------------------------------------- */

static void daemon_start(void *client)
{
    stratum_daemon_start(client);
}

static int daemon_submit(void *client, const char *job_id, const miner_result_t *r)
{
    /*
     * A block is judged on the proof-of-work result: the hash, or rx/2's
     * commitment, which is what the workers compared with the target (as
     * for a pool's shares).
     */
    const uint8_t *result = r->has_commitment ? r->commitment : r->hash;
    return stratum_daemon_submit(client, job_id, r->nonce, result) == 0 ? 0 : -1;
}

static void daemon_stats(const void *client, stratum_source_stats_t *out)
{
    stratum_daemon_stats_t st;
    stratum_daemon_stats(client, &st);
    memset(out, 0, sizeof(*out));
    out->accepted = st.accepted;
    out->rejected = st.refused;
    out->stale_dropped = st.stale_dropped;
    out->jobs = st.templates;
    out->bad_jobs = st.bad_templates;
    out->connects = st.connects;
    out->disconnects = st.disconnects;
    out->blocks_found = st.blocks_found;
    out->below_difficulty = st.below_difficulty;
}

static void daemon_close(void *client, void (*on_closed)(void *arg), void *arg)
{
    stratum_daemon_close(client, on_closed, arg);
}

stratum_source_t stratum_source_daemon(stratum_daemon_t *daemon)
{
    return (stratum_source_t){
        1, "monerod", daemon, daemon_start, daemon_submit, daemon_stats, daemon_close};
}
