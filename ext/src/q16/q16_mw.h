/*
 * q16_mw.h -- private multiword unsigned integers for the exact Q16.16
 * linear algebra (src/q16_linalg.c).
 *
 * A number is a little-endian array of uint32_t limbs (limb 0 least
 * significant) with an explicit length; the helpers never allocate, never
 * call libc, never divide 64-bit values (only uint32_t / uint32_t, which is
 * one UDIV on Cortex-M3/M4 and a libgcc call on M0+/AVR), and never shift a
 * value of type int.  Every product is formed in uint64_t from two uint32_t
 * operands, so (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1 bounds every
 * multiply-accumulate step below: no wrap is possible.
 *
 * Division is Knuth's algorithm D with 16-bit quotient digits over 32-bit
 * limbs: the trial quotient needs only a 32-by-16-bit division, and the
 * multiply-subtract uses a 32-bit multiplier (the digit, or the digit times
 * 2^16 for an odd digit position) over whole limbs.
 */
#ifndef ATTNCORE_Q16_MW_H
#define ATTNCORE_Q16_MW_H

#include <stddef.h>
#include <stdint.h>

#define AC_MW__M32 ((uint64_t)0xFFFFFFFFu)

/* Length of a without its zero top limbs. */
static inline size_t ac_q16__mw_trim(const uint32_t *a, size_t len)
{
    while (len > 0 && a[len - 1] == 0) {
        --len;
    }
    return len;
}

static inline int ac_q16__mw_is_zero(const uint32_t *a, size_t len)
{
    return ac_q16__mw_trim(a, len) == 0;
}

static inline void ac_q16__mw_zero(uint32_t *a, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        a[i] = 0;
    }
}

static inline void ac_q16__mw_copy(uint32_t *r, const uint32_t *a, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        r[i] = a[i];
    }
}

/* -1, 0, 1 as a <, ==, > b (any lengths, untrimmed allowed). */
static inline int ac_q16__mw_cmp(const uint32_t *a, size_t la, const uint32_t *b, size_t lb)
{
    la = ac_q16__mw_trim(a, la);
    lb = ac_q16__mw_trim(b, lb);
    if (la != lb) {
        return la < lb ? -1 : 1;
    }
    while (la-- > 0) {
        if (a[la] != b[la]) {
            return a[la] < b[la] ? -1 : 1;
        }
    }
    return 0;
}

/* r = a + b with la >= lb; r has la + 1 limbs and may alias a. */
static inline void ac_q16__mw_add(uint32_t *r, const uint32_t *a, size_t la, const uint32_t *b,
                                  size_t lb)
{
    uint64_t c = 0;
    for (size_t i = 0; i < la; ++i) {
        c += (uint64_t)a[i] + (i < lb ? b[i] : 0u);
        r[i] = (uint32_t)(c & AC_MW__M32);
        c >>= 32;
    }
    r[la] = (uint32_t)c;
}

/* r = a - b for a >= b (la >= lb); r has la limbs and may alias a. */
static inline void ac_q16__mw_sub(uint32_t *r, const uint32_t *a, size_t la, const uint32_t *b,
                                  size_t lb)
{
    uint32_t borrow = 0;
    for (size_t i = 0; i < la; ++i) {
        uint64_t t = (uint64_t)a[i] - (i < lb ? b[i] : 0u) - borrow;
        r[i] = (uint32_t)(t & AC_MW__M32);
        borrow = (uint32_t)(t >> 32) & 1u;
    }
}

/* r = a * b; r has la + lb limbs and must not alias a or b. */
static inline void ac_q16__mw_mul(uint32_t *r, const uint32_t *a, size_t la, const uint32_t *b,
                                  size_t lb)
{
    ac_q16__mw_zero(r, la + lb);
    for (size_t i = 0; i < la; ++i) {
        uint64_t ai = a[i], c = 0;
        if (ai == 0) {
            continue;
        }
        for (size_t j = 0; j < lb; ++j) {
            c += ai * b[j] + r[i + j];
            r[i + j] = (uint32_t)(c & AC_MW__M32);
            c >>= 32;
        }
        r[i + lb] = (uint32_t)c;
    }
}

/* a += m * b (a has at least lb + 1 limbs, the carry out of limb lb is
 * added into the following limbs up to la). */
static inline void ac_q16__mw_addmul_1(uint32_t *a, size_t la, const uint32_t *b, size_t lb,
                                       uint32_t m)
{
    uint64_t c = 0;
    size_t i = 0;
    for (; i < lb; ++i) {
        c += (uint64_t)m * b[i] + a[i];
        a[i] = (uint32_t)(c & AC_MW__M32);
        c >>= 32;
    }
    for (; c != 0 && i < la; ++i) {
        c += a[i];
        a[i] = (uint32_t)(c & AC_MW__M32);
        c >>= 32;
    }
}

