/*
 * Measuring one plan entry: verification first, then repetitions per
 * thread count with the reference interleaved on the same core, then the
 * statistics; and the idle power that marginal energy is measured against.
 */
#include "config.h"
#include "bench/measure.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arch/clock.h"
#include "arch/energy.h"
#include "bench/monero_reference.h"
#include "bench/plan.h"
#include "bench/progress.h"
#include "bench/randomx_reference.h"
#include "pow/rx/randomx.h"

int bench_verify_algo(const pow_algo_t *algo, pow_isa_t isa)
{
    pow_verify_result_t result;
    int rc = pow_algo_verify(algo, isa, &result);
    if (rc == -EIO)
        printf("%s: verification FAILED on %s (%s line %u); not measured\n", pow_algo_name(algo),
               pow_isa_name(isa), result.vector_file, result.first_failure_line);
    else if (rc != 0)
        printf("%s: cannot verify (%s); not measured\n", pow_algo_name(algo), strerror(-rc));
    return rc;
}

/* One reference run; on failure stops further runs and says why. */
static void reference_once(bench_result_t *r, int pu, unsigned duration, double *times,
                           unsigned *count)
{
    if (r->randomx_ref != NULL) {
        double rate = bench_randomx_ref_rate(r->randomx_ref, r->topo, pu, duration);
        if (rate > 0) {
            times[(*count)++] = 1.0 / rate;
            r->have_reference = 1;
        } else {
            snprintf(r->reference_note, sizeof(r->reference_note), "the reference run failed");
            r->have_reference = -1;
        }
        return;
    }
    bench_reference_t ref;
    char why[160] = "";
    if (bench_monero_reference(pow_algo_name(r->algo), pu, &ref, why, sizeof(why)) == 0) {
        times[(*count)++] = ref.seconds_per_hash;
        r->have_reference = 1;
    } else {
        snprintf(r->reference_note, sizeof(r->reference_note), "%s", why);
        r->have_reference = -1; /* tried and failed: do not try again */
    }
}

/*
 * Loads the RandomX reference for rx/0 (Debian's library predates v2) with
 * our configuration: light mode, interpreted, hardware AES when we use it.
 * It must agree with us on a hash before it is timed.
 */
static int open_randomx_reference(bench_result_t *r, const bench_target_t *target)
{
    static const uint8_t key[4] = {0, 0, 0, 0};
    if (r->fast) {
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "fast mode is not compared yet (the reference builds its dataset without a JIT "
                 "for minutes); see light mode");
        return 0;
    }
    if (strcmp(pow_algo_name(r->algo), "rx/0") != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "the installed RandomX reference (1.1.10) has no %s", pow_algo_name(r->algo));
        return 0;
    }
    char why[160] = "";
    if (bench_randomx_ref_open(&r->randomx_ref, r->isa != POW_ISA_PORTABLE, 0, key, sizeof(key),
                               &r->ref_cache_seconds, why, sizeof(why)) != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note), "%s", why);
        return 0;
    }
    uint8_t blob[76] = {1, 2, 3}, theirs[32], ours[32];
    pow_rx_vm_t *vm = pow_rx_vm_create(target->rx_cache, r->isa);
    if (vm != NULL)
        pow_rx_hash(vm, blob, sizeof(blob), ours);
    pow_rx_vm_destroy(vm);
    bench_randomx_ref_hash(r->randomx_ref, blob, sizeof(blob), theirs);
    if (vm == NULL || memcmp(ours, theirs, 32) != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "the reference disagrees with our hash: not compared");
        bench_randomx_ref_close(r->randomx_ref);
        r->randomx_ref = NULL;
        return 0;
    }
    /* Say exactly what is compared: our aesni path compiles SuperscalarHash, the reference's
     * interpreted light VM does not; --isa portable compares interpreter with interpreter. */
    r->reference_name =
        r->isa != POW_ISA_PORTABLE
            ? "librandomx 1.1.10, light, interpreted VM and SuperscalarHash, hardware AES; "
              "ours: interpreted VM, compiled SuperscalarHash"
            : "librandomx 1.1.10, light, interpreted, software AES; ours: the same";
    return 1;
}

