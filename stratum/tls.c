#include "config.h"
#include "stratum/tls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stratum_tls_context {
    SSL_CTX *ctx;
    int server; /* minemeter pool's side: the peer is a miner */
    int pinned;
    uint8_t fingerprint[32];
    int verify_chain;
};

struct stratum_tls {
    const stratum_tls_context_t *context;
    SSL *ssl;
    BIO *in;  /* network -> OpenSSL */
    BIO *out; /* OpenSSL -> network */
    int established;
    char error[256];
};

static void set_error(stratum_tls_t *tls, const char *what)
{
    unsigned long code = ERR_get_error();
    if (code != 0) {
        char detail[160];
        ERR_error_string_n(code, detail, sizeof(detail));
        snprintf(tls->error, sizeof(tls->error), "%s (%s)", what, detail);
    } else {
        snprintf(tls->error, sizeof(tls->error), "%s", what);
    }
    ERR_clear_error();
}

int stratum_tls_parse_fingerprint(const char *text, uint8_t out[32])
{
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == ':')
            continue;
        if (!isxdigit((unsigned char)*p) || n == 64)
            return -1;
        unsigned v = isdigit((unsigned char)*p) ? (unsigned)(*p - '0')
                                                : (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
        out[n / 2] = (uint8_t)(n % 2 == 0 ? v << 4 : out[n / 2] | v);
        n++;
    }
    return n == 64 ? 0 : -1;
}

stratum_tls_context_t *stratum_tls_context_create(const stratum_tls_options_t *options, char *why,
                                                  size_t why_len)
{
    stratum_tls_context_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    if (options->fingerprint != NULL) {
        if (stratum_tls_parse_fingerprint(options->fingerprint, t->fingerprint) != 0) {
            snprintf(why, why_len, STRATUM_TLS_FINGERPRINT_FORM);
            free(t);
            return NULL;
        }
        t->pinned = 1;
    }
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (t->ctx == NULL) {
        snprintf(why, why_len, "cannot create a TLS context");
        free(t);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    t->verify_chain = !t->pinned && !options->insecure;
    if (t->verify_chain) {
        int loaded = options->ca_file != NULL
                         ? SSL_CTX_load_verify_locations(t->ctx, options->ca_file, NULL)
                         : SSL_CTX_set_default_verify_paths(t->ctx);
        if (loaded != 1) {
            snprintf(why, why_len, "cannot load the CA certificates%s%s",
                     options->ca_file ? " from " : "", options->ca_file ? options->ca_file : "");
            stratum_tls_context_free(t);
            return NULL;
        }
    }
    SSL_CTX_set_verify(t->ctx, t->verify_chain ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    return t;
}

/* A self-signed certificate for the lab pool, and its key, into ctx. */
static int make_self_signed(SSL_CTX *ctx, char *why, size_t why_len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = key != NULL && cert != NULL && name != NULL;
    uint8_t serial[8];
    if (ok)
        ok = RAND_bytes(serial, sizeof(serial)) == 1;
    if (ok) {
        serial[0] &= 0x7f; /* positive */
        BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
        ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
        BN_free(bn);
    }
    ok = ok && X509_set_version(cert, 2) == 1 &&
         X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != NULL &&
         X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600) != NULL &&
         X509_set_pubkey(cert, key) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"minemeter lab pool", -1, -1, 0) == 1 &&
         X509_set_subject_name(cert, name) == 1 && X509_set_issuer_name(cert, name) == 1;
    if (ok) {
        X509V3_CTX v3;
        X509V3_set_ctx_nodb(&v3);
        X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
        X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
                                                  "DNS:localhost,IP:127.0.0.1,IP:::1");
        ok = san != NULL && X509_add_ext(cert, san, -1) == 1;
        X509_EXTENSION_free(san);
    }
    ok = ok && X509_sign(cert, key, EVP_sha256()) > 0 && SSL_CTX_use_certificate(ctx, cert) == 1 &&
         SSL_CTX_use_PrivateKey(ctx, key) == 1;
    if (!ok)
        snprintf(why, why_len, "cannot make a self-signed certificate");
    X509_NAME_free(name);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

