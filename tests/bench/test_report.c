/*
 * bench/report_json.c, report_csv.c, report_svg.c: the three files a run
 * writes, from results built by hand (rx/0 fast with a reference, cn/r
 * without one, an unverified rx/2; threads 1 and 2; no energy counter).
 * JSON is checked against the structure documented in docs/bench-json.md,
 * CSV by parsing it back, SVG with a small well-formedness checker.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/cost.h"
#include "bench/report.h"

/* ---- Fixtures -------------------------------------------------------------------------------- */

static bench_stats_t stats(double median, double min, double max)
{
    return (bench_stats_t){.median = median, .min = min, .max = max, .n = 3};
}

#define FIXTURE_COUNT 3

/* A label with a comma and quotes, so that quoting and escaping are exercised. */
#define CN_LABEL "cn/r, \"jit\""

/* Two PUs, threads pinned to 0 and 1, the cost over 24 h at 0.25 a kWh, idle unknown. */
static const int FIXTURE_PINNING[BENCH_MAX_THREADS] = {0, 1};
static const bench_cost_basis_t FIXTURE_BASIS = {.hours = 24,
                                                 .price = 0.25,
                                                 .vcpu_price = -1,
                                                 .idle_watts = -1,
                                                 .pus = 2,
                                                 .pinning = FIXTURE_PINNING,
                                                 .power_reason = "no energy source in the fixture"};
static char *fixture_argv[] = {"minemeter", "bench", "--json", "bench.json", NULL};

static bench_run_t fixture_run(void)
{
    return (bench_run_t){.repeat = 3,
                         .duration = 2,
                         .cost = &FIXTURE_BASIS,
                         .argc = 4,
                         .argv = fixture_argv,
                         .started_unix = 1796569029,
                         .cores = 2,
                         .pus = 2,
                         .huge_pages = "on",
                         .gb_pages = 0,
                         .interrupted = NULL};
}

static void fixture(bench_result_t r[FIXTURE_COUNT])
{
    memset(r, 0, sizeof(r[0]) * FIXTURE_COUNT);

    r[0].algo = pow_algo_find("rx/0");
    r[0].fast = 1;
    snprintf(r[0].label, sizeof(r[0].label), "rx/0 fast");
    r[0].isa = POW_ISA_PORTABLE;
    r[0].verified = 1;
    r[0].cache_seconds = 0.3;
    r[0].ref_cache_seconds = 0.45;
    r[0].thread_counts = 2;
    r[0].threads[0] = 1;
    r[0].threads[1] = 2;
    r[0].hps[0] = stats(70.5, 70.25, 70.75);
    r[0].hps[1] = stats(139.5, 138, 140.25);
    r[0].cycles[0] = stats(3.46e7, 3.4e7, 3.5e7);
    r[0].cycles[1] = stats(3.5e7, 3.45e7, 3.55e7);
    r[0].cpu_seconds[0] = stats(0.0141, 0.014, 0.0142);
    r[0].cpu_seconds[1] = stats(0.0143, 0.0142, 0.0144);
    for (unsigned t = 0; t < 2; t++) {
        r[0].joules_per_hash[t] = -1;
        r[0].watts[t] = -1;
        r[0].last[t].cycles_source = ARCH_CYCLES_TSC;
        r[0].last[t].pages = "2MB";
    }
    r[0].have_reference = 1;
    r[0].reference_name = "librandomx 1.1.10, fast";
    r[0].reference_seconds_per_hash = stats(0.0125, 0.012, 0.013);
    r[0].have_reference_hps = 1;
    r[0].reference_hps[0] = stats(80.0, 79.0, 81.0);
    r[0].reference_hps[1] = stats(158.0, 156.0, 160.0);
    r[0].reference_ratio[0] = stats(1.01, 0.99, 1.02);
    r[0].reference_ratio[1] = stats(1.0, 0.98, 1.03);
    r[0].reference_aa_ratio[0] = stats(1.002, 0.99, 1.01);
    r[0].reference_aa_ratio[1] = stats(0.998, 0.98, 1.02);

    r[1].algo = pow_algo_find("cn/r");
    snprintf(r[1].label, sizeof(r[1].label), "%s", CN_LABEL);
    r[1].isa = POW_ISA_PORTABLE;
    r[1].verified = 1;
    r[1].thread_counts = 2;
    r[1].threads[0] = 1;
    r[1].threads[1] = 2;
    r[1].hps[0] = stats(1000, 990, 1010.5);
    r[1].hps[1] = stats(1900.25, 1880, 1920);
    /* No cycle counter: the measurement leaves zeros. */
    r[1].cpu_seconds[0] = stats(0.001, 0.00099, 0.00101);
    r[1].cpu_seconds[1] = stats(0.00105, 0.001, 0.0011);
    for (unsigned t = 0; t < 2; t++) {
        r[1].joules_per_hash[t] = -1;
        r[1].watts[t] = -1;
        r[1].last[t].cycles_source = ARCH_CYCLES_NONE;
        r[1].last[t].pages = "4KB";
        r[1].last[t].jit = 1;
    }
    snprintf(r[1].reference_note, sizeof(r[1].reference_note), "no reference implementation");

    /* Failed its vectors: planned for threads 1 and 2, never measured. */
    r[2].algo = pow_algo_find("rx/2");
    snprintf(r[2].label, sizeof(r[2].label), "rx/2 light");
    r[2].isa = POW_ISA_PORTABLE;
    r[2].thread_counts = 2;
    r[2].threads[0] = 1;
    r[2].threads[1] = 2;
    r[2].joules_per_hash[0] = r[2].joules_per_hash[1] = -1;
    r[2].watts[0] = r[2].watts[1] = -1;
    snprintf(r[2].reference_note, sizeof(r[2].reference_note), "not verified");

    for (unsigned a = 0; a < FIXTURE_COUNT; a++)
        cr_assert_not_null(r[a].algo, "fixture %u: algorithm missing from the registry", a);
}

/* Each test gets a fresh directory; paths inside it are built with in_dir. */
#define TEST_DIR_TEMPLATE "/tmp/minemeter-report-XXXXXX"
static char test_dir[sizeof(TEST_DIR_TEMPLATE)];

static void make_dir(void)
{
    memcpy(test_dir, TEST_DIR_TEMPLATE, sizeof(TEST_DIR_TEMPLATE));
    cr_assert_not_null(mkdtemp(test_dir), "mkdtemp: %s", strerror(errno));
}

static void remove_dir(void)
{
    DIR *d = opendir(test_dir);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", test_dir, e->d_name);
        if (unlink(path) != 0)
            rmdir(path);
    }
    closedir(d);
    rmdir(test_dir);
}

static const char *in_dir(const char *name)
{
    static char paths[4][512];
    static unsigned next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof(paths[0]), "%s/%s", test_dir, name);
    return p;
}

