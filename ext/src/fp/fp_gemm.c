/*
 * float32 / float64 GEMM (see attncore/fp_gemm.h): one template body,
 * fp_gemm.inc, instantiated per type and variant:
 *
 *   base  16-byte GCC vectors (SSE2 on x86-64, NEON on AArch64; plain C
 *         elsewhere), a multiply then an add, 6 x 8 (f32) / 6 x 4 (f64) tiles;
 *   v3    x86-64 with GCC or Clang: AVX2 + FMA, 6 x 16 / 6 x 8 tiles, built
 *         with a target attribute and chosen at run time from the CPU.
 *
 * The variant is asked of the CPU on each call (a load of the compiler
 * runtime's CPU model after its one-time initialisation): no state here.
 * `target_clones` cannot change the tile shape per clone, hence explicit
 * variants.  Build with ISO C (-std=c99) or -ffp-contract=off: the only
 * fused operations are the explicit ones of the v3 inner product.
 */
#include <stdint.h>
#include <string.h>

#include "attncore/fp_gemm.h"
#include "fp_gemm_variants.h"

/* Fewer rows than this take the few-rows path (no padded tile rows). */
#define AC_GEMM_SMALL_M 6

static void *ac__fp_gemm_align64(void *p)
{
    uintptr_t u = (uintptr_t)p;
    return (void *)((u + 63u) & ~(uintptr_t)63u);
}

/* ---- base: 16-byte vectors (or scalars), multiply then add --------------- */

#if defined(__GNUC__)
typedef float ac__fp_gemm_v4f __attribute__((vector_size(16)));
typedef double ac__fp_gemm_v2d __attribute__((vector_size(16)));
#define AC__BASE_VF ac__fp_gemm_v4f
#define AC__BASE_LF 4
#define AC__BASE_VD ac__fp_gemm_v2d
#define AC__BASE_LD 2
#define AC__BASE_NV 2
#else
/* no vector extensions: the same arithmetic, one element at a time */
#define AC__BASE_VF float
#define AC__BASE_LF 1
#define AC__BASE_VD double
#define AC__BASE_LD 1
#define AC__BASE_NV 4
#endif

#define AC_TARGET

#define AC_T float
#define AC_SFX f32
#define AC_VARIANT base
#define AC_V AC__BASE_VF
#define AC_L AC__BASE_LF
#define AC_NV AC__BASE_NV
#define AC_MR 6
#define AC_VFMA(c, a, b) ((c) + (a) * (b))
#include "fp_gemm.inc"

#define AC_T double
#define AC_SFX f64
#define AC_VARIANT base
#define AC_V AC__BASE_VD
#define AC_L AC__BASE_LD
#define AC_NV AC__BASE_NV
#define AC_MR 6
#define AC_VFMA(c, a, b) ((c) + (a) * (b))
#include "fp_gemm.inc"

#undef AC_TARGET

/* ---- v3: 32-byte vectors, fused multiply-add ------------------------------ */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(AC_NO_X86_V3)
#define AC__HAVE_V3 1
#include <immintrin.h>

typedef float ac__fp_gemm_v8f __attribute__((vector_size(32)));
typedef double ac__fp_gemm_v4d __attribute__((vector_size(32)));

#define AC_TARGET __attribute__((target("avx2,fma")))

#define AC_T float
#define AC_SFX f32
#define AC_VARIANT v3
#define AC_V ac__fp_gemm_v8f
#define AC_L 8
#define AC_NV 2
#define AC_MR 6
#define AC_VFMA(c, a, b)                                                                   \
    ((ac__fp_gemm_v8f)_mm256_fmadd_ps((__m256)(a), (__m256)(b), (__m256)(c)))
#include "fp_gemm.inc"

