#define _POSIX_C_SOURCE 200809L

#include "vector_file.h"

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

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t vector_field_hex(const vector_file_t *vf, size_t i, uint8_t *out, size_t cap)
{
    cr_assert_lt(i, vf->field_count, "line %zu has no field %zu", vf->line_number, i);
    const char *hex = vf->fields[i];
    if (strcmp(hex, "x") == 0)
        return 0;
    size_t len = strlen(hex);
    cr_assert_eq(len % 2, 0, "line %zu: odd-length hex", vf->line_number);
    cr_assert_leq(len / 2, cap, "line %zu: field %zu longer than %zu bytes", vf->line_number, i,
                  cap);
    for (size_t k = 0; k < len / 2; k++) {
        int hi = hex_digit(hex[2 * k]);
        int lo = hex_digit(hex[2 * k + 1]);
        cr_assert(hi >= 0 && lo >= 0, "line %zu: bad hex digit", vf->line_number);
        out[k] = (uint8_t)(hi << 4 | lo);
    }
    return len / 2;
}

void vector_to_hex(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t k = 0; k < len; k++) {
        out[2 * k] = digits[in[k] >> 4];
        out[2 * k + 1] = digits[in[k] & 15];
    }
    out[2 * len] = '\0';
}
