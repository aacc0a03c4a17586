/*
 * SuperscalarHash generation and execution.
 *
 * The generator walks decode cycles of the simulated core. Each cycle
 * picks a 16-byte decoder layout (3 or 4 slots), fills each slot with one
 * macro-op, starting a new instruction whenever the previous one has
 * issued all of its macro-ops, places every macro-op on the earliest free
 * port, and picks registers whose values are ready by then. Where the
 * specification's prose is silent (the order of random draws, what a
 * thrown-away instruction leaves behind), the reference code is what the
 * published programs were made with, and this file follows it.
 */
#include "pow/rx/superscalar.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "pow/rx/reciprocal.h"

/* ---- The simulated core ---------------------------------------------- */

/* Execution ports as bits of a micro-op's "may run on" mask. */
enum { PORT_P0 = 1, PORT_P1 = 2, PORT_P5 = 4 };
#define PORT_P01  (PORT_P0 | PORT_P1)
#define PORT_P05  (PORT_P0 | PORT_P5)
#define PORT_P015 (PORT_P0 | PORT_P1 | PORT_P5)

/*
 * Ports are tried P5 first, then P0, then P1, so that micro-ops that may
 * run anywhere leave P1, the only multiplier, free for as long as possible.
 */
static const uint8_t port_try_order[3] = {PORT_P5, PORT_P0, PORT_P1};

/* A macro-op: up to two micro-ops that must issue in the same cycle. */
typedef struct {
    uint8_t latency;
    uint8_t uop[2];  /* port masks; uop[0] == 0: eliminated (mov r,r), uop[1] == 0: one uop */
    bool waits_prev; /* cannot start before the previous macro-op's result */
} macro_op_t;

static const macro_op_t op_alu_rr = {1, {PORT_P015, 0}, false};     /* sub r,r / xor r,r */
static const macro_op_t op_lea_sib = {1, {PORT_P01, 0}, false};     /* lea r,[r+r*s] */
static const macro_op_t op_imul_rr = {3, {PORT_P1, 0}, false};      /* imul r,r */
static const macro_op_t op_ror_ri = {1, {PORT_P05, 0}, false};      /* ror r,i */
static const macro_op_t op_alu_ri = {1, {PORT_P015, 0}, false};     /* add r,i / xor r,i */
static const macro_op_t op_mov_rr = {0, {0, 0}, false};             /* mov r,r */
static const macro_op_t op_mul_r = {4, {PORT_P1, PORT_P5}, false};  /* mul r */
static const macro_op_t op_imul_r = {4, {PORT_P1, PORT_P5}, false}; /* imul r */
static const macro_op_t op_mov_ri64 = {1, {PORT_P015, 0}, false};   /* mov r,imm64 */
static const macro_op_t op_imul_rcp = {3, {PORT_P1, 0}, true};      /* imul r,r after mov r,imm64 */

/*
 * An instruction type as the core sees it: its macro-ops, and which of
 * them picks the source, picks the destination and writes the result.
 */
typedef struct {
    uint8_t op_count;
    int8_t src_op; /* -1: no source register */
    int8_t dst_op;
    int8_t result_op;
    uint8_t group; /* instructions of one group must not repeat on a register */
    const macro_op_t *ops[3];
} shape_t;

