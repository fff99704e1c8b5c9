/* api_eval.c - the public API of the real-time path (segc_evaluator_*, in
 * include/segc.h's "one record at a time" section).
 *
 * An evaluator is made once: it copies the data's dictionaries (so string
 * and set ids mean what they meant in the data) and adds every string
 * constant the program compares a field with, binds the program at as_of
 * over them, computes the population statistics over the data, and
 * compiles the program to scalar code for one record (jit_one.c). After
 * that nothing in it changes: segc_evaluator_record only reads it, from any
 * number of threads at once, and never allocates. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "api_internal.h"
#include "data.h"
#include "eval.h"
#include "interp.h"
#include "jit.h"

struct segc_evaluator {
    mem *m;
    const ir_program *p;
    dataset *d;       /* the schema, and the dictionaries (no records) */
    eval_bound *b;    /* the program bound at as_of over d's dictionaries */
    jit *j;           /* the evaluator's own LLVM session, or NULL */
    jit_code *code;
    jit_one_fn fn;    /* the compiled code, or NULL: the interpreter */
    size_t nwords;
};



/* the fields the program reads (outside the functions of IR_DICTFN, whose
 * argument is a field read too) */
static void mark_fields(const ir_node *n, uint8_t *seen, bool *used)
{
    if (!n || seen[n->id])
        return;
    seen[n->id] = 1;
    if (n->op == IR_FIELD)
        used[n->field] = true;
    for (uint32_t i = 0; i < n->nkids; i++)
        mark_fields(n->kids[i], seen, used);
    mark_fields(n->filter, seen, used);
}

/* the data's dictionaries of the fields the program reads, entry for entry
 * (the same ids); the others stay empty, since no code reads their ids */
static bool copy_dicts(dataset *to, const dataset *from, const bool *used)
{
    const schema *sch = from->sch;
    for (size_t f = 0; f < sch->nfields; f++) {
        if (!used[f])
            continue;
        const dict *dc = &from->dicts[f];
        uint32_t id;
        for (uint32_t i = 0; i < dc->n; i++)
            if (!dict_intern(&to->dicts[f], dc->s[i], dc->len[i], &id))
                return false;
        const setdict *sd = &from->sets[f];
        for (uint32_t i = 0; i < sd->elems.n; i++)
            if (!dict_intern(&to->sets[f].elems, sd->elems.s[i],
                             sd->elems.len[i], &id))
                return false;
        for (uint32_t i = 0; i < sd->n; i++) {
            uint32_t k = sd->count[i];
            uint32_t *ids = mem_array(to->m, (size_t)k + 1, sizeof *ids);
            if (!ids)
                return false;
            memcpy(ids, sd->ids[i], (size_t)k * sizeof *ids);
            bool ok = setdict_intern(&to->sets[f], ids, k, &id);
            mem_free(to->m, ids, ((size_t)k + 1) * sizeof *ids);
            if (!ok)
                return false;
        }
    }
    return true;
}

/* every string constant compared with a string field (=, !=, in) goes into
 * that field's dictionary, so that a string outside it equals none of
 * them */
static bool add_constants(dataset *d, const ir_node *n, uint8_t *seen)
{
    if (!n || seen[n->id])
        return true;
    seen[n->id] = 1;
    uint32_t id;
    if (n->op == IR_CMP && n->kids[0]->ty->kind == TY_STRING) {
        const ir_node *x = n->kids[0], *y = n->kids[1];
        const ir_node *f = x->op == IR_FIELD ? x : y->op == IR_FIELD ? y : NULL;
        const ir_node *c = x->op == IR_CONST ? x : y->op == IR_CONST ? y : NULL;
        if (f && c && !c->is_null &&
            !dict_intern(&d->dicts[f->field], c->v.str.s, c->v.str.len, &id))
            return false;
    }
    if (n->op == IR_IN && n->kids[0]->op == IR_FIELD &&
        n->kids[0]->ty->kind == TY_STRING)
        for (uint32_t i = 0; i < n->nlist; i++)
            if (!dict_intern(&d->dicts[n->kids[0]->field], n->list[i].str.s,
                             n->list[i].str.len, &id))
                return false;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!add_constants(d, n->kids[i], seen))
            return false;
    return add_constants(d, n->filter, seen);
}

