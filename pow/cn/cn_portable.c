/* CryptoNight kernels in plain C with table-driven AES. */
#include "pow/cn/cn_vec_portable.h"

#define CN_KERNEL_TABLE pow__cn_kernels_portable
#include "pow/cn/cn_kernel.inc.h"
