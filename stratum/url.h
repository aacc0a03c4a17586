/*
 * Pool and daemon addresses as miners write them:
 *   stratum+tcp://HOST:PORT   plain Stratum
 *   stratum+ssl://HOST:PORT   Stratum over TLS (stratum+tls:// too)
 *   daemon+http://HOST:PORT   monerod's JSON-RPC, for solo mining
 *   daemon+https://HOST:PORT  the same over TLS (monerod --rpc-ssl enabled)
 *   HOST:PORT                 plain Stratum, as XMRig takes a bare address
 * HOST may be a name, an IPv4 address or a bracketed IPv6 address. The
 * port defaults to 3333 for Stratum and 18081 for a daemon.
 */
#ifndef MINEMETER_STRATUM_URL_H
#define MINEMETER_STRATUM_URL_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    STRATUM_URL_TCP,
    STRATUM_URL_TLS,
    STRATUM_URL_DAEMON_HTTP,
    STRATUM_URL_DAEMON_HTTPS,
} stratum_url_scheme_t;

/* monerod over http or https: solo mining. */
static inline int stratum_url_is_daemon(stratum_url_scheme_t scheme)
{
    return scheme == STRATUM_URL_DAEMON_HTTP || scheme == STRATUM_URL_DAEMON_HTTPS;
}

/* A connection with a certificate: stratum+ssl or daemon+https. */
static inline int stratum_url_is_tls(stratum_url_scheme_t scheme)
{
    return scheme == STRATUM_URL_TLS || scheme == STRATUM_URL_DAEMON_HTTPS;
}

typedef struct {
    stratum_url_scheme_t scheme;
    char host[256]; /* without brackets */
    uint16_t port;
} stratum_url_t;

/*
 * Parses text into url. Returns 0, or -1 with a sentence in why saying
 * what is wrong and what a right address looks like.
 */
int stratum_url_parse(const char *text, stratum_url_t *url, char *why, size_t why_len);

/* "stratum+tcp", "stratum+ssl", "daemon+http", "daemon+https". */
const char *stratum_url_scheme_name(stratum_url_scheme_t scheme);

#endif
