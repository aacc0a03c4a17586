/*
 * A block template as monerod 0.18.0.0 (Debian's monero package) sends it
 * in a fresh regtest chain (--regtest --offline --fixed-difficulty 200),
 * at height 1: the blobs, and the genesis hash that is both the previous
 * block and the RandomX seed.
 */
#ifndef MINEMETER_TESTS_STRATUM_REGTEST_TEMPLATE_H
#define MINEMETER_TESTS_STRATUM_REGTEST_TEMPLATE_H

#define REGTEST_HASHING_BLOB                                                                       \
    "10108dcd9dd806418015bb9ae982a1975da7d79277c2705727a56894ba0fb246adaabb1f4632e300000000cbdaee" \
    "2ef10993a13d4a0e4985507dc4a79620e4e71a3125961e9188e417a10001"
#define REGTEST_BLOCK_BLOB                                                                         \
    "10108dcd9dd806418015bb9ae982a1975da7d79277c2705727a56894ba0fb246adaabb1f4632e300000000023d01" \
    "ff0101808080f0ffff0703fad3706c3d9898f0f3bd8b0b8ba05ba48a29fe583fa2f23459b3ee89b48a89f3ad2b01" \
    "8491e9704bc64810c6f59937ffdbe6f6f21bd13c9c33a5af6383f1aab0eba1e5020800000000000000000000"
#define GENESIS "418015bb9ae982a1975da7d79277c2705727a56894ba0fb246adaabb1f4632e3"

#endif
