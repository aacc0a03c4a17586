/*
 * The read-only HTTP API: libmicrohttpd on its own thread, serving the
 * latest published status (http/status.h) as /1/summary, /api/summary and
 * /metrics, the last 15 minutes as /api/history, and the dashboard as /. The command publishes a
 * snapshot about once a second; a request renders a private copy, so a slow client never holds up
 * the command and the workers never wait on the server.
 *
 * Safe by default: GET and HEAD only (405 otherwise), no request body
 * (413), a small memory limit per connection (an oversized request gets a
 * 4xx from libmicrohttpd), a connection limit and timeout, and with a
 * token every request for figures needs "Authorization: Bearer TOKEN"
 * (401 without). The dashboard page itself holds no figures and is served
 * to anyone who can connect. Bound to loopback, it answers only requests
 * whose Host names loopback (403 otherwise), so a web page elsewhere cannot
 * read it through a browser by pointing its own name at 127.0.0.1.
 */
#ifndef MINEMETER_HTTP_SERVER_H
#define MINEMETER_HTTP_SERVER_H

#include <stddef.h>

#include "http/listen_address.h"
#include "http/status.h"

#define HTTP_SERVER_MAX_CONNECTIONS 64
#define HTTP_SERVER_MEMORY_LIMIT    16384 /* bytes per connection, headers included */
#define HTTP_SERVER_TIMEOUT_S       10

typedef struct http_server http_server_t;

typedef struct {
    const http_listen_address_t *address;
    const char *token; /* NULL or "": no token asked */
} http_server_config_t;

/* Binds and starts serving (503 until the first publish). 0, or -1 with one sentence in why. */
int http_server_start(http_server_t **out, const http_server_config_t *config, char *why,
                      size_t why_len);

/* The port bound (the one chosen when the address asked for port 0). */
unsigned http_server_port(const http_server_t *server);

/* Makes status what requests see from now on (copied). */
void http_server_publish(http_server_t *server, const http_status_t *status);

/* Requests answered so far, any status code. */
unsigned long http_server_requests(const http_server_t *server);

/* Stops serving, closes every connection and frees the server. NULL is a no-op. */
void http_server_stop(http_server_t *server);

#endif
