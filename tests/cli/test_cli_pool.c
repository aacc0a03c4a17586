/*
 * minemeter pool, end to end: the real binary serving on loopback, real
 * miners (minemeter mine, and a Python client that shares no code with
 * minemeter) and hand-written bad clients against it; the pool's --log is
 * the ground truth each test reads back.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/log_doc.h"
#include "tests/support/run_command.h"
#include "tests/support/spawn.h"
#include "tests/support/test_cert.h"

#define WAIT_S 60

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

/*
 * Starts the pool on 127.0.0.1 (listen_option: --listen or --listen-tls) with
 * args after its own (NULL-ended), and returns its port.
 */
static int start_pool_on(spawned_t *pool, const char *listen_option, const char *log_path,
                         const char *const *extra)
{
    const char *args[40] = {"pool", listen_option, "127.0.0.1:0", "--log", log_path};
    size_t n = 5;
    for (size_t i = 0; extra[i] != NULL && n < 38; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    spawn_minemeter(pool, args);
    const char *needle = strcmp(listen_option, "--listen-tls") == 0
                             ? "listening on stratum+ssl://127.0.0.1:"
                             : "listening on stratum+tcp://127.0.0.1:";
    cr_assert_eq(spawn_wait_output(pool, needle, WAIT_S), 0, "the pool did not start: %s",
                 spawn_output(pool));
    char *out = spawn_output(pool);
    int port = atoi(strstr(out, needle) + strlen(needle));
    free(out);
    cr_assert(port > 0);
    return port;
}

static int start_pool(spawned_t *pool, const char *log_path, const char *const *extra)
{
    return start_pool_on(pool, "--listen", log_path, extra);
}

/* The certificate fingerprint the pool printed, lower-case hex. */
static void printed_fingerprint(spawned_t *pool, char out[65])
{
    cr_assert_eq(spawn_wait_output(pool, "TLS certificate SHA-256 ", WAIT_S), 0);
    char *text = spawn_output(pool);
    const char *at = strstr(text, "TLS certificate SHA-256 ") + strlen("TLS certificate SHA-256 ");
    snprintf(out, 65, "%.64s", at);
    free(text);
    cr_assert_eq(strspn(out, "0123456789abcdef"), 64, "fingerprint %s", out);
}

static void temp_log(char *path, size_t len, const char *name)
{
    snprintf(path, len, "/tmp/minemeter-pool-%s-%ld.jsonl", name, (long)getpid());
}

/* Every event of the log, in order, as a JSON array. */
static json_t *read_log(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    json_t *events = json_array();
    char line[8192];
    while (fgets(line, sizeof(line), f) != NULL) {
        json_error_t error;
        json_t *e = json_loads(line, 0, &error);
        cr_assert_not_null(e, "a log line is not JSON: %s", line);
        json_array_append_new(events, e);
    }
    fclose(f);
    return events;
}

static const char *text_of(const json_t *e, const char *key)
{
    const char *t = json_string_value(json_object_get(e, key));
    return t != NULL ? t : "";
}

static int is_event(const json_t *e, const char *name)
{
    return strcmp(text_of(e, "event"), name) == 0;
}

/* Accepted shares in the log from connections that logged in as login. */
static unsigned accepted_for(const char *log_path, const char *login)
{
    json_t *events = read_log(log_path);
    unsigned n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        if (is_event(e, "share") && json_is_true(json_object_get(e, "accepted")) &&
            strcmp(text_of(e, "login"), login) == 0)
            n++;
    }
    json_decref(events);
    return n;
}

/* Holds every line of a pool's log to docs/pool.md; returns how many lines of each event. */
static void check_against_doc(const char *log_path, unsigned seen[LOG_DOC_MAX_EVENTS],
                              log_doc_t *doc)
{
    log_doc_read(MINEMETER_SRCDIR "/docs/pool.md", doc);
    memset(seen, 0, LOG_DOC_MAX_EVENTS * sizeof(unsigned));
    json_t *events = read_log(log_path);
    cr_assert(is_event(json_array_get(events, 0), "start"), "the first line is not start");
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        seen[log_doc_check(doc, e)]++;
    }
    json_decref(events);
}

