/* smap.c - a string -> uint32 hash map with open addressing (smap_, hash_). */
#include "base.h"

uint64_t hash_bytes(const void *p, size_t n)
{
    /* FNV-1a, then a final mix so that the low bits are usable directly */
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return hash_u64(h);
}

uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

void smap_init(smap *s, mem *m)
{
    memset(s, 0, sizeof *s);
    s->m = m;
}

void smap_free(smap *s)
{
    mem_free(s->m, s->slots, s->nslots * sizeof(uint32_t));
    mem_free(s->m, s->keys, s->kcap * sizeof(const char *));
    mem_free(s->m, s->klens, s->kcap * sizeof(uint32_t));
    mem_free(s->m, s->vals, s->kcap * sizeof(uint32_t));
    mem *m = s->m;
    smap_init(s, m);
}

static uint32_t *find_slot(uint32_t *slots, uint32_t nslots,
                           const char *const *keys, const uint32_t *klens,
                           const char *k, size_t klen)
{
    uint32_t mask = nslots - 1;
    uint32_t i = (uint32_t)hash_bytes(k, klen) & mask;
    for (;;) {
        uint32_t e = slots[i];
        if (e == 0)
            return &slots[i];
        if (klens[e - 1] == klen && memcmp(keys[e - 1], k, klen) == 0)
            return &slots[i];
        i = (i + 1) & mask;
    }
}

bool smap_get(const smap *s, const char *k, size_t klen, uint32_t *val)
{
    if (!s->nslots)
        return false;
    uint32_t *slot =
        find_slot(s->slots, s->nslots, s->keys, s->klens, k, klen);
    if (*slot == 0)
        return false;
    if (val)
        *val = s->vals[*slot - 1];
    return true;
}

static bool grow(smap *s)
{
    uint32_t nslots = s->nslots ? s->nslots * 2 : 16;
    if (nslots < s->nslots) {
        s->m->failed = true;
        return false;
    }
    uint32_t *slots = mem_array(s->m, nslots, sizeof(uint32_t));
    if (!slots)
        return false;
    for (uint32_t e = 0; e < s->count; e++)
        *find_slot(slots, nslots, s->keys, s->klens, s->keys[e],
                   s->klens[e]) = e + 1;
    mem_free(s->m, s->slots, s->nslots * sizeof(uint32_t));
    s->slots = slots;
    s->nslots = nslots;
    return true;
}

static bool grow_entries(smap *s)
{
    /* allocate all three arrays first, so that a failure changes nothing */
    uint32_t kcap = s->kcap ? s->kcap * 2 : 8;
    const char **keys = mem_array(s->m, kcap, sizeof *keys);
    uint32_t *klens = mem_array(s->m, kcap, sizeof *klens);
    uint32_t *vals = mem_array(s->m, kcap, sizeof *vals);
    if (!keys || !klens || !vals) {
        mem_free(s->m, keys, kcap * sizeof *keys);
        mem_free(s->m, klens, kcap * sizeof *klens);
        mem_free(s->m, vals, kcap * sizeof *vals);
        return false;
    }
    if (s->count) {
        memcpy(keys, s->keys, s->count * sizeof *keys);
        memcpy(klens, s->klens, s->count * sizeof *klens);
        memcpy(vals, s->vals, s->count * sizeof *vals);
    }
    mem_free(s->m, s->keys, s->kcap * sizeof *keys);
    mem_free(s->m, s->klens, s->kcap * sizeof *klens);
    mem_free(s->m, s->vals, s->kcap * sizeof *vals);
    s->keys = keys;
    s->klens = klens;
    s->vals = vals;
    s->kcap = kcap;
    return true;
}

bool smap_put(smap *s, const char *k, size_t klen, uint32_t val)
{
    if (klen > UINT32_MAX || s->count == UINT32_MAX - 1) {
        s->m->failed = true;
        return false;
    }
    if ((s->count + 1) * 4 >= s->nslots * 3 && !grow(s))
        return false;
    uint32_t *slot =
        find_slot(s->slots, s->nslots, s->keys, s->klens, k, klen);
    if (*slot)
        return true;
    if (s->count == s->kcap && !grow_entries(s))
        return false;
    s->keys[s->count] = k;
    s->klens[s->count] = (uint32_t)klen;
    s->vals[s->count] = val;
    *slot = ++s->count;
    return true;
}