int bench_measure_algo(arch_topology_t *topo, const int *pus, const bench_target_t *target,
                       unsigned repeat, unsigned duration, int with_reference, bench_result_t *r)
{
    const char *name = pow_algo_name(r->algo);
    int want_reference = with_reference && bench_monero_reference_has(name);
    r->reference_name = "Monero hash-tests (Debian monero-tests, software AES)";
    if (with_reference && target->rx_cache != NULL)
        want_reference = open_randomx_reference(r, target);
    if (!with_reference)
        snprintf(r->reference_note, sizeof(r->reference_note), "skipped (--no-reference)");
    else if (!want_reference && r->reference_note[0] != '\0')
        ; /* open_randomx_reference said why */
    else if (!want_reference)
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "no reference implementation "
                 "installed for %s",
                 name);
    double ref_times[BENCH_MAX_REPEAT];
    unsigned ref_count = 0;
    for (unsigned t = 0; t < r->thread_counts; t++) {
        double hps[BENCH_MAX_REPEAT], cycles[BENCH_MAX_REPEAT], cpu[BENCH_MAX_REPEAT], joules = 0,
                                                                                       seconds = 0;
        uint64_t hashes = 0;
        int energy_ok = 1;
        for (unsigned rep = 0; rep < repeat; rep++) {
            bench_progress("measuring %s with %u thread(s), repetition %u of %u", name,
                           r->threads[t], rep + 1, repeat);
            bench_sample_t s;
            int rc = bench_throughput(topo, target, r->threads[t], pus, duration, &s);
            if (rc != 0) {
                bench_progress_done();
                printf("%s: measurement with %u threads failed: %s\n", name, r->threads[t],
                       strerror(-rc));
                return rc;
            }
            hps[rep] = s.hashes_per_second;
            cycles[rep] = s.cycles_per_hash;
            cpu[rep] = s.cpu_seconds_per_hash;
            energy_ok = energy_ok && s.joules >= 0;
            joules += s.joules;
            seconds += s.seconds;
            hashes += s.hashes;
            r->last[t] = s;
            /* The reference runs right after each single-thread run, on the same core. */
            if (want_reference && r->threads[t] == 1 && r->have_reference >= 0)
                reference_once(r, pus[0], duration, ref_times, &ref_count);
        }
        r->hps[t] = bench_stats(hps, repeat);
        r->cycles[t] = bench_stats(cycles, repeat);
        r->cpu_seconds[t] = bench_stats(cpu, repeat);
        r->joules_per_hash[t] = energy_ok && hashes > 0 ? joules / (double)hashes : -1;
        r->watts[t] = energy_ok && seconds > 0 ? joules / seconds : -1;
        bench_progress_done();
        bench_table_row(r, t);
        fflush(stdout);
    }
    /* No single-thread run in the plan: time the reference on its own. */
    for (unsigned rep = 0; want_reference && ref_count == 0 && rep < repeat; rep++) {
        if (r->have_reference < 0)
            break;
        reference_once(r, pus[0], duration, ref_times, &ref_count);
    }
    if (ref_count > 0) {
        r->have_reference = 1;
        r->reference_seconds_per_hash = bench_stats(ref_times, ref_count);
    } else if (r->have_reference < 0) {
        r->have_reference = 0;
    }
    return 0;
}

/* Package power while idle, for the marginal power of mining; < 0 without a counter. */
double bench_idle_watts(double seconds)
{
    arch_energy_t e;
    double j0 = 0, j1 = 0;
    if (arch_energy_open(&e) != 0)
        return -1;
    uint64_t t0 = arch_clock_ns();
    arch_energy_read(&e, &j0);
    struct timespec pause = {(time_t)seconds, 0};
    nanosleep(&pause, NULL);
    int rc = arch_energy_read(&e, &j1);
    double elapsed = (double)(arch_clock_ns() - t0) / 1e9;
    arch_energy_close(&e);
    return rc == 0 && elapsed > 0 ? (j1 - j0) / elapsed : -1;
}
