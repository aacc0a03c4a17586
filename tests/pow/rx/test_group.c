/*
 * The lockstep group (pow/rx/group.c): the published RandomX vectors, v1
 * and v2, come out of every lane; random inputs of every length hash as
 * one VM hashes them; the portable path hashes one input after another
 * with the same results; the caller's rounding mode survives.
 */
#include <criterion/criterion.h>
#include <fenv.h>
#include <stdio.h>
#include <string.h>

#include "pow/hex.h"
#include "pow/rx/group.h"
#include "pow/rx/randomx.h"
#include "pow/vectors.h"

TestSuite(rx_group, .timeout = 900);

#define LANES POW_RX_GROUP_LANES

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    long n = pow_hex_decode(hex, strlen(hex), out, cap, NULL);
    cr_assert_geq(n, 0, "bad hex in a vector");
    return (size_t)n;
}

/*
 * Every vector of variant name through a group on isa: the vectors of a key
 * fill the lanes in turn (the last lane repeating the first when there are
 * fewer), each lane's hash checked against its vector.
 */
static void check_vectors(const char *name, pow_isa_t isa, int want_lockstep, unsigned want)
{
    const pow_rx_variant_t *variant = pow_rx_variant_find(name);
    cr_assert_not_null(variant);
    if (!pow_rx_isa_available(isa))
        cr_skip_test("path %s is not available here", pow_isa_name(isa));
    pow_rx_cache_t *cache = pow_rx_cache_alloc(variant);
    cr_assert_not_null(cache);
    pow_rx_group_t *group = pow_rx_group_create(cache, isa);
    cr_assert_not_null(group);
    if (want_lockstep >= 0)
        cr_expect_eq(pow_rx_group_lockstep(group), want_lockstep);
    unsigned checked = 0;
    for (unsigned i = 0; i < pow_rx_vectors_count; i++) {
        const pow_vector_t *first = &pow_rx_vectors[i];
        if (strcmp(first->algo, name) != 0)
            continue;
        /* Skip keys already done with an earlier vector. */
        int seen = 0;
        for (unsigned j = 0; j < i && !seen; j++)
            seen = strcmp(pow_rx_vectors[j].algo, name) == 0 &&
                   strcmp(pow_rx_vectors[j].key_hex, first->key_hex) == 0;
        if (seen)
            continue;
        uint8_t key[64];
        cr_assert_eq(pow_rx_cache_init(cache, key, unhex(first->key_hex, key, sizeof(key))), 0);
        const pow_vector_t *lane_vector[LANES];
        unsigned lanes = 0;
        for (unsigned j = i; j < pow_rx_vectors_count && lanes < LANES; j++) {
            const pow_vector_t *v = &pow_rx_vectors[j];
            if (strcmp(v->algo, name) == 0 && strcmp(v->key_hex, first->key_hex) == 0)
                lane_vector[lanes++] = v;
        }
        for (unsigned k = lanes; k < LANES; k++)
            lane_vector[k] = lane_vector[k - lanes];
        uint8_t inputs[LANES][256], hashes[LANES][32];
        const void *in[LANES];
        size_t lens[LANES];
        for (unsigned k = 0; k < LANES; k++) {
            lens[k] = unhex(lane_vector[k]->input_hex, inputs[k], sizeof(inputs[k]));
            in[k] = inputs[k];
        }
        memset(hashes, 0, sizeof(hashes));
        pow_rx_group_hash(group, in, lens, hashes);
        for (unsigned k = 0; k < LANES; k++) {
            char got[65];
            pow_hex_encode(hashes[k], 32, got);
            cr_expect_str_eq(got, lane_vector[k]->hash_hex,
                             "%s on %s, lane %u, rx_vectors.txt line %u", name, pow_isa_name(isa),
                             k, lane_vector[k]->line);
            checked += k < lanes;
        }
    }
    cr_expect_eq(checked, want, "%u of the %u vectors of %s checked", checked, want, name);
    pow_rx_group_destroy(group);
    pow_rx_cache_release(cache);
}

