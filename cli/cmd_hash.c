/*
 * minemeter hash: one hash of one input, or one hash per hex line on stdin
 * (so thousands of vectors cost one process and one scratchpad).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/progress.h"
#include "cli/args.h"
#include "cli/algo_option.h"
#include "cli/commands.h"
#include "cli/isa_option.h"
#include "pow/algo.h"
#include "pow/hex.h"
#include "pow/rx/randomx.h"
#include "cli/rx_options.h"
#include "miner/rx_dataset_build.h"

enum {
    OPT_ALGO,
    OPT_INPUT,
    OPT_INPUT_HEX,
    OPT_KEY,
    OPT_KEY_HEX,
    OPT_HEIGHT,
    OPT_ISA,
    OPT_MODE,
    OPT_JIT,
    OPT_HUGE_PAGES,
    OPT_1GB_PAGES,
    OPT_LOCKSTEP,
    OPT_COUNT
};

static const cli_option_t hash_options[OPT_COUNT] = {
    [OPT_ALGO] = {"algo", CLI_OPT_STRING, "ALGO", 0, 0,
                  "algorithm: cn/0, cn/1, cn/2, cn/r, ... (required)"},
    [OPT_INPUT] = {"input", CLI_OPT_STRING, "TEXT", 0, 0, "hash these bytes"},
    [OPT_INPUT_HEX] = {"input-hex", CLI_OPT_STRING, "HEX", 0, 0, "hash these bytes, given in hex"},
    [OPT_KEY] = {"key", CLI_OPT_STRING, "TEXT", 0, 0, "RandomX key (the seed), as text"},
    [OPT_KEY_HEX] = {"key-hex", CLI_OPT_STRING, "HEX", 0, 0, "RandomX key in hex"},
    [OPT_HEIGHT] = {"height", CLI_OPT_UINT, "N", 0, 0xffffffffffffffffUL,
                    "block height (required for cn/r)"},
    [OPT_ISA] = {"isa", CLI_OPT_STRING, "PATH", 0, 0,
                 "force a code path: portable, aesni, armcrypto"},
    [OPT_MODE] = {"mode", CLI_OPT_STRING, "MODE", 0, 0,
                  "RandomX: light (default, and auto), or fast (builds the 2080 MiB dataset)"},
    [OPT_JIT] = CLI_RX_OPTION_JIT,
    [OPT_HUGE_PAGES] = CLI_RX_OPTION_HUGE_PAGES,
    [OPT_1GB_PAGES] = CLI_RX_OPTION_1GB_PAGES,
    [OPT_LOCKSTEP] = CLI_RX_OPTION_LOCKSTEP,
};

static const cli_command_spec_t hash_spec = {
    "hash",
    "compute one hash, or one per stdin line",
    "--algo ALGO [--height N] [--input TEXT | --input-hex HEX]",
    "Prints the 32-byte hash as 64 hex digits. Without --input or --input-hex,\n"
    "reads one hex input per line on stdin and prints one hash per line, in order.\n"
    "Examples:\n"
    "  minemeter hash --algo cn/0 --input 'This is a test'\n"
    "  minemeter hash --algo cn/r --height 1806260 --input-hex 5468697320...\n"
    "  cut -d' ' -f2 vectors.txt | minemeter hash --algo cn/2\n"
    "  minemeter hash --algo rx/0 --key 'test key 000' --input 'This is a test'\n"
    "RandomX needs --key or --key-hex (the seed); building its 256 MiB cache takes\n"
    "a few seconds, once per process. Light mode computes dataset items from the\n"
    "cache; --mode fast first builds the 2080 MiB dataset (tens of seconds, every\n"
    "core), which only pays for many inputs. Both give the same hashes, as do\n"
    "--jit on and off.\n"
    "Algorithms: run 'minemeter selftest' for the list with their vectors.",
    hash_options,
    OPT_COUNT,
};

typedef struct {
    const pow_algo_t *algo;
    pow_hasher_t *hasher;
    uint64_t height;
} hasher_t;

/* Hashes one input and prints it; returns an exit code. */
static int hash_one(hasher_t *h, const uint8_t *input, size_t len, const char *where)
{
    uint8_t out[32];
    char hex[65];
    if (pow_hasher_hash(h->hasher, input, len, h->height, out) != 0) {
        cli_error("hash", "%s%s needs at least %zu bytes of input, got %zu", where,
                  pow_algo_name(h->algo), pow_algo_min_input(h->algo), len);
        return CLI_EXIT_USAGE;
    }
    pow_hex_encode(out, sizeof(out), hex);
    puts(hex);
    return CLI_EXIT_OK;
}

