/*
 * --config FILE and --dump-config: a file of option names fills what the
 * command line leaves unset, the command line wins, XMRig's config.json is
 * read with every ignored key named, and every mistake in a file is one
 * sentence and exit 2.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/machine.h"
#include "tests/support/run_command.h"
#include "tests/support/spawn.h"
#include "tests/support/test_pool.h"

static char config_path[64];

static const char *write_config(const char *text)
{
    snprintf(config_path, sizeof(config_path), "/tmp/minemeter-config-%d.json", (int)getpid());
    FILE *f = fopen(config_path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return config_path;
}

static void remove_config(void)
{
    if (config_path[0] != '\0')
        unlink(config_path);
}

TestSuite(cli_config, .fini = remove_config);

/* XMRig's default config.json (6.x), with the pool and the mode a test can use filled in. */
static const char *xmrig_default_config(const char *pool_url, const char *mode)
{
    static char text[4096];
    snprintf(
        text, sizeof(text),
        "{\n"
        "    \"api\": {\"id\": null, \"worker-id\": null},\n"
        "    \"http\": {\"enabled\": false, \"host\": \"127.0.0.1\", \"port\": 0,\n"
        "             \"access-token\": null, \"restricted\": true},\n"
        "    \"autosave\": true, \"background\": false, \"colors\": true, \"title\": true,\n"
        "    \"randomx\": {\"init\": -1, \"init-avx2\": -1, \"mode\": \"%s\", \"1gb-pages\": "
        "false,\n"
        "                \"rdmsr\": true, \"wrmsr\": true, \"cache_qos\": false, \"numa\": true,\n"
        "                \"scratchpad_prefetch_mode\": 1},\n"
        "    \"cpu\": {\"enabled\": true, \"huge-pages\": true, \"huge-pages-jit\": false,\n"
        "            \"hw-aes\": null, \"priority\": null, \"memory-pool\": false, \"yield\": "
        "true,\n"
        "            \"max-threads-hint\": 100, \"asm\": true, \"argon2-impl\": null,\n"
        "            \"cn/0\": false, \"cn-lite/0\": false},\n"
        "    \"opencl\": {\"enabled\": false, \"cache\": true, \"loader\": null,\n"
        "               \"platform\": \"AMD\", \"adl\": true, \"cn/0\": false, \"cn-lite/0\": "
        "false},\n"
        "    \"cuda\": {\"enabled\": false, \"loader\": null, \"nvml\": true, \"cn/0\": false,\n"
        "             \"cn-lite/0\": false},\n"
        "    \"donate-level\": 1, \"donate-over-proxy\": 1, \"log-file\": null,\n"
        "    \"pools\": [{\"algo\": null, \"coin\": null, \"url\": \"%s\",\n"
        "               \"user\": \"YOUR_WALLET_ADDRESS\", \"pass\": \"x\", \"rig-id\": null,\n"
        "               \"nicehash\": false, \"keepalive\": false, \"enabled\": true, \"tls\": "
        "false,\n"
        "               \"tls-fingerprint\": null, \"daemon\": false, \"socks5\": null,\n"
        "               \"self-select\": null, \"submit-to-origin\": false}],\n"
        "    \"print-time\": 60, \"health-print-time\": 60, \"dmi\": true, \"retries\": 5,\n"
        "    \"retry-pause\": 5, \"syslog\": false,\n"
        "    \"tls\": {\"enabled\": false, \"protocols\": null, \"cert\": null, \"cert_key\": "
        "null,\n"
        "            \"ciphers\": null, \"ciphersuites\": null, \"dhparam\": null},\n"
        "    \"dns\": {\"ip_version\": 0, \"ttl\": 30},\n"
        "    \"user-agent\": null, \"verbose\": 0, \"watch\": true,\n"
        "    \"pause-on-battery\": false, \"pause-on-active\": false\n"
        "}\n",
        mode, pool_url);
    return text;
}

/* What --dump-config printed, parsed. */
static json_t *dumped(run_result_t *r)
{
    cr_assert_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    json_error_t error;
    json_t *o = json_loads(r->out, 0, &error);
    cr_assert_not_null(o, "not JSON (%s): %s", error.text, r->out);
    return o;
}

