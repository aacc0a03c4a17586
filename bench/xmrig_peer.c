/* XMRig measured beside us, mining from a loopback lab pool (bench/xmrig_peer.h). */
#include "config.h"
#include "bench/xmrig_peer.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "arch/child_process.h"
#include "arch/clock.h"
#include "bench/measure.h"
#include "bench/progress.h"
#include "stratum/pool_server.h"
#include "stratum/pool_template.h"

#define READY_TIMEOUT_SECONDS 300 /* a slow machine's dataset build */
#define STOP_TIMEOUT_SECONDS  10
#define SHARE_SECONDS         4 /* no share in 40 s: e^-10 */

/* The lab pool on its own loop and thread, stopped from ours through an async handle. */
typedef struct {
    uv_loop_t loop;
    uv_async_t stop;
    uv_thread_t thread;
    stratum_pool_server_t *server;
    stratum_pool_server_stats_t stats;
} peer_pool_t;

static void on_pool_stop(uv_async_t *handle)
{
    peer_pool_t *pool = handle->data;
    stratum_pool_server_stop(pool->server);
    uv_close((uv_handle_t *)&pool->stop, NULL);
}

static void pool_thread(void *arg)
{
    peer_pool_t *pool = arg;
    uv_run(&pool->loop, UV_RUN_DEFAULT);
}

static int pool_start(peer_pool_t *pool, const pow_algo_t *algo, uint64_t difficulty, int *port,
                      char *why, size_t why_len)
{
    static const char *const listen[] = {"127.0.0.1:0"};
    stratum_pool_server_config_t config = {
        .listen = listen,
        .listen_count = 1,
        .algo = algo,
        .difficulty = difficulty,
        .min_difficulty = 1,
        .max_connections = 4,
        .login_timeout_ms = 60000,
        .idle_timeout_ms = 3600000,
        .max_invalid = 1000,
        .max_bad_lines = 10,
    };
    memset(pool, 0, sizeof(*pool));
    uv_loop_init(&pool->loop);
    stratum_pool_synthetic_t chain;
    stratum_pool_template_t tpl;
    if (stratum_pool_server_create(&pool->server, &pool->loop, &config, why, why_len) != 0) {
        uv_loop_close(&pool->loop);
        return -EINVAL;
    }
    if (stratum_pool_synthetic_init(&chain, algo, 3200000, 0) != 0 ||
        stratum_pool_synthetic_next(&chain, &tpl) != 0) {
        snprintf(why, why_len, "no randomness for the lab pool's jobs");
        stratum_pool_server_destroy(pool->server);
        uv_loop_close(&pool->loop);
        return -EIO;
    }
    if (stratum_pool_server_start(pool->server, &tpl, why, why_len) != 0) {
        stratum_pool_server_stop(pool->server);
        uv_run(&pool->loop, UV_RUN_DEFAULT);
        stratum_pool_server_destroy(pool->server);
        uv_loop_close(&pool->loop);
        return -EIO;
    }
    const char *address = stratum_pool_server_address(pool->server, 0, NULL);
    const char *colon = address != NULL ? strrchr(address, ':') : NULL;
    *port = colon != NULL ? atoi(colon + 1) : 0;
    uv_async_init(&pool->loop, &pool->stop, on_pool_stop);
    pool->stop.data = pool;
    uv_thread_create(&pool->thread, pool_thread, pool);
    return 0;
}

static void pool_finish(peer_pool_t *pool)
{
    uv_async_send(&pool->stop);
    uv_thread_join(&pool->thread); /* its loop ends once the server's handles are closed */
    stratum_pool_server_stats(pool->server, &pool->stats);
    stratum_pool_server_destroy(pool->server);
    uv_loop_close(&pool->loop);
}

