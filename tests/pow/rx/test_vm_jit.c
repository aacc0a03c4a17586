/*
 * The VM JIT (pow/rx/vm_jit_x86_64.c) against the interpreter (pow/rx/vm.c):
 * random programs from random bytes, with random registers, scratchpads
 * and rounding modes, run through pow_rx_vm_execute and through the
 * compiled code, must leave the same register file, ma, mx, fprc and
 * scratchpad, for rx/0 and rx/2, in light mode (a cheap fake dataset_read)
 * and in fast mode (a fake dataset: one random megabyte mapped over the
 * whole 2080 MiB range). Hand-built programs then cover every CFROUND mode
 * and every pattern of taken CBRANCHes.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pow/rx/variant.h"
#include "pow/rx/vm.h"
#include "pow/rx/vm_jit.h"

#define CONFIG_SIZE    128
#define PROGRAM_BYTES  (CONFIG_SIZE + 8 * RX_PROGRAM_MAX_SIZE)
#define FAKE_CHUNK     ((size_t)1 << 20)
#define FAKE_DATASET   ((size_t)RX_DATASET_BASE_SIZE + RX_DATASET_EXTRA_SIZE)
#define FEW_ITERATIONS 64
#define REAL_EVERY     50 /* one program in REAL_EVERY runs the variant's full iteration count */

static pow_rx_variant_t variant;
static rx_vm_t *interp, *compiled;
static pow_rx_vm_jit_t jit;
static uint8_t program[PROGRAM_BYTES];
static uint64_t rng = 0x6a09e667f3bcc908ull;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The fake light-mode dataset: item words from a splitmix of the item number. */
static void fake_dataset_read(void *source, uint64_t item_number, uint64_t out[8])
{
    (*(unsigned *)source)++;
    uint64_t state = item_number * 8;
    for (int i = 0; i < 8; i++)
        out[i] = splitmix64(&state);
}

static unsigned reads_interp, reads_compiled;

static rx_vm_t *new_vm(unsigned *reads)
{
    rx_vm_t *vm = calloc(1, sizeof(*vm));
    cr_assert_not_null(vm);
    vm->scratchpad = aligned_alloc(64, 2097152);
    cr_assert_not_null(vm->scratchpad);
    vm->dataset_read = fake_dataset_read;
    vm->dataset_source = reads;
    vm->fe_mix_v2 = pow_rx_fe_mix_aesni;
    return vm;
}

static void setup(void)
{
    if (!pow_rx_vm_jit_supported())
        return;
    interp = new_vm(&reads_interp);
    compiled = new_vm(&reads_compiled);
    cr_assert_eq(pow_rx_vm_jit_init(&jit), 0);
}

static void teardown(void)
{
    fesetround(FE_TONEAREST);
    pow_rx_vm_jit_release(&jit);
    rx_vm_t *vms[2] = {interp, compiled};
    for (int i = 0; i < 2; i++) {
        if (vms[i] != NULL)
            free(vms[i]->scratchpad);
        free(vms[i]);
    }
    interp = compiled = NULL;
}

TestSuite(rx_vm_jit, .init = setup, .fini = teardown, .timeout = 120);

static void skip_without_jit(void)
{
    if (!pow_rx_vm_jit_supported())
        cr_skip_test("no VM JIT on this machine");
}

static void use_variant(const char *name, uint32_t iterations)
{
    const pow_rx_variant_t *v = pow_rx_variant_find(name);
    cr_assert_not_null(v);
    variant = *v;
    variant.program_iterations = iterations;
    interp->variant = compiled->variant = &variant;
    pow_rx_vm_setup(interp);
    pow_rx_vm_setup(compiled);
}

/* Random configuration and instructions, registers, scratchpad and starting rounding mode. */
static void randomize(void)
{
    for (size_t i = 0; i < PROGRAM_BYTES; i++)
        program[i] = (uint8_t)splitmix64(&rng);
    uint64_t *words = (uint64_t *)(void *)interp->scratchpad;
    for (size_t i = 0; i < variant.scratchpad_l3 / 8; i++)
        words[i] = splitmix64(&rng);
    memcpy(compiled->scratchpad, interp->scratchpad, variant.scratchpad_l3);
}

