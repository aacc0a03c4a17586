/*
 * libcurl's multi interface driven by libuv: libcurl says which sockets to
 * watch (on_socket) and when to wake it (on_curl_timer); the loop tells it
 * what happened (curl_multi_socket_action), and finished transfers are
 * collected after every action (collect_done).
 */
#include "config.h"
#include "stratum/http.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct request {
    struct request *next;
    stratum_http_t *http;
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    size_t len, cap;
    int too_big;
    stratum_http_done_fn done;
    void *context;
    char error[CURL_ERROR_SIZE];
} request_t;

typedef struct watched {
    struct watched *next;
    stratum_http_t *http;
    uv_poll_t poll;
    curl_socket_t fd;
} watched_t;

struct stratum_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    char *agent;
    request_t *requests;
    watched_t *sockets;
    unsigned handles_open; /* the timer and every poll handle not yet closed */
    int dispatching;       /* inside collect_done: closing must wait */
    int closing;
    int cleaned;
    void (*on_closed)(void *);
    void *on_closed_arg;
    /* https:// trust (stratum_http_set_tls) */
    char *ca_file;
    int insecure, pinned;
    uint8_t fingerprint[32];
    char seen[65]; /* the last certificate the pin refused, in hex */
};

static void finish_close(stratum_http_t *h);

static void maybe_free(stratum_http_t *h)
{
    if (!h->cleaned || h->handles_open > 0)
        return;
    void (*done)(void *) = h->on_closed;
    void *arg = h->on_closed_arg;
    free(h->agent);
    free(h->ca_file);
    free(h);
    if (done != NULL)
        done(arg);
}

/* --- sockets ---------------------------------------------------------------- */

static void on_poll_closed(uv_handle_t *handle)
{
    watched_t *w = handle->data;
    stratum_http_t *h = w->http;
    free(w);
    h->handles_open--;
    maybe_free(h);
}

static void unwatch(stratum_http_t *h, watched_t *w)
{
    for (watched_t **p = &h->sockets; *p != NULL; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, on_poll_closed);
}

static void collect_done(stratum_http_t *h);

static void on_poll(uv_poll_t *poll, int status, int events)
{
    watched_t *w = poll->data;
    stratum_http_t *h = w->http;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    int running;
    curl_multi_socket_action(h->multi, w->fd, flags, &running);
    collect_done(h);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    stratum_http_t *h = userp;
    watched_t *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w != NULL) {
            curl_multi_assign(h->multi, fd, NULL);
            unwatch(h, w);
        }
        return 0;
    }
    if (w == NULL) {
        w = calloc(1, sizeof(*w));
        if (w == NULL)
            return -1;
        if (uv_poll_init_socket(h->loop, &w->poll, fd) != 0) {
            free(w);
            return -1;
        }
        w->http = h;
        w->fd = fd;
        w->poll.data = w;
        w->next = h->sockets;
        h->sockets = w;
        h->handles_open++;
        curl_multi_assign(h->multi, fd, w);
    }
    int events = 0;
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    return uv_poll_start(&w->poll, events, on_poll) == 0 ? 0 : -1;
}

/* --- the timer ---------------------------------------------------------------- */

static void on_timeout(uv_timer_t *timer)
{
    stratum_http_t *h = timer->data;
    int running;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    collect_done(h);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    stratum_http_t *h = userp;
    if (h->cleaned)
        return 0;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else
        uv_timer_start(&h->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

/* --- requests --------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t count, void *userp)
{
    request_t *r = userp;
    size_t n = size * count;
    if (r->len + n + 1 > r->cap) {
        if (r->len + n + 1 > STRATUM_HTTP_MAX_REPLY) {
            r->too_big = 1;
            return 0; /* makes libcurl fail the transfer */
        }
        size_t cap = r->cap != 0 ? r->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *grown = realloc(r->body, cap);
        if (grown == NULL)
            return 0;
        r->body = grown;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static void request_free(request_t *r)
{
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r);
}

static void unlink_request(stratum_http_t *h, request_t *r)
{
    for (request_t **p = &h->requests; *p != NULL; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            return;
        }
    }
}

static void collect_done(stratum_http_t *h)
{
    h->dispatching = 1;
    CURLMsg *msg;
    int left;
    while (!h->closing && (msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode rc = msg->data.result;
        request_t *r = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
        unlink_request(h, r);
        curl_multi_remove_handle(h->multi, easy);
        stratum_http_reply_t reply = {0};
        if (rc == CURLE_OK) {
            reply.ok = 1;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.status);
            reply.body = r->body != NULL ? r->body : "";
            reply.body_len = r->len;
        } else if (r->too_big) {
            reply.error = "the reply is longer than " STRATUM_HTTP_MAX_REPLY_TEXT;
        } else if (h->pinned && h->seen[0] != '\0') {
            snprintf(r->error, sizeof(r->error),
                     "the daemon's certificate does not match --tls-fingerprint (it has %s)",
                     h->seen);
            h->seen[0] = '\0';
            reply.error = r->error;
        } else {
            reply.error = r->error[0] != '\0' ? r->error : curl_easy_strerror(rc);
        }
        r->done(r->context, &reply);
        request_free(r);
    }
    h->dispatching = 0;
    if (h->closing && !h->cleaned)
        finish_close(h);
}

