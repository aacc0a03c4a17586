/*
 * The VM JIT (pow/rx/vm_jit_x86_64.c, vm_jit_aarch64.c) against the interpreter (pow/rx/vm.c):
 * random programs from random bytes, with random registers, scratchpads
 * and rounding modes, run through pow_rx_vm_execute and through the
 * compiled code, must leave the same register file, ma, mx, fprc and
 * scratchpad, for rx/0, rx/2, rx/wow and rx/arq, in light mode (a cheap fake dataset_read)
 * and in fast mode (a fake dataset: one random megabyte mapped over the
 * whole 2080 MiB range). Hand-built programs then cover every CFROUND mode
 * and every pattern of taken CBRANCHes.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

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

static int zero_items; /* hand-built programs: items leave the registers as they are */

/* The fake light-mode dataset: item words from a splitmix of the item number. */
static void fake_dataset_read(void *source, uint64_t item_number, uint64_t out[8])
{
    (*(unsigned *)source)++;
    uint64_t state = item_number * 8;
    for (int i = 0; i < 8; i++)
        out[i] = zero_items ? 0 : splitmix64(&state);
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
    vm->fe_mix_v2 =
        pow_rx_fe_mix_portable; /* the JIT mixes with hardware AES: check it against soft AES */
    return vm;
}

