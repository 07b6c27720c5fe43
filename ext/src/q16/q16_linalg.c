/*
 * Correctly rounded Q16.16 linear algebra (see attncore/q16_linalg.h for the
 * contract and NOTES.md for the proofs).  Integer only, portable C99: no
 * float, libm, malloc, globals or libc; no 64-bit division anywhere (the
 * only divisions are uint32_t / uint32_t, plus one uint64_t / uint64_t in
 * the optional unsigned __int128 fast path, which exists only on 64-bit
 * hosts); unsigned arithmetic wherever a value could wrap.
 *
 * Two engines:
 *  - n <= AC_Q16_LINALG_FAST_MAX (4): closed-form cofactors from 2x2 minors
 *    (int64, exact) into 128-bit values, det and adj(A) B accumulated in a
 *    128-bit value plus a small top word, one division per output.
 *  - any n: fraction-free (Bareiss) elimination on sign-magnitude multiword
 *    integers in the caller's work: Gauss-Jordan on [A | I] gives det(A) I
 *    and adj(A) (the exact factor); forward elimination gives det and the
 *    display factors.
 * Both produce the same exact integers, so every output is the same bits.
 */
#include "attncore/q16_linalg.h"

#include "q16_mw.h"
#include "q16_wide.h"
#include "q16_policy.h"

#ifndef AC_Q16_LINALG_FAST_MAX
#define AC_Q16_LINALG_FAST_MAX 4 /* tests set 0 to run the general engine for every n */
#endif

#define LA_M32 ((uint64_t)0xFFFFFFFFu)

/* Keeps the stack frames of alternative paths apart (firmware stacks). */
#if defined(__GNUC__)
#define LA_NOINLINE __attribute__((noinline))
#else
#define LA_NOINLINE
#endif

/* ======================================================================
 * Common helpers
 * ====================================================================== */

/* The enum check every kernel shares (attncore/q16.h). */
static int la_modes_ok(ac_rounding rnd, ac_overflow ovf)
{
    return ac_q16__rounding_ok(rnd) && ac_q16__overflow_ok(ovf);
}

/* n is acceptable for the multiword engine on this target. */
static int la_size_ok(size_t n)
{
    if ((uint64_t)n > (uint64_t)AC_Q16_LINALG_MAX_N) {
        return 0;
    }
    return AC_Q16_LINALG_WORK(n) <= (uint64_t)(SIZE_MAX / sizeof(uint32_t));
}

static void la_note(ac_tally *tally, size_t index, ac_status st)
{
    if (tally != NULL) {
        ac_tally_note(tally, index, st);
    }
}

/* Record an output status; nonzero when the call has to stop (raise). */
static int la_event(ac_tally *tally, size_t index, ac_status st, ac_overflow ovf)
{
    if (st == AC_OK) {
        return 0;
    }
    la_note(tally, index, st);
    return ovf == AC_OVERFLOW_RAISE;
}

static int32_t la_at(const ac_q16 *a, ptrdiff_t sr, ptrdiff_t sc, size_t i, size_t j)
{
    return a[(ptrdiff_t)i * sr + (ptrdiff_t)j * sc];
}

/* Entry (i, j) of A, or of the symmetric matrix from A's lower triangle. */
static int32_t la_at_sym(const ac_q16 *a, ptrdiff_t sr, ptrdiff_t sc, size_t i, size_t j, int sym)
{
    return (sym && j > i) ? la_at(a, sr, sc, j, i) : la_at(a, sr, sc, i, j);
}

static uint32_t la_abs32(int32_t v)
{
    return v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v;
}

/*
 * The one rounding point.  The exact value is (-1)^neg (q + f) with q >= 0
 * an integer given by its low 32 bits and big = (q >= 2^32), and f in
 * [0, 1) described by cls: 0 f = 0, 1 f < 1/2, 2 f = 1/2, 3 f > 1/2.
 */
static ac_q16 la_finish(uint32_t q_lo, int big, unsigned cls, int neg, ac_rounding rnd,
                        ac_overflow ovf, ac_status *st)
{
    uint32_t inc;
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        inc = (cls == 3u || (cls == 2u && (q_lo & 1u))) ? 1u : 0u;
    } else {
        inc = (neg && cls != 0u) ? 1u : 0u; /* floor of a negative non-integer */
    }
    if (!big) {
        int64_t m = (int64_t)q_lo + (int64_t)inc; /* <= 2^32 */
        return ac_q16_fit(neg ? -m : m, ovf, st);
    }
    *st = AC_STATUS_RANGE;
    if (ovf == AC_OVERFLOW_WRAP) {
        uint32_t bits = (uint32_t)((q_lo + inc) & 0xFFFFFFFFu);
        if (neg) {
            bits = (uint32_t)(((uint32_t)0 - bits) & 0xFFFFFFFFu);
        }
        return ac_q16__from_bits(bits);
    }
    return neg ? AC_Q16_MIN : AC_Q16_MAX;
}

/* ======================================================================
 * Rounded division of multiword magnitudes
 * ====================================================================== */

/* A divisor prepared once for many divisions: |D| shifted left by s so that
 * its top limb has bit 31 set. */
typedef struct {
    const uint32_t *v;
    size_t vl;
    unsigned s;
    int neg;
} la_div;

/* mag (len limbs, nonzero) -> d, using store (len + 1 limbs). */
static void la_div_prepare(la_div *d, const uint32_t *mag, size_t len, int neg, uint32_t *store)
{
    len = ac_q16__mw_trim(mag, len);
    d->s = ac_q16__clz32(mag[len - 1]);
    ac_q16__mw_shl_small(store, mag, len, d->s);
    d->v = store;
    d->vl = len;
    d->neg = neg;
}

/* Scratch limbs la_rdiv needs for a numerator of nl limbs, shift e <= 64 and
 * a divisor of vl limbs. */
#define LA_RDIV_SCRATCH(nl, vl) (2u * ((nl) + (vl)) + 12u)

/*
 * (-1)^nneg |num| 2^e / D rounded once and fitted (e <= 64).  When the
 * quotient reaches 2^32 and ovf is not wrap, the result saturates without
 * dividing; under wrap the whole quotient is formed (its low 32 bits are
 * what wrap keeps).
 */
static ac_q16 la_rdiv(const uint32_t *num, size_t nl, int nneg, unsigned e, const la_div *d,
                      ac_rounding rnd, ac_overflow ovf, ac_status *st, uint32_t *scratch)
{
    int neg = nneg != d->neg;
    nl = ac_q16__mw_trim(num, nl);
    if (nl == 0) {
        *st = AC_OK;
        return 0;
    }
    unsigned sh = e + d->s;
    size_t vl = d->vl, ulen = nl + (size_t)(sh / 32u) + 1u;
    uint32_t *u = scratch;
    ac_q16__mw_shl(u, num, nl, sh);
    ulen = ac_q16__mw_trim(u, ulen);
    size_t ul = (ulen > vl ? ulen : vl) + 1u;
    ac_q16__mw_zero(u + ulen, ul - ulen);
    int big = 1;
    if (ul - vl == 1u) {
        big = 0;
    } else if (ul - vl == 2u && ulen == vl + 1u
               && ac_q16__mw_cmp(u + 1, vl, d->v, vl) < 0) {
        ul = vl + 1u; /* the quotient is below 2^32 */
        big = 0;
    }
    if (big && ovf != AC_OVERFLOW_WRAP) {
        *st = AC_STATUS_RANGE;
        return neg ? AC_Q16_MIN : AC_Q16_MAX;
    }
    uint32_t *q = u + ul, *t = q + (ul - vl);
    ac_q16__mw_divmod_norm(q, u, ul, d->v, vl);
    if (big) {
        big = !ac_q16__mw_is_zero(q + 1, ul - vl - 1u);
    }
    unsigned cls = 0;
    if (!ac_q16__mw_is_zero(u, vl)) {
        ac_q16__mw_sub(t, d->v, vl, u, vl); /* D - r (both scaled by 2^s) */
        int c = ac_q16__mw_cmp(u, vl, t, vl);
        cls = c < 0 ? 1u : (c == 0 ? 2u : 3u);
    }
    return la_finish(q[0], big, cls, neg, rnd, ovf, st);
}

/* (-1)^neg |mag| / 2^sh rounded once and fitted (the determinant). */
static ac_q16 la_rshift_round(const uint32_t *mag, size_t len, int neg, unsigned sh,
                              ac_rounding rnd, ac_overflow ovf, ac_status *st)
{
    len = ac_q16__mw_trim(mag, len);
    size_t w = (size_t)(sh / 32u);
    unsigned b = sh % 32u;
    uint32_t q_lo = 0;
    int big = 0;
    if (w < len) {
        q_lo = mag[w] >> b;
        if (b != 0 && w + 1u < len) {
            q_lo |= (uint32_t)((mag[w + 1] << (32u - b)) & 0xFFFFFFFFu);
        }
        /* bits at 32 + sh and above */
        size_t w2 = w + 1u;
        if (b == 0) {
            big = !ac_q16__mw_is_zero(mag + w2, len > w2 ? len - w2 : 0);
        } else if (w2 < len) {
            big = (mag[w2] >> b) != 0 || !ac_q16__mw_is_zero(mag + w2 + 1, len - w2 - 1u);
        }
    }
    unsigned cls = 0;
    if (sh > 0) {
        /* the half bit (sh - 1) and the bits below it */
        unsigned hb = sh - 1u;
        size_t hw = (size_t)(hb / 32u);
        uint32_t half = hw < len ? (mag[hw] >> (hb % 32u)) & 1u : 0u;
        int below = 0;
        for (size_t i = 0; i < hw && i < len; ++i) {
            below |= mag[i] != 0;
        }
        if (hw < len && (hb % 32u) != 0) {
            below |= (mag[hw] & (((uint32_t)1 << (hb % 32u)) - 1u)) != 0;
        }
        cls = half ? (below ? 3u : 2u) : (below ? 1u : 0u);
    }
    return la_finish(q_lo, big, cls, neg, rnd, ovf, st);
}

/* Two's complement (len limbs) -> magnitude (len limbs) and sign. */
static int la_tc_to_mag(uint32_t *mag, const uint32_t *tc, size_t len)
{
    int neg = len > 0 && (tc[len - 1] >> 31) != 0;
    uint64_t c = 1;
    for (size_t i = 0; i < len; ++i) {
        if (neg) {
            c += (uint64_t)(~tc[i] & 0xFFFFFFFFu);
            mag[i] = (uint32_t)(c & LA_M32);
            c >>= 32;
        } else {
            mag[i] = tc[i];
        }
    }
    return neg;
}

/* Magnitude (len limbs, must fit W limbs with a sign bit) -> W-limb two's
 * complement. */
static void la_mag_to_tc(uint32_t *tc, size_t w, const uint32_t *mag, size_t len, int neg)
{
    uint64_t c = 1;
    for (size_t i = 0; i < w; ++i) {
        uint32_t m = i < len ? mag[i] : 0u;
        if (neg) {
            c += (uint64_t)(~m & 0xFFFFFFFFu);
            tc[i] = (uint32_t)(c & LA_M32);
            c >>= 32;
        } else {
            tc[i] = m;
        }
    }
}

static size_t la_xwords(size_t n)
{
    return (size_t)AC_Q16_XWORDS(n);
}

/* Header check of an exact factor. */
static int la_factor_ok(const uint32_t *f, size_t n)
{
    return f != NULL && f[0] == AC_Q16_FACTOR_MAGIC && (uint64_t)f[1] == (uint64_t)n
           && (uint64_t)f[2] == AC_Q16_XWORDS(n) && (f[3] & ~(uint32_t)1) == 0;
}

static void la_factor_header(uint32_t *f, size_t n, int cholesky)
{
    f[0] = AC_Q16_FACTOR_MAGIC;
    f[1] = (uint32_t)n;
    f[2] = (uint32_t)la_xwords(n);
    f[3] = cholesky ? 1u : 0u;
}

/* ======================================================================
 * Fast engine, n <= 4
 *
 * Bounds (NOTES.md, "fast engine"): 2x2 minors of int32 entries are
 * int64 (|m| <= 2^63 - 2^31); 3x3 minors (cofactors of a 4 x 4) are
 * below 2^96 (Hadamard: 3^(3/2) 2^93); 4 x 4 determinants and Cramer
 * numerators are below 2^128; every partial sum is below 6 * 2^126 <
 * 2^129 (Laplace) or 4 * 2^127 = 2^129 (adj b), so a 160-bit accumulator
 * never wraps.
 * ====================================================================== */

#if AC_HAVE_INT128
/* value = top * 2^128 + lo (lo read as unsigned) */
typedef struct {
    ac__u128 lo;
    int64_t top;
} f_acc;
typedef ac__u128 f_c96; /* a cofactor, two's complement in 128 bits */

static ac__u128 f_s(int64_t v)
{
    return (ac__u128)(__extension__(__int128)v);
}

static void f_zero(f_acc *a)
{
    a->lo = 0;
    a->top = 0;
}

