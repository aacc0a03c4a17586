/*
 * The API server on loopback, asked by a real HTTP client (libcurl): what
 * it serves, and how it refuses what it must not serve.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/server.h"
#include "tests/support/http_get.h"

typedef struct {
    http_server_t *server;
    char base[64];
} running_t;

static void start(running_t *r, const char *token)
{
    http_listen_address_t a;
    char why[256] = "";
    cr_assert_eq(http_listen_address_parse("127.0.0.1:0", &a, why, sizeof(why)), 0, "%s", why);
    http_server_config_t config = {.address = &a, .token = token};
    cr_assert_eq(http_server_start(&r->server, &config, why, sizeof(why)), 0, "%s", why);
    cr_assert_neq(http_server_port(r->server), 0, "port 0 must come back as the port bound");
    snprintf(r->base, sizeof(r->base), "http://127.0.0.1:%u", http_server_port(r->server));
}

static void publish_hashes(running_t *r, uint64_t hashes, uint64_t now_ns)
{
    http_status_t *s = calloc(1, sizeof(*s));
    strcpy(s->command, "load");
    strcpy(s->id, "feedfacecafebeef");
    strcpy(s->algo, "cn/2");
    s->hashes = hashes;
    s->now_ns = now_ns;
    s->threads = 1;
    s->rate[0] = s->rate[1] = s->rate[2] = -1;
    s->highest = -1;
    s->thread[0].rate[0] = s->thread[0].rate[1] = s->thread[0].rate[2] = -1;
    http_server_publish(r->server, s);
    free(s);
}

static void publish(running_t *r)
{
    publish_hashes(r, 4242, 0);
}

static long get(const running_t *r, const char *path, const http_request_t *request, char **body)
{
    char url[128];
    snprintf(url, sizeof(url), "%s%s", r->base, path);
    return http_get(url, request, body);
}

Test(http_server, answers_503_until_the_first_status_then_serves_it)
{
    running_t r;
    start(&r, NULL);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), 503);
    publish(&r);
    char *body = NULL;
    cr_assert_eq(get(&r, "/1/summary", NULL, &body), 200);
    json_t *o = json_loads(body, 0, NULL);
    cr_assert_not_null(o, "%s", body);
    cr_assert_str_eq(json_string_value(json_object_get(o, "id")), "feedfacecafebeef");
    json_decref(o);
    free(body);
    cr_assert_eq(get(&r, "/api/summary", NULL, &body), 200);
    cr_assert(strstr(body, "\"hashes_total\": 4242") != NULL, "%s", body);
    free(body);
    cr_assert_eq(get(&r, "/metrics", NULL, &body), 200);
    cr_assert(strstr(body, "minemeter_hashes_total 4242\n") != NULL, "%s", body);
    free(body);
    cr_assert_eq(get(&r, "/", NULL, &body), 200);
    cr_assert(strstr(body, "</html>") != NULL, "the dashboard is served whole");
    free(body);
    publish(&r);
    cr_assert_eq(get(&r, "/api/history", NULL, &body), 200);
    json_t *h = json_loads(body, 0, NULL);
    cr_assert_not_null(h, "%s", body);
    cr_assert_eq(json_array_size(json_object_get(h, "t")), 1, "one point per newer status: %s",
                 body);
    json_decref(h);
    free(body);
    cr_assert_eq(get(&r, "/nothing", NULL, NULL), 404);
    cr_assert_geq(http_server_requests(r.server), 7);
    http_server_stop(r.server);
}

Test(http_server, is_read_only)
{
    running_t r;
    start(&r, NULL);
    publish(&r);
    http_request_t post = {.method = "POST", .body = "x=1"};
    cr_assert_eq(get(&r, "/1/summary", &post, NULL), 405);
    http_request_t del = {.method = "DELETE"};
    cr_assert_eq(get(&r, "/metrics", &del, NULL), 405);
    http_request_t get_with_body = {.method = "GET", .body = "x=1"};
    cr_assert_eq(get(&r, "/metrics", &get_with_body, NULL), 413);
    http_server_stop(r.server);
}

Test(http_server, an_oversized_request_gets_a_4xx_and_the_server_goes_on)
{
    running_t r;
    start(&r, NULL);
    publish(&r);
    size_t n = 2 * HTTP_SERVER_MEMORY_LIMIT;
    char *header = malloc(n + 16);
    strcpy(header, "X-Big: ");
    memset(header + 7, 'a', n);
    header[7 + n] = '\0';
    http_request_t big = {.header = header};
    long code = get(&r, "/1/summary", &big, NULL);
    cr_assert(code >= 400 && code < 500, "an oversized request got %ld", code);
    free(header);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), 200);
    http_server_stop(r.server);
}

Test(http_server, with_a_token_every_request_needs_it)
{
    running_t r;
    start(&r, "s3cret-token");
    publish(&r);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), 401);
    cr_assert_eq(get(&r, "/api/history", NULL, NULL), 401);
    char *page = NULL;
    cr_assert_eq(get(&r, "/", NULL, &page), 200, "the dashboard page holds no figures");
    cr_assert(strstr(page, "<html") != NULL && strstr(page, "feedfacecafebeef") == NULL);
    free(page);
    http_request_t wrong = {.header = "Authorization: Bearer s3cret-tokeN"};
    cr_assert_eq(get(&r, "/metrics", &wrong, NULL), 401);
    http_request_t longer = {.header = "Authorization: Bearer s3cret-token2"};
    cr_assert_eq(get(&r, "/metrics", &longer, NULL), 401);
    http_request_t basic = {.header = "Authorization: Basic s3cret-token"};
    cr_assert_eq(get(&r, "/metrics", &basic, NULL), 401);
    http_request_t right = {.header = "Authorization: Bearer s3cret-token"};
    cr_assert_eq(get(&r, "/metrics", &right, NULL), 200);
    cr_assert_eq(get(&r, "/1/summary", &right, NULL), 200);
    http_server_stop(r.server);
}

Test(http_server, stopping_closes_the_port)
{
    running_t r;
    start(&r, NULL);
    publish(&r);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), 200);
    http_server_stop(r.server);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), -1, "nothing may answer after the stop");
}

Test(http_server, a_port_in_use_is_refused_with_a_sentence)
{
    running_t r;
    start(&r, NULL);
    http_listen_address_t a;
    char why[256] = "", text[32];
    snprintf(text, sizeof(text), "127.0.0.1:%u", http_server_port(r.server));
    cr_assert_eq(http_listen_address_parse(text, &a, why, sizeof(why)), 0);
    http_server_config_t config = {.address = &a};
    http_server_t *second = NULL;
    cr_assert_eq(http_server_start(&second, &config, why, sizeof(why)), -1);
    cr_assert_null(second);
    cr_assert(strstr(why, "could not listen") != NULL, "%s", why);
    http_server_stop(r.server);
}

Test(http_server, every_view_follows_each_new_status_at_once)
{
    running_t r;
    start(&r, NULL);
    for (uint64_t k = 1; k <= 3; k++) {
        publish_hashes(&r, 1000 * k, k * 1000000000ull);
        char want[64], *body = NULL;
        for (int ask = 0; ask < 2; ask++) { /* the second answer comes from the kept render */
            snprintf(want, sizeof(want), "minemeter_hashes_total %" PRIu64 "\n", 1000 * k);
            cr_assert_eq(get(&r, "/metrics", NULL, &body), 200);
            cr_assert(strstr(body, want) != NULL, "after publish %" PRIu64 ": %s", k, body);
            free(body);
            snprintf(want, sizeof(want), "\"hashes_total\": %" PRIu64, 1000 * k);
            cr_assert_eq(get(&r, "/1/summary", NULL, &body), 200);
            cr_assert(strstr(body, want) != NULL, "after publish %" PRIu64 ": %s", k, body);
            free(body);
            cr_assert_eq(get(&r, "/api/history", NULL, &body), 200);
            json_t *h = json_loads(body, 0, NULL);
            cr_assert_eq(json_array_size(json_object_get(h, "t")), k, "%s", body);
            json_decref(h);
            free(body);
        }
    }
    http_server_stop(r.server);
}