Test(rx_group, rx0_vectors_come_out_of_every_lane_in_lockstep)
{
    check_vectors("rx/0", pow_rx_isa_best(), -1, 5);
}

Test(rx_group, rx2_vectors_come_out_of_every_lane_in_lockstep)
{
    check_vectors("rx/2", pow_rx_isa_best(), -1, 5);
}

Test(rx_group, rxwow_and_rxarq_vectors_come_out_of_every_lane_in_lockstep)
{
    check_vectors("rx/wow", pow_rx_isa_best(), -1, 1);
    check_vectors("rx/arq", pow_rx_isa_best(), -1, 5);
}

Test(rx_group, portable_path_hashes_one_after_another_with_the_same_results)
{
    check_vectors("rx/0", POW_ISA_PORTABLE, 0, 5);
}

#if defined(__x86_64__) || defined(__aarch64__)
/* Where fibers and the item JIT are built, the hardware AES path hashes in lockstep. */
Test(rx_group, hardware_aes_runs_in_lockstep)
{
#if defined(__x86_64__)
    const pow_isa_t isa = POW_ISA_AESNI;
#else
    const pow_isa_t isa = POW_ISA_ARMCRYPTO;
#endif
    if (!pow_rx_isa_available(isa))
        cr_skip_test("no hardware AES here");
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    cr_assert_eq(pow_rx_cache_init(cache, "k", 1), 0);
    pow_rx_group_t *group = pow_rx_group_create(cache, isa);
    cr_assert_not_null(group);
    cr_expect(pow_rx_group_lockstep(group));
    pow_rx_group_destroy(group);
    pow_rx_cache_release(cache);
}
#endif

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A group and one VM on the same rx/0 cache, to hash alike. */
typedef struct {
    pow_rx_cache_t *cache;
    pow_rx_group_t *group;
    pow_rx_vm_t *vm;
} pair_t;

static pair_t open_pair(void)
{
    pair_t p;
    pow_isa_t isa = pow_rx_isa_best();
    p.cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(p.cache);
    cr_assert_eq(pow_rx_cache_init(p.cache, "group key", 9), 0);
    p.group = pow_rx_group_create(p.cache, isa);
    p.vm = pow_rx_vm_create(p.cache, isa);
    cr_assert(p.group != NULL && p.vm != NULL);
    return p;
}

static void close_pair(pair_t *p)
{
    pow_rx_vm_destroy(p->vm);
    pow_rx_group_destroy(p->group);
    pow_rx_cache_release(p->cache);
}

/* One group call against the VM hashing each lane's input. */
static void expect_lanes_match_vm(pair_t *p, const void *const in[LANES], const size_t lens[LANES],
                                  const char *what)
{
    uint8_t hashes[LANES][32], want[32];
    pow_rx_group_hash(p->group, in, lens, hashes);
    for (unsigned k = 0; k < LANES; k++) {
        pow_rx_hash(p->vm, in[k], lens[k], want);
        cr_expect_arr_eq(hashes[k], want, 32, "%s: lane %u (%zu bytes)", what, k, lens[k]);
    }
}

/* Three rounds of random inputs (lengths 0 to 200, two lanes sometimes equal) against one VM. */
Test(rx_group, random_inputs_hash_as_one_vm_hashes_them_round_after_round)
{
    pair_t p = open_pair();
    uint64_t state = 99;
    for (int round = 0; round < 3; round++) {
        uint8_t inputs[LANES][200];
        const void *in[LANES];
        size_t lens[LANES];
        for (unsigned k = 0; k < LANES; k++) {
            lens[k] = (size_t)(splitmix64(&state) % 201);
            for (size_t b = 0; b < lens[k]; b++)
                inputs[k][b] = (uint8_t)splitmix64(&state);
            in[k] = inputs[k];
        }
        if (round == 1) {
            lens[LANES - 1] = lens[0];
            memcpy(inputs[LANES - 1], inputs[0], lens[0]);
        }
        char what[16];
        snprintf(what, sizeof(what), "round %d", round);
        expect_lanes_match_vm(&p, in, lens, what);
    }
    close_pair(&p);
}

