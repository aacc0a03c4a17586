/*
 * The latency probe: a small request/response service on loopback, and a
 * client that calls it at a fixed rate and measures how long each answer
 * takes. It stands for the latency-sensitive services (web back ends,
 * caches, databases) that a miner slows down by taking their CPU and
 * evicting their working set.
 *
 * The server is a libuv TCP server on 127.0.0.1 with a loop and a thread of
 * its own, pinned to the probe's PU. Each request costs it a fixed
 * walk of dependent lookups through a 16 KiB table that belongs to the
 * connection, about 9 us on an idle core: enough work to feel a
 * neighbour take the core and its caches, small enough that the rate is
 * held with room to spare.
 *
 * The client is the calling thread, on one blocking socket opened at open()
 * and kept for the probe's life, so every window measures the same warm
 * connection. It is a closed loop with a schedule: request i is due at
 * t0 + i / rate, goes out when due (or at once if the client is behind), and
 * its latency runs from when it was due to when its answer came. A stall
 * therefore counts against every request it delayed, not only the one it
 * held up (no coordinated omission).
 */
#define _GNU_SOURCE /* pthread_attr_setaffinity_np, pthread_setname_np, CPU_SET */
#include "config.h"
#include "impact/probe_latency.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "arch/clock.h"
#include "impact/probe_impl.h"

#define MESSAGE_BYTES  IMPACT_LATENCY_MESSAGE_BYTES
#define TABLE_WORDS    (16 * 1024 / sizeof(uint64_t))
#define WORK_STEPS     2048u /* about 4.4 ns each, measured on an x86-64 VM */
#define READ_BUFFER    (16 * MESSAGE_BYTES)
#define LISTEN_BACKLOG 8

/* Enough to fault in the connection's table and the code on both sides. */
#define WARMUP_REQUESTS 32

/*
 * The server is in this process, so an answer that has not come in this long
 * means something is broken, not slow.
 */
#define RESPONSE_TIMEOUT_S 10

/* How often a long wait for the next request's slot looks at *stop. */
#define SLEEP_SLICE_NS (50u * 1000 * 1000)

/*
 * At most this many latencies are kept (128 MiB): 2.3 hours at the default
 * rate. Past it the array is a uniform reservoir sample of every latency
 * (Vitter's algorithm R), so the percentiles stay unbiased estimates.
 */
#define MAX_RECORDED ((size_t)1 << 24)

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15u

_Static_assert(READ_BUFFER % MESSAGE_BYTES == 0, "the read buffer holds whole messages");
_Static_assert((TABLE_WORDS & (TABLE_WORDS - 1)) == 0, "lookups mask into the table");

typedef struct {
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_async_t stop;
    pthread_t thread;
    clockid_t cpu_clock;
    uint64_t seed;
    int port;
    _Atomic uint64_t answered;
} server_t;

typedef struct {
    uv_tcp_t tcp;
    server_t *server;
    size_t have; /* bytes of a request read so far, at the start of in */
    uint8_t in[READ_BUFFER];
    uint64_t table[TABLE_WORDS];
} connection_t;

typedef struct {
    uv_write_t req;
    uint8_t data[]; /* whole responses */
} reply_t;

typedef struct {
    server_t server;
    int fd; /* the client's socket */
    int broken;
    double rate;
    uint64_t next_seq;
    uint64_t reservoir_state;
} latency_t;

/* --- the service's work --------------------------------------------------- */

/* The splitmix64 finaliser: cheap, and every output bit depends on every input bit. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static void table_fill(uint64_t *table, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < TABLE_WORDS; i++) {
        s += GOLDEN_GAMMA;
        table[i] = mix(s);
    }
}

/*
 * Each lookup's slot depends on the value the last one read, so the walk
 * runs at the speed of the table's cache level and cannot be overlapped:
 * a miner that evicts the table shows up as latency. The final write
 * stands for the state a real service updates per request.
 */
static uint64_t serve(uint64_t *table, uint64_t seq)
{
    uint64_t h = seq + GOLDEN_GAMMA;
    for (unsigned i = 0; i < WORK_STEPS; i++) {
        h ^= table[h & (TABLE_WORDS - 1)];
        h ^= h >> 31;
        h *= 0xbf58476d1ce4e5b9u;
        h ^= h >> 29;
    }
    table[h & (TABLE_WORDS - 1)] ^= h;
    return h;
}

/* --- the server, on its own thread ----------------------------------------- */

static void on_connection_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void connection_close(connection_t *conn)
{
    if (!uv_is_closing((uv_handle_t *)&conn->tcp))
        uv_close((uv_handle_t *)&conn->tcp, on_connection_closed);
}