/* Names in the test directory, for "nothing else was left behind". */
static unsigned dir_entries(void)
{
    DIR *d = opendir(test_dir);
    cr_assert_not_null(d);
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    for (size_t got; (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static unsigned occurrences(const char *haystack, const char *needle)
{
    unsigned n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

TestSuite(bench_report, .init = make_dir, .fini = remove_dir);

/* ---- JSON against docs/bench-json.md --------------------------------------------------------- */

/*
 * The documented structure as data: every field docs/bench-json.md names,
 * with its type. Objects must hold exactly the documented fields, so a field
 * added to the writer but not to the document fails here.
 */
typedef enum {
    JSON_T_STRING,
    JSON_T_INTEGER,
    JSON_T_NUMBER,
    JSON_T_NUMBER_OR_NULL,
    JSON_T_NULL,
    JSON_T_BOOLEAN,
    JSON_T_OBJECT,
    JSON_T_ARRAY,
    JSON_T_EITHER,
} json_kind_t;

typedef struct doc_type doc_type_t;
typedef struct {
    const char *name;
    const doc_type_t *type;
} doc_field_t;

struct doc_type {
    json_kind_t kind;
    const doc_field_t *fields;       /* objects: NULL-terminated */
    const doc_field_t *more_fields;  /* objects: and these too, when not NULL */
    const doc_type_t *items;         /* arrays */
    const doc_type_t *const *either; /* alternatives: NULL-terminated */
    const char *const *values;       /* strings with a fixed set of values: NULL-terminated */
};

static const doc_type_t STRING = {.kind = JSON_T_STRING};
static const doc_type_t INTEGER = {.kind = JSON_T_INTEGER};
static const doc_type_t NUMBER = {.kind = JSON_T_NUMBER};
static const doc_type_t NUMBER_OR_NULL = {.kind = JSON_T_NUMBER_OR_NULL};
static const doc_type_t NULL_ONLY = {.kind = JSON_T_NULL};
static const doc_type_t BOOLEAN = {.kind = JSON_T_BOOLEAN};
static const doc_type_t *const STRING_OR_NULL_KINDS[] = {&STRING, &NULL_ONLY, NULL};
static const doc_type_t STRING_OR_NULL = {.kind = JSON_T_EITHER, .either = STRING_OR_NULL_KINDS};

static const char *const MODES[] = {"fast", "light", "", NULL};
static const doc_type_t MODE = {.kind = JSON_T_STRING, .values = MODES};
/* The document names "perf cycles" and "tsc"; arch_cycles_source_name also gives "none". */
static const char *const CYCLES_SOURCES[] = {"perf cycles", "tsc", "none", NULL};
static const doc_type_t CYCLES_SOURCE = {.kind = JSON_T_STRING, .values = CYCLES_SOURCES};

static const doc_field_t STATS_FIELDS[] = {
    {"median", &NUMBER}, {"min", &NUMBER}, {"max", &NUMBER}, {"n", &INTEGER}, {NULL, NULL},
};
static const doc_type_t STATS = {.kind = JSON_T_OBJECT, .fields = STATS_FIELDS};

static const doc_field_t COST_FIELDS[] = {
    {"hours", &NUMBER},
    {"pus_used", &INTEGER},
    {"hashes", &NUMBER},
    {"cpu_hours", &NUMBER},
    {"cpu_hours_capped", &BOOLEAN},
    {"cpu_money", &NUMBER_OR_NULL},
    {"kwh", &NUMBER_OR_NULL},
    {"kwh_above_idle", &NUMBER_OR_NULL},
    {"money", &NUMBER_OR_NULL},
    {NULL, NULL},
};
static const doc_type_t COST = {.kind = JSON_T_OBJECT, .fields = COST_FIELDS};

static const doc_field_t RUN_FIELDS[] = {
    {"threads", &INTEGER},
    {"hashes_per_second", &STATS},
    {"hashes_per_second_per_thread", &NUMBER},
    {"cpu_seconds_per_hash", &STATS},
    {"cycles_per_hash", &STATS},
    {"cycles_source", &CYCLES_SOURCE},
    {"watts", &NUMBER_OR_NULL},
    {"joules_per_hash", &NUMBER_OR_NULL},
    {"marginal_watts", &NUMBER_OR_NULL},
    {"marginal_joules_per_hash", &NUMBER_OR_NULL},
    {"power_source", &STRING_OR_NULL},
    {"power_reason", &STRING_OR_NULL},
    {"pages", &STRING},
    {"pages_huge_share", &NUMBER_OR_NULL},
    {"jit", &BOOLEAN},
    {"lanes", &INTEGER},
    {"cost", &COST},
    {NULL, NULL},
};
static const doc_type_t RUN_ALONE = {.kind = JSON_T_OBJECT, .fields = RUN_FIELDS};
/* RandomX runs with the reference timed after each of ours: the same and two more. */
static const doc_field_t REFERENCE_RUN_FIELDS[] = {
    {"reference_hashes_per_second", &STATS},
    {"reference_ratio", &STATS},
    {"reference_aa_ratio", &STATS},
    {NULL, NULL},
};
static const doc_type_t RUN_WITH_REFERENCE = {
    .kind = JSON_T_OBJECT, .fields = RUN_FIELDS, .more_fields = REFERENCE_RUN_FIELDS};
/* ... or, at a thread count where the reference failed, nulls and the reason. */
static const doc_field_t REFERENCE_FAILED_FIELDS[] = {
    {"reference_hashes_per_second", &NULL_ONLY},
    {"reference_ratio", &NULL_ONLY},
    {"reference_aa_ratio", &NULL_ONLY},
    {"reference_unavailable", &STRING},
    {NULL, NULL},
};
static const doc_type_t RUN_REFERENCE_FAILED = {
    .kind = JSON_T_OBJECT, .fields = RUN_FIELDS, .more_fields = REFERENCE_FAILED_FIELDS};
static const doc_type_t *const RUN_KINDS[] = {&RUN_ALONE, &RUN_WITH_REFERENCE,
                                              &RUN_REFERENCE_FAILED, NULL};
static const doc_type_t RUN = {.kind = JSON_T_EITHER, .either = RUN_KINDS};
static const doc_type_t RUNS = {.kind = JSON_T_ARRAY, .items = &RUN};

static const doc_field_t MEASURED_FIELDS[] = {
    {"implementation", &STRING},
    {"seconds_per_hash", &STATS},
    {NULL, NULL},
};
static const doc_type_t REFERENCE_MEASURED = {.kind = JSON_T_OBJECT, .fields = MEASURED_FIELDS};
/* cn/r: Monero's tool with its JIT on as well, or why not. */
static const doc_field_t JIT_FIELDS[] = {{"jit_seconds_per_hash", &STATS}, {NULL, NULL}};
static const doc_type_t REFERENCE_MEASURED_JIT = {
    .kind = JSON_T_OBJECT, .fields = MEASURED_FIELDS, .more_fields = JIT_FIELDS};
static const doc_field_t NO_JIT_FIELDS[] = {{"jit_unavailable", &STRING}, {NULL, NULL}};
static const doc_type_t REFERENCE_MEASURED_NO_JIT = {
    .kind = JSON_T_OBJECT, .fields = MEASURED_FIELDS, .more_fields = NO_JIT_FIELDS};
static const doc_field_t UNAVAILABLE_FIELDS[] = {{"unavailable", &STRING}, {NULL, NULL}};
static const doc_type_t REFERENCE_UNAVAILABLE = {.kind = JSON_T_OBJECT,
                                                 .fields = UNAVAILABLE_FIELDS};
static const doc_type_t *const REFERENCE_KINDS[] = {&REFERENCE_MEASURED, &REFERENCE_MEASURED_JIT,
                                                    &REFERENCE_MEASURED_NO_JIT,
                                                    &REFERENCE_UNAVAILABLE, NULL};
static const doc_type_t REFERENCE = {.kind = JSON_T_EITHER, .either = REFERENCE_KINDS};

static const doc_field_t ALGO_FIELDS[] = {
    {"algo", &STRING},
    {"mode", &MODE},
    {"isa", &STRING},
    {"verified", &BOOLEAN},
    {"cache_seconds", &NUMBER},
    {"reference_cache_seconds", &NUMBER},
    {"runs", &RUNS},
    {"reference", &REFERENCE},
    {NULL, NULL},
};
static const doc_type_t ALGO = {.kind = JSON_T_OBJECT, .fields = ALGO_FIELDS};
static const doc_type_t ALGOS = {.kind = JSON_T_ARRAY, .items = &ALGO};

static const doc_field_t CPU_FIELDS[] = {{"brand", &STRING}, {"arch", &STRING}, {NULL, NULL}};
static const doc_type_t CPU = {.kind = JSON_T_OBJECT, .fields = CPU_FIELDS};

static const doc_type_t STRINGS = {.kind = JSON_T_ARRAY, .items = &STRING};
static const doc_type_t INTEGERS = {.kind = JSON_T_ARRAY, .items = &INTEGER};
static const doc_field_t MACHINE_FIELDS[] = {
    {"cores", &INTEGER}, {"pus", &INTEGER}, {"pus_allowed", &INTEGER}, {NULL, NULL}};
static const doc_type_t MACHINE = {.kind = JSON_T_OBJECT, .fields = MACHINE_FIELDS};
static const doc_field_t PAGES_ASKED_FIELDS[] = {
    {"huge_pages", &STRING}, {"gb_pages", &BOOLEAN}, {NULL, NULL}};
static const doc_type_t PAGES_ASKED = {.kind = JSON_T_OBJECT, .fields = PAGES_ASKED_FIELDS};
static const doc_field_t BUILD_FIELDS[] = {
    {"version", &STRING}, {"compiler", &STRING}, {"cflags", &STRING}, {NULL, NULL}};
static const doc_type_t BUILD = {.kind = JSON_T_OBJECT, .fields = BUILD_FIELDS};
static const doc_field_t POWER_FIELDS[] = {{"source", &STRING_OR_NULL},
                                           {"idle_watts", &NUMBER_OR_NULL},
                                           {"reason", &STRING_OR_NULL},
                                           {NULL, NULL}};
static const doc_type_t POWER = {.kind = JSON_T_OBJECT, .fields = POWER_FIELDS};
static const doc_field_t RUN_HEADER_FIELDS[] = {
    {"started_unix", &INTEGER},
    {"command_line", &STRINGS},
    {"interrupted", &STRING_OR_NULL},
    {"machine", &MACHINE},
    {"pinning", &INTEGERS},
    {"pages_asked", &PAGES_ASKED},
    {"build", &BUILD},
    {"power", &POWER},
    {"xmrig", &STRING_OR_NULL},
    {NULL, NULL},
};
static const doc_type_t RUN_HEADER = {.kind = JSON_T_OBJECT, .fields = RUN_HEADER_FIELDS};

static const doc_field_t ROOT_FIELDS[] = {
    {"schema", &STRING},  {"minemeter", &STRING},         {"run", &RUN_HEADER},   {"cpu", &CPU},
    {"repeat", &INTEGER}, {"duration_seconds", &INTEGER}, {"algorithms", &ALGOS}, {NULL, NULL},
};
static const doc_type_t ROOT = {.kind = JSON_T_OBJECT, .fields = ROOT_FIELDS};

/*
 * Whether v has the documented type t. On a mismatch, why names where
 * ("algorithms[1].runs[0].jit") and what was wrong.
 */
static int conforms(const json_t *v, const doc_type_t *t, const char *where, char *why,
                    size_t why_len)
{
    char inner[256];
    switch (t->kind) {
    case JSON_T_STRING:
        if (!json_is_string(v)) {
            snprintf(why, why_len, "%s: not a string", where);
            return 0;
        }
        if (t->values != NULL) {
            for (const char *const *s = t->values; *s != NULL; s++)
                if (strcmp(*s, json_string_value(v)) == 0)
                    return 1;
            snprintf(why, why_len, "%s: undocumented value \"%s\"", where, json_string_value(v));
            return 0;
        }
        return 1;
    case JSON_T_INTEGER:
        if (json_is_integer(v))
            return 1;
        snprintf(why, why_len, "%s: not an integer", where);
        return 0;
    case JSON_T_NUMBER:
        if (json_is_number(v))
            return 1;
        snprintf(why, why_len, "%s: not a number", where);
        return 0;
    case JSON_T_NULL:
        if (json_is_null(v))
            return 1;
        snprintf(why, why_len, "%s: not null", where);
        return 0;
    case JSON_T_NUMBER_OR_NULL:
        if (json_is_number(v) || json_is_null(v))
            return 1;
        snprintf(why, why_len, "%s: neither a number nor null", where);
        return 0;
    case JSON_T_BOOLEAN:
        if (json_is_boolean(v))
            return 1;
        snprintf(why, why_len, "%s: not a boolean", where);
        return 0;
    case JSON_T_ARRAY:
        if (!json_is_array(v)) {
            snprintf(why, why_len, "%s: not an array", where);
            return 0;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            snprintf(inner, sizeof(inner), "%s[%zu]", where, i);
            if (!conforms(json_array_get(v, i), t->items, inner, why, why_len))
                return 0;
        }
        return 1;
    case JSON_T_OBJECT: {
        if (!json_is_object(v)) {
            snprintf(why, why_len, "%s: not an object", where);
            return 0;
        }
        size_t documented = 0;
        const doc_field_t *lists[] = {t->fields, t->more_fields};
        for (size_t l = 0; l < 2 && lists[l] != NULL; l++) {
            for (const doc_field_t *f = lists[l]; f->name != NULL; f++, documented++) {
                snprintf(inner, sizeof(inner), "%s.%s", where, f->name);
                json_t *member = json_object_get(v, f->name);
                if (member == NULL) {
                    snprintf(why, why_len, "%s: missing", inner);
                    return 0;
                }
                if (!conforms(member, f->type, inner, why, why_len))
                    return 0;
            }
        }
        if (json_object_size(v) != documented) {
            snprintf(why, why_len, "%s: %zu fields, the document names %zu", where,
                     json_object_size(v), documented);
            return 0;
        }
        return 1;
    }
    case JSON_T_EITHER:
        for (const doc_type_t *const *alt = t->either; *alt != NULL; alt++)
            if (conforms(v, *alt, where, why, why_len))
                return 1;
        snprintf(why, why_len, "%s: matches none of the documented forms", where);
        return 0;
    }
    return 0;
}

/* Sends stdout to a file of the test's directory until captured_stdout, which returns it. */
static int capture_stdout(void)
{
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    FILE *file = fopen(in_dir("stdout.txt"), "w");
    cr_assert_not_null(file);
    dup2(fileno(file), STDOUT_FILENO);
    fclose(file);
    return saved;
}

static char *captured_stdout(int saved)
{
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    return slurp(in_dir("stdout.txt"));
}

static json_t *load_json_of(const bench_result_t r[FIXTURE_COUNT])
{
    const char *path = in_dir("bench.json");
    bench_run_t run = fixture_run();
    cr_assert_eq(bench_report_json(path, r, FIXTURE_COUNT, &run), 0);
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    cr_assert_not_null(root, "not JSON: %s (line %d)", error.text, error.line);
    return root;
}

static json_t *write_and_load_json(void)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    return load_json_of(r);
}

Test(bench_report, json_has_every_documented_field_with_its_documented_type)
{
    json_t *root = write_and_load_json();
    char why[512] = "";
    cr_expect(conforms(root, &ROOT, "$", why, sizeof(why)), "%s", why);
    cr_expect_eq(json_integer_value(json_object_get(root, "repeat")), 3);
    cr_expect_eq(json_integer_value(json_object_get(root, "duration_seconds")), 2);
    json_t *algos = json_object_get(root, "algorithms");
    cr_assert_eq(json_array_size(algos), FIXTURE_COUNT);
    json_t *rx = json_array_get(algos, 0), *cn = json_array_get(algos, 1);
    cr_expect_str_eq(json_string_value(json_object_get(rx, "algo")), "rx/0");
    cr_expect_str_eq(json_string_value(json_object_get(rx, "mode")), "fast");
    cr_expect_str_eq(json_string_value(json_object_get(cn, "mode")), "");
    json_t *run = json_array_get(json_object_get(rx, "runs"), 1);
    cr_expect_eq(json_integer_value(json_object_get(run, "threads")), 2);
    cr_expect_float_eq(json_number_value(json_object_get(run, "hashes_per_second_per_thread")),
                       139.5 / 2, 1e-12);
    cr_expect(json_is_null(json_object_get(run, "joules_per_hash")),
              "unknown energy must be null, not a number");
    json_decref(root);
}

Test(bench_report, json_unverified_result_has_no_runs)
{
    json_t *root = write_and_load_json();
    json_t *wow = json_array_get(json_object_get(root, "algorithms"), 2);
    cr_expect(json_is_false(json_object_get(wow, "verified")));
    json_t *runs = json_object_get(wow, "runs");
    cr_expect(json_is_array(runs));
    cr_expect_eq(json_array_size(runs), 0);
    json_decref(root);
}

Test(bench_report, json_randomx_runs_carry_the_reference_and_the_run_by_run_ratio)
{
    json_t *root = write_and_load_json();
    json_t *runs = json_object_get(json_array_get(json_object_get(root, "algorithms"), 0), "runs");
    const double rates[] = {80.0, 158.0}, ratios[] = {1.01, 1.0}, aa[] = {1.002, 0.998};
    for (size_t t = 0; t < 2; t++) {
        json_t *run = json_array_get(runs, t);
        cr_expect_float_eq(json_number_value(json_object_get(
                               json_object_get(run, "reference_hashes_per_second"), "median")),
                           rates[t], 1e-12, "run %zu", t);
        cr_expect_float_eq(
            json_number_value(json_object_get(json_object_get(run, "reference_ratio"), "median")),
            ratios[t], 1e-12, "run %zu", t);
        cr_expect_float_eq(json_number_value(json_object_get(
                               json_object_get(run, "reference_aa_ratio"), "median")),
                           aa[t], 1e-12, "run %zu", t);
    }
    /* cn/r has no per-run reference. */
    json_t *cn = json_array_get(
        json_object_get(json_array_get(json_object_get(root, "algorithms"), 1), "runs"), 0);
    cr_expect_null(json_object_get(cn, "reference_ratio"));
    json_decref(root);
}

Test(bench_report, json_missing_reference_is_unavailable_with_the_reason)
{
    json_t *root = write_and_load_json();
    json_t *algos = json_object_get(root, "algorithms");
    json_t *missing = json_object_get(json_array_get(algos, 1), "reference");
    cr_expect_eq(json_object_size(missing), 1);
    cr_expect_str_eq(json_string_value(json_object_get(missing, "unavailable")),
                     "no reference implementation");
    json_t *measured = json_object_get(json_array_get(algos, 0), "reference");
    cr_expect_str_eq(json_string_value(json_object_get(measured, "implementation")),
                     "librandomx 1.1.10, fast");
    cr_expect_float_eq(
        json_number_value(json_object_get(json_object_get(measured, "seconds_per_hash"), "median")),
        0.0125, 1e-15);
    json_decref(root);
}

/* A reference that failed at the second thread count: null and the reason there, never a zero. */
Test(bench_report, a_reference_that_failed_at_one_thread_count_is_null_there_with_the_reason)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    r[0].reference_hps[1] = bench_stats(NULL, 0);
    r[0].reference_ratio[1] = bench_stats(NULL, 0);
    r[0].reference_aa_ratio[1] = bench_stats(NULL, 0);
    snprintf(r[0].reference_note, sizeof(r[0].reference_note), "the reference run failed");
    json_t *root = load_json_of(r);
    char why[512] = "";
    cr_expect(conforms(root, &ROOT, "$", why, sizeof(why)), "%s", why);
    json_t *runs = json_object_get(json_array_get(json_object_get(root, "algorithms"), 0), "runs");
    json_t *ok = json_array_get(runs, 0), *failed = json_array_get(runs, 1);
    cr_expect(json_is_object(json_object_get(ok, "reference_ratio")));
    cr_expect_null(json_object_get(ok, "reference_unavailable"));
    cr_expect(json_is_null(json_object_get(failed, "reference_hashes_per_second")));
    cr_expect(json_is_null(json_object_get(failed, "reference_ratio")));
    cr_expect(json_is_null(json_object_get(failed, "reference_aa_ratio")));
    cr_expect_str_eq(json_string_value(json_object_get(failed, "reference_unavailable")),
                     "the reference run failed");
    json_decref(root);

    /* The table says n/a with the reason where the JSON says null. */
    int saved = capture_stdout();
    bench_table_reference(&r[0]);
    char *text = captured_stdout(saved);
    cr_expect_not_null(strstr(text, "2 thread(s): reference n/a (the reference run failed)"), "%s",
                       text);
    cr_expect_null(strstr(text, "reference 0.00 H/s"), "%s", text);
    cr_expect_not_null(strstr(text, "1 thread(s): reference 80.00 H/s"), "%s", text);
    free(text);
}

/* ---- CSV ------------------------------------------------------------------------------------- */

#define CSV_MAX_ROWS   16
#define CSV_MAX_FIELDS 32

typedef struct {
    unsigned rows;
    unsigned fields[CSV_MAX_ROWS];
    char *field[CSV_MAX_ROWS][CSV_MAX_FIELDS];
} csv_t;

/* An RFC 4180 reader, strict enough to fail on a stray quote. */
static void csv_parse(const char *text, csv_t *csv)
{
    memset(csv, 0, sizeof(*csv));
    const char *p = text;
    while (*p != '\0') {
        cr_assert_lt(csv->rows, CSV_MAX_ROWS, "too many rows");
        unsigned row = csv->rows++;
        for (;;) {
            cr_assert_lt(csv->fields[row], CSV_MAX_FIELDS, "row %u: too many fields", row);
            char *value = malloc(strlen(p) + 1), *out = value;
            cr_assert_not_null(value);
            if (*p == '"') {
                for (p++;; p++) {
                    cr_assert_neq(*p, '\0', "row %u: unterminated quoted field", row);
                    if (*p == '"' && p[1] == '"')
                        *out++ = *p++;
                    else if (*p == '"')
                        break;
                    else
                        *out++ = *p;
                }
                p++;
            } else {
                for (; *p != ',' && *p != '\n' && *p != '\r' && *p != '\0'; p++) {
                    cr_assert_neq(*p, '"', "row %u: quote inside an unquoted field", row);
                    *out++ = *p;
                }
            }
            *out = '\0';
            csv->field[row][csv->fields[row]++] = value;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\r')
                p++;
            cr_assert(*p == '\n' || *p == '\0', "row %u: garbage after a field", row);
            if (*p == '\n')
                p++;
            break;
        }
    }
}

static void csv_free(csv_t *csv)
{
    for (unsigned r = 0; r < csv->rows; r++)
        for (unsigned f = 0; f < csv->fields[r]; f++)
            free(csv->field[r][f]);
}

/* The value in data row (1-based, after the header) under the column named name. */
static const char *csv_get(const csv_t *csv, unsigned row, const char *name)
{
    for (unsigned f = 0; f < csv->fields[0]; f++)
        if (strcmp(csv->field[0][f], name) == 0)
            return csv->field[row][f];
    cr_assert_fail("no column %s", name);
    return NULL;
}

static double csv_number(const csv_t *csv, unsigned row, const char *name)
{
    const char *s = csv_get(csv, row, name);
    char *end;
    double v = strtod(s, &end);
    cr_assert(*s != '\0' && *end == '\0', "row %u %s: \"%s\" is not a number", row, name, s);
    return v;
}

static const char *const CSV_COLUMNS[] = {
    "label",
    "algo",
    "mode",
    "isa",
    "threads",
    "hps_median",
    "hps_min",
    "hps_max",
    "hps_per_thread",
    "scaling",
    "cpu_seconds_per_hash_median",
    "cycles_per_hash_median",
    "cycles_source",
    "joules_per_hash",
    "watts",
    "marginal_joules_per_hash",
    "marginal_watts",
    "power_source",
    "pages",
    "reference_seconds_per_hash_median",
    "cost_hours",
    "cost_pus_used",
    "cost_hashes",
    "cost_cpu_hours",
    "cost_cpu_hours_capped",
    "cost_cpu_money",
    "cost_kwh",
    "cost_kwh_above_idle",
    "cost_money",
};

/* Each row names its cycle counter: TSC ticks are not core cycles. */
Test(bench_report, table_rows_name_the_counter_behind_cycles_per_hash)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    r[0].last[1].cycles_source = ARCH_CYCLES_PERF;
    int saved = capture_stdout();
    bench_table_row(&r[0], 0);
    bench_table_row(&r[0], 1);
    bench_table_row(&r[1], 0);
    char *text = captured_stdout(saved);
    cr_expect_not_null(strstr(text, "34.6M tsc"), "%s", text);
    cr_expect_not_null(strstr(text, "35.0M core"), "%s", text);
    const char *cn = strstr(text, CN_LABEL);
    cr_assert_not_null(cn, "%s", text);
    cr_expect_null(strstr(cn, " tsc"), "no counter, no source: %s", cn);
    cr_expect_not_null(strstr(cn, "n/a"), "%s", cn);
    free(text);
}

Test(bench_report, csv_has_a_header_and_a_row_per_verified_thread_count)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    const char *path = in_dir("bench.csv");
    cr_assert_eq(bench_report_csv(path, r, FIXTURE_COUNT, &FIXTURE_BASIS), 0);
    char *text = slurp(path);
    csv_t csv;
    csv_parse(text, &csv);

    cr_assert_eq(csv.rows, 1 + 4, "header and 2 results x 2 thread counts, unverified left out");
    for (size_t c = 0; c < sizeof(CSV_COLUMNS) / sizeof(CSV_COLUMNS[0]); c++)
        csv_get(&csv, 0, CSV_COLUMNS[c]);
    for (unsigned row = 1; row < csv.rows; row++)
        cr_expect_eq(csv.fields[row], csv.fields[0], "row %u has %u fields, the header %u", row,
                     csv.fields[row], csv.fields[0]);

    /* rx/0 fast, one thread, then two; the reference on every row of the result. */
    cr_expect_str_eq(csv_get(&csv, 1, "label"), "rx/0 fast");
    cr_expect_str_eq(csv_get(&csv, 1, "algo"), "rx/0");
    cr_expect_str_eq(csv_get(&csv, 1, "mode"), "fast");
    cr_expect_str_eq(csv_get(&csv, 1, "isa"), "portable");
    cr_expect_str_eq(csv_get(&csv, 1, "threads"), "1");
    cr_expect_eq(csv_number(&csv, 1, "hps_median"), 70.5);
    cr_expect_eq(csv_number(&csv, 1, "hps_min"), 70.25);
    cr_expect_eq(csv_number(&csv, 1, "hps_max"), 70.75);
    cr_expect_eq(csv_number(&csv, 1, "hps_per_thread"), 70.5);
    cr_expect_eq(csv_number(&csv, 1, "scaling"), 1.0);
    cr_expect_eq(csv_number(&csv, 1, "cpu_seconds_per_hash_median"), 0.0141);
    cr_expect_eq(csv_number(&csv, 1, "cycles_per_hash_median"), 3.46e7);
    cr_expect_str_eq(csv_get(&csv, 1, "cycles_source"), "tsc");
    cr_expect_str_eq(csv_get(&csv, 1, "pages"), "2MB");
    cr_expect_eq(csv_number(&csv, 1, "reference_seconds_per_hash_median"), 0.0125);
    cr_expect_str_eq(csv_get(&csv, 2, "threads"), "2");
    cr_expect_eq(csv_number(&csv, 2, "hps_median"), 139.5);
    cr_expect_eq(csv_number(&csv, 2, "hps_per_thread"), 139.5 / 2);
    cr_expect_eq(csv_number(&csv, 2, "scaling"), 139.5 / 70.5);
    cr_expect_eq(csv_number(&csv, 2, "reference_seconds_per_hash_median"), 0.0125);

    /* cn/r: no mode, no cycle counter, no reference. */
    cr_expect_str_eq(csv_get(&csv, 3, "algo"), "cn/r");
    cr_expect_str_eq(csv_get(&csv, 4, "threads"), "2");
    cr_expect_eq(csv_number(&csv, 4, "hps_median"), 1900.25);
    cr_expect_eq(csv_number(&csv, 4, "scaling"), 1900.25 / 1000);
    cr_expect_str_eq(csv_get(&csv, 4, "pages"), "4KB");
    cr_expect_str_eq(csv_get(&csv, 4, "cycles_source"), "none");
    csv_free(&csv);
    free(text);
}

