/*
 * The dashboard in a real browser: Debian's chromium, headless, loads the
 * page from a running `load` (token in the URL's fragment) and the test
 * reads the page's DOM: the hash-rate chart drew a non-zero rate from the
 * history and the polls, and the page met no error (none reported by the
 * page, no console line). The screenshot is kept for people to look at:
 * tests/artifacts/dashboard.png in the build tree (or, where the tree is
 * not writable, /tmp/minemeter-artifacts-UID/).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/http_get.h"
#include "tests/support/run_command.h"
#include "tests/support/spawn.h"

#define CHROMIUM "/usr/bin/chromium"

/* Seconds of run the server reports, or -1 before its first status. */
static double uptime_of(unsigned port, const char *token_header)
{
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/summary", port);
    http_request_t request = {.header = token_header};
    json_t *o = http_get_json(url, &request, NULL);
    double t = o != NULL ? json_real_value(json_object_get(o, "uptime_s")) : -1;
    json_decref(o);
    return t;
}

/* The value of attribute name in the element with id in html ("" when absent). */
static void attribute_of(const char *html, const char *id, const char *name, char *out, size_t len)
{
    out[0] = '\0';
    char needle[64];
    snprintf(needle, sizeof(needle), "id=\"%s\"", id);
    const char *at = strstr(html, needle);
    if (at == NULL)
        return;
    const char *start = at;
    while (start > html && *start != '<')
        start--;
    const char *end = strchr(at, '>');
    char key[64];
    snprintf(key, sizeof(key), " %s=\"", name);
    const char *v = strstr(start, key);
    if (v == NULL || end == NULL || v > end)
        return;
    v += strlen(key);
    size_t n = strcspn(v, "\"");
    snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), v);
}

/* Runs chromium headless on url with extra (one argument); returns what it printed. */
static run_result_t *chromium(const char *profile, const char *url, const char *extra)
{
    char home[160], data_dir[200];
    snprintf(home, sizeof(home), "HOME=%s", profile);
    snprintf(data_dir, sizeof(data_dir), "--user-data-dir=%s/chromium", profile);
    return run_command(ARGS("/usr/bin/env", home, CHROMIUM, "--headless=new", "--no-sandbox",
                            "--disable-gpu", "--no-first-run", data_dir, "--window-size=1280,1100",
                            "--virtual-time-budget=3000", "--enable-logging=stderr", "--v=0", extra,
                            url),
                       NULL, 120);
}

Test(http_dashboard, draws_a_live_hash_rate_without_errors_in_chromium, .timeout = 240)
{
    cr_assert_eq(access(CHROMIUM, X_OK), 0,
                 "chromium is missing: run scripts/install-deps.sh (Debian's chromium)");
    spawned_t m;
    spawn_minemeter(&m, ARGS("load", "--duration", "120", "--algo", "cn/2", "--threads", "1",
                             "--profile", "square:3/1", "--http", "127.0.0.1:0", "--http-token",
                             "dash-token"));
    cr_assert_eq(spawn_wait_output(&m, "read-only API on http://127.0.0.1:", 60), 0,
                 "no API line: %s", spawn_output(&m));
    char *out = spawn_output(&m);
    unsigned port = http_port_in(out);
    free(out);
    cr_assert_neq(port, 0);
    const char *auth = "Authorization: Bearer dash-token";
    for (int i = 0; i < 200 && uptime_of(port, auth) < 4.5; i++)
        usleep(100000); /* a few seconds of history, an idle second among them */

    char profile[] = "/tmp/minemeter-chromium-XXXXXX";
    cr_assert_not_null(mkdtemp(profile));
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/#token=dash-token", port);
    run_result_t *dom = chromium(profile, url, "--dump-dom");
    cr_assert(dom->exited && dom->exit_code == 0, "chromium: %s", dom->err);
    char points[32], rate[32];
    attribute_of(dom->out, "rate-chart", "data-points", points, sizeof(points));
    attribute_of(dom->out, "rate-chart", "data-last-rate", rate, sizeof(rate));
    const char *body = strstr(dom->out, "<body");
    cr_assert_not_null(body, "no body in the DOM: %s", dom->out);
    cr_assert_not_null(strstr(body, "data-errors=\"0\""), "the page met errors: %s", dom->out);
    cr_assert_geq(atoi(points), 4, "the chart has %s points:\n%s", points, dom->out);
    cr_assert_gt(atof(rate), 0, "the chart's last rate is %s", rate);
    cr_assert_not_null(strstr(dom->out, "<path d=\"M"), "no line was drawn: %s", dom->out);
    cr_assert_not_null(strstr(dom->out, ">live<"), "the page never reached the API");
    cr_assert_null(strstr(dom->err, ":CONSOLE"), "console lines:\n%s", dom->err);
    run_result_free(dom);

    /* The picture, for people: next to the test binary, in tests/artifacts/. */
    char bin[] = MINEMETER_BIN, artifacts[300], shot[360], flag[380];
    snprintf(artifacts, sizeof(artifacts), "%s/tests/artifacts", dirname(bin));
    mkdir(artifacts, 0755);
    if (access(artifacts, W_OK) != 0) { /* a build tree this user cannot write (CI as nobody) */
        snprintf(artifacts, sizeof(artifacts), "/tmp/minemeter-artifacts-%u", (unsigned)getuid());
        mkdir(artifacts, 0755);
    }
    snprintf(shot, sizeof(shot), "%s/dashboard.png", artifacts);
    unlink(shot);
    snprintf(flag, sizeof(flag), "--screenshot=%s", shot);
    run_result_t *pic = chromium(profile, url, flag);
    cr_assert(pic->exited && pic->exit_code == 0, "chromium: %s", pic->err);
    struct stat st;
    cr_assert_eq(stat(shot, &st), 0, "no screenshot at %s", shot);
    cr_assert_gt(st.st_size, 10000, "a %lld-byte screenshot is blank", (long long)st.st_size);
    cr_log_info("dashboard screenshot: %s", shot);
    run_result_free(pic);

    char rm[200];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", profile);
    cr_assert_eq(system(rm), 0);
    cr_assert_eq(spawn_stop(&m, SIGINT, 30), 0);
    spawn_cleanup(&m);
}
