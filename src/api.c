/* api.c - the public API (segc_): handles, status codes, and the pipeline
 * source -> parse -> check -> IR -> engine, wired together. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "check.h"
#include "data.h"
#include "eval.h"
#include "interp.h"
#include "jit.h"
#include "limit.h"
#include "lint.h"
#include "parse.h"
#include "unit.h"
#include "value.h"

struct segc_ctx {
    mem m;
    diag_list diags;
    jit *jit; /* made when first needed */
};

struct segc_program {
    mem *m;
    segc_ctx *ctx;   /* whose JIT holds the machine code */
    schema *sch;     /* owned */
    ir_program *ir;  /* refers to sch */
    jit_code *code;  /* machine code, or NULL */
    int opt_level;
    source *srcs;    /* copies of the program's files, in the order that
                      * ir_node.file counts them, then the --param values:
                      * explanations quote them */
    size_t nsrcs;
};

static uint64_t clock_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

const char *segc_version(void)
{
    return SEGC_VERSION_STRING;
}

/* ---- context and diagnostics ------------------------------------------------ */

segc_ctx *segc_ctx_new(segc_alloc_fn alloc, void *ud)
{
    mem m;
    mem_init(&m, alloc, ud);
    segc_ctx *ctx = mem_alloc(&m, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->m = m;
    diag_init(&ctx->diags, &ctx->m);
    ctx->jit = NULL;
    return ctx;
}

void segc_ctx_free(segc_ctx *ctx)
{
    if (!ctx)
        return;
    jit_free(ctx->jit);
    diag_free(&ctx->diags);
    mem m = ctx->m;
    mem_free(&m, ctx, sizeof *ctx);
}

size_t segc_diag_count(const segc_ctx *ctx)
{
    return ctx->diags.n;
}

const segc_diag *segc_diag_get(const segc_ctx *ctx, size_t i)
{
    return i < ctx->diags.n ? &ctx->diags.items[i] : NULL;
}

size_t segc_diag_errors(const segc_ctx *ctx)
{
    return ctx->diags.errors;
}

void segc_diag_clear(segc_ctx *ctx)
{
    diag_clear(&ctx->diags);
}

void segc_diag_print(const segc_ctx *ctx, size_t i, FILE *out)
{
    if (i < ctx->diags.n)
        diag_print(&ctx->diags.items[i], out);
}

void segc_diag_print_all(const segc_ctx *ctx, FILE *out)
{
    for (size_t i = 0; i < ctx->diags.n; i++)
        diag_print(&ctx->diags.items[i], out);
}

/* Every entry point starts afresh and ends by turning a failed allocation
 * anywhere below into SEGC_ERR_NOMEM. */
static void begin(segc_ctx *ctx)
{
    ctx->m.failed = false;
}

segc_status api_finish(segc_ctx *ctx, segc_status st)
{
    if (ctx->m.failed) {
        ctx->m.failed = false;
        diag_place(&ctx->diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "out of memory");
        return SEGC_ERR_NOMEM;
    }
    return st;
}

static segc_status finish(segc_ctx *ctx, segc_status st)
{
    return api_finish(ctx, st);
}

void api_say(segc_ctx *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_place(&ctx->diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0, "%s",
               msg);
}

static void io_error(segc_ctx *ctx, const char *what, const char *path)
{
    char eb[128];
    int e = errno;
    if (strerror_r(e, eb, sizeof eb) != 0)
        snprintf(eb, sizeof eb, "error %d", e);
    diag_place(&ctx->diags, SEGC_SEV_ERROR, path, 0, 0, 0, NULL, 0,
               "cannot %s '%s': %s", what, path, eb);
}

/* Reads a whole file into a buffer of *cap bytes (free with that size). */
static char *read_file(segc_ctx *ctx, const char *path, size_t *len,
                       size_t *cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        io_error(ctx, "open", path);
        return NULL;
    }
    buf b;
    buf_init(&b, &ctx->m);
    char chunk[1 << 14];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (!buf_append(&b, chunk, n))
            break;
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || ctx->m.failed) {
        if (bad)
            io_error(ctx, "read", path);
        buf_free(&b);
        return NULL;
    }
    if (!buf_reserve(&b, 1)) {
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    *cap = b.cap;
    return b.p;
}