Test(bench_report, csv_quotes_a_label_with_a_comma_and_quotes)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    const char *path = in_dir("bench.csv");
    cr_assert_eq(bench_report_csv(path, r, FIXTURE_COUNT, &FIXTURE_BASIS), 0);
    char *text = slurp(path);
    cr_expect_not_null(strstr(text, "\n\"cn/r, \"\"jit\"\"\",cn/r,"), "%s", text);
    csv_t csv;
    csv_parse(text, &csv);
    cr_expect_str_eq(csv_get(&csv, 3, "label"), CN_LABEL);
    cr_expect_eq(occurrences(text, "\""), 2 * 6, "only the label needs quotes:\n%s", text);
    csv_free(&csv);
    free(text);
}

Test(bench_report, csv_leaves_unknown_figures_empty)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    const char *path = in_dir("bench.csv");
    cr_assert_eq(bench_report_csv(path, r, FIXTURE_COUNT, &FIXTURE_BASIS), 0);
    char *text = slurp(path);
    csv_t csv;
    csv_parse(text, &csv);
    for (unsigned row = 1; row <= 4; row++) {
        cr_expect_str_eq(csv_get(&csv, row, "joules_per_hash"), "", "row %u", row);
        cr_expect_str_eq(csv_get(&csv, row, "watts"), "", "row %u", row);
    }
    for (unsigned row = 3; row <= 4; row++) {
        cr_expect_str_eq(csv_get(&csv, row, "mode"), "", "row %u", row);
        cr_expect_str_eq(csv_get(&csv, row, "cycles_per_hash_median"), "", "row %u", row);
        cr_expect_str_eq(csv_get(&csv, row, "reference_seconds_per_hash_median"), "", "row %u",
                         row);
    }
    csv_free(&csv);
    free(text);
}

