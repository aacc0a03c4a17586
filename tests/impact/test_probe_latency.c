/*
 * impact/probe_latency.c, through its ops: the client counts exactly the
 * answers its server gave, holds the asked rate, reports ordered
 * percentiles computed by nearest rank, stops when told, and leaves no
 * thread or descriptor behind; the server answers requests however TCP
 * splits or joins them, on the PU it was pinned to.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"
#include "impact/probe_impl.h"
#include "impact/probe_latency.h"

#define MAX_TASKS 256

static impact_probe_config_t config_at(double rate)
{
    impact_probe_config_t config = {.pu = -1, .l3_bytes = 0, .seed = 42, .rate = rate};
    return config;
}

static void *open_probe(double rate)
{
    impact_probe_config_t config = config_at(rate);
    void *state = NULL;
    int rc = impact_probe_latency_ops.open(&config, &state);
    cr_assert_eq(rc, 0, "open: %s", strerror(-rc));
    cr_assert_not_null(state);
    return state;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Entries of a /proc directory that name something (tasks, descriptors). */
static size_t list_dir(const char *path, long *ids, size_t max)
{
    DIR *dir = opendir(path);
    cr_assert_not_null(dir, "cannot read %s", path);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (ids != NULL && n < max)
            ids[n] = strtol(e->d_name, NULL, 10);
        n++;
    }
    closedir(dir);
    return n;
}

static size_t thread_count(void)
{
    return list_dir("/proc/self/task", NULL, 0);
}

static size_t fd_count(void)
{
    return list_dir("/proc/self/fd", NULL, 0);
}

/*
 * A joined thread can stay listed in /proc for a moment while the kernel
 * finishes its exit; a thread still running stays there for good.
 */
static size_t thread_count_settled(size_t expected)
{
    size_t n = thread_count();
    for (int i = 0; i < 100 && n != expected; i++) {
        sleep_ms(10);
        n = thread_count();
    }
    return n;
}

Test(impact_probe_latency, client_counts_every_response_the_server_answered)
{
    void *state = open_probe(1000);
    uint64_t answered0 = impact_probe_latency_answered(state);
    impact_probe_sample_t s;
    int rc = impact_probe_latency_ops.run(state, 0.3, NULL, &s);
    cr_assert_eq(rc, 0, "run: %s", strerror(-rc));
    uint64_t answered = impact_probe_latency_answered(state) - answered0;
    cr_expect_eq(s.operations, answered, "client counted %llu, server answered %llu",
                 (unsigned long long)s.operations, (unsigned long long)answered);
    /* Due at 0, 1, ... 299 ms: 300, a few fewer if a busy CI machine lags at the end. */
    cr_expect(s.operations >= 285 && s.operations <= 300, "%llu requests in 0.3 s at 1000/s",
              (unsigned long long)s.operations);
    impact_probe_latency_ops.close(state);
}

Test(impact_probe_latency, percentiles_are_positive_and_ordered)
{
    void *state = open_probe(0);
    impact_probe_sample_t s;
    int rc = impact_probe_latency_ops.run(state, 0.3, NULL, &s);
    cr_assert_eq(rc, 0, "run: %s", strerror(-rc));
    cr_expect_gt(s.p50_us, 0);
    cr_expect_leq(s.p50_us, s.p99_us);
    cr_expect_leq(s.p99_us, s.p999_us);
    cr_expect_eq(s.value, s.p99_us, "the headline figure is p99");
    cr_expect_gt(s.cpu_seconds, 0);
    cr_expect_leq(s.cpu_seconds, 2 * s.wall_seconds + 0.05, "two threads' CPU over the window");
    impact_probe_latency_ops.close(state);
}

Test(impact_probe_latency, default_rate_is_held)
{
    void *state = open_probe(0);
    impact_probe_sample_t s;
    int rc = impact_probe_latency_ops.run(state, 0.5, NULL, &s);
    cr_assert_eq(rc, 0, "run: %s", strerror(-rc));
    /* 5% on a quiet machine; 15% because CI runs other suites beside this one. */
    double asked = IMPACT_LATENCY_DEFAULT_RATE;
    cr_expect(s.requests_per_s > asked * 0.85 && s.requests_per_s < asked * 1.15,
              "%.0f requests/s, asked %.0f", s.requests_per_s, asked);
    cr_expect(s.wall_seconds >= 0.5 && s.wall_seconds < 0.6, "window of %.3f s", s.wall_seconds);
    impact_probe_latency_ops.close(state);
}

