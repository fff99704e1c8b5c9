/* mem.c - the allocator hook and arenas (mem_, arena_). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

void mem_init(mem *m, segc_alloc_fn fn, void *ud)
{
    m->fn = fn ? fn : default_alloc;
    m->ud = fn ? ud : NULL;
    m->failed = false;
}

void *mem_alloc(mem *m, size_t n)
{
    if (n == 0)
        n = 1;
    void *p = m->fn(m->ud, NULL, 0, n);
    if (!p)
        m->failed = true;
    return p;
}

void *mem_zalloc(mem *m, size_t n)
{
    void *p = mem_alloc(m, n);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

void *mem_realloc(mem *m, void *p, size_t old, size_t n)
{
    if (!p)
        return mem_alloc(m, n);
    if (n == 0)
        n = 1;
    void *q = m->fn(m->ud, p, old ? old : 1, n);
    if (!q)
        m->failed = true;
    return q;
}

void mem_free(mem *m, void *p, size_t n)
{
    if (p)
        m->fn(m->ud, p, n ? n : 1, 0);
}

char *mem_strndup(mem *m, const char *s, size_t n)
{
    char *p = mem_alloc(m, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void mem_strfree(mem *m, char *s)
{
    if (s)
        mem_free(m, s, strlen(s) + 1);
}

void *mem_array(mem *m, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        m->failed = true;
        return NULL;
    }
    return mem_zalloc(m, n * size);
}

/* ---- arena ------------------------------------------------------------------ */

struct arena_chunk {
    arena_chunk *next;
    size_t size; /* bytes of data following the header */
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK 8192

void arena_init(arena *a, mem *m)
{
    a->m = m;
    a->head = NULL;
    a->used = a->cap = 0;
}

void arena_free(arena *a)
{
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *next = c->next;
        mem_free(a->m, c, sizeof(arena_chunk) + c->size);
        c = next;
    }
    a->head = NULL;
    a->used = a->cap = 0;
}

void *arena_alloc(arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n || need > SIZE_MAX - sizeof(arena_chunk)) {
        a->m->failed = true;
        return NULL;
    }
    if (!a->head || a->cap - a->used < need) {
        size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
        arena_chunk *c = mem_alloc(a->m, sizeof(arena_chunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        if (a->head && need > ARENA_CHUNK) {
            /* a big block goes behind the head, which keeps its free room */
            c->next = a->head->next;
            a->head->next = c;
            memset(c->data, 0, need);
            return c->data;
        }
        c->next = a->head;
        a->head = c;
        a->used = 0;
        a->cap = size;
    }
    void *p = a->head->data + a->used;
    a->used += need;
    memset(p, 0, need);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void *arena_memdup(arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