Test(bench_report, csv_scaling_is_empty_without_a_one_thread_run)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    r[1].threads[0] = 2;
    r[1].threads[1] = 4;
    const char *path = in_dir("bench.csv");
    cr_assert_eq(bench_report_csv(path, &r[1], 1, &FIXTURE_BASIS), 0);
    char *text = slurp(path);
    csv_t csv;
    csv_parse(text, &csv);
    cr_assert_eq(csv.rows, 3);
    cr_expect_str_eq(csv_get(&csv, 1, "scaling"), "");
    cr_expect_str_eq(csv_get(&csv, 2, "scaling"), "");
    cr_expect_eq(csv_number(&csv, 2, "hps_per_thread"), 1900.25 / 4);
    csv_free(&csv);
    free(text);
}

/* ---- SVG ------------------------------------------------------------------------------------- */

/*
 * A small XML well-formedness check (libxml2 would need a build dependency
 * for one test): one root element, svg; every element closed in order;
 * attributes as name="value"; no raw '<' in text or attributes, and '&' only
 * in a predefined or numeric entity. Returns NULL, or what is wrong.
 */
#define XML_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_."

static const char *xml_problem(const char *s, char *why, size_t why_len)
{
    enum { MAX_DEPTH = 64 };
    const char *open[MAX_DEPTH];
    size_t open_len[MAX_DEPTH];
    unsigned depth = 0, roots = 0;
    const char *p = s;
    while (*p != '\0') {
        if (*p == '&') {
            static const char *const ENTITIES[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            size_t i = 0, n = sizeof(ENTITIES) / sizeof(ENTITIES[0]);
            while (i < n && strncmp(p, ENTITIES[i], strlen(ENTITIES[i])) != 0)
                i++;
            if (i == n && !(p[1] == '#' && strchr(p, ';') != NULL)) {
                snprintf(why, why_len, "bare & at offset %td", p - s);
                return why;
            }
            p++;
            continue;
        }
        if (*p != '<') {
            if (depth == 0 && !strchr(" \t\r\n", *p)) {
                snprintf(why, why_len, "text outside the root at offset %td", p - s);
                return why;
            }
            p++;
            continue;
        }
        if (strncmp(p, "<?", 2) == 0) {
            const char *end = strstr(p, "?>");
            if (end == NULL || p != s) {
                snprintf(why, why_len, "bad processing instruction at offset %td", p - s);
                return why;
            }
            p = end + 2;
            continue;
        }
        if (strncmp(p, "<!--", 4) == 0) {
            const char *end = strstr(p + 4, "-->");
            if (end == NULL) {
                snprintf(why, why_len, "unterminated comment");
                return why;
            }
            p = end + 3;
            continue;
        }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t len = strspn(name, XML_NAME_CHARS);
        if (len == 0) {
            snprintf(why, why_len, "bad tag at offset %td", p - s);
            return why;
        }
        p = name + len;
        if (closing) {
            p += strspn(p, " \t\r\n");
            if (*p != '>' || depth == 0 || open_len[depth - 1] != len ||
                strncmp(open[depth - 1], name, len) != 0) {
                snprintf(why, why_len, "</%.*s> at offset %td does not close the open element",
                         (int)len, name, name - s);
                return why;
            }
            depth--;
            p++;
            continue;
        }
        /* Attributes, then > or />. */
        for (;;) {
            size_t space = strspn(p, " \t\r\n");
            p += space;
            if (*p == '>' || strncmp(p, "/>", 2) == 0)
                break;
            size_t attr = strspn(p, XML_NAME_CHARS);
            if (space == 0 || attr == 0 || p[attr] != '=' || p[attr + 1] != '"') {
                snprintf(why, why_len, "bad attribute at offset %td", p - s);
                return why;
            }
            const char *end = strchr(p + attr + 2, '"');
            if (end == NULL || memchr(p, '<', (size_t)(end - p)) != NULL) {
                snprintf(why, why_len, "bad attribute value at offset %td", p - s);
                return why;
            }
            p = end + 1;
        }
        if (depth == 0 && roots++ > 0) {
            snprintf(why, why_len, "a second root element at offset %td", name - 1 - s);
            return why;
        }
        if (depth == 0 && !(len == 3 && strncmp(name, "svg", 3) == 0)) {
            snprintf(why, why_len, "the root element is not svg");
            return why;
        }
        if (*p == '/') {
            p += 2;
            continue;
        }
        if (depth == MAX_DEPTH) {
            snprintf(why, why_len, "nested too deep");
            return why;
        }
        open[depth] = name;
        open_len[depth++] = len;
        p++;
    }
    if (depth != 0) {
        snprintf(why, why_len, "<%.*s> is never closed", (int)open_len[depth - 1], open[depth - 1]);
        return why;
    }
    if (roots == 0) {
        snprintf(why, why_len, "no root element");
        return why;
    }
    return NULL;
}

Test(bench_report, xml_checker_rejects_what_is_not_well_formed)
{
    char why[128];
    cr_expect_null(
        xml_problem("<?xml version=\"1.0\"?>\n<svg a=\"1\"><g><p/></g></svg>\n", why, sizeof(why)));
    cr_expect_not_null(xml_problem("<svg><g></svg>", why, sizeof(why)));
    cr_expect_not_null(xml_problem("<svg><g></g>", why, sizeof(why)));
    cr_expect_not_null(xml_problem("<svg>a & b</svg>", why, sizeof(why)));
    cr_expect_not_null(xml_problem("<svg a=1></svg>", why, sizeof(why)));
    cr_expect_not_null(xml_problem("<svg></svg><svg></svg>", why, sizeof(why)));
}

#define SVG_TITLE "Bench & <friends>"

static char *write_svg(const bench_result_t *r, unsigned count)
{
    const char *path = in_dir("bench.svg");
    cr_assert_eq(bench_report_svg(path, r, count, SVG_TITLE), 0);
    char *text = slurp(path);
    char why[256];
    cr_assert_null(xml_problem(text, why, sizeof(why)), "%s\n%s", why, text);
    return text;
}

Test(bench_report, svg_is_well_formed_with_a_line_per_verified_result)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    char *svg = write_svg(r, FIXTURE_COUNT);
    cr_expect_not_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
    cr_expect_eq(occurrences(svg, "<polyline"), 2 + 1,
                 "rx/0 fast and cn/r, not the unverified one; and rx/0's reference");
    /* A marker per measured point (rx/0's reference's too), and one in each legend entry. */
    cr_expect_eq(occurrences(svg, "<circle"), 4 + 2 + 2 + 1);
    cr_expect_not_null(strstr(svg, ">threads</text>"));
    cr_expect_not_null(strstr(svg, ">hashes per second</text>"));
    free(svg);
}

