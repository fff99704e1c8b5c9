/* dict.c - string dictionaries and set dictionaries (dict_, setdict_). */
#include <stdlib.h>

#include "data.h"

void dict_init(dict *d, mem *m)
{
    memset(d, 0, sizeof *d);
    d->m = m;
    arena_init(&d->strings, m);
    smap_init(&d->map, m);
}

void dict_free(dict *d)
{
    smap_free(&d->map);
    arena_free(&d->strings);
    mem_free(d->m, d->s, d->cap * sizeof *d->s);
    mem_free(d->m, d->len, d->cap * sizeof *d->len);
    mem *m = d->m;
    memset(d, 0, sizeof *d);
    d->m = m;
}

static bool grow2(mem *m, void **a, void **b, size_t sa, size_t sb,
                  uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return true;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    if (ncap < *cap) {
        m->failed = true;
        return false;
    }
    void *na = mem_array(m, ncap, sa), *nb = mem_array(m, ncap, sb);
    if (!na || !nb) {
        mem_free(m, na, (size_t)ncap * sa);
        mem_free(m, nb, (size_t)ncap * sb);
        return false;
    }
    if (*cap) {
        memcpy(na, *a, (size_t)*cap * sa);
        memcpy(nb, *b, (size_t)*cap * sb);
    }
    mem_free(m, *a, (size_t)*cap * sa);
    mem_free(m, *b, (size_t)*cap * sb);
    *a = na;
    *b = nb;
    *cap = ncap;
    return true;
}

bool dict_find(const dict *d, const char *s, size_t len, uint32_t *id)
{
    if (d->index)
        return segd_dict_find(d, s, len, id);
    return smap_get(&d->map, s, len, id);
}

bool dict_intern(dict *d, const char *s, size_t len, uint32_t *id)
{
    if (smap_get(&d->map, s, len, id))
        return true;
    if (d->n == UINT32_MAX - 1) {
        d->m->failed = true;
        return false;
    }
    void *ps = (void *)d->s, *pl = d->len;
    if (!grow2(d->m, &ps, &pl, sizeof *d->s, sizeof *d->len, &d->cap,
               d->n + 1))
        return false;
    d->s = ps;
    d->len = pl;
    char *copy = arena_strndup(&d->strings, s, len);
    if (!copy || !smap_put(&d->map, copy, len, d->n))
        return false;
    d->s[d->n] = copy;
    d->len[d->n] = (uint32_t)len;
    *id = d->n++;
    return true;
}

/* ---- set dictionaries ---------------------------------------------------------------- */

void setdict_init(setdict *s, mem *m)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    dict_init(&s->elems, m);
    arena_init(&s->store, m);
    smap_init(&s->map, m);
}

void setdict_free(setdict *s)
{
    dict_free(&s->elems);
    smap_free(&s->map);
    arena_free(&s->store);
    mem_free(s->m, s->ids, s->cap * sizeof *s->ids);
    mem_free(s->m, s->count, s->cap * sizeof *s->count);
    mem *m = s->m;
    memset(s, 0, sizeof *s);
    s->m = m;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

bool setdict_intern(setdict *s, uint32_t *ids, uint32_t n, uint32_t *id)
{
    uint32_t k = 0;
    if (n > 1)
        qsort(ids, n, sizeof *ids, cmp_u32);
    for (uint32_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    /* the empty set (ids may be NULL) is keyed by the empty string */
    const char *key = k ? (const char *)ids : "";
    size_t klen = (size_t)k * sizeof *ids;
    if (smap_get(&s->map, key, klen, id))
        return true;
    void *pi = (void *)s->ids, *pc = s->count;
    if (!grow2(s->m, &pi, &pc, sizeof *s->ids, sizeof *s->count, &s->cap,
               s->n + 1))
        return false;
    s->ids = pi;
    s->count = pc;
    uint32_t *copy = arena_memdup(&s->store, k ? (const void *)ids : "", klen);
    if (!copy || !smap_put(&s->map, (const char *)copy, klen, s->n))
        return false;
    s->ids[s->n] = copy;
    s->count[s->n] = k;
    *id = s->n++;
    return true;
}

bool setdict_contains(const setdict *s, uint32_t set, uint32_t elem)
{
    const uint32_t *v = s->ids[set];
    uint32_t lo = 0, hi = s->count[set];
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v[mid] == elem)
            return true;
        if (v[mid] < elem)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}
