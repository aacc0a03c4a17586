/*
 * The CryptonightR program generator.
 *
 * The generator models an abstract CPU (3 ALUs, one of which multiplies;
 * latencies MUL 3, ADD 2, SUB 1, rotations 2, XOR 1) and draws random
 * instructions until every variable register reaches a latency of 45 cycles,
 * rejecting draws that a compiler could simplify away. It then pads with
 * ROR/MUL/MUL until a theoretical ASIC (every op 1 cycle but MUL) needs 45
 * cycles too. The random bytes are BLAKE-256 of a 32-byte seed holding the
 * height. Every rule and every draw is consensus: a different choice in any
 * of them gives a different program and wrong hashes.
 */
#include "pow/cn/cn_r.h"

#include <stdbool.h>
#include <string.h>

#include "pow/prim/blake256.h"

#define TARGET_LATENCY    45 /* 15 multiplications */
#define ALU_COUNT         3
#define RETRIES_MAX       64
#define DRAWS_MAX         256
#define REGISTER_IDLE_MAX 7
#define SOURCE_R8         8

static const int cpu_latency[6] = {3, 2, 1, 2, 2, 1};
static const int asic_latency_of[6] = {3, 1, 1, 1, 1, 1};
static const int alus_for[6] = {1, ALU_COUNT, ALU_COUNT, ALU_COUNT, ALU_COUNT, ALU_COUNT};

/* The random byte stream: BLAKE-256 applied to itself, 32 bytes at a time. */
typedef struct {
    uint8_t data[32];
    unsigned used;
} byte_stream_t;

static void stream_need(byte_stream_t *s, unsigned n)
{
    if (s->used + n > sizeof(s->data)) {
        pow_blake256(s->data, sizeof(s->data), s->data);
        s->used = 0;
    }
}

static uint8_t stream_byte(byte_stream_t *s)
{
    stream_need(s, 1);
    return s->data[s->used++];
}