/* whether every node of n is of a kind that reads nothing but the record,
 * the bindings and the dictionaries (an aggregate over the customer's event
 * history reads the data's events, which a host's record does not carry) */
static bool one_record_kind(const ir_node *n, uint8_t *seen)
{
    if (!n || seen[n->id])
        return true;
    seen[n->id] = 1;
    switch (n->op) {
    case IR_CONST: case IR_FIELD: case IR_ASOF: case IR_NEG: case IR_ADD:
    case IR_SUB: case IR_MUL: case IR_DIV: case IR_TO_FLOAT: case IR_UNITS:
    case IR_TO_TS: case IR_RESCALE: case IR_SHIFT: case IR_CMP: case IR_IN:
    case IR_CONTAINS: case IR_ISNULL: case IR_AND: case IR_OR: case IR_NOT:
    case IR_ISTRUE: case IR_STAT: case IR_NTILE: case IR_DICTFN:
    case IR_DATEPART:
        break;
    default:
        return false;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!one_record_kind(n->kids[i], seen))
            return false;
    return one_record_kind(n->filter, seen);
}

void segc_evaluator_free(segc_ctx *ctx, segc_evaluator *ev)
{
    (void)ctx;
    if (!ev)
        return;
    if (ev->b)
        eval_unbind(ev->m, ev->p, ev->b);
    jit_code_free(ev->code);
    jit_free(ev->j);
    data_free(ev->d);
    mem_free(ev->m, ev, sizeof *ev);
}

/* the compiled code, or NULL with the reasons in d */
static bool compile(segc_evaluator *ev, diag_list *d)
{
    ev->j = jit_new(ev->m, d);
    if (!ev->j)
        return false;
    ev->code = jit_compile_one(ev->j, ev->p, ev->d, d, NULL);
    if (!ev->code)
        return false;
    ev->fn = jit_code_one(ev->code);
    return true;
}