static unsigned seen_of(const log_doc_t *doc, const unsigned *seen, const char *event)
{
    for (size_t i = 0; i < doc->count; i++)
        if (strcmp(doc->events[i].event, event) == 0)
            return seen[i];
    cr_assert(0, "%s is not in docs/pool.md", event);
    return 0;
}

static void wait_accepted(const char *log_path, const char *login, unsigned at_least)
{
    for (int i = 0; i < WAIT_S * 10; i++) {
        if (accepted_for(log_path, login) >= at_least)
            return;
        nap_ms(100);
    }
    cr_assert(0, "%s: fewer than %u accepted shares in %d s", login, at_least, WAIT_S);
}

/* --- a hand-written client ------------------------------------------------------- */

/* A blocking TCP connection from source (a loopback address of its own) to the pool. */
static int connect_from(const char *source, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
    inet_pton(AF_INET, source, &from.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons((uint16_t)port);
    cr_assert_eq(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0, "bind %s: %s", source,
                 strerror(errno));
    cr_assert_eq(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0, "%s", strerror(errno));
    struct timeval tv = {WAIT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_text(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the pool closed it: the reads tell */
        text += n;
        len -= (size_t)n;
    }
}

/* The next line from the pool into line, or "" when it closed the connection. */
static void read_line(int fd, char *line, size_t cap)
{
    size_t len = 0;
    while (len + 1 < cap) {
        char ch;
        ssize_t n = recv(fd, &ch, 1, 0);
        cr_assert(n >= 0, "no reply from the pool in %d s", WAIT_S);
        if (n == 0 || ch == '\n')
            break;
        line[len++] = ch;
    }
    line[len] = '\0';
}

/* Whether the pool closed the connection: every byte up to the end is read. */
static int closed_by_pool(int fd)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0)
            return 1;
        /* A close with our bytes unread arrives as a reset; only the timeout means open. */
        if (n < 0)
            return errno != EAGAIN && errno != EWOULDBLOCK;
    }
}

/* Logs in as login and returns the session id and the first job's id. */
static void login(int fd, const char *login_name, char session[64], char job_id[64])
{
    char request[256], line[4096];
    snprintf(request, sizeof(request),
             "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"%s\","
             "\"pass\":\"x\",\"agent\":\"hand-written/1\",\"algo\":[\"cn/r\"]}}\n",
             login_name);
    send_text(fd, request);
    read_line(fd, line, sizeof(line));
    json_t *reply = json_loads(line, 0, NULL);
    cr_assert_not_null(reply, "login reply: %s", line);
    json_t *result = json_object_get(reply, "result");
    cr_assert(json_is_object(result), "login reply: %s", line);
    snprintf(session, 64, "%s", text_of(result, "id"));
    snprintf(job_id, 64, "%s", text_of(json_object_get(result, "job"), "job_id"));
    json_decref(reply);
}

static void submit(int fd, const char *session, const char *job_id, const char *nonce,
                   const char *result, char *reply, size_t cap)
{
    char request[512];
    snprintf(request, sizeof(request),
             "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"%s\","
             "\"job_id\":\"%s\",\"nonce\":\"%s\",\"result\":\"%s\"}}\n",
             session, job_id, nonce, result);
    send_text(fd, request);
    read_line(fd, reply, cap);
}

#define WRONG_RESULT "00000000000000000000000000000000000000000000000000000000000000ff"

