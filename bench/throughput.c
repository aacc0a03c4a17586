/*
 * The measurement loop. Each worker sets itself up (pinning, scratchpad,
 * one warm-up hash that also touches every page), then all start together
 * at a barrier; each counts its own hashes and the time up to its last
 * finished hash, so the rate has no partial hash in it.
 */
#define _GNU_SOURCE
#include "config.h"
#include "bench/throughput.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/energy.h"
#include "bench/verify_path.h"
#include "pow/cn/cn.h"
#include "pow/rx/group.h"

/* A Monero block hashing blob (XMRig's first self-test input); the nonce sits at 39. */
static const uint8_t blob[76] = {
    0x03, 0x05, 0xa0, 0xdb, 0xd6, 0xbf, 0x05, 0xcf, 0x16, 0xe5, 0x03, 0xf3, 0xa6, 0x6f, 0x78, 0x00,
    0x7c, 0xbf, 0x34, 0x14, 0x43, 0x32, 0xec, 0xbf, 0xc2, 0x2e, 0xd9, 0x5c, 0x87, 0x00, 0x38, 0x3b,
    0x30, 0x9a, 0xce, 0x19, 0x23, 0xa0, 0x96, 0x4b, 0x00, 0x00, 0x00, 0x08, 0xba, 0x93, 0x9a, 0x62,
    0x72, 0x4c, 0x0d, 0x75, 0x81, 0xfc, 0xe5, 0x76, 0x1e, 0x9d, 0x8a, 0x0e, 0x6a, 0x1c, 0x3f, 0x92,
    0x4f, 0xdd, 0x84, 0x93, 0xd1, 0x11, 0x56, 0x49, 0xc0, 0x5e, 0xb6, 0x01,
};

#define NONCE_OFFSET 39
#define BENCH_HEIGHT 1806260 /* cn/r: a real block height */

typedef struct {
    const bench_target_t *target;
    arch_topology_t *topo;
    int pu;
    unsigned index;
    atomic_uint *ready; /* workers set up so far */
    atomic_int *go;     /* set once: start hashing */
    atomic_int *stop;   /* set once: stop hashing */
    /* results */
    int rc;
    uint64_t hashes;
    uint64_t ns;
    uint64_t cycles;
    uint64_t cpu_ns;
    arch_cycles_source_t cycles_source;
    const char *pages;
    double pages_huge_share;
    int jit;
    unsigned lanes;
    uint8_t last_input[sizeof(blob)]; /* the last input hashed in the window ... */
    uint8_t last_hash[32];            /* ... and its hash, checked after the window */
} worker_t;

/*
 * One thread's hashing state: a CryptoNight context, a RandomX VM (fast
 * mode), or a group of them hashing in lockstep (light mode, as the miner
 * does).
 */
typedef struct {
    const bench_target_t *target;
    arch_pages_t pad;
    pow_cn_ctx_t cn;
    pow_rx_vm_t *vm;
    pow_rx_group_t *group;
} hashing_t;

static int hashing_open(hashing_t *h, const bench_target_t *target)
{
    memset(h, 0, sizeof(*h));
    h->target = target;
    const pow_cn_algo_t *cn = pow_algo_cn(target->algo);
    if (cn == NULL && target->rx_dataset == NULL) {
        h->group = pow_rx_group_create(target->rx_cache, target->isa);
        if (h->group == NULL)
            return -ENOMEM;
        return pow_rx_group_set_variant(h->group, pow_algo_rx(target->algo));
    }
    if (cn == NULL) {
        h->vm = pow_rx_vm_create(target->rx_cache, target->isa);
        if (h->vm == NULL)
            return -ENOMEM;
        pow_rx_vm_set_dataset(h->vm, target->rx_dataset);
        return pow_rx_vm_set_variant(h->vm, pow_algo_rx(target->algo));
    }
    int rc = arch_pages_alloc(&h->pad, pow_cn_algo_memory(cn), 0);
    return rc != 0 ? rc : pow_cn_ctx_init(&h->cn, cn, target->isa, h->pad.ptr, h->pad.mapped);
}

/* Hashes input, and with a group the next lanes - 1 nonces too; returns the hashes done. */
static unsigned hashing_run(hashing_t *h, uint8_t *input, size_t len, uint8_t out[32])
{
    if (h->group != NULL) {
        uint8_t inputs[POW_RX_GROUP_LANES][sizeof(blob)], outs[POW_RX_GROUP_LANES][32];
        const void *in[POW_RX_GROUP_LANES];
        size_t lens[POW_RX_GROUP_LANES];
        for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
            memcpy(inputs[k], input, len);
            inputs[k][NONCE_OFFSET] = (uint8_t)(input[NONCE_OFFSET] + k);
            in[k] = inputs[k];
            lens[k] = len;
        }
        pow_rx_group_hash(h->group, in, lens, outs);
        memcpy(out, outs[0], 32);
        return POW_RX_GROUP_LANES;
    }
    if (h->vm != NULL)
        pow_rx_hash(h->vm, input, len, out);
    else
        pow_cn_hash(&h->cn, input, len, BENCH_HEIGHT, out);
    return 1;
}