static void on_reply_written(uv_write_t *req, int status)
{
    reply_t *reply = (reply_t *)req;
    if (status < 0 && status != UV_ECANCELED)
        connection_close(req->handle->data);
    free(reply);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    connection_t *conn = handle->data;
    *buf = uv_buf_init((char *)conn->in + conn->have, (unsigned)(READ_BUFFER - conn->have));
}

/*
 * TCP is a stream: a read may hold part of a request, or several. Whole
 * requests are answered together in one write, and a partial one waits at
 * the start of the buffer for the rest.
 */
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    connection_t *conn = stream->data;
    if (nread < 0) {
        connection_close(conn); /* EOF: the client is done */
        return;
    }
    conn->have += (size_t)nread;
    size_t count = conn->have / MESSAGE_BYTES;
    if (count == 0)
        return;
    reply_t *reply = malloc(sizeof(*reply) + count * MESSAGE_BYTES);
    if (reply == NULL) {
        connection_close(conn);
        return;
    }
    memset(reply->data, 0, count * MESSAGE_BYTES);
    for (size_t i = 0; i < count; i++) {
        uint64_t seq;
        memcpy(&seq, conn->in + i * MESSAGE_BYTES, sizeof(seq));
        uint64_t result = serve(conn->table, seq);
        memcpy(reply->data + i * MESSAGE_BYTES, &seq, sizeof(seq));
        memcpy(reply->data + i * MESSAGE_BYTES + sizeof(seq), &result, sizeof(result));
    }
    size_t used = count * MESSAGE_BYTES;
    conn->have -= used;
    memmove(conn->in, conn->in + used, conn->have);
    atomic_fetch_add_explicit(&conn->server->answered, count, memory_order_release);

    uv_buf_t out = uv_buf_init((char *)reply->data, (unsigned)used);
    if (uv_write(&reply->req, stream, &out, 1, on_reply_written) != 0) {
        free(reply);
        connection_close(conn);
    }
}

static void on_connection(uv_stream_t *listener, int status)
{
    server_t *s = listener->data;
    if (status < 0)
        return; /* nothing to accept; the listener stays up for the next one */
    connection_t *conn = malloc(sizeof(*conn));
    if (conn == NULL)
        return;
    conn->server = s;
    conn->have = 0;
    table_fill(conn->table, s->seed);
    uv_tcp_init(&s->loop, &conn->tcp);
    conn->tcp.data = conn;
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0 || uv_tcp_nodelay(&conn->tcp, 1) != 0 ||
        uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read) != 0)
        connection_close(conn);
}

static void close_handle(uv_handle_t *handle, void *arg)
{
    server_t *s = arg;
    if (uv_is_closing(handle))
        return;
    int is_connection = handle != (uv_handle_t *)&s->listener && handle != (uv_handle_t *)&s->stop;
    uv_close(handle, is_connection ? on_connection_closed : NULL);
}

/* Runs on the server's thread: once every handle is closed, uv_run returns. */
static void on_stop(uv_async_t *async)
{
    server_t *s = async->data;
    uv_walk(&s->loop, close_handle, s);
}

static void *server_main(void *arg)
{
    server_t *s = arg;
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Closes a loop that never got its thread, on the calling thread. */
static void server_discard(server_t *s)
{
    uv_walk(&s->loop, close_handle, s);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uv_loop_close(&s->loop);
}

/* The loop, the listener and the stop handle are set up here, so their errors come back at once. */
static int server_listen(server_t *s)
{
    int rc = uv_async_init(&s->loop, &s->stop, on_stop);
    if (rc != 0)
        return rc;
    s->stop.data = s;
    uv_tcp_init(&s->loop, &s->listener);
    s->listener.data = s;
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener, LISTEN_BACKLOG, on_connection);
    if (rc != 0)
        return rc;
    struct sockaddr_storage bound;
    int len = (int)sizeof(bound);
    rc = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len);
    if (rc != 0)
        return rc;
    s->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

/*
 * The thread is born pinned, so it never runs a request elsewhere, and with
 * every signal blocked: Ctrl-C goes to the caller's threads, and a write to
 * a vanished client fails with EPIPE instead of killing the process.
 * libuv's codes are negative errnos on Unix, so they are returned as they are.
 */
static int server_start(server_t *s, int pu, uint64_t seed)
{
    s->seed = seed;
    atomic_init(&s->answered, 0);
    int rc = uv_loop_init(&s->loop);
    if (rc != 0)
        return rc;
    rc = server_listen(s);
    if (rc != 0) {
        server_discard(s);
        return rc;
    }
    pthread_attr_t attr;
    rc = pthread_attr_init(&attr);
    if (rc != 0) {
        server_discard(s);
        return -rc;
    }
    if (pu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((size_t)pu, &set);
        rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
    }
    if (rc == 0) {
        sigset_t all, previous;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &previous);
        rc = pthread_create(&s->thread, &attr, server_main, s);
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
    }
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        server_discard(s);
        return -rc;
    }
    pthread_setname_np(s->thread, "impact-latency");
    if (pthread_getcpuclockid(s->thread, &s->cpu_clock) != 0)
        s->cpu_clock = (clockid_t)-1;
    return 0;
}