Test(lab_pool, closes_each_bad_client_with_a_logged_reason_and_keeps_serving_a_good_one,
     .timeout = 240)
{
    char log_path[96];
    temp_log(log_path, sizeof(log_path), "bad");
    spawned_t pool, miner;
    int port = start_pool(&pool, log_path,
                          (const char *[]){"--algo", "cn/r", "--difficulty", "20", "--max-invalid",
                                           "5", "--max-bad-lines", "3", NULL});
    char url[64];
    snprintf(url, sizeof(url), "127.0.0.1:%d", port);
    spawn_minemeter(&miner, (const char *[]){"mine", "--mode", "light", "--url", url, "--user",
                                             "good", "--threads", "1", NULL});
    wait_accepted(log_path, "good", 1);
    char line[70000], session[64], job_id[64];

    /* A line past 64 KiB. */
    int fd = connect_from("127.0.0.2", port);
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    send_text(fd, line);
    cr_assert(closed_by_pool(fd), "an oversized line left the connection open");
    close(fd);

    /* Malformed JSON: answered with id null up to --max-bad-lines, then closed. */
    fd = connect_from("127.0.0.3", port);
    for (int i = 0; i < 3; i++) {
        send_text(fd, "{\"id\":1,\"method\":\n");
        read_line(fd, line, sizeof(line));
        cr_assert(strstr(line, "Malformed JSON") != NULL && strstr(line, "\"id\":null") != NULL,
                  "reply %d: %s", i, line);
    }
    send_text(fd, "not json at all\n");
    read_line(fd, line, sizeof(line));
    cr_assert(closed_by_pool(fd), "a fourth malformed line left the connection open");
    close(fd);

    /* Wrong job id, bad nonce, wrong result, each answered; the fifth invalid share bans. */
    fd = connect_from("127.0.0.4", port);
    login(fd, "bad", session, job_id);
    submit(fd, session, "no-such-job", "00000000", WRONG_RESULT, line, sizeof(line));
    cr_assert(strstr(line, "Invalid job id") != NULL, "%s", line);
    submit(fd, session, job_id, "zz", WRONG_RESULT, line, sizeof(line));
    cr_assert(strstr(line, "Invalid nonce") != NULL, "%s", line);
    submit(fd, session, job_id, "00000000", "beef", line, sizeof(line));
    cr_assert(strstr(line, "Invalid result") != NULL, "%s", line);
    submit(fd, session, job_id, "00000000", WRONG_RESULT, line, sizeof(line));
    cr_assert(strstr(line, "Invalid result") != NULL, "%s", line);
    submit(fd, "not-the-session", job_id, "00000000", WRONG_RESULT, line, sizeof(line));
    cr_assert(strstr(line, "Unauthenticated") != NULL, "%s", line);
    cr_assert(closed_by_pool(fd), "the fifth invalid share left the connection open");
    close(fd);
    fd = connect_from("127.0.0.4", port);
    cr_assert(closed_by_pool(fd), "a banned address was served");
    close(fd);

    /* A flood of keepalives. */
    fd = connect_from("127.0.0.5", port);
    login(fd, "flood", session, job_id);
    char *flood = malloc(1000 * 128);
    cr_assert_not_null(flood);
    flood[0] = '\0';
    size_t at = 0;
    for (int i = 0; i < 1000; i++)
        at += (size_t)sprintf(flood + at,
                              "{\"id\":%d,\"method\":\"keepalived\",\"params\":{\"id\":\"%s\"}}\n",
                              i + 10, session);
    send_text(fd, flood);
    free(flood);
    cr_assert(closed_by_pool(fd), "a flood left the connection open");
    close(fd);

    /* The good miner went on being served. */
    unsigned before = accepted_for(log_path, "good");
    wait_accepted(log_path, "good", before + 2);
    cr_assert_eq(spawn_stop(&miner, SIGINT, 30), 0);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);
    char *out = spawn_output(&pool);
    const char *reasons[] = {"a line longer than 64 KiB",
                             "too many malformed lines",
                             "Invalid job id",
                             "Invalid nonce",
                             "Invalid result",
                             "5 invalid shares: its address is banned",
                             "miner bad: 1 connection(s), 0 accepted (difficulty 0), 5 rejected, 0 "
                             "stale (Invalid job id 1, Invalid nonce 1, Invalid result 2, "
                             "Unauthenticated 1)",
                             "refused 127.0.0.4",
                             "flooding"};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        cr_expect(strstr(out, reasons[i]) != NULL, "the pool did not say \"%s\":\n%s", reasons[i],
                  out);
    free(out);
    json_t *events = read_log(log_path);
    size_t i;
    json_t *e;
    unsigned disconnects = 0;
    json_array_foreach(events, i, e)
    {
        if (is_event(e, "disconnect")) {
            cr_expect(strlen(text_of(e, "reason")) > 0);
            disconnects++;
        }
        if (is_event(e, "share") && strcmp(text_of(e, "login"), "good") == 0)
            cr_expect(json_is_true(json_object_get(e, "accepted")), "good's share refused: %s",
                      text_of(e, "reason"));
    }
    cr_expect_geq(disconnects, 5);
    json_decref(events);
    /* Each kind of event this run had, as docs/pool.md has it. */
    log_doc_t doc;
    unsigned seen[LOG_DOC_MAX_EVENTS];
    check_against_doc(log_path, seen, &doc);
    const char *kinds[] = {"listen", "connect", "disconnect", "refused",
                           "login",  "job",     "share",      "bad_line"};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        cr_expect_gt(seen_of(&doc, seen, kinds[k]), 0, "no %s event", kinds[k]);
    spawn_cleanup(&miner);
    spawn_cleanup(&pool);
    unlink(log_path);
}

