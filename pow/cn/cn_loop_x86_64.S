/*
 * CryptoNight's main loops for x86-64 with AES-NI, written by hand. First
 * variant 2's (cn/2 and its sub-variants), with every value the loop
 * carries in a register: a, b0, b1 and c in xmm0-xmm3, a's halves,
 * the division and square-root results, the mask and the count in general
 * registers. GCC's loop from cn_kernel.inc.h kept a's low half and the
 * count on the stack.
 *
 * The loop is the C kernel's (cn_kernel.inc.h, family V2), step for step;
 * ../shared/notes/cryptonight.md gives the algorithm. The square root is
 * pow_cn_v2_sqrt's (cn_v2_sqrt.h, where the proof is): the root of
 * 1 + n/2^64 built from its bits, the answer its fraction bits >> 19, and
 * the exact test r^2 + 2^34 r > 4n only when the low 19 bits are zero.
 *
 *   void pow__cn_v2_loop_x86_64(const cn_loop_input_t *in, uint8_t *pad);
 *   void pow__cn_v2_reverse_loop_x86_64(const cn_loop_input_t *in, uint8_t *pad);
 *
 * in (cn_loop.h): a, b0, b1 (16 bytes each), division result, square
 * root result, mask, iterations, variant 1's tweak (8 bytes each). pad is
 * 16-byte aligned.
 *
 * Then variant 1's (cn/1, cn-lite/1, cn/fast, cn/rto), and at the end
 * CryptonightR's loop as a template for its JIT, which puts each program
 * inline (so nothing is called per iteration).
 */
#if defined(__x86_64__) && defined(__ELF__)

    .intel_syntax noprefix
    .text

/* Registers across the loop. */
#define PAD      rsi
#define MASK     r8
#define COUNT    r9
#define AL       r10
#define AH       r11
#define DIVISION rbx
#define ROOT     rbp
#define ROOT32   ebp
#define J        r12
#define CL       r13
#define CH       r14
#define C_LO     r15
#define C_LO32   r15d
/* xmm0 a, xmm1 b0, xmm2 b1, xmm3 c; xmm4-xmm8 scratch; xmm9 1023 << 52. */

/*
 * Variant 2's shuffle of the other three blocks of j's 64-byte line, with
 * the old blocks at j ^ 0x10, 0x20, 0x30 in xmm4, xmm5, xmm6 (xmm4 with
 * whatever was xored into it) and their addresses in the three registers.
 */
.macro SHUFFLE_STORE reverse, at10, at20, at30
    movdqa  xmm7, xmm5
    paddq   xmm7, xmm0
    movdqu  [PAD + \at30], xmm7          /* c2 + a */
.if \reverse
    movdqa  xmm7, xmm4
    paddq   xmm7, xmm2
    movdqu  [PAD + \at10], xmm7          /* c1 + b1 */
    movdqa  xmm7, xmm6
    paddq   xmm7, xmm1
    movdqu  [PAD + \at20], xmm7          /* c3 + b0 */
.else
    movdqa  xmm7, xmm6
    paddq   xmm7, xmm2
    movdqu  [PAD + \at10], xmm7          /* c3 + b1 */
    movdqa  xmm7, xmm4
    paddq   xmm7, xmm1
    movdqu  [PAD + \at20], xmm7          /* c1 + b0 */
.endif
.endm

/* The blocks at j ^ 0x10, 0x20, 0x30 into xmm4, xmm5, xmm6, their addresses into the registers. */
.macro LINE_READ j, at10, at20, at30
    mov     \at10, \j
    xor     \at10, 0x10
    mov     \at20, \j
    xor     \at20, 0x20
    mov     \at30, \j
    xor     \at30, 0x30
    movdqu  xmm4, [PAD + \at10]
    movdqu  xmm5, [PAD + \at20]
    movdqu  xmm6, [PAD + \at30]
.endm

/* cn/r: c ^= the three blocks the shuffle read. */
.macro MIX_LINE_INTO_C
    pxor    xmm4, xmm5
    pxor    xmm4, xmm6
    pxor    xmm3, xmm4
