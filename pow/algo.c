/*
 * The registry over the two families, and the single-thread hasher.
 */
#include "config.h"
#include "pow/algo.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arch/pages.h"
#include "pow/cn/cn.h"
#include "pow/hex.h"
#include "pow/rx/group.h"
#include "pow/rx/randomx.h"
#include "pow/vectors.h"

#define MAX_ALGOS 64

struct pow_algo {
    const char *name;
    pow_family_t family;
    const pow_cn_algo_t *cn;
    const pow_rx_variant_t *rx;
};

static struct pow_algo registry[MAX_ALGOS];
static size_t registry_count;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void build_registry(void)
{
    for (size_t i = 0; pow_cn_algo_at(i) != NULL && registry_count < MAX_ALGOS; i++) {
        const pow_cn_algo_t *cn = pow_cn_algo_at(i);
        registry[registry_count++] =
            (struct pow_algo){pow_cn_algo_name(cn), POW_FAMILY_CN, cn, NULL};
    }
    for (size_t i = 0; pow_rx_variant_at(i) != NULL && registry_count < MAX_ALGOS; i++) {
        const pow_rx_variant_t *rx = pow_rx_variant_at(i);
        registry[registry_count++] = (struct pow_algo){rx->name, POW_FAMILY_RX, NULL, rx};
    }
}

const pow_algo_t *pow_algo_at(size_t i)
{
    pthread_once(&registry_once, build_registry);
    return i < registry_count ? &registry[i] : NULL;
}

/*
 * Other names for our algorithms: those XMRig accepts in --algo, its
 * config file and pool jobs (XMRig's Algorithm.cpp lists them), and the
 * "rx/monero" some pools send. Matched without regard to case, as XMRig does.
 */
static const struct {
    const char *alias, *name;
} aliases[] = {
    {"cryptonight", "cn/0"},
    {"cryptonight/0", "cn/0"},
    {"cn", "cn/0"},
    {"cryptonight/1", "cn/1"},
    {"cryptonight-monerov7", "cn/1"},
    {"cryptonight_v7", "cn/1"},
    {"cryptonight/2", "cn/2"},
    {"cryptonight-monerov8", "cn/2"},
    {"cryptonight_v8", "cn/2"},
    {"cryptonight/r", "cn/r"},
    {"cryptonight_r", "cn/r"},
    {"cryptonight/fast", "cn/fast"},
    {"cryptonight/msr", "cn/fast"},
    {"cn/msr", "cn/fast"},
    {"cryptonight/half", "cn/half"},
    {"cryptonight/xao", "cn/xao"},
    {"cryptonight_alloy", "cn/xao"},
    {"cryptonight/rto", "cn/rto"},
    {"cryptonight/rwz", "cn/rwz"},
    {"cryptonight/zls", "cn/zls"},
    {"cryptonight/double", "cn/double"},
    {"cryptonight/ccx", "cn/ccx"},
    {"cryptonight/conceal", "cn/ccx"},
    {"cn/conceal", "cn/ccx"},
    {"cryptonight-lite/0", "cn-lite/0"},
    {"cryptonight-lite", "cn-lite/0"},
    {"cn-lite", "cn-lite/0"},
    {"cryptonight_lite", "cn-lite/0"},
    {"cryptonight-lite/1", "cn-lite/1"},
    {"cryptonight-aeonv7", "cn-lite/1"},
    {"cryptonight-heavy/0", "cn-heavy/0"},
    {"cryptonight-heavy", "cn-heavy/0"},
    {"cn-heavy", "cn-heavy/0"},
    {"cryptonight_heavy", "cn-heavy/0"},
    {"cryptonight-heavy/xhv", "cn-heavy/xhv"},
    {"cryptonight_haven", "cn-heavy/xhv"},
    {"cryptonight-heavy/tube", "cn-heavy/tube"},
    {"cryptonight-bittube2", "cn-heavy/tube"},
    {"cryptonight-pico", "cn-pico"},
    {"cn-pico/0", "cn-pico"},
    {"cn-pico/trtl", "cn-pico"},
    {"cryptonight-turtle", "cn-pico"},
    {"cn-trtl", "cn-pico"},
    {"cryptonight-pico/tlo", "cn-pico/tlo"},
    {"cn/ultra", "cn-pico/tlo"},
    {"cryptonight-talleo", "cn-pico/tlo"},
    {"cryptonight/upx2", "cn/upx2"},
    {"cryptonight-upx/2", "cn/upx2"},
    {"randomx", "rx/0"},
    {"randomx/0", "rx/0"},
    {"rx", "rx/0"},
    {"rx/monero", "rx/0"},
    {"randomx/2", "rx/2"},
    {"randomx/wow", "rx/wow"},
    {"randomwow", "rx/wow"},
    {"randomx/arq", "rx/arq"},
    {"randomarq", "rx/arq"},
};

static const pow_algo_t *find_exact(const char *name)
{
    for (size_t i = 0; pow_algo_at(i) != NULL; i++) {
        if (strcasecmp(registry[i].name, name) == 0)
            return &registry[i];
    }
    return NULL;
}