static void hashing_close(hashing_t *h)
{
    if (h->group != NULL)
        pow_rx_group_destroy(h->group);
    else if (h->vm != NULL)
        pow_rx_vm_destroy(h->vm);
    else
        pow_cn_ctx_release(&h->cn);
    arch_pages_free(&h->pad);
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    hashing_t hashing;
    arch_cycles_t counter;
    int ready = 0;

    if (w->pu >= 0) {
        arch_pin_kind_t kind;
        w->rc = arch_topology_pin_thread(w->topo, (unsigned)w->pu, &kind);
    }
    if (w->rc == 0)
        w->rc = hashing_open(&hashing, w->target);
    uint8_t input[sizeof(blob)], out[32];
    memcpy(input, blob, sizeof(blob));
    /* Each thread owns the top byte of the nonce, so nonces never repeat across threads. */
    input[NONCE_OFFSET + 3] = (uint8_t)w->index;
    if (w->rc == 0) {
        ready = 1;
        hashing_run(&hashing, input, sizeof(input), out); /* warm-up: touches every page */
        w->pages = hashing.group != NULL ? pow_rx_group_pages(hashing.group)
                   : hashing.vm != NULL  ? pow_rx_vm_pages(hashing.vm)
                                         : arch_pages_kind_name(hashing.pad.kind);
        w->pages_huge_share = -1;
        if (hashing.group == NULL && hashing.vm == NULL && hashing.pad.kind == ARCH_PAGES_THP)
            w->pages_huge_share = arch_pages_huge_share(hashing.pad.ptr, hashing.pad.mapped);
        w->lanes =
            hashing.group != NULL && pow_rx_group_lockstep(hashing.group) ? POW_RX_GROUP_LANES : 1;
        w->jit = hashing.group != NULL ? pow_rx_group_jit_enabled(hashing.group)
                 : hashing.vm != NULL
                     ? pow_rx_vm_jit_enabled(hashing.vm)
                     : pow_algo_needs_height(w->target->algo) && pow_cn_ctx_uses_jit(&hashing.cn);
    }
    arch_cycles_open(&counter);
    w->cycles_source = counter.source;

    atomic_fetch_add(w->ready, 1);
    while (!atomic_load(w->go))
        sched_yield();
    uint64_t start = arch_clock_ns(), end = start;
    uint64_t cpu0 = arch_clock_thread_cpu_ns(), cpu1 = cpu0;
    uint64_t cycles0 = arch_cycles_read(&counter), cycles1 = cycles0;
    uint32_t nonce = 0;
    /* The input whose hash hash_next is computing (pipelined), then the one out holds. */
    uint8_t pending[sizeof(blob)];
    /* RandomX hashes as miners do: pipelined, each call finishing one hash and starting the next.
     */
    if (ready && hashing.vm != NULL) {
        pow_rx_hash_first(hashing.vm, input, sizeof(input));
        memcpy(pending, input, sizeof(input));
    }
    while (ready && !atomic_load_explicit(w->stop, memory_order_relaxed)) {
        nonce += hashing.group != NULL ? POW_RX_GROUP_LANES : 1;
        input[NONCE_OFFSET] = (uint8_t)nonce;
        input[NONCE_OFFSET + 1] = (uint8_t)(nonce >> 8);
        input[NONCE_OFFSET + 2] = (uint8_t)(nonce >> 16);
        if (hashing.vm != NULL) {
            pow_rx_hash_next(hashing.vm, input, sizeof(input), out);
            memcpy(w->last_input, pending, sizeof(input));
            memcpy(pending, input, sizeof(input));
            w->hashes++;
        } else {
            w->hashes += hashing_run(&hashing, input, sizeof(input), out);
            memcpy(w->last_input, input, sizeof(input));
        }
        end = arch_clock_ns();
        cpu1 = arch_clock_thread_cpu_ns();
        cycles1 = arch_cycles_read(&counter);
    }
    memcpy(w->last_hash, out, sizeof(out));
    w->ns = end - start;
    w->cpu_ns = cpu1 - cpu0;
    w->cycles = cycles1 - cycles0;
    arch_cycles_close(&counter);
    if (ready)
        hashing_close(&hashing);
    return NULL;
}

