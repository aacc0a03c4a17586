#define _GNU_SOURCE
#include "tests/support/machine.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <unistd.h>

#include "arch/memory.h"

#define MEMORY_LOCK "/tmp/minemeter-tests-memory.lock"

unsigned test_cpus_allowed(void)
{
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
    return (unsigned)CPU_COUNT(&set);
}

const char *test_threads_arg(void)
{
    return test_cpus_allowed() >= 2 ? "2" : "1";
}

void test_lock_memory(void)
{
    /* Read-only, so that another user's lock file serves as well: flock needs no write access. */
    int fd = open(MEMORY_LOCK, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        fd = open(MEMORY_LOCK, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "cannot open " MEMORY_LOCK);
    cr_assert_eq(flock(fd, LOCK_EX), 0);
    /* The descriptor stays open: the lock ends with this test's process. */
}

void test_need_memory(uint64_t bytes, const char *what)
{
    test_lock_memory();
    char why[256];
    if (!arch_memory_fits(bytes, what, why, sizeof(why)))
        cr_skip_test("%s", why);
}
