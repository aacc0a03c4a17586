/*
 * What the machine running a test lets it do, so that a test asks for
 * what it needs and skips, saying why, where it cannot have it: the CPUs
 * this process may run on (taskset, a cpuset) and the memory it may still
 * use (MemAvailable and its cgroup's limit).
 */
#ifndef MINEMETER_TESTS_MACHINE_H
#define MINEMETER_TESTS_MACHINE_H

#include <stdint.h>

/* Bytes a fast-mode RandomX run needs: the 2080 MiB dataset, the 256 MiB cache, room to work. */
#define TEST_RX_FAST_BYTES ((uint64_t)2600 << 20)

/* How many CPUs this process may run on (its affinity mask). */
unsigned test_cpus_allowed(void);

/* "1" or "2": a worker count for a spawned miner that oversubscribes no CPU of this test's. */
const char *test_threads_arg(void);

/*
 * Waits until no other test holds the machine's memory (a big allocation,
 * or the huge-page pool it changes), then holds it until this test's
 * process ends.
 */
void test_lock_memory(void);

/*
 * Skips the test, with the reason, unless bytes fit in the memory this
 * process may still use. Tests that need this much run one at a time: the
 * check takes a lock that is let go when the test's process ends, so two
 * of them never count on the same free memory.
 */
void test_need_memory(uint64_t bytes, const char *what);

/* The reserved pool of 2 MiB huge pages: read it (the test fails if it cannot) ... */
long test_nr_hugepages(void);

/* ... and set it (root only); 0 or a negative errno. */
int test_set_nr_hugepages(long n);

/*
 * Makes the minemeter binaries this test starts see a machine with mib
 * MiB available (a made-up /proc/meminfo through MINEMETER_TEST_MEMORY_ROOT),
 * so that fast mode has no room; skips the test, saying so, when the real
 * pool of huge pages could hold a dataset whatever the memory.
 * test_low_memory_end takes it away.
 */
void test_low_memory_begin(unsigned mib);
void test_low_memory_end(void);

#endif