static const shape_t shapes[POW_RX_SS_INSTRUCTION_TYPES] = {
    /* ISUB_R shares IADD_RS's group: r -= s after r += s cancels. */
    [POW_RX_SS_ISUB_R] = {1, 0, 0, 0, POW_RX_SS_IADD_RS, {&op_alu_rr}},
    [POW_RX_SS_IXOR_R] = {1, 0, 0, 0, POW_RX_SS_IXOR_R, {&op_alu_rr}},
    [POW_RX_SS_IADD_RS] = {1, 0, 0, 0, POW_RX_SS_IADD_RS, {&op_lea_sib}},
    [POW_RX_SS_IMUL_R] = {1, 0, 0, 0, POW_RX_SS_IMUL_R, {&op_imul_rr}},
    [POW_RX_SS_IROR_C] = {1, -1, 0, 0, POW_RX_SS_IROR_C, {&op_ror_ri}},
    [POW_RX_SS_IADD_C7] = {1, -1, 0, 0, POW_RX_SS_IADD_C7, {&op_alu_ri}},
    [POW_RX_SS_IXOR_C7] = {1, -1, 0, 0, POW_RX_SS_IXOR_C7, {&op_alu_ri}},
    [POW_RX_SS_IADD_C8] = {1, -1, 0, 0, POW_RX_SS_IADD_C7, {&op_alu_ri}},
    [POW_RX_SS_IXOR_C8] = {1, -1, 0, 0, POW_RX_SS_IXOR_C7, {&op_alu_ri}},
    [POW_RX_SS_IADD_C9] = {1, -1, 0, 0, POW_RX_SS_IADD_C7, {&op_alu_ri}},
    [POW_RX_SS_IXOR_C9] = {1, -1, 0, 0, POW_RX_SS_IXOR_C7, {&op_alu_ri}},
    /* mov rax,dst; mul src; mov dst,rdx */
    [POW_RX_SS_IMULH_R] = {3, 1, 0, 1, POW_RX_SS_IMULH_R, {&op_mov_rr, &op_mul_r, &op_mov_rr}},
    [POW_RX_SS_ISMULH_R] = {3, 1, 0, 1, POW_RX_SS_ISMULH_R, {&op_mov_rr, &op_imul_r, &op_mov_rr}},
    /* mov rax,rcp; imul dst,rax */
    [POW_RX_SS_IMUL_RCP] = {2, -1, 1, 1, POW_RX_SS_IMUL_RCP, {&op_mov_ri64, &op_imul_rcp}},
};

/* What the generator holds before its first instruction: no macro-ops. */
static const shape_t no_shape = {0, -1, -1, -1, 0, {NULL}};

/* Decoder layouts: the slot sizes of one 16-byte decode cycle. */
enum { LAYOUT_484, LAYOUT_7333, LAYOUT_3733, LAYOUT_493, LAYOUT_4444, LAYOUT_3310 };

typedef struct {
    uint8_t slot_count;
    uint8_t slot[4];
} layout_t;

static const layout_t layouts[6] = {
    [LAYOUT_484] = {3, {4, 8, 4}},     [LAYOUT_7333] = {4, {7, 3, 3, 3}},
    [LAYOUT_3733] = {4, {3, 7, 3, 3}}, [LAYOUT_493] = {3, {4, 9, 3}},
    [LAYOUT_4444] = {4, {4, 4, 4, 4}}, [LAYOUT_3310] = {3, {3, 3, 10}},
};

/* Cycles the port map covers past the target latency. */
#define LOOK_AHEAD_CYCLES 4
/* How many cycles a register search may wait before giving up. */
#define REGISTER_WAIT_CYCLES 4
/* How many instructions in a row may be given up before a decode cycle is. */
#define MAX_GIVE_UPS 256
/* lea cannot take r5 (rbp/r13) as its base without a displacement. */
#define LEA_BAD_BASE 5

typedef struct {
    uint8_t busy[POW_RX_SUPERSCALAR_MAX_LATENCY + LOOK_AHEAD_CYCLES][3];
    int cycles; /* target latency + LOOK_AHEAD_CYCLES */
} port_map_t;

static int port_column(uint8_t port)
{
    return port == PORT_P0 ? 0 : port == PORT_P1 ? 1 : 2;
}

/* The first port of mask free in cycle c, in trial order, or 0. */
static uint8_t port_free_in(const port_map_t *m, uint8_t mask, int c)
{
    for (int i = 0; i < 3; i++) {
        uint8_t p = port_try_order[i];
        if ((mask & p) && !m->busy[c][port_column(p)])
            return p;
    }
    return 0;
}

static void port_take(port_map_t *m, uint8_t mask, int c)
{
    m->busy[c][port_column(port_free_in(m, mask, c))] = 1;
}

/*
 * The cycle in which op issues, at the earliest `from` (or `after` for an
 * op that waits for its predecessor), taking its ports when commit is set;
 * -1 when no cycle of the map has room.
 */
static int port_schedule(port_map_t *m, const macro_op_t *op, int from, int after, bool commit)
{
    if (op->waits_prev && after > from)
        from = after;
    if (op->uop[0] == 0)
        return from;
    for (int c = from; c < m->cycles; c++) {
        if (!port_free_in(m, op->uop[0], c))
            continue;
        if (op->uop[1] && !port_free_in(m, op->uop[1], c))
            continue;
        if (commit) {
            port_take(m, op->uop[0], c);
            if (op->uop[1])
                port_take(m, op->uop[1], c);
        }
        return c;
    }
    return -1;
}

