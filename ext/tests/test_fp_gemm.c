/*
 * The float GEMM (attncore/fp_gemm.h) against its arithmetic contract, bit
 * for bit: a scalar reference doing exactly the documented operations (fma()
 * chains for the x86-64-v3 variant, a multiply then an add for the baseline
 * one), with every layout (row- and column-major, gaps, negative strides),
 * edge tiles, one to several k blocks, the few-rows path, and alpha/beta
 * cases including NaN in C with beta = 0 (must not be read).  Splitting C
 * into row or column blocks (what threads do) and packing B once must give
 * the same bits.  Both variants run on x86-64-v3 machines; elsewhere the
 * baseline twice.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attncore/fp_gemm.h"
#include "check.h"
#include "fp_gemm_variants.h"

static double uniform_pm1(void)
{
    return (double)(check_rng() >> 11) / 9007199254740992.0 * 2 - 1;
}

static size_t kc_block(size_t k)
{
    size_t kb = (k - 1) / AC_GEMM_KC_MAX + 1;
    return ((k - 1) / kb + 8) / 8 * 8;
}

/* The contract, written out; `fused` selects the variant's "s + x * y". */
#define DEFINE_REF(T, SFX, FMA)                                                            \
    static void ref_##SFX(int fused, size_t m, size_t n, size_t k, T alpha, const T *a,    \
                          ptrdiff_t ars, ptrdiff_t acs, const T *b, ptrdiff_t brs,         \
                          ptrdiff_t bcs, T beta, T *c, ptrdiff_t crs, ptrdiff_t ccs)        \
    {                                                                                      \
        for (size_t i = 0; i < m; ++i) {                                                   \
            for (size_t j = 0; j < n; ++j) {                                               \
                T *cp = c + (ptrdiff_t)i * crs + (ptrdiff_t)j * ccs;                       \
                if (k == 0 || alpha == 0) {                                                \
                    *cp = beta == 0 ? (T)0 : beta * *cp;                                   \
                    continue;                                                              \
                }                                                                          \
                size_t kc = kc_block(k);                                                   \
                for (size_t pc = 0; pc < k; pc += kc) {                                    \
                    size_t end = pc + kc < k ? pc + kc : k;                                \
                    T s = 0;                                                               \
                    for (size_t p = pc; p < end; ++p) {                                    \
                        T x = a[(ptrdiff_t)i * ars + (ptrdiff_t)p * acs];                  \
                        T y = b[(ptrdiff_t)p * brs + (ptrdiff_t)j * bcs];                  \
                        if (fused) {                                                       \
                            s = FMA(x, y, s);                                              \
                        } else {                                                           \
                            T prod = x * y;                                                \
                            s = s + prod;                                                  \
                        }                                                                  \
                    }                                                                      \
                    T r = alpha != 1 ? alpha * s : s;                                      \
                    if (pc > 0) {                                                          \
                        r = r + *cp;                                                       \
                    } else if (beta != 0) {                                                \
                        T old = beta * *cp;                                                \
                        r = r + old;                                                       \
                    }                                                                      \
                    *cp = r;                                                               \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }

DEFINE_REF(float, f32, fmaf)
DEFINE_REF(double, f64, fma)

/* A layout for an r x c matrix inside a buffer of the returned size, with
 * the origin at *origin: row-major, column-major, gapped, or row-major with
 * both strides negative. */
static size_t layout(size_t r, size_t c, ptrdiff_t *rs, ptrdiff_t *cs, size_t *origin, int kind)
{
    size_t pad = (size_t)(check_rng() % 5);
    *origin = 0;
    switch (kind) {
    case 0:
        *rs = (ptrdiff_t)(c + pad);
        *cs = 1;
        return (r + 1) * (c + pad) + 8;
    case 1:
        *rs = 1;
        *cs = (ptrdiff_t)(r + pad);
        return (c + 1) * (r + pad) + 8;
    case 2:
        *rs = (ptrdiff_t)(2 * c + 3);
        *cs = 2;
        return (r + 1) * (2 * c + 3) + 8;
    default: /* reversed rows and columns */
        *rs = -(ptrdiff_t)(c + pad);
        *cs = -1;
        *origin = (r + 1) * (c + pad) + 4;
        return (r + 2) * (c + pad) + 8;
    }
}

static const double alphas[] = {1, 0.125, -2.5, 0};
static const double betas[] = {0, 1, 0.5};

#define DEFINE_CASE(T, SFX)                                                                \
    static void case_##SFX(size_t m, size_t n, size_t k, void *work)                      \
    {                                                                                      \
        ptrdiff_t ars, acs, brs, bcs, crs, ccs;                                            \
        size_t ao, bo, co;                                                                 \
        int ka = (int)(check_rng() % 4), kb = (int)(check_rng() % 4);                      \
        int kcl = (int)(check_rng() % 4) == 0 ? 2 : (check_rng() % 5 == 0 ? 3 : 0);       \
        size_t na = layout(m, k, &ars, &acs, &ao, ka), nb = layout(k, n, &brs, &bcs, &bo, kb); \
        size_t nc = layout(m, n, &crs, &ccs, &co, kcl);                                    \
        T *a = malloc(na * sizeof(T)), *b = malloc(nb * sizeof(T));                        \
        T *c0 = malloc(nc * sizeof(T)), *c1 = malloc(nc * sizeof(T));                      \
        T *c2 = malloc(nc * sizeof(T)), *c3 = malloc(nc * sizeof(T));                      \
        for (size_t i = 0; i < na; ++i) a[i] = (T)uniform_pm1();                           \
        for (size_t i = 0; i < nb; ++i) b[i] = (T)uniform_pm1();                           \
        for (size_t i = 0; i < nc; ++i) c0[i] = (T)uniform_pm1();                          \
        T alpha = (T)alphas[check_rng() % 4], beta = (T)betas[check_rng() % 3];            \
        if (beta == 0) {                                                                   \
            for (size_t i = 0; i < nc; ++i) c0[i] = (T)NAN; /* must not be read */         \
        }                                                                                  \
        const T *A = a + ao, *B = b + bo;                                                  \
        for (int variant = 0; variant < 2; ++variant) {                                    \
            int fused = variant == 0 && ac_##SFX##_gemm_variant() == AC_GEMM_X86_64_V3;    \
            memcpy(c1, c0, nc * sizeof(T));                                                \
            memcpy(c2, c0, nc * sizeof(T));                                                \
            ref_##SFX(fused, m, n, k, alpha, A, ars, acs, B, brs, bcs, beta, c1 + co, crs, ccs); \
            if (variant == 0) {                                                            \
                ac_##SFX##_gemm(m, n, k, alpha, A, ars, acs, B, brs, bcs, beta, c2 + co, crs, \
                                ccs, work);                                                \
            } else {                                                                       \
                ac_##SFX##__gemm_base(m, n, k, alpha, A, ars, acs, B, brs, bcs, beta,      \
                                      c2 + co, crs, ccs, work);                            \
            }                                                                              \
            CHECK(memcmp(c1, c2, nc * sizeof(T)) == 0,                                     \
                  #SFX " variant %d m=%zu n=%zu k=%zu alpha=%g beta=%g layouts %d%d%d",    \
                  variant, m, n, k, (double)alpha, (double)beta, ka, kb, kcl);             \
        }                                                                                  \
        /* row blocks and column blocks (threads), and B packed once */                   \
        memcpy(c1, c0, nc * sizeof(T));                                                    \
        ac_##SFX##_gemm(m, n, k, alpha, A, ars, acs, B, brs, bcs, beta, c1 + co, crs, ccs, work); \
        memcpy(c2, c0, nc * sizeof(T));                                                    \
        for (size_t r0 = 0; r0 < m;) {                                                     \
            size_t r = 1 + (size_t)(check_rng() % 40);                                     \
            if (r > m - r0) r = m - r0;                                                    \
            ac_##SFX##_gemm(r, n, k, alpha, A + (ptrdiff_t)r0 * ars, ars, acs, B, brs, bcs, \
                            beta, c2 + co + (ptrdiff_t)r0 * crs, crs, ccs, work);          \
            r0 += r;                                                                       \
        }                                                                                  \
        CHECK(memcmp(c1, c2, nc * sizeof(T)) == 0, #SFX " row split m=%zu n=%zu k=%zu", m, n, k); \
        memcpy(c2, c0, nc * sizeof(T));                                                    \
        for (size_t j0 = 0; j0 < n;) {                                                     \
            size_t w = 1 + (size_t)(check_rng() % 40);                                     \
            if (w > n - j0) w = n - j0;                                                    \
            ac_##SFX##_gemm(m, w, k, alpha, A, ars, acs, B + (ptrdiff_t)j0 * bcs, brs, bcs, \
                            beta, c2 + co + (ptrdiff_t)j0 * ccs, crs, ccs, work);          \
            j0 += w;                                                                       \
        }                                                                                  \
        CHECK(memcmp(c1, c2, nc * sizeof(T)) == 0, #SFX " col split m=%zu n=%zu k=%zu", m, n, k); \
        size_t pbytes = ac_##SFX##_gemm_packed_b_bytes(n, k);                              \
        unsigned char *pb = malloc(pbytes + 1);                                            \
        void *pbu = pb + 1; /* any alignment */                                            \
        ac_##SFX##_gemm_pack_b(n, k, B, brs, bcs, pbu);                                    \
        memcpy(c3, c0, nc * sizeof(T));                                                    \
        for (size_t r0 = 0; r0 < m;) {                                                     \
            size_t r = 1 + (size_t)(check_rng() % 70);                                     \
            if (r > m - r0) r = m - r0;                                                    \
            ac_##SFX##_gemm_packed(r, n, k, alpha, A + (ptrdiff_t)r0 * ars, ars, acs, pbu, \
                                   beta, c3 + co + (ptrdiff_t)r0 * crs, crs, ccs, work);   \
            r0 += r;                                                                       \
        }                                                                                  \
        CHECK(memcmp(c1, c3, nc * sizeof(T)) == 0, #SFX " packed B m=%zu n=%zu k=%zu", m, n, k); \
        free(pb);                                                                          \
        free(a);                                                                           \
        free(b);                                                                           \
        free(c0);                                                                          \
        free(c1);                                                                          \
        free(c2);                                                                          \
        free(c3);                                                                          \
    }

DEFINE_CASE(float, f32)
DEFINE_CASE(double, f64)

/* BLAS scalar rules: alpha == 0 reads neither A nor B (NaN there does not
 * reach C), beta == 0 does not read C. */
static void test_scalars(void *work)
{
    double a[4] = {NAN, NAN, NAN, NAN}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 4};
    ac_f64_gemm(2, 2, 2, 0.0, a, 2, 1, b, 2, 1, 0.5, c, 2, 1, work);
    CHECK(c[0] == 0.5 && c[3] == 2.0, "alpha = 0 gives beta * C: %g %g", c[0], c[3]);
    ac_f64_gemm(2, 2, 0, 1.0, a, 2, 1, b, 2, 1, 0.0, c, 2, 1, work);
    CHECK(c[0] == 0.0 && c[3] == 0.0, "k = 0, beta = 0 gives 0");
    float af[2] = {1, 2}, bf[2] = {3, 4}, cf[1] = {NAN};
    ac_f32_gemm(1, 1, 2, 1.0f, af, 2, 1, bf, 1, 1, 0.0f, cf, 1, 1, work);
    CHECK(cf[0] == 11.0f, "beta = 0 does not read C: %g", (double)cf[0]);
    /* an exact sum that a reordering would not keep: 1e8 + 1 - 1e8 in f32
     * is 0 in order (the 1 is lost), never 1 */
    float x[3] = {1e8f, 1.0f, -1e8f}, y[3] = {1, 1, 1}, r[1];
    ac_f32_gemm(1, 1, 3, 1.0f, x, 3, 1, y, 1, 1, 0.0f, r, 1, 1, work);
    CHECK(r[0] == 0.0f, "sum in k order: got %g", (double)r[0]);
    CHECK(ac_f32_gemm_packed_b_bytes((size_t)-1, 2) == (size_t)-1, "packed size overflow");
    CHECK(ac_f64_gemm_packed_b_bytes(0, 5) == 64u, "empty packed B");
}

