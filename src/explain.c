/* explain.c - why a record is, or is not, in each segment (explain_).
 *
 * For one record, each segment becomes a tree of explanation nodes (xnode)
 * built from its IR, in an arena that lives for the record; the tree is
 * then written as text or JSON. explain.h has the rules. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "data.h"
#include "explain.h"
#include "interp.h"
#include "parse.h"
#include "value.h"

/* a let, param or const of the program's sources */
struct explain_def {
    const char *name;
    const char *text; /* its value as written, on one line */
    ast_def_kind kind;
};

/* ---- source text ------------------------------------------------------------------ */

/* Appends s[0..n) to b on one line: comments dropped, each run of blanks
 * and line breaks one space, none after an opening or before a closing
 * bracket (so a call that segc fmt broke over lines reads as written on
 * one). */
static void squeeze(buf *b, const char *s, size_t n)
{
    size_t start = b->len;
    bool space = false, in_str = false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (in_str) {
            buf_putc(b, ch);
            if (ch == '\\' && i + 1 < n)
                buf_putc(b, s[++i]);
            else if (ch == '"')
                in_str = false;
            continue;
        }
        if (ch == '#') {
            while (i + 1 < n && s[i + 1] != '\n')
                i++;
            space = true;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = true;
            continue;
        }
        if (space && b->len > start && b->p[b->len - 1] != '(' &&
            b->p[b->len - 1] != '[' && ch != ')' && ch != ']')
            buf_putc(b, ' ');
        space = false;
        if (ch == '"')
            in_str = true;
        buf_putc(b, ch);
    }
}

/* The text of span at of file `file`, on one line, in a; NULL when the
 * span is not in a file of the program (a --param value) or is empty. */
static const char *span_text(const explainer *x, arena *a, uint32_t file,
                             loc at)
{
    if (file >= x->nsrcs || !x->srcs[file].text || at.start >= at.end ||
        at.end > x->srcs[file].len)
        return NULL;
    buf b;
    buf_init(&b, x->m);
    squeeze(&b, x->srcs[file].text + at.start, at.end - at.start);
    const char *r = b.len ? arena_strndup(a, b.p, b.len) : NULL;
    buf_free(&b);
    return r;
}

/* The definition whose value n is: its span is the definition's value. */
static const explain_def *def_of(const explainer *x, const ir_node *n)
{
    uint32_t key[3] = {n->file, n->at.start, n->at.end};
    uint32_t i;
    if (!x->ndefs || !smap_get(&x->defs, (const char *)key, sizeof key, &i))
        return NULL;
    return x->def[i].name ? &x->def[i] : NULL;
}

/* ---- the explainer ------------------------------------------------------------------ */

/* Adds the let, param and const definitions of every file to x->defs.
 * The files after the program's are the --param values, whose nodes have
 * no file: a value is known by its span when no other has the same. */
static bool find_defs(explainer *x, buf *defs)
{
    for (size_t f = 0; f < x->nsrcs; f++) {
        uint32_t kf = f < x->p->nfiles ? (uint32_t)f : IR_NO_FILE;
        if (!x->srcs[f].text)
            continue;
        arena pa;
        arena_init(&pa, x->m);
        diag_list dl;
        diag_init(&dl, x->m);
        ast_file *af = parse_file(x->m, &pa, &x->srcs[f], &dl);
        for (const ast_item *it = af ? af->items : NULL; it; it = it->next) {
            if (it->kind != ITEM_DEF || !it->u.def->value)
                continue;
            const ast_def *d = it->u.def;
            explain_def e;
            e.name = arena_strndup(&x->a, d->name, strlen(d->name));
            e.text = span_text(x, &x->a, (uint32_t)f, d->value->at);
            e.kind = d->kind;
            uint32_t *key = arena_alloc(&x->a, 3 * sizeof *key);
            if (!e.name || !key)
                break;
            key[0] = kf;
            key[1] = d->value->at.start;
            key[2] = d->value->at.end;
            uint32_t i = (uint32_t)VEC_LEN(defs, explain_def), j;
            if (smap_get(&x->defs, (const char *)key, 3 * sizeof *key, &j)) {
                VEC_AT(defs, explain_def, j).name = NULL; /* ambiguous */
                continue;
            }
            if (!VEC_PUSH(defs, explain_def, e) ||
                !smap_put(&x->defs, (const char *)key, 3 * sizeof *key, i))
                break;
        }
        diag_free(&dl);
        arena_free(&pa);
        if (!af || x->m->failed)
            return false;
    }
    return true;
}

/* A tier holds when its condition is true and no earlier tier's is
 * (check_prog.c, check_tier): its root is ISTRUE(cond), AND(ISTRUE(cond),
 * NOT(OR(earlier ISTRUEs))), NOT(OR(...)) for an else tier, or the
 * constant true for an else tier alone. Finds each tier's ISTRUE(cond). */