stratum_tls_context_t *stratum_tls_server_context_create(const char *cert_file,
                                                         const char *key_file, char fingerprint[65],
                                                         char *why, size_t why_len)
{
    if ((cert_file == NULL) != (key_file == NULL)) {
        snprintf(why, why_len, "--tls-cert and --tls-key go together");
        return NULL;
    }
    stratum_tls_context_t *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
        free(t);
        snprintf(why, why_len, "cannot create a TLS context");
        return NULL;
    }
    t->server = 1;
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
    if (cert_file != NULL) {
        if (SSL_CTX_use_certificate_chain_file(t->ctx, cert_file) != 1) {
            snprintf(why, why_len, "--tls-cert %s: not a PEM certificate that can be read",
                     cert_file);
            stratum_tls_context_free(t);
            return NULL;
        }
        if (SSL_CTX_use_PrivateKey_file(t->ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(t->ctx) != 1) {
            snprintf(why, why_len, "--tls-key %s: not a PEM key that matches --tls-cert", key_file);
            stratum_tls_context_free(t);
            return NULL;
        }
    } else if (make_self_signed(t->ctx, why, why_len) != 0) {
        stratum_tls_context_free(t);
        return NULL;
    }
    ERR_clear_error();
    uint8_t digest[32];
    unsigned len = 0;
    X509 *cert = SSL_CTX_get0_certificate(t->ctx);
    if (cert == NULL || X509_digest(cert, EVP_sha256(), digest, &len) != 1 || len != 32) {
        snprintf(why, why_len, "cannot take the certificate's fingerprint");
        stratum_tls_context_free(t);
        return NULL;
    }
    for (int i = 0; i < 32; i++)
        snprintf(fingerprint + 2 * i, 3, "%02x", digest[i]);
    return t;
}

void stratum_tls_context_free(stratum_tls_context_t *context)
{
    if (context == NULL)
        return;
    SSL_CTX_free(context->ctx);
    free(context);
}

static int is_ip_literal(const char *host)
{
    struct in6_addr a;
    return inet_pton(AF_INET, host, &a) == 1 || inet_pton(AF_INET6, host, &a) == 1;
}

static stratum_tls_t *session_new(const stratum_tls_context_t *context, char *why, size_t why_len)
{
    stratum_tls_t *tls = calloc(1, sizeof(*tls));
    if (tls == NULL) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    tls->context = context;
    tls->ssl = SSL_new(context->ctx);
    tls->in = BIO_new(BIO_s_mem());
    tls->out = BIO_new(BIO_s_mem());
    if (tls->ssl == NULL || tls->in == NULL || tls->out == NULL) {
        BIO_free(tls->in);
        BIO_free(tls->out);
        tls->in = tls->out = NULL;
        snprintf(why, why_len, "out of memory for a TLS session");
        stratum_tls_free(tls);
        return NULL;
    }
    BIO_set_mem_eof_return(tls->in, -1); /* an empty input means "wait", not end of stream */
    SSL_set_bio(tls->ssl, tls->in, tls->out);
    return tls;
}

stratum_tls_t *stratum_tls_accept(const stratum_tls_context_t *context, char *why, size_t why_len)
{
    stratum_tls_t *tls = session_new(context, why, why_len);
    if (tls != NULL)
        SSL_set_accept_state(tls->ssl);
    return tls;
}

stratum_tls_t *stratum_tls_create(const stratum_tls_context_t *context, const char *host, char *why,
                                  size_t why_len)
{
    stratum_tls_t *tls = session_new(context, why, why_len);
    if (tls == NULL)
        return NULL;
    SSL_set_connect_state(tls->ssl);
    if (host != NULL) {
        /* An address is checked against the certificate's IP names, and never sent as SNI. */
        int ip = is_ip_literal(host);
        if (!ip)
            SSL_set_tlsext_host_name(tls->ssl, host);
        if (context->verify_chain &&
            (ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls->ssl), host)
                : SSL_set1_host(tls->ssl, host)) != 1) {
            snprintf(why, why_len, "cannot set the name to verify (%s)", host);
            stratum_tls_free(tls);
            return NULL;
        }
    }
    return tls;
}

