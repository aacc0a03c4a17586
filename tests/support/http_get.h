/*
 * One HTTP request from a test, with libcurl: the status code and the
 * body, so tests of the API read it as a client would.
 */
#ifndef MINEMETER_TESTS_HTTP_GET_H
#define MINEMETER_TESTS_HTTP_GET_H

#include <jansson.h>

typedef struct {
    const char *method; /* NULL: GET */
    const char *header; /* one extra request header line, or NULL */
    const char *body;   /* a request body, or NULL */
} http_request_t;

/*
 * Sends the request to url and waits at most 10 s. Returns the status
 * code (with the body in *body, malloc'ed, when body is not NULL), or -1
 * when no answer came (refused, reset, timed out).
 */
long http_get(const char *url, const http_request_t *request, char **body);

/*
 * http_get, then the body parsed as JSON: the document when the answer is
 * 200 and JSON, else NULL. *code (may be NULL) gets the status as http_get
 * returns it.
 */
json_t *http_get_json(const char *url, const http_request_t *request, long *code);

/* The port in "http://127.0.0.1:PORT" within text (a start line), or 0. */
unsigned http_port_in(const char *text);

#endif
