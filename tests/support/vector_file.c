#define _POSIX_C_SOURCE 200809L

#include "vector_file.h"

#include "pow/hex.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void vector_file_open(vector_file_t *vf, const char *path)
{
    memset(vf, 0, sizeof(*vf));
    vf->file = fopen(path, "r");
    if (vf->file == NULL) {
        cr_assert_fail("cannot open vector file %s: %s (Monero's vectors come from the Debian "
                       "package monero-tests: apt-get install monero-tests)",
                       path, strerror(errno));
    }
}

int vector_file_next(vector_file_t *vf)
{
    for (;;) {
        ssize_t n = getline(&vf->line, &vf->line_cap, vf->file);
        if (n < 0)
            return 0;
        vf->line_number++;
        vf->field_count = 0;
        char *save = NULL;
        for (char *tok = strtok_r(vf->line, " \t\r\n", &save);
             tok != NULL && vf->field_count < VECTOR_MAX_FIELDS;
             tok = strtok_r(NULL, " \t\r\n", &save)) {
            vf->fields[vf->field_count++] = tok;
        }
        if (vf->field_count > 0 && vf->fields[0][0] != '#')
            return 1;
    }
}

void vector_file_close(vector_file_t *vf)
{
    if (vf->file != NULL)
        fclose(vf->file);
    free(vf->line);
    memset(vf, 0, sizeof(*vf));
}

size_t vector_field_hex(const vector_file_t *vf, size_t i, uint8_t *out, size_t cap)
{
    cr_assert_lt(i, vf->field_count, "line %zu has no field %zu", vf->line_number, i);
    const char *hex = vf->fields[i];
    if (strcmp(hex, "x") == 0)
        return 0;
    long n = pow_hex_decode(hex, strlen(hex), out, cap, NULL);
    cr_assert_geq(n, 0, "line %zu: field %zu is not hex of at most %zu bytes (error %ld)",
                  vf->line_number, i, cap, n);
    return (size_t)n;
}

void vector_to_hex(const uint8_t *in, size_t len, char *out)
{
    pow_hex_encode(in, len, out);
}

void vector_file_check_hash256(const char *path, vector_hash256_fn hash, size_t expected_cases)
{
    /* Static, because a test's stack need not hold 8 KiB; each test runs in its own process. */
    static uint8_t input[VECTOR_HASH256_MAX_INPUT];
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    vector_file_t vf;
    size_t cases = 0;
    size_t failures = 0;

    vector_file_open(&vf, path);
    while (vector_file_next(&vf)) {
        uint8_t expected[32];
        uint8_t actual[32];

        cr_assert_eq(vf.field_count, 2, "%s line %zu: expected 2 fields, found %zu", path,
                     vf.line_number, vf.field_count);
        cr_assert_eq(vector_field_hex(&vf, 0, expected, sizeof(expected)), sizeof(expected),
                     "%s line %zu: the expected hash is not 32 bytes", path, vf.line_number);
        size_t len = vector_field_hex(&vf, 1, input, sizeof(input));

        hash(input, len, actual);
        cases++;
        /* Expect rather than assert, so that one run reports every failing line. */
        if (memcmp(actual, expected, sizeof(expected)) != 0) {
            char expected_hex[2 * sizeof(expected) + 1];
            char actual_hex[2 * sizeof(actual) + 1];

            vector_to_hex(expected, sizeof(expected), expected_hex);
            vector_to_hex(actual, sizeof(actual), actual_hex);
            cr_expect_fail("%s line %zu (%zu-byte input): expected %s, got %s", path,
                           vf.line_number, len, expected_hex, actual_hex);
            failures++;
        }
    }
    vector_file_close(&vf);

    cr_log_info("%s: %zu of %zu lines passed", name, cases - failures, cases);
    cr_assert_eq(cases, expected_cases, "read %zu cases from %s, expected %zu", cases, path,
                 expected_cases);
    cr_assert_eq(failures, 0, "%zu of %zu lines of %s failed", failures, cases, path);
}

void vector_hash256_check_null_input(vector_hash256_fn hash)
{
    static const uint8_t empty[1] = {0};
    uint8_t from_null[32];
    uint8_t from_empty[32];

    hash(NULL, 0, from_null);
    hash(empty, 0, from_empty);
    cr_expect_arr_eq(from_null, from_empty, sizeof(from_null),
                     "a NULL input of length 0 hashes differently from an empty buffer");
}

void vector_hash256_check_alignment(vector_hash256_fn hash)
{
    /*
     * CryptoNight hands the finalisers a 200-byte state that need not be 8-byte aligned.
     * The buffer is aligned so that offsets 0 to 7 cover every position within a word.
     */
    _Alignas(8) uint8_t buf[200 + 8];
    uint8_t expected[32];

    for (size_t i = 0; i < 200; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    hash(buf, 200, expected);
    for (size_t shift = 1; shift < 8; shift++) {
        uint8_t actual[32];

        memmove(buf + shift, buf + shift - 1, 200);
        hash(buf + shift, 200, actual);
        cr_expect_arr_eq(actual, expected, sizeof(actual), "input at offset %zu", shift);
    }
}

void vector_hash256_check_overlap(vector_hash256_fn hash)
{
    uint8_t buf[32];
    uint8_t expected[32];

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 5 + 1);
    hash(buf, sizeof(buf), expected);
    hash(buf, sizeof(buf), buf);
    cr_expect_arr_eq(buf, expected, sizeof(buf), "hashing in place changed the hash");
}