Test(bench_report, svg_legend_names_every_result_escaped)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    char *svg = write_svg(r, FIXTURE_COUNT);
    cr_expect_not_null(strstr(svg, ">rx/0 fast</text>"), "%s", svg);
    cr_expect_not_null(strstr(svg, ">cn/r, &quot;jit&quot;</text>"), "%s", svg);
    cr_expect_not_null(strstr(svg, ">rx/2 light: n/a (not verified or not measured)</text>"), "%s",
                       svg);
    free(svg);
}

/* The reference's H/s beside ours where it was timed; "n/a" with the reason where it failed. */
Test(bench_report, svg_shows_the_reference_and_marks_what_it_lacks_as_n_a)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    r[0].reference_hps[1] = bench_stats(NULL, 0);
    snprintf(r[0].reference_note, sizeof(r[0].reference_note), "out of memory at 2 threads");
    char *svg = write_svg(r, FIXTURE_COUNT);
    cr_expect_not_null(strstr(svg, "rx/0 fast, the reference ("), "%s", svg);
    cr_expect_not_null(strstr(svg, "1 thread: 80 H/s</title>"), "%s", svg);
    cr_expect_not_null(strstr(svg, ">n/a<title>rx/0 fast, the reference at 2 threads: out of "
                                   "memory at 2 threads</title>"),
                       "%s", svg);
    cr_expect_not_null(strstr(svg, ">rx/0 fast: the reference</text>"), "%s", svg);
    free(svg);
}

