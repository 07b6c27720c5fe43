/*
 * attncore/config.h -- build options of the C core.
 *
 * AC_VECTOR_CLONES marks hot loops for GCC function multiversioning on
 * x86-64 Linux hosts: the loader picks an AVX2 build of the function when
 * the CPU has it, the baseline build otherwise.  Integer results are the
 * same bit for bit on both (the arithmetic is exact), so this only changes
 * speed.  Everywhere else (Cortex-M, other compilers) it expands to nothing.
 * Define AC_NO_TARGET_CLONES to turn it off.
 */
#ifndef ATTNCORE_CONFIG_H
#define ATTNCORE_CONFIG_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
    && !defined(AC_NO_TARGET_CLONES)
#define AC_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define AC_VECTOR_CLONES
#endif

/* A body shared by several AC_VECTOR_CLONES wrappers must be inlined into
 * each, or it is compiled once for the baseline ISA and the clones gain
 * nothing. */
#if defined(__GNUC__)
#define AC_INLINE_INTO_CLONES static inline __attribute__((always_inline))
#else
#define AC_INLINE_INTO_CLONES static inline
#endif

#endif /* ATTNCORE_CONFIG_H */