/* ---- Instructions being built ------------------------------------------ */

typedef struct {
    int ready;        /* cycle in which the value is available */
    int last_group;   /* group of the last instruction that wrote it, or -1 */
    int64_t last_par; /* its source register, constant marker -1, or random tag */
} reg_state_t;

typedef struct {
    int type; /* POW_RX_SS_*, or -1 before the first instruction */
    const shape_t *shape;
    int src, dst; /* -1 until chosen */
    uint8_t mod;
    uint32_t imm32;
    int64_t par;     /* the group parameter compared with last_par */
    bool par_is_src; /* par becomes the chosen source */
    bool dst_may_be_src;
} draft_t;

static uint32_t draw_u32(pow_rx_blake_generator_t *gen)
{
    return pow_rx_blake_generator_u32(gen);
}

static uint8_t draw_byte(pow_rx_blake_generator_t *gen)
{
    return pow_rx_blake_generator_byte(gen);
}

/* Starts an instruction of the given type and draws its constants. */
static void draft_start(draft_t *d, int type, pow_rx_blake_generator_t *gen)
{
    d->type = type;
    d->shape = &shapes[type];
    d->src = d->dst = -1;
    d->mod = 0;
    d->imm32 = 0;
    d->par_is_src = false;
    d->dst_may_be_src = false;
    switch (type) {
    case POW_RX_SS_ISUB_R:
    case POW_RX_SS_IXOR_R:
    case POW_RX_SS_IMUL_R:
        d->par_is_src = true;
        break;
    case POW_RX_SS_IADD_RS:
        d->mod = draw_byte(gen);
        d->par_is_src = true;
        break;
    case POW_RX_SS_IROR_C:
        do
            d->imm32 = draw_byte(gen) & 63u;
        while (d->imm32 == 0);
        d->par = -1;
        break;
    case POW_RX_SS_IADD_C7:
    case POW_RX_SS_IADD_C8:
    case POW_RX_SS_IADD_C9:
    case POW_RX_SS_IXOR_C7:
    case POW_RX_SS_IXOR_C8:
    case POW_RX_SS_IXOR_C9:
        d->imm32 = draw_u32(gen);
        d->par = -1;
        break;
    case POW_RX_SS_IMULH_R:
    case POW_RX_SS_ISMULH_R:
        /* A random tag: the same high multiply may repeat on a register
           only with a different tag, which makes a repeat rare, not banned. */
        d->dst_may_be_src = true;
        d->par = draw_u32(gen);
        break;
    case POW_RX_SS_IMUL_RCP:
        /* Zero and powers of two have no useful reciprocal. */
        do
            d->imm32 = draw_u32(gen);
        while ((d->imm32 & (d->imm32 - 1)) == 0);
        d->par = -1;
        break;
    }
}

/* Picks the instruction whose first macro-op fills a slot of `size` bytes. */
static void draft_start_for_slot(draft_t *d, unsigned size, int layout, bool last_slot,
                                 pow_rx_blake_generator_t *gen)
{
    static const uint8_t three[2] = {POW_RX_SS_ISUB_R, POW_RX_SS_IXOR_R};
    static const uint8_t three_last[4] = {POW_RX_SS_ISUB_R, POW_RX_SS_IXOR_R, POW_RX_SS_IMULH_R,
                                          POW_RX_SS_ISMULH_R};
    static const uint8_t four[2] = {POW_RX_SS_IROR_C, POW_RX_SS_IADD_RS};
    int type;
    switch (size) {
    case 3:
        /* A 3-byte last slot may start a high multiply: the next layout
           (3-3-10) has room for the rest of it. */
        type = last_slot ? three_last[draw_byte(gen) & 3] : three[draw_byte(gen) & 1];
        break;
    case 4:
        if (layout == LAYOUT_4444 && !last_slot)
            type = POW_RX_SS_IMUL_R;
        else
            type = four[draw_byte(gen) & 1];
        break;
    case 7:
        type = (draw_byte(gen) & 1) ? POW_RX_SS_IADD_C7 : POW_RX_SS_IXOR_C7;
        break;
    case 8:
        type = (draw_byte(gen) & 1) ? POW_RX_SS_IADD_C8 : POW_RX_SS_IXOR_C8;
        break;
    case 9:
        type = (draw_byte(gen) & 1) ? POW_RX_SS_IADD_C9 : POW_RX_SS_IXOR_C9;
        break;
    default: /* 10 */
        type = POW_RX_SS_IMUL_RCP;
        break;
    }
    draft_start(d, type, gen);
}