.endm

/*
 * The first half-step: j from a's low half, c the AES round of the block
 * at j keyed by a, the shuffle (cn/r: c mixed with the line), b0 ^ c
 * stored at j.
 */
.macro FIRST_HALF j, reverse, mix
    mov     \j, AL
    and     \j, MASK
    movdqu  xmm3, [PAD + \j]
    aesenc  xmm3, xmm0
    LINE_READ \j, rax, rcx, rdx
    SHUFFLE_STORE \reverse, rax, rcx, rdx
.if \mix
    MIX_LINE_INTO_C
.endif
    movdqa  xmm7, xmm1
    pxor    xmm7, xmm3
    movdqu  [PAD + \j], xmm7              /* b0 ^ c */
.endm

/* The end of an iteration: a from its halves, b1 = b0, b0 = c. */
.macro NEXT_A_B
    movq    xmm0, AL
    pinsrq  xmm0, AH, 1
    movdqa  xmm2, xmm1
    movdqa  xmm1, xmm3
.endm

/* dst ^= lo | hi << 32, for two 32-bit registers; rax and rcx are clobbered. */
.macro XOR_PAIR dst, lo, hi
    mov     eax, \lo
    mov     ecx, \hi
    shl     rcx, 32
    or      rax, rcx
    xor     \dst, rax
.endm

.macro SAVE_REGISTERS
    push    rbx
    push    rbp
    push    r12
    push    r13
    push    r14
    push    r15
.endm

.macro RESTORE_REGISTERS_AND_RETURN
    pop     r15
    pop     r14
    pop     r13
    pop     r12
    pop     rbp
    pop     rbx
    ret
.endm

/* a, b0, b1 and a's halves from the inputs at rdi (cn_loop.h). */
.macro LOAD_A_B
    movdqu  xmm0, [rdi]
    movdqu  xmm1, [rdi + 16]
    movdqu  xmm2, [rdi + 32]
    mov     AL, [rdi]
    mov     AH, [rdi + 8]
.endm

/* A loop function's entry: the callee-saved registers pushed, a, b0 and b1 loaded. */
.macro LOOP_ENTRY name
    .globl  \name
    .type   \name, @function
    .p2align 6
\name:
    SAVE_REGISTERS
    LOAD_A_B
.endm

/*
 * CF = (r^2 + 2^34 r > 4n) for r in \r and n in rcx, in 128 bits; rax,
 * rdx, rdi and r13 are clobbered.
 */
.macro ROOT_ABOVE r
    mov     rax, \r
    mul     rax                          /* rdx:rax = r^2 */
    mov     rdi, \r
    shl     rdi, 34
    mov     r13, \r
    shr     r13, 30
    add     rax, rdi
    adc     rdx, r13                     /* rdx:rax = r^2 + 2^34 r */
    mov     rdi, rcx
    shl     rdi, 2
    mov     r13, rcx
    shr     r13, 62                      /* r13:rdi = 4n */
    cmp     rdi, rax
    sbb     r13, rdx                     /* borrow: 4n < r^2 + 2^34 r */
.endm

.macro V2_LOOP name, reverse
    LOOP_ENTRY \name
    mov     DIVISION, [rdi + 48]
    mov     ROOT, [rdi + 56]
    mov     MASK, [rdi + 64]
    mov     COUNT, [rdi + 72]
    mov     rax, 0x3FF0000000000000
    movq    xmm9, rax
    test    COUNT, COUNT
    jz      9f

    .p2align 6