/* ---- schemas -------------------------------------------------------------------- */

static const ast_schema *only_schema(const ast_file *f, segc_ctx *ctx,
                                     const source *src, size_t *count)
{
    const ast_schema *first = NULL;
    *count = 0;
    for (const ast_item *it = f->items; it; it = it->next) {
        /* a schema whose name did not parse ('schema' used as a name) is
         * only its syntax error */
        if (it->kind != ITEM_SCHEMA || strcmp(it->u.schema->name, "?") == 0)
            continue;
        if (++*count == 1) {
            first = it->u.schema;
        } else {
            diag_at(&ctx->diags, SEGC_SEV_ERROR, src, it->u.schema->name_at,
                    NULL, NULL, "only one schema can be declared per file");
            diag_at(&ctx->diags, SEGC_SEV_NOTE, src, first->name_at, NULL,
                    NULL, "schema '%s' is declared here", first->name);
        }
    }
    return first;
}

segc_status segc_schema_parse(segc_ctx *ctx, const char *name,
                              const char *text, size_t len,
                              segc_schema **out)
{
    begin(ctx);
    *out = NULL;
    size_t start = ctx->diags.n, errors0 = ctx->diags.errors;
    source src;
    if (!source_init(&src, &ctx->m, name, text, len))
        return finish(ctx, SEGC_ERR_NOMEM);
    arena a;
    arena_init(&a, &ctx->m);
    segc_status st = SEGC_ERR_COMPILE;
    ast_file *f = parse_file(&ctx->m, &a, &src, &ctx->diags);
    if (f) {
        size_t count;
        const ast_schema *decl = only_schema(f, ctx, &src, &count);
        for (const ast_item *it = f->items; it; it = it->next)
            if (it->kind == ITEM_SEGMENT) {
                diag_at(&ctx->diags, SEGC_SEV_ERROR, &src,
                        it->u.segment->name_at, NULL, NULL,
                        "a schema file holds only the schema; segment '%s' "
                        "belongs in a rule file", it->u.segment->name);
                break;
            }
        if (!decl && !f->syntax_errors)
            diag_at(&ctx->diags, SEGC_SEV_ERROR, &src, (loc){0, 0}, NULL,
                    NULL, "no schema declaration found (expected 'schema "
                    "Name { ... }')");
        if (decl && !decl->had_errors && ctx->diags.errors == errors0) {
            *out = check_schema(&ctx->m, decl, &src, &ctx->diags);
            if (*out)
                st = SEGC_OK;
        }
    }
    diag_sort_from(&ctx->diags, start);
    arena_free(&a);
    source_free(&src);
    if (st != SEGC_OK && ctx->diags.errors == errors0 && !ctx->m.failed)
        ctx->m.failed = true; /* no diagnostic: only memory can explain it */
    return finish(ctx, st);
}

segc_status segc_schema_load(segc_ctx *ctx, const char *path,
                             segc_schema **out)
{
    begin(ctx);
    *out = NULL;
    size_t len, cap;
    char *text = read_file(ctx, path, &len, &cap);
    if (!text)
        return finish(ctx, SEGC_ERR_IO);
    segc_status st = segc_schema_parse(ctx, path, text, len, out);
    mem_free(&ctx->m, text, cap);
    return st;
}

void segc_schema_free(segc_ctx *ctx, segc_schema *s)
{
    (void)ctx;
    schema_free(s);
}

const char *segc_schema_name(const segc_schema *s)
{
    return s->name;
}

