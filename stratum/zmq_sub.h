/*
 * monerod's ZMQ publisher (--zmq-pub tcp://IP:PORT) on the caller's libuv
 * loop: a SUB socket (libzmq) subscribed to "json-minimal-chain_main",
 * which monerod sends for every block added to the main chain. The loop
 * watches the socket's file descriptor; each message gives the new tip's
 * height. libzmq connects and reconnects by itself, so a daemon that starts
 * later, or restarts, is picked up.
 *
 * Built without libzmq (configure found no libzmq3-dev), stratum_zmq_open
 * says so and returns NULL.
 */
#ifndef MINEMETER_STRATUM_ZMQ_SUB_H
#define MINEMETER_STRATUM_ZMQ_SUB_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct stratum_zmq stratum_zmq_t;

/* A new main-chain tip at height (0 when the message did not say). */
typedef void (*stratum_zmq_block_fn)(void *context, uint64_t height);

/*
 * Subscribes at endpoint ("tcp://HOST:PORT"). NULL with one sentence in why
 * (libzmq missing, an endpoint libzmq refuses).
 */
stratum_zmq_t *stratum_zmq_open(uv_loop_t *loop, const char *endpoint,
                                stratum_zmq_block_fn on_block, void *context, char *why,
                                size_t why_len);

/* Whether this build has libzmq. */
int stratum_zmq_available(void);

/* Messages received so far (for the summary). */
uint64_t stratum_zmq_messages(const stratum_zmq_t *z);

/*
 * Stops watching; frees it, then calls on_closed(arg) (may be NULL), once
 * the loop has closed its handle. NULL is a no-op.
 */
void stratum_zmq_close(stratum_zmq_t *z, void (*on_closed)(void *arg), void *arg);

#endif
