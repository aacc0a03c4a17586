/*
 * Reading bench JSON files for `compare`: every file checked first (JSON,
 * a bench result, a schema this version reads), then each run placed in
 * the row of its algorithm, mode and thread count.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "bench/compare.h"
#include "bench/report.h"

/* "runs/epyc-2.json" -> "epyc-2". */
static void label_of(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    if (n >= len)
        n = len - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

/* The schema check: "minemeter-bench/1", or no schema from this very version. */
static int schema_ok(const json_t *root, const char *path, char *why, size_t why_len)
{
    const char *schema = json_string_value(json_object_get(root, "schema"));
    const char *version = json_string_value(json_object_get(root, "minemeter"));
    if (schema != NULL && strcmp(schema, BENCH_JSON_SCHEMA) == 0)
        return 0;
    if (schema == NULL && version != NULL && strcmp(version, PACKAGE_VERSION) == 0)
        return 0;
    if (schema != NULL)
        snprintf(why, why_len,
                 "%s has schema %s (minemeter %s): this minemeter %s reads %s only; compare it "
                 "with the minemeter that wrote it",
                 path, schema, version != NULL ? version : "unknown", PACKAGE_VERSION,
                 BENCH_JSON_SCHEMA);
    else
        snprintf(why, why_len,
                 "%s was written by minemeter %s, before bench JSON named its schema: this "
                 "minemeter %s reads %s only; run bench again to compare it",
                 path, version, PACKAGE_VERSION, BENCH_JSON_SCHEMA);
    return -1;
}

static json_t *load_file(const char *path, char *why, size_t why_len)
{
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    if (root == NULL) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            snprintf(why, why_len, "cannot read %s", path);
        else
            snprintf(why, why_len, "%s is not JSON (line %d: %s)", path, error.line, error.text);
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "minemeter")) ||
        !json_is_array(json_object_get(root, "algorithms"))) {
        snprintf(why, why_len,
                 "%s is not a result of minemeter bench --json (no \"minemeter\" version and "
                 "\"algorithms\" list)",
                 path);
        json_decref(root);
        return NULL;
    }
    if (schema_ok(root, path, why, why_len) != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* The row for (algo, mode, threads), made when new; NULL when the table is full. */
static bench_compare_row_t *row_for(bench_compare_t *c, const char *algo, const char *mode,
                                    unsigned threads)
{
    for (unsigned i = 0; i < c->rows; i++) {
        bench_compare_row_t *r = &c->row[i];
        if (r->threads == threads && strcmp(r->algo, algo) == 0 && strcmp(r->mode, mode) == 0)
            return r;
    }
    if (c->rows == BENCH_COMPARE_MAX_ROWS)
        return NULL;
    bench_compare_row_t *r = &c->row[c->rows++];
    memset(r, 0, sizeof(*r));
    snprintf(r->algo, sizeof(r->algo), "%s", algo);
    snprintf(r->mode, sizeof(r->mode), "%s", mode);
    r->threads = threads;
    for (unsigned f = 0; f < BENCH_COMPARE_MAX_FILES; f++) {
        r->cell[f].hps = -1;
        r->cell[f].joules_per_hash = -1;
        r->cell[f].ratio = -1;
    }
    return r;
}

static double number_or(const json_t *v, double otherwise)
{
    return json_is_number(v) ? json_number_value(v) : otherwise;
}

/* Places every verified run of file f (root) in its row. */
static void take_runs(bench_compare_t *c, unsigned f, const json_t *root)
{
    size_t i, j;
    const json_t *entry, *run;
    json_array_foreach(json_object_get(root, "algorithms"), i, entry)
    {
        const char *algo = json_string_value(json_object_get(entry, "algo"));
        const char *mode = json_string_value(json_object_get(entry, "mode"));
        if (algo == NULL || !json_is_true(json_object_get(entry, "verified")))
            continue;
        json_array_foreach(json_object_get(entry, "runs"), j, run)
        {
            const json_t *hps = json_object_get(run, "hashes_per_second");
            json_int_t threads = json_integer_value(json_object_get(run, "threads"));
            double median = number_or(json_object_get(hps, "median"), -1);
            if (threads <= 0 || median < 0)
                continue;
            bench_compare_row_t *r = row_for(c, algo, mode != NULL ? mode : "", (unsigned)threads);
            if (r == NULL)
                return;
            bench_compare_cell_t *cell = &r->cell[f];
            cell->hps = median;
            cell->hps_min = number_or(json_object_get(hps, "min"), median);
            cell->hps_max = number_or(json_object_get(hps, "max"), median);
            cell->hps_per_thread = median / (double)threads;
            cell->joules_per_hash = number_or(json_object_get(run, "joules_per_hash"), -1);
            const char *source = json_string_value(json_object_get(run, "power_source"));
            cell->energy_estimated = source != NULL && strncmp(source, "estimated", 9) == 0;
        }
    }
}

int bench_compare_load(bench_compare_t *out, const char *const *paths, unsigned count, char *why,
                       size_t why_len)
{
    memset(out, 0, sizeof(*out));
    if (count < 2 || count > BENCH_COMPARE_MAX_FILES) {
        snprintf(why, why_len, "give 2 to %d bench JSON files (%u given)", BENCH_COMPARE_MAX_FILES,
                 count);
        return -1;
    }
    json_t *roots[BENCH_COMPARE_MAX_FILES] = {NULL};
    for (unsigned f = 0; f < count; f++) {
        roots[f] = load_file(paths[f], why, why_len);
        if (roots[f] == NULL) {
            for (unsigned k = 0; k < f; k++)
                json_decref(roots[k]);
            return -1;
        }
    }
    out->files = count;
    for (unsigned f = 0; f < count; f++) {
        bench_compare_file_t *file = &out->file[f];
        snprintf(file->path, sizeof(file->path), "%s", paths[f]);
        label_of(paths[f], file->label, sizeof(file->label));
        const char *brand =
            json_string_value(json_object_get(json_object_get(roots[f], "cpu"), "brand"));
        snprintf(file->cpu, sizeof(file->cpu), "%s", brand != NULL ? brand : "");
        snprintf(file->version, sizeof(file->version), "%s",
                 json_string_value(json_object_get(roots[f], "minemeter")));
        take_runs(out, f, roots[f]);
        json_decref(roots[f]);
    }
    for (unsigned i = 0; i < out->rows; i++) {
        bench_compare_row_t *r = &out->row[i];
        for (unsigned f = 0; f < count; f++)
            if (r->cell[0].hps > 0 && r->cell[f].hps >= 0)
                r->cell[f].ratio = r->cell[f].hps / r->cell[0].hps;
    }
    if (out->rows == 0) {
        snprintf(why, why_len, "none of the files holds a verified measurement to compare");
        return -1;
    }
    return 0;
}