int stratum_http_set_tls(stratum_http_t *h, const stratum_tls_options_t *options, char *why,
                         size_t why_len)
{
    if (options->fingerprint != NULL &&
        stratum_tls_parse_fingerprint(options->fingerprint, h->fingerprint) != 0) {
        snprintf(why, why_len, STRATUM_TLS_FINGERPRINT_FORM);
        return -1;
    }
    h->pinned = options->fingerprint != NULL;
    h->insecure = options->insecure;
    free(h->ca_file);
    h->ca_file = options->ca_file != NULL ? strdup(options->ca_file) : NULL;
    return 0;
}

/* OpenSSL's check of the chain, replaced when pinned: the leaf's SHA-256 or nothing. */
static int verify_pinned(X509_STORE_CTX *store, void *arg)
{
    stratum_http_t *h = arg;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    uint8_t digest[32];
    unsigned len = 0;
    if (leaf != NULL && X509_digest(leaf, EVP_sha256(), digest, &len) == 1 && len == 32) {
        if (memcmp(digest, h->fingerprint, 32) == 0)
            return 1;
        for (unsigned i = 0; i < 32; i++)
            snprintf(h->seen + 2 * i, 3, "%02x", digest[i]);
    }
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
}

static CURLcode pin_on_context(CURL *easy, void *ssl_ctx, void *arg)
{
    (void)easy;
    SSL_CTX_set_cert_verify_callback(ssl_ctx, verify_pinned, arg);
    return CURLE_OK;
}

/* What an https:// request trusts; 0 when every option took. */
static int set_trust(stratum_http_t *h, CURL *e)
{
    int bad = 0;
    if (h->insecure) {
        bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK;
    } else if (h->pinned) {
        /* The pin names the certificate: no CA and no host name to check beside it. */
        bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, pin_on_context) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, h) != CURLE_OK;
    } else if (h->ca_file != NULL) {
        bad |= curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file) != CURLE_OK;
    }
    return bad;
}

stratum_http_t *stratum_http_create(uv_loop_t *loop, const char *agent)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    stratum_http_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->loop = loop;
    h->agent = strdup(agent != NULL ? agent : "minemeter");
    h->multi = curl_multi_init();
    if (h->agent == NULL || h->multi == NULL) {
        if (h->multi != NULL)
            curl_multi_cleanup(h->multi);
        free(h->agent);
        free(h);
        return NULL;
    }
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    h->handles_open = 1;
    return h;
}

int stratum_http_post(stratum_http_t *h, const char *url, const char *body, size_t body_len,
                      unsigned timeout_ms, stratum_http_done_fn done, void *context)
{
    if (h->closing)
        return -1;
    request_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -1;
    r->http = h;
    r->done = done;
    r->context = context;
    r->easy = curl_easy_init();
    r->headers = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *more = r->headers != NULL ? curl_slist_append(r->headers, "Expect:") : NULL;
    if (r->easy == NULL || more == NULL) {
        request_free(r);
        return -1;
    }
    r->headers = more;
    CURL *e = r->easy;
    int bad = 0;
    bad |= curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK;
    int https = strncmp(url, "https://", 8) == 0;
#if LIBCURL_VERSION_NUM >= 0x075500
    bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, https ? "https" : "http") != CURLE_OK;
#else
    bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS,
                            https ? (long)CURLPROTO_HTTPS : (long)CURLPROTO_HTTP) != CURLE_OK;
#endif
    if (https)
        bad |= set_trust(h, e);
    bad |= curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, h->agent) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, r) != CURLE_OK;
    if (bad || curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        request_free(r);
        return -1;
    }
    r->next = h->requests;
    h->requests = r;
    return 0;
}

static void on_timer_closed(uv_handle_t *handle)
{
    stratum_http_t *h = handle->data;
    h->handles_open--;
    maybe_free(h);
}

static void finish_close(stratum_http_t *h)
{
    while (h->requests != NULL) {
        request_t *r = h->requests;
        h->requests = r->next;
        curl_multi_remove_handle(h->multi, r->easy);
        stratum_http_reply_t reply = {.cancelled = 1, .error = "cancelled"};
        r->done(r->context, &reply);
        request_free(r);
    }
    curl_multi_cleanup(h->multi); /* may still report sockets to forget */
    h->multi = NULL;
    h->cleaned = 1;
    while (h->sockets != NULL)
        unwatch(h, h->sockets);
    uv_close((uv_handle_t *)&h->timer, on_timer_closed);
    curl_global_cleanup();
}

void stratum_http_close(stratum_http_t *h, void (*on_closed)(void *arg), void *arg)
{
    if (h->closing)
        return;
    h->closing = 1;
    h->on_closed = on_closed;
    h->on_closed_arg = arg;
    if (!h->dispatching)
        finish_close(h);
}