size_t segc_schema_field_count(const segc_schema *s)
{
    return s->nfields;
}

size_t segc_schema_record_size(const segc_schema *s)
{
    return s->record_size;
}

size_t segc_schema_key_field(const segc_schema *s)
{
    return s->key;
}

uint64_t segc_schema_fingerprint(const segc_schema *s)
{
    return s->fingerprint;
}

segc_status segc_schema_field(const segc_schema *s, size_t i,
                              segc_field_info *out)
{
    if (i >= s->nfields)
        return SEGC_ERR_ARG;
    const schema_field *f = &s->fields[i];
    static const segc_type kinds[] = {
        [TY_BOOL] = SEGC_TYPE_BOOL,       [TY_INT] = SEGC_TYPE_INT,
        [TY_FLOAT] = SEGC_TYPE_FLOAT,     [TY_MONEY] = SEGC_TYPE_MONEY,
        [TY_STRING] = SEGC_TYPE_STRING,   [TY_ENUM] = SEGC_TYPE_ENUM,
        [TY_DATE] = SEGC_TYPE_DATE,       [TY_TIMESTAMP] = SEGC_TYPE_TIMESTAMP,
        [TY_SET] = SEGC_TYPE_SET};
    out->name = f->name;
    out->type = kinds[f->ty->kind];
    out->nullable = f->nullable;
    out->is_key = f->is_key;
    out->offset = f->offset;
    out->size = f->size;
    out->null_bit = f->null_bit;
    out->currency = f->ty->kind == TY_MONEY ? cur_get(f->ty->currency)->code
                                            : NULL;
    out->decimals = f->ty->kind == TY_MONEY ? f->ty->scale : 0;
    return SEGC_OK;
}

/* ---- programs -------------------------------------------------------------------- */

static void program_free(segc_program *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nsrcs; i++) {
        source *s = &p->srcs[i];
        if (!s->text)
            continue;
        mem_free(p->m, (char *)s->text, s->len + 1);
        mem_strfree(p->m, (char *)s->name);
        source_free(s);
    }
    mem_free(p->m, p->srcs, (p->nsrcs + 1) * sizeof *p->srcs);
    jit_code_free(p->code);
    ir_program_free(p->ir);
    schema_free(p->sch);
    mem_free(p->m, p, sizeof *p);
}

/* Copies the texts of the unit's files into p, which outlives the unit
 * (a failed allocation is m->failed): the files ir_node.file counts, then
 * the --param values ("param NAME = VALUE"), whose nodes have no file. */
static void keep_sources(segc_program *p, const unit *u)
{
    size_t n = u->norder + u->noverrides;
    p->srcs = mem_array(p->m, n + 1, sizeof *p->srcs);
    if (!p->srcs)
        return;
    memset(p->srcs, 0, (n + 1) * sizeof *p->srcs);
    p->nsrcs = n;
    for (size_t i = 0; i < n; i++) {
        const source *s = i < u->norder
                              ? u->order[i].ast->src
                              : &u->override_files[i - u->norder]->src;
        char *name = mem_strndup(p->m, s->name, strlen(s->name));
        char *text = mem_alloc(p->m, s->len + 1);
        if (text) {
            memcpy(text, s->text, s->len);
            text[s->len] = 0;
        }
        if (!name || !text ||
            !source_init(&p->srcs[i], p->m, name, text, s->len)) {
            mem_strfree(p->m, name);
            if (text)
                mem_free(p->m, text, s->len + 1);
            memset(&p->srcs[i], 0, sizeof p->srcs[i]);
            return;
        }
    }
}

static jit *ctx_jit(segc_ctx *ctx)
{
    if (!ctx->jit)
        ctx->jit = jit_new(&ctx->m, &ctx->diags);
    return ctx->jit;
}