Test(bench_report, svg_title_is_escaped)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    char *svg = write_svg(r, FIXTURE_COUNT);
    cr_expect_eq(occurrences(svg, "Bench &amp; &lt;friends&gt;"), 2, "the <title> and the heading");
    cr_expect_null(strstr(svg, SVG_TITLE));
    free(svg);
}

Test(bench_report, svg_y_axis_runs_from_zero_to_a_round_number_above_the_highest_rate)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    char *svg = write_svg(r, FIXTURE_COUNT);
    /* The highest maximum is 1920 H/s: steps of 400 up to 2000. */
    for (unsigned v = 0; v <= 2000; v += 400) {
        char label[32];
        snprintf(label, sizeof(label), ">%u</text>", v);
        cr_expect_not_null(strstr(svg, label), "no gridline label %u", v);
    }
    cr_expect_null(strstr(svg, ">2400</text>"));
    free(svg);
}

Test(bench_report, svg_with_one_thread_count_draws_points_without_lines)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    r[0].thread_counts = r[1].thread_counts = 1;
    char *svg = write_svg(r, 2);
    cr_expect_eq(occurrences(svg, "<polyline"), 0);
    cr_expect_eq(occurrences(svg, "<circle"), 2 + 1 + 2 + 1, "ours, the reference's, the legend's");
    free(svg);
}

