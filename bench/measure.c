/*
 * Measuring one plan entry: verification first, then repetitions per
 * thread count with the reference interleaved on the same core, then the
 * statistics; and the idle power that marginal energy is measured against.
 */
#include "config.h"
#include "bench/measure.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arch/clock.h"
#include "arch/energy.h"
#include "arch/memory.h"
#include "bench/monero_reference.h"
#include "bench/plan.h"
#include "pow/rx/group.h"
#include "bench/progress.h"
#include "bench/randomx_reference.h"
#include "bench/verify_path.h"
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

/* One reference run of Monero's hash-tests on one core; on failure stops further runs. */
static void monero_reference_once(bench_result_t *r, int pu, double *times, unsigned *count)
{
    bench_reference_t ref;
    char why[160] = "";
    if (bench_monero_reference(pow_algo_name(r->algo), pu, 0, &ref, why, sizeof(why)) == 0) {
        times[(*count)++] = ref.seconds_per_hash;
        r->have_reference = 1;
    } else {
        snprintf(r->reference_note, sizeof(r->reference_note), "%s", why);
        r->have_reference = -1; /* tried and failed: do not try again */
    }
}

/* cn/r: Monero's tool with its own cn/r JIT too, repeat times on one core. */
static void monero_reference_jit(bench_result_t *r, int pu, unsigned repeat)
{
    if (strcmp(pow_algo_name(r->algo), "cn/r") != 0)
        return;
    double times[BENCH_MAX_REPEAT];
    unsigned n = 0;
    for (unsigned rep = 0; rep < repeat; rep++) {
        bench_progress("measuring the reference with its cn/r JIT, repetition %u of %u", rep + 1,
                       repeat);
        bench_reference_t ref;
        if (bench_monero_reference("cn/r", pu, 1, &ref, r->reference_jit_note,
                                   sizeof(r->reference_jit_note)) != 0)
            break;
        times[n++] = ref.seconds_per_hash;
    }
    bench_progress_done();
    if (n == repeat) {
        r->reference_jit_seconds_per_hash = bench_stats(times, n);
        r->have_reference_jit = 1;
    }
}

/* One reference run of librandomx with as many threads as ours has; < 0 on failure. */
static double randomx_reference_once(bench_result_t *r, const int *pus, unsigned threads,
                                     unsigned rep, unsigned repeat, unsigned duration)
{
    bench_progress("measuring the reference with %u thread(s), repetition %u of %u", threads,
                   rep + 1, repeat);
    double rate = bench_randomx_ref_rate(r->randomx_ref, r->topo, pus, threads, duration);
    if (rate == -ENOMEM) {
        /* librandomx says only NULL; on 2 MiB pages it is most often the scratchpad's page. */
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "the reference could not create a VM for each of its %u thread(s) "
                 "(randomx_create_vm failed; on huge pages each VM takes one more: reserve more)",
                 threads);
        r->have_reference = -1;
    } else if (rate < 0) {
        snprintf(r->reference_note, sizeof(r->reference_note), "the reference run failed (%s)",
                 strerror((int)-rate));
        r->have_reference = -1;
    } else if (rate == 0) {
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "the reference run counted no hashes");
        r->have_reference = -1;
    }
    return rate;
}

void bench_pages_describe(const char *kind, const void *ptr, size_t len, char *out, size_t cap)
{
    if (kind == NULL) {
        snprintf(out, cap, "?");
        return;
    }
    if (strcmp(kind, "THP") != 0 || ptr == NULL || len == 0) {
        snprintf(out, cap, "%s", kind);
        return;
    }
    snprintf(out, cap, "THP, %.0f%% huge", 100 * arch_pages_huge_share(ptr, len));
}

static int is_hugetlb(const char *pages)
{
    return pages != NULL && (strcmp(pages, "2MB") == 0 || strcmp(pages, "1GB") == 0);
}

/*
 * Loads the RandomX reference for rx/0 (Debian's library predates v2)
 * under our configuration: the same mode, JIT or not, hardware AES when we
 * use it, large pages when ours got hugetlb pages. It must agree with us on
 * a hash before it is timed. Returns 1 when it is ready, 0 when there is
 * none (r->reference_note says why), -1 when it disagrees with us: our
 * vectors passed on another path, so the suspect is ours, not measured.
 */
