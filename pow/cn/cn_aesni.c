/* CryptoNight kernels with AES-NI and SSE4.1 (compiled with -maes -msse4.1). */
#include "pow/cn/cn_vec_aesni.h"

#define CN_KERNEL_TABLE pow__cn_kernels_aesni
#include "pow/cn/cn_kernel.inc.h"