static uint32_t stream_u32(byte_stream_t *s)
{
    stream_need(s, 4);
    const uint8_t *p = &s->data[s->used];
    s->used += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_rotation(int op)
{
    return op == CN_R_ROR || op == CN_R_ROL;
}

/* The ALU that can start op at cycle start, or -1; higher ALUs are tried first. */
static int free_alu(bool alu_busy[][ALU_COUNT], int start, int op, int rotations)
{
    for (int i = alus_for[op] - 1; i >= 0; i--) {
        if (alu_busy[start][i])
            continue;
        /* ADD is two dependent 1-cycle ops: it needs the next cycle too. */
        if (op == CN_R_ADD && alu_busy[start + 1][i])
            continue;
        /* A rotation waits for the previous rotation to finish. */
        if (is_rotation(op) && start < rotations * cpu_latency[op])
            continue;
        return i;
    }
    return -1;
}

/* One attempt at a program; returns whether r8 was read by it. */
static bool generate_once(cn_r_program_t *p, byte_stream_t *s)
{
    int latency[9] = {0};
    int asic[9] = {0};
    /*
     * Per register: bits 0-7 identify its current value, bits 8-15 the op
     * that produced it, bits 16-23 the value of that op's source. r4-r8 are
     * loop constants and look alike, because twice the same op on two
     * constants can be merged into one.
     */
    uint32_t provenance[9] = {0, 1, 2, 3, 0xFFFFFF, 0xFFFFFF, 0xFFFFFF, 0xFFFFFF, 0xFFFFFF};
    bool alu_busy[TARGET_LATENCY + 1][ALU_COUNT];
    bool rotated[4] = {false, false, false, false};
    int rotations = 0, retries = 0, draws = 0;
    bool r8_used = false;
    unsigned n = 0;
    memset(alu_busy, 0, sizeof(alu_busy));

    while ((latency[0] < TARGET_LATENCY || latency[1] < TARGET_LATENCY ||
            latency[2] < TARGET_LATENCY || latency[3] < TARGET_LATENCY) &&
           retries < RETRIES_MAX) {
        if (++draws > DRAWS_MAX)
            break;
        uint8_t c = stream_byte(s);
        int op = c & 7;
        if (op == 5)
            op = stream_byte(s) < 0x80 ? CN_R_ROR : CN_R_ROL;
        else if (op >= 6)
            op = CN_R_XOR;
        else
            op = op <= 2 ? CN_R_MUL : op - 2;
        int dst = (c >> 3) & 3;
        int src = (c >> 5) & 7;
        /* x - x, x ^ x and x + x are not worth an instruction: read r8 instead. */
        if ((op == CN_R_ADD || op == CN_R_SUB || op == CN_R_XOR) && src == dst)
            src = SOURCE_R8;
        /* Two rotations in a row of one register are one rotation. */
        if (is_rotation(op) && rotated[dst])
            continue;
        /* The same op with the same source value twice can be merged (MUL excepted). */
        if (op != CN_R_MUL &&
            (provenance[dst] & 0xFFFF00) == ((uint32_t)op << 8) + ((provenance[src] & 255) << 16))
            continue;

        /* The first cycle at which an ALU that can run op is free. */
        int start = latency[dst] > latency[src] ? latency[dst] : latency[src];
        int alu = -1;
        while (start < TARGET_LATENCY) {
            alu = free_alu(alu_busy, start, op, rotations);
            if (alu >= 0)
                break;
            start++;
        }
        /* Never leave a register untouched for more than 7 cycles. */
        if (start > latency[dst] + REGISTER_IDLE_MAX)
            continue;
        int end = start + cpu_latency[op];
        if (end > TARGET_LATENCY) {
            retries++;
            continue;
        }
        if (is_rotation(op))
            rotations++;
        alu_busy[start][alu] = true;
        latency[dst] = end;
        asic[dst] = (asic[dst] > asic[src] ? asic[dst] : asic[src]) + asic_latency_of[op];
        rotated[dst] = is_rotation(op);
        provenance[dst] = n + ((uint32_t)op << 8) + ((provenance[src] & 255) << 16);
        p->code[n] = (cn_r_instruction_t){(uint8_t)op, (uint8_t)dst, (uint8_t)src, 0};
        if (src == SOURCE_R8)
            r8_used = true;
        if (op == CN_R_ADD) {
            alu_busy[start + 1][alu] = true;
            p->code[n].c = stream_u32(s);
        }
        if (++n >= CN_R_MIN_INSTRUCTIONS)
            break;
    }

    /* Pad until the ASIC model, too, needs the target latency on some register. */
    static const uint8_t padding[3] = {CN_R_ROR, CN_R_MUL, CN_R_MUL};
    unsigned first_pad = n;
    while (n < CN_R_MAX_INSTRUCTIONS && asic[0] < TARGET_LATENCY && asic[1] < TARGET_LATENCY &&
           asic[2] < TARGET_LATENCY && asic[3] < TARGET_LATENCY) {
        int lo = 0, hi = 0;
        for (int i = 1; i < 4; i++) {
            if (asic[i] < asic[lo])
                lo = i;
            if (asic[i] > asic[hi])
                hi = i;
        }
        uint8_t op = padding[(n - first_pad) % 3];
        latency[lo] = latency[hi] + cpu_latency[op];
        asic[lo] = asic[hi] + asic_latency_of[op];
        p->code[n++] = (cn_r_instruction_t){op, (uint8_t)lo, (uint8_t)hi, 0};
    }
    p->size = n;
    return r8_used;
}

void pow_cn_r_generate(cn_r_program_t *program, uint64_t height)
{
    byte_stream_t s;
    memset(&s, 0, sizeof(s));
    for (unsigned i = 0; i < 8; i++)
        s.data[i] = (uint8_t)(height >> (8 * i));
    s.data[20] = 0xDA;       /* CryptonightR's seed tag. */
    s.used = sizeof(s.data); /* Hash before the first draw. */

    bool r8_used;
    do {
        r8_used = generate_once(program, &s);
    } while (!r8_used || program->size < CN_R_MIN_INSTRUCTIONS ||
             program->size > CN_R_MAX_INSTRUCTIONS);
    program->code[program->size] = (cn_r_instruction_t){CN_R_RET, 0, 0, 0};
    program->height = height;
}