/* Machine code for p; *ns gets the time it took. */
static jit_code *make_code(segc_ctx *ctx, const segc_program *p, FILE *emit,
                           uint64_t *ns)
{
    jit *j = ctx_jit(ctx);
    if (!j)
        return NULL;
    jit_opts o = {p->opt_level, emit};
    return jit_compile(j, p->ir, &o, &ctx->diags, ns);
}

/* ---- lint ---------------------------------------------------------------------- */

static void run_lint(segc_ctx *ctx, const ir_program *p, const unit *u,
                     const segc_lint_opts *lo)
{
    const source **srcs = mem_array(&ctx->m, u->norder + 1, sizeof *srcs);
    if (!srcs)
        return;
    for (size_t i = 0; i < u->norder; i++)
        srcs[i] = u->order[i].ast->src;
    lint_opts o = {lo->max_conditions, lo->max_list};
    lint_program(&ctx->m, p, srcs, &o, &ctx->diags);
    mem_free(&ctx->m, srcs, (u->norder + 1) * sizeof *srcs);
}

/* @allow(SEG101, "reason") on a declaration (or a tier, or a whole
 * classification) silences that warning within it */
typedef struct allow {
    const char *file;
    unsigned from, to;   /* lines */
    const char *code;
    size_t len;
} allow;

static bool allowed(const allow *al, size_t n, const segc_diag *dg)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(al[i].file, dg->file) == 0 && dg->line >= al[i].from &&
            dg->line <= al[i].to && strlen(dg->code) == al[i].len &&
            memcmp(dg->code, al[i].code, al[i].len) == 0)
            return true;
    return false;
}

/* the @allow annotations of one declaration; SEG001 when one has no
 * reason */
static size_t add_allows(segc_ctx *ctx, allow *al, size_t n,
                         const ir_annotation *an, uint32_t nan,
                         const source *src, loc span, bool lint)
{
    unsigned l1, l2, col;
    source_pos(src, span.start, &l1, &col);
    source_pos(src, span.end ? span.end - 1 : 0, &l2, &col);
    for (uint32_t k = 0; k < nan; k++) {
        if (strcmp(an[k].name, "allow") != 0 || !an[k].value)
            continue;
        const char *v = an[k].value;
        size_t len = strcspn(v, ", \t");
        al[n].file = src->name;
        al[n].from = l1;
        al[n].to = l2;
        al[n].code = v;
        al[n].len = len;
        n++;
        if (lint && !strchr(v + len, '"'))
            diag_at(&ctx->diags, SEGC_SEV_WARNING, src, span, "SEG001", NULL,
                    "@allow(%.*s) needs a reason, as in @allow(%.*s, "
                    "\"reviewed: ...\")", (int)len, v, (int)len, v);
    }
    return n;
}

/* Removes the warnings that are disabled or allowed (with their notes). */
static void drop_warnings(segc_ctx *ctx, const ir_program *p, const unit *u,
                          size_t start, const segc_lint_opts *lo)
{
    size_t cap = 0;
    for (size_t i = 0; i < p->nsegs; i++)
        cap += p->segs[i].nannotations;
    for (size_t i = 0; i < p->nclasses; i++)
        cap += p->classes[i].nannotations * (p->classes[i].ntiers + 1);
    allow *al = mem_array(&ctx->m, cap + 1, sizeof *al);
    if (!al)
        return;
    size_t n = 0;
    for (size_t i = 0; i < p->nsegs; i++) {
        const ir_segment *s = &p->segs[i];
        if (s->file >= u->norder)
            continue;
        const source *src = u->order[s->file].ast->src;
        n = add_allows(ctx, al, n, s->annotations, s->nannotations, src,
                       s->span, lo != NULL);
    }
    for (size_t i = 0; i < p->nclasses; i++) {
        const ir_classification *c = &p->classes[i];
        if (c->file >= u->norder)
            continue;
        n = add_allows(ctx, al, n, c->annotations, c->nannotations,
                       u->order[c->file].ast->src, c->span, lo != NULL);
    }
    diag_list *d = &ctx->diags;
    size_t w = start;
    bool dropping = false;
    for (size_t i = start; i < d->n; i++) {
        segc_diag *dg = &d->items[i];
        if (dg->severity != SEGC_SEV_NOTE) {
            dropping = false;
            if (dg->severity == SEGC_SEV_WARNING && dg->code) {
                for (size_t k = 0; lo && k < lo->ndisable && !dropping; k++)
                    dropping = strcmp(lo->disable[k], dg->code) == 0;
                dropping = dropping || allowed(al, n, dg);
            }
        }
        if (!dropping)
            d->items[w++] = *dg;
    }
    d->n = w;
    mem_free(&ctx->m, al, (cap + 1) * sizeof *al);
}

