/*
 * stratum/tls.c against an in-memory OpenSSL server with a certificate made
 * at test time: pinning accepts the right fingerprint and refuses a wrong
 * one, CA verification accepts a trusted chain and refuses an unknown one
 * with advice, and data crosses both ways once established.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "stratum/tls.h"
#include "tests/support/test_cert.h"

static test_cert_t cert;
static const char *cert_path = cert.cert_path, *key_path = cert.key_path,
                  *fingerprint = cert.fingerprint;

static void make_certificate(void)
{
    test_cert_make(&cert);
}

static void remove_certificate(void)
{
    test_cert_remove(&cert);
}

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in, *out;
} server_t;

static void server_start(server_t *s)
{
    s->ctx = SSL_CTX_new(TLS_server_method());
    cr_assert_not_null(s->ctx);
    cr_assert_eq(SSL_CTX_use_certificate_file(s->ctx, cert_path, SSL_FILETYPE_PEM), 1);
    cr_assert_eq(SSL_CTX_use_PrivateKey_file(s->ctx, key_path, SSL_FILETYPE_PEM), 1);
    s->ssl = SSL_new(s->ctx);
    s->in = BIO_new(BIO_s_mem());
    s->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(s->in, -1);
    SSL_set_bio(s->ssl, s->in, s->out);
    SSL_set_accept_state(s->ssl);
}

static void server_stop(server_t *s)
{
    SSL_free(s->ssl);
    SSL_CTX_free(s->ctx);
}

/* Moves bytes both ways until the client's handshake ends; returns its result. */
static int pump_handshake(stratum_tls_t *client, server_t *s)
{
    uint8_t buf[16384];
    for (int round = 0; round < 50; round++) {
        int rc = stratum_tls_handshake(client);
        size_t n;
        while ((n = stratum_tls_take_output(client, buf, sizeof(buf))) > 0)
            BIO_write(s->in, buf, (int)n);
        if (rc != 0)
            return rc;
        SSL_do_handshake(s->ssl);
        int m;
        while ((m = BIO_read(s->out, buf, sizeof(buf))) > 0)
            cr_assert_eq(stratum_tls_feed(client, buf, (size_t)m), 0);
    }
    return 0;
}

static stratum_tls_context_t *context; /* the trust of the client under test */

static stratum_tls_t *client_create(const stratum_tls_options_t *o, const char *host, char *why,
                                    size_t why_len)
{
    context = stratum_tls_context_create(o, why, why_len);
    return context != NULL ? stratum_tls_create(context, host, why, why_len) : NULL;
}

static void client_free(stratum_tls_t *c)
{
    stratum_tls_free(c);
    stratum_tls_context_free(context);
    context = NULL;
}

TestSuite(stratum_tls, .init = make_certificate, .fini = remove_certificate, .timeout = 60);

Test(stratum_tls, a_pinned_fingerprint_establishes_and_data_crosses_both_ways)
{
    server_t s;
    server_start(&s);
    char why[256];
    stratum_tls_options_t o = {.fingerprint = fingerprint};
    stratum_tls_t *c = client_create(&o, "localhost", why, sizeof(why));
    cr_assert_not_null(c, "%s", why);
    cr_assert_eq(pump_handshake(c, &s), 1, "%s", stratum_tls_error(c));

    const char *line = "{\"id\":1,\"method\":\"login\"}\n";
    cr_assert_eq(stratum_tls_write(c, line, strlen(line)), 0);
    uint8_t buf[16384];
    size_t n = stratum_tls_take_output(c, buf, sizeof(buf));
    cr_assert_gt(n, strlen(line), "the output is ciphertext with its framing");
    cr_expect_null(memmem(buf, n, "login", 5), "nothing crosses in the clear");
    BIO_write(s.in, buf, (int)n);
    char got[128] = {0};
    cr_assert_eq(SSL_read(s.ssl, got, sizeof(got) - 1), (int)strlen(line));
    cr_expect_str_eq(got, line);

    const char *reply = "{\"id\":1,\"result\":{}}\n";
    cr_assert_eq(SSL_write(s.ssl, reply, (int)strlen(reply)), (int)strlen(reply));
    int m = BIO_read(s.out, buf, sizeof(buf));
    cr_assert_gt(m, 0);
    cr_assert_eq(stratum_tls_feed(c, buf, (size_t)m), 0);
    char back[128] = {0};
    cr_assert_eq(stratum_tls_read(c, back, sizeof(back) - 1), (ssize_t)strlen(reply));
    cr_expect_str_eq(back, reply);
    cr_expect_eq(stratum_tls_read(c, back, sizeof(back)), 0, "nothing more yet");

    char seen[65];
    cr_assert_eq(stratum_tls_peer_fingerprint(c, seen), 0);
    cr_expect_eq(strcasecmp(seen, fingerprint), 0);
    client_free(c);
    server_stop(&s);
}