static int open_randomx_reference(bench_result_t *r, const bench_target_t *target, const int *pus)
{
    static const uint8_t key[4] = {0, 0, 0, 0};
    if (strcmp(pow_algo_name(r->algo), "rx/0") != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "the installed RandomX reference (1.1.10) has no %s", pow_algo_name(r->algo));
        return 0;
    }
    /* The cache may have been built for another entry (rx/2): hash as this entry does. */
    pow_rx_vm_t *vm = pow_rx_vm_create(target->rx_cache, r->isa);
    if (vm == NULL || pow_rx_vm_set_variant(vm, pow_algo_rx(r->algo)) != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note), "out of memory");
        pow_rx_vm_destroy(vm);
        return 0;
    }
    pow_rx_vm_set_dataset(vm, target->rx_dataset);
    /* Hashed first: a program that fails to compile turns the JIT off, and the label follows. */
    uint8_t blob[76] = {1, 2, 3}, theirs[32], ours[32];
    pow_rx_hash(vm, blob, sizeof(blob), ours);
    int jit = pow_rx_vm_jit_enabled(vm);
    pow_rx_vm_destroy(vm);
    const char *pages =
        r->fast ? pow_rx_dataset_pages(target->rx_dataset) : pow_rx_cache_pages(target->rx_cache);
    bench_randomx_ref_options_t o = {
        .hard_aes = r->isa != POW_ISA_PORTABLE,
        .jit = jit,
        .fast = r->fast,
        .large_pages = is_hugetlb(pages),
        .init_threads = arch_topology_count(r->topo, ARCH_TOPO_CORE),
        .topo = r->topo, /* pinned as ours were */
        .pus = pus,
    };
    char why[256] = "";
    if (r->fast && !arch_memory_fits(pow_rx_dataset_item_count() * 64 + (320u << 20),
                                     "the reference's dataset beside ours", why, sizeof(why))) {
        snprintf(r->reference_note, sizeof(r->reference_note), "%s", why);
        return 0;
    }
    if (r->fast)
        bench_progress("building the reference's dataset (2080 MiB) with %u threads",
                       o.init_threads);
    int rc = bench_randomx_ref_open(&r->randomx_ref, &o, key, sizeof(key), &r->ref_cache_seconds,
                                    &r->ref_dataset_seconds, why, sizeof(why));
    bench_progress_done();
    if (rc != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note), "%s", why);
        return 0;
    }
    bench_randomx_ref_hash(r->randomx_ref, blob, sizeof(blob), theirs);
    bench_verify_test_break_hash(ours);
    if (memcmp(ours, theirs, 32) != 0) {
        snprintf(r->reference_note, sizeof(r->reference_note),
                 "our hash disagrees with the reference's on the same input");
        bench_randomx_ref_close(r->randomx_ref);
        r->randomx_ref = NULL;
        return -1;
    }
    /* Say exactly what is compared, pages included: they move fast mode by 10-20%. */
    const char *aes = r->isa != POW_ISA_PORTABLE ? "hardware AES" : "software AES";
    /* Light mode hashes through groups (bench/throughput.c): say when they run in lockstep. */
    char lockstep[48] = "";
    if (!r->fast && pow_rx_group_lockstep_for(r->isa))
        snprintf(lockstep, sizeof(lockstep), ", %u hashes per thread in lockstep",
                 (unsigned)POW_RX_GROUP_LANES);
    /*
     * Like for like only when both hot memories sit on 2 MiB pages, or both
     * on the system's default ones (ours: 4 KB; the reference asks for no
     * THP): THP against default pages favours us.
     */
    const char *theirs_pages = bench_randomx_ref_pages(r->randomx_ref);
    int like =
        pages != NULL && ((is_hugetlb(pages) && strcmp(theirs_pages, "2MB") == 0) ||
                          (strcmp(pages, "4KB") == 0 && strcmp(theirs_pages, "default") == 0));
    /* What THP really got: the kernel may back little of it with huge pages. */
    size_t hot_len = 0;
    const void *hot = r->fast ? pow_rx_dataset_memory(target->rx_dataset, &hot_len)
                              : pow_rx_cache_memory(target->rx_cache, &hot_len);
    char ours_pages[48];
    bench_pages_describe(pages, hot, hot_len, ours_pages, sizeof(ours_pages));
    snprintf(r->reference_label, sizeof(r->reference_label),
             "librandomx 1.1.10, %s, %s VM, %s, %s pages; ours: the same on %s pages%s%s",
             r->fast ? "fast" : "light", jit ? "JIT" : "interpreted", aes, theirs_pages, ours_pages,
             lockstep, like ? "" : "; NOT like for like: the pages differ");
    r->reference_name = r->reference_label;
    return 1;
}