/* One of the n candidates in list (n > 0); a draw only when there is a choice. */
static int pick(const int *list, unsigned n, pow_rx_blake_generator_t *gen)
{
    return n > 1 ? list[draw_u32(gen) % n] : list[0];
}

static bool draft_choose_src(draft_t *d, int cycle, const reg_state_t regs[8],
                             pow_rx_blake_generator_t *gen)
{
    int list[8];
    unsigned n = 0;
    for (int i = 0; i < 8; i++)
        if (regs[i].ready <= cycle)
            list[n++] = i;
    if (n == 0)
        return false;
    if (d->type == POW_RX_SS_IADD_RS && n == 2 &&
        (list[0] == LEA_BAD_BASE || list[1] == LEA_BAD_BASE)) {
        /* r5 cannot be the destination, so it must be the source, or
           the destination search would find only the source. */
        d->src = LEA_BAD_BASE;
        d->par = LEA_BAD_BASE;
        return true;
    }
    d->src = pick(list, n, gen);
    if (d->par_is_src)
        d->par = d->src;
    return true;
}

static bool draft_choose_dst(draft_t *d, int cycle, bool allow_mul_after_mul,
                             const reg_state_t regs[8], pow_rx_blake_generator_t *gen)
{
    int list[8];
    unsigned n = 0;
    int group = d->shape->group;
    for (int i = 0; i < 8; i++) {
        const reg_state_t *r = &regs[i];
        if (r->ready > cycle)
            continue;
        if (i == d->src && !d->dst_may_be_src)
            continue;
        /* Chains of multiplications pile trailing zeros into a register. */
        if (group == POW_RX_SS_IMUL_R && r->last_group == POW_RX_SS_IMUL_R && !allow_mul_after_mul)
            continue;
        /* The same operation twice in a row could be merged or cancelled. */
        if (r->last_group == group && r->last_par == d->par)
            continue;
        if (d->type == POW_RX_SS_IADD_RS && i == LEA_BAD_BASE)
            continue;
        list[n++] = i;
    }
    if (n == 0)
        return false;
    d->dst = pick(list, n, gen);
    return true;
}

static bool is_multiplication(int type)
{
    return type == POW_RX_SS_IMUL_R || type == POW_RX_SS_IMULH_R || type == POW_RX_SS_ISMULH_R ||
           type == POW_RX_SS_IMUL_RCP;
}

/* The layout of the next decode cycle, given the instruction in progress. */
static int next_layout(int type, int decode_cycle, int mul_count, pow_rx_blake_generator_t *gen)
{
    static const uint8_t any[4] = {LAYOUT_484, LAYOUT_7333, LAYOUT_3733, LAYOUT_493};
    /* mul / imul r decodes to 2 uops and the decoder takes 4 per cycle:
       the rest of a high multiply needs 3-3-10. */
    if (type == POW_RX_SS_IMULH_R || type == POW_RX_SS_ISMULH_R)
        return LAYOUT_3310;
    /* Keep at least one multiplication per cycle to saturate P1. */
    if (mul_count <= decode_cycle)
        return LAYOUT_4444;
    /* imul after mov r,imm64 needs a 4-byte first slot. */
    if (type == POW_RX_SS_IMUL_RCP)
        return (draw_byte(gen) & 1) ? LAYOUT_484 : LAYOUT_493;
    return any[draw_byte(gen) & 3];
}

/* Waits up to REGISTER_WAIT_CYCLES cycles for a source or destination. */
static bool draft_choose_waiting(draft_t *d, bool want_src, int *sched, int *cycle,
                                 bool allow_mul_after_mul, const reg_state_t regs[8],
                                 pow_rx_blake_generator_t *gen)
{
    for (int wait = 0; wait < REGISTER_WAIT_CYCLES; wait++) {
        bool found = want_src ? draft_choose_src(d, *sched, regs, gen)
                              : draft_choose_dst(d, *sched, allow_mul_after_mul, regs, gen);
        if (found)
            return true;
        ++*sched;
        ++*cycle;
    }
    return false;
}

