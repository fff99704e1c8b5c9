/*
 * base.h - the ground floor every stage stands on: the allocator that all
 * memory goes through (mem_), arenas for trees (arena_), growable byte
 * buffers (buf_), string-keyed hash maps (smap_), and small text helpers
 * (utf8_, text_).
 */
#ifndef SEGC_BASE_H
#define SEGC_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "segc.h"

#define SEGC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SEGC_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SEGC_MIN(a, b) ((a) < (b) ? (a) : (b))

#if defined(__GNUC__)
#define SEGC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SEGC_PRINTF(f, a)
#endif

/* ---- mem: the allocator hook ----------------------------------------------
 * A mem is a copy of the host's hook. Every allocation of the library goes
 * through mem_alloc/mem_realloc/mem_free, which remember nothing: callers
 * pass the old size, as the hook requires. mem->failed records that some
 * allocation failed, so deep code can return NULL and the API can turn it
 * into SEGC_ERR_NOMEM. */
typedef struct mem {
    segc_alloc_fn fn;
    void *ud;
    bool failed;
} mem;

void mem_init(mem *m, segc_alloc_fn fn, void *ud);
void *mem_alloc(mem *m, size_t n);
void *mem_zalloc(mem *m, size_t n);
void *mem_realloc(mem *m, void *p, size_t old, size_t n);
void mem_free(mem *m, void *p, size_t n);
char *mem_strndup(mem *m, const char *s, size_t n);
/* Frees a string from mem_strndup (its size is strlen + 1). */
void mem_strfree(mem *m, char *s);
/* Overflow-checked n * size; sets m->failed and returns NULL on overflow. */
void *mem_array(mem *m, size_t n, size_t size);

/* ---- arena: many small allocations freed at once -------------------------- */
typedef struct arena_chunk arena_chunk;
typedef struct arena {
    mem *m;
    arena_chunk *head;
    size_t used, cap; /* in the head chunk */
} arena;

void arena_init(arena *a, mem *m);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n); /* zeroed, 16-byte aligned */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) SEGC_PRINTF(2, 3);
/* Copies a buf-built array of n elements of size sz into the arena. */
void *arena_memdup(arena *a, const void *p, size_t n);

/* ---- buf: a growable byte buffer ------------------------------------------- */
typedef struct buf {
    mem *m;
    char *p;
    size_t len, cap;
} buf;

void buf_init(buf *b, mem *m);
void buf_free(buf *b);
bool buf_reserve(buf *b, size_t extra);
bool buf_append(buf *b, const void *p, size_t n);
bool buf_putc(buf *b, char c);
bool buf_puts(buf *b, const char *s);
bool buf_printf(buf *b, const char *fmt, ...) SEGC_PRINTF(2, 3);
/* Ensures a NUL after the content (not counted in len); returns b->p. */
const char *buf_cstr(buf *b);
/* Hands the content over as a mem_strndup-compatible string. */
char *buf_take(buf *b);

/* A typed growable array on top of buf: VEC_PUSH(b, T, v). */
#define VEC_PUSH(b, T, v) \
    (buf_reserve((b), sizeof(T)) && \
     (*(T *)(void *)((b)->p + (b)->len) = (v), (b)->len += sizeof(T), true))
#define VEC_LEN(b, T) ((b)->len / sizeof(T))
#define VEC_AT(b, T, i) (((T *)(void *)(b)->p)[i])

/* ---- smap: string -> uint32 hash map (open addressing) --------------------- */
typedef struct smap {
    mem *m;
    uint32_t *slots;   /* index + 1 into keys; 0 = empty */
    const char **keys; /* borrowed pointers; the caller keeps them alive */
    uint32_t *klens;
    uint32_t *hashes;  /* per entry, so probes rarely compare bytes */
    uint32_t *vals;
    uint32_t count, nslots, kcap;
} smap;

void smap_init(smap *s, mem *m);
void smap_free(smap *s);
/* Returns true and sets *val when found. */
bool smap_get(const smap *s, const char *k, size_t klen, uint32_t *val);
/* Inserts (k, val) unless present. Returns false on allocation failure. */
bool smap_put(smap *s, const char *k, size_t klen, uint32_t val);
uint64_t hash_bytes(const void *p, size_t n);
uint64_t hash_u64(uint64_t x);

/* ---- text ------------------------------------------------------------------ */
/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
size_t utf8_seq_len(const unsigned char *p, size_t avail);
bool utf8_valid(const char *p, size_t n);
/* Number of code points in p[0..n) (invalid bytes count one each). */
size_t utf8_count(const char *p, size_t n);
/* Appends p[0..n) in lower (or upper) case to out: ASCII and the Latin
 * letters of Latin-1 and Latin Extended-A; anything else unchanged. */
bool text_case(const char *p, size_t n, bool upper, buf *out);
/* Levenshtein distance with a cutoff (returns > max when farther). */
size_t text_distance(const char *a, size_t alen, const char *b, size_t blen,
                     size_t max);
/* Of cands[0..n), the one nearest to word within a sensible distance, or NULL. */
const char *text_nearest(const char *word, size_t wlen,
                         const char *const *cands, size_t n);

#endif
