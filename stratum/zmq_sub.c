#include "config.h"
#include "stratum/zmq_sub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBZMQ
#include <jansson.h>
#include <zmq.h>

#define TOPIC "json-minimal-chain_main"

struct stratum_zmq {
    void *context, *socket;
    uv_poll_t poll;
    stratum_zmq_block_fn on_block;
    void *user;
    uint64_t messages;
    void (*on_closed)(void *);
    void *on_closed_arg;
};

int stratum_zmq_available(void)
{
    return 1;
}

/* "json-minimal-chain_main:{"first_height":N,...,"ids":[...]}": the last block's height. */
static uint64_t tip_height(const char *data, size_t len)
{
    size_t topic = strlen(TOPIC);
    if (len <= topic + 1 || memcmp(data, TOPIC ":", topic + 1) != 0)
        return 0;
    json_t *o = json_loadb(data + topic + 1, len - topic - 1, 0, NULL);
    json_t *first = json_object_get(o, "first_height");
    size_t ids = json_array_size(json_object_get(o, "ids"));
    uint64_t height =
        json_is_integer(first) && ids > 0 ? (uint64_t)json_integer_value(first) + ids - 1 : 0;
    json_decref(o);
    return height;
}

/* The descriptor is edge-triggered: read until libzmq has nothing more. */
static void drain(stratum_zmq_t *z)
{
    for (;;) {
        int events = 0;
        size_t size = sizeof(events);
        if (zmq_getsockopt(z->socket, ZMQ_EVENTS, &events, &size) != 0 || !(events & ZMQ_POLLIN))
            return;
        zmq_msg_t message;
        zmq_msg_init(&message);
        int n = zmq_msg_recv(&message, z->socket, ZMQ_DONTWAIT);
        if (n >= 0) {
            z->messages++;
            uint64_t height = tip_height(zmq_msg_data(&message), zmq_msg_size(&message));
            z->on_block(z->user, height);
        }
        zmq_msg_close(&message);
        if (n < 0)
            return;
    }
}

static void on_readable(uv_poll_t *poll, int status, int events)
{
    (void)status;
    (void)events;
    drain(poll->data);
}

stratum_zmq_t *stratum_zmq_open(uv_loop_t *loop, const char *endpoint,
                                stratum_zmq_block_fn on_block, void *context, char *why,
                                size_t why_len)
{
    stratum_zmq_t *z = calloc(1, sizeof(*z));
    if (z == NULL) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    z->on_block = on_block;
    z->user = context;
    z->context = zmq_ctx_new();
    z->socket = z->context != NULL ? zmq_socket(z->context, ZMQ_SUB) : NULL;
    int linger = 0, fd = -1;
    size_t fd_size = sizeof(fd);
    if (z->socket == NULL || zmq_setsockopt(z->socket, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
        zmq_setsockopt(z->socket, ZMQ_SUBSCRIBE, TOPIC, strlen(TOPIC)) != 0 ||
        zmq_connect(z->socket, endpoint) != 0 ||
        zmq_getsockopt(z->socket, ZMQ_FD, &fd, &fd_size) != 0) {
        snprintf(why, why_len, "--zmq %s: %s", endpoint, zmq_strerror(zmq_errno()));
        if (z->socket != NULL)
            zmq_close(z->socket);
        if (z->context != NULL)
            zmq_ctx_term(z->context);
        free(z);
        return NULL;
    }
    uv_poll_init(loop, &z->poll, fd);
    z->poll.data = z;
    uv_poll_start(&z->poll, UV_READABLE, on_readable);
    drain(z);
    return z;
}

uint64_t stratum_zmq_messages(const stratum_zmq_t *z)
{
    return z != NULL ? z->messages : 0;
}

static void on_poll_closed(uv_handle_t *handle)
{
    stratum_zmq_t *z = handle->data;
    void (*done)(void *) = z->on_closed;
    void *arg = z->on_closed_arg;
    zmq_close(z->socket);
    zmq_ctx_term(z->context);
    free(z);
    if (done != NULL)
        done(arg);
}

void stratum_zmq_close(stratum_zmq_t *z, void (*on_closed)(void *arg), void *arg)
{
    if (z == NULL)
        return;
    z->on_closed = on_closed;
    z->on_closed_arg = arg;
    uv_poll_stop(&z->poll);
    uv_close((uv_handle_t *)&z->poll, on_poll_closed);
}

#else /* built without libzmq */

int stratum_zmq_available(void)
{
    return 0;
}

stratum_zmq_t *stratum_zmq_open(uv_loop_t *loop, const char *endpoint,
                                stratum_zmq_block_fn on_block, void *context, char *why,
                                size_t why_len)
{
    (void)loop;
    (void)on_block;
    (void)context;
    snprintf(why, why_len,
             "--zmq %s: this minemeter was built without libzmq (apt-get install libzmq3-dev, "
             "then ./configure and make again)",
             endpoint);
    return NULL;
}

uint64_t stratum_zmq_messages(const stratum_zmq_t *z)
{
    (void)z;
    return 0;
}

void stratum_zmq_close(stratum_zmq_t *z, void (*on_closed)(void *arg), void *arg)
{
    (void)z;
    (void)on_closed;
    (void)arg;
}

#endif