/* a += p, p a two's complement value in (-2^127, 2^127) */
static void f_add(f_acc *a, ac__u128 p)
{
    ac__u128 s = a->lo + p;
    a->top += (int64_t)(s < p) - (int64_t)(p >> 127);
    a->lo = s;
}

static void f_addmul64(f_acc *a, int64_t x, int64_t y, int neg)
{
    ac__u128 p = f_s(x) * f_s(y); /* |x y| < 2^126: exact modulo 2^128 */
    f_add(a, neg ? (ac__u128)0 - p : p);
}

static void f_addmul32x64(f_acc *a, int32_t e, int64_t m, int neg)
{
    ac__u128 p = f_s(e) * f_s(m);
    f_add(a, neg ? (ac__u128)0 - p : p);
}

static void f_addmul32c(f_acc *a, int32_t e, f_c96 c)
{
    f_add(a, f_s(e) * c); /* |e c| < 2^127 */
}

static f_c96 f_c96_from_i64(int64_t v)
{
    return f_s(v);
}

/* the accumulator's value as a cofactor (|value| < 2^96) */
static f_c96 f_cof(const f_acc *a)
{
    return a->lo;
}

static int f_c96_mag(f_c96 c, uint32_t m[5])
{
    int neg = (int)(c >> 127);
    ac__u128 u = neg ? (ac__u128)0 - c : c;
    for (unsigned i = 0; i < 4u; ++i) {
        m[i] = (uint32_t)((u >> (32u * i)) & LA_M32);
    }
    m[4] = 0;
    return neg;
}

static int f_mag(const f_acc *a, uint32_t m[5])
{
    ac__u128 lo = a->lo;
    int64_t top = a->top;
    int neg = top < 0;
    if (neg) {
        /* negate the 192-bit (top, lo); |value| < 2^159 */
        top = -top - (lo != 0 ? 1 : 0);
        lo = (ac__u128)0 - lo;
    }
    for (unsigned i = 0; i < 4u; ++i) {
        m[i] = (uint32_t)((lo >> (32u * i)) & LA_M32);
    }
    m[4] = (uint32_t)((uint64_t)top & LA_M32);
    return neg;
}

static void f_c96_words(f_c96 c, uint32_t w[4])
{
    for (unsigned i = 0; i < 4u; ++i) {
        w[i] = (uint32_t)((c >> (32u * i)) & LA_M32);
    }
}

static f_c96 f_c96_from_words(const uint32_t w[4])
{
    return (ac__u128)w[0] | ((ac__u128)w[1] << 32) | ((ac__u128)w[2] << 64) | ((ac__u128)w[3] << 96);
}

static void f_acc_words(const f_acc *a, uint32_t w[5])
{
    for (unsigned i = 0; i < 4u; ++i) {
        w[i] = (uint32_t)((a->lo >> (32u * i)) & LA_M32);
    }
    w[4] = (uint32_t)((uint64_t)a->top & LA_M32);
}

static void f_acc_from_words(f_acc *a, const uint32_t w[5])
{
    a->lo = f_c96_from_words(w);
    a->top = (w[4] >> 31) ? -(int64_t)(((~w[4]) & LA_M32) + 1u) : (int64_t)w[4];
}
#else
/* two's complement, 160 bits, limb 0 least significant */
typedef struct {
    uint32_t w[5];
} f_acc;
/* a cofactor: sign and 96-bit magnitude */
typedef struct {
    uint32_t m[3];
    uint32_t neg;
} f_c96;

static void f_zero(f_acc *a)
{
    for (unsigned i = 0; i < 5u; ++i) {
        a->w[i] = 0;
    }
}

/* a += (-1)^neg p for a 4-limb magnitude p, branch-free: the negation is
 * the ones' complement plus a carry-in, sign-extended into limb 4. */
static void f_addmag(f_acc *a, const uint32_t p[4], int neg)
{
    uint32_t m = (uint32_t)0 - (uint32_t)(neg != 0);
    uint64_t t = (uint64_t)a->w[0] + (p[0] ^ m) + (m & 1u);
    a->w[0] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + a->w[1] + (p[1] ^ m);
    a->w[1] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + a->w[2] + (p[2] ^ m);
    a->w[2] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + a->w[3] + (p[3] ^ m);
    a->w[3] = (uint32_t)(t & LA_M32);
    a->w[4] = (uint32_t)((a->w[4] + (t >> 32) + m) & LA_M32);
}

/* |v| without a branch */
static uint64_t f_abs64(int64_t v)
{
    uint64_t s = (uint64_t)0 - (uint64_t)(v < 0);
    return ((uint64_t)v ^ s) - s;
}

static void f_addmul32x64(f_acc *a, int32_t e, int64_t m, int neg)
{
    uint64_t ue = la_abs32(e), um = f_abs64(m);
    uint64_t p0 = ue * (um & LA_M32), p1 = ue * (um >> 32);
    uint64_t mid = (p0 >> 32) + (p1 & LA_M32);
    uint32_t p[4];
    p[0] = (uint32_t)(p0 & LA_M32);
    p[1] = (uint32_t)(mid & LA_M32);
    p[2] = (uint32_t)(((mid >> 32) + (p1 >> 32)) & LA_M32);
    p[3] = 0;
    f_addmag(a, p, neg != ((e < 0) != (m < 0)));
}

static void f_addmul32c(f_acc *a, int32_t e, f_c96 c)
{
    uint64_t ue = la_abs32(e);
    uint64_t p0 = ue * c.m[0], p1 = ue * c.m[1], p2 = ue * c.m[2];
    uint64_t t = (p0 >> 32) + (p1 & LA_M32);
    uint32_t p[4];
    p[0] = (uint32_t)(p0 & LA_M32);
    p[1] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + (p1 >> 32) + (p2 & LA_M32);
    p[2] = (uint32_t)(t & LA_M32);
    p[3] = (uint32_t)(((t >> 32) + (p2 >> 32)) & LA_M32);
    f_addmag(a, p, (e < 0) != (c.neg != 0));
}

static f_c96 f_c96_from_i64(int64_t v)
{
    f_c96 c;
    uint64_t u = f_abs64(v);
    c.m[0] = (uint32_t)(u & LA_M32);
    c.m[1] = (uint32_t)(u >> 32);
    c.m[2] = 0;
    c.neg = v < 0 ? 1u : 0u;
    return c;
}

static int f_mag(const f_acc *a, uint32_t m[5])
{
    return la_tc_to_mag(m, a->w, 5);
}

static f_c96 f_c96_from_words(const uint32_t w[4]);

/* the accumulator's value as a cofactor (|value| < 2^96) */
static f_c96 f_cof(const f_acc *a)
{
    return f_c96_from_words(a->w);
}

static int f_c96_mag(f_c96 c, uint32_t m[5])
{
    m[0] = c.m[0];
    m[1] = c.m[1];
    m[2] = c.m[2];
    m[3] = 0;
    m[4] = 0;
    return (int)c.neg;
}

static void f_c96_words(f_c96 c, uint32_t w[4])
{
    uint32_t m = (uint32_t)0 - (c.neg & 1u); /* all ones when negative */
    uint64_t t = (uint64_t)(c.m[0] ^ m) + (m & 1u);
    w[0] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + (c.m[1] ^ m);
    w[1] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + (c.m[2] ^ m);
    w[2] = (uint32_t)(t & LA_M32);
    w[3] = (uint32_t)(((t >> 32) + m) & LA_M32);
}

/* four limbs of a value below 2^96 in magnitude -> sign and magnitude */
static f_c96 f_c96_from_words(const uint32_t w[4])
{
    f_c96 c;
    uint32_t m = (uint32_t)0 - (w[3] >> 31); /* all ones when negative */
    uint64_t t = (uint64_t)(w[0] ^ m) + (m & 1u);
    c.m[0] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + (w[1] ^ m);
    c.m[1] = (uint32_t)(t & LA_M32);
    t = (t >> 32) + (w[2] ^ m);
    c.m[2] = (uint32_t)(t & LA_M32);
    c.neg = m & 1u;
    return c;
}

static void f_acc_words(const f_acc *a, uint32_t w[5])
{
    for (unsigned i = 0; i < 5u; ++i) {
        w[i] = a->w[i];
    }
}

static void f_acc_from_words(f_acc *a, const uint32_t w[5])
{
    for (unsigned i = 0; i < 5u; ++i) {
        a->w[i] = w[i];
    }
}
#endif

#if !AC_HAVE_INT128
/*
 * Products of 2x2 minors on 32-bit targets: each minor (|m| < 2^63) is
 * split once into three radix-2^21 digits m = d2 2^42 + d1 2^21 + d0 with
 * d0, d1 in [0, 2^21) and d2 in [-2^21, 2^21); a product of two minors is
 * then nine int32 x int32 -> int64 products (one SMLAL each on ARMv7-M)
 * added into five int64 column sums of weight 2^(21 k).  Each digit product
 * is at most 2^42, a column takes at most 3 per term and 6 terms, so
 * |column| < 18 * 2^42 < 2^47: no column can overflow, and the carries are
 * propagated once per accumulator.
 */
typedef struct {
    int32_t d[3];
} f_dig;

typedef struct {
    int64_t c[5];
} f_cols;

static f_dig f_digits(int64_t v)
{
    uint64_t u = (uint64_t)v;
    f_dig r;
    r.d[0] = (int32_t)(u & 0x1FFFFFu);
    r.d[1] = (int32_t)((u >> 21) & 0x1FFFFFu);
    /* floor(v / 2^42): u >> 42 is below 2^22, minus 2^22 for negative v */
    r.d[2] = (int32_t)(u >> 42) - (v < 0 ? (int32_t)0x400000 : (int32_t)0);
    return r;
}

/* sum over k < 6 of (-1)^(bit k of negs) x[k] y[k], as column sums
 * (the columns stay in registers across the six terms) */
static void f_cols_sum6(const f_dig *const x[6], const f_dig *const y[6], unsigned negs,
                        f_cols *out)
{
    int64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0;
    for (unsigned k = 0; k < 6u; ++k) {
        int32_t x0 = x[k]->d[0], x1 = x[k]->d[1], x2 = x[k]->d[2];
        int32_t y0 = y[k]->d[0], y1 = y[k]->d[1], y2 = y[k]->d[2];
        if ((negs >> k) & 1u) {
            x0 = -x0;
            x1 = -x1;
            x2 = -x2;
        }
        c0 += (int64_t)x0 * y0;
        c1 += (int64_t)x0 * y1;
        c1 += (int64_t)x1 * y0;
        c2 += (int64_t)x0 * y2;
        c2 += (int64_t)x1 * y1;
        c2 += (int64_t)x2 * y0;
        c3 += (int64_t)x1 * y2;
        c3 += (int64_t)x2 * y1;
        c4 += (int64_t)x2 * y2;
    }
    out->c[0] = c0;
    out->c[1] = c1;
    out->c[2] = c2;
    out->c[3] = c3;
    out->c[4] = c4;
}

/* sum over k < 3 of (-1)^(bit k of negs) e[k] m[k] for int32 e[k] (two
 * digits: e = e1 2^21 + e0, e0 in [0, 2^21), e1 in [-2^10, 2^10)) and
 * minors m[k] in digits: four columns (the fifth is 0). */
static void f_cols_sum3(const int32_t e[3], const f_dig *const m[3], unsigned negs, f_cols *out)
{
    int64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (unsigned k = 0; k < 3u; ++k) {
        uint32_t ue = (uint32_t)e[k];
        int32_t e0 = (int32_t)(ue & 0x1FFFFFu);
        int32_t e1 = (int32_t)(ue >> 21) - (e[k] < 0 ? (int32_t)0x800 : (int32_t)0);
        int32_t m0 = m[k]->d[0], m1 = m[k]->d[1], m2 = m[k]->d[2];
        if ((negs >> k) & 1u) {
            e0 = -e0;
            e1 = -e1;
        }
        c0 += (int64_t)e0 * m0;
        c1 += (int64_t)e0 * m1;
        c1 += (int64_t)e1 * m0;
        c2 += (int64_t)e0 * m2;
        c2 += (int64_t)e1 * m1;
        c3 += (int64_t)e1 * m2;
    }
    out->c[0] = c0;
    out->c[1] = c1;
    out->c[2] = c2;
    out->c[3] = c3;
    out->c[4] = 0;
}

/* The column sums as a 160-bit two's complement accumulator. */
static void f_cols_to_acc(const f_cols *a, f_acc *out)
{
    uint32_t dig[4];
    int64_t c = a->c[0];
    for (unsigned k = 0; k < 4u; ++k) {
        uint64_t u = (uint64_t)c;
        dig[k] = (uint32_t)(u & 0x1FFFFFu);
        /* floor(c / 2^21) without shifting a negative value */
        int64_t carry = (int64_t)(u >> 21) - (c < 0 ? ((int64_t)1 << 43) : (int64_t)0);
        c = a->c[k + 1u] + carry;
    }
    /* value = c 2^84 + sum dig[k] 2^(21 k), |c| < 2^45 */
    uint64_t tu = (uint64_t)c;
    uint64_t lo = (uint64_t)dig[0] | ((uint64_t)dig[1] << 21) | ((uint64_t)dig[2] << 42)
                  | ((uint64_t)dig[3] << 63);
    uint64_t mid = (uint64_t)(dig[3] >> 1) | (tu << 20);
    out->w[0] = (uint32_t)(lo & LA_M32);
    out->w[1] = (uint32_t)(lo >> 32);
    out->w[2] = (uint32_t)(mid & LA_M32);
    out->w[3] = (uint32_t)(mid >> 32);
    out->w[4] = (uint32_t)((tu >> 44) & 0xFFFFFu) | (c < 0 ? 0xFFF00000u : 0u);
}
#endif