segc_status segc_compile(segc_ctx *ctx, const segc_schema *given,
                         const char *name, const char *text, size_t len,
                         const segc_compile_opts *opts, segc_program **out)
{
    begin(ctx);
    *out = NULL;
    size_t start = ctx->diags.n, errors0 = ctx->diags.errors;
    limits lim; /* issue 8: src/limit.h */
    limits_init(&lim, opts ? opts->limits : NULL);
    unit u;
    unit_init(&u, &ctx->m, &ctx->diags, opts ? opts->lib_paths : NULL,
              opts && opts->lib_paths ? opts->nlib_paths : 0);
    u.lim = &lim;
    segc_program *prog = NULL;
    if (!limits_check_source(&lim, &ctx->m, &ctx->diags, name, text, len) ||
        !unit_load(&u, name, text, len) ||
        !unit_params(&u, opts ? opts->params : NULL,
                     opts && opts->params ? opts->nparams : 0))
        goto done;
    size_t errors1 = ctx->diags.errors;
    if (!limits_check_unit(&lim, &u) || ctx->diags.errors != errors1 ||
        u.limit_errors ||
        limits_out_of_time(&lim, &ctx->diags, unit_main(&u)->src,
                           (loc){0, 0}))
        goto done;
    const ast_file *f = unit_main(&u);
    const source *src = f->src;
    size_t count;
    const ast_schema *decl = only_schema(f, ctx, src, &count);
    schema *sch = NULL;
    if (decl && given) {
        diag_at(&ctx->diags, SEGC_SEV_ERROR, src, decl->name_at, NULL, NULL,
                "the rule file declares schema '%s', and another schema was "
                "given (--schema); use one of them", decl->name);
        goto done;
    }
    if (decl) {
        if (decl->had_errors)
            goto done; /* its syntax errors are reported; checking segments
                        * against half a schema would only add noise */
        sch = check_schema(&ctx->m, decl, src, &ctx->diags);
    } else if (given) {
        sch = schema_clone(&ctx->m, given);
    } else {
        diag_at(&ctx->diags, SEGC_SEV_ERROR, src, (loc){0, 0}, NULL, NULL,
                "no schema: give one (--schema FILE), or declare it in the "
                "rule file with 'schema Name { ... }'");
        goto done;
    }
    if (!sch)
        goto done;
    prog = mem_zalloc(&ctx->m, sizeof *prog);
    if (!prog) {
        schema_free(sch);
        goto done;
    }
    prog->m = &ctx->m;
    prog->ctx = ctx;
    prog->sch = sch;
    prog->opt_level = opts && opts->opt_level > 0 ? opts->opt_level : 2;
    check_input in = {u.order, u.norder, sch, u.overrides, u.noverrides,
                      opts && opts->lint, unit_main_in_library(&u), &lim};
    prog->ir = check_program(&ctx->m, &in, &ctx->diags);
    if (prog->ir && limits_out_of_time(&lim, &ctx->diags, src, (loc){0, 0}))
        goto done;
    if (prog->ir && opts && opts->lint && ctx->diags.errors == errors0)
        run_lint(ctx, prog->ir, &u, opts->lint);
    if (prog->ir)
        drop_warnings(ctx, prog->ir, &u, start, opts ? opts->lint : NULL);
    if (prog->ir)
        keep_sources(prog, &u);
done:
    diag_sort_from(&ctx->diags, start);
    unit_free(&u);
    if (prog && prog->ir && ctx->diags.errors == errors0 && !ctx->m.failed) {
        if (opts && opts->engine == SEGC_ENGINE_JIT) {
            prog->code = make_code(ctx, prog, NULL, NULL);
            if (!prog->code) {
                program_free(prog);
                return finish(ctx, SEGC_ERR_COMPILE);
            }
        }
        *out = prog;
        return finish(ctx, SEGC_OK);
    }
    program_free(prog);
    if (ctx->diags.errors == errors0 && !ctx->m.failed)
        ctx->m.failed = true;
    return finish(ctx, SEGC_ERR_COMPILE);
}

