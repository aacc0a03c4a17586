/*
 * Reading published test-vector files: one case per line, fields separated
 * by white space, as Monero's tests/hash vector files and our shared/vectors use.
 */
#ifndef MINEMETER_TESTS_VECTOR_FILE_H
#define MINEMETER_TESTS_VECTOR_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VECTOR_MAX_FIELDS 8

/* Where Debian's monero-tests package puts Monero's hash vectors. */
#define MONERO_HASH_VECTOR_DIR "/usr/share/monero/testdata/hash"

typedef struct {
    FILE *file;
    char *line;
    size_t line_cap;
    size_t line_number;
    size_t field_count;
    char *fields[VECTOR_MAX_FIELDS];
} vector_file_t;

/*
 * Opens a vector file. On failure a Criterion assertion fails with the path
 * and a hint about which Debian package ships it: a missing vector file is a
 * failure, never a silent skip.
 */
void vector_file_open(vector_file_t *vf, const char *path);

/* Reads the next non-empty line and splits it; returns 0 at end of file. */
int vector_file_next(vector_file_t *vf);

void vector_file_close(vector_file_t *vf);

/*
 * Decodes field i as hex into out (at most cap bytes). Monero's files write
 * the empty input as "x"; that decodes to length 0. Fails the test on bad
 * hex. Returns the decoded length.
 */
size_t vector_field_hex(const vector_file_t *vf, size_t i, uint8_t *out, size_t cap);

/* Formats len bytes as lowercase hex into out (2 * len + 1 bytes). */
void vector_to_hex(const uint8_t *in, size_t len, char *out);

/* A hash with a 32-byte output, such as pow_keccak256 or the CryptoNight finalisers. */
typedef void (*vector_hash256_fn)(const uint8_t *in, size_t len, uint8_t out[32]);

/* Longest input the checker below accepts; Monero's files go up to 4288 bytes. */
#define VECTOR_HASH256_MAX_INPUT 8192

/*
 * Checks hash against every line of a file of "<expected 32-byte hash hex> <input hex>"
 * lines, as Monero's tests/hash/tests-fast.txt and tests-extra-*.txt are. A line that
 * differs fails the test with the path, line number, input length and both hashes, and the
 * check goes on, so that one run reports every failing line. Then the test fails unless
 * exactly expected_cases lines were read (so that a truncated or replaced file cannot pass
 * quietly) and unless every line passed; "N of N lines passed" is logged either way.
 */
void vector_file_check_hash256(const char *path, vector_hash256_fn hash, size_t expected_cases);

/*
 * Property checks shared by the hash primitives. Each fails the current test with a
 * Criterion expectation when hash does not have the property.
 */

/* A NULL input of length 0 hashes like any other empty input. */
void vector_hash256_check_null_input(vector_hash256_fn hash);

/*
 * The hash of a 200-byte input (CryptoNight's state size) does not depend on where the
 * input sits: an 8-byte aligned copy and copies at offsets 1 to 7 give the same hash.
 */
void vector_hash256_check_alignment(vector_hash256_fn hash);

/* The output may be the input buffer itself: hashing 32 bytes in place gives the same hash. */
void vector_hash256_check_overlap(vector_hash256_fn hash);

#endif