void stratum_tls_free(stratum_tls_t *tls)
{
    if (tls == NULL)
        return;
    SSL_free(tls->ssl); /* frees the BIOs it owns */
    free(tls);
}

static int peer_digest(const stratum_tls_t *tls, uint8_t out[32])
{
    X509 *cert = SSL_get1_peer_certificate(tls->ssl);
    if (cert == NULL)
        return -1;
    unsigned len = 0;
    int ok = X509_digest(cert, EVP_sha256(), out, &len) == 1 && len == 32;
    X509_free(cert);
    return ok ? 0 : -1;
}

int stratum_tls_peer_fingerprint(const stratum_tls_t *tls, char out[65])
{
    uint8_t digest[32];
    if (peer_digest(tls, digest) != 0)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

int stratum_tls_handshake(stratum_tls_t *tls)
{
    if (tls->established)
        return 1;
    int rc = SSL_do_handshake(tls->ssl);
    if (rc != 1) {
        int err = SSL_get_error(tls->ssl, rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
            return 0;
        long verify = SSL_get_verify_result(tls->ssl);
        if (verify != X509_V_OK) {
            char what[200];
            snprintf(what, sizeof(what),
                     "the pool's certificate is not trusted: %s (for a self-signed lab pool, pin "
                     "it with --tls-fingerprint)",
                     X509_verify_cert_error_string(verify));
            set_error(tls, what);
        } else {
            set_error(tls, "TLS handshake failed");
        }
        return -1;
    }
    if (tls->context->pinned) {
        uint8_t digest[32];
        if (peer_digest(tls, digest) != 0 || memcmp(digest, tls->context->fingerprint, 32) != 0) {
            char seen[65] = "none";
            stratum_tls_peer_fingerprint(tls, seen);
            snprintf(tls->error, sizeof(tls->error),
                     "the pool's certificate does not match --tls-fingerprint (it has %s)", seen);
            return -1;
        }
    }
    tls->established = 1;
    return 1;
}

int stratum_tls_feed(stratum_tls_t *tls, const void *data, size_t len)
{
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
        int n = BIO_write(tls->in, data, chunk);
        if (n <= 0) {
            set_error(tls, "cannot buffer TLS input");
            return -1;
        }
        data = (const uint8_t *)data + n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t stratum_tls_read(stratum_tls_t *tls, void *buf, size_t cap)
{
    int want = cap > (1u << 30) ? 1 << 30 : (int)cap;
    int n = SSL_read(tls->ssl, buf, want);
    if (n > 0)
        return n;
    int err = SSL_get_error(tls->ssl, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return 0;
    set_error(tls, err != SSL_ERROR_ZERO_RETURN ? "TLS read failed"
                   : tls->context->server       ? "the miner closed the TLS session"
                                                : "the pool closed the TLS session");
    return -1;
}

int stratum_tls_write(stratum_tls_t *tls, const void *data, size_t len)
{
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
        int n = SSL_write(tls->ssl, data, chunk);
        if (n <= 0) {
            set_error(tls, "TLS write failed");
            return -1;
        }
        data = (const uint8_t *)data + n;
        len -= (size_t)n;
    }
    return 0;
}

size_t stratum_tls_take_output(stratum_tls_t *tls, void *buf, size_t cap)
{
    int want = cap > (1u << 30) ? 1 << 30 : (int)cap;
    int n = BIO_read(tls->out, buf, want);
    return n > 0 ? (size_t)n : 0;
}

const char *stratum_tls_error(const stratum_tls_t *tls)
{
    return tls->error[0] != '\0' ? tls->error : "no error";
}