void pow_rx_superscalar_generate(pow_rx_superscalar_t *program, pow_rx_blake_generator_t *gen,
                                 uint32_t target_latency)
{
    assert(target_latency > 0 && target_latency <= POW_RX_SUPERSCALAR_MAX_LATENCY);
    if (target_latency > POW_RX_SUPERSCALAR_MAX_LATENCY)
        target_latency = POW_RX_SUPERSCALAR_MAX_LATENCY;
    const int latency = (int)target_latency;
    const uint32_t max_size = 3 * target_latency + 2;

    port_map_t ports;
    memset(&ports, 0, sizeof(ports));
    ports.cycles = latency + LOOK_AHEAD_CYCLES;

    reg_state_t regs[8];
    for (int i = 0; i < 8; i++)
        regs[i] = (reg_state_t){0, -1, -1};

    draft_t d = {.type = -1, .shape = &no_shape, .src = -1, .dst = -1, .par = -1};
    unsigned op_index = 0; /* next macro-op of d to issue */
    int cycle = 0;         /* earliest cycle for the macro-ops of this decode cycle */
    int prev_done = 0;     /* when the last issued macro-op's result is ready */
    int mul_count = 0;
    int give_ups = 0; /* instructions given up in a row */
    bool saturated = false;
    uint32_t size = 0;

    for (int decode_cycle = 0; decode_cycle < latency && !saturated && size < max_size;
         decode_cycle++, cycle++) {
        int layout = next_layout(d.type, decode_cycle, mul_count, gen);
        const layout_t *lay = &layouts[layout];
        unsigned slot = 0;
        while (slot < lay->slot_count) {
            int cycle_at_slot = cycle;
            if (op_index >= d.shape->op_count) {
                if (saturated || size >= max_size)
                    break;
                draft_start_for_slot(&d, lay->slot[slot], layout, slot + 1 == lay->slot_count, gen);
                op_index = 0;
            }
            const shape_t *sh = d.shape;
            const macro_op_t *op = sh->ops[op_index];

            int sched = port_schedule(&ports, op, cycle, prev_done, false);
            if (sched < 0) {
                saturated = true;
                break;
            }

            /* The source, then the destination, must be ready when the op
               issues. Waiting moves the op and the rest of this decode cycle
               later; giving up drops the instruction but keeps the delay. */
            bool lost = false;
            if ((int)op_index == sh->src_op)
                lost = !draft_choose_waiting(&d, true, &sched, &cycle, give_ups > 0, regs, gen);
            if (!lost && (int)op_index == sh->dst_op)
                lost = !draft_choose_waiting(&d, false, &sched, &cycle, give_ups > 0, regs, gen);
            if (lost) {
                if (give_ups < MAX_GIVE_UPS) {
                    give_ups++;
                    op_index = sh->op_count; /* the slot goes to a new instruction */
                    continue;
                }
                /* Abandon this decode cycle and what was being built. */
                d = (draft_t){.type = -1, .shape = &no_shape, .src = -1, .dst = -1, .par = -1};
                op_index = 0;
                break;
            }
            give_ups = 0;

            sched = port_schedule(&ports, op, sched, sched, true);
            prev_done = sched + op->latency;
            if ((int)op_index == sh->result_op) {
                regs[d.dst].ready = prev_done;
                regs[d.dst].last_group = sh->group;
                regs[d.dst].last_par = d.par;
            }
            slot++;
            op_index++;
            if (sched >= latency)
                saturated = true;
            cycle = cycle_at_slot;

            if (op_index >= sh->op_count) {
                pow_rx_ss_instruction_t *out = &program->code[size++];
                out->opcode = (uint8_t)d.type;
                out->dst = (uint8_t)d.dst;
                out->src = (uint8_t)(d.src >= 0 ? d.src : d.dst);
                out->mod = d.mod;
                out->imm32 = d.imm32;
                mul_count += is_multiplication(d.type);
            }
        }
    }
    program->size = size;
    pow_rx_superscalar_prepare(program);
}

