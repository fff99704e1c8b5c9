/* lint.c - warnings about conditions that cannot be what their author
 * meant (lint_); the method is described in lint.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lint.h"
#include "value.h"

const lint_rule lint_rules[] = {
    {"SEG000", "error", "an error: the rule file does not compile"},
    {"SEG001", "allowWithoutReason", "@allow names a warning but gives no reason"},
    {"SEG101", "neverMatches", "a segment or tier can never match: its condition is never true"},
    {"SEG102", "alwaysMatches", "a segment matches every customer: its condition is always true"},
    {"SEG103", "impliedCondition", "a condition is implied by the rest of its 'and'"},
    {"SEG104", "unreachableTier", "a tier no customer can reach: earlier tiers take all its customers"},
    {"SEG105", "overlappingTiers", "two tiers over the same values overlap in part: the first takes the customers of both"},
    {"SEG106", "duplicateSegment", "two segments have the same condition"},
    {"SEG201", "unusedParameter", "a parameter is never used"},
    {"SEG202", "unusedValue", "a named value (let) is never used"},
    {"SEG203", "unusedConstant", "a constant is never used"},
    {"SEG204", "unusedImport", "nothing of an imported file is used"},
    {"SEG205", "replacedImport", "a segment or classification replaces an imported one"},
    {"SEG301", "compareWithNull", "a comparison with null is never true: write 'is null'"},
    {"SEG302", "shareAboveOne", "a share of counts is compared with a number above 1"},
    {"SEG401", "tooManyConditions", "a segment has more conditions than the budget (--max-conditions)"},
    {"SEG402", "listTooLong", "a list is longer than the budget (--max-list)"},
};
const size_t lint_nrules = sizeof lint_rules / sizeof lint_rules[0];

/* at most this many combinations are enumerated per condition */
#define MAX_COMBOS (1u << 16)

enum { F = 0, T = 1, N = 2 };

typedef enum vkind { VK_INT, VK_FLOAT, VK_STR, VK_BOOL } vkind;

/* a value compared with constants: its domain in cells */
typedef struct lvar {
    const ir_node *n;
    vkind kind;
    bool nullable;
    int rel;            /* compared with as_of-relative cut-offs: 1; with
                         * absolute ones: 2; both: 3 (its atoms opaque) */
    int64_t lo, hi;     /* the int domain */
    ir_value *pts;      /* the constants, sorted and distinct (after) */
    size_t npts, cappts;
    /* cells */
    size_t ncells;
    ir_value *rep;      /* a value of each cell */
    int *pt;            /* VK_STR: the point a cell is (-1: another string) */
    bool *null;         /* the null cell */
} lvar;

typedef struct latom {
    const ir_node *n;
    int var;            /* -1: opaque */
    int opaque;         /* index among the opaque atoms */
    bool rel;           /* compares with as_of (relative) */
    uint8_t *tab;       /* per cell of var: F, T, N */
} latom;

typedef struct linter {
    mem *m;
    arena a;
    const ir_program *p;
    const source *const *srcs;
    const lint_opts *o;
    diag_list *d;
    /* the condition being analysed */
    lvar *vars;
    size_t nvars, capvars;
    latom *atoms;
    size_t natoms, capatoms;
    int32_t *atom_of;   /* per node id: atom index, or -1 */
    size_t nopaque;
    uint64_t *hash;     /* per node id: structural hash (0: not yet) */
    /* the enumeration */
    uint32_t *cell;     /* per var: the current cell */
    uint8_t *oval;      /* per opaque atom: its value */
} linter;