/* uv_async_send is the one libuv call that is safe from another thread. */
static void server_stop(server_t *s)
{
    uv_async_send(&s->stop);
    pthread_join(s->thread, NULL);
    uv_loop_close(&s->loop);
}

static uint64_t server_cpu_ns(const server_t *s)
{
    struct timespec ts;
    if (s->cpu_clock == (clockid_t)-1 || clock_gettime(s->cpu_clock, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- the client, on the calling thread ------------------------------------- */

static int client_connect(latency_t *p)
{
    p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->fd < 0)
        return -errno;
    int one = 1;
    struct timeval timeout = {RESPONSE_TIMEOUT_S, 0};
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)p->server.port);
    if (setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
        setsockopt(p->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0 ||
        setsockopt(p->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) != 0 ||
        connect(p->fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int err = errno;
        close(p->fd);
        p->fd = -1;
        return -err;
    }
    return 0;
}

static int io_error(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -EIO;
}

/*
 * One request and its answer. Any failure leaves the stream out of step
 * (an answer may still be on its way), so the connection is given up.
 */
static int exchange(latency_t *p)
{
    uint8_t msg[MESSAGE_BYTES];
    uint64_t seq = p->next_seq++;
    memset(msg, 0, sizeof(msg));
    memcpy(msg, &seq, sizeof(seq));
    int rc = 0;
    for (size_t sent = 0; sent < sizeof(msg) && rc == 0;) {
        ssize_t n = send(p->fd, msg + sent, sizeof(msg) - sent, MSG_NOSIGNAL);
        if (n >= 0)
            sent += (size_t)n;
        else if (errno != EINTR)
            rc = io_error();
    }
    for (size_t got = 0; got < sizeof(msg) && rc == 0;) {
        ssize_t n = recv(p->fd, msg + got, sizeof(msg) - got, 0);
        if (n > 0)
            got += (size_t)n;
        else if (n == 0)
            rc = -EIO;
        else if (errno != EINTR)
            rc = io_error();
    }
    uint64_t answered;
    memcpy(&answered, msg, sizeof(answered));
    if (rc == 0 && answered != seq)
        rc = -EIO;
    if (rc != 0)
        p->broken = 1;
    return rc;
}

static int stop_requested(volatile sig_atomic_t *stop)
{
    return stop != NULL && *stop != 0;
}

/* Sleeps until the monotonic time `when`; 1 if *stop was set first. */
static int sleep_until(uint64_t when, volatile sig_atomic_t *stop)
{
    for (;;) {
        if (stop_requested(stop))
            return 1;
        uint64_t now = arch_clock_ns();
        if (now >= when)
            return 0;
        uint64_t wake = when - now > SLEEP_SLICE_NS ? now + SLEEP_SLICE_NS : when;
        struct timespec ts = {(time_t)(wake / 1000000000u), (long)(wake % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint64_t impact_probe_latency_percentile(const uint64_t *sorted, size_t n, unsigned permille)
{
    if (n == 0)
        return 0;
    if (permille > 1000)
        permille = 1000;
    uint64_t rank = ((uint64_t)permille * n + 999) / 1000;
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

static void sample_clear(impact_probe_sample_t *out)
{
    memset(out, 0, sizeof(*out));
    out->value = out->p50_us = out->p99_us = out->p999_us = -1;
    out->requests_per_s = -1;
}

/* Percentiles of the kept latencies in microseconds; they stay -1 when none was kept. */
static void sample_latencies(impact_probe_sample_t *out, uint64_t *ns, size_t n)
{
    if (n == 0)
        return;
    qsort(ns, n, sizeof(*ns), compare_u64);
    out->p50_us = (double)impact_probe_latency_percentile(ns, n, 500) / 1e3;
    out->p99_us = (double)impact_probe_latency_percentile(ns, n, 990) / 1e3;
    out->p999_us = (double)impact_probe_latency_percentile(ns, n, 999) / 1e3;
    out->value = out->p99_us;
}

/* --- the ops ---------------------------------------------------------------- */

static void latency_close(void *state)
{
    latency_t *p = state;
    if (p == NULL)
        return;
    /* The client hangs up first, so the server is not left mid-write. */
    if (p->fd >= 0)
        close(p->fd);
    server_stop(&p->server);
    free(p);
}

static int latency_open(const impact_probe_config_t *config, void **state)
{
    *state = NULL;
    double rate = config->rate == 0 ? IMPACT_LATENCY_DEFAULT_RATE : config->rate;
    if (!(rate > 0) || !isfinite(rate) || config->pu < -1 || config->pu >= CPU_SETSIZE)
        return -EINVAL;
    latency_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -ENOMEM;
    p->fd = -1;
    p->rate = rate;
    p->reservoir_state = config->seed;
    int rc = server_start(&p->server, config->pu, config->seed);
    if (rc != 0) {
        free(p);
        return rc;
    }
    rc = client_connect(p);
    /* The first window should not pay for cold tables, code and sockets. */
    for (int i = 0; i < WARMUP_REQUESTS && rc == 0; i++)
        rc = exchange(p);
    if (rc != 0) {
        latency_close(p);
        return rc;
    }
    *state = p;
    return 0;
}

/* Keeps latency number `seen` (counting from 0) in ns[cap], sampling once it is full. */
static void record(latency_t *p, uint64_t *ns, size_t cap, size_t seen, uint64_t latency)
{
    if (seen < cap) {
        ns[seen] = latency;
        return;
    }
    p->reservoir_state += GOLDEN_GAMMA;
    uint64_t slot = mix(p->reservoir_state) % ((uint64_t)seen + 1);
    if (slot < cap)
        ns[slot] = latency;
}

/*
 * The window ends when the next request's slot is past its end, or when
 * the client, running behind, reaches its end with requests still due;
 * those were never sent, are not in the percentiles, and show as a
 * requests_per_s below the rate. A window that ran to its end counts all
 * of it as wall time, even when its last answer came before the end.
 */
static int latency_run(void *state, double seconds, volatile sig_atomic_t *stop,
                       impact_probe_sample_t *out)
{
    latency_t *p = state;
    sample_clear(out);
    if (!(seconds > 0) || !isfinite(seconds))
        return -EINVAL;
    if (p->broken)
        return -EIO;
    /* Slots due inside the window number at most floor(seconds * rate) + 1. */
    double planned = seconds * p->rate + 2;
    size_t cap = planned >= (double)MAX_RECORDED ? MAX_RECORDED : (size_t)planned;
    uint64_t *ns = malloc(cap * sizeof(*ns));
    if (ns == NULL)
        return -ENOMEM;
    /* Touched now so no page fault lands inside the window. */
    memset(ns, 0, cap * sizeof(*ns));

    /*
     * A sleeping thread wakes up to 50 us late by default (its timer
     * slack), which would add to every latency the client's own lateness;
     * 1 ns is the least the kernel accepts.
     */
    int old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    if (old_slack > 0)
        prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    double period_ns = 1e9 / p->rate;
    uint64_t window_ns = (uint64_t)(seconds * 1e9);
    uint64_t completed = 0;
    int rc = 0;
    uint64_t server_cpu0 = server_cpu_ns(&p->server);
    uint64_t client_cpu0 = arch_clock_thread_cpu_ns();
    uint64_t t0 = arch_clock_ns();
    uint64_t end = t0 + window_ns;
    for (uint64_t i = 0;; i++) {
        uint64_t due = t0 + (uint64_t)((double)i * period_ns);
        if (due >= end || arch_clock_ns() >= end || sleep_until(due, stop))
            break;
        rc = exchange(p);
        if (rc != 0)
            break;
        record(p, ns, cap, (size_t)completed, arch_clock_ns() - due);
        completed++;
    }
    if (rc == 0)
        sleep_until(end, stop);
    uint64_t wall_ns = arch_clock_ns() - t0;
    uint64_t client_cpu = arch_clock_thread_cpu_ns() - client_cpu0;
    uint64_t server_cpu = server_cpu_ns(&p->server) - server_cpu0;
    if (old_slack > 0)
        prctl(PR_SET_TIMERSLACK, (unsigned long)old_slack, 0, 0, 0);

    if (rc == 0) {
        sample_latencies(out, ns, completed < cap ? (size_t)completed : cap);
        out->operations = completed;
        out->wall_seconds = (double)wall_ns / 1e9;
        out->requests_per_s = wall_ns > 0 ? (double)completed / out->wall_seconds : 0;
        out->cpu_seconds = (double)(client_cpu + server_cpu) / 1e9;
    }
    free(ns);
    return rc;
}

uint64_t impact_probe_latency_answered(const void *state)
{
    const latency_t *p = state;
    return atomic_load_explicit(&p->server.answered, memory_order_acquire);
}

int impact_probe_latency_port(const void *state)
{
    const latency_t *p = state;
    return p->server.port;
}

const impact_probe_ops_t impact_probe_latency_ops = {
    .open = latency_open,
    .run = latency_run,
    .close = latency_close,
};