1:
    FIRST_HALF J, \reverse, 0

    /* Second half-step: j from c, the division and the square root. */
    movq    C_LO, xmm3
    pextrq  rax, xmm3, 1
    mov     J, C_LO
    and     J, MASK
    mov     CL, [PAD + J]
    mov     CH, [PAD + J + 8]
    mov     rcx, ROOT
    shl     rcx, 32
    xor     rcx, DIVISION
    xor     CL, rcx                      /* cl ^= division ^ root << 32 */
    lea     ecx, [ROOT + ROOT]
    add     ecx, C_LO32
    or      ecx, 0x80000001              /* divisor */
    xor     edx, edx
    div     rcx
    mov     ebx, eax
    shl     rdx, 32
    add     DIVISION, rdx                /* quotient (32 bits) + remainder << 32 */
    lea     rcx, [C_LO + DIVISION]       /* n, the square root's input */
    mov     rax, rcx
    shr     rax, 12
    movq    xmm8, rax
    por     xmm8, xmm9                   /* 1 + n / 2^64 */
    sqrtsd  xmm8, xmm8
    movq    ROOT, xmm8
    test    ROOT32, 0x7FFFF
    jz      5f
    shr     ROOT, 19
    mov     ROOT32, ROOT32
2:
    /* The product, mixed into the line before the shuffle moves it. */
    mov     rax, C_LO
    mul     CL                           /* rdx = hi, rax = lo */
    movq    xmm7, rdx
    movq    xmm8, rax
    punpcklqdq xmm7, xmm8
    LINE_READ J, rcx, rdi, C_LO
    xor     rdx, [PAD + rdi]             /* hi ^= c2's low half */
    xor     rax, [PAD + rdi + 8]         /* lo ^= c2's high half */
    pxor    xmm4, xmm7
    SHUFFLE_STORE \reverse, rcx, rdi, C_LO
    add     AL, rdx
    add     AH, rax
    mov     [PAD + J], AL
    mov     [PAD + J + 8], AH
    xor     AL, CL
    xor     AH, CH
    NEXT_A_B
    dec     COUNT
    jnz     1b
9:
    RESTORE_REGISTERS_AND_RETURN

    /* The exact square root, about once in 2^19 iterations. */
5:
    shr     ROOT, 19
    mov     ROOT32, ROOT32
    push    CL
    ROOT_ABOVE ROOT
    sbb     ROOT, 0                      /* r -= (r too big) */
    add     ROOT, 1
    ROOT_ABOVE ROOT
    sbb     ROOT, 0                      /* r += !(r + 1 too big) */
    pop     CL
    jmp     2b
    .size   \name, . - \name
.endm

    V2_LOOP pow__cn_v2_loop_x86_64, 0
    V2_LOOP pow__cn_v2_reverse_loop_x86_64, 1

/*
 * Variant 1's loop (cn/1, cn-lite/1, cn/fast; rto: cn/rto), the C kernel's
 * family V1 step for step: no shuffle, byte 11 of the block stored in the
 * first half-step tweaked, the tweak (offset 80) xored into the high half
 * stored in the second (and a's low half with rto).
 */
#define TWEAK   rbx
.macro V1_LOOP name, rto
    LOOP_ENTRY \name
    mov     MASK, [rdi + 64]
    mov     COUNT, [rdi + 72]
    mov     TWEAK, [rdi + 80]
    test    COUNT, COUNT
    jz      9f

    .p2align 6
1:
    mov     J, AL
    and     J, MASK
    movdqu  xmm3, [PAD + J]
    aesenc  xmm3, xmm0
    movdqa  xmm7, xmm1
    pxor    xmm7, xmm3
    movdqu  [PAD + J], xmm7              /* b0 ^ c */
    pextrb  eax, xmm7, 11                /* t, byte 11 of it */
    mov     ecx, eax
    shr     ecx, 3
    and     ecx, 6
    mov     edx, eax
    and     edx, 1
    or      ecx, edx
    add     ecx, ecx                     /* (((t >> 3) & 6) | (t & 1)) << 1 */
    mov     edx, 0x75310
    shr     edx, cl
    and     edx, 0x30
    xor     eax, edx
    mov     [PAD + J + 11], al

    movq    C_LO, xmm3
    mov     J, C_LO
    and     J, MASK
    mov     CL, [PAD + J]
    mov     CH, [PAD + J + 8]
    mov     rax, C_LO
    mul     CL                           /* rdx = hi, rax = lo */
    add     AL, rdx
    add     AH, rax
    mov     [PAD + J], AL
    mov     rax, AH
    xor     rax, TWEAK