/*
 * Sends raw bytes to the server, puts its first line in first_line, and
 * returns what the read returned: 0 when the server closed unanswered, -1
 * when it said nothing for 5 s.
 */
static ssize_t raw_exchange(const running_t *r, const char *bytes, char *first_line, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    a.sin_port = htons((uint16_t)http_server_port(r->server));
    cr_assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    struct timeval timeout = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    cr_assert_eq(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
    ssize_t n = read(fd, first_line, len - 1);
    first_line[n > 0 ? n : 0] = '\0';
    first_line[strcspn(first_line, "\r\n")] = '\0';
    close(fd);
    return n;
}

Test(http_server, malformed_requests_get_a_4xx_or_a_close_and_the_server_goes_on)
{
    running_t r;
    start(&r, NULL);
    publish(&r);
    char line[256];
    raw_exchange(&r, "\x16\x03\x01\x02 a TLS hello, not HTTP\r\n\r\n", line, sizeof(line));
    cr_assert(strncmp(line, "HTTP/1.1 400", 12) == 0, "garbage got \"%s\"", line);
    raw_exchange(&r, "GET /x HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n", line, sizeof(line));
    cr_assert(strncmp(line, "HTTP/1.1 400", 12) == 0, "a bad header got \"%s\"", line);
    raw_exchange(&r, "GET /1/summary HTTP/9.9\r\nHost: x\r\n\r\n", line, sizeof(line));
    cr_assert(strncmp(line, "HTTP/1.1 505", 12) == 0, "an unknown version got \"%s\"", line);
    /* A request line without a version is HTTP/0.9's: closed at once, unanswered, no hang. */
    cr_assert_eq(raw_exchange(&r, "HELLO\r\n\r\n", line, sizeof(line)), 0, "got \"%s\"", line);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), 200);
    http_server_stop(r.server);
}