Test(lab_pool, a_python_client_that_shares_no_code_has_its_shares_accepted, .timeout = 180)
{
    char log_path[96];
    temp_log(log_path, sizeof(log_path), "python");
    spawned_t pool;
    int port =
        start_pool(&pool, log_path, (const char *[]){"--algo", "cn/r", "--difficulty", "4", NULL});
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    run_result_t *r = run_command(
        (const char *const[]){"/usr/bin/python3",
                              MINEMETER_SRCDIR "/tests/interop/stratum_client.py", "--port",
                              port_text, "--minemeter", MINEMETER_BIN, "--shares", "3", NULL},
        NULL, 150);
    cr_assert(r->exited && r->exit_code == 0, "the Python client failed (%d):\n%s\n%s",
              r->exit_code, r->out, r->err);
    run_result_free(r);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);
    cr_assert_geq(accepted_for(log_path, "python-client"), 3);
    spawn_cleanup(&pool);
    unlink(log_path);
}

Test(lab_pool, refuses_bad_options_in_one_sentence)
{
    expect_usage_error(ARGS("pool", "--listen", "localhost:3333"), "not an IP address");
    expect_usage_error(ARGS("pool", "--listen", "127.0.0.1"), "HOST:PORT");
    expect_usage_error(ARGS("pool", "--listen", "127.0.0.1:70000"), "0 to 65535");
    expect_usage_error(ARGS("pool", "--algo", "rx/none"), "--algo");
    expect_usage_error(ARGS("pool", "--log", "/no/such/dir/pool.jsonl"), "--log");
    expect_usage_error(ARGS("pool", "--difficulty", "5", "--min-difficulty", "2"),
                       "--min-difficulty");
    expect_usage_error(ARGS("pool", "--daemon", "daemon+http://127.0.0.1:18081"), "--wallet");
    expect_usage_error(ARGS("pool", "--wallet", "4A"), "goes with --daemon");
    expect_usage_error(ARGS("pool", "--daemon", "http://127.0.0.1:18081", "--wallet", "4A"),
                       "daemon+http://");
    expect_usage_error(ARGS("pool", "--daemon", "daemon+http://127.0.0.1:18081", "--wallet", "4A",
                            "--algo", "cn/r"),
                       "synthetic jobs");
    expect_usage_error(ARGS("load", "--duration", "5", "--url", "daemon+http://127.0.0.1:18081"),
                       "Stratum pools");
    expect_usage_error(ARGS("load", "--duration", "5", "--user", "x"), "go with --url");
}

