/*
 * minemeter compare: bench results side by side. Three hand-written bench
 * files with known medians check the ratios in the table, the CSV and the
 * chart; a real bench file checks that what bench writes is what compare
 * reads; files of another kind or schema are refused with exit 2.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/run_command.h"

/* A bench result with rx/0 light at 1 and 2 threads and, when cn2 > 0, cn/2 at 1 thread. */
static void write_bench(const char *path, const char *schema_line, const char *brand, double rx1,
                        double rx2, double cn2)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(
        f,
        "{%s \"minemeter\": \"0.1.0\", \"run\": {}, \"cpu\": {\"brand\": \"%s\"},\n"
        " \"algorithms\": [\n"
        "  {\"algo\": \"rx/0\", \"mode\": \"light\", \"verified\": true, \"runs\": [\n"
        "   {\"threads\": 1, \"hashes_per_second\": {\"median\": %g, \"min\": %g, \"max\": %g},\n"
        "    \"joules_per_hash\": 0.004, \"power_source\": \"estimated: CCF\"},\n"
        "   {\"threads\": 2, \"hashes_per_second\": {\"median\": %g, \"min\": %g, \"max\": %g},\n"
        "    \"joules_per_hash\": null, \"power_source\": null}]}",
        schema_line, brand, rx1, rx1, rx1, rx2, rx2, rx2);
    if (cn2 > 0)
        fprintf(f,
                ",\n  {\"algo\": \"cn/2\", \"mode\": \"\", \"verified\": true, \"runs\": [\n"
                "   {\"threads\": 1, \"hashes_per_second\": {\"median\": %g},\n"
                "    \"joules_per_hash\": 0.2, \"power_source\": \"measured: powercap\"}]}",
                cn2);
    fprintf(f, "]}\n");
    fclose(f);
}

#define SCHEMA "\"schema\": \"minemeter-bench/1\","

typedef struct {
    char dir[64], a[96], b[96], c[96];
} files_t;

static void three_files(files_t *t)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/minemeter-compare-XXXXXX");
    cr_assert_not_null(mkdtemp(t->dir));
    snprintf(t->a, sizeof(t->a), "%s/epyc.json", t->dir);
    snprintf(t->b, sizeof(t->b), "%s/xeon.json", t->dir);
    snprintf(t->c, sizeof(t->c), "%s/small.json", t->dir);
    write_bench(t->a, SCHEMA, "AMD EPYC", 100, 180, 50);
    write_bench(t->b, SCHEMA, "Intel Xeon", 120, 200, 45);
    write_bench(t->c, SCHEMA, "Tiny", 80, 160, 0);
}

static void remove_files(const files_t *t)
{
    char rm[128];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", t->dir);
    cr_assert_eq(system(rm), 0);
}

/* The line of label within the group titled title, from the table. */
static const char *line_in_group(const char *out, const char *title, const char *label)
{
    const char *group = strstr(out, title);
    cr_assert_not_null(group, "no group %s in:\n%s", title, out);
    const char *next_group = strstr(group + 1, "\n\n");
    char needle[64];
    snprintf(needle, sizeof(needle), "\n  %s ", label);
    const char *line = strstr(group, needle);
    cr_assert(line != NULL && (next_group == NULL || line < next_group), "no %s under %s:\n%s",
              label, title, out);
    return line + 1;
}

/* That line alone, in a static buffer. */
static const char *line_text(const char *out, const char *title, const char *label)
{
    static char text[256];
    const char *line = line_in_group(out, title, label);
    snprintf(text, sizeof(text), "%.*s", (int)strcspn(line, "\n"), line);
    return text;
}

static void expect_ratio(const char *out, const char *title, const char *label, const char *ratio)
{
    const char *text = line_text(out, title, label);
    size_t r = strlen(ratio), t = strlen(text);
    cr_expect(t >= r && strcmp(text + t - r, ratio) == 0, "%s under %s ends \"%s\", not %s", label,
              title, text, ratio);
}

Test(cli_compare, the_table_gives_each_file_s_ratio_to_the_first)
{
    files_t t;
    three_files(&t);
    run_result_t *r = run_minemeter(ARGS("compare", t.a, t.b, t.c));
    cr_assert(r->exited && r->exit_code == 0, "%s%s", r->out, r->err);
    expect_ratio(r->out, "rx/0 light, 1 thread\n", "epyc", "1.000");
    expect_ratio(r->out, "rx/0 light, 1 thread\n", "xeon", "1.200");
    expect_ratio(r->out, "rx/0 light, 1 thread\n", "small", "0.800");
    expect_ratio(r->out, "rx/0 light, 2 threads\n", "xeon", "1.111");
    expect_ratio(r->out, "rx/0 light, 2 threads\n", "small", "0.889");
    expect_ratio(r->out, "cn/2, 1 thread\n", "xeon", "0.900");
    expect_ratio(r->out, "cn/2, 1 thread\n", "small", "-");
    const char *epyc = line_text(r->out, "rx/0 light, 2 threads\n", "epyc");
    cr_expect(strstr(epyc, "90.0") != NULL, "H/s per thread: %s", epyc);
    cr_expect(strstr(line_text(r->out, "rx/0 light, 1 thread\n", "epyc"), "~0.004") != NULL,
              "an estimated J/hash is marked");
    epyc = line_text(r->out, "cn/2, 1 thread\n", "epyc");
    cr_expect(strstr(epyc, "~") == NULL && strstr(epyc, "0.2") != NULL, "a measured one: %s", epyc);
    cr_expect(strstr(r->out, "AMD EPYC") != NULL && strstr(r->out, "Intel Xeon") != NULL);
    run_result_free(r);
    remove_files(&t);
}

