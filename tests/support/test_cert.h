/*
 * A self-signed certificate for localhost (and 127.0.0.1 and ::1), made at test time with the
 * openssl command, and its SHA-256 fingerprint in hex: for TLS tests that
 * must not depend on any certificate authority.
 */
#ifndef MINEMETER_TESTS_TEST_CERT_H
#define MINEMETER_TESTS_TEST_CERT_H

typedef struct {
    char dir[64];
    char cert_path[96], key_path[96];
    char fingerprint[65]; /* upper-case hex, no colons */
} test_cert_t;

/* Makes the certificate in a fresh temporary directory; fails the test if it cannot. */
void test_cert_make(test_cert_t *cert);

/* Removes the files and the directory. */
void test_cert_remove(test_cert_t *cert);

#endif
