/* CryptoNight kernels with AES-NI and SSE4.1 (compiled with -maes -msse4.1). */
#include "pow/cn/cn_loop.h"
#include "pow/cn/cn_vec_aesni.h"

/* Variants 1 and 2's loops in assembly where they are built (cn_loop_x86_64.S). */
#if defined(CN_LOOP_X86_64)
#define CN_ASM_LOOPS 1
#endif

#define CN_KERNEL_TABLE pow__cn_kernels_aesni
#include "pow/cn/cn_kernel.inc.h"
