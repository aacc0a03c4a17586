/*
 * miner/: every nonce of a job is hashed once and only once across the
 * workers, a new job takes over after at most one more hash per worker,
 * the shares it reports are right, and bad jobs are refused. No timing is
 * asserted; waits have generous limits that only catch hangs.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"
#include "miner/miner.h"
#include "pow/algo.h"
#include "pow/cn/cn.h"
#include "pow/rx/randomx.h"
#include "tests/support/sanitizers.h"

#define THREADS    2
#define ALL_HASHES UINT64_MAX /* target: every hash is a share */

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

static miner_job_t job_for(const char *algo, uint64_t id, uint64_t target)
{
    miner_job_t job;
    memset(&job, 0, sizeof(job));
    job.job_id = id;
    job.algo = pow_algo_find(algo);
    cr_assert_not_null(job.algo);
    job.blob_len = 76;
    for (size_t i = 0; i < job.blob_len; i++)
        job.blob[i] = (uint8_t)(i * 3 + id);
    job.nonce_offset = 39;
    job.target = target;
    job.height = 1806260;
    return job;
}

static miner_t *start_miner(void)
{
    miner_config_t config = {.threads = THREADS, .isa = POW_ISA_COUNT};
    miner_t *m = NULL;
    cr_assert_eq(miner_create(&m, &config), 0);
    return m;
}

/* Waits up to limit_ms for want results; returns how many came. */
static size_t wait_for_results(miner_t *m, miner_result_t *results, size_t want, int limit_ms)
{
    size_t n = 0;
    for (int waited = 0; n < want && waited < limit_ms; waited++) {
        n += miner_take_results(m, results + n, want - n);
        if (n < want)
            nap_ms(1);
    }
    return n;
}

