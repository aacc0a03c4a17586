#include "pow/cn/cn_verify.h"

#include <errno.h>
#include <string.h>

#include "pow/hex.h"

/* The longest shipped input is a 76-byte blob; Monero's slow vectors stay under 100. */
#define MAX_VECTOR_INPUT 256

int pow_cn_verify(pow_cn_ctx_t *ctx, pow_cn_verify_result_t *result)
{
    memset(result, 0, sizeof(*result));
    const char *name = pow_cn_algo_name(ctx->algo);
    for (unsigned i = 0; i < pow_cn_vectors_count; i++) {
        const pow_vector_t *v = &pow_cn_vectors[i];
        if (strcmp(v->algo, name) != 0)
            continue;
        uint8_t input[MAX_VECTOR_INPUT], expected[32], actual[32];
        long len = pow_hex_decode(v->input_hex, strlen(v->input_hex), input, sizeof(input), NULL);
        int ok = len >= 0 &&
                 pow_hex_decode(v->hash_hex, strlen(v->hash_hex), expected, 32, NULL) == 32 &&
                 pow_cn_hash(ctx, input, (size_t)len, v->height, actual) == 0 &&
                 memcmp(actual, expected, 32) == 0;
        result->checked++;
        if (!ok) {
            if (result->failed++ == 0) {
                result->first_failure = v;
                memcpy(result->first_failure_hash, actual, 32);
            }
        }
    }
    if (result->checked == 0)
        return -ENOENT;
    return result->failed == 0 ? 0 : -EIO;
}
