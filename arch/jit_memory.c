#include "config.h"
#include "arch/jit_memory.h"

#include <errno.h>
#include <sys/mman.h>

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
