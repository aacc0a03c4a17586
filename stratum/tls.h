/*
 * A TLS client session that owns no socket: ciphertext from the network is
 * fed in, plaintext comes out, plaintext to send goes in and ciphertext
 * waits to be written. The event loop (libuv) does all the I/O, so TLS and
 * plain TCP connections share one code path. OpenSSL, with memory BIOs.
 *
 * Trust, in order: a pinned SHA-256 fingerprint of the server's
 * certificate (for self-signed lab pools) replaces CA verification; else
 * the chain is verified against the system CAs (or ca_file) and the name
 * against host (an IP address against the certificate's IP names, and
 * then no SNI is sent); insecure skips both and is only for when the user
 * asks. The trust is a context, built once per pool (loading the system
 * CAs takes milliseconds) and shared by each connection's session.
 */
#ifndef MINEMETER_STRATUM_TLS_H
#define MINEMETER_STRATUM_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    const char *fingerprint; /* 64 hex digits (colons allowed), or NULL */
    const char *ca_file;     /* PEM bundle instead of the system CAs, or NULL */
    int insecure;            /* accept any certificate */
} stratum_tls_options_t;

typedef struct stratum_tls_context stratum_tls_context_t;
typedef struct stratum_tls stratum_tls_t;

/* A fingerprint as --tls-fingerprint takes it (64 hex digits, colons allowed): 0, or -1. */
int stratum_tls_parse_fingerprint(const char *text, uint8_t out[32]);

/* The sentence for a fingerprint that stratum_tls_parse_fingerprint refused. */
#define STRATUM_TLS_FINGERPRINT_FORM                                                               \
    "--tls-fingerprint wants the certificate's SHA-256 as 64 hex digits (openssl x509 -noout "     \
    "-fingerprint -sha256 prints it)"

/* NULL with a reason in why (a malformed fingerprint, CAs that do not load). */
stratum_tls_context_t *stratum_tls_context_create(const stratum_tls_options_t *options, char *why,
                                                  size_t why_len);

/*
 * The server side (minemeter pool): a context holding the pool's
 * certificate and key, from PEM files, or, with both NULL, a self-signed
 * certificate made now (an EC P-256 key, CN "minemeter lab pool", names
 * localhost, 127.0.0.1 and ::1, valid a year). fingerprint gets the
 * certificate's SHA-256 in lower-case hex, what mine --tls-fingerprint
 * pins. NULL with a reason in why.
 */
stratum_tls_context_t *stratum_tls_server_context_create(const char *cert_file,
                                                         const char *key_file, char fingerprint[65],
                                                         char *why, size_t why_len);

/* A server session on context for one accepted connection. NULL with a reason. */
stratum_tls_t *stratum_tls_accept(const stratum_tls_context_t *context, char *why, size_t why_len);

/* After the last session made from it is freed. NULL is a no-op. */
void stratum_tls_context_free(stratum_tls_context_t *context);

/*
 * A session with context's trust for a server named host (a DNS name or
 * an IP address; NULL: no name is checked or sent). NULL with a reason.
 */
stratum_tls_t *stratum_tls_create(const stratum_tls_context_t *context, const char *host, char *why,
                                  size_t why_len);

void stratum_tls_free(stratum_tls_t *tls);

/*
 * Advances the handshake with what has been fed. Returns 1 when the
 * session is established and trusted, 0 while it needs more from the
 * peer, -1 on failure (reason from stratum_tls_error).
 */
int stratum_tls_handshake(stratum_tls_t *tls);

/* Ciphertext received from the peer. Returns 0 or -1. */
int stratum_tls_feed(stratum_tls_t *tls, const void *data, size_t len);

/* Decrypted bytes into buf: how many (0: none yet), or -1 on failure or close. */
ssize_t stratum_tls_read(stratum_tls_t *tls, void *buf, size_t cap);

/* Encrypts len bytes (after the handshake). Returns 0 or -1. */
int stratum_tls_write(stratum_tls_t *tls, const void *data, size_t len);

/* Takes up to cap bytes of ciphertext waiting to be sent; returns how many. */
size_t stratum_tls_take_output(stratum_tls_t *tls, void *buf, size_t cap);

/* The last failure, as one sentence. */
const char *stratum_tls_error(const stratum_tls_t *tls);

/* The peer certificate's SHA-256 in hex (65 bytes with NUL), after the handshake. */
int stratum_tls_peer_fingerprint(const stratum_tls_t *tls, char out[65]);

#endif