static void wait_for(atomic_uint *counter, unsigned value)
{
    struct timespec nap = {0, 1000 * 1000};
    while (atomic_load(counter) < value)
        nanosleep(&nap, NULL);
}

static void sleep_seconds(double seconds)
{
    struct timespec t = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

int bench_throughput(arch_topology_t *topo, const bench_target_t *target, unsigned threads,
                     const int *pus, double seconds, bench_sample_t *out)
{
    memset(out, 0, sizeof(*out));
    if (threads == 0 || threads > BENCH_MAX_THREADS)
        return -EINVAL;
    worker_t *workers = calloc(threads, sizeof(*workers));
    pthread_t *ids = calloc(threads, sizeof(*ids));
    if (workers == NULL || ids == NULL) {
        free(workers);
        free(ids);
        return -ENOMEM;
    }
    atomic_uint ready = 0;
    atomic_int go = 0, stop = 0;
    unsigned started = 0;
    int rc = 0;
    for (unsigned i = 0; i < threads; i++) {
        workers[i] = (worker_t){.target = target,
                                .topo = topo,
                                .pu = pus[i],
                                .index = i,
                                .ready = &ready,
                                .go = &go,
                                .stop = &stop};
        if (pthread_create(&ids[i], NULL, worker_main, &workers[i]) != 0) {
            rc = -EAGAIN;
            atomic_store(&stop, 1);
            break;
        }
        started++;
    }
    wait_for(&ready, started);
    arch_energy_t *energy = target->energy;
    double j0 = 0, j1 = 0;
    int have_energy = energy != NULL && arch_energy_read(energy, &j0) == 0;
    uint64_t wall0 = arch_clock_ns();
    atomic_store(&go, 1);
    /*
     * A powercap counter wraps every few minutes at full load, and a read
     * sees one wrap at most: read it every second of the window.
     */
    for (double left = seconds; rc == 0 && left > 0; left -= 1.0) {
        sleep_seconds(left < 1.0 ? left : 1.0);
        if (have_energy)
            arch_energy_read(energy, &j1);
    }
    atomic_store(&stop, 1);
    for (unsigned i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    out->seconds = (double)(arch_clock_ns() - wall0) / 1e9;
    /* A counter that did not move while the CPU hashed is not a measurement of zero joules. */
    if (have_energy && arch_energy_read(energy, &j1) == 0 && j1 > j0)
        out->joules = j1 - j0;
    else
        out->joules = -1;

    /*
     * RandomX: each thread's last hash of the window again on the verified
     * path (light mode, plain VM), so a figure never comes from a path
     * that hashes wrong: the dataset, the pipelined calls, the lockstep
     * group, a VM switched to another variant.
     */
    for (unsigned i = 0; i < started && rc == 0 && pow_algo_rx(target->algo) != NULL; i++) {
        worker_t *w = &workers[i];
        if (w->rc != 0 || w->hashes == 0)
            continue;
        bench_verify_test_break_hash(w->last_hash);
        int checked = bench_verify_hash(target->rx_cache, target->isa, pow_algo_rx(target->algo),
                                        w->last_input, sizeof(w->last_input), w->last_hash);
        if (checked != 0)
            rc = checked == -EIO ? -EBADMSG : checked;
    }
    double cycles_sum = 0, cpu_sum = 0;
    unsigned cycles_threads = 0, cpu_threads = 0;
    for (unsigned i = 0; i < started && rc == 0; i++) {
        worker_t *w = &workers[i];
        if (w->rc != 0) {
            rc = w->rc;
            break;
        }
        if (w->ns > 0)
            out->hashes_per_second += (double)w->hashes * 1e9 / (double)w->ns;
        out->hashes += w->hashes;
        if (w->hashes > 0) {
            cpu_sum += (double)w->cpu_ns / 1e9 / (double)w->hashes;
            cpu_threads++;
        }
        if (w->hashes > 0 && w->cycles_source != ARCH_CYCLES_NONE) {
            cycles_sum += (double)w->cycles / (double)w->hashes;
            cycles_threads++;
        }
    }
    if (rc == 0) {
        out->cycles_source = workers[0].cycles_source;
        out->cycles_per_hash = cycles_threads ? cycles_sum / cycles_threads : 0;
        out->cpu_seconds_per_hash = cpu_threads ? cpu_sum / cpu_threads : 0;
        out->pages = workers[0].pages;
        out->pages_huge_share = workers[0].pages_huge_share;
        out->jit = workers[0].jit;
        out->lanes = workers[0].lanes;
    }
    free(workers);
    free(ids);
    return rc;
}