/* ---- one division per output: q = floor(2^e |N| / |D|) below 2^32 ------ */

typedef struct {
    int neg;
#if AC_HAVE_INT128
    ac__u128 mag;     /* |D| */
    ac__u128 vn;      /* |D| << s128: bit 127 set */
    uint64_t dd;     /* its top 32 bits */
    unsigned s128;
#else
    uint32_t v[4];   /* |D| << s, top limb >= 2^31 */
    size_t vl;
    unsigned s;
    uint32_t v1, v2; /* its top two 16-bit digits (unused by the 32-bit digit path) */
    la_div gen;      /* the same for the generic routine (wrap of huge results) */
    uint32_t gstore[6];
#endif
} f_div;

#if AC_HAVE_INT128
/* |D| (nonzero, below 2^128) -> f_div */
static void f_div_prepare128(f_div *d, ac__u128 m, int neg)
{
    uint64_t h = (uint64_t)(m >> 64), l = (uint64_t)m;
    /* the 128-bit path exists only with GCC-compatible compilers */
    unsigned z = h ? (unsigned)__builtin_clzll(h) : 64u + (unsigned)__builtin_clzll(l);
    d->neg = neg;
    d->mag = m;
    d->vn = m << z;
    d->dd = (uint64_t)(d->vn >> 96);
    d->s128 = z;
}
#endif

/* |D| (5 limbs, nonzero, below 2^128) -> f_div */
static void f_div_prepare(f_div *d, const uint32_t m[5], int neg)
{
#if AC_HAVE_INT128
    f_div_prepare128(d, f_c96_from_words(m), neg);
#else
    la_div_prepare(&d->gen, m, 5, neg, d->gstore);
    d->vl = d->gen.vl;
    d->s = d->gen.s;
    d->neg = neg;
    for (size_t i = 0; i < 4u; ++i) {
        d->v[i] = i < d->vl ? d->gstore[i] : 0u;
    }
    d->v1 = d->v[d->vl - 1] >> 16;
    d->v2 = d->v[d->vl - 1] & 0xFFFFu;
#endif
}

#if !AC_HAVE_INT128
/* floor((nh 2^32 + nl) / d) and the remainder, for d >= 2^31 and nh < d,
 * from two 16-bit digits: only 32-bit divisions (one UDIV each on M3/M4). */
static uint32_t f_divlu(uint32_t nh, uint32_t nl, uint32_t d, uint32_t *rem)
{
    uint32_t dh = d >> 16, dl = d & 0xFFFFu, n1 = nl >> 16, n0 = nl & 0xFFFFu;
    uint32_t q1 = nh / dh, r = nh - q1 * dh;
    while (q1 > 0xFFFFu || q1 * dl > ((r << 16) | n1)) {
        q1 -= 1;
        r += dh;
        if (r > 0xFFFFu) {
            break;
        }
    }
    /* the partial remainder is below d, so arithmetic modulo 2^32 is exact */
    uint32_t un = (uint32_t)((((nh << 16) | n1) - q1 * d) & 0xFFFFFFFFu);
    uint32_t q0 = un / dh;
    r = un - q0 * dh;
    while (q0 > 0xFFFFu || q0 * dl > ((r << 16) | n0)) {
        q0 -= 1;
        r += dh;
        if (r > 0xFFFFu) {
            break;
        }
    }
    *rem = (uint32_t)((((un << 16) | n0) - q0 * d) & 0xFFFFFFFFu);
    return (q1 << 16) | q0;
}

/* u[0 .. vl] += v; returns the carry out of limb vl (1: back to >= 0). */
static uint32_t f_addback(uint32_t *u, const uint32_t *v, size_t vl)
{
    uint64_t c = 0;
    for (size_t i = 0; i < vl; ++i) {
        c += (uint64_t)u[i] + v[i];
        u[i] = (uint32_t)(c & LA_M32);
        c >>= 32;
    }
    c += u[vl];
    u[vl] = (uint32_t)(c & LA_M32);
    return (uint32_t)(c >> 32);
}

/* The remainder r (< v, vl limbs) against half of v: 0 r = 0, 1 below,
 * 2 equal, 3 above. */
static unsigned f_class(const uint32_t *r, const uint32_t *v, size_t vl)
{
    uint32_t t[4], zero = 0;
    uint64_t b = 0;
    for (size_t i = 0; i < vl; ++i) {
        zero |= r[i];
        uint64_t x = (uint64_t)v[i] - r[i] - b;
        t[i] = (uint32_t)(x & LA_M32);
        b = (x >> 32) & 1u;
    }
    if (zero == 0) {
        return 0;
    }
    for (size_t i = vl; i-- > 0;) {
        if (r[i] != t[i]) {
            return r[i] < t[i] ? 1u : 3u;
        }
    }
    return 2u;
}
#endif

#if AC_HAVE_INT128
/* q = floor(un / vn) for un = hi 2^128 + lo < 2^32 vn (bit 127 of vn set):
 * a 64-by-32-bit estimate from the top words (at most 5 too large, 1 too
 * small), corrected with the exact remainder; returns q, r in *r. */
static uint32_t f_div128(ac__u128 hi, ac__u128 lo, const f_div *d, ac__u128 *r)
{
    uint64_t t = (uint64_t)((hi << 32) | (lo >> 96));
    uint64_t q = t / d->dd;
    /* (rh, rl) = un - q vn, q < 2^34 */
    ac__u128 vn = d->vn;
    ac__u128 plo = (ac__u128)q * (uint64_t)vn; /* q times the low 64 bits */
    ac__u128 phi = (ac__u128)q * (uint64_t)(vn >> 64);
    /* q vn = phi 2^64 + plo */
    ac__u128 pl = plo + (phi << 64);
    ac__u128 ph = (phi >> 64) + (pl < plo ? 1u : 0u);
    ac__u128 rl = lo - pl;
    int64_t rh = (int64_t)hi - (int64_t)ph - (lo < pl ? 1 : 0); /* hi < 2^32, ph < 2^35 */
    while (rh < 0) {
        q -= 1;
        ac__u128 s = rl + vn;
        rh += (int64_t)(s < rl);
        rl = s;
    }
    while (rh > 0 || rl >= vn) {
        q += 1;
        rh -= (int64_t)(rl < vn);
        rl -= vn;
    }
    *r = rl;
    return (uint32_t)q;
}
#endif

/* Wrap of a huge quotient (or a numerator from out-of-bound words): the
 * generic routine forms the whole quotient.  neg is the final sign. */
LA_NOINLINE static ac_q16 f_qdiv_wrap(const uint32_t n[5], int neg, unsigned e, const f_div *d,
                          ac_rounding rnd, ac_overflow ovf, ac_status *st)
{
    uint32_t scratch[LA_RDIV_SCRATCH(5u, 5u)];
#if AC_HAVE_INT128
    la_div gen;
    uint32_t m[5], store[6];
    for (unsigned i = 0; i < 4u; ++i) {
        m[i] = (uint32_t)((d->mag >> (32u * i)) & LA_M32);
    }
    m[4] = 0;
    la_div_prepare(&gen, m, 5, d->neg, store);
    return la_rdiv(n, 5, neg != d->neg, e, &gen, rnd, ovf, st, scratch);
#else
    return la_rdiv(n, 5, neg != d->neg, e, &d->gen, rnd, ovf, st, scratch);
#endif
}

#if AC_HAVE_INT128
/* The same for a numerator magnitude below 2^128, in 128-bit arithmetic. */
static ac_q16 f_qdiv128(ac__u128 nn, int neg, unsigned e, const f_div *d, ac_rounding rnd,
                        ac_overflow ovf, ac_status *st)
{
    neg = neg != d->neg;
    if (nn == 0) {
        *st = AC_OK;
        return 0;
    }
    unsigned sh = e + d->s128; /* < 160 */
    ac__u128 hi, lo;
    if (sh >= 128u) {
        hi = nn << (sh - 128u);
        lo = 0;
        if ((nn >> (256u - sh - 1u) >> 1) != 0) {
            hi = ~(ac__u128)0; /* beyond 2^256: certainly huge */
        }
    } else {
        lo = nn << sh;
        hi = sh ? nn >> (128u - sh) : 0;
    }
    /* q < 2^32 iff floor(un / 2^32) < vn */
    if ((hi >> 32) == 0 && ((hi << 96) | (lo >> 32)) < d->vn) {
        ac__u128 r;
        uint32_t q = f_div128(hi, lo, d, &r);
        unsigned cls = 0;
        if (r != 0) {
            ac__u128 rest = d->vn - r;
            cls = r < rest ? 1u : (r == rest ? 2u : 3u);
        }
        return la_finish(q, 0, cls, neg, rnd, ovf, st);
    }
    if (ovf != AC_OVERFLOW_WRAP) {
        *st = AC_STATUS_RANGE;
        return neg ? AC_Q16_MIN : AC_Q16_MAX;
    }
    uint32_t n[5];
    for (unsigned i = 0; i < 4u; ++i) {
        n[i] = (uint32_t)((nn >> (32u * i)) & LA_M32);
    }
    n[4] = 0;
    return f_qdiv_wrap(n, neg, e, d, rnd, ovf, st);
}
#endif

/* round((-1)^neg 2^e |N| / |D|) and fit it (e is 16 or 32). */
static ac_q16 f_qdiv(const uint32_t n[5], int neg, unsigned e, const f_div *d, ac_rounding rnd,
                     ac_overflow ovf, ac_status *st)
{
    neg = neg != d->neg;
#if AC_HAVE_INT128
    if (n[4] == 0) {
        ac__u128 nn = f_c96_from_words(n);
        return f_qdiv128(nn, neg != d->neg, e, d, rnd, ovf, st);
    }
#else
    /* u = |N| << (e + s), at most 7 limbs */
    uint32_t u[8];
    unsigned sh = e + d->s, ws = sh / 32u, bs = sh % 32u;
    size_t vl = d->vl;
    u[0] = u[1] = u[7] = 0;
    if (bs == 0) {
        for (unsigned i = 0; i < 5u; ++i) {
            u[i + ws] = n[i];
        }
        u[5u + ws] = 0;
        u[6] = ws ? u[6] : 0u;
    } else {
        uint32_t prev = 0;
        for (unsigned i = 0; i < 5u; ++i) {
            u[i + ws] = (uint32_t)((n[i] << bs) & 0xFFFFFFFFu) | prev;
            prev = n[i] >> (32u - bs);
        }
        u[5u + ws] = prev;
        if (ws == 0) {
            u[6] = 0;
        }
    }
    int big = 0;
    for (size_t i = 7; i > vl; --i) {
        big |= u[i] != 0;
    }
    if (!big) {
        /* q < 2^32 iff floor(u / 2^32) < v */
        big = 1;
        for (size_t i = vl; i-- > 0;) {
            if (u[i + 1u] != d->v[i]) {
                big = u[i + 1u] > d->v[i];
                break;
            }
        }
    }
    if (!big) {
        /* one 32-bit quotient digit of the window u[0 .. vl] */
        uint32_t vt = d->v[vl - 1], q, r = 0;
        if (vl == 1u) {
            q = f_divlu(u[1], u[0], vt, &r); /* exact */
            u[0] = r;
        } else {
            if (u[vl] >= vt) {
                q = 0xFFFFFFFFu; /* u[vl] == vt: q <= 2^32 - 1 */
            } else {
                q = f_divlu(u[vl], u[vl - 1], vt, &r);
                /* Knuth's test with the second limb: afterwards q is at most
                 * one too large */
                for (unsigned it = 0; it < 2u; ++it) {
                    if ((uint64_t)q * d->v[vl - 2] <= (((uint64_t)r << 32) | u[vl - 2])) {
                        break;
                    }
                    q -= 1;
                    uint32_t r2 = (uint32_t)((r + vt) & 0xFFFFFFFFu);
                    if (r2 < r) {
                        break;
                    }
                    r = r2;
                }
            }
            if (ac_q16__mw_mulsub(u, d->v, vl, q)) {
                /* add v back until the window is nonnegative again */
                do {
                    q -= 1;
                } while (!f_addback(u, d->v, vl));
            }
        }
        return la_finish(q, 0, f_class(u, d->v, vl), neg, rnd, ovf, st);
    }
    if (ovf != AC_OVERFLOW_WRAP) {
        *st = AC_STATUS_RANGE;
        return neg ? AC_Q16_MIN : AC_Q16_MAX;
    }
#endif
    return f_qdiv_wrap(n, neg, e, d, rnd, ovf, st);
}

/* ---- the exact factor (adj(A), det(A)) for n <= 4 ---------------------- */