/* Decodes hex into a fresh buffer; prints why not and returns NULL on error. */
static uint8_t *decode_hex_arg(const char *what, const char *hex, size_t len, size_t *out_len)
{
    uint8_t *buf = malloc(len / 2 + 1);
    if (buf == NULL) {
        cli_error("hash", "out of memory");
        return NULL;
    }
    size_t bad_at = 0;
    long n = pow_hex_decode(hex, len, buf, len / 2 + 1, &bad_at);
    if (n == POW_HEX_BAD_DIGIT)
        cli_usage_error("hash", "%s is not hex: '%c' at position %zu", what, hex[bad_at],
                        bad_at + 1);
    else if (n == POW_HEX_ODD_LENGTH)
        cli_usage_error("hash", "%s has an odd number of hex digits (%zu)", what, len);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    *out_len = (size_t)n;
    return buf;
}

/* Fast mode's dataset, built on every core (the cache must outlive it). */
static pow_rx_dataset_t *build_dataset(const pow_rx_cache_t *cache)
{
    pow_rx_dataset_t *dataset = pow_rx_dataset_alloc(0);
    if (dataset == NULL)
        return NULL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char label[128];
    snprintf(label, sizeof(label),
             "minemeter hash: building the 2080 MiB dataset (%s pages) on %ld threads",
             pow_rx_dataset_pages(dataset), cores);
    bench_meter_t meter;
    bench_meter_begin(&meter, label, pow_rx_dataset_item_count());
    const miner_build_progress_t progress = {bench_meter_report, &meter};
    int rc =
        miner_build_dataset(dataset, cache, cores > 0 ? (unsigned)cores : 1, NULL, NULL, &progress);
    bench_meter_end(&meter);
    if (rc != 0) {
        pow_rx_dataset_release(dataset);
        return NULL;
    }
    return dataset;
}

static int hash_stdin(hasher_t *h)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long number = 0;
    int rc = CLI_EXIT_OK;
    while (rc == CLI_EXIT_OK && (got = getline(&line, &cap, stdin)) >= 0) {
        number++;
        size_t len = (size_t)got;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            len--;
        char what[48];
        snprintf(what, sizeof(what), "stdin line %lu", number);
        size_t n = 0;
        uint8_t *input = decode_hex_arg(what, line, len, &n);
        if (input == NULL) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        char where[64];
        snprintf(where, sizeof(where), "stdin line %lu: ", number);
        rc = hash_one(h, input, n, where);
        free(input);
    }
    free(line);
    return rc;
}