static void decode_tiers(explainer *x)
{
    const ir_program *p = x->p;
    for (size_t c = 0; c < p->nclasses; c++) {
        const ir_classification *cl = &p->classes[c];
        bool ok = true;
        for (uint32_t k = 0; k < cl->ntiers; k++) {
            size_t j = cl->first + k;
            const ir_node *root = p->segs[j].root;
            x->tier_root[root->id] = (int32_t)j;
            if (cl->has_else && k + 1 == cl->ntiers) {
                ok &= k == 0 ? root->op == IR_CONST : root->op == IR_NOT;
                continue;
            }
            const ir_node *own = k == 0 ? root
                                 : root->op == IR_AND && root->nkids == 2
                                     ? root->kids[0]
                                     : NULL;
            if (!own || own->op != IR_ISTRUE || own->nkids != 1) {
                ok = false;
                continue;
            }
            x->tier_own[j] = own;
            x->own_istrue[own->id] = 1;
        }
        x->tiers_ok[c] = ok;
    }
}

explainer *explain_new(mem *m, const ir_program *p, const dataset *d,
                       const source *srcs, size_t nsrcs, int64_t as_of)
{
    explainer *x = mem_zalloc(m, sizeof *x);
    if (!x)
        return NULL;
    x->m = m;
    x->p = p;
    x->d = d;
    x->srcs = srcs;
    x->nsrcs = nsrcs;
    x->as_of = as_of;
    arena_init(&x->a, m);
    smap_init(&x->defs, m);
    x->tier_own = arena_alloc(&x->a, (p->nsegs + 1) * sizeof *x->tier_own);
    x->tiers_ok = arena_alloc(&x->a, (p->nclasses + 1) * sizeof *x->tiers_ok);
    x->tier_root = arena_alloc(&x->a, ((size_t)p->nnodes + 1) *
                                          sizeof *x->tier_root);
    x->own_istrue = arena_alloc(&x->a, (size_t)p->nnodes + 1);
    if (!x->tier_own || !x->tiers_ok || !x->tier_root || !x->own_istrue) {
        explain_free(x);
        return NULL;
    }
    for (uint32_t i = 0; i <= p->nnodes; i++)
        x->tier_root[i] = -1;
    decode_tiers(x);
    buf defs;
    buf_init(&defs, m);
    bool ok = find_defs(x, &defs);
    x->ndefs = (uint32_t)VEC_LEN(&defs, explain_def);
    x->def = defs.len ? arena_memdup(&x->a, defs.p, defs.len) : NULL;
    buf_free(&defs);
    if (!ok || (x->ndefs && !x->def)) {
        explain_free(x);
        return NULL;
    }
    x->b = eval_bind(m, p, d, as_of);
    if (!x->b || (p->nstats && interp_stats(m, p, d, x->b) != SEGC_OK)) {
        explain_free(x);
        return NULL;
    }
    return x;
}

void explain_free(explainer *x)
{
    if (!x)
        return;
    if (x->b)
        eval_unbind(x->m, x->p, x->b);
    smap_free(&x->defs);
    arena_free(&x->a);
    mem_free(x->m, x, sizeof *x);
}

static interp_value value_at(const explainer *x, const ir_node *n,
                             size_t rec)
{
    return interp_node_value(x->b, x->p, x->d, n, data_record(x->d, rec));
}

static bool holds(interp_value v)
{
    return !v.null && v.i;
}

bool explain_member(const explainer *x, size_t rec, size_t seg)
{
    return rec < x->d->n && seg < x->p->nsegs &&
           holds(value_at(x, x->p->segs[seg].root, rec));
}

/* ---- selection and keys -------------------------------------------------------------- */

bool explain_knows(const ir_program *p, const char *name)
{
    for (size_t s = 0; s < p->nsegs; s++)
        if (strcmp(p->segs[s].name, name) == 0)
            return true;
    for (size_t c = 0; c < p->nclasses; c++)
        if (strcmp(p->classes[c].name, name) == 0)
            return true;
    return false;
}

static bool selected(const explain_opts *o, const char *name, size_t len)
{
    if (!o->only)
        return true;
    for (size_t i = 0; i < o->nonly; i++)
        if (strncmp(o->only[i], name, len) == 0 &&
            (o->only[i][len] == 0 || o->only[i][len] == '.'))
            return true;
    return false;
}

int explain_find_key(const dataset *d, const char *text, size_t *rec)
{
    const schema_field *k = &d->sch->fields[d->sch->key];
    size_t len = strlen(text);
    if (k->ty->kind == TY_INT) {
        int64_t v;
        if (!lit_parse_int(text, len, false, &v, NULL))
            return -1;
        for (size_t r = 0; r < d->n; r++)
            if (rec_i64(data_record(d, r), k->offset) == v) {
                *rec = r;
                return 1;
            }
        return 0;
    }
    if (k->ty->kind != TY_STRING)
        return -1;
    uint32_t id;
    if (!dict_find(&d->dicts[d->sch->key], text, len, &id))
        return 0;
    for (size_t r = 0; r < d->n; r++)
        if (rec_u32(data_record(d, r), k->offset) == id) {
            *rec = r;
            return 1;
        }
    return 0;
}

/* ---- building the tree of one segment ------------------------------------------------- */

typedef enum xv_kind {
    XV_FIELD,
    XV_LET,
    XV_PARAM,
    XV_STAT,
    XV_SCORE,
    XV_VALUE,
    XV_CUTOFF,
    XV_FROM,
    XV_BEFORE,
    XV_TODAY,
    XV_NOW
} xv_kind;

static const char *const xv_names[] = {
    "field", "let",  "param",  "statistic", "score", "value",
    "cut-off", "from", "before", "today",     "now"};