/* hash = h's hash of the job's blob with nonce in place. */
static void hash_nonce(pow_hasher_t *h, const miner_job_t *job, uint32_t nonce, uint8_t hash[32])
{
    uint8_t blob[MINER_MAX_BLOB];
    memcpy(blob, job->blob, job->blob_len);
    for (int k = 0; k < 4; k++)
        blob[job->nonce_offset + (size_t)k] = (uint8_t)(nonce >> (8 * k));
    cr_assert_eq(pow_hasher_hash(h, blob, job->blob_len, job->height, hash), 0);
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

Test(miner, every_nonce_is_hashed_exactly_once_per_job, .timeout = 120)
{
    miner_t *m = start_miner();
    miner_job_t job = job_for("cn/upx2", 7, ALL_HASHES);
    cr_assert_eq(miner_set_job(m, &job), 0);
    static uint32_t nonces[1 << 20];
    size_t n = 0;
    miner_result_t batch[64];
    while (n < 1000) {
        size_t got = miner_take_results(m, batch, 64);
        for (size_t i = 0; i < got && n < sizeof(nonces) / sizeof(nonces[0]); i++) {
            cr_assert_eq(batch[i].job_id, 7);
            nonces[n++] = batch[i].nonce;
        }
        if (got == 0)
            nap_ms(1);
    }
    miner_pause(m);
    nap_ms(200); /* lets the workers finish their last hash; any later result is still drained */
    for (size_t got; (got = miner_take_results(m, batch, 64)) > 0;) {
        for (size_t i = 0; i < got; i++)
            nonces[n++] = batch[i].nonce;
    }
    cr_assert_eq(miner_results_dropped(m), 0, "the test drains too slowly");
    uint64_t hashed = 0;
    for (unsigned t = 0; t < THREADS; t++)
        hashed += miner_thread_hashes(m, t);
    cr_expect_eq(n, hashed, "%zu results for %llu hashes", n, (unsigned long long)hashed);

    /* Worker t hashes t, t + THREADS, ...: the union is the first n nonces, each once. */
    qsort(nonces, n, sizeof(nonces[0]), compare_u32);
    for (size_t i = 1; i < n; i++)
        cr_assert_neq(nonces[i], nonces[i - 1], "nonce %u hashed twice", nonces[i]);
    for (unsigned t = 0; t < THREADS; t++) {
        uint64_t h = miner_thread_hashes(m, t), found = 0;
        for (size_t i = 0; i < n; i++)
            found += nonces[i] % THREADS == t && nonces[i] < h * THREADS;
        cr_expect_eq(found, h, "worker %u: %llu of its first %llu nonces", t,
                     (unsigned long long)found, (unsigned long long)h);
    }
    miner_destroy(m);
}

/*
 * Each worker reports its results in the order it hashes, so once a worker
 * has reported a hash of the new job it must never report the old one again,
 * and every worker must move to the new job.
 */
Test(miner, workers_switch_to_a_new_job_and_never_go_back, .timeout = 120)
{
    miner_t *m = start_miner();
    miner_job_t a = job_for("cn/upx2", 1, ALL_HASHES), b = job_for("cn-pico", 2, ALL_HASHES);
    cr_assert_eq(miner_set_job(m, &a), 0);
    nap_ms(50);
    cr_assert_eq(miner_set_job(m, &b), 0);
    int on_b[THREADS] = {0};
    unsigned workers_on_b = 0;
    miner_result_t batch[256];
    for (int waited = 0; workers_on_b < THREADS && waited < 60000; waited++) {
        size_t got = miner_take_results(m, batch, 256);
        for (size_t i = 0; i < got; i++) {
            unsigned t = batch[i].thread;
            cr_assert_lt(t, THREADS);
            if (batch[i].job_id == 1) {
                cr_expect(!on_b[t], "worker %u went back to the old job", t);
            } else if (!on_b[t]) {
                on_b[t] = 1;
                workers_on_b++;
            }
        }
        if (got == 0)
            nap_ms(1);
    }
    cr_expect_eq(workers_on_b, THREADS, "not every worker moved to the new job");
    miner_destroy(m);
}

Test(miner, shares_meet_the_target_and_are_the_right_hashes, .timeout = 300)
{
    miner_t *m = start_miner();
    const uint64_t target = UINT64_MAX / 8; /* about one hash in eight */
    miner_job_t job = job_for("cn/r", 9, target);
    cr_assert_eq(miner_set_job(m, &job), 0);
    miner_result_t results[4];
    size_t n = wait_for_results(m, results, 4, 120000);
    miner_destroy(m);
    cr_assert_eq(n, 4);
    pow_hasher_t *h = NULL;
    cr_assert_eq(pow_hasher_create(&h, job.algo, POW_ISA_PORTABLE, NULL, 0), 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t hash[32];
        hash_nonce(h, &job, results[i].nonce, hash);
        cr_expect_arr_eq(hash, results[i].hash, 32, "nonce %u", results[i].nonce);
        uint64_t tail;
        memcpy(&tail, hash + 24, sizeof(tail));
        cr_expect_lt(tail, target);
    }
    pow_hasher_destroy(h);
}

Test(miner, randomx_jobs_follow_the_seed, .timeout = 600)
{
    miner_t *m = start_miner();
    miner_job_t job = job_for("rx/0", 3, ALL_HASHES);
    memcpy(job.seed, "test key 000", 12);
    job.seed_len = 12;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            memcpy(job.seed, "test key 001", 12);
            job.job_id = 4;
        }
        cr_assert_eq(miner_set_job(m, &job), 0);
        miner_result_t r;
        int found = 0;
        for (int waited = 0; !found && waited < 300000; waited++) {
            while (!found && miner_take_results(m, &r, 1) == 1)
                found = r.job_id == job.job_id;
            if (!found)
                nap_ms(1);
        }
        cr_assert(found, "no result for seed %d", round);
        pow_hasher_t *h = NULL;
        cr_assert_eq(
            pow_hasher_create(&h, job.algo, pow_algo_isa_best(job.algo), job.seed, job.seed_len),
            0);
        uint8_t hash[32];
        hash_nonce(h, &job, r.nonce, hash);
        cr_expect_arr_eq(hash, r.hash, 32, "seed %d nonce %u", round, r.nonce);
        pow_hasher_destroy(h);
    }
    miner_destroy(m);
}

/*
 * Light mode hashes POW_RX_GROUP_LANES nonces per worker at once. At the
 * end of the nonce space the last group has lanes with no nonce left: the
 * last five nonces are each reported once, with their own hashes, nothing
 * past them, and the hash counters count only them.
 */