/* ---- structural identity ---------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    return hash_u64(h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

static uint64_t vbits(const ir_node *n, ir_value v)
{
    if (n->ty->kind == TY_STRING)
        return hash_bytes(v.str.s, v.str.len);
    if (n->ty->kind == TY_FLOAT) {
        uint64_t b;
        memcpy(&b, &v.f, 8);
        return b;
    }
    return (uint64_t)v.i;
}

static bool own_binding(const ir_node *n)
{
    return n->op == IR_STAT || n->op == IR_NTILE || n->op == IR_DICTFN;
}

static uint64_t lhash(linter *L, const ir_node *n)
{
    if (L->hash[n->id])
        return L->hash[n->id];
    uint64_t h = mix(n->op, n->ty->kind);
    h = mix(h, (uint64_t)n->ty->currency << 8 | (uint8_t)n->ty->scale);
    h = mix(h, n->field);
    h = mix(h, (uint64_t)n->months);
    h = mix(h, (uint64_t)n->secs);
    h = mix(h, (uint64_t)n->scale_up);
    h = mix(h, n->cmp);
    h = mix(h, n->is_null);
    h = mix(h, n->anchor);
    h = mix(h, n->part);
    if (own_binding(n))
        h = mix(h, n->id);
    if (n->op == IR_CONST && !n->is_null)
        h = mix(h, vbits(n, n->v));
    if (n->op == IR_CONTAINS)
        h = mix(h, hash_bytes(n->v.str.s, n->v.str.len));
    h = mix(h, n->nlist);
    for (uint32_t i = 0; i < n->nlist; i++)
        h = mix(h, vbits(n->kids[0], n->list[i]));
    for (uint32_t i = 0; i < n->nkids; i++)
        h = mix(h, lhash(L, n->kids[i]));
    if (!h)
        h = 1;
    L->hash[n->id] = h;
    return h;
}

static bool same_v(const ir_node *n, ir_value a, ir_value b)
{
    if (n->ty->kind == TY_STRING)
        return a.str.len == b.str.len && memcmp(a.str.s, b.str.s, a.str.len) == 0;
    if (n->ty->kind == TY_FLOAT)
        return memcmp(&a.f, &b.f, sizeof a.f) == 0;
    return a.i == b.i;
}

static bool lsame(linter *L, const ir_node *a, const ir_node *b)
{
    if (a == b)
        return true;
    if (lhash(L, a) != lhash(L, b) || a->op != b->op ||
        !type_equal(a->ty, b->ty) || a->field != b->field ||
        a->months != b->months || a->secs != b->secs ||
        a->scale_up != b->scale_up || a->cmp != b->cmp ||
        a->is_null != b->is_null || a->nkids != b->nkids ||
        a->nlist != b->nlist || a->list_has_null != b->list_has_null ||
        a->anchor != b->anchor || a->part != b->part || own_binding(a))
        return false;
    if (a->op == IR_CONST && !a->is_null && !same_v(a, a->v, b->v))
        return false;
    /* aggregates over events: the same only with the same aggregate, field,
     * window and filter */
    if (a->op == IR_EVAGG &&
        (a->agg != b->agg || a->evfield != b->evfield ||
         a->windowed != b->windowed || !a->filter != !b->filter ||
         (a->filter && !lsame(L, a->filter, b->filter))))
        return false;
    if (a->op == IR_EVFIELD && a->evlist != b->evlist)
        return false;
    if (a->op == IR_CONTAINS &&
        (a->v.str.len != b->v.str.len ||
         memcmp(a->v.str.s, b->v.str.s, a->v.str.len) != 0))
        return false;
    for (uint32_t i = 0; i < a->nlist; i++)
        if (!same_v(a->kids[0], a->list[i], b->list[i]))
            return false;
    for (uint32_t i = 0; i < a->nkids; i++)
        if (!lsame(L, a->kids[i], b->kids[i]))
            return false;
    return true;
}

/* ---- variables and atoms ------------------------------------------------------------ */

static bool grow(linter *L, void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? 2 * *cap : 16;
    void *w = arena_alloc(&L->a, nc * size);
    if (!w)
        return false;
    if (*v)
        memcpy(w, *v, n * size);
    *v = w;
    *cap = nc;
    return true;
}

static vkind kind_of(const type *t)
{
    switch (t->kind) {
    case TY_FLOAT:
        return VK_FLOAT;
    case TY_STRING:
        return VK_STR;
    case TY_BOOL:
        return VK_BOOL;
    default:
        return VK_INT;
    }
}

static int var_of(linter *L, const ir_node *n)
{
    for (size_t i = 0; i < L->nvars; i++)
        if (lsame(L, L->vars[i].n, n))
            return (int)i;
    if (!grow(L, (void **)&L->vars, &L->capvars, L->nvars, sizeof *L->vars))
        return -1;
    lvar *v = &L->vars[L->nvars];
    memset(v, 0, sizeof *v);
    v->n = n;
    v->kind = kind_of(n->ty);
    v->nullable = n->nullable;
    v->lo = INT64_MIN;
    v->hi = INT64_MAX;
    /* the domains that are known */
    if (n->ty->kind == TY_ENUM) {
        v->lo = 0;
        v->hi = (int64_t)n->ty->enm->n - 1;
    } else if (n->op == IR_NTILE) {
        v->lo = 1;
        v->hi = n->k;
    } else if (n->op == IR_DATEPART) {
        static const int64_t lo[] = {INT64_MIN, 1, 1, 1, INT64_MIN},
                             hi[] = {INT64_MAX, 12, 31, 7, INT64_MAX};
        v->lo = lo[n->part];
        v->hi = hi[n->part];
    } else if (n->op == IR_DICTFN && n->ty->kind == TY_INT) {
        v->lo = 0; /* length, size */
    } else if (n->op == IR_STAT && n->stat == STAT_COUNT) {
        v->lo = 0;
    }
    return (int)L->nvars++;
}

