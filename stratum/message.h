/*
 * Stratum messages: one line of JSON classified as a response to one of
 * our requests, a notification from the pool ("job"), or a request (what a
 * pool receives; the test pool uses it), and the lines the client sends:
 * login, submit and keepalived.
 */
#ifndef MINEMETER_STRATUM_MESSAGE_H
#define MINEMETER_STRATUM_MESSAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    STRATUM_MESSAGE_RESPONSE,     /* integer "id", no "method": result or error */
    STRATUM_MESSAGE_NOTIFICATION, /* "method", no integer "id" ("job" from a pool) */
    STRATUM_MESSAGE_REQUEST,      /* integer "id" and "method" (what a pool receives) */
} stratum_message_kind_t;

typedef struct {
    stratum_message_kind_t kind;
    json_t *root; /* the parsed line, owning everything below */
    int64_t id;   /* responses and requests */
    /* Responses: exactly one of result and error_message is non-NULL. */
    const json_t *result;
    int64_t error_code;        /* -1 when the pool gave none */
    const char *error_message; /* never empty for an error */
    /* Notifications and requests. */
    const char *method;
    const json_t *params; /* NULL when absent */
} stratum_message_t;

/*
 * Parses and classifies one line (len bytes, no newline). Returns 0, or -1
 * with one sentence in why (may be NULL): not JSON, not an object, a
 * response with neither result nor error, a "job" without params ...
 * On success free the message with stratum_message_free.
 */
int stratum_message_parse(const char *line, size_t len, stratum_message_t *out, char *why,
                          size_t why_len);

void stratum_message_free(stratum_message_t *message);

/*
 * Whether a pool error closes the connection: it says the session, the job
 * or the address is no longer accepted ("Unauthenticated", "Invalid job id",
 * "your IP is banned", "IP Address currently banned", ...). Case-insensitive
 * prefixes; NULL is not critical.
 */
int stratum_error_is_critical(const char *message);

typedef struct {
    const char *login; /* wallet or user name */
    const char *pass;  /* NULL: "x" */
    const char *agent;
    const char *rigid;        /* NULL: omitted */
    const char *const *algos; /* every algorithm we mine, preferred first */
    size_t algo_count;        /* 0: no "algo" list */
} stratum_login_t;

typedef struct {
    const char *session_id; /* result.id of the login */
    const char *job_id;
    uint32_t nonce;        /* sent as the 8 hex digits of its 4 little-endian bytes */
    const uint8_t *result; /* 32 bytes: the hash the target is tested on (rx/2: the commitment) */
    const char *algo;      /* NULL: omitted (send it when the pool announced "algo") */
    const uint8_t *commitment; /* rx/2 only: the raw RandomX hash, 32 bytes; NULL: omitted */
} stratum_submit_t;

/* The request lines, "\n"-terminated and malloc'ed; NULL when out of memory. */
char *stratum_request_login(int64_t id, const stratum_login_t *login);
char *stratum_request_submit(int64_t id, const stratum_submit_t *submit);
char *stratum_request_keepalived(int64_t id, const char *session_id);

/* The nonce as a submit carries it: "04030201" for 0x01020304. */
void stratum_nonce_to_hex(uint32_t nonce, char out[9]);

/* The inverse for exactly 8 hex digits; returns 0 or -1. */
int stratum_nonce_from_hex(const char *hex, uint32_t *nonce);

/* Serialises a JSON value as one compact "\n"-terminated line, malloc'ed; NULL on failure. */
char *stratum_json_line(const json_t *value);

#endif