.if \rto
    xor     rax, AL
.endif
    mov     [PAD + J + 8], rax
    xor     AL, CL
    xor     AH, CH
    NEXT_A_B                             /* (b1 unused) */
    dec     COUNT
    jnz     1b
9:
    RESTORE_REGISTERS_AND_RETURN
    .size   \name, . - \name
.endm

    V1_LOOP pow__cn_v1_loop_x86_64, 0
    V1_LOOP pow__cn_v1_rto_loop_x86_64, 1

/*
 * CryptonightR's loop as a template the JIT (cn_r_jit_x86_64.c) copies
 * around each program, so that the whole loop is one piece of machine
 * code with the program inline: the bytes from pow__cn_r_loop_template to
 * _program, the program, the bytes to _iteration_end, then the JIT's own
 * "dec qword ptr [rsp]; jnz rel32" back to _loop, then the rest to _end
 * (the epilogue). The bytes are position-independent and jump nowhere
 * (the JIT makes the one jump), so they sit in .rodata; the alignment
 * fill is NOPs, run once. Called as pow__cn_v2_loop_x86_64 is, with
 * division_result and sqrt_result holding r0, r1 and r2, r3, and at
 * least one iteration.
 *
 * The program's registers (cn_r_jit.h, loop mapping): r0-r3 in ebx, ebp,
 * r12d, r13d; r4 and r5 are a's halves, r10d and r11d; r6-r8 in eax,
 * edx, r15d; ecx for rotation counts. The count is at [rsp].
 */
#define CL_R    r14
#define J_R     r9
    .section .rodata
    .globl  pow__cn_r_loop_template, pow__cn_r_loop_template_loop
    .globl  pow__cn_r_loop_template_program, pow__cn_r_loop_template_iteration_end
    .globl  pow__cn_r_loop_template_end
    .balign 64, 0x90
pow__cn_r_loop_template:
    SAVE_REGISTERS
    push    qword ptr [rdi + 72]         /* the count, at [rsp] */
    LOAD_A_B
    mov     ebx, [rdi + 48]
    mov     ebp, [rdi + 52]
    mov     r12d, [rdi + 56]
    mov     r13d, [rdi + 60]
    mov     MASK, [rdi + 64]
    .balign 64, 0x90
pow__cn_r_loop_template_loop:
    FIRST_HALF J_R, 0, 1

    /* Second half-step: cl mixed with r0-r3, then the program's inputs. */
    movq    J_R, xmm3
    and     J_R, MASK
    mov     CL_R, [PAD + J_R]
    lea     eax, [rbx + rbp]
    lea     ecx, [r12 + r13]
    shl     rcx, 32
    or      rax, rcx
    xor     CL_R, rax                    /* cl ^= (r0 + r1) | (r2 + r3) << 32 */
    movq    rax, xmm1                    /* r6: b0's low word */
    movq    rdx, xmm2                    /* r7: b1's low word */
    pextrq  r15, xmm2, 1                 /* r8: b1's high half's low word */
pow__cn_r_loop_template_program:
    XOR_PAIR AL, r12d, r13d              /* al ^= r2 | r3 << 32 */
    XOR_PAIR AH, ebx, ebp                /* ah ^= r0 | r1 << 32 */
    movq    rax, xmm3
    mul     CL_R                         /* rdx = hi, rax = lo */
    LINE_READ J_R, rcx, rdi, r15
    SHUFFLE_STORE 0, rcx, rdi, r15
    MIX_LINE_INTO_C
    add     AL, rdx
    add     AH, rax
    mov     rdi, [PAD + J_R + 8]           /* ch */
    mov     [PAD + J_R], AL
    mov     [PAD + J_R + 8], AH
    xor     AL, CL_R
    xor     AH, rdi
    NEXT_A_B
pow__cn_r_loop_template_iteration_end:
    pop     rax                          /* the count */
    RESTORE_REGISTERS_AND_RETURN
pow__cn_r_loop_template_end:

#endif

#if defined(__ELF__)
    .section .note.GNU-stack, "", @progbits
#endif