Test(stratum_tls, a_wrong_fingerprint_is_refused_naming_the_real_one)
{
    server_t s;
    server_start(&s);
    char wrong[65];
    memcpy(wrong, fingerprint, sizeof(wrong));
    wrong[10] = wrong[10] == '0' ? '1' : '0';
    char why[256];
    stratum_tls_options_t o = {.fingerprint = wrong};
    stratum_tls_t *c = client_create(&o, "localhost", why, sizeof(why));
    cr_assert_not_null(c, "%s", why);
    cr_expect_eq(pump_handshake(c, &s), -1);
    cr_expect_not_null(strstr(stratum_tls_error(c), "does not match --tls-fingerprint"), "%s",
                       stratum_tls_error(c));
    char lower[65];
    for (int i = 0; i < 65; i++)
        lower[i] = (char)tolower((unsigned char)fingerprint[i]);
    cr_expect_not_null(strstr(stratum_tls_error(c), lower), "the message names the real one");
    client_free(c);
    server_stop(&s);
}

Test(stratum_tls, a_trusted_ca_file_verifies_the_chain_and_the_name)
{
    server_t s;
    server_start(&s);
    char why[256];
    stratum_tls_options_t o = {.ca_file = cert_path};
    stratum_tls_t *c = client_create(&o, "localhost", why, sizeof(why));
    cr_assert_not_null(c, "%s", why);
    cr_expect_eq(pump_handshake(c, &s), 1, "%s", stratum_tls_error(c));
    client_free(c);
    server_stop(&s);

    server_start(&s);
    stratum_tls_options_t other_name = {.ca_file = cert_path};
    c = client_create(&other_name, "pool.example", why, sizeof(why));
    cr_assert_not_null(c, "%s", why);
    cr_expect_eq(pump_handshake(c, &s), -1, "the certificate is for localhost only");
    client_free(c);
    server_stop(&s);
}

Test(stratum_tls, an_unknown_self_signed_certificate_is_refused_with_advice)
{
    server_t s;
    server_start(&s);
    char why[256];
    stratum_tls_options_t o = {}; /* the system CAs */
    stratum_tls_t *c = client_create(&o, "localhost", why, sizeof(why));
    cr_assert_not_null(c, "%s", why);
    cr_expect_eq(pump_handshake(c, &s), -1);
    cr_expect_not_null(strstr(stratum_tls_error(c), "not trusted"), "%s", stratum_tls_error(c));
    cr_expect_not_null(strstr(stratum_tls_error(c), "--tls-fingerprint"));
    client_free(c);
    server_stop(&s);
}

Test(stratum_tls, insecure_accepts_any_certificate_only_when_asked)
{
    server_t s;
    server_start(&s);
    char why[256];
    stratum_tls_options_t o = {.insecure = 1};
    stratum_tls_t *c = client_create(&o, "localhost", why, sizeof(why));
    cr_assert_not_null(c, "%s", why);
    cr_expect_eq(pump_handshake(c, &s), 1, "%s", stratum_tls_error(c));
    client_free(c);
    server_stop(&s);
}

Test(stratum_tls, a_malformed_fingerprint_is_refused_before_connecting)
{
    char why[256] = "";
    stratum_tls_options_t o = {.fingerprint = "abcd"};
    cr_expect_null(stratum_tls_context_create(&o, why, sizeof(why)));
    cr_expect_not_null(strstr(why, "64 hex digits"), "%s", why);
}

/*
 * A pool named by its IP address is verified against the certificate's IP
 * names (SSL_set1_host matched DNS names only), and no SNI is sent for it
 * (RFC 6066 allows host names only); a name is sent as SNI (#23, item 13).
 */
Test(stratum_tls, an_ip_address_is_checked_against_ip_names_and_never_sent_as_sni)
{
    const char *hosts[] = {"127.0.0.1", "::1", "localhost", "127.0.0.2"};
    const int trusted[] = {1, 1, 1, -1};
    for (size_t i = 0; i < 4; i++) {
        server_t s;
        server_start(&s);
        char why[256];
        stratum_tls_options_t o = {.ca_file = cert_path};
        stratum_tls_t *c = client_create(&o, hosts[i], why, sizeof(why));
        cr_assert_not_null(c, "%s", why);
        cr_expect_eq(pump_handshake(c, &s), trusted[i], "%s: %s", hosts[i], stratum_tls_error(c));
        const char *sni = SSL_get_servername(s.ssl, TLSEXT_NAMETYPE_host_name);
        if (i == 2)
            cr_expect(sni != NULL && strcmp(sni, "localhost") == 0, "SNI %s", sni ? sni : "none");
        else
            cr_expect_null(sni, "%s was sent as SNI", hosts[i]);
        client_free(c);
        server_stop(&s);
    }
}