typedef struct {
    f_c96 adj[16]; /* row-major n x n; |entry| < 2^96 */
    f_acc det;     /* |det| < 2^128 */
} f_fact;

/* Column pair (c1 < c2) of a 4 x 4 -> 0 .. 5 in the order (0,1) (0,2) (0,3)
 * (1,2) (1,3) (2,3) (no table: AVR would copy it to RAM). */
static unsigned f_pair(unsigned c1, unsigned c2)
{
    return c1 == 0u ? c2 - 1u : (c1 == 1u ? c2 + 1u : 5u);
}

/* 2x2 minors of rows r and r+1 of the 4 x 4 e (row stride 4), by pair. */
static void f_minors(const int32_t *e, unsigned r, int64_t m[6])
{
    const int32_t *x = e + 4u * r, *y = x + 4;
    m[0] = (int64_t)x[0] * y[1] - (int64_t)x[1] * y[0];
    m[1] = (int64_t)x[0] * y[2] - (int64_t)x[2] * y[0];
    m[2] = (int64_t)x[0] * y[3] - (int64_t)x[3] * y[0];
    m[3] = (int64_t)x[1] * y[2] - (int64_t)x[2] * y[1];
    m[4] = (int64_t)x[1] * y[3] - (int64_t)x[3] * y[1];
    m[5] = (int64_t)x[2] * y[3] - (int64_t)x[3] * y[2];
}

static void f_factor(size_t n, const int32_t e[16], f_fact *f, int det_only)
{
    f_zero(&f->det);
    if (n == 1u) {
        f->adj[0] = f_c96_from_i64(1);
        f_addmul32x64(&f->det, e[0], 1, 0);
        return;
    }
    if (n == 2u) {
        /* e has row stride 4 */
        f->adj[0] = f_c96_from_i64(e[5]);
        f->adj[1] = f_c96_from_i64(-(int64_t)e[1]);
        f->adj[2] = f_c96_from_i64(-(int64_t)e[4]);
        f->adj[3] = f_c96_from_i64(e[0]);
        f_addmul32x64(&f->det, e[0], e[5], 0);
        f_addmul32x64(&f->det, e[1], e[4], 1);
        return;
    }
    if (n == 3u) {
        /* cofactor C_ij = (-1)^(i+j) * 2x2 minor (|minor| < 2^63), adj_ji = C_ij */
        for (unsigned i = 0; i < 3u; ++i) {
            if (det_only && i > 0u) {
                break;
            }
            unsigned r0 = i == 0u ? 1u : 0u, r1 = i == 2u ? 1u : 2u;
            for (unsigned j = 0; j < 3u; ++j) {
                unsigned c0 = j == 0u ? 1u : 0u, c1 = j == 2u ? 1u : 2u;
                int64_t m = (int64_t)e[r0 * 4u + c0] * e[r1 * 4u + c1]
                            - (int64_t)e[r0 * 4u + c1] * e[r1 * 4u + c0];
                int odd = (int)((i + j) & 1u);
                f->adj[j * 3u + i] = f_c96_from_i64(odd ? -m : m); /* |m| < 2^63 */
                if (i == 0u) {
                    f_addmul32x64(&f->det, e[j], m, odd);
                }
            }
        }
        return;
    }
    /* n == 4: the 3 x 3 minor without row i expands along row r (the other
     * of rows {0,1}, with the rows {2,3} minors, or the other of {2,3} with
     * the rows {0,1} minors); (-1)^(i+j) and the expansion signs are folded
     * into add/subtract */
    int64_t m01[6], m23[6];
    f_minors(e, 0, m01);
    f_minors(e, 2, m23);
#if !AC_HAVE_INT128
    {
        /* 32-bit targets: digits, column sums (see f_cols_sum6); det by the
         * Laplace expansion along rows {0,1} */
        f_dig d01[6], d23[6];
        f_cols cl;
        for (unsigned p = 0; p < 6u; ++p) {
            d01[p] = f_digits(m01[p]);
            d23[p] = f_digits(m23[p]);
        }
        {
            const f_dig *x[6] = {&d01[0], &d01[1], &d01[2], &d01[3], &d01[4], &d01[5]};
            const f_dig *y[6] = {&d23[5], &d23[4], &d23[3], &d23[2], &d23[1], &d23[0]};
            f_cols_sum6(x, y, 0x12u, &cl);
            f_cols_to_acc(&cl, &f->det);
        }
        if (det_only) {
            return;
        }
        for (unsigned i = 0; i < 4u; ++i) {
            unsigned r = i < 2u ? 1u - i : 5u - i;
            const f_dig *mm = i < 2u ? d23 : d01;
            const int32_t *row = e + 4u * r;
            for (unsigned j = 0; j < 4u; ++j) {
                unsigned c0 = j == 0u ? 1u : 0u, c1 = j <= 1u ? 2u : 1u, c2 = j == 3u ? 2u : 3u;
                unsigned odd = (unsigned)((i + j) & 1u);
                int32_t ev[3] = {row[c0], row[c1], row[c2]};
                const f_dig *mv[3] = {&mm[f_pair(c1, c2)], &mm[f_pair(c0, c2)],
                                      &mm[f_pair(c0, c1)]};
                f_acc acc;
                f_cols_sum3(ev, mv, odd ? 5u : 2u, &cl);
                f_cols_to_acc(&cl, &acc);
                f->adj[j * 4u + i] = f_cof(&acc); /* |C_ij| < 2^96 */
            }
        }
        return;
    }
#endif
    for (unsigned i = 0; i < 4u; ++i) {
        if (det_only && i > 0u) {
            break;
        }
        unsigned r = i < 2u ? 1u - i : 5u - i;
        const int64_t *mm = i < 2u ? m23 : m01;
        const int32_t *row = e + 4u * r;
        for (unsigned j = 0; j < 4u; ++j) {
            unsigned c0 = j == 0u ? 1u : 0u, c1 = j <= 1u ? 2u : 1u, c2 = j == 3u ? 2u : 3u;
            int odd = (int)((i + j) & 1u);
            f_acc acc;
            f_zero(&acc);
            f_addmul32x64(&acc, row[c0], mm[f_pair(c1, c2)], odd);
            f_addmul32x64(&acc, row[c1], mm[f_pair(c0, c2)], !odd);
            f_addmul32x64(&acc, row[c2], mm[f_pair(c0, c1)], odd);
            f->adj[j * 4u + i] = f_cof(&acc); /* |C_ij| < 2^96 */
            if (i == 0u) {
                f_addmul32c(&f->det, e[j], f->adj[j * 4u]); /* |.| < 2^127 */
            }
        }
    }
}

/*
 * det and the Cramer numerators N_i = det(A with column i replaced by b)
 * of a 4 x 4 by Laplace expansion along rows {0,1}: with s, t the 2x2
 * minors of rows {0,1} and {2,3} by column pair and u_c, v_c those of
 * (b, column c), det = sum over pairs P of sign(P) s_P t_(not P), and N_i
 * the same with the pairs containing i taken from u, v.
 */
#if AC_HAVE_INT128
static void f_cramer4(const int32_t e[16], const int32_t b[4], f_acc *det, f_acc num[4],
                      int64_t *lead2)
{
    int64_t s[6], t[6], u[4], v[4];
    f_minors(e, 0, s);
    f_minors(e, 2, t);
    for (unsigned c = 0; c < 4u; ++c) {
        u[c] = (int64_t)b[0] * e[4u + c] - (int64_t)e[c] * b[1];
        v[c] = (int64_t)b[2] * e[12u + c] - (int64_t)e[8u + c] * b[3];
    }
    *lead2 = s[0];
    /* pairs 0 (0,1) 1 (0,2) 2 (0,3) 3 (1,2) 4 (1,3) 5 (2,3); pair p's
     * complement is 5 - p; the Laplace signs are + - + + - + */
    f_zero(det);
    f_addmul64(det, s[0], t[5], 0);
    f_addmul64(det, s[1], t[4], 1);
    f_addmul64(det, s[2], t[3], 0);
    f_addmul64(det, s[3], t[2], 0);
    f_addmul64(det, s[4], t[1], 1);
    f_addmul64(det, s[5], t[0], 0);
    /* N_i: a pair holding column i takes (b, other column) minors, u on
     * rows {0,1} and v on rows {2,3}; the order (column, b) negates */
    f_zero(&num[0]);
    f_addmul64(&num[0], u[1], t[5], 0);
    f_addmul64(&num[0], u[2], t[4], 1);
    f_addmul64(&num[0], u[3], t[3], 0);
    f_addmul64(&num[0], s[3], v[3], 0);
    f_addmul64(&num[0], s[4], v[2], 1);
    f_addmul64(&num[0], s[5], v[1], 0);
    f_zero(&num[1]);
    f_addmul64(&num[1], u[0], t[5], 1);
    f_addmul64(&num[1], s[1], v[3], 1);
    f_addmul64(&num[1], s[2], v[2], 0);
    f_addmul64(&num[1], u[2], t[2], 0);
    f_addmul64(&num[1], u[3], t[1], 1);
    f_addmul64(&num[1], s[5], v[0], 1);
    f_zero(&num[2]);
    f_addmul64(&num[2], s[0], v[3], 0);
    f_addmul64(&num[2], u[0], t[4], 0);
    f_addmul64(&num[2], s[2], v[1], 1);
    f_addmul64(&num[2], u[1], t[2], 1);
    f_addmul64(&num[2], s[4], v[0], 0);
    f_addmul64(&num[2], u[3], t[0], 0);
    f_zero(&num[3]);
    f_addmul64(&num[3], s[0], v[2], 1);
    f_addmul64(&num[3], s[1], v[1], 0);
    f_addmul64(&num[3], u[0], t[3], 1);
    f_addmul64(&num[3], s[3], v[0], 1);
    f_addmul64(&num[3], u[1], t[1], 0);
    f_addmul64(&num[3], u[2], t[0], 1);
}
#else
static void f_cramer4(const int32_t e[16], const int32_t b[4], f_acc *det, f_acc num[4],
                      int64_t *lead2)
{
    int64_t s6[6], t6[6], u4[4], v4[4];
    f_dig s[6], t[6], u[4], v[4];
    f_cols cl;
    f_minors(e, 0, s6);
    f_minors(e, 2, t6);
    for (unsigned c = 0; c < 4u; ++c) {
        u4[c] = (int64_t)b[0] * e[4u + c] - (int64_t)e[c] * b[1];
        v4[c] = (int64_t)b[2] * e[12u + c] - (int64_t)e[8u + c] * b[3];
        u[c] = f_digits(u4[c]);
        v[c] = f_digits(v4[c]);
    }
    for (unsigned p = 0; p < 6u; ++p) {
        s[p] = f_digits(s6[p]);
        t[p] = f_digits(t6[p]);
    }
    *lead2 = s6[0];
    /* the same terms as the 128-bit version above; bit k of the mask is the
     * sign of term k */
    {
        const f_dig *x[6] = {&s[0], &s[1], &s[2], &s[3], &s[4], &s[5]};
        const f_dig *y[6] = {&t[5], &t[4], &t[3], &t[2], &t[1], &t[0]};
        f_cols_sum6(x, y, 0x12u, &cl);
        f_cols_to_acc(&cl, det);
    }
    {
        const f_dig *x[6] = {&u[1], &u[2], &u[3], &s[3], &s[4], &s[5]};
        const f_dig *y[6] = {&t[5], &t[4], &t[3], &v[3], &v[2], &v[1]};
        f_cols_sum6(x, y, 0x12u, &cl);
        f_cols_to_acc(&cl, &num[0]);
    }
    {
        const f_dig *x[6] = {&u[0], &s[1], &s[2], &u[2], &u[3], &s[5]};
        const f_dig *y[6] = {&t[5], &v[3], &v[2], &t[2], &t[1], &v[0]};
        f_cols_sum6(x, y, 0x33u, &cl);
        f_cols_to_acc(&cl, &num[1]);
    }
    {
        const f_dig *x[6] = {&s[0], &u[0], &s[2], &u[1], &s[4], &u[3]};
        const f_dig *y[6] = {&v[3], &t[4], &v[1], &t[2], &v[0], &t[0]};
        f_cols_sum6(x, y, 0x0Cu, &cl);
        f_cols_to_acc(&cl, &num[2]);
    }
    {
        const f_dig *x[6] = {&s[0], &s[1], &u[0], &s[3], &u[1], &u[2]};
        const f_dig *y[6] = {&v[2], &v[1], &t[3], &v[0], &t[1], &t[0]};
        f_cols_sum6(x, y, 0x2Du, &cl);
        f_cols_to_acc(&cl, &num[3]);
    }
}
#endif

/* round((-1)^flip 2^e num / det) for an accumulator num. */
static ac_q16 f_qdiv_acc(const f_acc *num, int flip, unsigned e, const f_div *d, ac_rounding rnd,
                         ac_overflow ovf, ac_status *st)
{
    uint32_t mag[5];
#if AC_HAVE_INT128
    if (num->top == 0 || num->top == -1) {
        /* |num| < 2^128 (always, for true factors): stay in 128 bits */
        int neg = num->top < 0;
        ac__u128 m = neg ? (ac__u128)0 - num->lo : num->lo;
        if (!neg || m != 0) {
            return f_qdiv128(m, neg != flip, e, d, rnd, ovf, st);
        }
    }
#endif
    int neg = f_mag(num, mag);
    return f_qdiv(mag, neg != flip, e, d, rnd, ovf, st);
}