/* r = a << s for 0 <= s < 32; r has la + 1 limbs (r may equal a). */
static inline void ac_q16__mw_shl_small(uint32_t *r, const uint32_t *a, size_t la, unsigned s)
{
    uint32_t spill = 0;
    for (size_t i = 0; i < la; ++i) {
        uint32_t v = a[i];
        r[i] = s ? (uint32_t)((v << s) | spill) : v;
        spill = s ? v >> (32u - s) : 0u;
    }
    r[la] = spill;
}

/* r = a << s for any s: r has la + s / 32 + 1 limbs (r must not alias a). */
static inline void ac_q16__mw_shl(uint32_t *r, const uint32_t *a, size_t la, unsigned s)
{
    size_t w = (size_t)(s / 32u);
    ac_q16__mw_zero(r, w);
    ac_q16__mw_shl_small(r + w, a, la, s % 32u);
}

/* Leading zero bits of a nonzero uint32_t. */
static inline unsigned ac_q16__clz32(uint32_t x)
{
    unsigned n = 0;
    if (x <= 0x0000FFFFu) {
        n += 16;
        x <<= 16;
    }
    if (x <= 0x00FFFFFFu) {
        n += 8;
        x <<= 8;
    }
    if (x <= 0x0FFFFFFFu) {
        n += 4;
        x <<= 4;
    }
    if (x <= 0x3FFFFFFFu) {
        n += 2;
        x <<= 2;
    }
    if (x <= 0x7FFFFFFFu) {
        n += 1;
    }
    return n;
}

/* u[0 .. vl] -= m * v[0 .. vl-1]; returns 1 when the result went negative
 * (a borrow out of limb vl), which the caller undoes by adding back. */
static inline uint32_t ac_q16__mw_mulsub(uint32_t *u, const uint32_t *v, size_t vl, uint32_t m)
{
    uint64_t carry = 0;
    uint32_t borrow = 0;
    for (size_t i = 0; i < vl; ++i) {
        uint64_t p = (uint64_t)m * v[i] + carry;
        uint64_t t = (uint64_t)u[i] - (p & AC_MW__M32) - borrow;
        carry = p >> 32;
        u[i] = (uint32_t)(t & AC_MW__M32);
        borrow = (uint32_t)(t >> 32) & 1u;
    }
    uint64_t t = (uint64_t)u[vl] - carry - borrow;
    u[vl] = (uint32_t)(t & AC_MW__M32);
    return (uint32_t)(t >> 32) & 1u;
}

/* The 16-bit digit number idx of u. */
static inline uint32_t ac_q16__mw_digit(const uint32_t *u, size_t idx)
{
    return (idx & 1u) ? u[idx >> 1] >> 16 : u[idx >> 1] & 0xFFFFu;
}

/*
 * Knuth D: divide u (ul limbs) by v (vl >= 1 limbs, normalized: v[vl-1] >=
 * 2^31), both unsigned, with ul > vl and the top vl limbs of u, read as a
 * number, below v (so the quotient has ul - vl limbs).  On return q[0 ..
 * ul-vl-1] holds the quotient and u[0 .. vl-1] the remainder (u's upper
 * limbs are zero).  q must not alias u or v.
 */
static inline void ac_q16__mw_divmod_norm(uint32_t *q, uint32_t *u, size_t ul, const uint32_t *v,
                                          size_t vl)
{
    const uint32_t v1 = v[vl - 1] >> 16, v2 = v[vl - 1] & 0xFFFFu;
    const size_t nd = 2 * vl;              /* digits of v */
    size_t j = 2 * (ul - vl);              /* quotient digits, counted down */
    ac_q16__mw_zero(q, ul - vl);
    while (j-- > 0) {
        uint32_t num = (ac_q16__mw_digit(u, j + nd) << 16) | ac_q16__mw_digit(u, j + nd - 1);
        uint32_t qhat = num / v1;
        uint32_t rhat = num - qhat * v1;
        uint32_t u3 = ac_q16__mw_digit(u, j + nd - 2);
        /* qhat is at most 2 too large: the test with the second digit of v
         * removes nearly every case (the products are below 2^32 because
         * qhat <= 0xFFFF and rhat <= 0xFFFF when they are formed). */
        while (qhat > 0xFFFFu || qhat * v2 > ((rhat << 16) | u3)) {
            qhat -= 1;
            rhat += v1;
            if (rhat > 0xFFFFu) {
                break;
            }
        }
        unsigned sh = (unsigned)(16u * (unsigned)(j & 1u));
        if (qhat != 0 && ac_q16__mw_mulsub(u + (j >> 1), v, vl, qhat << sh)) {
            /* qhat was one too large (rare): add v back once */
            qhat -= 1;
            uint64_t c = 0;
            uint32_t mult = (uint32_t)1 << sh;
            for (size_t i = 0; i < vl; ++i) {
                c += (uint64_t)mult * v[i] + u[(j >> 1) + i];
                u[(j >> 1) + i] = (uint32_t)(c & AC_MW__M32);
                c >>= 32;
            }
            u[(j >> 1) + vl] = (uint32_t)((u[(j >> 1) + vl] + c) & AC_MW__M32);
        }
        q[j >> 1] |= qhat << sh;
    }
}