/* a value a condition read */
typedef struct xval {
    xv_kind kind;
    const char *name; /* field, definition, or the expression as written */
    const ir_node *n; /* its type, and its dictionary when it is a field */
    interp_value v;
} xval;

typedef enum xn_kind {
    XN_COND,    /* a condition as written */
    XN_SEGMENT, /* a segment used as a condition: its membership */
    XN_TIER,    /* a tier used as a condition */
    XN_LET,     /* a named condition (let) */
    XN_CONST    /* a bool param or const */
} xn_kind;

typedef struct xnode xnode;
struct xnode {
    xn_kind kind;
    const char *text;
    const char *def;     /* XN_LET, XN_CONST: the value as written */
    const char *in_tier; /* XN_TIER: the record's tier in its
                          * classification, or NULL for none */
    const ir_node *n;
    interp_value v;
    xval *vals;
    uint32_t nvals, capvals;
    xnode **kids;
    uint32_t nkids, capkids;
    bool truncated;      /* parts left out (EXPLAIN_MAX_LINES) */
};

typedef struct xb {
    const explainer *x;
    arena *a;
    size_t rec;
    bool expand;
    size_t lines;        /* in the current block */
    /* per node id: its value for the record (when known[id]), and the
     * leaf whose values were last collected from it; a condition that
     * uses the same named values over and over is walked once per node */
    interp_value *value;
    uint8_t *known;
    uint32_t *seen;
    uint32_t leaf;
} xb;

static interp_value value_of(xb *b, const ir_node *n)
{
    if (b->known[n->id])
        return b->value[n->id];
    b->known[n->id] = 1;
    return b->value[n->id] = value_at(b->x, n, b->rec);
}

static bool same_span(const ir_node *a, const ir_node *b)
{
    return a->file == b->file && a->at.start == b->at.start &&
           a->at.end == b->at.end;
}

static bool is_conversion(const ir_node *n)
{
    return n->op == IR_TO_FLOAT || n->op == IR_UNITS || n->op == IR_TO_TS ||
           n->op == IR_RESCALE;
}

static void add_kid(xb *b, xnode *xn, xnode *kid)
{
    if (!kid)
        return;
    if (xn->nkids == xn->capkids) {
        uint32_t cap = xn->capkids ? 2 * xn->capkids : 4;
        xnode **k = arena_alloc(b->a, cap * sizeof *k);
        if (!k)
            return;
        if (xn->nkids)
            memcpy(k, xn->kids, xn->nkids * sizeof *k);
        xn->kids = k;
        xn->capkids = cap;
    }
    xn->kids[xn->nkids++] = kid;
}

static void add_val(xb *b, xnode *xn, xv_kind kind, const char *name,
                    const ir_node *n)
{
    interp_value v = value_of(b, n);
    for (uint32_t i = 0; i < xn->nvals; i++) {
        const xval *o = &xn->vals[i];
        if (o->kind != kind)
            continue;
        if (kind == XV_FIELD ? o->n->field == n->field
            : kind >= XV_CUTOFF ? o->v.i == v.i && o->v.null == v.null
                                : o->n == n ||
                                      (o->name && name &&
                                       strcmp(o->name, name) == 0))
            return;
    }
    if (xn->nvals == xn->capvals) {
        uint32_t cap = xn->capvals ? 2 * xn->capvals : 4;
        xval *k = arena_alloc(b->a, cap * sizeof *k);
        if (!k)
            return;
        if (xn->nvals)
            memcpy(k, xn->vals, xn->nvals * sizeof *k);
        xn->vals = k;
        xn->capvals = cap;
    }
    xval *o = &xn->vals[xn->nvals++];
    o->kind = kind;
    o->name = name;
    o->n = n;
    o->v = v;
}

static cmp_op mirror(cmp_op op)
{
    switch (op) {
    case CMP_LT:
        return CMP_GT;
    case CMP_LE:
        return CMP_GE;
    case CMP_GT:
        return CMP_LT;
    case CMP_GE:
        return CMP_LE;
    default:
        return op;
    }
}

/* What an instant compared with by cmp (as its operand k) is called. */
static xv_kind instant_kind(const ir_node *cmp, uint32_t k)
{
    const ir_node *t = cmp->kids[k];
    while (is_conversion(t))
        t = t->kids[0];
    if (t->op != IR_ASOF || t->anchor == ANCHOR_NONE)
        return XV_CUTOFF;
    cmp_op op = k == 0 ? mirror(cmp->cmp) : cmp->cmp; /* x op instant */
    return op == CMP_GE || op == CMP_GT   ? XV_FROM
           : op == CMP_LT || op == CMP_LE ? XV_BEFORE
                                          : XV_CUTOFF;
}

/* The values operand n of a condition read. top: n is an operand of the
 * condition itself, not part of one. */