/* round((-1)^flip 2^e (sum_l adj_il v_l) / det) for one output. */
static ac_q16 f_apply(const f_fact *f, const f_div *fd, size_t n, size_t i, const ac_q16 *v,
                      ptrdiff_t vs, unsigned e, int flip, ac_rounding rnd, ac_overflow ovf,
                      ac_status *st)
{
    f_acc acc;
    f_zero(&acc);
    for (size_t l = 0; l < n; ++l) {
        f_addmul32c(&acc, v[(ptrdiff_t)l * vs], f->adj[i * n + l]);
    }
    return f_qdiv_acc(&acc, flip, e, fd, rnd, ovf, st);
}

/* round(2^e adj_ij / det) */
static ac_q16 f_apply_entry(const f_fact *f, const f_div *fd, size_t n, size_t i, size_t j,
                            unsigned e, ac_rounding rnd, ac_overflow ovf, ac_status *st)
{
    uint32_t mag[5];
    int neg = f_c96_mag(f->adj[i * n + j], mag);
    return f_qdiv(mag, neg, e, fd, rnd, ovf, st);
}

static int f_acc_zero(const f_acc *a)
{
#if AC_HAVE_INT128
    return a->top == 0 && a->lo == 0;
#else
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3] | a->w[4]) == 0;
#endif
}

static int f_det_zero(const f_fact *f)
{
    return f_acc_zero(&f->det);
}

static void f_div_from(f_div *fd, const f_acc *det)
{
    uint32_t m[5];
    int neg;
#if AC_HAVE_INT128
    if (det->top == 0 || (det->top == -1 && det->lo != 0)) {
        neg = det->top < 0;
        f_div_prepare128(fd, neg ? (ac__u128)0 - det->lo : det->lo, neg);
        return;
    }
#endif
    neg = f_mag(det, m);
    f_div_prepare(fd, m, neg);
}

static void f_load(size_t n, const ac_q16 *a, ptrdiff_t sr, ptrdiff_t sc, int sym, int32_t e[16])
{
    for (size_t i = 0; i < n; ++i) {
        const ac_q16 *row = a + (ptrdiff_t)i * sr, *col = a + (ptrdiff_t)i * sc;
        for (size_t j = 0; j < n; ++j) {
            /* the symmetric matrix reads (j, i) above the diagonal */
            e[i * 4u + j] = (sym && j > i) ? col[(ptrdiff_t)j * sr] : row[(ptrdiff_t)j * sc];
        }
    }
}

static int f_acc_positive(const f_acc *a)
{
    uint32_t m[5];
    int neg = f_mag(a, m);
    return !neg && (m[0] | m[1] | m[2] | m[3] | m[4]) != 0;
}

/* Leading principal minors 1 .. n-1 of e all > 0 (the n-th is det, checked
 * by the caller); lead2 = the 2x2 leading minor. */
static int f_leading_positive(size_t n, const int32_t e[16], int64_t lead2)
{
    if (e[0] <= 0 || (n >= 3u && lead2 <= 0)) {
        return 0;
    }
    if (n == 4u) {
        /* the leading 3 x 3 along row 2 with rows {0,1} minors */
        int64_t s12 = (int64_t)e[1] * e[6] - (int64_t)e[2] * e[5];
        int64_t s02 = (int64_t)e[0] * e[6] - (int64_t)e[2] * e[4];
        f_acc d3;
        f_zero(&d3);
        f_addmul32x64(&d3, e[8], s12, 0);
        f_addmul32x64(&d3, e[9], s02, 1);
        f_addmul32x64(&d3, e[10], lead2, 0);
        return f_acc_positive(&d3);
    }
    return 1;
}

static int64_t f_lead2(const int32_t e[16])
{
    return (int64_t)e[0] * e[5] - (int64_t)e[1] * e[4];
}

/* Fast factor -> words (the factor layout). */
static void f_store(const f_fact *f, size_t n, int cholesky, uint32_t *out)
{
    size_t w = la_xwords(n);
    uint32_t tc[5];
    la_factor_header(out, n, cholesky);
    f_acc_words(&f->det, tc);
    for (size_t l = 0; l < w; ++l) {
        out[4 + l] = tc[l < 5u ? l : 4u];
    }
    for (size_t ij = 0; ij < n * n; ++ij) {
        f_c96_words(f->adj[ij], tc);
        uint32_t fill = (tc[3] >> 31) ? 0xFFFFFFFFu : 0u;
        for (size_t l = 0; l < w; ++l) {
            out[4 + w + ij * w + l] = l < 4u ? tc[l] : fill;
        }
    }
}

/* A w-limb two's complement integer is below 2^(32 k) in magnitude. */
static int f_fits(const uint32_t *x, size_t w, size_t k)
{
    if (k >= w) {
        return 1;
    }
    uint32_t fill = (x[w - 1] >> 31) ? 0xFFFFFFFFu : 0u, low = 0;
    for (size_t l = k; l < w; ++l) {
        if (x[l] != fill) {
            return 0;
        }
    }
    for (size_t l = 0; l < k; ++l) {
        low |= x[l];
    }
    return !(fill != 0 && low == 0); /* -2^(32 k) itself is out */
}

/* The low limbs of a two's complement integer, sign-extended to `len`. */
static void f_sext(uint32_t *out, size_t len, const uint32_t *x, size_t w)
{
    uint32_t fill = (x[w - 1] >> 31) ? 0xFFFFFFFFu : 0u;
    for (size_t l = 0; l < len; ++l) {
        out[l] = l < w ? x[l] : fill;
    }
}

/* Words -> fast factor, checking the bounds the fast engine relies on:
 * |det| < 2^128, |adj_ij| < 2^96. */
static int f_read(const uint32_t *in, size_t n, f_fact *f)
{
    size_t w = la_xwords(n);
    uint32_t tc[5];
    if (!f_fits(in + 4, w, 4)) {
        return 0;
    }
    f_sext(tc, 5, in + 4, w);
    f_acc_from_words(&f->det, tc);
    for (size_t ij = 0; ij < n * n; ++ij) {
        const uint32_t *x = in + 4 + w + ij * w;
        if (!f_fits(x, w, 3)) {
            return 0;
        }
        f_sext(tc, 4, x, w);
        f->adj[ij] = f_c96_from_words(tc);
    }
    return 1;
}

/* ======================================================================
 * General engine: sign-magnitude multiword slots and Bareiss elimination
 * ====================================================================== */

/* A slot is 1 + W words: header (limb count | sign << 31), then W limbs. */
typedef struct {
    size_t w;       /* limbs per slot */
    size_t sw;      /* words per slot = w + 1 */
    uint32_t *tmp;  /* scratch: 16 w + 32 words */
} la_eng;

static size_t s_len(const uint32_t *s)
{
    return (size_t)(s[0] & 0x7FFFFFFFu);
}

static int s_neg(const uint32_t *s)
{
    return (int)(s[0] >> 31);
}

static void s_set(uint32_t *s, size_t len, int neg)
{
    s[0] = (uint32_t)len | ((neg && len) ? 0x80000000u : 0u);
}

static void s_from_i32(uint32_t *s, int32_t v)
{
    s[1] = la_abs32(v);
    s_set(s, v != 0 ? 1u : 0u, v < 0);
}

static void s_swap(const la_eng *g, uint32_t *a, uint32_t *b)
{
    for (size_t i = 0; i < g->sw; ++i) {
        uint32_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* -1, 0, 1: |a| vs |b| */
static int s_cmp_mag(const uint32_t *a, const uint32_t *b)
{
    return ac_q16__mw_cmp(a + 1, s_len(a), b + 1, s_len(b));
}

static int s_sign(const uint32_t *s)
{
    return s_len(s) == 0 ? 0 : (s_neg(s) ? -1 : 1);
}

/* An exact divisor (a Bareiss pivot) with its sign. */
typedef struct {
    ac_q16__mw_xdiv x;
    int neg;
} la_xd;

static void s_xd_prepare(la_xd *d, const uint32_t *slot, uint32_t *store)
{
    ac_q16__mw_xdiv_prepare(&d->x, slot + 1, s_len(slot), store);
    d->neg = s_neg(slot);
}

/*
 * x <- (p x - a b) / d exactly (Bareiss step; d's divisor prepared in dv,
 * or dv NULL for d = 1).  Every operand is a minor bounded by the Hadamard
 * bound H, so the products fit 2 W limbs and the quotient W limbs.
 */
static void s_bareiss(const la_eng *g, uint32_t *x, const uint32_t *p, const uint32_t *a,
                      const uint32_t *b, const la_xd *dv)
{
    size_t w = g->w;
    uint32_t *t1 = g->tmp, *t2 = t1 + 2 * w + 2, *sc = t2 + 2 * w + 2;
    size_t l1 = 0, l2 = 0;
    int n1 = 0, n2 = 0;
    if (s_len(p) != 0 && s_len(x) != 0) {
        l1 = s_len(p) + s_len(x);
        ac_q16__mw_mul(t1, p + 1, s_len(p), x + 1, s_len(x));
        l1 = ac_q16__mw_trim(t1, l1);
        n1 = s_neg(p) != s_neg(x);
    }
    if (s_len(a) != 0 && s_len(b) != 0) {
        l2 = s_len(a) + s_len(b);
        ac_q16__mw_mul(t2, a + 1, s_len(a), b + 1, s_len(b));
        l2 = ac_q16__mw_trim(t2, l2);
        n2 = !(s_neg(a) != s_neg(b)); /* the sign of -a b */
    }
    /* r = (-1)^n1 t1 + (-1)^n2 t2 into t1 */
    size_t lr;
    int nr;
    if (l2 == 0) {
        lr = l1;
        nr = n1;
    } else if (l1 == 0) {
        ac_q16__mw_copy(t1, t2, l2);
        lr = l2;
        nr = n2;
    } else if (n1 == n2) {
        if (l1 >= l2) {
            ac_q16__mw_add(t1, t1, l1, t2, l2);
            lr = l1 + 1u;
        } else {
            ac_q16__mw_add(t1, t2, l2, t1, l1);
            lr = l2 + 1u;
        }
        nr = n1;
    } else {
        int c = ac_q16__mw_cmp(t1, l1, t2, l2);
        if (c >= 0) {
            ac_q16__mw_sub(t1, t1, l1, t2, l2);
            lr = l1;
            nr = n1;
        } else {
            ac_q16__mw_sub(t1, t2, l2, t1, l1);
            lr = l2;
            nr = n2;
        }
    }
    lr = ac_q16__mw_trim(t1, lr);
    if (lr == 0) {
        s_set(x, 0, 0);
        return;
    }
    if (dv == NULL) {
        ac_q16__mw_copy(x + 1, t1, lr); /* lr <= w: the result is a minor */
        s_set(x, lr, nr);
        return;
    }
    /* exact division (the result is a minor: at most w limbs) */
    uint32_t *q = sc;
    size_t ql = ac_q16__mw_divexact(q, t1, lr, &dv->x);
    ac_q16__mw_copy(x + 1, q, ql);
    s_set(x, ql, nr != dv->neg);
}

/* Prepare slot d (nonzero) as a divisor into store (w + 1 words). */
static void s_div_prepare(la_div *dv, const uint32_t *d, uint32_t *store)
{
    la_div_prepare(dv, d + 1, s_len(d), s_neg(d), store);
}

static int s_is_one(const uint32_t *d)
{
    return s_len(d) == 1u && d[1] == 1u && !s_neg(d);
}

/* Slot (i, j) of a matrix of slots with `cols` columns. */
#define SLOT(g, base, cols, i, j) ((base) + ((size_t)(i) * (cols) + (size_t)(j)) * (g)->sw)

static void g_init(la_eng *g, size_t n, uint32_t *tmp)
{
    g->w = la_xwords(n);
    g->sw = g->w + 1u;
    g->tmp = tmp;
}

/* Words of engine scratch (Bareiss products, divisions, rounding). */
#define LA_TMP_WORDS(w) (16u * (w) + 32u)

/*
 * Gauss-Jordan fraction-free elimination of [A | I] (n x 2n slots in m):
 * afterwards det(PA) = the last pivot and the right block is det(P) adj(A).
 * Writes the exact factor (det(A), adj(A)) to out.  sym: A symmetric from
 * its lower triangle, no pivoting, every pivot (a leading principal minor)
 * must be > 0 (else NOT_POSITIVE_DEFINITE).  Otherwise the first nonzero
 * candidate is the pivot; none: SINGULAR.
 */
LA_NOINLINE static ac_status g_factor(size_t n, const ac_q16 *a, ptrdiff_t sr, ptrdiff_t sc, int sym,
                          uint32_t *out, uint32_t *work)
{
    la_eng g;
    size_t w = la_xwords(n), cols = 2 * n;
    uint32_t *m = work, *prevst = m + n * cols * (w + 1u), *tmp = prevst + w + 2u;
    g_init(&g, n, tmp);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < cols; ++j) {
            int32_t v = j < n ? la_at_sym(a, sr, sc, i, j, sym) : (j - n == i ? 1 : 0);
            s_from_i32(SLOT(&g, m, cols, i, j), v);
        }
    }
    int flip = 0;
    la_xd dv;
    const la_xd *dvp = NULL;
    for (size_t k = 0; k < n; ++k) {
        size_t r = k;
        if (sym) {
            if (s_sign(SLOT(&g, m, cols, k, k)) <= 0) {
                return AC_STATUS_NOT_POSITIVE_DEFINITE;
            }
        } else {
            while (r < n && s_len(SLOT(&g, m, cols, r, k)) == 0) {
                ++r;
            }
            if (r == n) {
                return AC_STATUS_SINGULAR;
            }
            if (r != k) {
                for (size_t j = k; j < cols; ++j) {
                    s_swap(&g, SLOT(&g, m, cols, r, j), SLOT(&g, m, cols, k, j));
                }
                flip = !flip;
            }
        }
        const uint32_t *p = SLOT(&g, m, cols, k, k);
        for (size_t i = 0; i < n; ++i) {
            if (i == k) {
                continue;
            }
            const uint32_t *aik = SLOT(&g, m, cols, i, k);
            for (size_t j = k + 1; j < cols; ++j) {
                uint32_t *x = SLOT(&g, m, cols, i, j);
                const uint32_t *bkj = SLOT(&g, m, cols, k, j);
                if (s_len(x) == 0 && (s_len(aik) == 0 || s_len(bkj) == 0)) {
                    continue; /* stays 0 */
                }
                s_bareiss(&g, x, p, aik, bkj, dvp);
            }
        }
        for (size_t i = 0; i < n; ++i) {
            if (i != k) {
                s_set(SLOT(&g, m, cols, i, k), 0, 0);
            }
        }
        if (s_is_one(p)) {
            dvp = NULL;
        } else {
            s_xd_prepare(&dv, p, prevst);
            dvp = &dv;
        }
    }
    /* det(A) = det(P) * last pivot, adj(A) = det(P) * right block */
    la_factor_header(out, n, sym);
    if (n == 0) {
        out[4] = 1;
        return AC_OK;
    }
    const uint32_t *d = SLOT(&g, m, cols, n - 1, n - 1);
    la_mag_to_tc(out + 4, w, d + 1, s_len(d), s_neg(d) != flip);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
            const uint32_t *x = SLOT(&g, m, cols, i, n + j);
            la_mag_to_tc(out + 4 + w + (i * n + j) * w, w, x + 1, s_len(x), s_neg(x) != flip);
        }
    }
    return AC_OK;
}