segc_status segc_compile_file(segc_ctx *ctx, const segc_schema *schema_,
                              const char *path, const segc_compile_opts *opts,
                              segc_program **out)
{
    begin(ctx);
    *out = NULL;
    size_t len, cap;
    char *text = read_file(ctx, path, &len, &cap);
    if (!text)
        return finish(ctx, SEGC_ERR_IO);
    segc_status st = segc_compile(ctx, schema_, path, text, len, opts, out);
    mem_free(&ctx->m, text, cap);
    return st;
}

segc_status segc_program_jit(segc_ctx *ctx, segc_program *p)
{
    begin(ctx);
    if (p->ctx != ctx) {
        diag_place(&ctx->diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "a program gets machine code in the context that made it");
        return SEGC_ERR_ARG;
    }
    if (!p->code)
        p->code = make_code(ctx, p, NULL, NULL);
    return finish(ctx, p->code ? SEGC_OK : SEGC_ERR_COMPILE);
}

segc_status segc_program_emit_llvm(segc_ctx *ctx, const segc_program *p,
                                   FILE *out)
{
    begin(ctx);
    jit_code *c = make_code(ctx, p, out, NULL);
    if (!c)
        return finish(ctx, SEGC_ERR_COMPILE);
    jit_code_free(c);
    return finish(ctx, SEGC_OK);
}

void segc_program_free(segc_ctx *ctx, segc_program *p)
{
    (void)ctx;
    program_free(p);
}

const segc_schema *segc_program_schema(const segc_program *p)
{
    return p->sch;
}

size_t segc_program_segment_count(const segc_program *p)
{
    return p->ir->nsegs;
}

const char *segc_program_segment_name(const segc_program *p, size_t i)
{
    return i < p->ir->nsegs ? p->ir->segs[i].name : NULL;
}

const char *segc_program_segment_description(const segc_program *p, size_t i)
{
    return i < p->ir->nsegs ? p->ir->segs[i].description : NULL;
}

int segc_program_segment_classification(const segc_program *p, size_t i)
{
    return i < p->ir->nsegs ? p->ir->segs[i].classification : -1;
}

size_t segc_program_segment_annotation_count(const segc_program *p, size_t i)
{
    return i < p->ir->nsegs ? p->ir->segs[i].nannotations : 0;
}

int segc_program_segment_annotation(const segc_program *p, size_t i, size_t k,
                                    const char **name, const char **value)
{
    if (i >= p->ir->nsegs || k >= p->ir->segs[i].nannotations)
        return 0;
    *name = p->ir->segs[i].annotations[k].name;
    *value = p->ir->segs[i].annotations[k].value;
    return 1;
}

size_t segc_program_classification_count(const segc_program *p)
{
    return p->ir->nclasses;
}

const char *segc_program_classification_name(const segc_program *p, size_t c)
{
    return c < p->ir->nclasses ? p->ir->classes[c].name : NULL;
}

