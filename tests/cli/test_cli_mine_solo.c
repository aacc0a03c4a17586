/*
 * minemeter mine against a real monerod (Debian's monero package) in a
 * private regtest chain on 127.0.0.1: blocks are found, accepted, and
 * their proof-of-work hashes are the ones monerod computes; the miner
 * outlives a daemon killed and restarted; a refused address exits 2.
 * And minemeter pool --daemon in front of it: a miner on the lab pool finds
 * blocks that monerod accepts.
 * The suite is named solo_monerod: it needs /usr/bin/monerod.
 */
#define _GNU_SOURCE

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/log_doc.h"
#include "tests/support/run_command.h"
#include "tests/support/test_cert.h"

#define MONEROD "/usr/bin/monerod"
/* Monero's donation address: a valid mainnet address, which regtest accepts. */
#define WALLET                                                                                     \
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQ"   \
    "BEP3A"

typedef struct {
    char dir[64];
    unsigned rpc_port, p2p_port;
    unsigned difficulty;
    const test_cert_t *cert; /* RPC over TLS with this certificate; NULL: plain HTTP */
    unsigned zmq_port;       /* --zmq-pub tcp://127.0.0.1:zmq_port; 0: no ZMQ at all */
    pid_t pid;               /* 0 when not running */
} monerod_t;

/* What a test started, so that the teardown stops it even after a failed assertion. */
static monerod_t daemon_;
static pid_t miner_pid, pool_pid;

/* --- processes and files ------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0, "bind: %s", strerror(errno));
    socklen_t len = sizeof(a);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Starts argv with stdout and stderr in the files; it dies with the test. */
static pid_t spawn(const char *const argv[], const char *out_path, const char *err_path)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Whether pid is still running (reaping it when it is not); *status gets its status. */
static int running(pid_t pid, int *status)
{
    int st = 0;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == 0)
        return 1;
    if (status != NULL)
        *status = st;
    return 0;
}