int main(void)
{
    unsigned char *work = malloc(AC_GEMM_WORK_BYTES + 3);
    void *w = work + 3; /* any alignment */
    printf("variant: %s\n",
           ac_f32_gemm_variant() == AC_GEMM_X86_64_V3 ? "x86-64-v3 (FMA)" : "baseline");
    test_scalars(w);
    for (int i = 0; i < 800; ++i) {
        size_t m = (size_t)(check_rng() % 40), n = (size_t)(check_rng() % 40);
        size_t k = (size_t)(check_rng() % 40);
        case_f32(m, n, k, w);
        case_f64(m, n, k, w);
    }
    /* the few-rows path: full and partial vector groups, packed and in place */
    for (int i = 0; i < 300; ++i) {
        size_t m = 1 + (size_t)(check_rng() % 5), n = (size_t)(check_rng() % 300);
        size_t k = 1 + (size_t)(check_rng() % 100);
        case_f32(m, n, k, w);
        case_f64(m, n, k, w);
    }
    /* several mc / nc / kc blocks */
    static const size_t big[][3] = {{256, 256, 64}, {130, 70, 900}, {300, 700, 385},
                                    {7, 1100, 20},  {1000, 9, 770}, {64, 520, 1537},
                                    {1, 5000, 400}, {3, 2100, 800}};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; ++i) {
        case_f32(big[i][0], big[i][1], big[i][2], w);
        case_f64(big[i][0], big[i][1], big[i][2], w);
    }
    free(work);
    return check_report("test_fp_gemm");
}