static void setup(void)
{
    zero_items = 0;
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

/*
 * Programs both VMs, gives them the same registers r and fprc (random when
 * r is NULL), runs both, compares.
 */
static void run_and_compare(const char *what, const uint64_t *r, unsigned fprc)
{
    pow_rx_vm_program(interp, program);
    pow_rx_vm_program(compiled, program);
    for (int i = 0; i < 8; i++)
        interp->reg.r[i] = compiled->reg.r[i] = r != NULL ? r[i] : splitmix64(&rng);
    interp->fprc = compiled->fprc = r != NULL ? fprc : (unsigned)(splitmix64(&rng) & 3);
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
        run_and_compare(what, NULL, 0);
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

/* RandomWOW's other opcode map (no IROL_R) and smaller scratchpad; RandomARQ's smaller one. */
Test(rx_vm_jit, matches_interpreter_on_500_random_rxwow_and_rxarq_programs_each_in_light_mode)
{
    skip_without_jit();
    random_programs("rx/wow", 500);
    random_programs("rx/arq", 500);
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
    const char *names[4] = {"rx/0", "rx/2", "rx/wow", "rx/arq"};
    for (int n = 0; n < 200; n++) {
        const char *name = names[n % 4];
        const pow_rx_variant_t *v = pow_rx_variant_find(name);
        use_variant(name, n < 8 ? v->program_iterations : FEW_ITERATIONS);
        randomize();
        char what[64];
        snprintf(what, sizeof(what), "fast %s program %d", name, n);
        run_and_compare(what, NULL, 0);
    }
    cr_expect_eq(reads_interp + reads_compiled, 0u, "fast mode never calls dataset_read");
    munmap(dataset, chunks * FAKE_CHUNK);
}

/* --- Hand-built programs: zero configuration but random a registers, zero scratchpad. --- */

static uint8_t opcode_of(rx_instruction_kind_t kind)
{
    unsigned ceil = 0;
    for (unsigned k = 0; k <= (unsigned)kind; k++)
        ceil += variant.frequency[k];
    return (uint8_t)(ceil - 1);
}

static void put(unsigned at, rx_instruction_kind_t kind, unsigned dst, unsigned src, unsigned mod,
                uint32_t imm32)
{
    uint8_t *b = program + CONFIG_SIZE + 8 * at;
    b[0] = opcode_of(kind);
    b[1] = (uint8_t)dst;
    b[2] = (uint8_t)src;
    b[3] = (uint8_t)mod;
    memcpy(b + 4, &imm32, 4);
}

/* A zero scratchpad, a zero configuration but for random a registers, and NOPs only. */
static void start_hand_built(const char *name)
{
    use_variant(name, 1);
    memset(program, 0, sizeof(program));
    for (size_t i = 0; i < 64; i++)
        program[i] = (uint8_t)splitmix64(&rng);
    for (unsigned i = 0; i < variant.program_size; i++)
        put(i, RX_ISWAP_R, 7, 7, 0, 0);
    memset(interp->scratchpad, 0, variant.scratchpad_l3);
    memset(compiled->scratchpad, 0, variant.scratchpad_l3);
    zero_items = 1;
}

Test(rx_vm_jit, cfround_sets_every_mode_and_v2_skips_as_the_interpreter_does)
{
    skip_without_jit();
    const char *names[2] = {"rx/0", "rx/2"};
    for (int n = 0; n < 2; n++) {
        uint64_t e_of_mode[4];
        for (unsigned mode = 0; mode < 4; mode++) {
            for (unsigned blocked = 0; blocked < 2; blocked++) {
                start_hand_built(names[n]);
                /* CFROUND r1 rotated by 64 + 0: t = r1; then rounding-sensitive operations. */
                put(0, RX_CFROUND, 0, 1, 0, 64);
                put(1, RX_FMUL_R, 0, 1, 0, 0);
                put(2, RX_FDIV_M, 1, 2, 1, 8);
                put(3, RX_FSQRT_R, 2, 0, 0, 0);
                put(4, RX_FADD_R, 0, 2, 0, 0);
                put(5, RX_FMUL_R, 0, 3, 0, 0);
                uint64_t r[8] = {0, mode | (blocked ? 4u << mode : 0u), 0x123456789ull, 0, 0, 0, 0,
                                 0};
                unsigned before = (mode + 1) & 3;
                char what[64];
                snprintf(what, sizeof(what), "%s mode %u%s", names[n], mode,
                         blocked ? " with bits 2-5 set" : "");
                run_and_compare(what, r, before);
                unsigned want = blocked && variant.v2 ? before : mode;
                cr_expect_eq(compiled->fprc, want, "%s: fprc %u", what, compiled->fprc);
                if (!blocked)
                    e_of_mode[mode] = compiled->reg.e[0].u[0];
            }
        }
        cr_expect(e_of_mode[0] != e_of_mode[1] || e_of_mode[0] != e_of_mode[2] ||
                      e_of_mode[0] != e_of_mode[3],
                  "%s: the rounding mode changed no result", names[n]);
    }
}

/*
 * Three branches, each taken on its first execution or not (all eight
 * patterns): one back to the start (no writer yet), one after the previous
 * branch (which counts as writing every register), one onto itself (its
 * register's last writer is just before it). r7, r6 and r5 count passes.
 */
Test(rx_vm_jit, cbranch_every_taken_pattern_matches_the_interpreter)
{
    skip_without_jit();
    const char *names[2] = {"rx/0", "rx/2"};
    for (int n = 0; n < 2; n++) {
        for (unsigned pattern = 0; pattern < 8; pattern++) {
            start_hand_built(names[n]);
            put(0, RX_ISUB_R, 7, 7, 0, 0xFFFFFFFFu); /* r7 += 1 */
            put(1, RX_CBRANCH, 1, 0, 0, 0);          /* r1 += 0x100, taken if bits 8-15 clear */
            put(2, RX_ISUB_R, 6, 6, 0, 0xFFFFFFFFu);
            put(3, RX_CBRANCH, 2, 0, 0, 0);
            put(4, RX_ISUB_R, 5, 5, 0, 0xFFFFFFFFu);
            put(5, RX_IXOR_R, 3, 3, 0, 0); /* writes r3, changes nothing */
            put(6, RX_CBRANCH, 3, 0, 0, 0);
            uint64_t r[8] = {0};
            for (unsigned k = 0; k < 3; k++)
                r[1 + k] = (pattern >> k) & 1 ? 0xFF00u : 0u; /* 0xFF00 + 0x100 clears bits 8-15 */
            char what[64];
            snprintf(what, sizeof(what), "%s pattern %u", names[n], pattern);
            run_and_compare(what, r, 0);
            unsigned b0 = pattern & 1, b1 = (pattern >> 1) & 1, b2 = (pattern >> 2) & 1;
            cr_expect_eq(compiled->reg.r[7], 1 + b0, "%s: passes at 0", what);
            cr_expect_eq(compiled->reg.r[6], 1 + b1, "%s: passes at 2", what);
            cr_expect_eq(compiled->reg.r[5], 1u, "%s: passes at 4", what);
            cr_expect_eq(compiled->reg.r[3], (b2 ? 0xFF00u + 0x200u : 0x100u), "%s: r3", what);
        }
    }
}

/*
 * More IMUL_RCPs than the x86-64 JIT keeps reciprocals for in its frame
 * (32): the later ones multiply by an immediate. Zero and powers of two,
 * which are NOPs, take no slot.
 */
Test(rx_vm_jit, forty_imul_rcps_with_nops_among_them_match_the_interpreter)
{
    skip_without_jit();
    const char *names[2] = {"rx/0", "rx/2"};
    for (int n = 0; n < 2; n++) {
        start_hand_built(names[n]);
        for (unsigned i = 0; i < 44; i++) {
            uint32_t imm = i % 11 == 5 ? 1u << (i % 32) : i % 11 == 7 ? 0u : 0x9E3779B1u * (i + 1);
            put(i, RX_IMUL_RCP, i % 8, 0, 0, imm);
        }
        uint64_t r[8];
        for (int i = 0; i < 8; i++)
            r[i] = splitmix64(&rng) | 1;
        char what[64];
        snprintf(what, sizeof(what), "%s: 44 IMUL_RCPs", names[n]);
        run_and_compare(what, r, 0);
    }
}

/*
 * The floating-point control register: the AArch64 FPCR (rounding in bits
 * 22-23, flush-to-zero and default-NaN bits beside it) or the x86-64 MXCSR
 * (rounding in bits 13-14, flush-to-zero in bit 15, exception flags in
 * bits 0-5, which a program may raise).
 */
#if defined(__aarch64__)
static uint64_t get_control(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpcr" : "=r"(v));
    return v;
}

static void set_control(uint64_t v)
{
    __asm__ volatile("msr fpcr, %0" : : "r"(v));
}

#define CONTROL_TOWARD_ZERO (3ull << 22)
#define CONTROL_OTHER_BITS  (1ull << 24 | 1ull << 25)
#define CONTROL_FLAGS       0ull
#elif defined(__x86_64__)
static uint64_t get_control(void)
{
    return _mm_getcsr();
}

static void set_control(uint64_t v)
{
    _mm_setcsr((unsigned)v);
}

#define CONTROL_TOWARD_ZERO (3ull << 13)
#define CONTROL_OTHER_BITS  (1ull << 15)
#define CONTROL_FLAGS       0x3Full
#endif

/* Only the rounding field of the floating-point control is the program's. */
Test(rx_vm_jit, execute_changes_only_the_rounding_field_of_the_fp_control)
{
    skip_without_jit();
#if defined(__aarch64__) || defined(__x86_64__)
    start_hand_built("rx/0");
    put(0, RX_CFROUND, 0, 1, 0, 0);
    uint64_t r[8] = {0, 3, 0, 0, 0, 0, 0, 0}; /* round toward zero */
    pow_rx_vm_program(compiled, program);
    memcpy(compiled->reg.r, r, sizeof(r));
    compiled->fprc = 1;
    cr_assert_eq(pow_rx_vm_jit_compile(&jit, compiled, program), 0);
    const uint64_t rounding = CONTROL_TOWARD_ZERO, ignored = rounding | CONTROL_FLAGS;
    uint64_t before = get_control();
    set_control(before | CONTROL_OTHER_BITS);
    pow_rx_vm_jit_execute(&jit, compiled);
    uint64_t after = get_control();
    set_control(before);
    cr_expect_eq(compiled->fprc, 3u);
    cr_expect_eq(after & rounding, CONTROL_TOWARD_ZERO, "left in the program's last mode");
    cr_expect_eq(after & ~ignored, (before | CONTROL_OTHER_BITS) & ~ignored,
                 "the caller's other control bits are kept: %llx, was %llx",
                 (unsigned long long)after, (unsigned long long)before);
#endif
}

Test(rx_vm_jit, compile_refuses_programs_longer_than_the_maximum)
{
    skip_without_jit();
    use_variant("rx/2", 1);
    variant.program_size = RX_PROGRAM_MAX_SIZE + 1;
    jit.fn = (pow_rx_vm_jit_fn)1;
    cr_expect_eq(pow_rx_vm_jit_compile(&jit, compiled, program), -EINVAL);
    cr_expect_null((void *)(uintptr_t)jit.fn);
}