/* An exact divisor prepared once: |d| = v 2^z with v odd (vl limbs), and
 * inv = v^-1 modulo 2^32. */
typedef struct {
    const uint32_t *v;
    size_t vl;
    unsigned z;
    uint32_t inv;
} ac_q16__mw_xdiv;

/* d (len limbs, nonzero) -> x, using store (len limbs). */
static inline void ac_q16__mw_xdiv_prepare(ac_q16__mw_xdiv *x, const uint32_t *d, size_t len,
                                           uint32_t *store)
{
    size_t zl = 0;
    len = ac_q16__mw_trim(d, len);
    while (d[zl] == 0) {
        ++zl;
    }
    unsigned zb = 0;
    while (((d[zl] >> zb) & 1u) == 0) {
        ++zb;
    }
    /* store = d >> (32 zl + zb) */
    size_t vl = len - zl;
    for (size_t i = 0; i < vl; ++i) {
        uint32_t lo = d[zl + i] >> zb;
        uint32_t hi = (zb != 0 && zl + i + 1u < len) ? (uint32_t)((d[zl + i + 1u] << (32u - zb))
                                                                  & 0xFFFFFFFFu)
                                                     : 0u;
        store[i] = lo | hi;
    }
    x->v = store;
    x->vl = ac_q16__mw_trim(store, vl);
    x->z = (unsigned)(32u * zl) + zb;
    /* Newton's iteration for the inverse of an odd number modulo 2^32: v0 is
     * its own inverse modulo 8, and each step doubles the correct bits */
    uint32_t v0 = store[0], inv = v0;
    for (unsigned i = 0; i < 4u; ++i) {
        inv = (uint32_t)((inv * (uint32_t)(2u - (uint32_t)(v0 * inv))) & 0xFFFFFFFFu);
    }
    x->inv = inv;
}

/*
 * q = a / d for a divisible by d (a: la limbs, destroyed): shift a right by
 * d's zero bits, then each quotient limb is the low limb of the remainder
 * times v^-1 modulo 2^32 (Jebelean's exact division), subtracted back only
 * within the quotient's limbs.  q has la limbs of room; returns its trimmed
 * length.
 */
static inline size_t ac_q16__mw_divexact(uint32_t *q, uint32_t *a, size_t la,
                                         const ac_q16__mw_xdiv *x)
{
    size_t w = (size_t)(x->z / 32u);
    unsigned b = x->z % 32u;
    la = ac_q16__mw_trim(a, la);
    if (la <= w) {
        return 0;
    }
    size_t al = la - w;
    for (size_t i = 0; i < al; ++i) {
        uint32_t lo = a[w + i] >> b;
        uint32_t hi = (b != 0 && w + i + 1u < la) ? (uint32_t)((a[w + i + 1u] << (32u - b))
                                                               & 0xFFFFFFFFu)
                                                  : 0u;
        a[i] = lo | hi;
    }
    al = ac_q16__mw_trim(a, al);
    if (al < x->vl) {
        return 0; /* a = 0 */
    }
    size_t ql = al - x->vl + 1u;
    for (size_t i = 0; i < ql; ++i) {
        uint32_t qi = (uint32_t)((a[i] * x->inv) & 0xFFFFFFFFu);
        q[i] = qi;
        /* a[i .. ql-1] -= qi v */
        uint64_t carry = 0;
        uint32_t borrow = 0;
        for (size_t j = 0; j < x->vl && i + j < ql; ++j) {
            uint64_t p = (uint64_t)qi * x->v[j] + carry;
            uint64_t t = (uint64_t)a[i + j] - (p & AC_MW__M32) - borrow;
            carry = p >> 32;
            a[i + j] = (uint32_t)(t & AC_MW__M32);
            borrow = (uint32_t)(t >> 32) & 1u;
        }
        for (size_t j = i + x->vl; j < ql && (carry != 0 || borrow != 0); ++j) {
            uint64_t t = (uint64_t)a[j] - (carry & AC_MW__M32) - borrow;
            carry >>= 32;
            a[j] = (uint32_t)(t & AC_MW__M32);
            borrow = (uint32_t)(t >> 32) & 1u;
        }
    }
    return ac_q16__mw_trim(q, ql);
}

/* Integer square root of a uint64_t (floor), bit by bit: no division. */
static inline uint64_t ac_q16__isqrt64(uint64_t x)
{
    uint64_t root = 0, bit = (uint64_t)1 << 62;
    while (bit > x) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (x >= root + bit) {
            x -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

#endif /* ATTNCORE_Q16_MW_H */
