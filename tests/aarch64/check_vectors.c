/*
 * Every shipped vector on every path an aarch64 build has (portable and
 * ARMv8 crypto for CryptoNight, portable for RandomX), run under
 * qemu-aarch64 by scripts/check-aarch64.sh. A stopgap until the full cross
 * build (configure --host=aarch64-linux-gnu, the Criterion suites under
 * qemu) exists.
 */
#include <stdio.h>

#include "pow/algo.h"

int main(void)
{
    unsigned failures = 0, checks = 0;
    for (size_t a = 0; pow_algo_at(a) != NULL; a++) {
        const pow_algo_t *algo = pow_algo_at(a);
        for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
            if (!pow_algo_isa_available(algo, (pow_isa_t)i))
                continue;
            pow_verify_result_t r;
            int rc = pow_algo_verify(algo, (pow_isa_t)i, &r);
            printf("%-13s %-10s %2u vectors: %s\n", pow_algo_name(algo), pow_isa_name((pow_isa_t)i),
                   r.checked, rc == 0 ? "ok" : "FAIL");
            failures += rc != 0;
            checks++;
        }
    }
    printf("%u passed, %u failed\n", checks - failures, failures);
    return failures != 0;
}