/* Serves TLS with cert (or a certificate it makes, cert NULL) and has mine pin it. */
static void mine_over_tls(const test_cert_t *cert)
{
    char log_path[96];
    temp_log(log_path, sizeof(log_path), "tls");
    spawned_t pool, miner;
    const char *extra[] = {"--algo", "cn/r", "--difficulty", "8", NULL, NULL, NULL, NULL, NULL};
    if (cert != NULL) {
        extra[4] = "--tls-cert";
        extra[5] = cert->cert_path;
        extra[6] = "--tls-key";
        extra[7] = cert->key_path;
    }
    int port = start_pool_on(&pool, "--listen-tls", log_path, extra);
    char fingerprint[65], url[64];
    printed_fingerprint(&pool, fingerprint);
    if (cert != NULL)
        cr_assert_eq(strcasecmp(fingerprint, cert->fingerprint), 0, "printed %s, the file's is %s",
                     fingerprint, cert->fingerprint);
    snprintf(url, sizeof(url), "stratum+ssl://127.0.0.1:%d", port);
    spawn_minemeter(&miner,
                    (const char *[]){"mine", "--mode", "light", "--url", url, "--user", "tls-miner",
                                     "--tls-fingerprint", fingerprint, "--threads", "1", NULL});
    wait_accepted(log_path, "tls-miner", 2);
    cr_assert_eq(spawn_stop(&miner, SIGINT, 30), 0);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);
    json_t *events = read_log(log_path);
    size_t i;
    json_t *e;
    unsigned tls_connects = 0;
    json_array_foreach(events, i, e)
    {
        if (is_event(e, "connect") && json_is_true(json_object_get(e, "tls")))
            tls_connects++;
    }
    cr_expect_geq(tls_connects, 1, "no connection logged as TLS");
    json_decref(events);
    spawn_cleanup(&miner);
    spawn_cleanup(&pool);
    unlink(log_path);
}

Test(lab_pool, serves_tls_with_a_certificate_it_makes_and_mine_pins_its_fingerprint, .timeout = 180)
{
    mine_over_tls(NULL);
}

Test(lab_pool, serves_tls_with_the_given_certificate_and_prints_its_fingerprint, .timeout = 180)
{
    test_cert_t cert;
    test_cert_make(&cert);
    mine_over_tls(&cert);
    expect_usage_error(ARGS("pool", "--listen-tls", "127.0.0.1:0", "--tls-cert", cert.cert_path),
                       "go together");
    expect_usage_error(ARGS("pool", "--listen-tls", "127.0.0.1:0", "--tls-cert", cert.key_path,
                            "--tls-key", cert.key_path),
                       "--tls-cert");
    expect_usage_error(ARGS("pool", "--tls-cert", cert.cert_path, "--tls-key", cert.key_path),
                       "for --listen-tls");
    test_cert_remove(&cert);
}

Test(lab_pool, an_address_in_use_is_one_sentence_and_exit_2)
{
    char log_path[96];
    temp_log(log_path, sizeof(log_path), "in-use");
    spawned_t pool;
    int port = start_pool(&pool, log_path, (const char *[]){"--algo", "cn/r", NULL});
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    run_result_t *r = run_minemeter(ARGS("pool", "--listen", listen, "--algo", "cn/r"));
    cr_assert(r->exited && r->exit_code == 2, "exit %d: %s", r->exit_code, r->err);
    cr_assert(strstr(r->err, "address already in use") != NULL, "%s", r->err);
    run_result_free(r);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);
    spawn_cleanup(&pool);
    unlink(log_path);
}

/*
 * --- mine and load --url side by side, and vardiff --------------------------------
 *
 * One template the whole run: a share racing a new template is stale ("Block
 * expired", the load test above allows it), and vardiff's new jobs on the
 * same template keep earlier jobs' shares good, so every share must be accepted.
 */