Test(cli_config, xmrig_s_default_config_mines_on_the_test_pool_and_names_what_it_ignored,
     .timeout = 180)
{
    test_pool_config_t pc = {.algo = "rx/0", .difficulty = 8, .advertise_algo = 1};
    test_pool_t *pool = test_pool_start(&pc);
    cr_assert_not_null(pool);
    char url[64];
    snprintf(url, sizeof(url), "127.0.0.1:%d", test_pool_port(pool));
    const char *path = write_config(xmrig_default_config(url, "light"));
    spawned_t m;
    /* The command line wins: --threads and --print-time over the file's (XMRig's rule, 60 s). */
    spawn_minemeter(
        &m, ARGS("mine", "--config", path, "--threads", test_threads_arg(), "--print-time", "1"));
    int accepted = spawn_wait_output(&m, "share accepted (2/0)", 120);
    int printed = spawn_wait_output(&m, "speed 10s", 30);
    spawn_stop(&m, SIGINT, 60);
    char *out = spawn_output(&m);
    test_pool_stop(pool);
    cr_expect_eq(accepted, 0, "%s", out);
    cr_expect_eq(printed, 0, "--print-time 1 from the command line: %s", out);
    char logged_in[96];
    snprintf(logged_in, sizeof(logged_in), "logged in to stratum+tcp://%s", url);
    cr_expect_not_null(strstr(out, logged_in), "%s", out);
    cr_expect_not_null(strstr(out, "randomx: light mode"), "the file's mode: %s", out);
    char threads[48];
    snprintf(threads, sizeof(threads), "mining with %s thread(s) (as --threads asked)",
             test_threads_arg());
    cr_expect_not_null(strstr(out, threads), "%s", out);
    const char *ignored = strstr(out, "is XMRig's config.json; ignored, as mine has no option for "
                                      "them: ");
    cr_assert_not_null(ignored, "%s", out);
    const char *named[] = {"donate-level", "autosave", "cpu.yield", "randomx.wrmsr", "dns.ttl"};
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        cr_expect_not_null(strstr(ignored, named[i]), "%s not named: %s", named[i], out);
    /* Null, false and switched-off sections ask for nothing, so they are not news. */
    const char *quiet[] = {"background", "pause-on-active", "opencl", "cuda",
                           "tls.",       "cpu.priority"};
    for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
        cr_expect_null(strstr(ignored, quiet[i]), "%s named: %s", quiet[i], out);
    free(out);
    spawn_cleanup(&m);
}

Test(cli_config, xmrig_s_pools_cpu_randomx_and_http_become_minemeter_options)
{
    const char *path = write_config(
        "{\"pools\": [\n"
        "   {\"url\": \"127.0.0.1:3333\", \"user\": \"wallet\", \"pass\": \"p\", \"rig-id\": "
        "\"r1\",\n"
        "    \"keepalive\": true, \"algo\": \"rx/0\", \"enabled\": true},\n"
        "   {\"url\": \"127.0.0.1:4444\", \"enabled\": false},\n"
        "   {\"url\": \"127.0.0.1:5555\", \"tls\": true, \"tls-fingerprint\": \"ab:cd\",\n"
        "    \"user\": \"another\"}],\n"
        " \"cpu\": {\"priority\": 1, \"rx\": [0, 1], \"huge-pages\": false},\n"
        " \"randomx\": {\"mode\": \"fast\", \"1gb-pages\": true, \"numa\": true},\n"
        " \"http\": {\"enabled\": true, \"host\": \"127.0.0.1\", \"port\": 4567,\n"
        "          \"access-token\": \"secret\", \"restricted\": true},\n"
        " \"retry-pause\": 2, \"retries\": 4, \"print-time\": 30}\n");
    run_result_t *r = run_minemeter(ARGS("mine", "--config", path, "--dump-config"));
    json_t *o = dumped(r);
    json_t *urls = json_object_get(o, "url");
    cr_assert_eq(json_array_size(urls), 2, "the disabled pool is left out: %s", r->out);
    cr_expect_str_eq(json_string_value(json_array_get(urls, 0)), "stratum+tcp://127.0.0.1:3333");
    cr_expect_str_eq(json_string_value(json_array_get(urls, 1)), "stratum+ssl://127.0.0.1:5555");
    cr_expect_str_eq(json_string_value(json_object_get(o, "user")), "wallet");
    cr_expect_str_eq(json_string_value(json_object_get(o, "pass")), "p");
    cr_expect_str_eq(json_string_value(json_object_get(o, "rigid")), "r1");
    cr_expect_str_eq(json_string_value(json_object_get(o, "algo")), "rx/0");
    cr_expect_str_eq(json_string_value(json_object_get(o, "tls-fingerprint")), "ab:cd");
    cr_expect(json_is_true(json_object_get(o, "keepalive-on")), "%s", r->out);
    cr_expect_eq(json_integer_value(json_object_get(o, "cpu-priority")), 1);
    cr_expect_eq(json_integer_value(json_object_get(o, "threads")), 2);
    cr_expect_str_eq(json_string_value(json_object_get(o, "affinity")), "0,1");
    cr_expect_str_eq(json_string_value(json_object_get(o, "huge-pages")), "off");
    cr_expect_str_eq(json_string_value(json_object_get(o, "mode")), "fast");
    cr_expect(json_is_true(json_object_get(o, "1gb-pages")), "%s", r->out);
    cr_expect_str_eq(json_string_value(json_object_get(o, "http")), "127.0.0.1:4567");
    cr_expect_str_eq(json_string_value(json_object_get(o, "http-token")), "secret");
    cr_expect_eq(json_integer_value(json_object_get(o, "retry-pause")), 2000, "seconds to ms");
    cr_expect_eq(json_integer_value(json_object_get(o, "retries")), 4);
    cr_expect_eq(json_integer_value(json_object_get(o, "print-time")), 30);
    /* One --user for every pool: the third pool's own is named as ignored. */
    cr_expect_not_null(strstr(r->err, "pools[2].user"), "%s", r->err);
    json_decref(o);
    run_result_free(r);
}