segc_status segc_evaluator_new(segc_ctx *ctx, const segc_program *prog,
                               const segc_data *data, int64_t as_of,
                               const segc_evaluator_opts *opts,
                               segc_evaluator **out)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    if (!out)
        return SEGC_ERR_ARG;
    *out = NULL;
    if (!prog) {
        api_say(ctx, "segc_evaluator_new: no program");
        return SEGC_ERR_ARG;
    }
    const ir_program *p = api_program_ir(prog);
    segc_engine engine = opts ? opts->engine : SEGC_ENGINE_AUTO;
    if (engine != SEGC_ENGINE_AUTO && engine != SEGC_ENGINE_INTERP &&
        engine != SEGC_ENGINE_JIT) {
        api_say(ctx, "unknown engine %d", (int)engine);
        return SEGC_ERR_ARG;
    }
    if (data && data->sch->fingerprint != p->sch->fingerprint) {
        api_say(ctx, "the data was loaded for schema '%s', whose layout differs "
            "from the program's schema '%s'", data->sch->name, p->sch->name);
        return SEGC_ERR_ARG;
    }
    if (p->has_events) {
        api_say(ctx, "the rules aggregate event histories, which the one-record "
            "evaluator cannot read yet: evaluate them over the data with "
            "segc_eval");
        return SEGC_ERR_ARG;
    }
    if (!data && p->nstats) {
        api_say(ctx, "the rules use population statistics (such as avg or "
            "ntile): the evaluator needs the data to compute them over");
        return SEGC_ERR_ARG;
    }
    {
        /* statistics' arguments too: the evaluator binds them over its own
         * copy of the dictionaries, which holds no events */
        uint8_t *seen = mem_zalloc(m, (size_t)p->nnodes + 1);
        if (!seen)
            return api_finish(ctx, SEGC_ERR_NOMEM);
        bool ok = true;
        for (size_t s = 0; ok && s < p->nsegs; s++)
            ok = one_record_kind(p->segs[s].root, seen);
        mem_free(m, seen, (size_t)p->nnodes + 1);
        if (!ok) {
            api_say(ctx, "the rules read event histories, which a single record "
                "does not hold: evaluate them with segc_eval");
            return SEGC_ERR_ARG;
        }
    }
    segc_evaluator *ev = mem_zalloc(m, sizeof *ev);
    if (!ev)
        return api_finish(ctx, SEGC_ERR_NOMEM);
    ev->m = m;
    ev->p = p;
    ev->nwords = (p->nsegs + 63) / 64;
    ev->d = data_new(m, p->sch);
    segc_status st = SEGC_ERR_NOMEM;
    uint8_t *seen = mem_zalloc(m, (size_t)p->nnodes + 1);
    bool *used = mem_zalloc(m, p->sch->nfields + 1);
    bool ok = ev->d && seen && used;
    for (size_t s = 0; ok && s < p->nsegs; s++)
        mark_fields(p->segs[s].root, seen, used);
    for (size_t s = 0; ok && s < p->nstats; s++)
        mark_fields(p->stats[s], seen, used);
    if (seen)
        memset(seen, 0, (size_t)p->nnodes + 1);
    ok = ok && (!data || copy_dicts(ev->d, data, used));
    if (used)
        mem_free(m, used, p->sch->nfields + 1);
    for (size_t s = 0; ok && s < p->nsegs; s++)
        ok = add_constants(ev->d, p->segs[s].root, seen);
    for (size_t s = 0; ok && s < p->nstats; s++)
        ok = add_constants(ev->d, p->stats[s], seen);
    if (seen)
        mem_free(m, seen, (size_t)p->nnodes + 1);
    if (ok)
        ev->b = eval_bind(m, p, ev->d, as_of);
    if (ev->b) {
        /* the statistics of the data: its records, its ids (which mean the
         * same in the copied dictionaries) */
        eval_par par = {opts ? opts->threads : 0, 0};
        st = p->nstats ? interp_stats_par(m, p, data, ev->b, &par) : SEGC_OK;
    }
    if (st == SEGC_OK && engine != SEGC_ENGINE_INTERP) {
        if (engine == SEGC_ENGINE_JIT) {
            if (!compile(ev, api_ctx_diags(ctx)))
                st = SEGC_ERR_COMPILE;
        } else {
            /* auto: the interpreter when there can be no machine code; the
             * result is the same, only slower (segc_evaluator_engine) */
            diag_list quiet;
            diag_init(&quiet, m);
            if (!compile(ev, &quiet)) {
                jit_code_free(ev->code);
                jit_free(ev->j);
                ev->code = NULL;
                ev->j = NULL;
                ev->fn = NULL;
            }
            diag_free(&quiet);
        }
    }
    if (st != SEGC_OK || m->failed) {
        segc_evaluator_free(ctx, ev);
        return api_finish(ctx, st == SEGC_OK ? SEGC_ERR_NOMEM : st);
    }
    *out = ev;
    return api_finish(ctx, SEGC_OK);
}

segc_engine segc_evaluator_engine(const segc_evaluator *ev)
{
    return ev->fn ? SEGC_ENGINE_JIT : SEGC_ENGINE_INTERP;
}

size_t segc_evaluator_words(const segc_evaluator *ev)
{
    return ev->nwords;
}

void segc_evaluator_record(const segc_evaluator *ev, const void *record,
                           uint64_t *segments)
{
    if (ev->fn) {
        ev->fn(record, ev->b, ev->d, segments);
        return;
    }
    const ir_program *p = ev->p;
    memset(segments, 0, ev->nwords * sizeof *segments);
    for (size_t s = 0; s < p->nsegs; s++) {
        interp_value v =
            interp_node_value(ev->b, p, ev->d, p->segs[s].root, record);
        if (!v.null && v.i)
            segments[s / 64] |= UINT64_C(1) << (s % 64);
    }
}