/* Pivot rules of the forward elimination. */
enum { G_PIV_FIRST, G_PIV_MAX, G_PIV_NONE_PD, G_PIV_DIAG };

/*
 * Forward fraction-free elimination of the n x n slots in m.  Afterwards
 * m(i, j) for j >= i is the Bareiss numerator of U (m(i, i) = P_i, the
 * leading (i+1)-minor of the permuted matrix) and for j < i the numerator
 * of L (the column j entry when column j was eliminated).  rows[i] = the
 * original row (column) of position i; piv: LAPACK swaps (may be NULL).
 * *rank: the number of pivots taken (G_PIV_DIAG stops early).
 */
LA_NOINLINE static ac_status g_forward(la_eng *g, size_t n, uint32_t *m, int rule, int32_t *piv,
                           uint32_t *rows, size_t *rank, int *flip, uint32_t *prevst)
{
    la_xd dv;
    const la_xd *dvp = NULL;
    *flip = 0;
    for (size_t i = 0; i < n; ++i) {
        rows[i] = (uint32_t)i;
    }
    for (size_t k = 0; k < n; ++k) {
        size_t r = k;
        if (rule == G_PIV_FIRST) {
            while (r < n && s_len(SLOT(g, m, n, r, k)) == 0) {
                ++r;
            }
            if (r == n) {
                *rank = k;
                return AC_STATUS_SINGULAR;
            }
        } else if (rule == G_PIV_MAX) {
            for (size_t i = k + 1; i < n; ++i) {
                if (s_cmp_mag(SLOT(g, m, n, i, k), SLOT(g, m, n, r, k)) > 0) {
                    r = i;
                }
            }
            if (s_len(SLOT(g, m, n, r, k)) == 0) {
                *rank = k;
                return AC_STATUS_SINGULAR;
            }
        } else if (rule == G_PIV_NONE_PD) {
            if (s_sign(SLOT(g, m, n, k, k)) <= 0) {
                *rank = k;
                return AC_STATUS_NOT_POSITIVE_DEFINITE;
            }
        } else {
            /* the largest remaining diagonal (Bareiss diagonal = Schur
             * diagonal times the previous pivot, which is > 0) */
            for (size_t i = k + 1; i < n; ++i) {
                const uint32_t *di = SLOT(g, m, n, i, i), *dr = SLOT(g, m, n, r, r);
                int bigger = s_sign(di) > s_sign(dr)
                             || (s_sign(di) == s_sign(dr)
                                 && (s_sign(di) > 0 ? s_cmp_mag(di, dr) > 0
                                                    : s_cmp_mag(di, dr) < 0));
                if (bigger) {
                    r = i;
                }
            }
            if (s_sign(SLOT(g, m, n, r, r)) <= 0) {
                /* PSD of rank k exactly when the trailing block is zero */
                *rank = k;
                for (size_t i = k; i < n; ++i) {
                    for (size_t j = k; j < n; ++j) {
                        if (s_len(SLOT(g, m, n, i, j)) != 0) {
                            return AC_STATUS_NOT_POSITIVE_DEFINITE;
                        }
                    }
                }
                return AC_OK;
            }
        }
        if (piv != NULL) {
            piv[k] = (int32_t)r;
        }
        if (r != k) {
            for (size_t j = 0; j < n; ++j) {
                s_swap(g, SLOT(g, m, n, r, j), SLOT(g, m, n, k, j));
            }
            if (rule == G_PIV_DIAG) {
                for (size_t i = 0; i < n; ++i) {
                    s_swap(g, SLOT(g, m, n, i, r), SLOT(g, m, n, i, k));
                }
            }
            uint32_t t = rows[r];
            rows[r] = rows[k];
            rows[k] = t;
            *flip = !*flip;
        }
        const uint32_t *p = SLOT(g, m, n, k, k);
        for (size_t i = k + 1; i < n; ++i) {
            const uint32_t *aik = SLOT(g, m, n, i, k);
            for (size_t j = k + 1; j < n; ++j) {
                uint32_t *x = SLOT(g, m, n, i, j);
                const uint32_t *bkj = SLOT(g, m, n, k, j);
                if (s_len(x) == 0 && (s_len(aik) == 0 || s_len(bkj) == 0)) {
                    continue;
                }
                s_bareiss(g, x, p, aik, bkj, dvp);
            }
        }
        if (s_is_one(p)) {
            dvp = NULL;
        } else {
            s_xd_prepare(&dv, p, prevst);
            dvp = &dv;
        }
    }
    *rank = n;
    return AC_OK;
}

static void g_load(la_eng *g, size_t n, uint32_t *m, const ac_q16 *a, ptrdiff_t sr,
                   ptrdiff_t sc, int sym)
{
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
            s_from_i32(SLOT(g, m, n, i, j), la_at_sym(a, sr, sc, i, j, sym));
        }
    }
}

/* acc (al limbs, a magnitude) += |x| |y| for slots x, y; prod: scratch. */
static void s_addmul_mag(uint32_t *acc, size_t al, const uint32_t *x, const uint32_t *y,
                         uint32_t *prod)
{
    size_t lx = s_len(x), ly = s_len(y);
    if (lx == 0 || ly == 0) {
        return;
    }
    ac_q16__mw_mul(prod, x + 1, lx, y + 1, ly);
    size_t lp = ac_q16__mw_trim(prod, lx + ly);
    uint64_t c = 0;
    for (size_t i = 0; i < al; ++i) {
        c += (uint64_t)acc[i] + (i < lp ? prod[i] : 0u);
        acc[i] = (uint32_t)(c & LA_M32);
        c >>= 32;
        if (i >= lp && c == 0) {
            break;
        }
    }
}

/*
 * A X = B beyond the fast engine: one forward fraction-free elimination of A
 * (the first nonzero pivot; or no pivoting with every pivot, a leading
 * principal minor, required > 0), then per right-hand side the same
 * elimination applied to the column (y) and fraction-free back substitution.
 * With D = P_(n-1) = det(PA) and U the eliminated rows, N_(n-1) = y_(n-1)
 * and N_i = (D y_i - sum_(j>i) u_ij N_j) / u_ii exactly (row i of U x = y
 * times D; N_i = D x_i is a Cramer numerator, an integer), and x_ij =
 * round(2^16 N_i / D).
 */
LA_NOINLINE static ac_status g_solve_direct(size_t n, size_t k, const ac_q16 *a, ptrdiff_t sr, ptrdiff_t sc,
                                int sym, const ac_q16 *b, ptrdiff_t sbr, ptrdiff_t sbc, ac_q16 *x,
                                ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    la_eng g;
    size_t w = la_xwords(n), sw = w + 1u;
    uint32_t *m = work, *rows = m + n * n * sw, *prevst = rows + n, *y = prevst + w + 2u;
    uint32_t *nn = y + n * sw, *tmp = nn + n * sw, *dstore = tmp + LA_TMP_WORDS(w);
    uint32_t *xstore = dstore + w + 2u, *rest = xstore + w + 2u;
    g_init(&g, n, tmp);
    g_load(&g, n, m, a, sr, sc, sym);
    size_t rank;
    int flip;
    ac_status st = g_forward(&g, n, m, sym ? G_PIV_NONE_PD : G_PIV_FIRST, NULL, rows, &rank,
                             &flip, prevst);
    if (st != AC_OK) {
        return st;
    }
    const uint32_t *dd = SLOT(&g, m, n, n - 1, n - 1);
    la_div dv;
    s_div_prepare(&dv, dd, dstore);
    size_t events = 0, first = 0, last = 0;
    for (size_t j = 0; j < k; ++j) {
        for (size_t i = 0; i < n; ++i) {
            s_from_i32(y + i * sw, b[(ptrdiff_t)rows[i] * sbr + (ptrdiff_t)j * sbc]);
        }
        /* the elimination of A, applied to y (the L numerators of column kk
         * are kept below the diagonal) */
        la_xd xd;
        const la_xd *xdp = NULL;
        for (size_t kk = 0; kk + 1u < n; ++kk) {
            const uint32_t *p = SLOT(&g, m, n, kk, kk), *ykk = y + kk * sw;
            for (size_t i = kk + 1u; i < n; ++i) {
                uint32_t *yi = y + i * sw;
                const uint32_t *aik = SLOT(&g, m, n, i, kk);
                if (s_len(yi) == 0 && (s_len(aik) == 0 || s_len(ykk) == 0)) {
                    continue;
                }
                s_bareiss(&g, yi, p, aik, ykk, xdp);
            }
            if (s_is_one(p)) {
                xdp = NULL;
            } else {
                s_xd_prepare(&xd, p, prevst);
                xdp = &xd;
            }
        }
        /* back substitution */
        ac_q16__mw_copy(nn + (n - 1u) * sw, y + (n - 1u) * sw, 1u + s_len(y + (n - 1u) * sw));
        for (size_t i = n - 1u; i-- > 0;) {
            size_t al = 2u * w + 3u;
            uint32_t *pos = tmp, *neg = pos + al, *prod = neg + al, *q = prod + 2u * w + 2u;
            ac_q16__mw_zero(pos, 2u * al);
            const uint32_t *yi = y + i * sw;
            /* + D y_i */
            s_addmul_mag((s_neg(dd) != s_neg(yi)) ? neg : pos, al, dd, yi, prod);
            for (size_t jj = i + 1u; jj < n; ++jj) {
                const uint32_t *uij = SLOT(&g, m, n, i, jj), *nj = nn + jj * sw;
                /* - u_ij N_j */
                s_addmul_mag((s_neg(uij) != s_neg(nj)) ? pos : neg, al, uij, nj, prod);
            }
            int rneg = ac_q16__mw_cmp(pos, al, neg, al) < 0;
            if (rneg) {
                ac_q16__mw_sub(pos, neg, al, pos, al);
            } else {
                ac_q16__mw_sub(pos, pos, al, neg, al);
            }
            uint32_t *ni = nn + i * sw;
            const uint32_t *uii = SLOT(&g, m, n, i, i);
            s_xd_prepare(&xd, uii, xstore);
            size_t ql = ac_q16__mw_divexact(q, pos, al, &xd.x); /* <= w: a minor */
            ac_q16__mw_copy(ni + 1, q, ql);
            s_set(ni, ql, rneg != xd.neg);
        }
        for (size_t i = 0; i < n; ++i) {
            const uint32_t *ni = nn + i * sw;
            ac_status s2;
            size_t idx = i * k + j;
            x[idx] = la_rdiv(ni + 1, s_len(ni), s_neg(ni), 16u, &dv, rnd, ovf, &s2, rest);
            if (s2 != AC_OK) {
                if (events == 0 || idx < first) {
                    first = idx;
                }
                if (events == 0 || idx > last) {
                    last = idx;
                }
                events += 1;
            }
        }
    }
    if (events == 0) {
        return AC_OK;
    }
    /* the events as if noted in row-major order */
    if (ovf == AC_OVERFLOW_RAISE) {
        la_note(tally, first, AC_STATUS_RANGE);
        return AC_STATUS_RANGE;
    }
    if (tally != NULL) {
        if (tally->events == 0) {
            tally->first_index = first;
            tally->first_status = AC_STATUS_RANGE;
        }
        tally->last_index = last;
        tally->events += events;
    }
    return AC_OK;
}

