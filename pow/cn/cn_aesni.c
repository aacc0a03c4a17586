/* CryptoNight kernels with AES-NI and SSE4.1 (compiled with -maes -msse4.1). */
#include "pow/cn/cn_v2_loop.h"
#include "pow/cn/cn_vec_aesni.h"

/* Variant 2's loop in assembly where it is built (cn_v2_loop_x86_64.S). */
#if defined(CN_V2_LOOP_X86_64)
#define CN_V2_LOOP 1
#endif

#define CN_KERNEL_TABLE pow__cn_kernels_aesni
#include "pow/cn/cn_kernel.inc.h"