Test(slow_lab_pool, mine_and_load_get_their_own_work_every_share_is_accepted_and_vardiff_holds,
     .timeout = 300)
{
    char log_path[96];
    temp_log(log_path, sizeof(log_path), "two");
    spawned_t pool, a, b;
    int port = start_pool(&pool, log_path,
                          (const char *[]){"--algo", "cn/r", "--share-seconds", "2", "--difficulty",
                                           "15", "--job-seconds", "3600", NULL});
    char url[64];
    snprintf(url, sizeof(url), "127.0.0.1:%d", port);
    spawn_minemeter(&a, (const char *[]){"mine", "--mode", "light", "--url", url, "--user",
                                         "miner-a", "--threads", "1", NULL});
    spawn_minemeter(&b, (const char *[]){"load", "--url", url, "--user", "miner-b", "--algo",
                                         "cn/r", "--threads", "1", "--duration", "120", NULL});
    wait_accepted(log_path, "miner-a", 1);
    wait_accepted(log_path, "miner-b", 1);
    sleep(40);
    cr_assert_eq(spawn_stop(&a, SIGINT, 30), 0);
    cr_assert_eq(spawn_stop(&b, SIGINT, 30), 0);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);

    json_t *events = read_log(log_path);
    json_t *blob_owner = json_object(); /* blob -> login */
    double first_share[2] = {-1, -1}, last_share[2] = {0, 0};
    unsigned shares[2] = {0, 0};
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *login = text_of(e, "login");
        int who = strcmp(login, "miner-a") == 0 ? 0 : strcmp(login, "miner-b") == 0 ? 1 : -1;
        if (is_event(e, "job")) {
            const char *blob = text_of(e, "blob");
            json_t *seen = json_object_get(blob_owner, blob);
            cr_assert(seen == NULL || strcmp(json_string_value(seen), login) == 0,
                      "%s and %s were sent the same blob %s", login, json_string_value(seen), blob);
            json_object_set_new(blob_owner, blob, json_string(login));
        }
        if (is_event(e, "share") && who >= 0) {
            cr_assert(json_is_true(json_object_get(e, "accepted")), "%s's share refused: %s", login,
                      text_of(e, "reason"));
            double t = json_number_value(json_object_get(e, "t"));
            if (first_share[who] < 0)
                first_share[who] = t;
            last_share[who] = t;
            shares[who]++;
        }
    }
    /* The aim is a share every 2 s each; vardiff must hold both within a factor of 2. */
    for (int w = 0; w < 2; w++) {
        cr_assert_geq(shares[w], 3);
        double interval = (last_share[w] - first_share[w]) / (shares[w] - 1);
        cr_log_info("miner %c: a share every %.2f s over %u shares", 'a' + w, interval, shares[w]);
        cr_expect(interval >= 1.0 && interval <= 4.0,
                  "miner %c: a share every %.2f s over %u shares, aim 2 s", 'a' + w, interval,
                  shares[w]);
    }
    json_decref(blob_owner);
    json_decref(events);
    spawn_cleanup(&a);
    spawn_cleanup(&b);
    spawn_cleanup(&pool);
    unlink(log_path);
}

/* --- load --url --------------------------------------------------------------------- */

/* The events named name in a log, in order. */
static json_t *events_named(json_t *events, const char *name)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        if (is_event(e, name))
            json_array_append(out, e);
    }
    return out;
}

