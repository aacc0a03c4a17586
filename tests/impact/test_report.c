/*
 * impact/report.c: the derived figures (slowdown round by round against
 * that round's baseline, marginal watts, money) from made-up windows, and
 * the JSON held to docs/impact-json.md both ways.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "impact/report.h"
#include "tests/support/fake_tree.h"
#include "tests/support/run_command.h"

/* memory (lower is better): alone 100, 110, 90 ns; beside x1: 150, 154, 126; x2: 200, 220, 180. */
static void fixture(impact_victim_results_t *v, impact_run_info_t *info)
{
    memset(v, 0, sizeof(*v));
    v->victim = "memory";
    v->unit = "ns/access";
    v->higher_is_better = 0;
    v->entries = 3;
    static const double alone[] = {100, 110, 90}, x1[] = {150, 154, 126}, x2[] = {200, 220, 180};
    const double *values[] = {alone, x1, x2};
    for (unsigned e = 0; e < 3; e++) {
        impact_entry_t *entry = &v->entry[e];
        entry->algo = pow_algo_find("rx/0");
        entry->threads = e;
        entry->intensity = 100;
        entry->rounds = 3;
        for (unsigned i = 0; i < e; i++)
            entry->pus[i] = (int)i;
        for (unsigned r = 0; r < 3; r++) {
            impact_window_t *w = &entry->run[r];
            w->value = values[e][r];
            w->p50_us = w->p99_us = w->p999_us = -1;
            w->victim_cpu_s = 2.0 - 0.25 * e;
            w->wall_s = 2;
            w->miner_hps = 30.0 * e;
            w->joules = 2 * (10 + 5 * e + r); /* 10, 15, 20 W (+r) */
        }
    }
    memset(info, 0, sizeof(*info));
    static char *argv[] = {"minemeter", "impact", "--probe", "memory", NULL};
    info->placement = "all";
    info->victim_pu = 1;
    info->repeat = 3;
    info->duration = 2;
    info->seed = 7;
    info->hours = 24;
    info->price = 0.5;
    info->power_source = "estimated: a model";
    info->argc = 4;
    info->argv = argv;
    info->started_unix = 1796569029;
}

Test(impact_report, slowdown_is_taken_against_the_baseline_of_the_same_round)
{
    static impact_victim_results_t v;
    impact_run_info_t info;
    fixture(&v, &info);
    impact_summary_t s = impact_summarize(&v, 1, &info);
    /* Rounds: 150/100, 154/110, 126/90 are all 1.5 and 1.4: +50, +40, +40. */
    cr_expect_float_eq(s.slowdown.median, 40.0, 1e-9);
    cr_expect_float_eq(s.slowdown.min, 40.0, 1e-9);
    cr_expect_float_eq(s.slowdown.max, 50.0, 1e-9);
    cr_expect(s.slowdown.ci95_low <= s.slowdown.median &&
              s.slowdown.median <= s.slowdown.ci95_high);
    cr_expect_float_eq(s.miner_hps.median, 30.0, 1e-9);
    cr_expect_float_eq(s.victim_cpu_change, -12.5, 1e-9, "1.75 s of CPU against 2 s alone");
    cr_expect_float_eq(s.marginal_watts, 5.0, 1e-9, "15 W beside the miner, 10 W alone");
    cr_expect_float_eq(s.money, 5.0 * 24 / 1000 * 0.5, 1e-12);
    impact_summary_t s2 = impact_summarize(&v, 2, &info);
    cr_expect_float_eq(s2.slowdown.median, 100.0, 1e-9);
    cr_expect_float_eq(impact_baseline_drift_percent(&v), -10.0, 1e-9, "90 against 100 ns");
}

/* A throughput: half the lookups per second is 100% slower, as twice the latency is. */
Test(impact_report, throughput_and_latency_slowdowns_read_the_same_way)
{
    static impact_victim_results_t v;
    impact_run_info_t info;
    fixture(&v, &info);
    v.higher_is_better = 1;
    for (unsigned r = 0; r < 3; r++) {
        v.entry[0].run[r].value = 1000;
        v.entry[2].run[r].value = 500;
    }
    cr_expect_float_eq(impact_summarize(&v, 2, &info).slowdown.median, 100.0, 1e-9);
}

/* The sections of docs/impact-json.md and the fields each names: "### `run`" then "| `f` |". */
typedef struct {
    char section[64];
    char field[64];
} doc_row_t;

static size_t read_doc(doc_row_t *rows, size_t max)
{
    FILE *f = fopen(MINEMETER_SRCDIR "/docs/impact-json.md", "r");
    cr_assert_not_null(f, "docs/impact-json.md");
    char line[1024], section[64] = "top level";
    size_t n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char name[64];
        if (sscanf(line, "### `%63[^`]`", name) == 1 || sscanf(line, "## `%63[^`]`", name) == 1)
            snprintf(section, sizeof(section), "%s", name);
        else if (strncmp(line, "### stats", 9) == 0)
            snprintf(section, sizeof(section), "stats");
        else if (strncmp(line, "## Top level", 12) == 0)
            snprintf(section, sizeof(section), "top level");
        else if (sscanf(line, "| `%63[^`]` |", name) == 1 && n < max) {
            snprintf(rows[n].section, sizeof(rows[n].section), "%s", section);
            snprintf(rows[n].field, sizeof(rows[n].field), "%s", name);
            n++;
        }
    }
    fclose(f);
    return n;
}