int segc_program_classification_tiers(const segc_program *p, size_t c,
                                      size_t *first, size_t *count)
{
    if (c >= p->ir->nclasses)
        return 0;
    *first = p->ir->classes[c].first;
    *count = p->ir->classes[c].ntiers;
    return 1;
}

size_t segc_program_param_count(const segc_program *p)
{
    return p->ir->nparams;
}

int segc_program_param(const segc_program *p, size_t i, const char **name,
                       const char **value)
{
    if (i >= p->ir->nparams)
        return 0;
    *name = p->ir->params[i].name;
    *value = p->ir->params[i].value;
    return 1;
}

void segc_program_dump(const segc_program *p, FILE *out)
{
    ir_dump(p->ir, out);
}

/* ---- data --------------------------------------------------------------------------- */

segc_status segc_data_load_csv(segc_ctx *ctx, const segc_schema *sch,
                               const char *path, const segc_load_opts *opts,
                               segc_data **out, segc_load_stats *stats)
{
    begin(ctx);
    segc_status st = load_csv(&ctx->m, sch, path, opts, &ctx->diags, out,
                              stats);
    return finish(ctx, st);
}

void segc_data_free(segc_ctx *ctx, segc_data *d)
{
    (void)ctx;
    data_free(d);
}

size_t segc_data_count(const segc_data *d)
{
    return d->n;
}

const void *segc_data_records(const segc_data *d)
{
    return d->records;
}

void segc_data_write_key(const segc_data *d, size_t i, FILE *out)
{
    if (i < d->n)
        data_write_key(d, i, out);
}

/* ---- evaluation ------------------------------------------------------------------- */

segc_status segc_eval(segc_ctx *ctx, const segc_program *prog,
                      const segc_data *data, int64_t as_of,
                      const segc_eval_opts *opts, segc_result **out)
{
    begin(ctx);
    *out = NULL;
    if (data->sch->fingerprint != prog->sch->fingerprint) {
        diag_place(&ctx->diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "the data was loaded for schema '%s', whose layout differs "
                   "from the program's schema '%s'", data->sch->name,
                   prog->sch->name);
        return SEGC_ERR_ARG;
    }
    segc_engine engine = opts ? opts->engine : SEGC_ENGINE_AUTO;
    if (engine != SEGC_ENGINE_AUTO && engine != SEGC_ENGINE_INTERP &&
        engine != SEGC_ENGINE_JIT) {
        diag_place(&ctx->diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "unknown engine %d", (int)engine);
        return SEGC_ERR_ARG;
    }
    if (engine == SEGC_ENGINE_AUTO)
        engine = prog->code || eval_worth_jit(prog->ir, data->n)
                     ? SEGC_ENGINE_JIT
                     : SEGC_ENGINE_INTERP;
    result *res = result_new(&ctx->m, prog->ir->nsegs, data->n);
    if (!res)
        return finish(ctx, SEGC_ERR_NOMEM);
    res->timing.engine = engine;
    /* a program without machine code gets some for this evaluation */
    jit_code *code = prog->code, *temp = NULL;
    if (engine == SEGC_ENGINE_JIT && !code) {
        code = temp = make_code(ctx, prog, NULL, &res->timing.compile_ns);
        if (!code) {
            result_free(res);
            return finish(ctx, SEGC_ERR_COMPILE);
        }
    }
    uint64_t t0 = clock_ns();
    segc_status st = SEGC_ERR_NOMEM;
    eval_bound *b = eval_bind(&ctx->m, prog->ir, data, as_of);
    if (b) {
        eval_par par = {opts ? opts->threads : 0, opts ? opts->morsel : 0};
        st = !prog->ir->nstats ? SEGC_OK
             : engine == SEGC_ENGINE_JIT
                 ? jit_stats(code, &ctx->m, prog->ir, data, b, &par)
                 : interp_stats_par(&ctx->m, prog->ir, data, b, &par);
        uint64_t t1 = clock_ns();
        res->timing.stats_ns = t1 - t0;
        if (st == SEGC_OK)
            st = engine == SEGC_ENGINE_JIT
                     ? jit_run(code, &ctx->m, prog->ir, data, b, res, &par)
                     : interp_run(&ctx->m, prog->ir, data, b, res, &par);
        res->timing.scan_ns = clock_ns() - t1;
        eval_unbind(&ctx->m, prog->ir, b);
    }
    jit_code_free(temp);
    if (st != SEGC_OK) {
        result_free(res);
        return finish(ctx, st);
    }
    *out = res;
    return finish(ctx, SEGC_OK);
}