Test(bench_report, svg_without_verified_results_is_still_a_chart)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    char *svg = write_svg(&r[2], 1);
    cr_expect_eq(occurrences(svg, "<polyline"), 0);
    cr_expect_not_null(strstr(svg, "no verified results"));
    free(svg);
}

/* ---- Failures leave no file behind ----------------------------------------------------------- */

Test(bench_report, writing_into_a_missing_directory_fails_and_creates_nothing)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    cr_expect_eq(bench_report_csv(in_dir("missing/bench.csv"), r, FIXTURE_COUNT, &FIXTURE_BASIS),
                 -ENOENT);
    cr_expect_eq(bench_report_svg(in_dir("missing/bench.svg"), r, FIXTURE_COUNT, "t"), -ENOENT);
    cr_expect_eq(dir_entries(), 0);
}

Test(bench_report, a_failed_rename_leaves_no_temporary_file)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    cr_assert_eq(mkdir(in_dir("taken"), 0700), 0);
    cr_expect_eq(bench_report_csv(in_dir("taken"), r, FIXTURE_COUNT, &FIXTURE_BASIS), -EISDIR);
    cr_expect_eq(bench_report_svg(in_dir("taken"), r, FIXTURE_COUNT, "t"), -EISDIR);
    cr_expect_eq(dir_entries(), 1, "only the directory itself");
}

Test(bench_report, a_write_error_keeps_the_previous_file)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    const char *csv = in_dir("bench.csv"), *svg = in_dir("bench.svg");
    for (unsigned i = 0; i < 2; i++) {
        FILE *f = fopen(i == 0 ? csv : svg, "w");
        cr_assert_not_null(f);
        fputs("previous run\n", f);
        fclose(f);
    }
    /* Files may grow to 64 bytes: the writers fail with EFBIG instead of a signal. */
    struct rlimit old, small = {.rlim_cur = 64};
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    int csv_rc = bench_report_csv(csv, r, FIXTURE_COUNT, &FIXTURE_BASIS);
    int svg_rc = bench_report_svg(svg, r, FIXTURE_COUNT, "t");
    setrlimit(RLIMIT_FSIZE, &old);
    cr_expect_eq(csv_rc, -EFBIG);
    cr_expect_eq(svg_rc, -EFBIG);
    for (unsigned i = 0; i < 2; i++) {
        char *text = slurp(i == 0 ? csv : svg);
        cr_expect_str_eq(text, "previous run\n");
        free(text);
    }
    cr_expect_eq(dir_entries(), 2, "no temporary file left");
}

/* ---- cost ------------------------------------------------------------------------------------ */

/* Three threads on two PUs cannot use more than two PUs' hours, whatever the per-hash figure says.
 */
Test(bench_report, cost_cpu_hours_never_exceed_what_the_pus_have)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    static const int shared[BENCH_MAX_THREADS] = {0, 1, 0};
    bench_cost_basis_t basis = FIXTURE_BASIS;
    basis.pinning = shared;
    r[0].threads[1] = 3;
    r[0].hps[1].median = 300;
    r[0].cpu_seconds[1].median = 0.01; /* 3 CPU-seconds a second: more than 2 PUs give */
    cr_expect_eq(bench_cost_pus_used(&basis, 3), 2);
    bench_cost_t c = bench_cost_of(&r[0], 1, &basis);
    cr_expect_float_eq(c.cpu_hours, 48, 1e-9, "2 PUs x 24 h");
    cr_expect(c.cpu_hours_capped);
    cr_expect_float_eq(c.hashes, 300.0 * 24 * 3600, 1e-3);
    c = bench_cost_of(&r[0], 0, &basis); /* one thread: 0.0141 s x 70.5 H/s x 24 h */
    cr_expect(!c.cpu_hours_capped);
    cr_expect_float_eq(c.cpu_hours, 0.0141 * 70.5 * 24, 1e-9);

    int saved = capture_stdout();
    bench_table_cost(r, FIXTURE_COUNT, &basis);
    char *text = captured_stdout(saved);
    cr_expect_not_null(strstr(text, "48.0 CPU-hours (capped: 3 threads share 2 PU(s)"), "%s", text);
    cr_expect_not_null(strstr(text, "derived from each algorithm's row with the most threads"),
                       "%s", text);
    free(text);
    /* Unpinned threads count as many PUs as may run them. */
    basis.pinning = NULL;
    cr_expect_eq(bench_cost_pus_used(&basis, 3), 2);
}

/* A row measured at 20 W on a machine idling at 5 W. */
static void with_power(bench_result_t r[FIXTURE_COUNT], bench_cost_basis_t *basis)
{
    fixture(r);
    r[0].watts[1] = 20;
    r[0].joules_per_hash[1] = 20 / 139.5;
    *basis = FIXTURE_BASIS;
    basis->idle_watts = 5;
    basis->vcpu_price = 0.04;
    basis->power_source = "measured: powercap RAPL package, 1 package";
    basis->power_reason = NULL;
}