/* Sends sig, waits up to grace_s, then SIGKILL. Returns the wait status. */
static int stop_process(pid_t pid, int sig, double grace_s)
{
    int status = 0;
    kill(pid, sig);
    double end = now_s() + grace_s;
    while (now_s() < end) {
        if (!running(pid, &status))
            return status;
        nap_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    cr_assert_not_null(text);
    size_t got = fread(text, 1, (size_t)n, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* --- monerod ------------------------------------------------------------------ */

static void path_in(const monerod_t *m, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", m->dir, name);
}

static size_t on_body(char *data, size_t size, size_t count, void *userp)
{
    size_t n = size * count;
    char **buf = userp;
    size_t have = *buf != NULL ? strlen(*buf) : 0;
    char *grown = realloc(*buf, have + n + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + have, data, n);
    grown[have + n] = '\0';
    *buf = grown;
    return n;
}

/* The result of a JSON-RPC call (params a JSON text), or NULL when there is none. */
static json_t *rpc(const monerod_t *m, const char *method, const char *params)
{
    char url[64], body[512];
    snprintf(url, sizeof(url), "%s://127.0.0.1:%u/json_rpc", m->cert != NULL ? "https" : "http",
             m->rpc_port);
    snprintf(body, sizeof(body),
             "{\"jsonrpc\":\"2.0\",\"id\":\"0\",\"method\":\"%s\",\"params\":%s}", method, params);
    CURL *e = curl_easy_init();
    cr_assert_not_null(e);
    char *reply = NULL;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &reply);
    if (m->cert != NULL)
        curl_easy_setopt(e, CURLOPT_CAINFO, m->cert->cert_path); /* the test's own certificate */
    CURLcode rc = curl_easy_perform(e);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    json_t *root = rc == CURLE_OK && reply != NULL ? json_loads(reply, 0, NULL) : NULL;
    free(reply);
    json_t *result = json_incref(json_object_get(root, "result"));
    json_decref(root);
    return result;
}

static uint64_t chain_height(const monerod_t *m)
{
    json_t *info = rpc(m, "get_info", "{}");
    cr_assert_not_null(info, "monerod does not answer get_info");
    uint64_t h = (uint64_t)json_integer_value(json_object_get(info, "height"));
    json_decref(info);
    return h;
}

/* The pow_hash monerod computes for the block at height (64 hex digits, caller frees). */
static char *daemon_pow_hash(const monerod_t *m, uint64_t height)
{
    char params[96];
    snprintf(params, sizeof(params), "{\"height\":%llu,\"fill_pow_hash\":true}",
             (unsigned long long)height);
    json_t *r = rpc(m, "get_block_header_by_height", params);
    cr_assert_not_null(r, "no header for height %llu", (unsigned long long)height);
    const char *hash =
        json_string_value(json_object_get(json_object_get(r, "block_header"), "pow_hash"));
    cr_assert_not_null(hash);
    char *copy = strdup(hash);
    json_decref(r);
    return copy;
}

static void monerod_start(monerod_t *m)
{
    char rpc_port[8], p2p_port[8], difficulty[16], out[128], err[128];
    char zmq_pub[48], zmq_rpc_port[8];
    snprintf(rpc_port, sizeof(rpc_port), "%u", m->rpc_port);
    snprintf(p2p_port, sizeof(p2p_port), "%u", m->p2p_port);
    snprintf(difficulty, sizeof(difficulty), "%u", m->difficulty);
    path_in(m, "monerod.out", out, sizeof(out));
    path_in(m, "monerod.err", err, sizeof(err));
    const char *argv[40] = {MONEROD,
                            "--regtest",
                            "--offline",
                            "--fixed-difficulty",
                            difficulty,
                            "--data-dir",
                            m->dir,
                            "--rpc-bind-ip",
                            "127.0.0.1",
                            "--rpc-bind-port",
                            rpc_port,
                            "--rpc-ssl",
                            m->cert != NULL ? "enabled" : "disabled",
                            "--p2p-bind-ip",
                            "127.0.0.1",
                            "--p2p-bind-port",
                            p2p_port,
                            "--no-igd",
                            "--disable-dns-checkpoints",
                            "--non-interactive",
                            "--log-level",
                            "0"};
    size_t n = 0;
    while (argv[n] != NULL)
        n++;
    if (m->zmq_port != 0) {
        /* The publisher needs monerod's ZMQ server: on a port of its own, not 18082. */
        snprintf(zmq_pub, sizeof(zmq_pub), "tcp://127.0.0.1:%u", m->zmq_port);
        snprintf(zmq_rpc_port, sizeof(zmq_rpc_port), "%u", free_port());
        argv[n++] = "--zmq-pub";
        argv[n++] = zmq_pub;
        argv[n++] = "--zmq-rpc-bind-port";
        argv[n++] = zmq_rpc_port;
    } else {
        argv[n++] = "--no-zmq";
    }
    if (m->cert != NULL) {
        argv[n++] = "--rpc-ssl-certificate";
        argv[n++] = m->cert->cert_path;
        argv[n++] = "--rpc-ssl-private-key";
        argv[n++] = m->cert->key_path;
    }
    argv[n] = NULL;
    m->pid = spawn(argv, out, err);
    /* Ready when get_info answers; a daemon that exits is a failure, not a wait. */
    double end = now_s() + 60;
    for (;;) {
        json_t *info = rpc(m, "get_info", "{}");
        if (info != NULL) {
            json_decref(info);
            return;
        }
        int status;
        if (!running(m->pid, &status)) {
            m->pid = 0;
            char *text = slurp(out);
            cr_assert_fail("monerod exited (status %d) before answering: %.2000s", status, text);
        }
        cr_assert_lt(now_s(), end, "monerod did not answer get_info within 60 s");
        nap_ms(200);
    }
}

static void monerod_setup_with(monerod_t *m, unsigned difficulty, const test_cert_t *cert, int zmq)
{
    cr_assert_eq(access(MONEROD, X_OK), 0,
                 MONEROD " is missing: install Debian's monero package (scripts/install-deps.sh)");
    memset(m, 0, sizeof(*m));
    snprintf(m->dir, sizeof(m->dir), "/tmp/minemeter-monerod-XXXXXX");
    cr_assert_not_null(mkdtemp(m->dir));
    m->rpc_port = free_port();
    do
        m->p2p_port = free_port();
    while (m->p2p_port == m->rpc_port);
    m->difficulty = difficulty;
    m->cert = cert;
    if (zmq) {
        do
            m->zmq_port = free_port();
        while (m->zmq_port == m->rpc_port || m->zmq_port == m->p2p_port);
    }
    monerod_start(m);
}

static void monerod_setup(monerod_t *m, unsigned difficulty)
{
    monerod_setup_with(m, difficulty, NULL, 0);
}

static void teardown(void)
{
    if (miner_pid > 0)
        stop_process(miner_pid, SIGKILL, 5);
    miner_pid = 0;
    if (pool_pid > 0)
        stop_process(pool_pid, SIGKILL, 5);
    pool_pid = 0;
    if (daemon_.pid > 0)
        stop_process(daemon_.pid, SIGTERM, 20);
    daemon_.pid = 0;
    if (daemon_.dir[0] != '\0')
        nftw(daemon_.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    daemon_.dir[0] = '\0';
}

/* --- the miner --------------------------------------------------------------------- */

static void miner_start(const monerod_t *m, const char *const extra[])
{
    char url[64], out[128], err[128];
    snprintf(url, sizeof(url), "daemon+%s://127.0.0.1:%u", m->cert != NULL ? "https" : "http",
             m->rpc_port);
    path_in(m, "mine.out", out, sizeof(out));
    path_in(m, "mine.err", err, sizeof(err));
    const char *argv[32] = {MINEMETER_BIN, "mine", "--url",  url,     "--user",     WALLET,
                            "--threads",   "2",    "--mode", "light", "--duration", "280"};
    size_t n = 12;
    for (size_t i = 0; extra[i] != NULL; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    miner_pid = spawn(argv, out, err);
}

/* Waits until the miner's output holds needle count times; returns the output. */
static char *miner_wait_for(const monerod_t *m, const char *needle, unsigned count, double limit_s)
{
    char out[128];
    path_in(m, "mine.out", out, sizeof(out));
    double end = now_s() + limit_s;
    for (;;) {
        char *text = slurp(out);
        if (count_occurrences(text, needle) >= count)
            return text;
        int status;
        if (!running(miner_pid, &status)) {
            miner_pid = 0;
            cr_assert_fail("minemeter exited (status %d) before printing \"%s\" x%u:\n%s", status,
                           needle, count, text);
        }
        if (now_s() > end)
            cr_assert_fail("no \"%s\" x%u within %.0f s:\n%s", needle, count, limit_s, text);
        free(text);
        nap_ms(200);
    }
}

/* Stops the miner with SIGTERM; it must exit 0. Returns its whole output. */
static char *miner_stop(const monerod_t *m)
{
    int status = stop_process(miner_pid, SIGTERM, 20);
    miner_pid = 0;
    char out[128];
    path_in(m, "mine.out", out, sizeof(out));
    char *text = slurp(out);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "minemeter ended with status %d:\n%s",
              status, text);
    return text;
}

/*
 * Checks every "block accepted ... at height H, pow hash X" line against
 * monerod's pow_hash for H; returns how many there were.
 */
static unsigned check_accepted_blocks(const monerod_t *m, const char *text)
{
    unsigned n = 0;
    for (const char *p = strstr(text, "block accepted"); p != NULL;
         p = strstr(p + 1, "block accepted")) {
        unsigned long long height;
        char hash[65];
        const char *at = strstr(p, " at height ");
        cr_assert_not_null(at);
        cr_assert_eq(sscanf(at, " at height %llu, pow hash %64[0-9a-f]", &height, hash), 2,
                     "cannot read: %.200s", p);
        char *theirs = daemon_pow_hash(m, height);
        cr_expect_str_eq(hash, theirs, "height %llu", height);
        free(theirs);
        n++;
    }
    return n;
}

/* --- tests ---------------------------------------------------------------------- */

/*
 * At difficulty 200 a block takes ~200 hashes: 2 light-mode threads on a
 * busy 2-core box do 10-20 H/s, so three blocks take 30-60 s; the limits
 * leave room for bad luck (mining time is exponential).
 */
TestSuite(solo_monerod, .fini = teardown, .timeout = 300);

Test(solo_monerod, mines_three_blocks_with_the_daemons_pow_hashes)
{
    double t0 = now_s();
    monerod_setup(&daemon_, 200);
    uint64_t start = chain_height(&daemon_);
    miner_start(&daemon_, (const char *const[]){"--print-time", "10", NULL});
    free(miner_wait_for(&daemon_, "block accepted", 3, 240));
    char *text = miner_stop(&daemon_);
    cr_expect_geq(chain_height(&daemon_), start + 3);
    cr_expect_geq(check_accepted_blocks(&daemon_, text), 3);

    /*
     * The daemon's block at the height of the miner's last accepted block
     * has the PoW hash the miner logged. (Not the tip: a block found just
     * before the stop may be accepted with its reply never read.)
     */
    const char *accepted = NULL;
    for (const char *p = strstr(text, "] block accepted ("); p != NULL;
         p = strstr(p + 1, "] block accepted ("))
        accepted = p;
    cr_assert_not_null(accepted, "%s", text);
    long long height = 0;
    char hash[65] = "";
    cr_assert_eq(sscanf(strstr(accepted, "at height "), "at height %lld, pow hash %64[0-9a-f]",
                        &height, hash),
                 2, "%s", accepted);
    char params[96];
    snprintf(params, sizeof(params), "{\"height\":%lld,\"fill_pow_hash\":true}", height);
    json_t *block = rpc(&daemon_, "get_block_header_by_height", params);
    cr_assert_not_null(block);
    const json_t *header = json_object_get(block, "block_header");
    cr_expect_str_eq(json_string_value(json_object_get(header, "pow_hash")), hash,
                     "the daemon's block at height %lld", height);
    cr_expect_eq(json_integer_value(json_object_get(header, "major_version")), 16);
    json_decref(block);

    cr_expect_not_null(strstr(text, "algo rx/0"));
    cr_expect_not_null(strstr(text, "blocks: "));
    cr_expect_null(strstr(text, "block refused"), "%s", text);
    cr_log_info("solo_monerod: 3 blocks in %.1f s", now_s() - t0);
    free(text);
}

/*
 * --algo is honoured in solo mining: every template is hashed with it,
 * whatever the block version says. On a Monero regtest chain (version 16,
 * rx/0) an rx/2 block is one monerod must refuse: the refusal is the proof
 * that the given algorithm, not the version's, made the hash.
 */
Test(solo_monerod, a_given_algorithm_is_hashed_whatever_the_block_version)
{
    /*
     * At difficulty 1 monerod would take any hash; at 100 an rx/2 block's rx/0
     * hash also meets the difficulty once in 100, so a refusal comes first
     * almost always, and one soon after when not.
     */
    monerod_setup(&daemon_, 100);
    miner_start(&daemon_, (const char *const[]){"--algo", "rx/2", NULL});
    free(miner_wait_for(&daemon_, "block refused", 1, 200));
    char *text = miner_stop(&daemon_);
    cr_expect_not_null(strstr(text, "rx/2, as --algo says"), "%s", text);
    cr_expect_not_null(strstr(text, "algo rx/2"), "%s", text);
    free(text);
}

/*
 * daemon+https:// to a monerod serving its RPC over TLS (--rpc-ssl enabled)
 * with a self-signed certificate: trusted by its pinned fingerprint, or by
 * --tls-ca naming it; a wrong pin gets no template at all, and says why.
 */
Test(solo_monerod, mines_over_https_trusting_a_pinned_certificate_or_a_ca_file)
{
    static test_cert_t cert;
    test_cert_make(&cert);
    monerod_setup_with(&daemon_, 200, &cert, 0);
    miner_start(&daemon_, (const char *const[]){"--tls-fingerprint", cert.fingerprint, NULL});
    free(miner_wait_for(&daemon_, "block accepted", 1, 240));
    char *text = miner_stop(&daemon_);
    cr_expect_not_null(strstr(text, "connected to daemon+https://127.0.0.1:"), "%s", text);
    cr_expect_geq(check_accepted_blocks(&daemon_, text), 1);
    free(text);

    char wrong[65];
    memset(wrong, '0', 64);
    wrong[64] = '\0';
    miner_start(&daemon_, (const char *const[]){"--tls-fingerprint", wrong, NULL});
    text = miner_wait_for(&daemon_, "does not match --tls-fingerprint (it has ", 1, 60);
    cr_expect_null(strstr(text, "new job"), "a template through a wrong pin:\n%s", text);
    free(text);
    int status = stop_process(miner_pid, SIGTERM, 20);
    miner_pid = 0;
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 1, "nothing mined: exit 1, not %d",
              status);

    miner_start(&daemon_, (const char *const[]){"--tls-ca", cert.cert_path, NULL});
    free(miner_wait_for(&daemon_, "new job", 1, 60));
    free(miner_stop(&daemon_));
    test_cert_remove(&cert);
}

/*
 * --zmq against monerod's own publisher (--zmq-pub): every block added to
 * the chain, here the miner's, is announced with its height, and the poll
 * slows to 30 s. (That a notification fetches the next template without
 * waiting for the poll is daemon_client's test, with a publisher of its own.)
 */
Test(solo_monerod, hears_every_new_block_from_monerod_s_zmq_publisher)
{
    monerod_setup_with(&daemon_, 200, NULL, 1);
    char zmq[48];
    snprintf(zmq, sizeof(zmq), "tcp://127.0.0.1:%u", daemon_.zmq_port);
    miner_start(&daemon_, (const char *const[]){"--zmq", zmq, NULL});
    free(miner_wait_for(&daemon_, "block accepted", 2, 240));
    free(miner_wait_for(&daemon_, "monerod's ZMQ: a new block at height", 2, 30));
    char *text = miner_stop(&daemon_);
    char line[96];
    snprintf(line, sizeof(line), "listening to monerod's ZMQ at %s for new blocks", zmq);
    cr_expect_not_null(strstr(text, line), "%s", text);
    cr_expect_not_null(strstr(text, "every 30.0 s"), "--zmq slows the poll: %s", text);
    /* The first accepted block's height, as monerod's publisher announced it. */
    const char *accepted = strstr(text, "block accepted");
    cr_assert_not_null(accepted);
    unsigned long long height = 0;
    cr_assert_eq(sscanf(strstr(accepted, " at height "), " at height %llu", &height), 1);
    snprintf(line, sizeof(line), "monerod's ZMQ: a new block at height %llu", height);
    cr_expect_not_null(strstr(text, line), "%s", text);
    free(text);
}

Test(solo_monerod, goes_on_after_the_daemon_is_killed_and_restarted)
{
    double t0 = now_s();
    /* A lower difficulty keeps this test short: it is about the daemon going away. */
    monerod_setup(&daemon_, 40);
    miner_start(&daemon_, (const char *const[]){"--retry-pause", "200", "--daemon-poll-interval",
                                                "500", NULL});
    free(miner_wait_for(&daemon_, "block accepted", 1, 90));

    kill(daemon_.pid, SIGKILL);
    waitpid(daemon_.pid, NULL, 0);
    daemon_.pid = 0;
    free(miner_wait_for(&daemon_, "hashing paused until monerod answers", 1, 20));
    free(miner_wait_for(&daemon_, "unreachable", 2, 20));

    monerod_start(&daemon_);
    char *text = miner_wait_for(&daemon_, "connected to daemon+http", 2, 60);
    unsigned before = count_occurrences(text, "block accepted");
    free(text);
    free(miner_wait_for(&daemon_, "block accepted", before + 1, 90));
    text = miner_stop(&daemon_);

    /* The block after the restart is in the restarted daemon's chain, with our hash. */
    const char *after = strstr(text, "connected to daemon+http");
    after = strstr(after + 1, "connected to daemon+http");
    cr_assert_not_null(after);
    cr_expect_geq(check_accepted_blocks(&daemon_, after), 1);
    cr_expect_not_null(strstr(text, "monerod: 2 connections, 1 lost"), "%s", text);
    cr_log_info("solo_monerod: restart test in %.1f s", now_s() - t0);
    free(text);
}

Test(solo_monerod, a_refused_address_exits_2_naming_it)
{
    monerod_setup(&daemon_, 200);
    char url[64];
    snprintf(url, sizeof(url), "daemon+http://127.0.0.1:%u", daemon_.rpc_port);
    const char *bad = "4NotAMoneroAddress";
    run_result_t *r = run_minemeter(ARGS("mine", "--mode", "light", "--url", url, "--user", bad,
                                         "--threads", "1", "--duration", "30"));
    cr_expect(r->exited);
    cr_expect_eq(r->exit_code, 2, "stdout:\n%s\nstderr:\n%s", r->out, r->err);
    cr_expect_not_null(strstr(r->err, "monerod refused the address 4NotAMoneroAddress"), "%s",
                       r->err);
    cr_expect_eq(count_lines(r->err), 1, "%s", r->err);
    cr_expect_null(strstr(r->out, "summary"), "%s", r->out);
    run_result_free(r);
}

/* --- minemeter pool --daemon ------------------------------------------------------ */

/* Waits until the file at path holds needle count times; returns its text. */
static char *file_wait_for(const char *path, pid_t pid, const char *needle, unsigned count,
                           double limit_s)
{
    double end = now_s() + limit_s;
    for (;;) {
        char *text = slurp(path);
        if (count_occurrences(text, needle) >= count)
            return text;
        int status;
        if (!running(pid, &status))
            cr_assert_fail("it exited (status %d) before printing \"%s\" x%u:\n%s", status, needle,
                           count, text);
        if (now_s() > end)
            cr_assert_fail("no \"%s\" x%u within %.0f s:\n%s", needle, count, limit_s, text);
        free(text);
        nap_ms(200);
    }
}

Test(solo_monerod, a_miner_on_pool_daemon_finds_blocks_that_monerod_accepts)
{
    double t0 = now_s();
    monerod_setup(&daemon_, 200);
    uint64_t start = chain_height(&daemon_);
    char daemon_url[64], pool_out[128], pool_err[128], pool_log[128];
    snprintf(daemon_url, sizeof(daemon_url), "daemon+http://127.0.0.1:%u", daemon_.rpc_port);
    path_in(&daemon_, "pool.out", pool_out, sizeof(pool_out));
    path_in(&daemon_, "pool.err", pool_err, sizeof(pool_err));
    path_in(&daemon_, "pool.jsonl", pool_log, sizeof(pool_log));
    /* Shares at difficulty 50, a quarter of the block's: the pool must pick the blocks out. */
    pool_pid = spawn((const char *const[]){MINEMETER_BIN, "pool", "--daemon", daemon_url,
                                           "--wallet", WALLET, "--listen", "127.0.0.1:0",
                                           "--difficulty", "50", "--log", pool_log, NULL},
                     pool_out, pool_err);
    const char *needle = "listening on stratum+tcp://127.0.0.1:";
    char *text = file_wait_for(pool_out, pool_pid, needle, 1, 60);
    int port = atoi(strstr(text, needle) + strlen(needle));
    free(text);
    char url[64], out[128], err[128];
    snprintf(url, sizeof(url), "stratum+tcp://127.0.0.1:%d", port);
    path_in(&daemon_, "mine.out", out, sizeof(out));
    path_in(&daemon_, "mine.err", err, sizeof(err));
    miner_pid = spawn((const char *const[]){MINEMETER_BIN, "mine", "--url", url, "--user",
                                            "lab-miner", "--threads", "2", "--mode", "light", NULL},
                      out, err);
    free(file_wait_for(pool_out, pool_pid, "accepted by monerod", 3, 240));
    int status = stop_process(miner_pid, SIGTERM, 20);
    miner_pid = 0;
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mine ended with status %d", status);
    status = stop_process(pool_pid, SIGTERM, 20);
    pool_pid = 0;
    text = slurp(pool_out);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pool ended with status %d:\n%s",
              status, text);
    cr_expect_geq(chain_height(&daemon_), start + 3);
    cr_expect_null(strstr(text, "refused by monerod"), "%s", text);

    /* Each block the pool says monerod accepted has monerod's own PoW hash at its height. */
    unsigned blocks = 0;
    for (const char *p = strstr(text, "block at height "); p != NULL;
         p = strstr(p + 1, "block at height ")) {
        unsigned long long height;
        char hash[65];
        if (sscanf(p, "block at height %llu accepted by monerod", &height) != 1)
            continue;
        const char *at = strstr(p, "pow hash ");
        cr_assert_not_null(at, "%.200s", p);
        cr_assert_eq(sscanf(at, "pow hash %64[0-9a-f]", hash), 1, "%.200s", p);
        char *theirs = daemon_pow_hash(&daemon_, height);
        cr_expect_str_eq(hash, theirs, "height %llu", height);
        free(theirs);
        blocks++;
    }
    cr_expect_geq(blocks, 3, "%s", text);
    free(text);

    /* The log holds the blocks, with who found them, as docs/pool.md has every line. */
    log_doc_t doc;
    log_doc_read(MINEMETER_SRCDIR "/docs/pool.md", &doc);
    text = slurp(pool_log);
    unsigned logged = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        json_t *e = json_loads(line, 0, NULL);
        cr_assert_not_null(e, "%s", line);
        log_doc_check(&doc, e);
        if (strcmp(json_string_value(json_object_get(e, "event")), "block") == 0 &&
            json_is_true(json_object_get(e, "accepted"))) {
            cr_expect_str_eq(json_string_value(json_object_get(e, "login")), "lab-miner");
            logged++;
        }
        json_decref(e);
    }
    free(text);
    cr_expect_geq(logged, 3);
    cr_log_info("solo_monerod: 3 blocks through the pool in %.1f s", now_s() - t0);
}