void segc_result_free(segc_ctx *ctx, segc_result *r)
{
    (void)ctx;
    result_free(r);
}

void segc_result_timing(const segc_result *r, segc_timing *out)
{
    *out = r->timing;
}

size_t segc_result_segment_count(const segc_result *r)
{
    return r->nsegs;
}

size_t segc_result_records(const segc_result *r)
{
    return r->nrecords;
}

size_t segc_result_count(const segc_result *r, size_t seg)
{
    return seg < r->nsegs ? r->counts[seg] : 0;
}

const uint64_t *segc_result_bitmap(const segc_result *r, size_t seg)
{
    return seg < r->nsegs ? r->bits + seg * r->nwords : NULL;
}

segc_status segc_result_write_members(segc_ctx *ctx, const segc_result *r,
                                      const segc_data *d, size_t seg,
                                      FILE *out)
{
    begin(ctx);
    if (seg >= r->nsegs || r->nrecords != d->n)
        return SEGC_ERR_ARG;
    const schema_field *k = &d->sch->fields[d->sch->key];
    csv_write_field(out, k->name, strlen(k->name));
    fputc('\n', out);
    const uint64_t *b = r->bits + seg * r->nwords;
    for (size_t w = 0; w < r->nwords; w++) {
        uint64_t bits = b[w];
        while (bits) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            data_write_key(d, i, out);
            fputc('\n', out);
        }
    }
    if (ferror(out)) {
        diag_place(&ctx->diags, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "writing the members of segment %zu failed", seg);
        return SEGC_ERR_IO;
    }
    return SEGC_OK;
}

/* ---- time ---------------------------------------------------------------------------- */

int segc_parse_instant(const char *text, int64_t *out, int *is_date)
{
    size_t n = strlen(text);
    int32_t days;
    if (lit_parse_date(text, n, &days, NULL)) {
        *out = (int64_t)days * SECS_PER_DAY;
        if (is_date)
            *is_date = 1;
        return 0;
    }
    if (lit_parse_timestamp(text, n, false, out, NULL)) {
        if (is_date)
            *is_date = 0;
        return 0;
    }
    return -1;
}

size_t segc_format_instant(int64_t t, char *buf, size_t cap)
{
    if (t % SECS_PER_DAY == 0)
        cal_format_date(t / SECS_PER_DAY, buf, cap);
    else
        cal_format_ts(t, buf, cap);
    return strlen(buf);
}

/* ---- internal accessors for API modules in other files (api_internal.h) ---- */

mem *api_ctx_mem(segc_ctx *ctx)
{
    return &ctx->m;
}

diag_list *api_ctx_diags(segc_ctx *ctx)
{
    return &ctx->diags;
}

const ir_program *api_program_ir(const segc_program *p)
{
    return p->ir;
}

const source *api_program_sources(const segc_program *p, size_t *n)
{
    *n = p->nsrcs;
    return p->srcs;
}

size_t segc_lint_rule_count(void)
{
    return lint_nrules;
}

int segc_lint_rule(size_t i, const char **id, const char **name,
                   const char **summary)
{
    if (i >= lint_nrules)
        return 0;
    *id = lint_rules[i].id;
    *name = lint_rules[i].name;
    *summary = lint_rules[i].summary;
    return 1;
}