/* A loopback port nobody holds now (XMRig binds it a moment later). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

/* Starts argv[0] with its output to log_fd (or /dev/null); -1 when fork fails. */
static pid_t spawn(char *const argv[], int log_fd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive minemeter */
    int out = log_fd >= 0 ? log_fd : open("/dev/null", O_WRONLY);
    if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
    }
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    execv(argv[0], argv);
    _exit(127);
}

/* Waits for pid up to seconds, then kills it; its exit status, or -1. */
static int stop_process(pid_t pid, int signum, unsigned seconds)
{
    int status = 0;
    kill(pid, signum);
    for (unsigned i = 0; i < seconds * 10; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        struct timespec tick = {0, 100000000};
        nanosleep(&tick, NULL);
    }
    kill(pid, SIGKILL);
    return waitpid(pid, &status, 0) == pid ? status : -1;
}

int bench_xmrig_version(const char *path, char *version, size_t cap, char *why, size_t why_len)
{
    if (access(path, X_OK) != 0) {
        snprintf(why, why_len, "--xmrig %s: %s", path, strerror(errno));
        return -1;
    }
    char *argv[] = {(char *)path, "--version", NULL};
    char text[512] = "";
    arch_child_spec_t spec = {
        .path = path,
        .argv = argv,
        .pu = -1,
        .timeout_ns = (uint64_t)STOP_TIMEOUT_SECONDS * 1000000000u,
        .out = text,
        .out_cap = sizeof(text),
    };
    arch_child_result_t result;
    int rc = arch_child_run(&spec, &result);
    const char *name = strstr(text, "XMRig ");
    if (rc != 0 || result.timed_out || !WIFEXITED(result.status) ||
        WEXITSTATUS(result.status) != 0 || name == NULL) {
        snprintf(why, why_len, "--xmrig %s: '%s --version' did not print an XMRig version", path,
                 path);
        return -1;
    }
    snprintf(version, cap, "%.*s", (int)strcspn(name + 6, " \r\n"), name + 6);
    return 0;
}

static size_t collect(char *data, size_t size, size_t count, void *user)
{
    char *buffer = user;
    size_t have = strlen(buffer), add = size * count;
    if (have + add >= 65536)
        return 0;
    memcpy(buffer + have, data, add);
    buffer[have + add] = '\0';
    return add;
}

/* XMRig's 10 s hash rate from /1/summary: > 0, 0 while it has none yet, < 0 when unreadable. */
static double read_hashrate(CURL *curl, char *buffer)
{
    buffer[0] = '\0';
    if (curl_easy_perform(curl) != CURLE_OK)
        return -1;
    json_t *root = json_loads(buffer, 0, NULL);
    json_t *total = json_object_get(json_object_get(root, "hashrate"), "total");
    json_t *first = json_array_get(total, 0);
    double rate = first == NULL ? -1 : json_is_number(first) ? json_number_value(first) : 0;
    json_decref(root);
    return rate;
}

/* Sleeps up to seconds in short steps; -EINTR when bench is interrupted. */
static int wait_seconds(double seconds)
{
    uint64_t end = arch_clock_ns() + (uint64_t)(seconds * 1e9);
    while (arch_clock_ns() < end) {
        if (bench_interrupted())
            return -EINTR;
        struct timespec tick = {0, 50000000};
        nanosleep(&tick, NULL);
    }
    return 0;
}

/* What XMRig's log says of its dataset and pages. */
static void read_log(int fd, bench_xmrig_run_t *out)
{
    static char text[1 << 16];
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    const char *ready = strstr(text, "dataset ready (");
    if (ready != NULL)
        out->dataset_seconds = strtod(ready + strlen("dataset ready ("), NULL) / 1000.0;
    const char *pages = strstr(text, "huge pages ");
    if (pages != NULL)
        snprintf(out->pages, sizeof(out->pages), "%.*s", (int)strcspn(pages, "\r\n("), pages);
    size_t len = strlen(out->pages);
    while (len > 0 && out->pages[len - 1] == ' ')
        out->pages[--len] = '\0';
}