static bool add_point(linter *L, lvar *v, ir_value x)
{
    if (!grow(L, (void **)&v->pts, &v->cappts, v->npts, sizeof *v->pts))
        return false;
    v->pts[v->npts++] = x;
    return true;
}

static int new_atom(linter *L, const ir_node *n, int var)
{
    if (!grow(L, (void **)&L->atoms, &L->capatoms, L->natoms, sizeof *L->atoms))
        return -1;
    latom *a = &L->atoms[L->natoms];
    memset(a, 0, sizeof *a);
    a->n = n;
    a->var = var;
    a->opaque = -1;
    if (var < 0)
        a->opaque = (int)L->nopaque++;
    L->atom_of[n->id] = (int32_t)L->natoms;
    return (int)L->natoms++;
}

static bool is_logic(const ir_node *n)
{
    return n->op == IR_AND || n->op == IR_OR || n->op == IR_NOT ||
           n->op == IR_ISTRUE || (n->op == IR_CONST && n->ty->kind == TY_BOOL);
}

/* an as_of cut-off that orders with the others: no months, no anchor */
static bool rel_point(const ir_node *n)
{
    return n->op == IR_ASOF && n->months == 0 && n->anchor == ANCHOR_NONE;
}

static void collect(linter *L, const ir_node *n, int depth)
{
    if (depth > 2000 || L->atom_of[n->id] >= 0 || L->m->failed)
        return;
    if (is_logic(n)) {
        for (uint32_t i = 0; i < n->nkids; i++)
            collect(L, n->kids[i], depth + 1);
        return;
    }
    if (n->op == IR_CMP) {
        const ir_node *a = n->kids[0], *b = n->kids[1];
        bool ca = a->op == IR_CONST || rel_point(a),
             cb = b->op == IR_CONST || rel_point(b);
        if (ca != cb && !(ca ? a : b)->is_null) {
            const ir_node *x = ca ? b : a, *k = ca ? a : b;
            int vi = var_of(L, x);
            if (vi < 0)
                return;
            lvar *v = &L->vars[vi];
            ir_value pv = k->v;
            if (k->op == IR_ASOF)
                pv.i = k->ty->kind == TY_DATE ? k->secs / SECS_PER_DAY : k->secs;
            v->rel |= k->op == IR_ASOF ? 1 : 2;
            if (add_point(L, v, pv)) {
                int ai = new_atom(L, n, vi);
                if (ai >= 0)
                    L->atoms[ai].rel = k->op == IR_ASOF;
            }
            return;
        }
        new_atom(L, n, -1);
        return;
    }
    if (n->op == IR_IN && n->kids[0]->op != IR_CONST) {
        int vi = var_of(L, n->kids[0]);
        if (vi < 0)
            return;
        lvar *v = &L->vars[vi];
        v->rel |= 2;
        for (uint32_t i = 0; i < n->nlist; i++)
            if (!add_point(L, v, n->list[i]))
                return;
        new_atom(L, n, vi);
        return;
    }
    if (n->op == IR_ISNULL && n->kids[0]->op != IR_CONST) {
        int vi = var_of(L, n->kids[0]);
        if (vi >= 0)
            new_atom(L, n, vi);
        return;
    }
    /* a Boolean value of its own: a bool field, a set lookup, a string
     * function's result */
    if (n->ty->kind == TY_BOOL && n->op != IR_CONST) {
        int vi = var_of(L, n);
        if (vi >= 0)
            new_atom(L, n, vi);
        return;
    }
    new_atom(L, n, -1);
}