static void operand(xb *b, xnode *xn, const ir_node *n, bool top,
                    xv_kind instant)
{
    const explainer *x = b->x;
    while (is_conversion(n))
        n = n->kids[0];
    if (b->seen[n->id] == b->leaf)
        return;
    b->seen[n->id] = b->leaf;
    const explain_def *d = def_of(x, n);
    switch (n->op) {
    case IR_CONST:
        if (d && d->kind != DEF_LET)
            add_val(b, xn, XV_PARAM, d->name, n);
        return;
    case IR_ASOF:
        add_val(b, xn,
                n->anchor != ANCHOR_NONE || n->months || n->secs ? instant
                : n->ty->kind == TY_DATE                         ? XV_TODAY
                                                                 : XV_NOW,
                NULL, n);
        return;
    case IR_FIELD:
        add_val(b, xn, XV_FIELD, x->p->sch->fields[n->field].name, n);
        return;
    case IR_DICTARG:
    case IR_STRFN:
        return; /* inside a function of a dictionary only */
    default:
        break;
    }
    if (d && d->kind == DEF_LET) {
        add_val(b, xn, XV_LET, d->name, n);
    } else {
        switch (n->op) {
        case IR_STAT:
            add_val(b, xn, XV_STAT, span_text(x, b->a, n->file, n->at), n);
            break;
        case IR_NTILE:
            add_val(b, xn, XV_SCORE, span_text(x, b->a, n->file, n->at), n);
            break;
        case IR_DICTFN:
        case IR_DATEPART:
            add_val(b, xn, XV_VALUE, span_text(x, b->a, n->file, n->at), n);
            break;
        case IR_NEG:
        case IR_ADD:
        case IR_SUB:
        case IR_MUL:
        case IR_DIV:
        case IR_SHIFT:
            if (top)
                add_val(b, xn, XV_VALUE, span_text(x, b->a, n->file, n->at),
                        n);
            break;
        default:
            /* a condition used as a value (a = (b > 1)) */
            if (top)
                add_val(b, xn, XV_VALUE, span_text(x, b->a, n->file, n->at),
                        n);
            return;
        }
    }
    /* the record's values below it (a statistic's are the population's) */
    if (n->op == IR_STAT)
        return;
    for (uint32_t i = 0; i < n->nkids; i++)
        operand(b, xn, n->kids[i], false, XV_CUTOFF);
}

/* The values a leaf condition (or the nodes it was lowered to) read. */
static void leaf_vals(xb *b, xnode *xn, const ir_node *n)
{
    switch (n->op) {
    case IR_AND:
    case IR_OR:
    case IR_NOT:
    case IR_ISTRUE:
        for (uint32_t i = 0; i < n->nkids; i++)
            leaf_vals(b, xn, n->kids[i]);
        return;
    case IR_CMP:
        for (uint32_t i = 0; i < 2; i++)
            operand(b, xn, n->kids[i], true, instant_kind(n, i));
        return;
    case IR_IN:
    case IR_CONTAINS:
    case IR_ISNULL:
    case IR_DICTFN:
        operand(b, xn, n->kids[0], true, XV_CUTOFF);
        return;
    case IR_FIELD:
        /* a bool field: its value is the line's, unless a name hid it */
        if (!xn->text ||
            strcmp(xn->text, b->x->p->sch->fields[n->field].name) != 0)
            operand(b, xn, n, true, XV_CUTOFF);
        return;
    default:
        return;
    }
}

static xnode *cond_node(xb *b, const ir_node *n);

/* The structure of condition n under xn (whose line it is). */
static void body(xb *b, xnode *xn, const ir_node *n)
{
    switch (n->op) {
    case IR_AND:
    case IR_OR: {
        /* a construct lowered to several comparisons (between, a period)
         * is one line: its parts have its span */
        bool lowered = true;
        for (uint32_t i = 0; i < n->nkids; i++)
            lowered &= same_span(n->kids[i], n);
        if (lowered) {
            leaf_vals(b, xn, n);
            return;
        }
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (b->lines >= EXPLAIN_MAX_LINES) {
                xn->truncated = true;
                return;
            }
            if (same_span(n->kids[i], n)) {
                b->leaf++; /* after a part's line: this line's again */
                leaf_vals(b, xn, n->kids[i]);
            } else
                add_kid(b, xn, cond_node(b, n->kids[i]));
        }
        return;
    }
    case IR_NOT:
    case IR_ISTRUE: {
        const ir_node *k = n->kids[0];
        /* not in, is not null, not between: one construct as written */
        if (same_span(k, n) && b->x->tier_root[k->id] < 0 &&
            !(k->op == IR_ISTRUE && !b->x->own_istrue[k->id])) {
            body(b, xn, k);
            return;
        }
        if (b->lines >= EXPLAIN_MAX_LINES)
            xn->truncated = true;
        else
            add_kid(b, xn, cond_node(b, k));
        return;
    }
    default:
        leaf_vals(b, xn, n);
    }
}

/* The tier of classification c that the record is in, or NULL. */
static const char *tier_in(xb *b, int32_t c)
{
    const ir_program *p = b->x->p;
    if (c < 0 || (size_t)c >= p->nclasses)
        return NULL;
    const ir_classification *cl = &p->classes[c];
    for (uint32_t k = 0; k < cl->ntiers; k++)
        if (holds(value_of(b, p->segs[cl->first + k].root)))
            return p->segs[cl->first + k].name + strlen(cl->name) + 1;
    return NULL;
}

/* The plain segment whose membership ISTRUE node n is, or -1. */
static int32_t ref_target(xb *b, const ir_node *n)
{
    const ir_program *p = b->x->p;
    const char *name = span_text(b->x, b->a, n->file, n->at);
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < p->nsegs; s++)
            if (p->segs[s].classification < 0 &&
                p->segs[s].root == n->kids[0] &&
                (pass || !name || strcmp(name, p->segs[s].name) == 0))
                return (int32_t)s;
    return -1;
}