const pow_algo_t *pow_algo_find(const char *name)
{
    const pow_algo_t *algo = find_exact(name);
    for (size_t i = 0; algo == NULL && i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcasecmp(aliases[i].alias, name) == 0)
            algo = find_exact(aliases[i].name);
    }
    return algo;
}

size_t pow_algo_aliases(const pow_algo_t *algo, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcmp(aliases[i].name, algo->name) == 0) {
            if (n < max)
                out[n] = aliases[i].alias;
            n++;
        }
    }
    return n;
}

void pow_algo_unknown(const char *name, char *why, size_t why_len)
{
    size_t used = (size_t)snprintf(why, why_len, "unknown algorithm '%s': minemeter has ", name);
    for (size_t i = 0; pow_algo_at(i) != NULL && used < why_len; i++)
        used += (size_t)snprintf(why + used, why_len - used, "%s%s", i > 0 ? ", " : "",
                                 registry[i].name);
    if (used < why_len)
        snprintf(why + used, why_len - used,
                 " (XMRig's names such as cryptonight/r and randomx work too; minemeter selftest "
                 "--list shows them all)");
}

const char *pow_algo_name(const pow_algo_t *algo)
{
    return algo->name;
}

pow_family_t pow_algo_family(const pow_algo_t *algo)
{
    return algo->family;
}

const struct pow_cn_algo *pow_algo_cn(const pow_algo_t *algo)
{
    return algo->cn;
}

const struct pow_rx_variant *pow_algo_rx(const pow_algo_t *algo)
{
    return algo->rx;
}

int pow_algo_needs_height(const pow_algo_t *algo)
{
    return algo->family == POW_FAMILY_CN && pow_cn_algo_needs_height(algo->cn);
}

int pow_algo_needs_key(const pow_algo_t *algo)
{
    return algo->family == POW_FAMILY_RX;
}

size_t pow_algo_min_input(const pow_algo_t *algo)
{
    return algo->family == POW_FAMILY_CN ? pow_cn_algo_min_input(algo->cn) : 0;
}

int pow_algo_isa_available(const pow_algo_t *algo, pow_isa_t isa)
{
    return algo->family == POW_FAMILY_CN ? pow_cn_isa_available(isa) : pow_rx_isa_available(isa);
}

pow_isa_t pow_algo_isa_best(const pow_algo_t *algo)
{
    return algo->family == POW_FAMILY_CN ? pow_cn_isa_best() : pow_rx_isa_best();
}

struct pow_hasher {
    const pow_algo_t *algo;
    arch_pages_t pad;
    pow_cn_ctx_t cn;
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm;
};

int pow_hasher_create(pow_hasher_t **out, const pow_algo_t *algo, pow_isa_t isa, const void *key,
                      size_t key_len)
{
    *out = NULL;
    if (!pow_algo_isa_available(algo, isa))
        return -ENOTSUP;
    pow_hasher_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    h->algo = algo;
    int rc = 0;
    if (algo->family == POW_FAMILY_CN) {
        rc = arch_pages_alloc(&h->pad, pow_cn_algo_memory(algo->cn), 0);
        if (rc == 0)
            rc = pow_cn_ctx_init(&h->cn, algo->cn, isa, h->pad.ptr, h->pad.mapped);
    } else {
        h->cache = pow_rx_cache_alloc(algo->rx);
        rc = h->cache == NULL ? -ENOMEM : pow_rx_cache_init(h->cache, key, key_len);
        if (rc == 0) {
            h->vm = pow_rx_vm_create(h->cache, isa);
            rc = h->vm == NULL ? -ENOMEM : 0;
        }
    }
    if (rc != 0) {
        pow_hasher_destroy(h);
        return rc;
    }
    *out = h;
    return 0;
}

int pow_hasher_set_key(pow_hasher_t *h, const void *key, size_t key_len)
{
    if (h->algo->family != POW_FAMILY_RX)
        return -EINVAL;
    return pow_rx_cache_init(h->cache, key, key_len);
}

int pow_hasher_hash(pow_hasher_t *h, const void *in, size_t len, uint64_t height, uint8_t out[32])
{
    if (h->algo->family == POW_FAMILY_CN)
        return pow_cn_hash(&h->cn, in, len, height, out);
    pow_rx_hash(h->vm, in, len, out);
    return 0;
}

struct pow_rx_cache *pow_hasher_rx_cache(pow_hasher_t *h)
{
    return h->cache;
}

struct pow_rx_vm *pow_hasher_rx_vm(pow_hasher_t *h)
{
    return h->vm;
}

void pow_hasher_destroy(pow_hasher_t *h)
{
    if (h == NULL)
        return;
    if (h->algo->family == POW_FAMILY_CN) {
        pow_cn_ctx_release(&h->cn);
        arch_pages_free(&h->pad);
    } else {
        pow_rx_vm_destroy(h->vm);
        pow_rx_cache_release(h->cache);
    }
    free(h);
}

