#include "pow/hex.h"

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long pow_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *bad_at)
{
    for (size_t i = 0; i < len; i++) {
        if (digit_value(hex[i]) < 0) {
            if (bad_at != NULL)
                *bad_at = i;
            return POW_HEX_BAD_DIGIT;
        }
    }
    if (len % 2 != 0)
        return POW_HEX_ODD_LENGTH;
    if (len / 2 > cap)
        return POW_HEX_TOO_LONG;
    for (size_t i = 0; i < len / 2; i++)
        out[i] = (uint8_t)(digit_value(hex[2 * i]) << 4 | digit_value(hex[2 * i + 1]));
    return (long)(len / 2);
}

void pow_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}