static xnode *cond_node(xb *b, const ir_node *n)
{
    const explainer *x = b->x;
    const ir_program *p = x->p;
    xnode *xn = arena_alloc(b->a, sizeof *xn);
    if (!xn)
        return NULL;
    b->lines++;
    xn->n = n;
    xn->v = value_of(b, n);
    int32_t t = x->tier_root[n->id];
    if (t >= 0) {
        xn->kind = XN_TIER;
        xn->text = p->segs[t].name;
        xn->in_tier = tier_in(b, p->segs[t].classification);
        const ir_node *own = x->tier_own[t];
        if (b->expand && own) {
            if (b->lines >= EXPLAIN_MAX_LINES)
                xn->truncated = true;
            else
                add_kid(b, xn, cond_node(b, own->kids[0]));
        }
        return xn;
    }
    if (n->op == IR_ISTRUE && !x->own_istrue[n->id]) {
        int32_t s = ref_target(b, n);
        if (s >= 0) {
            xn->kind = XN_SEGMENT;
            xn->text = p->segs[s].name;
            if (b->expand) {
                if (b->lines >= EXPLAIN_MAX_LINES)
                    xn->truncated = true;
                else
                    add_kid(b, xn, cond_node(b, n->kids[0]));
            }
            return xn;
        }
    }
    const explain_def *d = def_of(x, n);
    if (d) {
        xn->kind = d->kind == DEF_LET ? XN_LET : XN_CONST;
        xn->text = d->name;
        xn->def = d->text;
    } else {
        xn->kind = XN_COND;
        xn->text = span_text(x, b->a, n->file, n->at);
        if (!xn->text)
            xn->text = arena_printf(b->a, "(%s)", ir_op_name(n->op));
    }
    b->leaf++; /* the values of this line are collected afresh */
    body(b, xn, n);
    return xn;
}

/* ---- writing values ---------------------------------------------------------------------- */

static void put_json_str(buf *o, const char *s, size_t n)
{
    buf_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(o, "\\%c", c);
        else if (c == '\n')
            buf_puts(o, "\\n");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(o, "\\u%04x", c);
        else
            buf_putc(o, (char)c);
    }
    buf_putc(o, '"');
}

/* a string as a rule file writes it */
static void put_rule_str(buf *o, const char *s, size_t n)
{
    buf_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(o, "\\%c", c);
        else if (c == '\n')
            buf_puts(o, "\\n");
        else if (c == '\t')
            buf_puts(o, "\\t");
        else if (c == '\r')
            buf_puts(o, "\\r");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(o, "\\u%04x", c);
        else
            buf_putc(o, (char)c);
    }
    buf_putc(o, '"');
}

static void put_str(buf *o, const char *s, size_t n, bool json)
{
    if (json)
        put_json_str(o, s, n);
    else
        put_rule_str(o, s, n);
}

/* an amount of units * 10^-scale, with the decimals of its currency at
 * least, exactly */
static void put_money(buf *o, int64_t units, const type *t, bool json)
{
    int keep = cur_get(t->currency)->decimals, scale = t->scale;
    uint64_t a = units < 0 ? 0 - (uint64_t)units : (uint64_t)units;
    char frac[24] = "";
    uint64_t whole = a;
    if (scale > 0 && scale <= 18) {
        uint64_t pw = (uint64_t)pow10_i64(scale);
        whole = a / pw;
        snprintf(frac, sizeof frac, "%0*" PRIu64, scale, a % pw);
    }
    int digits = scale > 0 && scale <= 18 ? scale : 0;
    while (digits > keep && frac[digits - 1] == '0')
        digits--;
    while (digits < keep && digits < 18)
        frac[digits++] = '0';
    frac[digits] = 0;
    if (json)
        buf_putc(o, '"');
    buf_printf(o, "%s%" PRIu64 "%s%s %s", units < 0 ? "-" : "", whole,
               digits ? "." : "", frac, cur_get(t->currency)->code);
    if (json)
        buf_putc(o, '"');
}

/* JSON: the shortest text that reads back as f; text: at most 15
 * significant digits (0.8 * 7 is 5.6, not 5.6000000000000005) */
static void put_float(buf *o, double f, bool json)
{
    char s[40];
    for (int prec = json ? 1 : 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, f);
        if (!json || strtod(s, NULL) == f)
            break;
    }
    buf_puts(o, s);
}

/* whether element a of dictionary d sorts before element b */
static bool by_bytes(const dict *d, uint32_t a, uint32_t b)
{
    uint32_t la = d->len[a], lb = d->len[b];
    int c = memcmp(d->s[a], d->s[b], la < lb ? la : lb);
    return c < 0 || (c == 0 && la < lb);
}