Test(cli_compare, csv_and_svg_hold_the_same_ratios, .timeout = 60)
{
    files_t t;
    three_files(&t);
    char csv[128], svg[128];
    snprintf(csv, sizeof(csv), "%s/ratios.csv", t.dir);
    snprintf(svg, sizeof(svg), "%s/ratios.svg", t.dir);
    run_result_t *r = run_minemeter(ARGS("compare", "--csv", csv, t.a, t.b, "--svg", svg, t.c));
    cr_assert(r->exited && r->exit_code == 0, "%s%s", r->out, r->err);
    run_result_free(r);
    FILE *f = fopen(csv, "r");
    cr_assert_not_null(f, "no CSV");
    char line[1024];
    int rows = 0, found = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        rows++;
        if (strncmp(line, "rx/0,light,2,", 13) == 0 && strstr(line, "\"xeon\"") != NULL)
            found = strstr(line, ",1.111111111\n") != NULL;
    }
    fclose(f);
    cr_expect_eq(rows, 1 + 3 * 3, "a header and a row per measurement and file");
    cr_expect(found, "the xeon's 2-thread ratio is 200/180 in the CSV");
    /* The chart is well-formed XML with a bar per file that has the measurement. */
    run_result_t *x = run_command(
        ARGS("/usr/bin/python3", "-c",
             "import sys, xml.dom.minidom as m\n"
             "d = m.parse(sys.argv[1])\n"
             "print(len([r for r in d.getElementsByTagName('rect') if r.getElementsByTagName("
             "'title')]))",
             svg),
        NULL, 30);
    cr_assert(x->exited && x->exit_code == 0, "the SVG is not well-formed XML: %s", x->err);
    cr_expect_eq(atoi(x->out), 8, "3 + 3 + 2 bars (small has no cn/2), got %s", x->out);
    run_result_free(x);
    remove_files(&t);
}

Test(cli_compare, what_bench_writes_is_what_compare_reads, .timeout = 300)
{
    files_t t;
    three_files(&t);
    char real[128];
    snprintf(real, sizeof(real), "%s/real.json", t.dir);
    run_result_t *b = run_minemeter(ARGS("bench", "--algo", "cn-pico", "--threads", "1", "--repeat",
                                         "1", "--duration", "1", "--json", real));
    cr_assert_eq(b->exit_code, 0, "%s%s", b->out, b->err);
    run_result_free(b);
    run_result_t *r = run_minemeter(ARGS("compare", real, real));
    cr_assert(r->exited && r->exit_code == 0, "%s%s", r->out, r->err);
    expect_ratio(r->out, "cn-pico, 1 thread\n", "real", "1.000");
    run_result_free(r);
    remove_files(&t);
}

static void refused(const char *const args[], const char *said)
{
    run_result_t *r = run_minemeter(args);
    cr_expect(r->exited && r->exit_code == 2, "exit %d: %s", r->exit_code, r->err);
    cr_expect(strstr(r->err, said) != NULL, "stderr does not say \"%s\": %s", said, r->err);
    cr_expect_eq(r->out[0], '\0', "nothing is printed before every file is checked: %s", r->out);
    run_result_free(r);
}

Test(cli_compare, files_of_another_kind_or_schema_exit_2_before_any_output)
{
    files_t t;
    three_files(&t);
    char other[128], old[128], junk[128], impact[128];
    snprintf(other, sizeof(other), "%s/other.json", t.dir);
    snprintf(old, sizeof(old), "%s/old.json", t.dir);
    snprintf(junk, sizeof(junk), "%s/junk.json", t.dir);
    snprintf(impact, sizeof(impact), "%s/impact.json", t.dir);
    write_bench(other, "\"schema\": \"minemeter-bench/2\",", "X", 1, 2, 3);
    FILE *f = fopen(old, "w");
    fprintf(f, "{\"minemeter\": \"0.0.9\", \"algorithms\": []}\n");
    fclose(f);
    f = fopen(junk, "w");
    fprintf(f, "not json at all\n");
    fclose(f);
    f = fopen(impact, "w");
    fprintf(f, "{\"minemeter\": \"0.1.0\", \"victims\": []}\n");
    fclose(f);
    refused(ARGS("compare", t.a, other), "has schema minemeter-bench/2");
    refused(ARGS("compare", t.a, old), "before bench JSON named its schema");
    refused(ARGS("compare", t.a, junk), "is not JSON");
    refused(ARGS("compare", impact, t.a), "is not a result of minemeter bench");
    refused(ARGS("compare", t.a, "/no/such/file.json"), "cannot read /no/such/file.json");
    refused(ARGS("compare", t.a), "two or more");
    refused(ARGS("compare", t.a, t.b, "--csv", "/no/such/dir/x.csv"), "--csv");
    remove_files(&t);
}