struct bench_xmrig_session {
    peer_pool_t pool;
    pid_t pid;
    CURL *curl;
    char log_path[32];
    int log_fd;
    const char *algo;
    unsigned threads;
    char body[65536];
};

/* Stops XMRig (continued first: a stopped process acts on SIGINT only once it runs) and reaps it.
 */
static void stop_xmrig(bench_xmrig_session_t *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGCONT);
    stop_process(s->pid, SIGINT, STOP_TIMEOUT_SECONDS);
    s->pid = -1;
}

/* Whether XMRig is still running; when not, out->why says so. */
static int xmrig_alive(bench_xmrig_session_t *s, bench_xmrig_run_t *out)
{
    int status;
    if (waitpid(s->pid, &status, WNOHANG) != s->pid)
        return 1;
    s->pid = -1;
    snprintf(out->why, sizeof(out->why), "XMRig exited (its log: %s)", s->log_path);
    return 0;
}

int bench_xmrig_start(const bench_xmrig_config_t *config, bench_xmrig_session_t **session,
                      bench_xmrig_run_t *out)
{
    memset(out, 0, sizeof(*out));
    *session = NULL;
    bench_xmrig_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(out->why, sizeof(out->why), "out of memory");
        return -ENOMEM;
    }
    s->pid = -1;
    s->algo = pow_algo_name(config->algo);
    s->threads = config->threads;
    double rate = config->expected_hps > 0 ? config->expected_hps : 1;
    uint64_t difficulty = (uint64_t)(rate * SHARE_SECONDS) + 1;
    int pool_port = 0;
    if (pool_start(&s->pool, config->algo, difficulty, &pool_port, out->why, sizeof(out->why)) !=
        0) {
        free(s);
        return -EIO;
    }
    int api_port = free_port();
    snprintf(s->log_path, sizeof(s->log_path), "/tmp/minemeter-xmrig-XXXXXX");
    s->log_fd = mkstemp(s->log_path);
    if (api_port < 0 || s->log_fd < 0) {
        snprintf(out->why, sizeof(out->why), "no free port or temporary file: %s", strerror(errno));
        if (s->log_fd >= 0) {
            close(s->log_fd);
            unlink(s->log_path);
        }
        pool_finish(&s->pool);
        free(s);
        return -EIO;
    }

    uint64_t mask = 0;
    for (unsigned i = 0; i < config->threads; i++)
        mask |= config->pus[i] >= 0 && config->pus[i] < 64 ? UINT64_C(1) << config->pus[i] : 0;
    char url[32], threads[16], affinity[24], api[16];
    snprintf(url, sizeof(url), "127.0.0.1:%d", pool_port);
    snprintf(threads, sizeof(threads), "%u", config->threads);
    snprintf(affinity, sizeof(affinity), "0x%" PRIx64, mask);
    snprintf(api, sizeof(api), "%d", api_port);
    char *argv[40];
    int argc = 0;
    const char *fixed[] = {config->path,
                           "--url",
                           url,
                           "--user",
                           "minemeter-bench",
                           "--pass",
                           "x",
                           "--algo",
                           s->algo,
                           "--threads",
                           threads,
                           "--cpu-affinity",
                           affinity,
                           "--randomx-wrmsr=-1",
                           "--randomx-no-rdmsr",
                           "--no-color",
                           "--http-host",
                           "127.0.0.1",
                           "--http-port",
                           api,
                           "--donate-level",
                           "0",
                           "--print-time",
                           "60",
                           "--log-file",
                           s->log_path};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        argv[argc++] = (char *)fixed[i];
    if (pow_algo_needs_key(config->algo)) {
        argv[argc++] = "--randomx-mode";
        argv[argc++] = config->fast ? "fast" : "light";
    }
    if (!config->huge_pages)
        argv[argc++] = "--no-huge-pages";
    if (config->gb_pages)
        argv[argc++] = "--randomx-1gb-pages";
    argv[argc] = NULL;

    uint64_t started = arch_clock_ns();
    s->pid = spawn(argv, -1);
    s->curl = curl_easy_init();
    char api_url[64]; /* libcurl keeps its own copy */
    snprintf(api_url, sizeof(api_url), "http://127.0.0.1:%d/1/summary", api_port);
    int rc = s->pid > 0 && s->curl != NULL ? 0 : -ECHILD;
    if (s->curl != NULL) {
        curl_easy_setopt(s->curl, CURLOPT_URL, api_url);
        curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s->body);
        curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, 2000L);
        curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(s->curl, CURLOPT_NOPROXY, "*");
    }
    if (rc != 0)
        snprintf(out->why, sizeof(out->why), "cannot start %s", config->path);
    /* Its first 10 s figure: the dataset built, the threads hashing. Then it waits, stopped. */
    while (rc == 0) {
        if (!xmrig_alive(s, out)) {
            rc = -ECHILD;
            break;
        }
        double now = (double)(arch_clock_ns() - started) / 1e9;
        if (now > READY_TIMEOUT_SECONDS) {
            snprintf(out->why, sizeof(out->why), "XMRig gave no hash rate in %d s (its log: %s)",
                     READY_TIMEOUT_SECONDS, s->log_path);
            rc = -ETIMEDOUT;
            break;
        }
        bench_progress("XMRig %s with %u thread(s): starting (%.0f s)", s->algo, s->threads, now);
        if (read_hashrate(s->curl, s->body) > 0) {
            out->ready_seconds = now;
            kill(s->pid, SIGSTOP);
            break;
        }
        rc = wait_seconds(0.5);
    }
    bench_progress_done();
    *session = s;
    return rc;
}

