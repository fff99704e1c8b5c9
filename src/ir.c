/* ir.c - building and printing the typed IR (ir_). */
#include <inttypes.h>

#include "ir.h"
#include "value.h"

ir_program *ir_program_new(mem *m, const schema *sch, const char *source_name)
{
    ir_program *p = mem_zalloc(m, sizeof *p);
    if (!p)
        return NULL;
    p->m = m;
    arena_init(&p->a, m);
    p->sch = sch;
    p->cur_file = IR_NO_FILE;
    p->source_name = arena_strndup(&p->a, source_name, strlen(source_name));
    if (!p->source_name) {
        ir_program_free(p);
        return NULL;
    }
    return p;
}

void ir_program_free(ir_program *p)
{
    if (!p)
        return;
    arena_free(&p->a);
    mem_free(p->m, p, sizeof *p);
}

ir_node *ir_new(ir_program *p, ir_op op, const type *ty, loc at)
{
    ir_node *n = arena_alloc(&p->a, sizeof *n);
    if (!n)
        return NULL;
    n->op = op;
    n->ty = ty;
    n->at = at;
    n->file = p->cur_file;
    n->id = p->nnodes++;
    return n;
}

/* A node of type ty over kids; it can be null when any kid can. */
static ir_node *with_kids(ir_program *p, ir_op op, const type *ty, loc at,
                          ir_node **kids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!kids[i])
            return NULL;
    ir_node *x = ir_new(p, op, ty, at);
    if (!x)
        return NULL;
    x->kids = arena_memdup(&p->a, kids, n * sizeof *kids);
    if (!x->kids)
        return NULL;
    x->nkids = n;
    for (uint32_t i = 0; i < n; i++)
        x->nullable |= kids[i]->nullable;
    if (op == IR_ISTRUE || op == IR_ISNULL)
        x->nullable = false;
    return x;
}

ir_node *ir_nary(ir_program *p, ir_op op, loc at, ir_node **kids, uint32_t n)
{
    return with_kids(p, op, &ty_bool, at, kids, n);
}

ir_node *ir_unary(ir_program *p, ir_op op, const type *ty, loc at, ir_node *a)
{
    return with_kids(p, op, ty, at, &a, 1);
}

ir_node *ir_binary(ir_program *p, ir_op op, const type *ty, loc at,
                   ir_node *a, ir_node *b)
{
    ir_node *kids[2] = {a, b};
    return with_kids(p, op, ty, at, kids, 2);
}

ir_node *ir_cmp(ir_program *p, cmp_op op, loc at, ir_node *a, ir_node *b)
{
    ir_node *x = ir_binary(p, IR_CMP, &ty_bool, at, a, b);
    if (x)
        x->cmp = op;
    return x;
}

const char *ir_op_name(ir_op op)
{
    static const char *const names[] = {
        "const", "field", "as_of", "neg",   "add",     "sub",
        "mul",   "div",   "float", "units", "to_ts", "rescale", "shift",
        "cmp",   "in",    "contains", "is_null", "and", "or", "not",
        "is_true", "stat", "ntile", "dictfn", "entry", "strfn", "datepart",
        "evagg", "evfield"};
    return (size_t)op < SEGC_ARRAY_LEN(names) ? names[op] : "?";
}

/* ---- dump ------------------------------------------------------------------ */

static void dump_value(const type *t, ir_value v, FILE *out)
{
    char b[40];
    switch (t->kind) {
    case TY_BOOL:
        fputs(v.i ? "true" : "false", out);
        return;
    case TY_FLOAT:
        fprintf(out, "%.17g", v.f);
        return;
    case TY_MONEY:
        fprintf(out, "%" PRId64 "e-%d", v.i, t->scale);
        return;
    case TY_DATE:
        cal_format_date(v.i, b, sizeof b);
        fputs(b, out);
        return;
    case TY_TIMESTAMP:
        cal_format_ts(v.i, b, sizeof b);
        fputs(b, out);
        return;
    case TY_STRING:
        fprintf(out, "\"%.*s\"", (int)v.str.len, v.str.s);
        return;
    case TY_ENUM:
        if (t->enm && v.i >= 0 && (uint64_t)v.i < t->enm->n)
            fputs(t->enm->values[v.i], out);
        else
            fprintf(out, "#%" PRId64, v.i);
        return;
    default:
        fprintf(out, "%" PRId64, v.i);
        return;
    }
}