Test(cli_config, a_file_of_option_names_fills_the_rest_and_dumps_back_the_same)
{
    const char *path = write_config(
        "{\"url\": [\"127.0.0.1:3333\", \"127.0.0.1:4444\"], \"user\": \"w\", \"threads\": 1,\n"
        " \"mode\": \"light\", \"verbose\": true, \"tls-insecure\": false, \"rig-id\": \"lab\"}\n");
    run_result_t *r = run_minemeter(ARGS("mine", "--config", path, "--dump-config"));
    json_t *o = dumped(r);
    cr_expect_eq(json_array_size(json_object_get(o, "url")), 2, "%s", r->out);
    cr_expect_eq(json_integer_value(json_object_get(o, "threads")), 1);
    cr_expect(json_is_true(json_object_get(o, "verbose")), "%s", r->out);
    cr_expect_null(json_object_get(o, "tls-insecure"), "false leaves a flag unset: %s", r->out);
    cr_expect_str_eq(json_string_value(json_object_get(o, "rigid")), "lab", "an alias sets it");
    cr_expect_str_eq(r->err, "", "nothing ignored in our own form");
    /* What it dumped reads back to the same options. */
    char *text = json_dumps(o, 0);
    json_decref(o);
    run_result_free(r);
    path = write_config(text);
    free(text);
    r = run_minemeter(ARGS("mine", "--config", path, "--dump-config"));
    json_t *again = dumped(r);
    cr_expect_eq(json_integer_value(json_object_get(again, "threads")), 1, "%s", r->out);
    cr_expect_eq(json_array_size(json_object_get(again, "url")), 2, "%s", r->out);
    json_decref(again);
    run_result_free(r);
}

Test(cli_config, the_command_line_wins_over_the_file)
{
    const char *path = write_config("{\"url\": \"127.0.0.1:3333\", \"user\": \"from-file\", "
                                    "\"threads\": 1, \"mode\": \"light\"}");
    run_result_t *r = run_minemeter(ARGS("mine", "-c", path, "--dump-config", "--threads", "2",
                                         "-u", "from-command-line", "-o", "127.0.0.1:9999"));
    json_t *o = dumped(r);
    cr_expect_eq(json_integer_value(json_object_get(o, "threads")), 2, "%s", r->out);
    cr_expect_str_eq(json_string_value(json_object_get(o, "user")), "from-command-line");
    cr_expect_str_eq(json_string_value(json_object_get(o, "url")), "127.0.0.1:9999");
    cr_expect_str_eq(json_string_value(json_object_get(o, "mode")), "light");
    json_decref(o);
    run_result_free(r);
}

Test(cli_config, load_and_bench_take_a_config_file_too)
{
    const char *path = write_config("{\"duration\": 1, \"algo\": \"cn-pico\", \"threads\": 1}");
    run_result_t *r = run_minemeter(ARGS("load", "--config", path));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "minemeter load: cn-pico on 1 thread(s)"), "%s", r->out);
    run_result_free(r);
    path = write_config("{\"algo\": \"cn-pico\", \"threads\": \"1\", \"repeat\": 1, \"duration\": "
                        "1, \"no-reference\": true}");
    r = run_minemeter(ARGS("bench", "--config", path));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "cn-pico            1"), "%s", r->out);
    run_result_free(r);
}

Test(cli_config, every_mistake_in_a_file_is_one_sentence_and_exit_2)
{
    expect_usage_error(ARGS("mine", "--config", "/no/such/config.json"), "/no/such/config.json");
    static const struct {
        const char *file, *said;
    } mistakes[] = {
        {"{\"user\": \"w\",\n \"treads\": 2}", "\"treads\" is not an option of mine"},
        {"{\"user\": \"w\",\n \"threads\": }", "line 2"},
        {"[1, 2]", "not a JSON object"},
        {"{\"threads\": 0}", "--threads"},
        {"{\"threads\": {\"n\": 2}}", "\"threads\" takes a text or a number"},
        {"{\"verbose\": \"yes\"}", "\"verbose\" is a flag"},
        {"{\"config\": \"other.json\"}", "belongs on the command line"},
        {"{\"user\": \"w\", \"user\": \"x\"}", "duplicate"},
        {"{\"pools\": [{\"user\": \"w\"}]}", "pools[0] has no \"url\""},
    };
    for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++)
        expect_usage_error(ARGS("mine", "--config", write_config(mistakes[i].file)),
                           mistakes[i].said);
}