/* One context, built once per pool, serves every connection's session. */
Test(stratum_tls, one_context_serves_many_sessions)
{
    char why[256];
    stratum_tls_options_t o = {.fingerprint = fingerprint};
    stratum_tls_context_t *shared = stratum_tls_context_create(&o, why, sizeof(why));
    cr_assert_not_null(shared, "%s", why);
    for (int i = 0; i < 3; i++) {
        server_t s;
        server_start(&s);
        stratum_tls_t *c = stratum_tls_create(shared, "localhost", why, sizeof(why));
        cr_assert_not_null(c, "%s", why);
        cr_expect_eq(pump_handshake(c, &s), 1, "session %d: %s", i, stratum_tls_error(c));
        stratum_tls_free(c);
        server_stop(&s);
    }
    stratum_tls_context_free(shared);
}

/* --- the server side (minemeter pool) ----------------------------------------- */

/* Moves what each side has to send to the other, until neither has any. */
static void shuttle(stratum_tls_t *a, stratum_tls_t *b)
{
    uint8_t buf[16384];
    for (int moved = 1; moved;) {
        moved = 0;
        size_t n;
        while ((n = stratum_tls_take_output(a, buf, sizeof(buf))) > 0) {
            cr_assert_eq(stratum_tls_feed(b, buf, n), 0);
            moved = 1;
        }
        while ((n = stratum_tls_take_output(b, buf, sizeof(buf))) > 0) {
            cr_assert_eq(stratum_tls_feed(a, buf, n), 0);
            moved = 1;
        }
    }
}

/* Handshakes a client pinned to pin with a server session of server; returns the client's rc. */
static int handshake_pair(const stratum_tls_context_t *server, const char *pin,
                          stratum_tls_context_t **context_out, stratum_tls_t **client_out,
                          stratum_tls_t **server_out)
{
    char why[256];
    stratum_tls_options_t options = {.fingerprint = pin};
    stratum_tls_context_t *client_context = stratum_tls_context_create(&options, why, sizeof(why));
    *context_out = client_context;
    cr_assert_not_null(client_context, "%s", why);
    stratum_tls_t *c = stratum_tls_create(client_context, "127.0.0.1", why, sizeof(why));
    stratum_tls_t *s = stratum_tls_accept(server, why, sizeof(why));
    cr_assert(c != NULL && s != NULL, "%s", why);
    int rc_c = 0, rc_s = 0;
    for (int round = 0; round < 10 && (rc_c == 0 || rc_s == 0); round++) {
        if (rc_c == 0)
            rc_c = stratum_tls_handshake(c);
        if (rc_s == 0)
            rc_s = stratum_tls_handshake(s);
        shuttle(c, s);
        if (rc_c < 0)
            break;
    }
    *client_out = c;
    *server_out = s;
    return rc_c;
}

Test(stratum_tls, a_self_signed_server_is_trusted_by_its_printed_fingerprint_only)
{
    char printed[65], why[256];
    stratum_tls_context_t *server =
        stratum_tls_server_context_create(NULL, NULL, printed, why, sizeof(why));
    cr_assert_not_null(server, "%s", why);
    cr_assert_eq(strspn(printed, "0123456789abcdef"), 64, "%s", printed);

    stratum_tls_t *c, *s;
    stratum_tls_context_t *client;
    cr_assert_eq(handshake_pair(server, printed, &client, &c, &s), 1, "%s", stratum_tls_error(c));
    cr_assert_eq(stratum_tls_handshake(s), 1, "%s", stratum_tls_error(s));
    cr_assert_eq(stratum_tls_write(c, "login\n", 6), 0);
    shuttle(c, s);
    char got[16] = "";
    cr_assert_eq(stratum_tls_read(s, got, sizeof(got) - 1), 6);
    cr_assert_str_eq(got, "login\n");
    stratum_tls_free(c);
    stratum_tls_free(s);
    stratum_tls_context_free(client);

    char wrong[65];
    memcpy(wrong, printed, sizeof(wrong));
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    cr_assert_eq(handshake_pair(server, wrong, &client, &c, &s), -1);
    cr_assert(strstr(stratum_tls_error(c), "does not match --tls-fingerprint") != NULL, "%s",
              stratum_tls_error(c));
    stratum_tls_free(c);
    stratum_tls_free(s);
    stratum_tls_context_free(client);
    stratum_tls_context_free(server);
}

Test(stratum_tls, a_server_certificate_file_that_does_not_load_is_refused_with_its_name)
{
    char printed[65], why[256];
    cr_assert_null(stratum_tls_server_context_create("/no/such/cert.pem", "/no/such/key.pem",
                                                     printed, why, sizeof(why)));
    cr_assert(strstr(why, "/no/such/cert.pem") != NULL, "%s", why);
    cr_assert_null(
        stratum_tls_server_context_create("/no/such/cert.pem", NULL, printed, why, sizeof(why)));
    cr_assert(strstr(why, "go together") != NULL, "%s", why);
}