static int run_hash(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    if (!v[OPT_ALGO].set) {
        cli_usage_error(spec->name, "--algo is required");
        return CLI_EXIT_USAGE;
    }
    if (v[OPT_INPUT].set && v[OPT_INPUT_HEX].set) {
        cli_usage_error(spec->name, "give --input or --input-hex, not both");
        return CLI_EXIT_USAGE;
    }
    const pow_algo_t *algo = NULL;
    cli_mode_t from_algo = CLI_MODE_UNSET, mode = CLI_MODE_LIGHT;
    if (cli_algo_parse(spec->name, v[OPT_ALGO].text, &algo, &from_algo) != 0)
        return CLI_EXIT_USAGE;
    const char *name = pow_algo_name(algo);
    if (v[OPT_KEY].set && v[OPT_KEY_HEX].set) {
        cli_usage_error(spec->name, "give --key or --key-hex, not both");
        return CLI_EXIT_USAGE;
    }
    int has_key = v[OPT_KEY].set || v[OPT_KEY_HEX].set;
    if (has_key && !pow_algo_needs_key(algo)) {
        cli_usage_error(spec->name, "--key is for RandomX; %s takes no key", name);
        return CLI_EXIT_USAGE;
    }
    if (!has_key && pow_algo_needs_key(algo)) {
        cli_usage_error(spec->name, "%s needs --key or --key-hex (the seed)", name);
        return CLI_EXIT_USAGE;
    }
    if (v[OPT_HEIGHT].set && !pow_algo_needs_height(algo)) {
        cli_usage_error(spec->name, "--height is for cn/r; %s takes no height", name);
        return CLI_EXIT_USAGE;
    }
    if (pow_algo_needs_height(algo) && !v[OPT_HEIGHT].set) {
        cli_usage_error(spec->name, "%s needs --height (the block height picks its program)", name);
        return CLI_EXIT_USAGE;
    }
    pow_isa_t isa = pow_algo_isa_best(algo);
    if (cli_isa_option(spec->name, &v[OPT_ISA], algo, &isa) < 0)
        return CLI_EXIT_USAGE;
    /* One hash does not pay for a dataset: auto is light here. */
    if (cli_mode_for(spec->name, algo, from_algo, &v[OPT_MODE], CLI_MODE_LIGHT, &mode) != 0)
        return CLI_EXIT_USAGE;
    int fast = mode == CLI_MODE_FAST;
    cli_rx_values_t rxv = {&v[OPT_JIT], &v[OPT_HUGE_PAGES], &v[OPT_1GB_PAGES], &v[OPT_LOCKSTEP]};
    if (cli_rx_options_apply(spec->name, &rxv) != CLI_CONTINUE)
        return CLI_EXIT_USAGE;

    uint8_t *key = NULL;
    size_t key_len = 0;
    if (v[OPT_KEY_HEX].set) {
        key =
            decode_hex_arg("--key-hex", v[OPT_KEY_HEX].text, strlen(v[OPT_KEY_HEX].text), &key_len);
        if (key == NULL)
            return CLI_EXIT_USAGE;
    } else if (v[OPT_KEY].set) {
        key_len = strlen(v[OPT_KEY].text);
        key = (uint8_t *)strdup(v[OPT_KEY].text);
    }
    if (key_len > 60) {
        cli_usage_error(spec->name, "the key is %zu bytes; RandomX keys are at most 60", key_len);
        free(key);
        return CLI_EXIT_USAGE;
    }

    hasher_t h = {algo, NULL, v[OPT_HEIGHT].number};
    int rc = pow_hasher_create(&h.hasher, algo, isa, key, key_len);
    free(key);
    if (rc != 0) {
        cli_error(spec->name, "cannot set up %s: %s", name, strerror(-rc));
        return CLI_EXIT_FAILURE;
    }
    pow_rx_dataset_t *dataset = NULL;
    if (fast) {
        dataset = build_dataset(pow_hasher_rx_cache(h.hasher));
        if (dataset == NULL) {
            cli_error(spec->name, "cannot build the 2080 MiB dataset (out of memory?)");
            pow_hasher_destroy(h.hasher);
            return CLI_EXIT_FAILURE;
        }
        pow_rx_vm_set_dataset(pow_hasher_rx_vm(h.hasher), dataset);
    }

    if (v[OPT_INPUT].set) {
        const char *text = v[OPT_INPUT].text;
        rc = hash_one(&h, (const uint8_t *)text, strlen(text), "");
    } else if (v[OPT_INPUT_HEX].set) {
        const char *hex = v[OPT_INPUT_HEX].text;
        size_t n = 0;
        uint8_t *input = decode_hex_arg("--input-hex", hex, strlen(hex), &n);
        rc = input == NULL ? CLI_EXIT_USAGE : hash_one(&h, input, n, "");
        free(input);
    } else {
        rc = hash_stdin(&h);
    }
    pow_hasher_destroy(h.hasher);
    pow_rx_dataset_release(dataset);
    if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
        cli_error(spec->name, "cannot write the output: %s", strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    return rc;
}

const cli_command_t cli_command_hash = {&hash_spec, run_hash};
