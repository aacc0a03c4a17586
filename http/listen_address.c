/*
 * --http's address: split HOST from PORT (IPv6 in brackets), resolve HOST
 * numerically only, and say whether it is loopback.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/listen_address.h"

static int parse_port(const char *text, unsigned *port)
{
    if (*text == '\0' || strlen(text) > 5)
        return -1;
    unsigned v = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > 65535)
        return -1;
    *port = v;
    return 0;
}

static int is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

int http_listen_address_parse(const char *text, http_listen_address_t *out, char *why,
                              size_t why_len)
{
    memset(out, 0, sizeof(*out));
    char host[sizeof(out->host)] = "127.0.0.1";
    const char *port_text = text;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host)) {
            snprintf(why, why_len, "\"%s\" is not [IPV6]:PORT", text);
            return -1;
        }
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port_text = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon != NULL) {
            if (strchr(text, ':') != colon) {
                snprintf(why, why_len, "\"%s\": write an IPv6 address in brackets, as [::1]:PORT",
                         text);
                return -1;
            }
            if ((size_t)(colon - text) >= sizeof(host) || colon == text) {
                snprintf(why, why_len, "\"%s\" is not HOST:PORT", text);
                return -1;
            }
            memcpy(host, text, (size_t)(colon - text));
            host[colon - text] = '\0';
            port_text = colon + 1;
        }
    }
    if (parse_port(port_text, &out->port) != 0) {
        snprintf(why, why_len,
                 "\"%s\": the port must be a number from 0 to 65535 (0: any free one)", text);
        return -1;
    }
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    char port_buf[8];
    snprintf(port_buf, sizeof(port_buf), "%u", out->port);
    if (getaddrinfo(host, port_buf, &hints, &res) != 0 || res == NULL) {
        snprintf(why, why_len,
                 "\"%s\": the host must be a numeric IPv4 or IPv6 address or localhost (names "
                 "are not looked up)",
                 text);
        return -1;
    }
    memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
    out->addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    out->loopback = is_loopback(&out->addr);
    snprintf(out->host, sizeof(out->host), "%s", host);
    return 0;
}

void http_listen_address_url(const http_listen_address_t *a, unsigned port, char *out, size_t len)
{
    if (a->addr.ss_family == AF_INET6)
        snprintf(out, len, "http://[%s]:%u", a->host, port);
    else
        snprintf(out, len, "http://%s:%u", a->host, port);
}
