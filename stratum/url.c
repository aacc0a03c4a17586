#include "config.h"
#include "stratum/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *prefix;
    stratum_url_scheme_t scheme;
    uint16_t default_port;
} schemes[] = {
    {"stratum+tcp://", STRATUM_URL_TCP, 3333},
    {"stratum+ssl://", STRATUM_URL_TLS, 3333},
    {"stratum+tls://", STRATUM_URL_TLS, 3333},
    {"daemon+http://", STRATUM_URL_DAEMON_HTTP, 18081},
    {"daemon+https://", STRATUM_URL_DAEMON_HTTPS, 18081},
};

#define EXAMPLE "(for example stratum+tcp://127.0.0.1:3333)"

const char *stratum_url_scheme_name(stratum_url_scheme_t scheme)
{
    switch (scheme) {
    case STRATUM_URL_TCP:
        return "stratum+tcp";
    case STRATUM_URL_TLS:
        return "stratum+ssl";
    case STRATUM_URL_DAEMON_HTTP:
        return "daemon+http";
    case STRATUM_URL_DAEMON_HTTPS:
        return "daemon+https";
    }
    return "?";
}

static int fail(char *why, size_t why_len, const char *text, const char *what)
{
    snprintf(why, why_len, "\"%s\": %s " EXAMPLE, text, what);
    return -1;
}

static int parse_port(const char *s, uint16_t *port)
{
    if (*s == '\0' || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
        return -1;
    long v = strtol(s, NULL, 10);
    if (v < 1 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int stratum_url_parse(const char *text, stratum_url_t *url, char *why, size_t why_len)
{
    memset(url, 0, sizeof(*url));
    size_t i = 0, n = sizeof(schemes) / sizeof(schemes[0]);
    while (i < n && strncmp(text, schemes[i].prefix, strlen(schemes[i].prefix)) != 0)
        i++;
    const char *rest;
    if (i < n) {
        url->scheme = schemes[i].scheme;
        url->port = schemes[i].default_port;
        rest = text + strlen(schemes[i].prefix);
    } else if (strstr(text, "://") == NULL) {
        /* A bare HOST:PORT, as XMRig takes it: plain Stratum. */
        url->scheme = STRATUM_URL_TCP;
        url->port = schemes[0].default_port;
        rest = text;
    } else {
        return fail(why, why_len, text,
                    "the address must start with stratum+tcp://, stratum+ssl://, daemon+http:// or "
                    "daemon+https:// "
                    "(or be a bare HOST:PORT, which is stratum+tcp)");
    }
    const char *host_end;
    const char *after;
    if (*rest == '[') {
        host_end = strchr(rest, ']');
        if (host_end == NULL)
            return fail(why, why_len, text, "an IPv6 address needs its closing ]");
        rest++;
        after = host_end + 1;
    } else {
        host_end = rest + strcspn(rest, ":/");
        after = host_end;
    }
    size_t host_len = (size_t)(host_end - rest);
    if (host_len == 0)
        return fail(why, why_len, text, "the host is missing");
    if (host_len >= sizeof(url->host))
        return fail(why, why_len, text, "the host name is too long");
    memcpy(url->host, rest, host_len);
    if (strcspn(url->host, " \t@?#") != host_len)
        return fail(why, why_len, text, "the host contains a character hosts cannot have");
    if (*after == ':') {
        char port[8] = {0};
        size_t len = strcspn(after + 1, "/");
        if (len >= sizeof(port) || parse_port(memcpy(port, after + 1, len), &url->port) != 0)
            return fail(why, why_len, text, "the port must be a number from 1 to 65535");
        after += 1 + len;
    }
    if (*after != '\0' && strcmp(after, "/") != 0)
        return fail(why, why_len, text, "nothing may follow the port");
    return 0;
}
