#include "tests/support/test_cert.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/run_command.h"

void test_cert_make(test_cert_t *c)
{
    snprintf(c->dir, sizeof(c->dir), "/tmp/minemeter-cert-XXXXXX");
    cr_assert_not_null(mkdtemp(c->dir));
    snprintf(c->cert_path, sizeof(c->cert_path), "%s/cert.pem", c->dir);
    snprintf(c->key_path, sizeof(c->key_path), "%s/key.pem", c->dir);
    run_result_t *r = run_command(ARGS("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
                                       "-nodes", "-subj", "/CN=localhost", "-addext",
                                       "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1", "-days",
                                       "1", "-keyout", c->key_path, "-out", c->cert_path),
                                  NULL, 60);
    cr_assert(r->exited && r->exit_code == 0, "openssl req failed: %s", r->err);
    run_result_free(r);
    r = run_command(
        ARGS("/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", c->cert_path),
        NULL, 60);
    cr_assert(r->exited && r->exit_code == 0);
    /* "sha256 Fingerprint=AB:CD:..." */
    const char *p = strchr(r->out, '=');
    cr_assert_not_null(p);
    size_t n = 0;
    for (p++; *p != '\0' && *p != '\n' && n < 64; p++) {
        if (*p != ':')
            c->fingerprint[n++] = *p;
    }
    c->fingerprint[n] = '\0';
    cr_assert_eq(n, 64);
    run_result_free(r);
}

void test_cert_remove(test_cert_t *c)
{
    unlink(c->cert_path);
    unlink(c->key_path);
    rmdir(c->dir);
}
