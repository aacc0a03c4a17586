/* CryptoNight kernels with the ARMv8 crypto extensions (compiled with -march=armv8-a+crypto). */
#include "pow/cn/cn_vec_armcrypto.h"

#define CN_KERNEL_TABLE pow__cn_kernels_armcrypto
#include "pow/cn/cn_kernel.inc.h"
