#include "miner/nonce_resume.h"

uint32_t miner_resume_nonce(uint32_t last_first, uint64_t most_done, unsigned threads,
                            uint32_t fixed_bits)
{
    uint64_t free_range = (uint32_t)~fixed_bits;
    uint64_t first = (uint64_t)last_first + (most_done + 2) * threads;
    return first > free_range / 2 ? 0 : (uint32_t)first;
}
