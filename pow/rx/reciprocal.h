/*
 * The fixed-point reciprocal that RandomX's IMUL_RCP multiplies by
 * (spec chapters 5 and 6): multiplying by it stands in for a division by a
 * 32-bit constant, which is why the instruction exists.
 */
#ifndef MINEMETER_POW_RX_RECIPROCAL_H
#define MINEMETER_POW_RX_RECIPROCAL_H

#include <stdint.h>

/*
 * floor(2^x / divisor) for the largest x that keeps the result below 2^64.
 * divisor must not be 0 or a power of two (RandomX never asks for those);
 * for a power of two the result wraps to 0, and 0 gives 0.
 */
uint64_t pow_rx_reciprocal(uint64_t divisor);

#endif