Test(lab_pool, load_hashes_the_pool_s_jobs_at_the_asked_intensity_and_both_logs_agree_on_the_wire,
     .timeout = 180)
{
    char pool_log[96], load_log[96];
    temp_log(pool_log, sizeof(pool_log), "load-pool");
    temp_log(load_log, sizeof(load_log), "load-load");
    spawned_t pool;
    /* A new job every second: the idle phase must hold through jobs that keep coming. */
    int port = start_pool(
        &pool, pool_log,
        (const char *[]){"--algo", "cn/r", "--difficulty", "2", "--job-seconds", "1", NULL});
    char url[64];
    snprintf(url, sizeof(url), "stratum+tcp://127.0.0.1:%d", port);
    run_result_t *r = run_minemeter(ARGS("load", "--url", url, "--user", "lab-load", "--algo",
                                         "cn/r", "--threads", "1", "--duration", "8", "--profile",
                                         "square:4/4", "--intensity", "80", "--log", load_log));
    cr_assert(r->exited && r->exit_code == 0, "load failed (%d):\n%s\n%s", r->exit_code, r->out,
              r->err);
    cr_assert(strstr(r->out, "accepted") != NULL, "%s", r->out);
    run_result_free(r);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);

    log_doc_t pool_doc;
    unsigned pool_seen[LOG_DOC_MAX_EVENTS];
    check_against_doc(pool_log, pool_seen, &pool_doc);
    cr_expect_gt(seen_of(&pool_doc, pool_seen, "template"), 0, "no template event");
    json_t *load = read_log(load_log), *served = read_log(pool_log);
    cr_assert(is_event(json_array_get(load, 0), "start"));
    /* Every line as docs/load-log.md has it, the wire's events included. */
    log_doc_t doc;
    log_doc_read(MINEMETER_SRCDIR "/docs/load-log.md", &doc);
    size_t line_index;
    json_t *line;
    json_array_foreach(load, line_index, line)
    {
        log_doc_check(&doc, line);
    }
    cr_assert_str_eq(text_of(json_array_get(load, 0), "jobs"), "pool");
    json_t *connects = events_named(load, "pool_connect");
    cr_assert_geq(json_array_size(connects), 1);
    json_decref(connects);

    /* Every share load sent is in the pool's log, accepted, with the same bytes. */
    json_t *sent = events_named(load, "share_sent"), *judged = events_named(served, "share");
    cr_assert_geq(json_array_size(sent), 2, "load sent fewer than 2 shares");
    size_t i, k;
    json_t *e, *p;
    json_array_foreach(sent, i, e)
    {
        int found = 0;
        json_array_foreach(judged, k, p)
        {
            if (strcmp(text_of(p, "nonce"), text_of(e, "nonce")) == 0 &&
                strcmp(text_of(p, "job_id"), text_of(e, "job_id")) == 0) {
                found = 1;
                /* A share racing the next job (one a second here) is stale, never invalid. */
                cr_expect(json_is_true(json_object_get(p, "accepted")) ||
                              strcmp(text_of(p, "reason"), "Block expired") == 0,
                          "refused: %s", text_of(p, "reason"));
                cr_expect_eq(json_integer_value(json_object_get(p, "bytes")),
                             json_integer_value(json_object_get(e, "bytes")),
                             "the two sides disagree on a submit's bytes");
            }
        }
        cr_expect(found, "share %s of job %s is not in the pool's log", text_of(e, "nonce"),
                  text_of(e, "job_id"));
    }
    /* Every job load logged is one the pool logged sending, with the same bytes. */
    json_t *got = events_named(load, "pool_job"), *jobs = events_named(served, "job");
    json_array_foreach(got, i, e)
    {
        int found = 0;
        json_array_foreach(jobs, k, p)
        {
            if (strcmp(text_of(p, "job_id"), text_of(e, "job_id")) == 0) {
                found = 1;
                cr_expect_eq(json_integer_value(json_object_get(p, "bytes")),
                             json_integer_value(json_object_get(e, "bytes")),
                             "the two sides disagree on job %s's bytes", text_of(e, "job_id"));
            }
        }
        cr_expect(found, "job %s is not in the pool's log", text_of(e, "job_id"));
    }
    cr_assert_geq(json_array_size(got), 4, "a job a second should have reached load");
    /* The idle phase held, jobs arriving or not: its seconds after the first are near 0%. */
    json_t *samples = events_named(load, "sample");
    json_array_foreach(samples, i, e)
    {
        double start = json_number_value(json_object_get(e, "t_start"));
        double cpu = json_number_value(json_array_get(json_object_get(e, "cpu_percent"), 0));
        if (start >= 4.9 && start < 7.5)
            cr_expect(cpu < 5, "second from %.1f s, asked 0%%: %.1f%% CPU", start, cpu);
        /* Hashing, at most as asked (a busy machine may give it less: cli_load holds the rest). */
        if (start >= 0.9 && start < 3.5)
            cr_expect(cpu > 10 && cpu < 85, "second from %.1f s, asked 80%%: %.1f%% CPU", start,
                      cpu);
    }
    json_t *summary = json_array_get(load, json_array_size(load) - 1);
    cr_assert(is_event(summary, "summary"));
    cr_expect_geq(json_integer_value(json_object_get(summary, "shares_accepted")), 2);
    double elapsed = json_number_value(json_object_get(summary, "elapsed_s"));
    cr_expect(elapsed >= 8 && elapsed < 12, "--duration 8 ran %.2f s", elapsed);
    json_decref(samples);
    json_decref(got);
    json_decref(jobs);
    json_decref(sent);
    json_decref(judged);
    json_decref(load);
    json_decref(served);
    spawn_cleanup(&pool);
    unlink(pool_log);
    unlink(load_log);
}