static void dump_node(const ir_program *p, const ir_node *n, FILE *out)
{
    char tb[64];
    type_format(n->ty, tb, sizeof tb);
    switch (n->op) {
    case IR_CONST:
        if (n->is_null)
            fprintf(out, "null:%s", tb);
        else
            dump_value(n->ty, n->v, out);
        return;
    case IR_FIELD:
        fprintf(out, "%s", p->sch->fields[n->field].name);
        return;
    case IR_DICTARG:
        fputs("entry", out);
        return;
    case IR_ASOF:
        fprintf(out, "(as_of:%s", tb);
        if (n->anchor != ANCHOR_NONE)
            fprintf(out, " %s", n->anchor == ANCHOR_YEAR    ? "year"
                                : n->anchor == ANCHOR_MONTH ? "month"
                                                            : "week");
        if (n->months)
            fprintf(out, " %+" PRId64 "mo", n->months);
        if (n->secs)
            fprintf(out, " %+" PRId64 "s", n->secs);
        fputc(')', out);
        return;
    default:
        break;
    }
    static const char *const stat_names[] = {
        "count", "sum", "avg", "min", "max", "median", "percentile", "stddev"};
    static const char *const strfn_names[] = {
        "lower", "upper", "length", "starts_with", "ends_with", "contains",
        "size", "has_any", "has_all", "has"};
    static const char *const part_names[] = {"year", "month", "day",
                                             "weekday", "days_since"};
    if (n->op == IR_CMP)
        fprintf(out, "(%s", cmp_op_text(n->cmp));
    else if (n->op == IR_STAT)
        fprintf(out, "(%s", stat_names[n->stat]);
    else if (n->op == IR_STRFN)
        fprintf(out, "(%s", strfn_names[n->sfn]);
    else if (n->op == IR_DATEPART)
        fprintf(out, "(%s", part_names[n->part]);
    else if (n->op == IR_EVAGG) {
        static const char *const agg_names[] = {
            "count", "sum", "avg", "min", "max", "first", "last", "any",
            "all", "distinct_days", "avg_gap"};
        const schema_field *lf = &p->sch->fields[n->field];
        fprintf(out, "(ev_%s %s", agg_names[n->agg], lf->name);
        if (n->evfield >= 0)
            fprintf(out, ".%s", lf->events->fields[n->evfield].name);
        if (n->windowed)
            fprintf(out, " within %" PRId64 "mo%" PRId64 "s", n->months,
                    n->secs);
    } else if (n->op == IR_EVFIELD)
        fprintf(out, "(event.%s",
                p->sch->fields[n->evlist].events->fields[n->field].name);
    else
        fprintf(out, "(%s", ir_op_name(n->op));
    if (n->op == IR_STAT && n->stat == STAT_PERCENTILE)
        fprintf(out, " %" PRId64 "e-%d", n->pct.mant, n->pct.scale);
    if (n->op == IR_NTILE)
        fprintf(out, " %d", n->k);
    if (n->op == IR_STAT || n->op == IR_NTILE)
        fprintf(out, " L%d", n->level);
    if (n->op == IR_RESCALE)
        fprintf(out, " %d", n->scale_up);
    if (n->op == IR_SHIFT)
        fprintf(out, " %+" PRId64 "mo %+" PRId64 "s", n->months, n->secs);
    if (n->op != IR_CMP && n->op != IR_AND && n->op != IR_OR &&
        n->op != IR_NOT && n->op != IR_ISNULL && n->op != IR_IN &&
        n->op != IR_CONTAINS && n->op != IR_ISTRUE)
        fprintf(out, ":%s", tb);
    for (uint32_t i = 0; i < n->nkids; i++) {
        fputc(' ', out);
        dump_node(p, n->kids[i], out);
    }
    if (n->op == IR_DICTFN) {
        fputc(' ', out);
        dump_node(p, n->fn, out);
    }
    if ((n->op == IR_STAT || n->op == IR_NTILE || n->op == IR_EVAGG) &&
        n->filter) {
        fputs(" where ", out);
        dump_node(p, n->filter, out);
    }
    if (n->op == IR_STRFN &&
        (n->sfn == SF_STARTS_WITH || n->sfn == SF_ENDS_WITH ||
         n->sfn == SF_CONTAINS || n->sfn == SF_HAS))
        fprintf(out, " \"%.*s\"", (int)n->v.str.len, n->v.str.s);
    if (n->op == IR_STRFN && (n->sfn == SF_HAS_ANY || n->sfn == SF_HAS_ALL)) {
        fputs(" [", out);
        for (uint32_t i = 0; i < n->nlist; i++)
            fprintf(out, "%s\"%.*s\"", i ? " " : "", (int)n->list[i].str.len,
                    n->list[i].str.s);
        fputc(']', out);
    }
    if (n->op == IR_CONTAINS)
        fprintf(out, " \"%.*s\"", (int)n->v.str.len, n->v.str.s);
    if (n->op == IR_IN) {
        fputs(" [", out);
        for (uint32_t i = 0; i < n->nlist; i++) {
            if (i)
                fputc(' ', out);
            dump_value(n->kids[0]->ty, n->list[i], out);
        }
        if (n->list_has_null)
            fputs(n->nlist ? " null" : "null", out);
        fputc(']', out);
    }
    fputc(')', out);
}

void ir_dump(const ir_program *p, FILE *out)
{
    for (size_t i = 0; i < p->nparams; i++)
        fprintf(out, "param %s = %s\n", p->params[i].name, p->params[i].value);
    for (size_t i = 0; i < p->nsegs; i++) {
        fprintf(out, "%s: ", p->segs[i].name);
        dump_node(p, p->segs[i].root, out);
        fputc('\n', out);
    }
}