/* What the miner adds: power above idle, its J/hash, and prices on exactly those. */
Test(bench_report, marginal_figures_and_prices_are_taken_above_the_idle_baseline)
{
    bench_result_t r[FIXTURE_COUNT];
    bench_cost_basis_t basis;
    with_power(r, &basis);
    cr_expect_float_eq(bench_marginal_watts(&r[0], 1, &basis), 15.0, 1e-12);
    cr_expect_float_eq(bench_marginal_joules_per_hash(&r[0], 1, &basis), 15 / 139.5, 1e-12);
    cr_expect_lt(bench_marginal_watts(&r[0], 0, &basis), 0, "no watts on row 0: unknown");
    bench_cost_t c = bench_cost_of(&r[0], 1, &basis);
    cr_expect_float_eq(c.kwh, 20.0 * 24 / 1000, 1e-12);
    cr_expect_float_eq(c.kwh_above_idle, 15.0 * 24 / 1000, 1e-12);
    cr_expect_float_eq(c.money, 15.0 * 24 / 1000 * 0.25, 1e-12, "--price on the marginal energy");
    cr_expect_float_eq(c.cpu_money, c.cpu_hours * 0.04, 1e-12);
    /* Below the baseline (noise on a light load) is nothing added, not negative power. */
    r[0].watts[1] = 4;
    cr_expect_float_eq(bench_marginal_watts(&r[0], 1, &basis), 0.0, 1e-12);
    /* No baseline: no marginal figure, no money; the CPU's value needs no power figure. */
    basis.idle_watts = -1;
    c = bench_cost_of(&r[0], 1, &basis);
    cr_expect_lt(c.kwh_above_idle, 0);
    cr_expect_lt(c.money, 0);
    cr_expect_geq(c.cpu_money, 0);
    basis.vcpu_price = -1;
    cr_expect_lt(bench_cost_of(&r[0], 1, &basis).cpu_money, 0, "no --vcpu-price: unknown");
}

Test(bench_report, json_rows_carry_power_with_its_source_or_null_with_the_reason)
{
    bench_result_t r[FIXTURE_COUNT];
    bench_cost_basis_t basis;
    with_power(r, &basis);
    bench_run_t run = fixture_run();
    run.cost = &basis;
    const char *path = in_dir("bench.json");
    cr_assert_eq(bench_report_json(path, r, FIXTURE_COUNT, &run), 0);
    json_t *root = json_load_file(path, 0, NULL);
    cr_assert_not_null(root);
    json_t *power = json_object_get(json_object_get(root, "run"), "power");
    cr_expect_str_eq(json_string_value(json_object_get(power, "source")), basis.power_source);
    cr_expect_float_eq(json_real_value(json_object_get(power, "idle_watts")), 5.0, 1e-12);
    json_t *runs = json_object_get(json_array_get(json_object_get(root, "algorithms"), 0), "runs");
    json_t *measured = json_array_get(runs, 1), *unknown = json_array_get(runs, 0);
    cr_expect_float_eq(json_real_value(json_object_get(measured, "watts")), 20.0, 1e-12);
    cr_expect_float_eq(json_real_value(json_object_get(measured, "marginal_watts")), 15.0, 1e-12);
    cr_expect_float_eq(json_real_value(json_object_get(measured, "marginal_joules_per_hash")),
                       15 / 139.5, 1e-12);
    cr_expect_str_eq(json_string_value(json_object_get(measured, "power_source")),
                     basis.power_source);
    cr_expect(json_is_null(json_object_get(measured, "power_reason")));
    cr_expect_float_eq(
        json_real_value(json_object_get(json_object_get(measured, "cost"), "cpu_money")),
        bench_cost_of(&r[0], 1, &basis).cpu_hours * 0.04, 1e-9);
    /* The row whose source did not read: every power figure null, and why. */
    static const char *const nulls[] = {"watts", "joules_per_hash", "marginal_watts",
                                        "marginal_joules_per_hash", "power_source"};
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        cr_expect(json_is_null(json_object_get(unknown, nulls[i])), "%s", nulls[i]);
    cr_expect(json_is_string(json_object_get(unknown, "power_reason")));
    json_decref(root);
}

/* An estimate is never shown as a measurement: "~" before every estimated figure. */
Test(bench_report, table_marks_estimated_energy_with_a_tilde)
{
    bench_result_t r[FIXTURE_COUNT];
    bench_cost_basis_t basis;
    with_power(r, &basis);
    int saved = capture_stdout();
    bench_table_row(&r[0], 1);
    r[0].energy_estimated = 1;
    bench_table_row(&r[0], 1);
    bench_table_cost(r, 1, &basis);
    char *text = captured_stdout(saved);
    char *second = strchr(text, '\n');
    cr_assert_not_null(second, "%s", text);
    *second++ = '\0';
    cr_expect_null(strchr(text, '~'), "measured: %s", text);
    cr_expect_not_null(strstr(second, " ~0.143"), "estimated J/hash: %s", second);
    cr_expect_not_null(strstr(second, "~20.00 W = ~0.480 kWh (~0.360 kWh above idle"), "%s",
                       second);
    free(text);
}

/* The JSON's run header says how the run was made and whether it was cut short. */
Test(bench_report, json_run_header_has_the_command_line_machine_and_build)
{
    bench_result_t r[FIXTURE_COUNT];
    fixture(r);
    json_t *root = load_json_of(r);
    json_t *run = json_object_get(root, "run");
    cr_assert_not_null(run);
    json_t *argv = json_object_get(run, "command_line");
    cr_expect_eq(json_array_size(argv), 4);
    cr_expect_str_eq(json_string_value(json_array_get(argv, 1)), "bench");
    cr_expect(json_is_null(json_object_get(run, "interrupted")));
    cr_expect_eq(json_integer_value(json_object_get(run, "started_unix")), 1796569029);
    cr_expect_eq(json_integer_value(json_array_get(json_object_get(run, "pinning"), 1)), 1);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(run, "build"), "version")),
                     PACKAGE_VERSION);
    json_t *cost = json_object_get(
        json_array_get(
            json_object_get(json_array_get(json_object_get(root, "algorithms"), 0), "runs"), 0),
        "cost");
    cr_expect_float_eq(json_number_value(json_object_get(cost, "hours")), 24, 1e-9);
    json_decref(root);
}

/* docs/bench-csv.md names exactly the columns the CSV has, in its table's first cells. */
Test(bench_report, csv_columns_are_the_ones_docs_bench_csv_md_documents)
{
    FILE *f = fopen(MINEMETER_SRCDIR "/docs/bench-csv.md", "r");
    cr_assert_not_null(f, "docs/bench-csv.md");
    char line[512], documented[64][48];
    size_t n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "| `", 3) != 0)
            continue;
        char *cell_end = strchr(line + 1, '|');
        for (char *p = strchr(line, '`'); p != NULL && p < cell_end && n < 64;) {
            char *close = strchr(p + 1, '`');
            snprintf(documented[n++], sizeof(documented[0]), "%.*s", (int)(close - p - 1), p + 1);
            p = strchr(close + 1, '`');
        }
    }
    fclose(f);
    size_t columns = sizeof(CSV_COLUMNS) / sizeof(CSV_COLUMNS[0]);
    cr_expect_eq(n, columns, "%zu documented, %zu in the CSV", n, columns);
    for (size_t c = 0; c < columns; c++) {
        int found = 0;
        for (size_t d = 0; d < n; d++)
            found |= strcmp(documented[d], CSV_COLUMNS[c]) == 0;
        cr_expect(found, "column %s is not in docs/bench-csv.md", CSV_COLUMNS[c]);
    }
}