Test(miner, light_mode_hashes_the_last_nonces_of_a_job_once_each, .timeout = 600)
{
    miner_t *m = start_miner();
    miner_job_t job = job_for("rx/0", 5, ALL_HASHES);
    memcpy(job.seed, "test key 000", 12);
    job.seed_len = 12;
    job.first_nonce = UINT32_MAX - 4;
    cr_assert_eq(miner_set_job(m, &job), 0);
    miner_result_t results[16];
    size_t n = wait_for_results(m, results, 5, 300000);
    nap_ms(500); /* anything past the last nonce would show up now */
    n += miner_take_results(m, results + n, 16 - n);
    cr_assert_eq(n, 5, "%zu results for the last 5 nonces", n);
    uint64_t hashed = 0;
    for (unsigned t = 0; t < THREADS; t++)
        hashed += miner_thread_hashes(m, t);
    cr_expect_eq(hashed, 5);
    miner_destroy(m);

    pow_hasher_t *h = NULL;
    cr_assert_eq(
        pow_hasher_create(&h, job.algo, pow_algo_isa_best(job.algo), job.seed, job.seed_len), 0);
    int seen[5] = {0};
    for (size_t i = 0; i < n; i++) {
        cr_assert_geq(results[i].nonce, UINT32_MAX - 4, "nonce %u", results[i].nonce);
        seen[results[i].nonce - (UINT32_MAX - 4)]++;
        uint8_t hash[32];
        hash_nonce(h, &job, results[i].nonce, hash);
        cr_expect_arr_eq(hash, results[i].hash, 32, "nonce %u", results[i].nonce);
    }
    for (int k = 0; k < 5; k++)
        cr_expect_eq(seen[k], 1, "nonce %u reported %d times", UINT32_MAX - 4 + (unsigned)k,
                     seen[k]);
    pow_hasher_destroy(h);
}

Test(miner, bad_jobs_are_refused)
{
    miner_t *m = start_miner();
    miner_job_t job = job_for("cn/1", 1, 1);
    job.nonce_offset = 73; /* nonce would end past the 76-byte blob */
    cr_expect_eq(miner_set_job(m, &job), -EINVAL);
    job = job_for("cn/1", 1, 1);
    job.blob_len = 42; /* cn/1 needs 43 bytes */
    job.nonce_offset = 0;
    cr_expect_eq(miner_set_job(m, &job), -EINVAL);
    job = job_for("cn/0", 1, 1);
    job.blob_len = MINER_MAX_BLOB + 1;
    cr_expect_eq(miner_set_job(m, &job), -EINVAL);
    job = job_for("cn/0", 1, 1);
    job.algo = NULL;
    cr_expect_eq(miner_set_job(m, &job), -EINVAL);
    miner_destroy(m);
}

/* Waits up to limit_ms for every worker to be idle; returns whether they were. */
static int wait_idle(miner_t *m, int limit_ms)
{
    for (int waited = 0; waited < limit_ms; waited++) {
        if (miner_idle(m))
            return 1;
        nap_ms(1);
    }
    return 0;
}

/* A refused job pauses the workers: results for the previous job are worth nothing (#23, 7). */
Test(miner, a_refused_job_pauses_the_workers, .timeout = 120)
{
    miner_t *m = start_miner();
    miner_job_t job = job_for("cn/0", 1, ALL_HASHES);
    cr_assert_eq(miner_set_job(m, &job), 0);
    miner_result_t r[4];
    cr_assert_gt(wait_for_results(m, r, 1, 60000), 0, "no hash for the first job");
    miner_job_t bad = job_for("cn/0", 2, ALL_HASHES);
    bad.nonce_offset = 73;
    cr_assert_eq(miner_set_job(m, &bad), -EINVAL);
    cr_expect(wait_idle(m, 60000), "the workers went on with the previous job");
    miner_destroy(m);
}

/*
 * A seed change with room for one RandomX state, not two (an address-space
 * limit set once the first is built): the old state is given up and the
 * new seed hashed, where the new state used to fail with -ENOMEM while the
 * workers went on with the old job (#23, item 7). In a child process, for
 * the limit; the sanitizers' shadow memory cannot live under one.
 */