Test(http_server, serves_on_ipv6_loopback)
{
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&a6, sizeof(a6)) == 0;
    if (probe >= 0)
        close(probe);
    if (!have_v6)
        cr_skip_test("this machine has no IPv6 loopback");
    http_listen_address_t a;
    char why[256] = "";
    cr_assert_eq(http_listen_address_parse("[::1]:0", &a, why, sizeof(why)), 0, "%s", why);
    running_t r;
    http_server_config_t config = {.address = &a};
    cr_assert_eq(http_server_start(&r.server, &config, why, sizeof(why)), 0, "%s", why);
    snprintf(r.base, sizeof(r.base), "http://[::1]:%u", http_server_port(r.server));
    publish(&r);
    cr_assert_eq(get(&r, "/1/summary", NULL, NULL), 200, "%s", r.base);
    http_server_stop(r.server);
}

Test(http_server, on_loopback_a_foreign_host_name_is_refused)
{
    running_t r;
    start(&r, NULL);
    publish(&r);
    char host[96];
    const char *allowed[] = {"localhost", "127.0.0.1", "127.0.0.2", "[::1]"};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        snprintf(host, sizeof(host), "Host: %s:%u", allowed[i], http_server_port(r.server));
        http_request_t request = {.header = host};
        cr_assert_eq(get(&r, "/1/summary", &request, NULL), 200, "%s", host);
    }
    const char *refused[] = {"rebind.example", "127.0.0.1.rebind.example", "localhost.example",
                             "10.0.0.1", "[::2]"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        snprintf(host, sizeof(host), "Host: %s:%u", refused[i], http_server_port(r.server));
        http_request_t request = {.header = host};
        cr_assert_eq(get(&r, "/1/summary", &request, NULL), 403, "%s", host);
        cr_assert_eq(get(&r, "/", &request, NULL), 403, "the page too: %s", host);
    }
    http_server_stop(r.server);
}

/* The CSP header of a response, or "" (a libcurl header callback). */
static size_t on_header(char *line, size_t size, size_t n, void *context)
{
    char *csp = context;
    size_t len = size * n;
    if (len > 24 && strncasecmp(line, "Content-Security-Policy:", 24) == 0)
        snprintf(csp, 512, "%.*s", (int)(len - 24), line + 24);
    return len;
}

Test(http_server, the_page_may_run_its_own_script_and_reach_only_this_origin)
{
    running_t r;
    start(&r, NULL);
    CURL *curl = curl_easy_init();
    char url[96], csp[512] = "";
    snprintf(url, sizeof(url), "%s/", r.base);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, csp);
    cr_assert_eq(curl_easy_perform(curl), CURLE_OK);
    curl_easy_cleanup(curl);
    cr_assert(strstr(csp, "default-src 'none'") != NULL, "CSP: %s", csp);
    cr_assert(strstr(csp, "connect-src 'self'") != NULL, "CSP: %s", csp);
    cr_assert(strstr(csp, "frame-ancestors 'none'") != NULL, "CSP: %s", csp);
    http_server_stop(r.server);
}
