/*
 * miner/nonce_resume.c: a job sent again resumes past the nonces tried, and
 * never outside the bits the pool left free.
 */
#include <criterion/criterion.h>

#include "miner/nonce_resume.h"

Test(miner_nonce_resume, resumes_past_every_nonce_the_busiest_worker_tried)
{
    /* 2 workers from 0, the busiest did 1000 hashes: nonces up to 1999 are taken. */
    cr_expect_eq(miner_resume_nonce(0, 1000, 2, 0), 2004);
    cr_expect_eq(miner_resume_nonce(5000, 10, 4, 0), 5048);
}

Test(miner_nonce_resume, stays_within_the_24_free_bits_under_nicehash)
{
    /* 0x7F0000 + 2 x 100002 is past half of 0xFFFFFF: start over, not at 0x820D44 ... */
    cr_expect_eq(miner_resume_nonce(0x7F0000, 100000, 2, 0xFF000000u), 0);
    /* ... where the full 32 bits have room. */
    cr_expect_eq(miner_resume_nonce(0x7F0000, 100000, 2, 0), 0x7F0000 + 200004);
    cr_expect_eq(miner_resume_nonce(0x100000, 1000, 2, 0xFF000000u), 0x100000 + 2004);
}

Test(miner_nonce_resume, a_mostly_spent_full_range_starts_over)
{
    cr_expect_eq(miner_resume_nonce(0x7FFFFF00u, 1000, 2, 0), 0);
}