int bench_xmrig_window(bench_xmrig_session_t *s, unsigned number, unsigned count,
                       bench_xmrig_run_t *out)
{
    if (s->pid <= 0 || out->count >= BENCH_MAX_REPEAT)
        return -ECHILD;
    kill(s->pid, SIGCONT);
    bench_progress("XMRig %s with %u thread(s), window %u of %u", s->algo, s->threads, number,
                   count);
    int rc = wait_seconds(BENCH_XMRIG_WINDOW_SECONDS + BENCH_XMRIG_RESUME_SECONDS);
    double hps = rc == 0 ? read_hashrate(s->curl, s->body) : -1;
    if (rc == 0 && !xmrig_alive(s, out))
        rc = -ECHILD;
    else if (rc == 0 && hps <= 0) {
        snprintf(out->why, sizeof(out->why), "XMRig's API gave no hash rate (its log: %s)",
                 s->log_path);
        rc = -EIO;
    }
    if (s->pid > 0)
        kill(s->pid, SIGSTOP);
    bench_progress_done();
    if (rc == 0)
        out->hps[out->count++] = hps;
    return rc;
}

int bench_xmrig_finish(bench_xmrig_session_t *s, int rc, bench_xmrig_run_t *out)
{
    if (s == NULL)
        return rc;
    if (s->curl != NULL)
        curl_easy_cleanup(s->curl);
    stop_xmrig(s);
    read_log(s->log_fd, out);
    close(s->log_fd);
    pool_finish(&s->pool);
    out->accepted = s->pool.stats.accepted;
    out->rejected = s->pool.stats.rejected;
    if (rc == 0 && out->rejected > 0) {
        snprintf(out->why, sizeof(out->why),
                 "the lab pool rejected %" PRIu64 " of XMRig's shares: its figure does not count",
                 out->rejected);
        rc = -EBADMSG;
    } else if (rc == 0 && out->accepted == 0) {
        snprintf(out->why, sizeof(out->why),
                 "the lab pool accepted no share from XMRig: its figure is unverified");
        rc = -EBADMSG;
    }
    if (rc == 0 || rc == -EINTR)
        unlink(s->log_path); /* kept when it says why XMRig failed */
    free(s);
    return rc;
}