/* The longest shipped input is a 76-byte blob; keys are at most 60 bytes. */
#define MAX_VECTOR_BYTES 256

/*
 * A test hook: MINEMETER_TEST_BREAK_ALGO=cn/2 makes verification see one
 * wrong bit in every cn/2 hash, as a broken implementation would produce, so
 * the tests can prove that nothing reports figures for a wrong algorithm.
 */
static int broken_by_test(const pow_algo_t *algo)
{
    const char *broken = getenv("MINEMETER_TEST_BREAK_ALGO");
    return broken != NULL && strcmp(broken, algo->name) == 0;
}

/* Counts one check of vector v, keeping the first failure's details. */
static void record_check(pow_verify_result_t *result, const pow_vector_t *v, int ok,
                         const uint8_t actual[32])
{
    result->checked++;
    if (!ok && result->failed++ == 0) {
        result->first_failure_line = v->line;
        memcpy(result->expected_hex, v->hash_hex, 64);
        pow_hex_encode(actual, 32, result->got_hex);
    }
}

/*
 * RandomX light mode also hashes in lockstep groups (pow/rx/group.h): the
 * vector goes into one lane (turn after turn), the other lanes hash inputs
 * one byte off it, so a lane given another lane's item or output shows.
 */
static int group_hash_matches(pow_rx_group_t *group, unsigned lane, const uint8_t *input,
                              size_t len, const uint8_t expected[32], uint8_t actual[32])
{
    uint8_t inputs[POW_RX_GROUP_LANES][MAX_VECTOR_BYTES + 1], outs[POW_RX_GROUP_LANES][32];
    const void *in[POW_RX_GROUP_LANES];
    size_t lens[POW_RX_GROUP_LANES];
    for (unsigned k = 0; k < POW_RX_GROUP_LANES; k++) {
        memcpy(inputs[k], input, len);
        lens[k] = len;
        if (k != lane)
            inputs[k][lens[k]++] = (uint8_t)k;
        in[k] = inputs[k];
    }
    pow_rx_group_hash(group, in, lens, outs);
    memcpy(actual, outs[lane], 32);
    return memcmp(actual, expected, 32) == 0;
}

int pow_algo_verify(const pow_algo_t *algo, pow_isa_t isa, pow_verify_result_t *result)
{
    memset(result, 0, sizeof(*result));
    int break_for_test = broken_by_test(algo);
    const pow_vector_t *vectors = algo->family == POW_FAMILY_CN ? pow_cn_vectors : pow_rx_vectors;
    unsigned count = algo->family == POW_FAMILY_CN ? pow_cn_vectors_count : pow_rx_vectors_count;
    result->vector_file =
        algo->family == POW_FAMILY_CN ? "pow/cn/cn_vectors.txt" : "pow/rx/rx_vectors.txt";
    pow_hasher_t *h = NULL;
    pow_rx_group_t *group = NULL;
    int lockstep = algo->family == POW_FAMILY_RX && pow_rx_group_lockstep_for(isa);
    int rc = 0;
    for (unsigned i = 0; i < count && rc == 0; i++) {
        const pow_vector_t *v = &vectors[i];
        if (strcmp(v->algo, algo->name) != 0)
            continue;
        uint8_t input[MAX_VECTOR_BYTES], key[MAX_VECTOR_BYTES], expected[32], actual[32];
        long len = pow_hex_decode(v->input_hex, strlen(v->input_hex), input, sizeof(input), NULL);
        long key_len = pow_hex_decode(v->key_hex, strlen(v->key_hex), key, sizeof(key), NULL);
        if (len < 0 || key_len < 0 ||
            pow_hex_decode(v->hash_hex, strlen(v->hash_hex), expected, 32, NULL) != 32)
            return -EINVAL;
        if (h == NULL)
            rc = pow_hasher_create(&h, algo, isa, key, (size_t)key_len);
        else if (algo->family == POW_FAMILY_RX)
            rc = pow_hasher_set_key(h, key, (size_t)key_len);
        if (rc == 0 && lockstep && group == NULL &&
            (group = pow_rx_group_create(h->cache, isa)) == NULL)
            rc = -ENOMEM;
        if (rc != 0)
            break;
        result->vectors++;
        int hashed = pow_hasher_hash(h, input, (size_t)len, v->height, actual) == 0;
        if (break_for_test)
            actual[0] ^= 1;
        record_check(result, v, hashed && memcmp(actual, expected, 32) == 0, actual);
        if (group != NULL) {
            int ok = group_hash_matches(group, result->checked % POW_RX_GROUP_LANES, input,
                                        (size_t)len, expected, actual);
            if (break_for_test)
                ok = 0;
            record_check(result, v, ok, actual);
        }
    }
    pow_rx_group_destroy(group);
    pow_hasher_destroy(h);
    if (rc != 0)
        return rc;
    if (result->checked == 0)
        return -ENOENT;
    return result->failed == 0 ? 0 : -EIO;
}