segc_status segc_evaluator_records(segc_ctx *ctx, const segc_evaluator *ev,
                                   const void *records, size_t n,
                                   uint64_t *bits)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    if (!ev || (n && (!records || !bits))) {
        api_say(ctx, "segc_evaluator_records: no evaluator, records or bitmaps");
        return SEGC_ERR_ARG;
    }
    size_t words = (n + 63) / 64, nsegs = ev->p->nsegs;
    size_t rs = ev->d->sch->record_size;
    if (nsegs && words > SIZE_MAX / sizeof *bits / nsegs) {
        api_say(ctx, "segc_evaluator_records: %zu records of %zu segments do not "
            "fit in memory", n, nsegs);
        return SEGC_ERR_ARG;
    }
    uint64_t small[16], *w = small;
    if (ev->nwords > 16 && !(w = mem_array(m, ev->nwords, sizeof *w)))
        return api_finish(ctx, SEGC_ERR_NOMEM);
    memset(bits, 0, nsegs * words * sizeof *bits);
    const unsigned char *rec = records;
    for (size_t r = 0; r < n; r++, rec += rs) {
        segc_evaluator_record(ev, rec, w);
        for (size_t k = 0; k < ev->nwords; k++)
            for (uint64_t x = w[k]; x; x &= x - 1) {
                size_t s = k * 64 + (size_t)__builtin_ctzll(x);
                bits[s * words + r / 64] |= UINT64_C(1) << (r % 64);
            }
    }
    if (w != small)
        mem_free(m, w, ev->nwords * sizeof *w);
    return SEGC_OK;
}

void segc_evaluator_tiers(const segc_evaluator *ev, const uint64_t *segments,
                          int *tiers)
{
    const ir_program *p = ev->p;
    for (size_t c = 0; c < p->nclasses; c++) {
        const ir_classification *cl = &p->classes[c];
        tiers[c] = -1;
        for (uint32_t t = cl->first; t < cl->first + cl->ntiers; t++)
            if (segments[t / 64] >> (t % 64) & 1) {
                tiers[c] = (int)t;
                break;
            }
    }
}

/* the field's index, or an error */
static bool check_field(segc_ctx *ctx, const segc_evaluator *ev, size_t field,
                        type_kind want, const char *what)
{
    const schema *sch = ev->d->sch;
    if (field >= sch->nfields) {
        api_say(ctx, "schema '%s' has no field %zu", sch->name, field);
        return false;
    }
    if (sch->fields[field].ty->kind != want) {
        api_say(ctx, "field '%s' is not a %s", sch->fields[field].name, what);
        return false;
    }
    return true;
}

segc_status segc_evaluator_string(segc_ctx *ctx, const segc_evaluator *ev,
                                  size_t field, const char *text, size_t len,
                                  uint32_t *id)
{
    if (!ev || !id || (!text && len))
        return SEGC_ERR_ARG;
    if (!check_field(ctx, ev, field, TY_STRING, "string"))
        return SEGC_ERR_ARG;
    if (!dict_find(&ev->d->dicts[field], text ? text : "", len, id))
        *id = SEGC_ID_UNKNOWN;
    return SEGC_OK;
}

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

segc_status segc_evaluator_set(segc_ctx *ctx, const segc_evaluator *ev,
                               size_t field, const char *const *elems,
                               size_t n, uint32_t *id)
{
    if (!ev || !id || (!elems && n))
        return SEGC_ERR_ARG;
    if (!check_field(ctx, ev, field, TY_SET, "set"))
        return SEGC_ERR_ARG;
    const setdict *sd = &ev->d->sets[field];
    *id = SEGC_ID_UNKNOWN;
    uint32_t small[64], *ids = small;
    if (n > 64 && !(ids = mem_array(ev->m, n, sizeof *ids)))
        return api_finish(ctx, SEGC_ERR_NOMEM);
    size_t k = 0;
    bool known = true;
    for (size_t i = 0; i < n && known; i++)
        known = dict_find(&sd->elems, elems[i], strlen(elems[i]), &ids[k++]);
    if (known) {
        /* as setdict_intern keys it: sorted, without repeats */
        qsort(ids, k, sizeof *ids, cmp_id);
        size_t u = 0;
        for (size_t i = 0; i < k; i++)
            if (u == 0 || ids[u - 1] != ids[i])
                ids[u++] = ids[i];
        const char *key = u ? (const char *)ids : "";
        uint32_t found;
        if (smap_get(&sd->map, key, u * sizeof *ids, &found))
            *id = found;
    }
    if (ids != small)
        mem_free(ev->m, ids, n * sizeof *ids);
    return SEGC_OK;
}