void pow_rx_superscalar_prepare(pow_rx_superscalar_t *program)
{
    /* Depth of each register's dependency chain, one cycle per instruction
       and unlimited parallelism (the spec's "ASIC latency"). */
    int depth[8] = {0};
    program->reciprocal_count = 0;
    for (uint32_t i = 0; i < program->size; i++) {
        const pow_rx_ss_instruction_t *in = &program->code[i];
        assert(in->dst < 8 && in->src < 8);
        if (in->opcode == POW_RX_SS_IMUL_RCP)
            program->reciprocal[program->reciprocal_count++] = pow_rx_reciprocal(in->imm32);
        int through_dst = depth[in->dst] + 1;
        int through_src = in->src != in->dst ? depth[in->src] + 1 : 0;
        depth[in->dst] = through_dst > through_src ? through_dst : through_src;
    }
    /* Ties go to the lowest register. */
    int best = 0;
    program->address_register = 0;
    for (int i = 0; i < 8; i++) {
        if (depth[i] > best) {
            best = depth[i];
            program->address_register = i;
        }
    }
}

/* ---- Execution ----------------------------------------------------------- */

static inline uint64_t rotate_right(uint64_t x, uint32_t n)
{
    n &= 63;
    return (x >> n) | (x << ((64 - n) & 63));
}

static inline uint64_t sign_extend32(uint32_t imm)
{
    /* Two's complement without an implementation-defined conversion. */
    return (uint64_t)imm - ((uint64_t)(imm & 0x80000000u) << 1);
}

static inline uint64_t mul_high(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mul_high_signed(uint64_t a, uint64_t b)
{
    __int128 p = (__int128)(int64_t)a * (int64_t)b;
    return (uint64_t)((unsigned __int128)p >> 64);
}

void pow_rx_superscalar_execute(const pow_rx_superscalar_t *program, uint64_t r[8])
{
    /* A local copy cannot alias the program, so it stays in registers
       where the compiler can manage. */
    uint64_t x[8];
    memcpy(x, r, sizeof(x));
    const uint64_t *rcp = program->reciprocal;
    const pow_rx_ss_instruction_t *in = program->code;
    const pow_rx_ss_instruction_t *end = in + program->size;
    for (; in < end; in++) {
        uint64_t *dst = &x[in->dst];
        uint64_t src = x[in->src];
        switch (in->opcode) {
        case POW_RX_SS_ISUB_R:
            *dst -= src;
            break;
        case POW_RX_SS_IXOR_R:
            *dst ^= src;
            break;
        case POW_RX_SS_IADD_RS:
            *dst += src << ((in->mod >> 2) & 3);
            break;
        case POW_RX_SS_IMUL_R:
            *dst *= src;
            break;
        case POW_RX_SS_IROR_C:
            *dst = rotate_right(*dst, in->imm32);
            break;
        case POW_RX_SS_IADD_C7:
        case POW_RX_SS_IADD_C8:
        case POW_RX_SS_IADD_C9:
            *dst += sign_extend32(in->imm32);
            break;
        case POW_RX_SS_IXOR_C7:
        case POW_RX_SS_IXOR_C8:
        case POW_RX_SS_IXOR_C9:
            *dst ^= sign_extend32(in->imm32);
            break;
        case POW_RX_SS_IMULH_R:
            *dst = mul_high(*dst, src);
            break;
        case POW_RX_SS_ISMULH_R:
            *dst = mul_high_signed(*dst, src);
            break;
        case POW_RX_SS_IMUL_RCP:
            *dst *= *rcp++;
            break;
        default:
            break;
        }
    }
    memcpy(r, x, sizeof(x));
}

int pow_rx_superscalar_well_formed(const pow_rx_superscalar_t *program)
{
    if (program->size > POW_RX_SUPERSCALAR_MAX_SIZE || program->address_register < 0 ||
        program->address_register > 7)
        return 0;
    uint32_t rcp_count = 0;
    for (uint32_t j = 0; j < program->size; j++) {
        const pow_rx_ss_instruction_t *in = &program->code[j];
        if (in->opcode >= POW_RX_SS_INSTRUCTION_TYPES || in->dst > 7 || in->src > 7)
            return 0;
        if (in->opcode == POW_RX_SS_IMUL_RCP)
            rcp_count++;
    }
    return rcp_count <= program->reciprocal_count;
}

void pow_rx_superscalar_each(const pow_rx_superscalar_t *program, pow_rx_superscalar_visit_fn visit,
                             void *ctx)
{
    uint32_t next_rcp = 0;
    for (uint32_t j = 0; j < program->size; j++) {
        const pow_rx_ss_instruction_t *in = &program->code[j];
        uint64_t rcp = 0;
        if (in->opcode == POW_RX_SS_IMUL_RCP && next_rcp < program->reciprocal_count)
            rcp = program->reciprocal[next_rcp++];
        visit(ctx, in, rcp);
    }
}