/* Programs both VMs, gives them the same random registers and fprc, runs both, compares. */
static void run_and_compare(const char *what, int random_registers)
{
    pow_rx_vm_program(interp, program);
    pow_rx_vm_program(compiled, program);
    if (random_registers) {
        for (int i = 0; i < 8; i++)
            interp->reg.r[i] = compiled->reg.r[i] = splitmix64(&rng);
        interp->fprc = compiled->fprc = (unsigned)(splitmix64(&rng) & 3);
    }
    reads_interp = reads_compiled = 0;

    pow_rx_set_rounding(interp->fprc);
    pow_rx_vm_execute(interp);
    fesetround(FE_TONEAREST);
    cr_assert_eq(pow_rx_vm_jit_compile(&jit, compiled, program), 0, "%s: compile", what);
    pow_rx_vm_jit_execute(&jit, compiled);
    fesetround(FE_TONEAREST);

    for (int i = 0; i < 8; i++)
        cr_assert_eq(compiled->reg.r[i], interp->reg.r[i], "%s: r%d %016llx, want %016llx", what, i,
                     (unsigned long long)compiled->reg.r[i], (unsigned long long)interp->reg.r[i]);
    cr_assert_arr_eq(&compiled->reg, &interp->reg, sizeof(interp->reg), "%s: f/e/a registers",
                     what);
    cr_assert_eq(compiled->ma, interp->ma, "%s: ma", what);
    cr_assert_eq(compiled->mx, interp->mx, "%s: mx", what);
    cr_assert_eq(compiled->fprc, interp->fprc, "%s: fprc %u, want %u", what, compiled->fprc,
                 interp->fprc);
    cr_assert_eq(reads_compiled, reads_interp, "%s: dataset reads", what);
    cr_assert(memcmp(compiled->scratchpad, interp->scratchpad, variant.scratchpad_l3) == 0,
              "%s: scratchpad", what);
}

static void random_programs(const char *name, int count)
{
    unsigned fprc_seen = 0;
    for (int n = 0; n < count; n++) {
        const pow_rx_variant_t *v = pow_rx_variant_find(name);
        use_variant(name, n % REAL_EVERY == 0 ? v->program_iterations : FEW_ITERATIONS);
        randomize();
        char what[64];
        snprintf(what, sizeof(what), "%s program %d", name, n);
        run_and_compare(what, 1);
        fprc_seen |= 1u << interp->fprc;
    }
    /* One CFROUND per 256 opcodes: over hundreds of programs every mode ends some. */
    cr_expect_eq(fprc_seen, 0xFu, "%s: final rounding modes seen %x", name, fprc_seen);
}

Test(rx_vm_jit, matches_interpreter_on_1000_random_rx0_programs_in_light_mode)
{
    skip_without_jit();
    random_programs("rx/0", 1000);
    cr_expect_gt(reads_interp, 0u, "the fake dataset was read");
}

Test(rx_vm_jit, matches_interpreter_on_1000_random_rx2_programs_in_light_mode)
{
    skip_without_jit();
    random_programs("rx/2", 1000);
}

/* A fast-mode dataset of the real size whose pages repeat one random megabyte. */
static uint8_t *map_fake_dataset(void)
{
    int fd = memfd_create("fake-dataset", MFD_CLOEXEC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)FAKE_CHUNK), 0);
    uint8_t *chunk = mmap(NULL, FAKE_CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    cr_assert_neq(chunk, MAP_FAILED);
    for (size_t i = 0; i < FAKE_CHUNK; i++)
        chunk[i] = (uint8_t)splitmix64(&rng);
    munmap(chunk, FAKE_CHUNK);
    size_t chunks = (FAKE_DATASET + FAKE_CHUNK - 1) / FAKE_CHUNK;
    uint8_t *base = mmap(NULL, chunks * FAKE_CHUNK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(base, MAP_FAILED);
    for (size_t c = 0; c < chunks; c++) {
        void *p = mmap(base + c * FAKE_CHUNK, FAKE_CHUNK, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
        cr_assert_eq(p, (void *)(base + c * FAKE_CHUNK));
    }
    close(fd);
    return base;
}

Test(rx_vm_jit, matches_interpreter_on_random_programs_in_fast_mode)
{
    skip_without_jit();
    uint8_t *dataset = map_fake_dataset();
    const size_t chunks = (FAKE_DATASET + FAKE_CHUNK - 1) / FAKE_CHUNK;
    interp->dataset = compiled->dataset = dataset;
    const char *names[2] = {"rx/0", "rx/2"};
    for (int n = 0; n < 200; n++) {
        const char *name = names[n % 2];
        const pow_rx_variant_t *v = pow_rx_variant_find(name);
        use_variant(name, n < 4 ? v->program_iterations : FEW_ITERATIONS);
        randomize();
        char what[64];
        snprintf(what, sizeof(what), "fast %s program %d", name, n);
        run_and_compare(what, 1);
    }
    cr_expect_eq(reads_interp + reads_compiled, 0u, "fast mode never calls dataset_read");
    munmap(dataset, chunks * FAKE_CHUNK);
}
