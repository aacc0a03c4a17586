/*
 * Hex text to bytes and back: inputs, keys and hashes travel as hex on the
 * command line, in vector tables and in pool messages.
 */
#ifndef MINEMETER_POW_HEX_H
#define MINEMETER_POW_HEX_H

#include <stddef.h>
#include <stdint.h>

enum {
    POW_HEX_ODD_LENGTH = -1, /* An odd number of digits. */
    POW_HEX_BAD_DIGIT = -2,  /* A character that is not a hex digit. */
    POW_HEX_TOO_LONG = -3,   /* More bytes than the output holds. */
};

/*
 * Decodes the first len characters of hex (upper or lower case) into out,
 * which holds cap bytes. Returns the number of bytes, or a POW_HEX_* error;
 * *bad_at then says which character is wrong (may be NULL).
 */
long pow_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *bad_at);

/* Writes 2 * len lowercase digits and a NUL into out. */
void pow_hex_encode(const uint8_t *in, size_t len, char *out);

#endif
