/*
 * Where the read-only tables of the Q16.16 core live and how they are read.
 * Private to src/q16.
 *
 * On von Neumann targets (Cortex-M, RISC-V, MSP430, hosts) `const` data stays
 * in flash / .rodata and is read like any array.  On AVR (Harvard) the
 * start-up copies every `const` object into SRAM -- 4,344 bytes for the exp
 * tables, over half of an ATmega's 8 KiB -- so there the tables go to
 * program memory:
 *   - GNU C (avr-gcc -std=gnu99 / gnu11): the __flash address space, read
 *     with ordinary indexing (the compiler emits LPM);
 *   - ISO C (avr-gcc -std=c99, which has no __flash): the progmem
 *     attribute, read with avr-libc's pgm_read_dword (inline LPM, no call).
 * Both keep the tables in the first 64 KiB of flash, which LPM reaches.
 *
 * Options:
 *   AC_Q16_TABLES_IN_RAM    plain `const` tables on AVR too (faster reads,
 *                           4.3 KiB of SRAM);
 *   AC_Q16_TABLE_SECTION    added to every table definition, e.g.
 *       -DAC_Q16_TABLE_SECTION='__attribute__((section(".rodata.attncore")))'
 *                           to put the tables in a region of the caller's
 *                           choice (external flash, TCM, a locked page).
 */
#ifndef ATTNCORE_Q16_TABLES_H
#define ATTNCORE_Q16_TABLES_H

#include <stdint.h>

#ifndef AC_Q16_TABLE_SECTION
#define AC_Q16_TABLE_SECTION
#endif

#if defined(__AVR__) && !defined(AC_Q16_TABLES_IN_RAM) && defined(__FLASH) \
    && !defined(__STRICT_ANSI__)
/* `AC_Q16_TABLE uint64_t name[N] AC_Q16_TABLE_ATTR = {...};` */
#define AC_Q16_TABLE const __flash
#define AC_Q16_TABLE_ATTR AC_Q16_TABLE_SECTION
#define AC_Q16_TABLE_U64(table, i) ((table)[i])

#elif defined(__AVR__) && !defined(AC_Q16_TABLES_IN_RAM)
#include <avr/pgmspace.h>
#define AC_Q16_TABLE const
#define AC_Q16_TABLE_ATTR __attribute__((__progmem__)) AC_Q16_TABLE_SECTION
#define AC_Q16_TABLE_U64(table, i) ac_q16__progmem_u64(&(table)[i])

/* A uint64_t in program memory: two LPM word reads (AVR is little-endian
 * and has no alignment rules). */
static inline uint64_t ac_q16__progmem_u64(const uint64_t *p)
{
    const uint32_t *w = (const uint32_t *)(const void *)p;
    uint64_t lo = pgm_read_dword(w), hi = pgm_read_dword(w + 1);
    return lo | (hi << 32);
}

#else
#define AC_Q16_TABLE const
#define AC_Q16_TABLE_ATTR AC_Q16_TABLE_SECTION
#define AC_Q16_TABLE_U64(table, i) ((table)[i])
#endif

#endif /* ATTNCORE_Q16_TABLES_H */
