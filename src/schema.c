/* schema.c - record layout, lookup and copies of schemas (schema_). */
#include "schema.h"

schema *schema_new(mem *m, const char *name)
{
    schema *s = mem_zalloc(m, sizeof *s);
    if (!s)
        return NULL;
    s->m = m;
    arena_init(&s->a, m);
    s->name = arena_strndup(&s->a, name, strlen(name));
    if (!s->name) {
        schema_free(s);
        return NULL;
    }
    return s;
}

void schema_free(schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfields; i++)
        schema_free(s->fields[i].events);
    arena_free(&s->a);
    mem_free(s->m, s, sizeof *s);
}

void schema_layout(schema *s)
{
    uint32_t off = 0, align = 1;
    static const uint32_t classes[] = {8, 4, 1};
    for (size_t c = 0; c < SEGC_ARRAY_LEN(classes); c++) {
        for (size_t i = 0; i < s->nfields; i++) {
            schema_field *f = &s->fields[i];
            f->size = (uint32_t)type_size(f->ty);
            if (f->size != classes[c])
                continue;
            f->offset = off;
            off += f->size;
            if (f->size > align)
                align = f->size;
        }
    }
    int32_t bit = 0;
    for (size_t i = 0; i < s->nfields; i++)
        s->fields[i].null_bit = s->fields[i].nullable ? bit++ : -1;
    s->null_offset = off;
    s->null_bytes = (uint32_t)(bit + 7) / 8;
    off += s->null_bytes;
    s->record_align = align;
    s->record_size = (off + align - 1) / align * align;
    if (s->record_size == 0)
        s->record_size = align;

    /* the fingerprint covers everything that gives bytes their meaning */
    uint64_t h = hash_bytes("segc-layout-1", 13);
    for (size_t i = 0; i < s->nfields; i++) {
        const schema_field *f = &s->fields[i];
        h = hash_u64(h ^ hash_bytes(f->name, strlen(f->name)));
        uint64_t shape = (uint64_t)f->ty->kind | (uint64_t)f->nullable << 8 |
                         (uint64_t)f->is_key << 9 |
                         (uint64_t)(uint16_t)f->ty->currency << 16 |
                         (uint64_t)(uint8_t)f->ty->scale << 32 |
                         (uint64_t)f->offset << 40;
        h = hash_u64(h ^ shape);
        if (f->ty->kind == TY_ENUM)
            for (uint32_t k = 0; k < f->ty->enm->n; k++)
                h = hash_u64(h ^ hash_bytes(f->ty->enm->values[k],
                                            strlen(f->ty->enm->values[k])));
        if (f->events) /* an event list: its event's layout too */
            h = hash_u64(h ^ hash_bytes("events", 6) ^ f->events->fingerprint);
    }
    s->fingerprint = hash_u64(h ^ s->record_size);
}

int schema_find(const schema *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (strlen(s->fields[i].name) == len &&
            memcmp(s->fields[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

schema *schema_clone(mem *m, const schema *src)
{
    schema *s = schema_new(m, src->name);
    if (!s)
        return NULL;
    s->fields = arena_alloc(&s->a, src->nfields * sizeof *s->fields + 1);
    if (!s->fields)
        goto fail;
    for (size_t i = 0; i < src->nfields; i++) {
        const schema_field *sf = &src->fields[i];
        schema_field *f = &s->fields[i];
        *f = *sf;
        f->name = arena_strndup(&s->a, sf->name, strlen(sf->name));
        if (!f->name)
            goto fail;
        if (sf->ty->kind == TY_MONEY || sf->ty->kind == TY_ENUM) {
            type *t = arena_memdup(&s->a, sf->ty, sizeof *t);
            if (!t)
                goto fail;
            if (sf->ty->kind == TY_ENUM) {
                enum_def *e = arena_alloc(&s->a, sizeof *e);
                const char **vals =
                    arena_alloc(&s->a, sf->ty->enm->n * sizeof *vals + 1);
                if (!e || !vals)
                    goto fail;
                for (uint32_t k = 0; k < sf->ty->enm->n; k++) {
                    const char *v = sf->ty->enm->values[k];
                    vals[k] = arena_strndup(&s->a, v, strlen(v));
                    if (!vals[k])
                        goto fail;
                }
                e->values = vals;
                e->n = sf->ty->enm->n;
                t->enm = e;
            }
            f->ty = t;
        }
    }
    s->nfields = src->nfields;
    for (size_t i = 0; i < src->nfields; i++)
        if (src->fields[i].events) {
            s->fields[i].events = schema_clone(m, src->fields[i].events);
            if (!s->fields[i].events) {
                for (size_t k = i + 1; k < src->nfields; k++)
                    s->fields[k].events = NULL;
                goto fail;
            }
        }
    s->at = src->at;
    s->key = src->key;
    s->record_size = src->record_size;
    s->record_align = src->record_align;
    s->null_offset = src->null_offset;
    s->null_bytes = src->null_bytes;
    s->fingerprint = src->fingerprint;
    return s;
fail:
    schema_free(s);
    return NULL;
}