static volatile sig_atomic_t stop_flag;

static void *set_stop_later(void *arg)
{
    (void)arg;
    sleep_ms(100);
    stop_flag = 1;
    return NULL;
}

Test(impact_probe_latency, set_stop_flag_ends_run_early)
{
    void *state = open_probe(1000);
    impact_probe_sample_t s;
    stop_flag = 1;
    int rc = impact_probe_latency_ops.run(state, 10, &stop_flag, &s);
    cr_assert_eq(rc, 0);
    cr_expect_eq(s.operations, 0, "a flag set before the run sends nothing");

    stop_flag = 0;
    pthread_t setter;
    cr_assert_eq(pthread_create(&setter, NULL, set_stop_later, NULL), 0);
    uint64_t t0 = arch_clock_ns();
    rc = impact_probe_latency_ops.run(state, 10, &stop_flag, &s);
    double elapsed = (double)(arch_clock_ns() - t0) / 1e9;
    pthread_join(setter, NULL);
    cr_assert_eq(rc, 0, "run: %s", strerror(-rc));
    cr_expect_lt(elapsed, 2.0, "a 10 s run stopped after 0.1 s took %.3f s", elapsed);
    cr_expect_lt(s.wall_seconds, 2.0);
    cr_expect_gt(s.operations, 0, "what was measured before the stop is reported");
    cr_expect_gt(s.p50_us, 0);
    impact_probe_latency_ops.close(state);
}

Test(impact_probe_latency, percentile_is_nearest_rank)
{
    uint64_t v[1000];
    for (size_t i = 0; i < 1000; i++)
        v[i] = i + 1;
    cr_expect_eq(impact_probe_latency_percentile(v, 1000, 500), 500);
    cr_expect_eq(impact_probe_latency_percentile(v, 1000, 990), 990);
    cr_expect_eq(impact_probe_latency_percentile(v, 1000, 999), 999);
    cr_expect_eq(impact_probe_latency_percentile(v, 1000, 1000), 1000);
    cr_expect_eq(impact_probe_latency_percentile(v, 1000, 0), 1, "rank 0 is the smallest");
    /* Ranks that are not whole round up: ceil(0.5 * 3) = 2, ceil(0.99 * 10) = 10. */
    uint64_t three[] = {10, 20, 30};
    cr_expect_eq(impact_probe_latency_percentile(three, 3, 500), 20);
    cr_expect_eq(impact_probe_latency_percentile(v, 10, 990), 10);
    cr_expect_eq(impact_probe_latency_percentile(v, 10, 500), 5);
    cr_expect_eq(impact_probe_latency_percentile(v, 1, 999), 1);
    cr_expect_eq(impact_probe_latency_percentile(v, 0, 500), 0);
}

Test(impact_probe_latency, close_leaves_no_thread_and_no_descriptor)
{
    /* libuv opens a process-wide pipe with its first loop and keeps it; not ours to count. */
    impact_probe_latency_ops.close(open_probe(0));
    size_t threads0 = thread_count_settled(thread_count());
    size_t fds0 = fd_count();

    void *state = open_probe(0);
    cr_expect_eq(thread_count(), threads0 + 1, "the server runs on a thread of its own");
    cr_expect_gt(fd_count(), fds0, "the probe holds sockets while open");
    impact_probe_sample_t s;
    cr_assert_eq(impact_probe_latency_ops.run(state, 0.05, NULL, &s), 0);
    impact_probe_latency_ops.close(state);

    cr_expect_eq(thread_count_settled(threads0), threads0);
    cr_expect_eq(fd_count(), fds0);
}

Test(impact_probe_latency, server_thread_runs_on_the_pu_it_was_given)
{
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    int pu = -1;
    for (size_t i = 0; i < CPU_SETSIZE; i++) {
        if (CPU_ISSET(i, &allowed))
            pu = (int)i; /* the last one, so a thread left unpinned would not match */
    }
    long before[MAX_TASKS], after[MAX_TASKS];
    size_t n_before = list_dir("/proc/self/task", before, MAX_TASKS);
    impact_probe_config_t config = config_at(0);
    config.pu = pu;
    void *state = NULL;
    cr_assert_eq(impact_probe_latency_ops.open(&config, &state), 0);
    size_t n_after = list_dir("/proc/self/task", after, MAX_TASKS);
    cr_assert_eq(n_after, n_before + 1);
    long server = -1;
    for (size_t i = 0; i < n_after; i++) {
        int known = 0;
        for (size_t j = 0; j < n_before; j++)
            known |= after[i] == before[j];
        if (!known)
            server = after[i];
    }
    cr_assert_neq(server, -1);
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity((pid_t)server, sizeof(set), &set), 0);
    cr_expect_eq(CPU_COUNT(&set), 1);
    cr_expect(CPU_ISSET((size_t)pu, &set), "server pinned elsewhere than PU %d", pu);
    impact_probe_latency_ops.close(state);
}