/* round(2^e num / den) for slots (den nonzero). */
static ac_q16 g_round_ratio(la_eng *g, const uint32_t *num, const uint32_t *den, unsigned e,
                            ac_rounding rnd, ac_overflow ovf, ac_status *st)
{
    la_div dv;
    uint32_t *store = g->tmp, *scratch = store + g->w + 2u;
    s_div_prepare(&dv, den, store);
    return la_rdiv(num + 1, s_len(num), s_neg(num), e, &dv, rnd, ovf, st, scratch);
}

/*
 * Cholesky display entry: 2^8 M / sqrt(P1 P2) rounded once (P1, P2 > 0
 * slots; P2 NULL for 1).  With Q = floor(2^18 M^2 / (P1 P2)) and s =
 * isqrt(Q) = floor(2 |y|); the value is exact at s / 2 when 2^18 M^2 = s^2
 * P1 P2.  |y| < 2^24 for every positive semidefinite input, so Q < 2^50.
 */
static ac_q16 g_cho_entry(la_eng *g, const uint32_t *mm, const uint32_t *p1, const uint32_t *p2,
                          ac_rounding rnd, ac_status *st)
{
    size_t w = g->w, lm = s_len(mm);
    *st = AC_OK;
    if (lm == 0) {
        return 0;
    }
    uint32_t *sq = g->tmp, *den = sq + 2 * w + 2, *u = den + 2 * w + 2;
    ac_q16__mw_mul(sq, mm + 1, lm, mm + 1, lm);
    size_t lsq = ac_q16__mw_trim(sq, 2 * lm), ld;
    if (p2 != NULL) {
        ac_q16__mw_mul(den, p1 + 1, s_len(p1), p2 + 1, s_len(p2));
        ld = ac_q16__mw_trim(den, s_len(p1) + s_len(p2));
    } else {
        ac_q16__mw_copy(den, p1 + 1, s_len(p1));
        ld = s_len(p1);
    }
    /* normalize den in place (one spare limb), shift 2^18 M^2 likewise */
    unsigned s = ac_q16__clz32(den[ld - 1]);
    ac_q16__mw_shl_small(den, den, ld, s);
    size_t ul = (lsq + 2u > ld ? lsq + 2u : ld) + 1u; /* one zero limb on top */
    ac_q16__mw_zero(u, ul + 1u);
    ac_q16__mw_shl(u, sq, lsq, 18u + s); /* lsq + 1 + 1 limbs at most */
    uint32_t *q = u + ul + 1u;
    ac_q16__mw_divmod_norm(q, u, ul, den, ld);
    size_t ql = ul - ld;
    int rem_zero = ac_q16__mw_is_zero(u, ld);
    if (ql > 2u && !ac_q16__mw_is_zero(q + 2, ql - 2u)) {
        /* unreachable for positive semidefinite input (|y| < 2^24) */
        *st = AC_STATUS_RANGE;
        return s_neg(mm) ? AC_Q16_MIN : AC_Q16_MAX;
    }
    uint64_t qq = (uint64_t)q[0] | (ql > 1u ? (uint64_t)q[1] << 32 : 0u);
    uint64_t r = ac_q16__isqrt64(qq);
    int exact = rem_zero && r * r == qq;
    uint64_t mag;
    int neg = s_neg(mm);
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        if ((r & 1u) == 0) {
            mag = r >> 1; /* |y| in [r/2, r/2 + 1/2) */
        } else if (exact) {
            mag = (r >> 1) + ((r >> 1) & 1u); /* a tie: to even */
        } else {
            mag = (r >> 1) + 1u;
        }
    } else {
        mag = (r >> 1) + ((neg && !(exact && (r & 1u) == 0)) ? 1u : 0u);
    }
    return (ac_q16)(neg ? -(int64_t)mag : (int64_t)mag); /* |mag| < 2^25 */
}

/* round(2^e (sum_l adj_il v_l) (-1)^flip / det) from factor words, general n. */
static ac_q16 g_apply(const uint32_t *fw, size_t n, size_t i, const int32_t *v, ptrdiff_t vs,
                      unsigned e, int flip, const la_div *dv, ac_rounding rnd, ac_overflow ovf,
                      ac_status *st, uint32_t *tmp)
{
    size_t w = la_xwords(n), al = w + 2u;
    uint32_t *pos = tmp, *negs = pos + al, *mag = negs + al, *scratch = mag + w;
    ac_q16__mw_zero(pos, 2 * al);
    for (size_t l = 0; l < n; ++l) {
        int32_t b = v[(ptrdiff_t)l * vs];
        if (b == 0) {
            continue;
        }
        int an = la_tc_to_mag(mag, fw + 4 + w + (i * n + l) * w, w);
        uint32_t *acc = (an != (b < 0)) ? negs : pos;
        ac_q16__mw_addmul_1(acc, al, mag, w, la_abs32(b));
    }
    int neg;
    if (ac_q16__mw_cmp(pos, al, negs, al) >= 0) {
        ac_q16__mw_sub(pos, pos, al, negs, al);
        neg = 0;
    } else {
        ac_q16__mw_sub(pos, negs, al, pos, al);
        neg = 1;
    }
    return la_rdiv(pos, al, neg != flip, e, dv, rnd, ovf, st, scratch);
}

/* round(2^e adj_ij / det) from factor words. */
static ac_q16 g_apply_entry(const uint32_t *fw, size_t n, size_t i, size_t j, unsigned e,
                            const la_div *dv, ac_rounding rnd, ac_overflow ovf, ac_status *st,
                            uint32_t *tmp)
{
    size_t w = la_xwords(n);
    uint32_t *mag = tmp, *scratch = mag + w;
    int neg = la_tc_to_mag(mag, fw + 4 + w + (i * n + j) * w, w);
    return la_rdiv(mag, w, neg, e, dv, rnd, ovf, st, scratch);
}

/* ======================================================================
 * Solving from a factor (both engines), the shared back end
 * ====================================================================== */

static int la_fast(size_t n)
{
    return n <= (size_t)AC_Q16_LINALG_FAST_MAX && n >= 1u;
}

/* X = round(2^16 adj(A) B / det) for a fast factor, row-major (so under
 * raise the first event in row-major order stops the call). */
static ac_status f_solve_out(const f_fact *f, size_t n, size_t k, const ac_q16 *b,
                             ptrdiff_t sbr, ptrdiff_t sbc, ac_q16 *x, ac_rounding rnd,
                             ac_overflow ovf, ac_tally *tally)
{
    if (f_det_zero(f)) {
        return AC_STATUS_SINGULAR;
    }
    f_div fd;
    f_div_from(&fd, &f->det);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < k; ++j) {
            ac_status st;
            x[i * k + j] = f_apply(f, &fd, n, i, b + (ptrdiff_t)j * sbc, sbr, 16u, 0, rnd, ovf,
                                   &st);
            if (la_event(tally, i * k + j, st, ovf)) {
                return st;
            }
        }
    }
    return AC_OK;
}

/* The same from factor words (general n). */
LA_NOINLINE static ac_status g_solve_out(const uint32_t *fw, size_t n, size_t k, const ac_q16 *b,
                             ptrdiff_t sbr, ptrdiff_t sbc, ac_q16 *x, ac_rounding rnd,
                             ac_overflow ovf, ac_tally *tally, uint32_t *tmp)
{
    size_t w = la_xwords(n);
    uint32_t *dmag = tmp, *dstore = dmag + w, *rest = dstore + w + 1u;
    int dneg = la_tc_to_mag(dmag, fw + 4, w);
    if (ac_q16__mw_is_zero(dmag, w)) {
        return AC_STATUS_SINGULAR;
    }
    la_div dv;
    la_div_prepare(&dv, dmag, w, dneg, dstore);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < k; ++j) {
            ac_status st;
            x[i * k + j] = g_apply(fw, n, i, b + (ptrdiff_t)j * sbc, sbr, 16u, 0, &dv, rnd, ovf,
                                   &st, rest);
            if (la_event(tally, i * k + j, st, ovf)) {
                return st;
            }
        }
    }
    return AC_OK;
}

/* ======================================================================
 * Public functions
 * ====================================================================== */

ac_status ac_q16_lu_solve(size_t n, size_t k, const uint32_t *factor, const ac_q16 *b,
                          ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x, ac_rounding rnd,
                          ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || !la_size_ok(n) || !la_factor_ok(factor, n)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if (n == 0 || k == 0) {
        return AC_OK;
    }
    if (b == NULL || x == NULL) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if (la_fast(n)) {
        f_fact f;
        if (!f_read(factor, n, &f)) {
            return AC_STATUS_BAD_ARGUMENT;
        }
        return f_solve_out(&f, n, k, b, sb_row, sb_col, x, rnd, ovf, tally);
    }
    if (work == NULL) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    return g_solve_out(factor, n, k, b, sb_row, sb_col, x, rnd, ovf, tally, work);
}

ac_status ac_q16_cho_solve(size_t n, size_t k, const uint32_t *factor, const ac_q16 *b,
                           ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x, ac_rounding rnd,
                           ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    return ac_q16_lu_solve(n, k, factor, b, sb_row, sb_col, x, rnd, ovf, tally, work);
}

/* n = 4, one right-hand side: Cramer numerators by Laplace expansion (30
 * products) instead of the 16 cofactors. */
LA_NOINLINE static ac_status f_solve4(const int32_t e[16], const ac_q16 *b, ptrdiff_t sb_row,
                                      ac_q16 *x, int sym, ac_rounding rnd, ac_overflow ovf,
                                      ac_tally *tally)
{
    int32_t bv[4];
    f_acc det, num[4];
    int64_t lead2;
    for (size_t l = 0; l < 4u; ++l) {
        bv[l] = b[(ptrdiff_t)l * sb_row];
    }
    f_cramer4(e, bv, &det, num, &lead2);
    if (sym && !(f_leading_positive(4, e, lead2) && f_acc_positive(&det))) {
        return AC_STATUS_NOT_POSITIVE_DEFINITE;
    }
    f_div fd;
    if (f_acc_zero(&det)) {
        return AC_STATUS_SINGULAR;
    }
    f_div_from(&fd, &det);
    for (size_t i = 0; i < 4u; ++i) {
        ac_status st;
        x[i] = f_qdiv_acc(&num[i], 0, 16u, &fd, rnd, ovf, &st);
        if (la_event(tally, i, st, ovf)) {
            return st;
        }
    }
    return AC_OK;
}

/* n <= 4, any right-hand sides: the exact factor, then adj(A) B / det. */
LA_NOINLINE static ac_status f_solve_fact(size_t n, size_t k, const int32_t e[16],
                                          const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                                          ac_q16 *x, int sym, ac_rounding rnd, ac_overflow ovf,
                                          ac_tally *tally)
{
    f_fact f;
    f_factor(n, e, &f, 0);
    if (sym && !(f_leading_positive(n, e, f_lead2(e)) && f_acc_positive(&f.det))) {
        return AC_STATUS_NOT_POSITIVE_DEFINITE;
    }
    return f_solve_out(&f, n, k, b, sb_row, sb_col, x, rnd, ovf, tally);
}

ac_status ac_q16_solve(size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                       const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                       int positive_definite, ac_rounding rnd, ac_overflow ovf, ac_tally *tally,
                       uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || !la_size_ok(n)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if (n == 0) {
        return AC_OK;
    }
    if (a == NULL || (k > 0 && (b == NULL || x == NULL))) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    int sym = positive_definite != 0;
    if (la_fast(n)) {
        int32_t e[16];
        f_load(n, a, sa_row, sa_col, sym, e);
        if (n == 4u && k == 1u) {
            return f_solve4(e, b, sb_row, x, sym, rnd, ovf, tally);
        }
        return f_solve_fact(n, k, e, b, sb_row, sb_col, x, sym, rnd, ovf, tally);
    }
    if (work == NULL) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    return g_solve_direct(n, k, a, sa_row, sa_col, sym, b, sb_row, sb_col, x, rnd, ovf, tally,
                          work);
}

/* The exact factor of A (or of the symmetric matrix from its lower
 * triangle) into out; statuses as solve. */
