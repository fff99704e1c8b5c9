/* smap.c - a string -> uint32 hash map with open addressing (smap_, hash_). */
#include "base.h"

uint64_t hash_bytes(const void *p, size_t n)
{
    /* eight bytes at a time, each word mixed in with a multiply; the final
     * hash_u64 spreads the bits so that the low ones can index a table */
    const unsigned char *s = p;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ (w * 0xbf58476d1ce4e5b9ULL)) * 0x94d049bb133111ebULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)s[i] << (8 * i);
    h = (h ^ (w * 0xbf58476d1ce4e5b9ULL)) * 0x94d049bb133111ebULL;
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
    mem_free(s->m, s->hashes, s->kcap * sizeof(uint32_t));
    mem_free(s->m, s->vals, s->kcap * sizeof(uint32_t));
    mem *m = s->m;
    smap_init(s, m);
}

/* The slot holding key k (hash h), or the empty slot where it would go. */
static uint32_t *find_slot(const smap *s, uint32_t h, const char *k,
                           size_t klen)
{
    uint32_t mask = s->nslots - 1;
    uint32_t i = h & mask;
    for (;;) {
        uint32_t e = s->slots[i];
        if (e == 0)
            return &s->slots[i];
        if (s->hashes[e - 1] == h && s->klens[e - 1] == klen &&
            memcmp(s->keys[e - 1], k, klen) == 0)
            return &s->slots[i];
        i = (i + 1) & mask;
    }
}

bool smap_get(const smap *s, const char *k, size_t klen, uint32_t *val)
{
    if (!s->nslots)
        return false;
    uint32_t *slot = find_slot(s, (uint32_t)hash_bytes(k, klen), k, klen);
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
    /* entries are distinct: each goes to the first free slot of its probe */
    for (uint32_t e = 0; e < s->count; e++) {
        uint32_t i = s->hashes[e] & (nslots - 1);
        while (slots[i])
            i = (i + 1) & (nslots - 1);
        slots[i] = e + 1;
    }
    mem_free(s->m, s->slots, s->nslots * sizeof(uint32_t));
    s->slots = slots;
    s->nslots = nslots;
    return true;
}

static bool grow_entries(smap *s)
{
    /* allocate every array first, so that a failure changes nothing */
    uint32_t kcap = s->kcap ? s->kcap * 2 : 8;
    const char **keys = mem_array(s->m, kcap, sizeof *keys);
    uint32_t *klens = mem_array(s->m, kcap, sizeof *klens);
    uint32_t *hashes = mem_array(s->m, kcap, sizeof *hashes);
    uint32_t *vals = mem_array(s->m, kcap, sizeof *vals);
    if (!keys || !klens || !hashes || !vals) {
        mem_free(s->m, keys, kcap * sizeof *keys);
        mem_free(s->m, klens, kcap * sizeof *klens);
        mem_free(s->m, hashes, kcap * sizeof *hashes);
        mem_free(s->m, vals, kcap * sizeof *vals);
        return false;
    }
    if (s->count) {
        memcpy(keys, s->keys, s->count * sizeof *keys);
        memcpy(klens, s->klens, s->count * sizeof *klens);
        memcpy(hashes, s->hashes, s->count * sizeof *hashes);
        memcpy(vals, s->vals, s->count * sizeof *vals);
    }
    mem_free(s->m, s->keys, s->kcap * sizeof *keys);
    mem_free(s->m, s->klens, s->kcap * sizeof *klens);
    mem_free(s->m, s->hashes, s->kcap * sizeof *hashes);
    mem_free(s->m, s->vals, s->kcap * sizeof *vals);
    s->keys = keys;
    s->klens = klens;
    s->hashes = hashes;
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
    uint32_t h = (uint32_t)hash_bytes(k, klen);
    uint32_t *slot = find_slot(s, h, k, klen);
    if (*slot)
        return true;
    if (s->count == s->kcap && !grow_entries(s))
        return false;
    s->keys[s->count] = k;
    s->klens[s->count] = (uint32_t)klen;
    s->hashes[s->count] = h;
    s->vals[s->count] = val;
    *slot = ++s->count;
    return true;
}
