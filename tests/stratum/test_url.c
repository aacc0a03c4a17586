/*
 * stratum/url.c: the address forms miners accept, default ports, and one
 * clear sentence for each malformed address.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "stratum/url.h"

Test(stratum_url, parses_tcp_tls_and_daemon_addresses)
{
    stratum_url_t u;
    char why[256];
    cr_assert_eq(stratum_url_parse("stratum+tcp://pool.example:3333", &u, why, sizeof(why)), 0);
    cr_expect_eq(u.scheme, STRATUM_URL_TCP);
    cr_expect_str_eq(u.host, "pool.example");
    cr_expect_eq(u.port, 3333);
    cr_assert_eq(stratum_url_parse("stratum+ssl://127.0.0.1:443", &u, why, sizeof(why)), 0);
    cr_expect_eq(u.scheme, STRATUM_URL_TLS);
    cr_expect_str_eq(u.host, "127.0.0.1");
    cr_expect_eq(u.port, 443);
    cr_assert_eq(stratum_url_parse("daemon+http://[::1]:28081/", &u, why, sizeof(why)), 0);
    cr_expect_eq(u.scheme, STRATUM_URL_DAEMON_HTTP);
    cr_expect_str_eq(u.host, "::1");
    cr_expect_eq(u.port, 28081);
}

Test(stratum_url, fills_in_default_ports)
{
    stratum_url_t u;
    char why[256];
    cr_assert_eq(stratum_url_parse("stratum+tls://localhost", &u, why, sizeof(why)), 0);
    cr_expect_eq(u.scheme, STRATUM_URL_TLS);
    cr_expect_eq(u.port, 3333);
    cr_assert_eq(stratum_url_parse("daemon+http://localhost", &u, why, sizeof(why)), 0);
    cr_expect_eq(u.port, 18081);
}

Test(stratum_url, a_bare_host_and_port_is_plain_stratum_as_in_xmrig)
{
    stratum_url_t u;
    char why[256];
    cr_assert_eq(stratum_url_parse("127.0.0.1:5555", &u, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(u.scheme, STRATUM_URL_TCP);
    cr_expect_str_eq(u.host, "127.0.0.1");
    cr_expect_eq(u.port, 5555);
    cr_assert_eq(stratum_url_parse("pool.example", &u, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(u.port, 3333, "the default port");
}

Test(stratum_url, refuses_malformed_addresses_with_a_reason)
{
    static const struct {
        const char *text, *reason;
    } bad[] = {
        {"http://pool:3333", "must start with"},
        {"ftp://pool:3333", "must start with"},
        {"stratum+tcp://", "host is missing"},
        {"stratum+tcp://:3333", "host is missing"},
        {"stratum+tcp://pool:0", "port must be"},
        {"stratum+tcp://pool:65536", "port must be"},
        {"stratum+tcp://pool:33a", "port must be"},
        {"stratum+tcp://pool:", "port must be"},
        {"stratum+tcp://[::1:3333", "closing ]"},
        {"stratum+tcp://pool:3333/path", "nothing may follow"},
        {"stratum+tcp://user@pool:3333", "character"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        stratum_url_t u;
        char why[256] = "";
        cr_expect_eq(stratum_url_parse(bad[i].text, &u, why, sizeof(why)), -1, "%s", bad[i].text);
        cr_expect_not_null(strstr(why, bad[i].reason), "%s: \"%s\"", bad[i].text, why);
        cr_expect_not_null(strstr(why, bad[i].text), "the message quotes the address");
    }
}
