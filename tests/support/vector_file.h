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

#endif
