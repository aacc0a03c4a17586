#include "config.h"
#include "bench/report.h"
#include "bench/report_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "arch/cpu.h"

static json_t *stats_json(const bench_stats_t *s)
{
    return json_pack("{s:f, s:f, s:f, s:i}", "median", s->median, "min", s->min, "max", s->max, "n",
                     (int)s->n);
}

int bench_report_json(const char *path, const bench_result_t *results, unsigned count,
                      unsigned repeat, unsigned duration)
{
    const arch_cpu_t *cpu = arch_cpu();
    json_t *algos = json_array();
    for (unsigned a = 0; a < count; a++) {
        const bench_result_t *r = &results[a];
        json_t *runs = json_array();
        for (unsigned t = 0; r->verified && t < r->thread_counts; t++) {
            json_array_append_new(
                runs,
                json_pack("{s:i, s:o, s:f, s:o, s:o, s:s, s:o, s:o, s:s, s:b, s:i}", "threads",
                          (int)r->threads[t], "hashes_per_second", stats_json(&r->hps[t]),
                          "hashes_per_second_per_thread", r->hps[t].median / r->threads[t],
                          "cpu_seconds_per_hash", stats_json(&r->cpu_seconds[t]), "cycles_per_hash",
                          stats_json(&r->cycles[t]), "cycles_source",
                          arch_cycles_source_name(r->last[t].cycles_source), "joules_per_hash",
                          r->joules_per_hash[t] >= 0 ? json_real(r->joules_per_hash[t])
                                                     : json_null(),
                          "watts", r->watts[t] >= 0 ? json_real(r->watts[t]) : json_null(), "pages",
                          r->last[t].pages ? r->last[t].pages : "", "jit", r->last[t].jit, "lanes",
                          (int)(r->last[t].lanes ? r->last[t].lanes : 1)));
            if (r->have_reference_hps) {
                /* A thread count the reference failed at has no figure, not a zero. */
                json_t *run = json_array_get(runs, json_array_size(runs) - 1);
                int measured = r->reference_hps[t].n > 0;
                json_object_set_new(run, "reference_hashes_per_second",
                                    measured ? stats_json(&r->reference_hps[t]) : json_null());
                json_object_set_new(run, "reference_ratio",
                                    measured ? stats_json(&r->reference_ratio[t]) : json_null());
                json_object_set_new(run, "reference_aa_ratio",
                                    measured ? stats_json(&r->reference_aa_ratio[t]) : json_null());
                if (!measured)
                    json_object_set_new(run, "reference_unavailable",
                                        json_string(r->reference_note[0] != '\0'
                                                        ? r->reference_note
                                                        : "the reference run failed"));
            }
        }
        json_t *ref = r->have_reference ? json_pack("{s:s, s:o}", "implementation",
                                                    r->reference_name, "seconds_per_hash",
                                                    stats_json(&r->reference_seconds_per_hash))
                                        : json_pack("{s:s}", "unavailable", r->reference_note);
        json_array_append_new(algos, json_pack("{s:s, s:s, s:s, s:b, s:f, s:f, s:o, s:o}", "algo",
                                               pow_algo_name(r->algo), "mode",
                                               pow_algo_rx(r->algo) == NULL ? ""
                                               : r->fast                    ? "fast"
                                                                            : "light",
                                               "isa", pow_isa_name(r->isa), "verified", r->verified,
                                               "cache_seconds", r->cache_seconds,
                                               "reference_cache_seconds", r->ref_cache_seconds,
                                               "runs", runs, "reference", ref));
        if (r->have_reference && r->have_reference_jit)
            json_object_set_new(ref, "jit_seconds_per_hash",
                                stats_json(&r->reference_jit_seconds_per_hash));
        else if (r->have_reference && r->reference_jit_note[0] != '\0')
            json_object_set_new(ref, "jit_unavailable", json_string(r->reference_jit_note));
        if (r->ref_dataset_seconds > 0)
            json_object_set_new(json_array_get(algos, json_array_size(algos) - 1),
                                "reference_dataset_seconds", json_real(r->ref_dataset_seconds));
    }
    json_t *root = json_pack("{s:s, s:{s:s, s:s}, s:i, s:i, s:o}", "minemeter", PACKAGE_VERSION,
                             "cpu", "brand", cpu->brand, "arch", cpu->arch, "repeat", (int)repeat,
                             "duration_seconds", (int)duration, "algorithms", algos);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        return -ENOMEM;
    bench_out_t out;
    int rc = bench_out_open(&out, path);
    if (rc == 0) {
        bench_out_printf(&out, "%s\n", text);
        rc = bench_out_close(&out, path);
    }
    free(text);
    return rc;
}
