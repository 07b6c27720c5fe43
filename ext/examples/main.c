/*
 * The smallest program using attncore's Q16.16 core, hosted or on a
 * microcontroller: transform a point by a 4x4 affine matrix, scale it by
 * 0.5, invert the transform and map the point back.  No libc (beyond
 * printing on a host), heap or FPU.
 *
 *   host:      cc -Iext/include examples/main.c libattncore_q16.a
 *   Cortex-M4: see ext/firmware/ (start-up, linker script) and the CMake
 *              consumer in ext/tests/cmake_consumer; under QEMU it prints
 *              through semihosting, with the deepest stack it used.
 */
#include <stddef.h>
#include <stdint.h>

#include "attncore/q16.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_linalg.h"
#include "attncore/q16_matmul.h"

/* ---- output: stdio on a host, semihosting on a bare-metal Arm --------- */
#if __STDC_HOSTED__
#include <stdio.h>
static void print(const char *s)
{
    fputs(s, stdout);
}
#elif defined(__arm__)
static void print(const char *s)
{
    register uintptr_t r0 __asm__("r0") = 0x04; /* SYS_WRITE0 */
    register uintptr_t r1 __asm__("r1") = (uintptr_t)s;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
}
#else
#error "examples/main.c: add a print() for this target"
#endif

/* deepest stack use, from the firmware start-up's stack painting (weak:
 * 0 where the start-up does not paint) */
size_t gr_stack_peak(void) __attribute__((weak));

static void print_q16(ac_q16 v)
{
    /* sign, integer part, 4 decimals (exact for these values) */
    char buf[24];
    int i = (int)sizeof buf - 1;
    uint32_t mag = v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v;
    uint32_t frac = (uint32_t)(((uint64_t)(mag & 0xFFFFu) * 10000u + 0x8000u) >> 16);
    uint32_t whole = mag >> 16;
    buf[i] = '\0';
    for (int d = 0; d < 4; ++d) {
        buf[--i] = (char)('0' + (int)(frac % 10u));
        frac /= 10u;
    }
    buf[--i] = '.';
    do {
        buf[--i] = (char)('0' + (int)(whole % 10u));
        whole /= 10u;
    } while (whole != 0u);
    if (v < 0) {
        buf[--i] = '-';
    }
    print(&buf[i]);
}

static void print_uint(uint32_t v)
{
    char buf[12];
    int i = (int)sizeof buf - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    print(&buf[i]);
}

static void print_vec(const char *name, const ac_q16 *v, size_t n)
{
    print(name);
    print(" = [");
    for (size_t i = 0; i < n; ++i) {
        print_q16(v[i]);
        print(i + 1 < n ? ", " : "]\n");
    }
}

#define Q(x) ((ac_q16)(x) * AC_Q16_ONE) /* integers only: no float anywhere */

int main(void)
{
    /* rotate 90 degrees about z, then translate by (2, -3, 5) */
    static const ac_q16 m[16] = {0, Q(-1), 0, Q(2),
                                 Q(1), 0, 0, Q(-3),
                                 0, 0, Q(1), Q(5),
                                 0, 0, 0, Q(1)};
    static const ac_q16 p[4] = {Q(10), Q(20), Q(30), Q(1)};
    static const ac_q16 half = AC_Q16_ONE / 2;
    ac_q16 out[4], inv[16], back[4];
    ac_tally tally = {0, 0, 0, AC_OK};
    int failures = 0;

    /* out = m p: each entry an exact dot product, rounded once */
    ac_status st = ac_q16_matmul(4, 1, 4, m, 4, 1, p, 1, 1, out, 1, 1, AC_ROUND_NEAREST_EVEN,
                                 AC_OVERFLOW_RAISE, &tally);
    failures += st != AC_OK;
    print_vec("m p", out, 4);

    /* out *= 0.5 (broadcast, stride 0); saturations would be counted */
    st = ac_q16_binary_n(AC_Q16_OP_MUL, 3, out, 1, &half, 0, out, 1, AC_ROUND_NEAREST_EVEN,
                         AC_OVERFLOW_SATURATE, &tally);
    failures += st != AC_OK;
    print_vec("0.5 m p", out, 4);

    /* the inverse transform (rigid: transpose and an exact -R^T t) maps m p back to p;
     * 4x4 takes the fixed-width exact path, which needs no work memory */
    st = ac_q16_affine_inverse(4, m, 4, 1, inv, 1, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE,
                               &tally, NULL);
    failures += st != AC_OK;
    ac_q16 mp[4];
    st = ac_q16_matmul(4, 1, 4, m, 4, 1, p, 1, 1, mp, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_SATURATE, &tally);
    failures += st != AC_OK;
    st = ac_q16_matmul(4, 1, 4, inv, 4, 1, mp, 1, 1, back, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_SATURATE, &tally);
    failures += st != AC_OK;
    print_vec("m^-1 m p", back, 4);
    for (size_t i = 0; i < 4; ++i) {
        failures += back[i] != p[i];
    }

    print("saturations: ");
    print_uint((uint32_t)tally.events);
    print("\n");
    if (gr_stack_peak) {
        print("deepest stack since reset: ");
        print_uint((uint32_t)gr_stack_peak());
        print(" bytes\n");
    }
    print(failures == 0 ? "example: ok\n" : "example: FAILED\n");
    return failures == 0 ? 0 : 1;
}