static int cmp_i(const void *a, const void *b)
{
    const ir_value *x = a, *y = b;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_f(const void *a, const void *b)
{
    const ir_value *x = a, *y = b;
    return x->f < y->f ? -1 : x->f > y->f;
}

static int cmp_s(const void *a, const void *b)
{
    const ir_value *x = a, *y = b;
    uint32_t n = x->str.len < y->str.len ? x->str.len : y->str.len;
    int c = memcmp(x->str.s, y->str.s, n);
    return c ? c : (x->str.len > y->str.len) - (x->str.len < y->str.len);
}

static bool add_cell(linter *L, lvar *v, ir_value rep, int pt, bool null,
                     size_t *cap)
{
    if (v->ncells == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        ir_value *r = arena_alloc(&L->a, nc * sizeof *r);
        int *p = arena_alloc(&L->a, nc * sizeof *p);
        bool *nl = arena_alloc(&L->a, nc * sizeof *nl);
        if (!r || !p || !nl)
            return false;
        if (v->ncells) {
            memcpy(r, v->rep, v->ncells * sizeof *r);
            memcpy(p, v->pt, v->ncells * sizeof *p);
            memcpy(nl, v->null, v->ncells * sizeof *nl);
        }
        v->rep = r;
        v->pt = p;
        v->null = nl;
        *cap = nc;
    }
    v->rep[v->ncells] = rep;
    v->pt[v->ncells] = pt;
    v->null[v->ncells] = null;
    v->ncells++;
    return true;
}

/* the cells of v's domain: between and at its constants, and null */
static bool make_cells(linter *L, lvar *v)
{
    size_t cap = 0;
    ir_value x;
    memset(&x, 0, sizeof x);
    if (v->kind == VK_BOOL) {
        x.i = 0;
        if (!add_cell(L, v, x, -1, false, &cap))
            return false;
        x.i = 1;
        if (!add_cell(L, v, x, -1, false, &cap))
            return false;
    } else if (v->kind == VK_STR) {
        qsort(v->pts, v->npts, sizeof *v->pts, cmp_s);
        size_t k = 0;
        for (size_t i = 0; i < v->npts; i++)
            if (!k || cmp_s(&v->pts[k - 1], &v->pts[i]) != 0)
                v->pts[k++] = v->pts[i];
        v->npts = k;
        for (size_t i = 0; i < v->npts; i++)
            if (!add_cell(L, v, v->pts[i], (int)i, false, &cap))
                return false;
        if (!add_cell(L, v, x, -1, false, &cap)) /* any other string */
            return false;
    } else if (v->kind == VK_FLOAT) {
        qsort(v->pts, v->npts, sizeof *v->pts, cmp_f);
        size_t k = 0;
        for (size_t i = 0; i < v->npts; i++)
            if (!k || v->pts[k - 1].f != v->pts[i].f)
                v->pts[k++] = v->pts[i];
        v->npts = k;
        double prev = -INFINITY;
        for (size_t i = 0; i <= v->npts; i++) {
            double next = i < v->npts ? v->pts[i].f : INFINITY;
            /* the open interval (prev, next) */
            x.f = isinf(prev) ? (isinf(next) ? 0 : next - fabs(next) - 1)
                  : isinf(next) ? prev + fabs(prev) + 1
                                : prev / 2 + next / 2;
            if (x.f > prev && x.f < next && !add_cell(L, v, x, -1, false, &cap))
                return false;
            if (i < v->npts && !add_cell(L, v, v->pts[i], (int)i, false, &cap))
                return false;
            prev = next;
        }
    } else {
        qsort(v->pts, v->npts, sizeof *v->pts, cmp_i);
        size_t k = 0;
        for (size_t i = 0; i < v->npts; i++)
            if (!k || v->pts[k - 1].i != v->pts[i].i)
                v->pts[k++] = v->pts[i];
        v->npts = k;
        int64_t from = v->lo; /* the next value not yet in a cell */
        bool done = false;
        for (size_t i = 0; i <= v->npts && !done; i++) {
            int64_t p = i < v->npts ? v->pts[i].i : v->hi;
            bool last = i == v->npts;
            if (p < v->lo)
                continue;
            if (p > v->hi)
                p = v->hi, last = true;
            /* [from, p - 1], then {p} (the last: [from, hi]) */
            if (!last && p > from) {
                x.i = from;
                if (!add_cell(L, v, x, -1, false, &cap))
                    return false;
            }
            if (last) {
                if (from <= v->hi) {
                    x.i = from;
                    if (!add_cell(L, v, x, -1, false, &cap))
                        return false;
                }
                done = true;
            } else {
                x.i = p;
                if (!add_cell(L, v, x, (int)i, false, &cap))
                    return false;
                if (p == INT64_MAX)
                    done = true;
                else
                    from = p + 1;
            }
        }
    }
    if (v->nullable && !add_cell(L, v, x, -1, true, &cap))
        return false;
    return true;
}

static uint8_t apply(cmp_op op, int c)
{
    switch (op) {
    case CMP_EQ:
        return c == 0;
    case CMP_NE:
        return c != 0;
    case CMP_LT:
        return c < 0;
    case CMP_LE:
        return c <= 0;
    case CMP_GT:
        return c > 0;
    case CMP_GE:
        return c >= 0;
    }
    return N;
}

/* x compared with the constant k, x in cell c of v */
static int cell_cmp(const lvar *v, size_t c, ir_value k)
{
    ir_value x = v->rep[c];
    switch (v->kind) {
    case VK_FLOAT:
        return x.f < k.f ? -1 : x.f > k.f;
    case VK_STR:
        if (v->pt[c] < 0)
            return 1; /* another string: unequal */
        return cmp_s(&x, &k) != 0;
    default:
        return x.i < k.i ? -1 : x.i > k.i;
    }
}

static bool make_table(linter *L, latom *a)
{
    lvar *v = &L->vars[a->var];
    a->tab = arena_alloc(&L->a, v->ncells + 1);
    if (!a->tab)
        return false;
    const ir_node *n = a->n;
    for (size_t c = 0; c < v->ncells; c++) {
        uint8_t r = N;
        if (n->op == IR_ISNULL) {
            r = v->null[c];
        } else if (v->null[c]) {
            r = n->op == IR_IN && n->nlist == 0 && !n->list_has_null ? F : N;
        } else if (n->op == IR_CMP) {
            const ir_node *k = n->kids[0]->op == IR_CONST || rel_point(n->kids[0])
                                   ? n->kids[0]
                                   : n->kids[1];
            ir_value kv = k->v;
            if (k->op == IR_ASOF)
                kv.i = k->ty->kind == TY_DATE ? k->secs / SECS_PER_DAY : k->secs;
            int s = cell_cmp(v, c, kv);
            if (k == n->kids[0])
                s = -s; /* k OP x */
            /* ages: as_of-relative cut-offs count from as_of, so the
             * order is the same */
            r = apply(n->cmp, s);
        } else if (n->op == IR_IN) {
            bool found = false;
            for (uint32_t i = 0; i < n->nlist && !found; i++)
                found = cell_cmp(v, c, n->list[i]) == 0;
            r = found ? T : n->list_has_null ? N : F;
        } else {
            r = (uint8_t)v->rep[c].i; /* a Boolean value */
        }
        a->tab[c] = r;
    }
    return true;
}

/* Gathers the atoms of the conditions and makes the cells; false when the
 * conditions are too big to enumerate. */
static bool prepare(linter *L, const ir_node *const *roots, size_t n,
                    uint64_t *combos)
{
    L->nvars = L->natoms = L->nopaque = 0;
    L->vars = NULL;
    L->atoms = NULL;
    L->capvars = L->capatoms = 0;
    for (uint32_t i = 0; i <= L->p->nnodes; i++)
        L->atom_of[i] = -1;
    for (size_t i = 0; i < n; i++)
        if (roots[i])
            collect(L, roots[i], 0);
    if (L->m->failed)
        return false;
    /* a value compared with both as_of and absolute dates cannot be
     * ordered: those atoms are unknowns */
    for (size_t i = 0; i < L->natoms; i++) {
        latom *a = &L->atoms[i];
        if (a->var >= 0 && L->vars[a->var].rel == 3) {
            a->var = -1;
            a->opaque = (int)L->nopaque++;
        }
    }
    uint64_t total = 1;
    for (size_t i = 0; i < L->nvars; i++) {
        if (!make_cells(L, &L->vars[i]))
            return false;
        total *= L->vars[i].ncells ? L->vars[i].ncells : 1;
        if (total > MAX_COMBOS)
            return false;
    }
    for (size_t i = 0; i < L->natoms; i++) {
        latom *a = &L->atoms[i];
        if (a->var >= 0 && !make_table(L, a))
            return false;
        if (a->var < 0) {
            total *= a->n->nullable ? 3 : 2;
            if (total > MAX_COMBOS)
                return false;
        }
    }
    L->cell = arena_alloc(&L->a, (L->nvars + 1) * sizeof *L->cell);
    L->oval = arena_alloc(&L->a, L->nopaque + 1);
    if (!L->cell || !L->oval)
        return false;
    *combos = total;
    return true;
}

/* the combination number k */
static void set_combo(linter *L, uint64_t k)
{
    for (size_t i = 0; i < L->nvars; i++) {
        size_t nc = L->vars[i].ncells ? L->vars[i].ncells : 1;
        L->cell[i] = (uint32_t)(k % nc);
        k /= nc;
    }
    for (size_t i = 0; i < L->natoms; i++) {
        const latom *a = &L->atoms[i];
        if (a->var >= 0)
            continue;
        unsigned nv = a->n->nullable ? 3 : 2;
        L->oval[a->opaque] = (uint8_t)(k % nv);
        k /= nv;
    }
}

static uint8_t eval3(linter *L, const ir_node *n)
{
    int32_t ai = L->atom_of[n->id];
    if (ai >= 0) {
        const latom *a = &L->atoms[ai];
        return a->var >= 0 ? a->tab[L->cell[a->var]] : L->oval[a->opaque];
    }
    switch (n->op) {
    case IR_CONST:
        return n->is_null ? N : (uint8_t)(n->v.i != 0);
    case IR_NOT: {
        uint8_t x = eval3(L, n->kids[0]);
        return x == N ? N : !x;
    }
    case IR_ISTRUE:
        return eval3(L, n->kids[0]) == T;
    case IR_AND:
    case IR_OR: {
        bool and = n->op == IR_AND, unknown = false;
        for (uint32_t i = 0; i < n->nkids; i++) {
            uint8_t x = eval3(L, n->kids[i]);
            if (x == N)
                unknown = true;
            else if (x == (and ? F : T))
                return and ? F : T;
        }
        return unknown ? N : (and ? T : F);
    }
    default:
        return N;
    }
}

/* ---- reporting ---------------------------------------------------------------------- */

typedef struct tbuf {
    char s[160];
} tbuf;

/* the source text of n, shortened */
static tbuf text_of(linter *L, const ir_node *n)
{
    tbuf t;
    t.s[0] = 0;
    if (n->file == IR_NO_FILE || n->file >= L->p->nfiles)
        return t;
    const source *src = L->srcs[n->file];
    size_t len = n->at.end - n->at.start;
    if (n->at.end > src->len || len == 0)
        return t;
    if (len > 60)
        snprintf(t.s, sizeof t.s, "%.57s...", src->text + n->at.start);
    else
        snprintf(t.s, sizeof t.s, "%.*s", (int)len, src->text + n->at.start);
    for (char *p = t.s; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    return t;
}

static void warn(linter *L, uint16_t file, loc at, const char *code,
                 const char *fmt, ...) SEGC_PRINTF(5, 6);
static void warn(linter *L, uint16_t file, loc at, const char *code,
                 const char *fmt, ...)
{
    if (file >= L->p->nfiles)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_vat(L->d, SEGC_SEV_WARNING, L->srcs[file], at, code, NULL, fmt, ap);
    va_end(ap);
}

/* the conjuncts of a condition (through membership of a single
 * condition: 'and' is flat in the IR) */
static const ir_node *conj_root(const ir_node *n)
{
    while (n->op == IR_ISTRUE && n->kids[0]->op == IR_AND)
        n = n->kids[0];
    return n;
}

/* what: "segment 'X'" or "tier 'T' of 'c'"; root: the condition */
static void lint_cond(linter *L, const ir_segment *s, const ir_node *root,
                      const char *what, bool tier)
{
    const ir_node *c = conj_root(root);
    uint64_t combos;
    if (!prepare(L, &root, 1, &combos))
        return;
    size_t nk = c->op == IR_AND ? c->nkids : 0;
    if (nk > 32)
        nk = 0;
    bool any_true = false, all_true = true;
    uint32_t implied = (uint32_t)((uint64_t)1 << nk) - 1; /* still possible */
    /* single conjuncts that are never true, and pairs that never hold together */
    uint32_t ever_true = 0;
    uint64_t pair_true[32] = {0};
    for (uint64_t k = 0; k < combos; k++) {
        set_combo(L, k);
        uint8_t r = eval3(L, root);
        any_true |= r == T;
        all_true &= r == T;
        if (!nk)
            continue;
        uint32_t tmask = 0;
        for (size_t i = 0; i < nk; i++)
            if (eval3(L, c->kids[i]) == T)
                tmask |= 1u << i;
        ever_true |= tmask;
        for (size_t i = 0; i < nk; i++)
            if (tmask >> i & 1)
                pair_true[i] |= tmask;
        /* conjunct i is implied when, wherever all the others hold, it
         * holds too */
        for (size_t i = 0; i < nk; i++) {
            uint32_t others = ((1u << nk) - 1) & ~(1u << i);
            if ((tmask & others) == others && !(tmask >> i & 1))
                implied &= ~(1u << i);
        }
    }
    if (!any_true) {
        /* name the reason: a conjunct never true, or two that exclude
         * each other */
        for (size_t i = 0; i < nk; i++)
            if (!(ever_true >> i & 1)) {
                tbuf t = text_of(L, c->kids[i]);
                warn(L, s->file, s->at, "SEG101", "%s can never match: "
                     "'%s' is never true", what, t.s);
                return;
            }
        for (size_t i = 0; i < nk; i++)
            for (size_t j = i + 1; j < nk; j++)
                if (!(pair_true[i] >> j & 1)) {
                    tbuf a = text_of(L, c->kids[i]), b = text_of(L, c->kids[j]);
                    if (strcmp(a.s, b.s) == 0) /* between lo and hi */
                        warn(L, s->file, s->at, "SEG101", "%s can never "
                             "match: '%s' is never true", what, a.s);
                    else
                        warn(L, s->file, s->at, "SEG101", "%s can never "
                             "match: '%s' and '%s' cannot both be true",
                             what, a.s, b.s);
                    return;
                }
        warn(L, s->file, s->at, "SEG101", "%s can never match: its "
             "condition is never true", what);
        return;
    }
    if (all_true && !tier) {
        warn(L, s->file, s->at, "SEG102", "segment '%s' matches every "
             "customer: its condition is always true", s->name);
        return;
    }
    for (size_t i = 0; i < nk; i++) {
        if (!(implied >> i & 1))
            continue;
        /* one other conjunct that implies it alone, if there is one */
        const char *by = NULL;
        tbuf tb;
        for (size_t j = 0; j < nk && !by; j++) {
            if (j == i)
                continue;
            bool implies = true;
            for (uint64_t k = 0; k < combos && implies; k++) {
                set_combo(L, k);
                if (eval3(L, c->kids[j]) == T && eval3(L, c->kids[i]) != T)
                    implies = false;
            }
            if (implies) {
                tb = text_of(L, c->kids[j]);
                by = tb.s;
            }
        }
        tbuf t = text_of(L, c->kids[i]);
        if (by)
            warn(L, c->kids[i]->file, c->kids[i]->at, "SEG103", "'%s' is "
                 "implied by '%s' in %s; it can go", t.s, by, what);
        else
            warn(L, c->kids[i]->file, c->kids[i]->at, "SEG103", "'%s' is "
                 "implied by the rest of the condition of %s; it can go",
                 t.s, what);
        break; /* one at a time: removing one may change the others */
    }
}

/* a tier's own condition (true), under the first-match wrapping */
static const ir_node *tier_cond(const ir_node *root)
{
    if (root->op == IR_ISTRUE)
        return root;
    if (root->op == IR_AND && root->nkids == 2 && root->kids[0]->op == IR_ISTRUE)
        return root->kids[0];
    return NULL; /* the else tier */
}

static bool var_set(linter *L, const ir_node *n, uint64_t *set)
{
    int32_t ai = L->atom_of[n->id];
    if (ai >= 0) {
        const latom *a = &L->atoms[ai];
        if (a->var < 0 || a->var >= 64)
            return false;
        *set |= (uint64_t)1 << a->var;
        return true;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!var_set(L, n->kids[i], set))
            return false;
    return true;
}

static void lint_classification(linter *L, const ir_classification *cl)
{
    size_t nt = cl->ntiers;
    if (nt > 64)
        return;
    const ir_node *roots[64], *cond[64];
    for (size_t i = 0; i < nt; i++) {
        roots[i] = L->p->segs[cl->first + i].root;
        cond[i] = tier_cond(roots[i]);
    }
    uint64_t combos;
    if (!prepare(L, roots, nt, &combos))
        return;
    uint64_t reach = 0, cond_true = 0, covered_by[64] = {0};
    uint64_t both[64] = {0}, only_i_not_j[64] = {0};
    for (uint64_t k = 0; k < combos; k++) {
        set_combo(L, k);
        uint64_t ct = 0;
        for (size_t i = 0; i < nt; i++) {
            if (eval3(L, roots[i]) == T)
                reach |= (uint64_t)1 << i;
            if (cond[i] && eval3(L, cond[i]) == T)
                ct |= (uint64_t)1 << i;
        }
        cond_true |= ct;
        for (size_t i = 0; i < nt; i++) {
            if (!(ct >> i & 1))
                continue;
            /* the tier that takes them: the first that matches */
            uint64_t before = ct & (((uint64_t)1 << i) - 1);
            if (before)
                covered_by[i] |= before & (~before + 1);
            both[i] |= ct;
            only_i_not_j[i] |= ~ct;
        }
    }
    for (size_t i = 0; i < nt; i++) {
        const ir_segment *s = &L->p->segs[cl->first + i];
        if (reach >> i & 1)
            continue;
        if (cond[i] && !(cond_true >> i & 1)) {
            /* its own condition: SEG101 */
            char what[200];
            snprintf(what, sizeof what, "tier '%s' of '%s'",
                     s->name + strlen(cl->name) + 1, cl->name);
            lint_cond(L, s, cond[i]->kids[0], what, true);
            if (!prepare(L, roots, nt, &combos))
                return;
            continue;
        }
        buf b;
        buf_init(&b, L->m);
        int n = 0;
        for (size_t j = 0; j < i; j++)
            if (covered_by[i] >> j & 1)
                buf_printf(&b, "%s'%s'", n++ ? ", " : "",
                           L->p->segs[cl->first + j].name +
                               strlen(cl->name) + 1);
        if (!n)
            for (size_t j = 0; j < i; j++)
                buf_printf(&b, "%s'%s'", n++ ? ", " : "",
                           L->p->segs[cl->first + j].name +
                               strlen(cl->name) + 1);
        warn(L, s->file, s->at, "SEG104", "tier '%s' of '%s' can never be "
             "reached: every customer its condition admits is taken by %s "
             "before it", s->name + strlen(cl->name) + 1, cl->name,
             buf_cstr(&b) ? b.p : "the tiers before it");
        buf_free(&b);
    }
    /* partial overlaps of tiers over exactly the same values */
    for (size_t i = 0; i < nt; i++) {
        if (!cond[i] || !(reach >> i & 1))
            continue;
        uint64_t vi = 0;
        if (!var_set(L, cond[i], &vi))
            continue;
        for (size_t j = 0; j < i; j++) {
            uint64_t vj = 0;
            if (!cond[j] || !var_set(L, cond[j], &vj) || vi != vj)
                continue;
            bool overlap = both[i] >> j & 1;
            /* i within j: i unreachable (above); j within i: first match
             * on purpose (High > 1000, Mid > 100) */
            bool j_in_i = !(only_i_not_j[j] >> i & 1);
            bool i_in_j = !(only_i_not_j[i] >> j & 1);
            if (overlap && !j_in_i && !i_in_j) {
                const ir_segment *s = &L->p->segs[cl->first + i];
                warn(L, s->file, s->at, "SEG105", "tiers '%s' and '%s' of "
                     "'%s' overlap: customers who meet both are in '%s' "
                     "(the first that matches); if the tiers should not "
                     "overlap, check their bounds",
                     L->p->segs[cl->first + j].name + strlen(cl->name) + 1,
                     s->name + strlen(cl->name) + 1, cl->name,
                     L->p->segs[cl->first + j].name + strlen(cl->name) + 1);
                break;
            }
        }
    }
}

/* ---- budgets and duplicates ----------------------------------------------------------- */

static size_t count_atoms(const ir_node *n, size_t *longest, int depth)
{
    if (depth > 2000)
        return 0;
    if (n->nlist > *longest)
        *longest = n->nlist;
    if (n->op == IR_AND || n->op == IR_OR || n->op == IR_NOT ||
        n->op == IR_ISTRUE) {
        size_t s = 0;
        for (uint32_t i = 0; i < n->nkids; i++)
            s += count_atoms(n->kids[i], longest, depth + 1);
        return s;
    }
    return 1;
}

void lint_program(mem *m, const ir_program *p, const source *const *srcs,
                  const lint_opts *o, diag_list *d)
{
    linter L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.p = p;
    L.srcs = srcs;
    L.o = o;
    L.d = d;
    arena_init(&L.a, m);
    L.atom_of = mem_array(m, p->nnodes + 1, sizeof *L.atom_of);
    L.hash = mem_array(m, p->nnodes + 1, sizeof *L.hash);
    if (!L.atom_of || !L.hash)
        goto done;
    for (size_t i = 0; i < p->nsegs; i++) {
        const ir_segment *s = &p->segs[i];
        if (s->classification >= 0)
            continue;
        char what[160];
        snprintf(what, sizeof what, "segment '%s'", s->name);
        lint_cond(&L, s, s->root, what, false);
        /* the same condition as an earlier segment */
        for (size_t j = 0; j < i; j++)
            if (p->segs[j].classification < 0 &&
                lsame(&L, p->segs[j].root, s->root)) {
                warn(&L, s->file, s->at, "SEG106", "segment '%s' has the "
                     "same condition as '%s'", s->name, p->segs[j].name);
                break;
            }
    }
    for (size_t c = 0; c < p->nclasses; c++)
        lint_classification(&L, &p->classes[c]);
    if (o && (o->max_conditions || o->max_list))
        for (size_t i = 0; i < p->nsegs; i++) {
            const ir_segment *s = &p->segs[i];
            size_t longest = 0, n = count_atoms(s->root, &longest, 0);
            if (o->max_conditions && n > o->max_conditions)
                warn(&L, s->file, s->at, "SEG401", "'%s' has %zu conditions "
                     "(the budget is %zu)", s->name, n, o->max_conditions);
            if (o->max_list && longest > o->max_list)
                warn(&L, s->file, s->at, "SEG402", "'%s' uses a list of %zu "
                     "values (the budget is %zu)", s->name, longest,
                     o->max_list);
        }
done:
    mem_free(m, L.atom_of, (p->nnodes + 1) * sizeof *L.atom_of);
    mem_free(m, L.hash, (p->nnodes + 1) * sizeof *L.hash);
    arena_free(&L.a);
}