Test(rx_group, v2_through_set_variant_matches_one_vm)
{
    pair_t p = open_pair();
    const pow_rx_variant_t *v2 = pow_rx_variant_find("rx/2");
    cr_assert_eq(pow_rx_group_set_variant(p.group, v2), 0);
    cr_assert_eq(pow_rx_vm_set_variant(p.vm, v2), 0);
    static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};
    const void *in[LANES];
    size_t lens[LANES];
    for (unsigned k = 0; k < LANES; k++) {
        in[k] = words[k % 6];
        lens[k] = strlen(words[k % 6]);
    }
    expect_lanes_match_vm(&p, in, lens, "rx/2");
    close_pair(&p);
}

/* Says stop once it has been asked *left times. */
static int stop_after(void *arg)
{
    int *left = arg;
    return (*left)-- <= 0;
}

/*
 * A group hash given up part way returns 0 and leaves the group ready: the
 * next call, run to the end, hashes as one VM does. A group in lockstep is
 * asked once per round of items (16,384 per hash: given up at once, after
 * 1 round, after 5,000); one that is not is asked before each input.
 */
static void check_giving_up(void)
{
    pair_t p = open_pair();
    static const char *const words[] = {"one", "two", "three", "four", "five", "six"};
    const void *in[LANES];
    size_t lens[LANES];
    for (unsigned k = 0; k < LANES; k++) {
        in[k] = words[k % 6];
        lens[k] = strlen(words[k % 6]);
    }
    const int lockstep = pow_rx_group_lockstep(p.group);
    const int give_up_after[] = {0, 1, lockstep ? 5000 : LANES - 1};
    for (size_t i = 0; i < sizeof(give_up_after) / sizeof(give_up_after[0]); i++) {
        uint8_t hashes[LANES][32];
        int left = give_up_after[i];
        cr_expect_eq(pow_rx_group_hash_until(p.group, in, lens, hashes, stop_after, &left), 0,
                     "given up after %d questions", give_up_after[i]);
        char what[48];
        snprintf(what, sizeof(what), "after giving up at question %d", give_up_after[i]);
        expect_lanes_match_vm(&p, in, lens, what);
    }
    int never = 1 << 30;
    uint8_t hashes[LANES][32];
    cr_expect_eq(pow_rx_group_hash_until(p.group, in, lens, hashes, stop_after, &never), 1);
    close_pair(&p);
}

Test(rx_group, a_hash_given_up_part_way_returns_0_and_the_next_is_right)
{
    check_giving_up();
}

/* Each test runs in a process of its own: the process-wide setting stays here. */
Test(rx_group, a_group_without_lockstep_also_gives_up_between_inputs)
{
    pow_rx_set_default_lockstep(0);
    cr_assert(!pow_rx_group_lockstep_for(pow_rx_isa_best()));
    check_giving_up();
}

Test(rx_group, the_callers_rounding_mode_survives_a_group_hash)
{
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    cr_assert_eq(pow_rx_cache_init(cache, "k", 1), 0);
    pow_rx_group_t *group = pow_rx_group_create(cache, pow_rx_isa_best());
    cr_assert_not_null(group);
    const void *in[LANES];
    size_t lens[LANES];
    uint8_t hashes[LANES][32];
    for (unsigned k = 0; k < LANES; k++) {
        in[k] = "x";
        lens[k] = 1;
    }
    fesetround(FE_UPWARD);
    pow_rx_group_hash(group, in, lens, hashes);
    cr_expect_eq(fegetround(), FE_UPWARD);
    fesetround(FE_TONEAREST);
    pow_rx_group_destroy(group);
    pow_rx_cache_release(cache);
}
