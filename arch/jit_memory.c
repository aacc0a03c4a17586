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

/* Writes a function returning value at code: the machine code of this architecture. */
static int write_return(uint8_t *code, uint32_t value)
{
#if defined(__x86_64__)
    code[0] = 0xB8; /* mov eax, imm32 */
    memcpy(code + 1, &value, 4);
    code[5] = 0xC3; /* ret */
    return 6;
#elif defined(__aarch64__)
    uint32_t words[2] = {0x52800000u | (value & 0xFFFF) << 5, 0xD65F03C0u}; /* movz w0; ret */
    memcpy(code, words, sizeof(words));
    return 8;
#else
    (void)code;
    (void)value;
    return 0;
#endif
}

/*
 * Whether code rewritten through m's rw view is what its rx view runs:
 * writes a function, runs it, rewrites it, runs it again. Every CPU
 * passes (the instruction cache is flushed by address after each write);
 * qemu-user does not, as it translates code once per address and only
 * notices writes through the mapping that holds it. Architectures without
 * a probe here are taken to pass.
 */
static int views_run_rewritten_code(arch_jit_dual_t *m)
{
    uint32_t got[2] = {1, 2};
    for (uint32_t value = 1; value <= 2; value++) {
        int used = write_return(m->rw, value);
        if (used == 0)
            return 1;
        __builtin___clear_cache((char *)(uintptr_t)m->rx, (char *)(uintptr_t)m->rx + used);
        uint32_t (*fn)(void) = (uint32_t(*)(void))(uintptr_t)m->rx;
        got[value - 1] = fn();
    }
    return got[0] == 1 && got[1] == 2;
}

static _Atomic int views_checked, views_coherent;

int arch_jit__dual_views_run_rewrites(void)
{
    if (!views_checked) {
        arch_jit_dual_t m;
        memset(&m, 0, sizeof(m));
        int coherent = 1;
        if (map_two_views(&m, whole_pages(1)) == 0) {
            coherent = views_run_rewritten_code(&m);
            arch_jit_dual_unmap(&m);
        }
        views_coherent = coherent;
        views_checked = 1;
    }
    return views_coherent;
}

int arch_jit_dual_map(arch_jit_dual_t *m, size_t size)
{
    memset(m, 0, sizeof(*m));
    size = whole_pages(size);
    /*
     * memfd may be refused (old kernels, seccomp, vm.memfd_noexec), and an
     * emulator may run stale code through the second view: one switched
     * mapping then.
     */
    if (arch_jit__dual_views_run_rewrites() && map_two_views(m, size) == 0)
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