Test(miner, a_seed_change_without_room_for_two_states_gives_up_the_old_one, .timeout = 600)
{
#ifdef UNDER_SANITIZERS
    cr_skip_test("an address-space limit and the sanitizers' shadow memory do not mix");
#endif
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        miner_config_t config = {.threads = 1, .isa = POW_ISA_COUNT};
        miner_t *m = NULL;
        if (miner_create(&m, &config) != 0)
            _exit(10);
        miner_job_t job = job_for("rx/0", 1, ALL_HASHES);
        memcpy(job.seed, "test key 000", 12);
        job.seed_len = 12;
        miner_result_t r;
        if (miner_set_job(m, &job) != 0 || wait_for_results(m, &r, 1, 300000) != 1)
            _exit(11);
        /* Room for 128 MiB more: not for a second 256 MiB cache. */
        struct rlimit limit = {0, 0};
        getrlimit(RLIMIT_AS, &limit);
        FILE *f = fopen("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (f == NULL || fscanf(f, "%lu", &pages) != 1)
            _exit(12);
        fclose(f);
        limit.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (128ul << 20);
        if (setrlimit(RLIMIT_AS, &limit) != 0)
            _exit(13);
        memcpy(job.seed, "test key 001", 12);
        job.job_id = 2;
        int rc = miner_set_job(m, &job);
        if (rc != 0)
            _exit(rc == -ENOMEM ? 20 : 21);
        for (int waited = 0; waited < 300000; waited++) {
            if (miner_take_results(m, &r, 1) == 1 && r.job_id == 2)
                _exit(0);
            nap_ms(1);
        }
        _exit(22);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "the child died of signal %d", WTERMSIG(status));
    cr_expect_eq(WEXITSTATUS(status), 0,
                 "exit %d (20: -ENOMEM for the new seed, 22: no hash for it)", WEXITSTATUS(status));
}

Test(miner, rx2_shares_are_judged_on_the_commitment, .timeout = 600)
{
    miner_t *m = start_miner();
    const uint64_t target = UINT64_MAX / 4; /* about one hash in four */
    miner_job_t job = job_for("rx/2", 11, target);
    memcpy(job.seed, "test key 002", 12);
    job.seed_len = 12;
    cr_assert_eq(miner_set_job(m, &job), 0);
    miner_result_t results[3];
    size_t n = wait_for_results(m, results, 3, 300000);
    miner_destroy(m);
    cr_assert_eq(n, 3);
    pow_hasher_t *h = NULL;
    cr_assert_eq(
        pow_hasher_create(&h, job.algo, pow_algo_isa_best(job.algo), job.seed, job.seed_len), 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t blob[76], hash[32], commitment[32];
        memcpy(blob, job.blob, sizeof(blob));
        for (int k = 0; k < 4; k++)
            blob[39 + k] = (uint8_t)(results[i].nonce >> (8 * k));
        hash_nonce(h, &job, results[i].nonce, hash);
        pow_rx_commitment(blob, sizeof(blob), hash, commitment);
        cr_expect(results[i].has_commitment);
        cr_expect_arr_eq(hash, results[i].hash, 32, "nonce %u", results[i].nonce);
        cr_expect_arr_eq(commitment, results[i].commitment, 32, "nonce %u", results[i].nonce);
        uint64_t tail;
        memcpy(&tail, commitment + 24, sizeof(tail));
        cr_expect_lt(tail, target, "the commitment, not the hash, meets the target");
    }
    pow_hasher_destroy(h);
}

Test(miner, reports_when_every_worker_has_started_a_job, .timeout = 120)
{
    miner_t *m = start_miner();
    uint64_t at = 0;
    cr_expect_eq(miner_job_started(m, 21, &at), -1, "no job yet");
    uint64_t before = arch_clock_ns();
    miner_job_t job = job_for("cn/upx2", 21, 0);
    cr_assert_eq(miner_set_job(m, &job), 0);
    while (miner_job_started(m, 21, &at) != 0)
        nap_ms(1);
    cr_expect_geq(at, before);
    cr_expect_leq(at, arch_clock_ns());
    job = job_for("cn/upx2", 22, 0);
    cr_assert_eq(miner_set_job(m, &job), 0);
    while (miner_job_started(m, 22, &at) != 0)
        nap_ms(1);
    cr_expect_eq(miner_job_started(m, 21, &at), -1, "the old job is over");
    miner_destroy(m);
}

Test(miner, a_share_is_judged_on_the_last_8_bytes_little_endian)
{
    uint8_t hash[32];
    memset(hash, 0xff, sizeof(hash));
    memset(hash + 24, 0, 8);
    hash[24] = 0x10; /* LE64 = 0x10 */
    cr_expect(miner_meets_target(hash, 0x11));
    cr_expect_not(miner_meets_target(hash, 0x10));
    hash[31] = 0x01; /* LE64 = 0x0100000000000010 */
    cr_expect_not(miner_meets_target(hash, 0x11));
    cr_expect(miner_meets_target(hash, 0x0100000000000011ULL));
}