/* Writes value v of node n (of n's type). */
static void put_value(const explainer *x, buf *o, const ir_node *n,
                      interp_value v, bool json)
{
    if (v.null) {
        buf_puts(o, "null");
        return;
    }
    char tb[40];
    switch (n->ty->kind) {
    case TY_BOOL:
        buf_puts(o, v.i ? "true" : "false");
        return;
    case TY_INT:
        buf_printf(o, "%" PRId64, v.i);
        return;
    case TY_FLOAT:
        put_float(o, v.f, json);
        return;
    case TY_MONEY:
        put_money(o, v.i, n->ty, json);
        return;
    case TY_DATE:
        cal_format_date(v.i, tb, sizeof tb);
        break;
    case TY_TIMESTAMP:
        cal_format_ts(v.i, tb, sizeof tb);
        break;
    case TY_ENUM: {
        const enum_def *e = n->ty->enm;
        const char *s = e && v.i >= 0 && (uint64_t)v.i < e->n
                            ? e->values[v.i]
                            : "?";
        if (json)
            put_json_str(o, s, strlen(s));
        else
            buf_puts(o, s);
        return;
    }
    case TY_STRING:
        if (n->op == IR_CONST) {
            put_str(o, n->v.str.s, n->v.str.len, json);
        } else if (n->op == IR_FIELD) {
            const dict *dc = &x->d->dicts[n->field];
            if (v.i >= 0 && (uint64_t)v.i < dc->n)
                put_str(o, dc->s[v.i], dc->len[v.i], json);
            else
                buf_puts(o, "null");
        } else {
            buf_puts(o, "null");
        }
        return;
    case TY_SET: {
        buf_putc(o, '[');
        const setdict *sd = n->op == IR_FIELD ? &x->d->sets[n->field] : NULL;
        uint32_t cnt = sd && v.i >= 0 && (uint64_t)v.i < sd->n
                           ? sd->count[v.i]
                           : 0;
        /* the elements in byte order, as a list is written */
        uint32_t *ids = cnt ? mem_array(x->m, cnt, sizeof *ids) : NULL;
        for (uint32_t k = 0; ids && k < cnt; k++) {
            uint32_t e = sd->ids[v.i][k], j = k;
            for (; j > 0 && by_bytes(&sd->elems, e, ids[j - 1]); j--)
                ids[j] = ids[j - 1];
            ids[j] = e;
        }
        for (uint32_t k = 0; ids && k < cnt; k++) {
            buf_puts(o, k ? ", " : "");
            put_str(o, sd->elems.s[ids[k]], sd->elems.len[ids[k]], json);
        }
        if (ids)
            mem_free(x->m, ids, cnt * sizeof *ids);
        buf_putc(o, ']');
        return;
    }
    default:
        buf_puts(o, "null");
        return;
    }
    if (json)
        put_json_str(o, tb, strlen(tb));
    else
        buf_puts(o, tb);
}

static const char *truth(interp_value v)
{
    return v.null ? "null" : v.i ? "true" : "false";
}

/* ---- text ------------------------------------------------------------------------------- */

/* Lines with children show at most this much of their text. */
#define TEXT_MAX 60
/* The value column starts after the longest text up to this width. */
#define COLUMN_MAX 56

static size_t width_of(const char *s)
{
    return utf8_count(s, strlen(s));
}

static void text_width(const xnode *xn, size_t indent, size_t *w)
{
    size_t t = width_of(xn->text);
    if (xn->nkids && t > TEXT_MAX)
        t = TEXT_MAX;
    if (indent + t <= COLUMN_MAX && indent + t > *w)
        *w = indent + t;
    for (uint32_t i = 0; i < xn->nkids; i++)
        text_width(xn->kids[i], indent + 2, w);
}

static void put_vals_text(const explainer *x, buf *o, const xnode *xn)
{
    if (!xn->nvals && xn->kind != XN_TIER)
        return;
    buf_puts(o, "  (");
    if (xn->kind == XN_TIER) {
        const char *dot = strchr(xn->text, '.');
        buf_printf(o, "%.*s: %s", dot ? (int)(dot - xn->text) : 0, xn->text,
                   xn->in_tier ? xn->in_tier : "none");
    }
    for (uint32_t i = 0; i < xn->nvals; i++) {
        const xval *v = &xn->vals[i];
        buf_puts(o, i || xn->kind == XN_TIER ? ", " : "");
        if (v->kind >= XV_CUTOFF && v->kind <= XV_BEFORE) {
            buf_printf(o, "%s ", xv_names[v->kind]);
        } else {
            buf_printf(o, "%s = ", v->kind == XV_TODAY ? "today"
                               : v->kind == XV_NOW ? "now"
                               : v->name           ? v->name
                                                   : "?");
        }
        put_value(x, o, v->n, v->v, false);
    }
    buf_putc(o, ')');
}

