/*
 * libFuzzer target for what a pool sends: bytes through the line framer,
 * each line through the message parser, and every job (a notification's
 * params or a login result's job) through stratum_job_parse, and the text
 * mine prints from it (error messages, methods, job ids) through
 * stratum_printable. And for what a miner sends the lab pool: each line
 * through stratum_pool_request_parse, and what the pool prints and logs
 * from it (logins, agents, job ids, nonces) through stratum_printable.
 * Built and run
 * by scripts/fuzz-stratum.sh; any crash, leak or sanitizer report fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stratum/job.h"
#include "stratum/line.h"
#include "stratum/message.h"
#include "stratum/pool_request.h"
#include "stratum/printable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What reaches the terminal: escaped into a buffer that may be too small. */
static void check_printable(const char *text)
{
    char shown[64];
    if (text != NULL)
        (void)stratum_printable(text, shown, sizeof(shown));
}

static void check_job(const json_t *job)
{
    stratum_job_t parsed;
    char why[128];
    check_printable(json_string_value(json_object_get(job, "job_id")));
    if (stratum_job_parse(job, pow_algo_find("cn/r"), &parsed, why, sizeof(why)) == 0) {
        miner_job_t miner;
        stratum_job_to_miner(&parsed, 1, &miner);
        (void)miner_meets_target(parsed.blob, parsed.target);
    }
}

/* The lab pool's side: a miner's line as a request. */
static void check_request(const char *line, size_t len)
{
    stratum_pool_request_t r;
    char why[128];
    if (stratum_pool_request_parse(line, len, &r, why, sizeof(why)) != 0)
        return;
    check_printable(r.login);
    check_printable(r.agent);
    check_printable(r.rigid);
    check_printable(r.job_id);
    check_printable(r.nonce_text);
    check_printable(r.session);
    (void)stratum_pool_request_offers(&r, pow_algo_find("rx/0"));
    stratum_pool_request_free(&r);
}

static int on_line(const char *line, size_t len, void *context)
{
    (void)context;
    check_request(line, len);
    stratum_message_t m;
    char why[128];
    if (stratum_message_parse(line, len, &m, why, sizeof(why)) != 0)
        return 0;
    check_printable(m.method);
    check_printable(m.error_message);
    if (m.kind == STRATUM_MESSAGE_NOTIFICATION && strcmp(m.method, "job") == 0)
        check_job(m.params);
    else if (m.kind == STRATUM_MESSAGE_RESPONSE && m.result != NULL)
        check_job(json_object_get(m.result, "job"));
    else if (m.kind == STRATUM_MESSAGE_RESPONSE)
        (void)stratum_error_is_critical(m.error_message);
    stratum_message_free(&m);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stratum_line_buffer_t buffer;
    stratum_line_init(&buffer);
    /* The first byte splits the input in two reads, as a socket might. */
    size_t split = size > 0 ? data[0] % (size + 1) : 0;
    if (stratum_line_feed(&buffer, data, split, on_line, NULL) == 0)
        stratum_line_feed(&buffer, data + split, size - split, on_line, NULL);
    stratum_line_free(&buffer);
    return 0;
}
