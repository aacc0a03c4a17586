/*
 * Where the HTTP API listens: --http's "PORT", "HOST:PORT" or
 * "[IPV6]:PORT". HOST is a numeric address or "localhost"; names are not
 * looked up, so what is bound is exactly what was typed. Whether the
 * address is loopback decides whether a token is required (cli/).
 */
#ifndef MINEMETER_HTTP_LISTEN_ADDRESS_H
#define MINEMETER_HTTP_LISTEN_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int loopback;  /* 127.0.0.0/8 or ::1 */
    char host[64]; /* numeric, without brackets */
    unsigned port; /* 0: any free port (the server says which it got) */
} http_listen_address_t;

/* Parses text (a bare PORT means 127.0.0.1). 0, or -1 with one sentence in why. */
int http_listen_address_parse(const char *text, http_listen_address_t *out, char *why,
                              size_t why_len);

/* "http://HOST:PORT" with IPv6 hosts in brackets, for the start line. */
void http_listen_address_url(const http_listen_address_t *a, unsigned port, char *out, size_t len);

#endif