/* object has exactly the fields the doc lists under section. */
static void holds_to(const json_t *object, const char *section, const doc_row_t *rows, size_t n)
{
    cr_assert(json_is_object(object), "%s is not an object", section);
    size_t documented = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].section, section) != 0)
            continue;
        documented++;
        cr_expect_not_null(json_object_get(object, rows[i].field), "%s.%s is documented but absent",
                           section, rows[i].field);
    }
    cr_expect_gt(documented, 0, "no table for %s", section);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)object, key, value)
    {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(rows[i].section, section) == 0 && strcmp(rows[i].field, key) == 0;
        cr_expect(found, "%s.%s is written but not in docs/impact-json.md", section, key);
    }
}

Test(impact_report, json_has_exactly_the_fields_docs_impact_json_md_documents,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    static impact_victim_results_t v;
    impact_run_info_t info;
    fixture(&v, &info);
    char path[128];
    snprintf(path, sizeof(path), "%s/impact.json", fake_tree_root);
    impact_summarize_all(&v, 1, &info);
    cr_assert_eq(impact_report_json(path, &v, 1, &info), 0);
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    cr_assert_not_null(root, "%s", error.text);
    static doc_row_t rows[128];
    size_t n = read_doc(rows, 128);
    holds_to(root, "top level", rows, n);
    holds_to(json_object_get(root, "run"), "run", rows, n);
    holds_to(json_object_get(json_object_get(root, "run"), "power"), "run.power", rows, n);
    json_t *base = json_object_get(json_object_get(root, "baseline"), "memory");
    holds_to(base, "baseline.<victim>", rows, n);
    holds_to(json_object_get(base, "value"), "stats", rows, n);
    json_t *configs = json_object_get(root, "configurations");
    cr_assert_eq(json_array_size(configs), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *c = json_array_get(configs, i);
        holds_to(c, "configurations[]", rows, n);
        holds_to(json_object_get(c, "slowdown_percent"), "stats", rows, n);
        holds_to(json_object_get(c, "miner_hashes_per_second"), "stats", rows, n);
    }
    json_t *first = json_array_get(configs, 0);
    cr_expect_str_eq(json_string_value(json_object_get(first, "mode")), "light");
    cr_expect_eq(json_integer_value(json_object_get(first, "threads")), 1);
    cr_expect_float_eq(
        json_real_value(json_object_get(json_object_get(first, "slowdown_percent"), "median")),
        40.0, 1e-9);
    json_t *ci = json_object_get(json_object_get(first, "slowdown_percent"), "ci95");
    cr_expect_eq(json_array_size(ci), 2);
    json_decref(root);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* One line per victim and algorithm, a point and a min-max bar per thread count, a legend. */
Test(impact_report, svg_draws_a_line_per_victim_with_a_point_per_thread_count,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    static impact_victim_results_t v[2];
    impact_run_info_t info;
    fixture(&v[0], &info);
    fixture(&v[1], &info);
    v[1].victim = "cache";
    v[1].unit = "lookups/s";
    v[1].higher_is_better = 1;
    char path[128];
    snprintf(path, sizeof(path), "%s/impact.svg", fake_tree_root);
    impact_summarize_all(v, 2, &info);
    cr_assert_eq(impact_report_svg(path, v, 2, &info), 0);
    const char *svg = slurp(path);
    cr_expect_not_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    cr_expect_not_null(strstr(svg, "</svg>\n"), "whole");
    cr_expect_eq(count_occurrences(svg, "<polyline"), 2);
    cr_expect_eq(count_occurrences(svg, "<circle"), 4, "two victims x two thread counts");
    cr_expect_not_null(strstr(svg, ">memory: rx/0 light 100%</text>"), "%s", svg);
    cr_expect_not_null(strstr(svg, ">cache: rx/0 light 100%</text>"), "%s", svg);
    cr_expect_not_null(strstr(svg, ">+100%</text>"), "the 100%% gridline: memory x2 is +100%%");
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    cr_expect_neq(access(tmp, F_OK), 0, "no temporary file left");
}

/* The CSV's header names exactly the columns docs/impact-json.md lists, and each row fills them. */
Test(impact_report, csv_has_the_documented_columns_and_a_row_per_configuration,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    static impact_victim_results_t v;
    impact_run_info_t info;
    fixture(&v, &info);
    char path[128];
    snprintf(path, sizeof(path), "%s/impact.csv", fake_tree_root);
    impact_summarize_all(&v, 1, &info);
    cr_assert_eq(impact_report_csv(path, &v, 1, &info), 0);
    char *text = slurp(path);
    char header[1024];
    size_t len = strcspn(text, "\n");
    cr_assert_lt(len, sizeof(header));
    memcpy(header, text, len);
    header[len] = '\0';
    cr_expect_eq(count_occurrences(text, "\n"), 3, "a header and two rows: %s", text);
    static doc_row_t rows[128];
    size_t n = read_doc(rows, 128);
    unsigned documented = 0, columns = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].section, "--csv FILE") != 0)
            continue;
        documented++;
        char needle[80];
        snprintf(needle, sizeof(needle), ",%s,", rows[i].field);
        char padded[1100];
        snprintf(padded, sizeof(padded), ",%s,", header);
        cr_expect_not_null(strstr(padded, needle), "column %s is documented, not written",
                           rows[i].field);
    }
    for (const char *p = header; p != NULL; p = strchr(p + 1, ','))
        columns++;
    cr_expect_eq(columns, documented, "header %s", header);
    /* Each row has as many fields as the header. */
    const char *row = strchr(text, '\n') + 1;
    unsigned commas = 0;
    for (const char *p = row; *p != '\n' && *p != '\0'; p++)
        commas += *p == ',';
    cr_expect_eq(commas + 1, columns);
}
