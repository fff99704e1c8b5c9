/* api_explain.c - the public API of explanations (segc_explain and friends,
 * in include/segc.h's explanations section). */
#include <stdarg.h>
#include <stdio.h>

#include "api_internal.h"
#include "data.h"
#include "explain.h"



segc_status segc_data_find_key(segc_ctx *ctx, const segc_data *data,
                               const char *key, size_t *index)
{
    api_ctx_mem(ctx)->failed = false;
    if (!data || !key || !index)
        return SEGC_ERR_ARG;
    const schema_field *k = &data->sch->fields[data->sch->key];
    int r = explain_find_key(data, key, index);
    if (r == 1)
        return SEGC_OK;
    if (r < 0)
        api_say(ctx, "'%s' is not a key: the key field '%s' holds integers", key,
            k->name);
    else if (k->ty->kind == TY_INT)
        api_say(ctx, "no record has the key %s = %s", k->name, key);
    else
        api_say(ctx, "no record has the key %s = \"%s\"", k->name, key);
    return SEGC_ERR_ARG;
}

segc_status segc_explainer_new(segc_ctx *ctx, const segc_program *prog,
                               const segc_data *data, int64_t as_of,
                               segc_explainer **out)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    if (!out)
        return SEGC_ERR_ARG;
    *out = NULL;
    if (!prog || !data)
        return SEGC_ERR_ARG;
    const ir_program *p = api_program_ir(prog);
    if (data->sch->fingerprint != p->sch->fingerprint) {
        api_say(ctx, "the data was loaded for schema '%s', whose layout differs "
            "from the program's schema '%s'", data->sch->name, p->sch->name);
        return SEGC_ERR_ARG;
    }
    size_t nsrcs;
    const source *srcs = api_program_sources(prog, &nsrcs);
    *out = explain_new(m, p, data, srcs, nsrcs, as_of);
    return api_finish(ctx, *out ? SEGC_OK : SEGC_ERR_NOMEM);
}

void segc_explainer_free(segc_ctx *ctx, segc_explainer *ex)
{
    (void)ctx;
    explain_free(ex);
}

int segc_explain_member(const segc_explainer *ex, size_t record, size_t seg)
{
    return ex && explain_member(ex, record, seg);
}

/* the name of the program nearest to a misspelled one, or NULL */
static const char *nearest(const ir_program *p, const char *name)
{
    const char *cands[256];
    size_t n = 0;
    for (size_t s = 0; s < p->nsegs && n < 256; s++)
        cands[n++] = p->segs[s].name;
    for (size_t c = 0; c < p->nclasses && n < 256; c++)
        cands[n++] = p->classes[c].name;
    return text_nearest(name, strlen(name), cands, n);
}

segc_status segc_explain_record(segc_ctx *ctx, const segc_explainer *ex,
                                 size_t record, const segc_explain_opts *opts,
                                 FILE *out)
{
    mem *m = api_ctx_mem(ctx);
    m->failed = false;
    if (!ex || !out)
        return SEGC_ERR_ARG;
    explain_opts o = {false, NULL, 0, false};
    if (opts) {
        if (opts->format != SEGC_EXPLAIN_TEXT &&
            opts->format != SEGC_EXPLAIN_JSON) {
            api_say(ctx, "unknown explanation format %d", (int)opts->format);
            return SEGC_ERR_ARG;
        }
        o.json = opts->format == SEGC_EXPLAIN_JSON;
        o.only = opts->nsegments ? opts->segments : NULL;
        o.nonly = opts->segments ? opts->nsegments : 0;
        o.expand = opts->expand != 0;
    }
    bool bad = false;
    for (size_t i = 0; i < o.nonly; i++) {
        if (explain_knows(ex->p, o.only[i]))
            continue;
        const char *s = nearest(ex->p, o.only[i]);
        if (s)
            api_say(ctx, "no segment or classification '%s'; did you mean '%s'?",
                o.only[i], s);
        else
            api_say(ctx, "no segment or classification '%s'", o.only[i]);
        bad = true;
    }
    if (bad)
        return SEGC_ERR_ARG;
    if (record >= ex->d->n) {
        api_say(ctx, "no record %zu (the data has %zu)", record, ex->d->n);
        return SEGC_ERR_ARG;
    }
    buf b;
    buf_init(&b, m);
    segc_status st = explain_record(ex, record, &o, &b) ? SEGC_OK
                                                       : SEGC_ERR_NOMEM;
    if (st == SEGC_OK && !m->failed &&
        (fwrite(b.p ? b.p : "", 1, b.len, out) != b.len || ferror(out))) {
        api_say(ctx, "writing the explanation failed");
        st = SEGC_ERR_IO;
    }
    buf_free(&b);
    return api_finish(ctx, st);
}

segc_status segc_explain(segc_ctx *ctx, const segc_program *prog,
                         const segc_data *data, int64_t as_of, size_t record,
                         const segc_explain_opts *opts, FILE *out)
{
    segc_explainer *ex;
    segc_status st = segc_explainer_new(ctx, prog, data, as_of, &ex);
    if (st != SEGC_OK)
        return st;
    st = segc_explain_record(ctx, ex, record, opts, out);
    segc_explainer_free(ctx, ex);
    return st;
}
