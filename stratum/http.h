/*
 * HTTP POST requests on the caller's libuv loop, through libcurl's multi
 * interface: libcurl does the protocol, and this glue gives it the loop's
 * poll handles and one timer (curl_multi_socket_action). The daemon client
 * uses it to talk JSON-RPC to monerod.
 *
 * Proxies from the environment are ignored: a daemon is addressed
 * directly, never through whatever http_proxy says. https:// URLs are
 * verified as stratum/tls.h verifies pools: against the system CAs (or
 * ca_file) and the host's name, or by a pinned SHA-256 fingerprint of the
 * certificate instead; insecure accepts any certificate.
 */
#ifndef MINEMETER_STRATUM_HTTP_H
#define MINEMETER_STRATUM_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "stratum/tls.h"

/*
 * Replies longer than this are refused before they are parsed on the loop
 * thread (#23, item 15). A block template lists its transactions by hash
 * (32 bytes, 64 hex digits): 2 MiB holds over 30,000 of them, many times
 * any Monero block, and jansson parses it in about 23 ms on a Zen 4 vCPU
 * (the 16 MiB cap before allowed eight times that on the loop thread).
 */
#define STRATUM_HTTP_MAX_REPLY      (2u * 1024u * 1024u)
#define STRATUM_HTTP_MAX_REPLY_TEXT "2 MiB"

typedef struct {
    int cancelled;     /* the client was closed first: nothing else is set */
    int ok;            /* a complete reply arrived (any HTTP status) */
    long status;       /* the HTTP status, when ok */
    const char *error; /* why not ok: one phrase from libcurl */
    const char *body;  /* the reply (NUL-terminated), when ok; valid during the callback */
    size_t body_len;
} stratum_http_reply_t;

typedef void (*stratum_http_done_fn)(void *context, const stratum_http_reply_t *reply);

typedef struct stratum_http stratum_http_t;

/* A client on loop; agent is the User-Agent (copied). NULL on failure. */
stratum_http_t *stratum_http_create(uv_loop_t *loop, const char *agent);

/*
 * The trust for https:// requests (the options as for a stratum+ssl pool;
 * strings copied). Returns 0, or -1 with a sentence in why (a malformed
 * fingerprint).
 */
int stratum_http_set_tls(stratum_http_t *http, const stratum_tls_options_t *options, char *why,
                         size_t why_len);

/*
 * POSTs body (copied) as application/json to url, giving up after
 * timeout_ms. done runs exactly once, from the loop (or from
 * stratum_http_close, cancelled). Returns 0, or -1 when the request
 * could not be started (done is then never called).
 */
int stratum_http_post(stratum_http_t *http, const char *url, const char *body, size_t body_len,
                      unsigned timeout_ms, stratum_http_done_fn done, void *context);

/*
 * Cancels every request (their callbacks run with cancelled set) and frees
 * the client; on_closed (may be NULL) runs from the loop once every handle
 * is closed. Safe to call from a done callback.
 */
void stratum_http_close(stratum_http_t *http, void (*on_closed)(void *arg), void *arg);

#endif