static ac_status la_exact_factor(size_t n, const ac_q16 *a, ptrdiff_t sr, ptrdiff_t sc, int sym,
                                 uint32_t *out, uint32_t *work)
{
    if (la_fast(n)) {
        int32_t e[16];
        f_fact f;
        f_load(n, a, sr, sc, sym, e);
        f_factor(n, e, &f, 0);
        if (sym && !(f_leading_positive(n, e, f_lead2(e)) && f_acc_positive(&f.det))) {
            return AC_STATUS_NOT_POSITIVE_DEFINITE;
        }
        if (!sym && f_det_zero(&f)) {
            return AC_STATUS_SINGULAR;
        }
        f_store(&f, n, sym, out);
        return AC_OK;
    }
    if (n == 0) {
        la_factor_header(out, 0, sym);
        out[4] = 1;
        return AC_OK;
    }
    return g_factor(n, a, sr, sc, sym, out, work);
}

ac_status ac_q16_lu_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                           ac_q16 *lu, int32_t *piv, uint32_t *factor, ac_rounding rnd,
                           ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || !la_size_ok(n) || (lu == NULL) != (piv == NULL)
        || (lu == NULL && factor == NULL) || (n > 0 && a == NULL)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if ((lu != NULL || !la_fast(n)) && work == NULL && n > 0) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if (lu != NULL && n > 0) {
        /* display factor first: it decides singularity before any write */
        la_eng g;
        size_t w = la_xwords(n);
        uint32_t *m = work, *rows = m + n * n * (w + 1u), *prevst = rows + n;
        g_init(&g, n, prevst + w + 2u);
        g_load(&g, n, m, a, sa_row, sa_col, 0);
        size_t rank;
        int flip;
        int32_t *pv = (int32_t *)(void *)(g.tmp + LA_TMP_WORDS(w)); /* n words */
        ac_status st = g_forward(&g, n, m, G_PIV_MAX, pv, rows, &rank, &flip, prevst);
        if (st != AC_OK) {
            return st;
        }
        if (factor != NULL) {
            /* the exact factor does not depend on the display pass; compute it
             * in the caller's buffer (work beyond the display state) */
            ac_status s2 = la_exact_factor(n, a, sa_row, sa_col, 0, factor,
                                           (uint32_t *)(void *)(pv + n));
            if (s2 != AC_OK) {
                return s2;
            }
        }
        for (size_t i = 0; i < n; ++i) {
            piv[i] = pv[i];
        }
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) {
                ac_status st2;
                const uint32_t *num = SLOT(&g, m, n, i, j);
                ac_q16 v;
                if (j >= i) {
                    if (i == 0) {
                        /* U_0j = a_0j exactly */
                        v = (ac_q16)(s_len(num) == 0 ? 0
                                     : s_neg(num) ? -(int64_t)num[1] : (int64_t)num[1]);
                        st2 = AC_OK;
                    } else {
                        v = g_round_ratio(&g, num, SLOT(&g, m, n, i - 1, i - 1), 0, rnd, ovf,
                                          &st2);
                    }
                } else {
                    v = g_round_ratio(&g, num, SLOT(&g, m, n, j, j), 16, rnd, ovf, &st2);
                }
                lu[i * n + j] = v;
                if (la_event(tally, i * n + j, st2, ovf)) {
                    return st2;
                }
            }
        }
        return AC_OK;
    }
    if (factor == NULL) { /* n == 0 with only the (empty) display factor asked for */
        return AC_OK;
    }
    return la_exact_factor(n, a, sa_row, sa_col, 0, factor, work);
}

ac_status ac_q16_cho_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            ac_q16 *c, int lower, int32_t *perm, size_t *rank, uint32_t *factor,
                            ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || !la_size_ok(n) || (c == NULL && factor == NULL)
        || (perm != NULL && rank == NULL) || (n > 0 && a == NULL)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if ((c != NULL || perm != NULL || !la_fast(n)) && work == NULL && n > 0) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    size_t r = n;
    int32_t *pv = NULL;
    la_eng g;
    size_t w = la_xwords(n);
    uint32_t *m = work, *rows = NULL, *prevst = NULL, *after = work;
    if ((c != NULL || perm != NULL) && n > 0) {
        rows = m + n * n * (w + 1u);
        prevst = rows + n;
        g_init(&g, n, prevst + w + 2u);
        after = g.tmp + LA_TMP_WORDS(w);
        g_load(&g, n, m, a, sa_row, sa_col, 1);
        int flip;
        ac_status st = g_forward(&g, n, m, perm != NULL ? G_PIV_DIAG : G_PIV_NONE_PD, pv, rows,
                                 &r, &flip, prevst);
        if (st != AC_OK) {
            return st;
        }
    }
    if (factor != NULL) {
        if (r < n) {
            la_factor_header(factor, n, 1);
            ac_q16__mw_zero(factor + 4, (size_t)((n * n + 1u) * w));
        } else {
            ac_status s2 = la_exact_factor(n, a, sa_row, sa_col, 1, factor, after);
            if (s2 != AC_OK) {
                return s2;
            }
        }
    }
    if (perm != NULL) {
        for (size_t i = 0; i < n; ++i) {
            perm[i] = (int32_t)rows[i];
        }
    }
    if (rank != NULL) {
        *rank = r;
    }
    if (c != NULL) {
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) {
                /* L_ij for i >= j, j < rank */
                size_t li = lower ? i : j, lj = lower ? j : i;
                ac_q16 v = 0;
                if (li >= lj && lj < r) {
                    ac_status st2;
                    v = g_cho_entry(&g, SLOT(&g, m, n, li, lj), SLOT(&g, m, n, lj, lj),
                                    lj > 0 ? SLOT(&g, m, n, lj - 1, lj - 1) : NULL, rnd, &st2);
                    if (la_event(tally, i * n + j, st2, ovf)) {
                        c[i * n + j] = v;
                        return st2;
                    }
                }
                c[i * n + j] = v;
            }
        }
    }
    (void)ovf;
    return AC_OK;
}

ac_status ac_q16_det(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *det,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || !la_size_ok(n) || det == NULL || (n > 0 && a == NULL)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    ac_status st = AC_OK;
    if (n == 0) {
        *det = AC_Q16_ONE;
        return AC_OK;
    }
    if (la_fast(n)) {
        int32_t e[16];
        f_fact f;
        f_load(n, a, sa_row, sa_col, 0, e);
        f_factor(n, e, &f, 1);
        uint32_t mag[5];
        int neg = f_mag(&f.det, mag);
        *det = la_rshift_round(mag, 5, neg, 16u * (unsigned)(n - 1u), rnd, ovf, &st);
    } else {
        if (work == NULL) {
            return AC_STATUS_BAD_ARGUMENT;
        }
        la_eng g;
        size_t w = la_xwords(n), rank;
        uint32_t *m = work, *rows = m + n * n * (w + 1u), *prevst = rows + n;
        int flip;
        g_init(&g, n, prevst + w + 2u);
        g_load(&g, n, m, a, sa_row, sa_col, 0);
        if (g_forward(&g, n, m, G_PIV_FIRST, NULL, rows, &rank, &flip, prevst) != AC_OK) {
            *det = 0;
            return AC_OK;
        }
        const uint32_t *d = SLOT(&g, m, n, n - 1, n - 1);
        *det = la_rshift_round(d + 1, s_len(d), s_neg(d) != flip, 16u * (unsigned)(n - 1u), rnd,
                               ovf, &st);
    }
    if (st != AC_OK) {
        la_note(tally, 0, st);
    }
    return ovf == AC_OVERFLOW_RAISE ? st : AC_OK;
}

/* Entries of the inverse into out (row stride ostride), translation column
 * (affine, t read with stride ts) at column n when t != NULL. */
LA_NOINLINE static ac_status la_inverse_out(size_t n, const uint32_t *fw, const f_fact *f, ac_q16 *out,
                                size_t ostride, const ac_q16 *t, ptrdiff_t ts, ac_rounding rnd,
                                ac_overflow ovf, ac_tally *tally, uint32_t *tmp)
{
    f_div fd;
    la_div dv;
    uint32_t *rest = tmp;
    if (f != NULL) {
        if (f_det_zero(f)) {
            return AC_STATUS_SINGULAR;
        }
        f_div_from(&fd, &f->det);
    } else {
        size_t w = la_xwords(n);
        uint32_t *dmag = tmp, *dstore = dmag + w;
        rest = dstore + w + 1u;
        int dneg = la_tc_to_mag(dmag, fw + 4, w);
        if (ac_q16__mw_is_zero(dmag, w)) {
            return AC_STATUS_SINGULAR;
        }
        la_div_prepare(&dv, dmag, w, dneg, dstore);
    }
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j <= n; ++j) {
            ac_status st;
            ac_q16 v;
            if (j == n) {
                if (t == NULL) {
                    break;
                }
                /* -2^16 (adj t)_i / det */
                v = f != NULL ? f_apply(f, &fd, n, i, t, ts, 16u, 1, rnd, ovf, &st)
                              : g_apply(fw, n, i, t, ts, 16u, 1, &dv, rnd, ovf, &st, rest);
            } else {
                v = f != NULL ? f_apply_entry(f, &fd, n, i, j, 32u, rnd, ovf, &st)
                              : g_apply_entry(fw, n, i, j, 32u, &dv, rnd, ovf, &st, rest);
            }
            out[i * ostride + j] = v;
            if (la_event(tally, i * ostride + j, st, ovf)) {
                return st;
            }
        }
    }
    return AC_OK;
}

ac_status ac_q16_inv(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *inv,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || !la_size_ok(n) || (n > 0 && (a == NULL || inv == NULL))) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    if (n == 0) {
        return AC_OK;
    }
    if (la_fast(n)) {
        int32_t e[16];
        f_fact f;
        f_load(n, a, sa_row, sa_col, 0, e);
        f_factor(n, e, &f, 0);
        return la_inverse_out(n, NULL, &f, inv, n, NULL, 0, rnd, ovf, tally, NULL);
    }
    if (work == NULL) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    uint32_t *fw = work, *rest = fw + (size_t)AC_Q16_FACTOR_WORDS(n);
    ac_status st = g_factor(n, a, sa_row, sa_col, 0, fw, rest);
    if (st != AC_OK) {
        return st;
    }
    return la_inverse_out(n, fw, NULL, inv, n, NULL, 0, rnd, ovf, tally, rest);
}

ac_status ac_q16_affine_inverse(size_t dim, const ac_q16 *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                ac_q16 *out, int rigid, ac_rounding rnd, ac_overflow ovf,
                                ac_tally *tally, uint32_t *work)
{
    if (!la_modes_ok(rnd, ovf) || (dim != 3u && dim != 4u) || m == NULL || out == NULL) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    size_t n = dim - 1u;
    for (size_t j = 0; j < dim; ++j) {
        if (la_at(m, sm_row, sm_col, n, j) != (j == n ? AC_Q16_ONE : 0)) {
            return AC_STATUS_BAD_ARGUMENT;
        }
    }
    const ac_q16 *t = m + (ptrdiff_t)n * sm_col;
    if (rigid) {
        for (size_t i = 0; i < n; ++i) {
            /* -(sum_p A_pi t_p) / 2^16: the exact dot product in the one
             * signed wide accumulator, negated (|sum| < 3 * 2^62, so the
             * negation is exact), narrowed once */
            ac_q16__wide sum = {0, 0};
            for (size_t p = 0; p < n; ++p) {
                ac_q16__wide_acc(&sum, (int64_t)la_at(m, sm_row, sm_col, p, i)
                                           * (int64_t)t[(ptrdiff_t)p * sm_row]);
            }
            ac_status st;
            for (size_t j = 0; j < n; ++j) {
                out[i * dim + j] = la_at(m, sm_row, sm_col, j, i);
            }
            out[i * dim + n] = ac_q16__wide_narrow(ac_q16__wide_neg(sum), rnd, ovf, &st);
            if (la_event(tally, i * dim + n, st, ovf)) {
                return st;
            }
        }
    } else if (la_fast(n)) {
        int32_t e[16];
        f_fact f;
        f_load(n, m, sm_row, sm_col, 0, e);
        f_factor(n, e, &f, 0);
        if (f_det_zero(&f)) {
            return AC_STATUS_SINGULAR;
        }
        ac_status st = la_inverse_out(n, NULL, &f, out, dim, t, sm_row, rnd, ovf, tally, NULL);
        if (st != AC_OK) {
            return st;
        }
    } else {
        /* the general engine (only when built with AC_Q16_LINALG_FAST_MAX < 3) */
        if (work == NULL) {
            return AC_STATUS_BAD_ARGUMENT;
        }
        uint32_t *fw = work, *rest = fw + (size_t)AC_Q16_FACTOR_WORDS(n);
        ac_status st = g_factor(n, m, sm_row, sm_col, 0, fw, rest);
        if (st == AC_OK) {
            st = la_inverse_out(n, fw, NULL, out, dim, t, sm_row, rnd, ovf, tally, rest);
        }
        if (st != AC_OK) {
            return st;
        }
    }
    for (size_t j = 0; j < dim; ++j) {
        out[n * dim + j] = j == n ? AC_Q16_ONE : 0;
    }
    return AC_OK;
}
