/* --http's address: what is bound is what was typed, and loopback is told apart. */
#include <criterion/criterion.h>
#include <netinet/in.h>

#include "http/listen_address.h"

static http_listen_address_t parsed(const char *text)
{
    http_listen_address_t a;
    char why[256] = "";
    cr_assert_eq(http_listen_address_parse(text, &a, why, sizeof(why)), 0, "%s: %s", text, why);
    return a;
}

static void refused(const char *text, const char *said)
{
    http_listen_address_t a;
    char why[256] = "";
    cr_assert_eq(http_listen_address_parse(text, &a, why, sizeof(why)), -1, "%s was taken", text);
    cr_assert(strstr(why, said) != NULL, "%s: \"%s\" does not say \"%s\"", text, why, said);
}

Test(http_listen_address, a_bare_port_means_loopback_ipv4)
{
    http_listen_address_t a = parsed("18080");
    cr_assert_eq(a.port, 18080);
    cr_assert_eq(a.addr.ss_family, AF_INET);
    cr_assert(a.loopback);
    cr_assert_str_eq(a.host, "127.0.0.1");
}

Test(http_listen_address, every_loopback_form_counts_as_loopback)
{
    cr_assert(parsed("127.0.0.1:0").loopback);
    cr_assert(parsed("127.3.2.1:80").loopback);
    cr_assert(parsed("localhost:80").loopback);
    http_listen_address_t v6 = parsed("[::1]:9000");
    cr_assert(v6.loopback);
    cr_assert_eq(v6.addr.ss_family, AF_INET6);
    cr_assert_eq(v6.port, 9000);
}

Test(http_listen_address, other_addresses_are_not_loopback)
{
    cr_assert_not(parsed("0.0.0.0:8080").loopback);
    cr_assert_not(parsed("192.168.1.10:8080").loopback);
    cr_assert_not(parsed("[::]:8080").loopback);
}

Test(http_listen_address, bad_addresses_get_a_sentence)
{
    refused("example.com:80", "names are not looked up");
    refused("::1:80", "in brackets");
    refused("127.0.0.1:70000", "0 to 65535");
    refused("127.0.0.1:", "0 to 65535");
    refused("127.0.0.1:8o", "0 to 65535");
    refused(":80", "HOST:PORT");
    refused("[::1]80", "[IPV6]:PORT");
}

Test(http_listen_address, the_url_brackets_ipv6)
{
    char url[128];
    http_listen_address_t v6 = parsed("[::1]:0");
    http_listen_address_url(&v6, 4242, url, sizeof(url));
    cr_assert_str_eq(url, "http://[::1]:4242");
    http_listen_address_t v4 = parsed("0");
    http_listen_address_url(&v4, 4242, url, sizeof(url));
    cr_assert_str_eq(url, "http://127.0.0.1:4242");
}