static volatile sig_atomic_t interrupted;

void bench_interrupt(int signum)
{
    interrupted = signum;
}

int bench_interrupted(void)
{
    return interrupted;
}

/*
 * The peer's turn after our repetition rep at thread count t: begun on the
 * first, a window each time; *on is cleared once it has no more windows (an
 * interruption among them: the loop's check of it ends the row).
 */
static void peer_turn(const bench_peer_t *peer, bench_result_t *r, unsigned t, unsigned rep,
                      unsigned repeat, double hps, int *begun, int *on)
{
    if (peer == NULL || !*on)
        return;
    int rc = 0;
    if (!*begun) {
        *begun = 1;
        rc = peer->begin(peer->context, r, t, hps);
    }
    if (rc == 0)
        rc = peer->window(peer->context, r, t, rep, repeat);
    if (rc != 0)
        *on = 0;
}

int bench_measure_algo(arch_topology_t *topo, const int *pus, const bench_target_t *target,
                       unsigned repeat, unsigned duration, int with_reference,
                       const bench_peer_t *peer, bench_result_t *r)
{
    const char *name = pow_algo_name(r->algo);
    int want_reference = with_reference && bench_monero_reference_has(name);
    r->reference_name = strcmp(name, "cn/r") == 0
                            ? "Monero hash-tests (Debian monero-tests, software AES, its cn/r JIT "
                              "off)"
                            : "Monero hash-tests (Debian monero-tests, software AES)";
    if (with_reference && target->rx_cache != NULL)
        want_reference = open_randomx_reference(r, target, pus);
    if (want_reference < 0) {
        printf("%s: %s (%s mode); not measured\n", r->label, r->reference_note,
               r->fast ? "fast" : "light");
        return -EIO;
    }
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
    const int randomx_reference = r->randomx_ref != NULL;
    for (unsigned t = 0; t < r->thread_counts; t++) {
        double hps[BENCH_MAX_REPEAT], cycles[BENCH_MAX_REPEAT], cpu[BENCH_MAX_REPEAT], joules = 0,
                                                                                       seconds = 0;
        uint64_t hashes = 0;
        int energy_ok = 1;
        double ref_hps[BENCH_MAX_REPEAT], ratio[BENCH_MAX_REPEAT], aa[BENCH_MAX_REPEAT];
        unsigned ref_runs = 0;
        int peer_begun = 0, peer_on = 1;
        for (unsigned rep = 0; rep < repeat; rep++) {
            if (interrupted) {
                bench_progress_done();
                if (peer_begun)
                    peer->end(peer->context, r, t);
                r->thread_counts = t; /* the rows measured whole */
                return -EINTR;
            }
            /*
             * The reference runs beside each of our runs on the same cores:
             * after ours in even repetitions, before it in odd ones (ABBA),
             * so neither side always inherits the other's caches and heat.
             */
            int with_randomx_reference =
                want_reference && randomx_reference && r->have_reference >= 0;
            int with_monero_reference = want_reference && !randomx_reference &&
                                        r->threads[t] == 1 && r->have_reference >= 0;
            double rate = 0;
            if (with_randomx_reference && rep % 2 == 1)
                rate = randomx_reference_once(r, pus, r->threads[t], rep, repeat, duration);
            if (with_monero_reference && rep % 2 == 1)
                monero_reference_once(r, pus[0], ref_times, &ref_count);
            bench_progress("measuring %s with %u thread(s), repetition %u of %u", name,
                           r->threads[t], rep + 1, repeat);
            bench_sample_t s;
            int rc = bench_throughput(topo, target, r->threads[t], pus, duration, &s);
            if (rc != 0 && peer_begun)
                peer->end(peer->context, r, t);
            if (rc == -EBADMSG) {
                bench_progress_done();
                printf("%s: a hash from the measured path (%u threads) differs from the verified "
                       "path's for the same input; not measured\n",
                       r->label, r->threads[t]);
                return rc;
            }
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
            if (with_randomx_reference && rep % 2 == 0 && r->have_reference >= 0)
                rate = randomx_reference_once(r, pus, r->threads[t], rep, repeat, duration);
            if (with_monero_reference && rep % 2 == 0 && r->have_reference >= 0)
                monero_reference_once(r, pus[0], ref_times, &ref_count);
            /* A/A: the reference again right after, its ratio to itself taken the same way. */
            double again =
                with_randomx_reference && rate > 0
                    ? randomx_reference_once(r, pus, r->threads[t], rep, repeat, duration)
                    : 0;
            if (with_randomx_reference && rate > 0 && again > 0) {
                ratio[ref_runs] = hps[rep] / rate;
                aa[ref_runs] = again / rate;
                ref_hps[ref_runs++] = rate;
                if (r->threads[t] == 1)
                    ref_times[ref_count++] = 1.0 / rate;
            }
            peer_turn(peer, r, t, rep, repeat, hps[0], &peer_begun, &peer_on);
        }
        if (peer_begun)
            peer->end(peer->context, r, t);
        if (ref_runs == repeat) {
            r->reference_hps[t] = bench_stats(ref_hps, ref_runs);
            r->reference_ratio[t] = bench_stats(ratio, ref_runs);
            r->reference_aa_ratio[t] = bench_stats(aa, ref_runs);
            r->have_reference_hps = 1;
        }
        r->hps[t] = bench_stats(hps, repeat);
        r->cycles[t] = bench_stats(cycles, repeat);
        r->cpu_seconds[t] = bench_stats(cpu, repeat);
        r->joules_per_hash[t] = energy_ok && hashes > 0 ? joules / (double)hashes : -1;
        r->watts[t] = energy_ok && seconds > 0 ? joules / seconds : -1;
        r->energy_estimated = target->energy != NULL && arch_energy_is_estimate(target->energy);
        bench_progress_done();
        bench_table_row(r, t);
        fflush(stdout);
        bench_sweep_row_done();
    }
    /* No single-thread run in the plan: time the reference on its own. */
    for (unsigned rep = 0; want_reference && ref_count == 0 && rep < repeat; rep++) {
        if (r->have_reference < 0 || interrupted)
            break;
        if (randomx_reference) {
            double rate = randomx_reference_once(r, pus, 1, rep, repeat, duration);
            if (rate > 0)
                ref_times[ref_count++] = 1.0 / rate;
        } else {
            monero_reference_once(r, pus[0], ref_times, &ref_count);
        }
    }
    if (ref_count > 0 && !randomx_reference)
        monero_reference_jit(r, pus[0], repeat);
    if (ref_count > 0) {
        r->have_reference = 1;
        r->reference_seconds_per_hash = bench_stats(ref_times, ref_count);
    } else if (r->have_reference < 0) {
        r->have_reference = 0;
    }
    return 0;
}

double bench_idle_watts(arch_energy_t *energy, double seconds)
{
    double j0 = 0, j1 = 0;
    /* Each read is timed at its middle, so the reads' own time is on neither side. */
    uint64_t before = arch_clock_ns();
    if (energy == NULL || arch_energy_read(energy, &j0) != 0)
        return -1;
    uint64_t t0 = before + (arch_clock_ns() - before) / 2;
    struct timespec pause = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&pause, NULL);
    before = arch_clock_ns();
    int rc = arch_energy_read(energy, &j1);
    uint64_t t1 = before + (arch_clock_ns() - before) / 2;
    double elapsed = (double)(t1 - t0) / 1e9;
    return rc == 0 && elapsed > 0 && j1 > j0 ? (j1 - j0) / elapsed : -1;
}