static void put_node_text(const explainer *x, buf *o, const xnode *xn,
                          size_t indent, size_t col)
{
    size_t t = width_of(xn->text);
    buf_printf(o, "%*s", (int)indent, "");
    if (xn->nkids && t > TEXT_MAX) {
        /* cut at a character boundary */
        const char *s = xn->text;
        size_t bytes = 0;
        for (size_t c = 0; c < TEXT_MAX - 3 && s[bytes]; c++) {
            size_t l = utf8_seq_len((const unsigned char *)s + bytes,
                                    strlen(s + bytes));
            bytes += l ? l : 1;
        }
        buf_printf(o, "%.*s...", (int)bytes, s);
        t = TEXT_MAX;
    } else {
        buf_puts(o, xn->text);
    }
    size_t at = indent + t;
    buf_printf(o, "%*s%-5s", (int)(at < col ? col - at + 2 : 2), "",
               truth(xn->v));
    put_vals_text(x, o, xn);
    /* no trailing blanks */
    while (o->len && o->p[o->len - 1] == ' ')
        o->len--;
    buf_putc(o, '\n');
    for (uint32_t i = 0; i < xn->nkids; i++)
        put_node_text(x, o, xn->kids[i], indent + 2, col);
    if (xn->truncated)
        buf_printf(o, "%*s...\n", (int)indent + 2, "");
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void put_node_json(const explainer *x, buf *o, const xnode *xn)
{
    buf_puts(o, "{\"text\": ");
    put_json_str(o, xn->text, strlen(xn->text));
    buf_printf(o, ", \"value\": %s", truth(xn->v));
    switch (xn->kind) {
    case XN_SEGMENT:
        buf_puts(o, ", \"segment\": ");
        put_json_str(o, xn->text, strlen(xn->text));
        break;
    case XN_TIER:
        buf_puts(o, ", \"segment\": ");
        put_json_str(o, xn->text, strlen(xn->text));
        buf_puts(o, ", \"in_tier\": ");
        if (xn->in_tier)
            put_json_str(o, xn->in_tier, strlen(xn->in_tier));
        else
            buf_puts(o, "null");
        break;
    case XN_LET:
    case XN_CONST:
        buf_printf(o, ", \"%s\": ", xn->kind == XN_LET ? "let" : "param");
        put_json_str(o, xn->text, strlen(xn->text));
        if (xn->def) {
            buf_puts(o, ", \"definition\": ");
            put_json_str(o, xn->def, strlen(xn->def));
        }
        break;
    case XN_COND:
        break;
    }
    const ir_node *n = xn->n;
    if (xn->kind != XN_SEGMENT && xn->kind != XN_TIER && n->file < x->nsrcs &&
        x->srcs[n->file].text && n->at.start < x->srcs[n->file].len) {
        unsigned line, colm;
        source_pos(&x->srcs[n->file], n->at.start, &line, &colm);
        const char *f = x->srcs[n->file].name;
        buf_puts(o, ", \"at\": ");
        size_t start = o->len;
        put_json_str(o, f, strlen(f));
        if (o->len > start) { /* "file:line:col" */
            o->len--;
            buf_printf(o, ":%u:%u\"", line, colm);
        }
    }
    if (xn->nvals) {
        buf_puts(o, ", \"values\": [");
        for (uint32_t i = 0; i < xn->nvals; i++) {
            const xval *v = &xn->vals[i];
            buf_printf(o, "%s{\"kind\": \"%s\"", i ? ", " : "",
                       xv_names[v->kind]);
            if (v->kind < XV_CUTOFF) {
                buf_puts(o, ", \"name\": ");
                if (v->name)
                    put_json_str(o, v->name, strlen(v->name));
                else
                    buf_puts(o, "null");
            }
            buf_puts(o, ", \"value\": ");
            put_value(x, o, v->n, v->v, true);
            buf_putc(o, '}');
        }
        buf_putc(o, ']');
    }
    if (xn->nkids) {
        buf_puts(o, ", \"children\": [");
        for (uint32_t i = 0; i < xn->nkids; i++) {
            buf_puts(o, i ? ", " : "");
            put_node_json(x, o, xn->kids[i]);
        }
        buf_putc(o, ']');
    }
    if (xn->truncated)
        buf_puts(o, ", \"truncated\": true");
    buf_putc(o, '}');
}

/* ---- a record ------------------------------------------------------------------------------- */

static void put_key(const explainer *x, buf *o, size_t rec, bool json)
{
    const schema_field *k = &x->d->sch->fields[x->d->sch->key];
    const unsigned char *r = data_record(x->d, rec);
    if (k->ty->kind == TY_INT) {
        buf_printf(o, "%" PRId64, rec_i64(r, k->offset));
    } else {
        const dict *dc = &x->d->dicts[x->d->sch->key];
        uint32_t id = rec_u32(r, k->offset);
        if (id < dc->n)
            put_str(o, dc->s[id], dc->len[id], json);
    }
}

/* A tier's explanation: its own condition, and how first match decided. */
typedef struct xtier {
    const char *name;   /* without the classification's */
    bool is_else;
    bool member;
    const char *taken;  /* the earlier tier that took the record, or NULL */
    xnode *cond;        /* its own condition (NULL: an else tier) */
} xtier;

static void put_segment_text(const explainer *x, buf *o, const char *name,
                             bool member, const xnode *root)
{
    buf_printf(o, "\n%s: %s\n", name, member ? "yes" : "no");
    if (!root)
        return;
    size_t w = 0;
    text_width(root, 2, &w);
    put_node_text(x, o, root, 2, w);
}

static bool explain_class(xb *b, size_t c, const explain_opts *o, buf *out)
{
    const explainer *x = b->x;
    const ir_program *p = x->p;
    const ir_classification *cl = &p->classes[c];
    const char *in = tier_in(b, (int32_t)c);
    if (o->json) {
        buf_puts(out, "{\"name\": ");
        put_json_str(out, cl->name, strlen(cl->name));
        buf_puts(out, ", \"tier\": ");
        if (in)
            put_json_str(out, in, strlen(in));
        else
            buf_puts(out, "null");
        buf_puts(out, ", \"tiers\": [");
    } else {
        buf_printf(out, "\n%s: %s\n", cl->name, in ? in : "none");
    }
    const char *taken = NULL;
    for (uint32_t k = 0; k < cl->ntiers; k++) {
        size_t s = cl->first + k;
        const ir_segment *seg = &p->segs[s];
        xtier t;
        t.name = seg->name + strlen(cl->name) + 1;
        t.is_else = cl->has_else && k + 1 == cl->ntiers;
        t.member = holds(value_of(b, seg->root));
        b->lines = 0;
        const ir_node *own = x->tiers_ok[c] ? x->tier_own[s] : NULL;
        if (!x->tiers_ok[c])
            t.cond = cond_node(b, seg->root); /* not as check_tier makes them */
        else
            t.cond = own ? cond_node(b, own->kids[0]) : NULL;
        /* its condition holds (or it is the else tier), but an earlier
         * tier took the record */
        t.taken = !t.member && x->tiers_ok[c] &&
                          (own ? holds(value_of(b, own)) : t.is_else)
                      ? taken
                      : NULL;
        if (t.member)
            taken = t.name;
        if (o->json) {
            buf_printf(out, "%s{\"name\": ", k ? ", " : "");
            put_json_str(out, t.name, strlen(t.name));
            buf_puts(out, ", \"segment\": ");
            put_json_str(out, seg->name, strlen(seg->name));
            buf_printf(out, ", \"member\": %s", t.member ? "true" : "false");
            if (t.is_else)
                buf_puts(out, ", \"else\": true");
            if (t.taken) {
                buf_puts(out, ", \"taken_by\": ");
                put_json_str(out, t.taken, strlen(t.taken));
            }
            if (t.cond) {
                buf_puts(out, ", \"condition\": ");
                put_node_json(x, out, t.cond);
            }
            buf_putc(out, '}');
            continue;
        }
        buf_printf(out, "  %s: %s", t.name, t.member ? "yes" : "no");
        if (t.taken)
            buf_printf(out, ", %s matched first", t.taken);
        else if (t.is_else && t.member)
            buf_puts(out, ", no tier before it matched");
        buf_putc(out, '\n');
        if (t.cond) {
            size_t w = 0;
            text_width(t.cond, 4, &w);
            put_node_text(x, out, t.cond, 4, w);
        }
    }
    if (o->json)
        buf_puts(out, "]}");
    return true;
}

bool explain_record(const explainer *x, size_t rec, const explain_opts *o,
                    buf *out)
{
    const ir_program *p = x->p;
    if (rec >= x->d->n)
        return false;
    arena a;
    arena_init(&a, x->m);
    size_t nn = (size_t)p->nnodes + 1;
    xb b = {x, &a, rec, o->expand, 0, NULL, NULL, NULL, 0};
    b.value = arena_alloc(&a, nn * sizeof *b.value);
    b.known = arena_alloc(&a, nn);
    b.seen = arena_alloc(&a, nn * sizeof *b.seen);
    if (!b.value || !b.known || !b.seen) {
        arena_free(&a);
        return false;
    }
    const schema_field *kf = &x->d->sch->fields[x->d->sch->key];
    char asof[40];
    segc_format_instant(x->as_of, asof, sizeof asof);

    /* the header: the record, and every segment it is in */
    if (o->json) {
        buf_puts(out, "{\"key\": ");
        put_key(x, out, rec, true);
        buf_printf(out, ", \"record\": %zu, \"as_of\": \"%s\", \"members\": [",
                   rec, asof);
    } else {
        buf_printf(out, "%s %s = ", x->d->sch->name, kf->name);
        put_key(x, out, rec, false);
        buf_printf(out, ", as of %s\nmember of: ", asof);
    }
    size_t nin = 0;
    for (size_t s = 0; s < p->nsegs; s++) {
        if (!explain_member(x, rec, s))
            continue;
        buf_puts(out, nin++ ? ", " : "");
        if (o->json)
            put_json_str(out, p->segs[s].name, strlen(p->segs[s].name));
        else
            buf_puts(out, p->segs[s].name);
    }
    if (o->json)
        buf_puts(out, "], \"segments\": [");
    else
        buf_puts(out, nin ? "\n" : "none\n");

    /* the plain segments */
    size_t shown = 0;
    for (size_t s = 0; s < p->nsegs; s++) {
        const ir_segment *seg = &p->segs[s];
        if (seg->classification >= 0 ||
            !selected(o, seg->name, strlen(seg->name)))
            continue;
        b.lines = 0;
        xnode *root = cond_node(&b, seg->root);
        bool member = holds(value_of(&b, seg->root));
        if (!o->json) {
            put_segment_text(x, out, seg->name, member, root);
            continue;
        }
        buf_puts(out, shown++ ? ", {\"name\": " : "{\"name\": ");
        put_json_str(out, seg->name, strlen(seg->name));
        buf_printf(out, ", \"member\": %s", member ? "true" : "false");
        if (root) {
            buf_puts(out, ", \"condition\": ");
            put_node_json(x, out, root);
        }
        buf_putc(out, '}');
    }

    /* the classifications, tier by tier */
    if (o->json)
        buf_puts(out, "], \"classifications\": [");
    shown = 0;
    for (size_t c = 0; c < p->nclasses; c++) {
        if (!selected(o, p->classes[c].name, strlen(p->classes[c].name)))
            continue;
        if (o->json && shown)
            buf_puts(out, ", ");
        shown++;
        explain_class(&b, c, o, out);
    }
    if (o->json)
        buf_puts(out, "]}\n");
    arena_free(&a);
    return !x->m->failed;
}
