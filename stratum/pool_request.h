/*
 * What a lab pool receives, parsed and checked with no I/O: one line from
 * a miner as a Stratum request (login, getjob, submit, keepalived, or a
 * method the pool does not serve) with its fields decoded and typed, so
 * that the server only decides, and so that everything a stranger can
 * send goes through one function the fuzzer drives (tests/fuzz/).
 */
#ifndef MINEMETER_STRATUM_POOL_REQUEST_H
#define MINEMETER_STRATUM_POOL_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "pow/algo.h"
#include "stratum/message.h"

typedef enum {
    STRATUM_POOL_LOGIN,
    STRATUM_POOL_GETJOB,
    STRATUM_POOL_SUBMIT,
    STRATUM_POOL_KEEPALIVED,
    STRATUM_POOL_OTHER, /* a method the pool does not serve: "Method not found" */
} stratum_pool_method_t;

/* The longest login, agent, rig id or job id kept; longer ones are cut here. */
#define STRATUM_POOL_MAX_FIELD 256

typedef struct {
    stratum_message_t message; /* owns the strings below */
    stratum_pool_method_t method;
    int64_t id;
    const char *session; /* params.id: the session a getjob, submit or keepalived names */
    /* login */
    const char *login, *agent, *rigid; /* NULL when absent or empty */
    const json_t *algos;               /* params.algo when it is a non-empty array, else NULL */
    /* submit */
    const char *job_id;     /* NULL when absent */
    const char *nonce_text; /* as sent, NULL when absent */
    int nonce_ok;           /* nonce_text is 8 hex digits: nonce holds it */
    uint32_t nonce;
    int result_ok; /* result is 64 hex digits: result holds it */
    uint8_t result[32];
    int has_commitment; /* rx/2: "commitment" is 64 hex digits */
    uint8_t commitment[32];
} stratum_pool_request_t;

/*
 * Parses one line (len bytes, no newline). Returns 0 (free with
 * stratum_pool_request_free), or -1 with one sentence in why when it is
 * not a request with an integer id, a method and object params.
 */
int stratum_pool_request_parse(const char *line, size_t len, stratum_pool_request_t *out, char *why,
                               size_t why_len);

void stratum_pool_request_free(stratum_pool_request_t *request);

/* Whether a login may mine algo: it sent no algorithm list, or listed it (by any alias). */
int stratum_pool_request_offers(const stratum_pool_request_t *request, const pow_algo_t *algo);

#endif
