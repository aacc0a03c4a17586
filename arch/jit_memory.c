/*
 * Code memory under W^X: a single mapping switched by mprotect, and the
 * dual mapping (one memfd seen through a read-write and a read-execute
 * view) that needs no system call to rewrite code.
 */
#define _GNU_SOURCE
#include "config.h"
#include "arch/jit_memory.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int arch_jit_memory_writable(uint8_t **code, size_t size)
{
    if (*code == NULL) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return -errno;
        *code = p;
        return 0;
    }
    return mprotect(*code, size, PROT_READ | PROT_WRITE) == 0 ? 0 : -errno;
}

int arch_jit_memory_executable(uint8_t *code, size_t size, size_t used)
{
    if (mprotect(code, size, PROT_READ | PROT_EXEC) != 0)
        return -errno;
    __builtin___clear_cache((char *)code, (char *)code + used);
    return 0;
}

void arch_jit_memory_free(uint8_t *code, size_t size)
{
    if (code != NULL)
        munmap(code, size);
}

static size_t whole_pages(size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t unit = page > 0 ? (size_t)page : 4096;
    return (size + unit - 1) / unit * unit;
}

int arch_jit__dual_map_single(arch_jit_dual_t *m, size_t size)
{
    memset(m, 0, sizeof(*m));
    size = whole_pages(size);
    /* Mapped executable (and not writable) at rest, as the dual views are. */
    void *p = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    m->rw = p;
    m->rx = p;
    m->size = size;
    return 0;
}

/* Two views of one memfd; the descriptor is not needed once both are mapped. */
static int map_two_views(arch_jit_dual_t *m, size_t size)
{
    int fd = memfd_create("minemeter-jit", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = 0;
    void *rw = MAP_FAILED, *rx = MAP_FAILED;
    if (ftruncate(fd, (off_t)size) != 0)
        rc = -errno;
    if (rc == 0) {
        rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (rw == MAP_FAILED)
            rc = -errno;
    }
    if (rc == 0) {
        rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
        if (rx == MAP_FAILED)
            rc = -errno;
    }
    close(fd);
    if (rc != 0) {
        if (rw != MAP_FAILED)
            munmap(rw, size);
        return rc;
    }
    m->rw = rw;
    m->rx = rx;
    m->size = size;
    m->dual_view = 1;
    return 0;
}

int arch_jit_dual_map(arch_jit_dual_t *m, size_t size)
{
    memset(m, 0, sizeof(*m));
    size = whole_pages(size);
    /* memfd may be refused (old kernels, seccomp, vm.memfd_noexec): one switched mapping then. */
    if (map_two_views(m, size) == 0)
        return 0;
    return arch_jit__dual_map_single(m, size);
}

int arch_jit_dual_begin_write(arch_jit_dual_t *m)
{
    if (m->dual_view)
        return 0;
    return mprotect(m->rw, m->size, PROT_READ | PROT_WRITE) == 0 ? 0 : -errno;
}

int arch_jit_dual_end_write(arch_jit_dual_t *m, size_t used)
{
    if (!m->dual_view && mprotect(m->rw, m->size, PROT_READ | PROT_EXEC) != 0)
        return -errno;
    __builtin___clear_cache((char *)(uintptr_t)m->rx, (char *)(uintptr_t)m->rx + used);
    return 0;
}

void arch_jit_dual_unmap(arch_jit_dual_t *m)
{
    if (m->rw != NULL)
        munmap(m->rw, m->size);
    if (m->dual_view && m->rx != NULL)
        munmap((void *)(uintptr_t)m->rx, m->size);
    memset(m, 0, sizeof(*m));
}