Test(impact_probe_latency, open_refuses_bad_configs_and_leaves_nothing)
{
    impact_probe_latency_ops.close(open_probe(0));
    size_t threads0 = thread_count_settled(thread_count());
    size_t fds0 = fd_count();
    void *state = (void *)1;

    /* In the CPU set's range, but no machine here has it: pthread_create refuses. */
    impact_probe_config_t config = config_at(0);
    config.pu = 1000;
    int rc = impact_probe_latency_ops.open(&config, &state);
    cr_expect_lt(rc, 0, "PU 1000 accepted");
    cr_expect_null(state);
    config.pu = -2;
    cr_expect_eq(impact_probe_latency_ops.open(&config, &state), -EINVAL);
    config = config_at(-5);
    cr_expect_eq(impact_probe_latency_ops.open(&config, &state), -EINVAL);

    cr_expect_eq(thread_count_settled(threads0), threads0);
    cr_expect_eq(fd_count(), fds0);
}

Test(impact_probe_latency, run_refuses_a_window_that_is_not_positive)
{
    void *state = open_probe(0);
    impact_probe_sample_t s;
    cr_expect_eq(impact_probe_latency_ops.run(state, 0, NULL, &s), -EINVAL);
    cr_expect_eq(impact_probe_latency_ops.run(state, -1, NULL, &s), -EINVAL);
    impact_probe_latency_ops.close(state);
}

/* --- the wire, from a client written here ------------------------------------ */

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    int one = 1;
    struct timeval timeout = {5, 0};
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "%s", strerror(errno));
    return fd;
}

static void put_request(uint8_t *msg, uint64_t seq)
{
    memset(msg, 0, IMPACT_LATENCY_MESSAGE_BYTES);
    memcpy(msg, &seq, sizeof(seq));
}

static void send_bytes(int fd, const uint8_t *data, size_t len)
{
    cr_assert_eq(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

static uint64_t read_response(int fd)
{
    uint8_t msg[IMPACT_LATENCY_MESSAGE_BYTES];
    size_t got = 0;
    while (got < sizeof(msg)) {
        ssize_t n = recv(fd, msg + got, sizeof(msg) - got, 0);
        cr_assert_gt(n, 0, "no response: %s", n == 0 ? "closed" : strerror(errno));
        got += (size_t)n;
    }
    uint64_t seq;
    memcpy(&seq, msg, sizeof(seq));
    return seq;
}

Test(impact_probe_latency, server_answers_requests_split_and_joined)
{
    void *state = open_probe(0);
    int fd = connect_to(impact_probe_latency_port(state));
    uint64_t answered0 = impact_probe_latency_answered(state);

    /* One request in three segments, paused so each arrives on its own. */
    uint8_t one[IMPACT_LATENCY_MESSAGE_BYTES];
    put_request(one, 7);
    send_bytes(fd, one, 1);
    sleep_ms(5);
    send_bytes(fd, one + 1, 30);
    sleep_ms(5);
    send_bytes(fd, one + 31, sizeof(one) - 31);
    cr_expect_eq(read_response(fd), 7);

    /* Two and a half requests in one segment, then the rest of the third. */
    uint8_t three[3 * IMPACT_LATENCY_MESSAGE_BYTES];
    put_request(three, 8);
    put_request(three + IMPACT_LATENCY_MESSAGE_BYTES, 9);
    put_request(three + 2 * IMPACT_LATENCY_MESSAGE_BYTES, 10);
    size_t half = 2 * IMPACT_LATENCY_MESSAGE_BYTES + IMPACT_LATENCY_MESSAGE_BYTES / 2;
    send_bytes(fd, three, half);
    cr_expect_eq(read_response(fd), 8);
    cr_expect_eq(read_response(fd), 9);
    send_bytes(fd, three + half, sizeof(three) - half);
    cr_expect_eq(read_response(fd), 10);

    cr_expect_eq(impact_probe_latency_answered(state) - answered0, 4);
    close(fd);
    impact_probe_latency_ops.close(state);
}
