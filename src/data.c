/* data.c - datasets of packed records (data_). */
#include <inttypes.h>
#include <sys/mman.h>

#include "data.h"
#include "events.h"

#define RECORD_ALIGN 64

dataset *data_new(mem *m, const schema *sch)
{
    dataset *d = mem_zalloc(m, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->sch = schema_clone(m, sch);
    d->dicts = mem_array(m, sch->nfields, sizeof *d->dicts);
    d->sets = mem_array(m, sch->nfields, sizeof *d->sets);
    if (!d->sch || !d->dicts || !d->sets) {
        /* data_free sizes the arrays by d->sch, which may be missing */
        mem_free(m, d->dicts, sch->nfields * sizeof *d->dicts);
        mem_free(m, d->sets, sch->nfields * sizeof *d->sets);
        d->dicts = NULL;
        d->sets = NULL;
        data_free(d);
        return NULL;
    }
    for (size_t i = 0; i < sch->nfields; i++) {
        dict_init(&d->dicts[i], m);
        setdict_init(&d->sets[i], m);
    }
    return d;
}

void data_free(dataset *d)
{
    if (!d)
        return;
    size_t nf = d->sch ? d->sch->nfields : 0;
    if (d->dicts)
        for (size_t i = 0; i < nf; i++)
            dict_free(&d->dicts[i]);
    if (d->sets)
        for (size_t i = 0; i < nf; i++)
            setdict_free(&d->sets[i]);
    mem_free(d->m, d->dicts, nf * sizeof *d->dicts);
    mem_free(d->m, d->sets, nf * sizeof *d->sets);
    mem_free(d->m, d->block, d->block_size);
    ev_store_free(d->events);
    if (d->map)
        munmap(d->map, d->map_size);
    schema_free(d->sch);
    mem_free(d->m, d, sizeof *d);
}

unsigned char *data_push(dataset *d)
{
    size_t rs = d->sch->record_size;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        if (cap > (SIZE_MAX - RECORD_ALIGN) / rs) {
            d->m->failed = true;
            return NULL;
        }
        /* grow in place where the allocator can (large blocks are moved by
         * remapping, not copying); if the block moved to an address with
         * another alignment offset, slide the records to the new boundary */
        size_t size = cap * rs + RECORD_ALIGN;
        size_t old_off = d->block ? (size_t)(d->records -
                                             (unsigned char *)d->block)
                                  : 0;
        void *block = mem_realloc(d->m, d->block, d->block_size, size);
        if (!block)
            return NULL;
        uintptr_t a = ((uintptr_t)block + RECORD_ALIGN - 1) &
                      ~(uintptr_t)(RECORD_ALIGN - 1);
        size_t off = (size_t)(a - (uintptr_t)block);
        unsigned char *recs = (unsigned char *)block + off;
        if (d->n && off != old_off)
            memmove(recs, (unsigned char *)block + old_off, d->n * rs);
        d->block = block;
        d->block_size = size;
        d->records = recs;
        d->cap = cap;
    }
    unsigned char *r = d->records + d->n * rs;
    memset(r, 0, rs);
    d->n++;
    return r;
}

void data_write_key(const dataset *d, size_t i, FILE *out)
{
    const schema_field *k = &d->sch->fields[d->sch->key];
    const unsigned char *r = data_record(d, i);
    if (k->ty->kind == TY_INT) {
        fprintf(out, "%" PRId64, rec_i64(r, k->offset));
    } else {
        const dict *dc = &d->dicts[d->sch->key];
        uint32_t id = rec_u32(r, k->offset);
        csv_write_field(out, dc->s[id], dc->len[id]);
    }
}
