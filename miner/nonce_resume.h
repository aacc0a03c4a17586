/*
 * Where the workers start on a job the pool sends again (after a
 * reconnect): past every nonce any of them tried, so no share goes twice,
 * within the nonce bits the pool left free.
 */
#ifndef MINEMETER_MINER_NONCE_RESUME_H
#define MINEMETER_MINER_NONCE_RESUME_H

#include <stdint.h>

/*
 * The first nonce after last_first when the busiest of threads workers did
 * most_done hashes since (each worker steps by threads). When that is past
 * half of the free range (the bits not in fixed_bits: 24 under nicehash), the
 * range is mostly spent: start over at 0 rather than outside it.
 */
uint32_t miner_resume_nonce(uint32_t last_first, uint64_t most_done, unsigned threads,
                            uint32_t fixed_bits);

#endif