#define AC_T double
#define AC_SFX f64
#define AC_VARIANT v3
#define AC_V ac__fp_gemm_v4d
#define AC_L 4
#define AC_NV 2
#define AC_MR 6
#define AC_VFMA(c, a, b)                                                                   \
    ((ac__fp_gemm_v4d)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
#include "fp_gemm.inc"

#undef AC_TARGET

static int ac__fp_gemm_v3(void)
{
    __builtin_cpu_init(); /* idempotent; needed if called before constructors */
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
#define AC__HAVE_V3 0
#endif

/* ---- entry points --------------------------------------------------------- */

#if AC__HAVE_V3
#define AC__DISPATCH(name, t) (ac__fp_gemm_v3() ? name##_##t##_v3 : name##_##t##_base)
#else
#define AC__DISPATCH(name, t) (name##_##t##_base)
#endif

ac_gemm_variant ac_f32_gemm_variant(void)
{
#if AC__HAVE_V3
    return ac__fp_gemm_v3() ? AC_GEMM_X86_64_V3 : AC_GEMM_BASELINE;
#else
    return AC_GEMM_BASELINE;
#endif
}

ac_gemm_variant ac_f64_gemm_variant(void)
{
    return ac_f32_gemm_variant();
}

void ac_f32_gemm(size_t m, size_t n, size_t k, float alpha, const float *a, ptrdiff_t a_rs,
                 ptrdiff_t a_cs, const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs, float beta,
                 float *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work)
{
    AC__DISPATCH(gemm, f32)(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, NULL, beta, c, c_rs,
                            c_cs, work);
}

void ac_f64_gemm(size_t m, size_t n, size_t k, double alpha, const double *a, ptrdiff_t a_rs,
                 ptrdiff_t a_cs, const double *b, ptrdiff_t b_rs, ptrdiff_t b_cs, double beta,
                 double *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work)
{
    AC__DISPATCH(gemm, f64)(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, NULL, beta, c, c_rs,
                            c_cs, work);
}

/* 64 bytes on top of the elements: the packed panels start 64-aligned. */
static size_t ac__fp_gemm_packed_bytes(size_t elems, size_t size)
{
    if (elems == 0) {
        return 64u;
    }
    return elems > ((size_t)-1 - 64u) / size ? (size_t)-1 : elems * size + 64u;
}

size_t ac_f32_gemm_packed_b_bytes(size_t n, size_t k)
{
    size_t elems = AC__DISPATCH(packed_b_elems, f32)(n, k);
    return n != 0 && k != 0 && elems == 0 ? (size_t)-1
                                          : ac__fp_gemm_packed_bytes(elems, sizeof(float));
}

size_t ac_f64_gemm_packed_b_bytes(size_t n, size_t k)
{
    size_t elems = AC__DISPATCH(packed_b_elems, f64)(n, k);
    return n != 0 && k != 0 && elems == 0 ? (size_t)-1
                                          : ac__fp_gemm_packed_bytes(elems, sizeof(double));
}

void ac_f32_gemm_pack_b(size_t n, size_t k, const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                        void *packed)
{
    AC__DISPATCH(pack_b_all, f32)(n, k, b, b_rs, b_cs, (float *)ac__fp_gemm_align64(packed));
}

void ac_f64_gemm_pack_b(size_t n, size_t k, const double *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                        void *packed)
{
    AC__DISPATCH(pack_b_all, f64)(n, k, b, b_rs, b_cs, (double *)ac__fp_gemm_align64(packed));
}

void ac_f32_gemm_packed(size_t m, size_t n, size_t k, float alpha, const float *a,
                        ptrdiff_t a_rs, ptrdiff_t a_cs, const void *packed_b, float beta,
                        float *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work)
{
    const float *bp = (const float *)ac__fp_gemm_align64((void *)(uintptr_t)packed_b);
    AC__DISPATCH(gemm, f32)(m, n, k, alpha, a, a_rs, a_cs, NULL, 0, 0, bp, beta, c, c_rs, c_cs,
                            work);
}

void ac_f64_gemm_packed(size_t m, size_t n, size_t k, double alpha, const double *a,
                        ptrdiff_t a_rs, ptrdiff_t a_cs, const void *packed_b, double beta,
                        double *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work)
{
    const double *bp = (const double *)ac__fp_gemm_align64((void *)(uintptr_t)packed_b);
    AC__DISPATCH(gemm, f64)(m, n, k, alpha, a, a_rs, a_cs, NULL, 0, 0, bp, beta, c, c_rs, c_cs,
                            work);
}

/* ---- the variants by name, for the tests (fp_gemm_variants.h) ------------- */

void ac_f32__gemm_base(size_t m, size_t n, size_t k, float alpha, const float *a,
                       ptrdiff_t a_rs, ptrdiff_t a_cs, const float *b, ptrdiff_t b_rs,
                       ptrdiff_t b_cs, float beta, float *c, ptrdiff_t c_rs, ptrdiff_t c_cs,
                       void *work)
{
    gemm_f32_base(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, NULL, beta, c, c_rs, c_cs, work);
}

void ac_f64__gemm_base(size_t m, size_t n, size_t k, double alpha, const double *a,
                       ptrdiff_t a_rs, ptrdiff_t a_cs, const double *b, ptrdiff_t b_rs,
                       ptrdiff_t b_cs, double beta, double *c, ptrdiff_t c_rs, ptrdiff_t c_cs,
                       void *work)
{
    gemm_f64_base(m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, NULL, beta, c, c_rs, c_cs, work);
}
