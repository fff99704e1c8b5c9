/* jit_one.c - typed IR -> LLVM IR for one record at a time (jit_): the
 * compiled code behind segc_evaluator_record, the real-time path.
 *
 * The scan (jit_emit.c) works on blocks of 64 records in vector registers;
 * for one record that would cost a whole block. This emitter writes scalar
 * code instead, one function per program:
 *
 *   void one(const uint8_t *rec, const eval_bound *bound,
 *            const dataset *data, uint64_t *out);
 *
 * which stores the membership of every segment in out[0 .. (nsegs+63)/64)
 * (bit s % 64 of word s / 64). It follows the interpreter (interp.c) node
 * for node: a value is an i64 or a double with an i1 null flag, Kleene logic
 * for and/or/not, overflow, division by zero and non-finite floats give
 * null. The code has no branches: every node is computed, and the operands
 * of an operation that would trap (a division) or read memory (a table) are
 * made safe first, so a null field's slot may hold anything.
 *
 * Ids of strings and sets outside the field's dictionary (a value the
 * evaluator's data never had, SEGC_ID_UNKNOWN) are handled as
 * docs/design.md says ("The real-time path"): no table is read past its
 * end. */
#include <math.h>
#include <stdlib.h>

#include "jit_emit.h"
#include "value.h"

/* segments per function of a program of more than ONE_SPLIT segments (a
 * divisor of 64; measured on W1000: 8 compiles fastest and runs fastest) */
#define ONE_GROUP 8
#define ONE_SPLIT 64

typedef struct sv {
    LLVMValueRef v;    /* i64 (bool 0/1, int, money, date, ...) or double */
    LLVMValueRef null; /* i1 */
} sv;

typedef struct one {
    LLVMContextRef C;
    LLVMModuleRef M;
    LLVMBuilderRef B;
    LLVMTypeRef t_i1, t_i8, t_i32, t_i64, t_f64, t_ptr;
    LLVMValueRef rec, bound, data;
    const ir_program *p;
    const schema *sch;
    const dataset *d;
    sv *memo;
    bool *done;
    int lists;
    diag_list *dg;
    bool failed;
} one;

static void one_fail(one *o, const ir_node *n, const char *what)
{
    if (!o->failed)
        diag_place(o->dg, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "JIT: %s (%s) has no one-record form", what,
                   ir_op_name(n->op));
    o->failed = true;
}

static LLVMValueRef k64(one *o, int64_t v)
{
    return LLVMConstInt(o->t_i64, (unsigned long long)v, true);
}

static LLVMValueRef k1(one *o, bool v)
{
    return LLVMConstInt(o->t_i1, v, false);
}

static LLVMValueRef l_or1(one *o, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildOr(o->B, a, b, "");
}

static LLVMValueRef l_and1(one *o, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildAnd(o->B, a, b, "");
}

static LLVMValueRef l_not1(one *o, LLVMValueRef a)
{
    return LLVMBuildNot(o->B, a, "");
}

static LLVMValueRef zext64(one *o, LLVMValueRef v)
{
    return LLVMBuildZExt(o->B, v, o->t_i64, "");
}

static LLVMValueRef load_at(one *o, LLVMValueRef base, int64_t off,
                            LLVMTypeRef ty)
{
    LLVMValueRef idx = k64(o, off);
    LLVMValueRef p = LLVMBuildGEP2(o->B, o->t_i8, base, &idx, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(o->B, ty, p, "");
    LLVMSetAlignment(v, 1);
    return v;
}

static LLVMValueRef bound_at(one *o, const ir_node *n, size_t member,
                             LLVMTypeRef ty)
{
    return load_at(o, o->bound, (int64_t)(n->id * sizeof(eval_bound) + member),
                   ty);
}

/* v is NaN or infinite (v - v is 0 for every finite v) */
static LLVMValueRef nonfinite(one *o, LLVMValueRef v)
{
    return LLVMBuildFCmp(o->B, LLVMRealUNE, LLVMBuildFSub(o->B, v, v, ""),
                         LLVMConstReal(o->t_f64, 0), "");
}

static LLVMValueRef call(one *o, const char *name, LLVMTypeRef ret,
                         LLVMTypeRef *pt, LLVMValueRef *args, unsigned n)
{
    LLVMTypeRef fnty = LLVMFunctionType(ret, pt, n, false);
    LLVMValueRef fn = LLVMGetNamedFunction(o->M, name);
    if (!fn)
        fn = LLVMAddFunction(o->M, name, fnty);
    return LLVMBuildCall2(o->B, fnty, fn, args, n, "");
}

static LLVMValueRef intrinsic2(one *o, const char *name, LLVMValueRef a,
                               LLVMValueRef b)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef ty = o->t_i64;
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(o->M, id, &ty, 1);
    LLVMTypeRef fnty = LLVMIntrinsicGetType(o->C, id, &ty, 1);
    LLVMValueRef args[2] = {a, b};
    return LLVMBuildCall2(o->B, fnty, fn, args, 2, "");
}

/* a bit of a bitset of ntable bits: inb is set to whether i < ntable, and
 * the bit is read at i when it is, at 0 otherwise */
static LLVMValueRef table_bit(one *o, LLVMValueRef table, LLVMValueRef ntable,
                              LLVMValueRef i, LLVMValueRef *inb)
{
    *inb = LLVMBuildICmp(o->B, LLVMIntULT, i, ntable, "");
    LLVMValueRef at = LLVMBuildSelect(o->B, *inb, i, k64(o, 0), "");
    LLVMValueRef w = LLVMBuildLShr(o->B, at, k64(o, 5), "");
    LLVMValueRef p = LLVMBuildGEP2(o->B, o->t_i32, table, &w, 1, "");
    LLVMValueRef word = LLVMBuildLoad2(o->B, o->t_i32, p, "");
    LLVMValueRef sh = LLVMBuildTrunc(
        o->B, LLVMBuildAnd(o->B, at, k64(o, 31), ""), o->t_i32, "");
    LLVMValueRef bit = LLVMBuildAnd(o->B, LLVMBuildLShr(o->B, word, sh, ""),
                                    LLVMConstInt(o->t_i32, 1, false), "");
    return LLVMBuildICmp(o->B, LLVMIntNE, bit, LLVMConstInt(o->t_i32, 0, false),
                         "");
}

static bool is_fl(const ir_node *n)
{
    return n->ty->kind == TY_FLOAT;
}

static sv val(one *o, const ir_node *n);

static sv null_of(one *o, const ir_node *n)
{
    sv r = {is_fl(n) ? LLVMConstReal(o->t_f64, 0) : k64(o, 0), k1(o, true)};
    return r;
}

static sv field(one *o, const ir_node *n)
{
    const schema_field *f = &o->sch->fields[n->field];
    sv r;
    r.null = k1(o, false);
    if (f->null_bit >= 0) {
        LLVMValueRef byte =
            load_at(o, o->rec, o->sch->null_offset + (uint32_t)f->null_bit / 8,
                    o->t_i8);
        LLVMValueRef bit = LLVMBuildAnd(
            o->B, LLVMBuildLShr(o->B, byte,
                                LLVMConstInt(o->t_i8, f->null_bit % 8, false), ""),
            LLVMConstInt(o->t_i8, 1, false), "");
        r.null = LLVMBuildICmp(o->B, LLVMIntNE, bit,
                               LLVMConstInt(o->t_i8, 0, false), "");
    }
    switch (f->ty->kind) {
    case TY_BOOL:
        r.v = zext64(o, load_at(o, o->rec, f->offset, o->t_i8));
        break;
    case TY_INT:
    case TY_MONEY:
    case TY_TIMESTAMP:
        r.v = load_at(o, o->rec, f->offset, o->t_i64);
        break;
    case TY_FLOAT:
        r.v = load_at(o, o->rec, f->offset, o->t_f64);
        r.null = l_or1(o, r.null, nonfinite(o, r.v));
        break;
    case TY_DATE:
        r.v = LLVMBuildSExt(o->B, load_at(o, o->rec, f->offset, o->t_i32),
                            o->t_i64, "");
        break;
    case TY_STRING:
    case TY_ENUM:
    case TY_SET:
        r.v = zext64(o, load_at(o, o->rec, f->offset, o->t_i32));
        break;
    default:
        return null_of(o, n);
    }
    return r;
}

static sv arith(one *o, const ir_node *n)
{
    sv a = val(o, n->kids[0]), b = val(o, n->kids[1]);
    sv r;
    r.null = l_or1(o, a.null, b.null);
    if (is_fl(n)) {
        switch (n->op) {
        case IR_ADD:
            r.v = LLVMBuildFAdd(o->B, a.v, b.v, "");
            break;
        case IR_SUB:
            r.v = LLVMBuildFSub(o->B, a.v, b.v, "");
            break;
        case IR_MUL:
            r.v = LLVMBuildFMul(o->B, a.v, b.v, "");
            break;
        default: /* IR_DIV: x / 0 is null */
            r.v = LLVMBuildFDiv(o->B, a.v, b.v, "");
            r.null = l_or1(o, r.null,
                           LLVMBuildFCmp(o->B, LLVMRealOEQ, b.v,
                                         LLVMConstReal(o->t_f64, 0), ""));
            break;
        }
        r.null = l_or1(o, r.null, nonfinite(o, r.v));
        return r;
    }
    if (n->op == IR_DIV) {
        /* money / int, rounded half to even; / 0 and INT64_MIN / -1 are
         * null (and divide by 1 instead) */
        LLVMValueRef bad = l_or1(
            o, LLVMBuildICmp(o->B, LLVMIntEQ, b.v, k64(o, 0), ""),
            l_and1(o, LLVMBuildICmp(o->B, LLVMIntEQ, a.v, k64(o, INT64_MIN), ""),
                   LLVMBuildICmp(o->B, LLVMIntEQ, b.v, k64(o, -1), "")));
        LLVMValueRef by = LLVMBuildSelect(o->B, bad, k64(o, 1), b.v, "");
        LLVMTypeRef pt[2] = {o->t_i64, o->t_i64};
        LLVMValueRef args[2] = {a.v, by};
        r.v = call(o, "segc_rt_div_half_even", o->t_i64, pt, args, 2);
        r.null = l_or1(o, r.null, bad);
        return r;
    }
    const char *name = n->op == IR_ADD   ? "llvm.sadd.with.overflow"
                       : n->op == IR_SUB ? "llvm.ssub.with.overflow"
                                         : "llvm.smul.with.overflow";
    LLVMValueRef s = intrinsic2(o, name, a.v, b.v);
    r.v = LLVMBuildExtractValue(o->B, s, 0, "");
    r.null = l_or1(o, r.null, LLVMBuildExtractValue(o->B, s, 1, ""));
    return r;
}

static LLVMIntPredicate ipred(cmp_op op)
{
    static const LLVMIntPredicate p[] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT,
                                         LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
    return p[op];
}

static LLVMRealPredicate rpred(cmp_op op)
{
    static const LLVMRealPredicate p[] = {LLVMRealOEQ, LLVMRealONE,
                                          LLVMRealOLT, LLVMRealOLE,
                                          LLVMRealOGT, LLVMRealOGE};
    return p[op];
}

static bool null_const(const ir_node *n)
{
    return n->op == IR_CONST && n->is_null;
}

/* the number of entries of a string field's dictionary */
static int64_t dict_size(one *o, uint32_t field)
{
    return o->d ? (int64_t)o->d->dicts[field].n : 0;
}

static sv cmp(one *o, const ir_node *n)
{
    const ir_node *x = n->kids[0], *y = n->kids[1];
    sv r = {k64(o, 0), k1(o, true)};
    if (null_const(x) || null_const(y))
        return r;
    bool eq = n->cmp == CMP_EQ;
    if (x->ty->kind == TY_STRING) {
        if (x->op == IR_CONST && y->op == IR_CONST) {
            bool same = x->v.str.len == y->v.str.len &&
                        memcmp(x->v.str.s, y->v.str.s, x->v.str.len) == 0;
            r.v = k64(o, same == eq);
            r.null = k1(o, false);
            return r;
        }
        if (x->op == IR_CONST || y->op == IR_CONST) {
            /* field vs constant: by id, the id bound for this data (every
             * constant is in the evaluator's dictionary) */
            const ir_node *f = x->op == IR_CONST ? y : x;
            if (f->op != IR_FIELD) {
                one_fail(o, n, "this string comparison");
                return r;
            }
            sv a = val(o, f);
            LLVMValueRef k = bound_at(o, n, offsetof(eval_bound, k), o->t_i64);
            r.v = zext64(o, LLVMBuildICmp(o->B, eq ? LLVMIntEQ : LLVMIntNE,
                                          a.v, k, ""));
            r.null = a.null;
            return r;
        }
        if (x->op != IR_FIELD || y->op != IR_FIELD) {
            one_fail(o, n, "this string comparison");
            return r;
        }
        sv a = val(o, x), b = val(o, y);
        r.null = l_or1(o, a.null, b.null);
        if (x->field == y->field) {
            r.v = zext64(o, LLVMBuildICmp(o->B, eq ? LLVMIntEQ : LLVMIntNE,
                                          a.v, b.v, ""));
            return r;
        }
        /* two fields: by text; an id outside its dictionary is unknown */
        r.null = l_or1(
            o, r.null,
            l_or1(o,
                  LLVMBuildICmp(o->B, LLVMIntUGE, a.v,
                                k64(o, dict_size(o, x->field)), ""),
                  LLVMBuildICmp(o->B, LLVMIntUGE, b.v,
                                k64(o, dict_size(o, y->field)), "")));
        LLVMTypeRef pt[5] = {o->t_ptr, o->t_i64, o->t_i64, o->t_i64, o->t_i64};
        LLVMValueRef args[5] = {o->data, k64(o, x->field), a.v,
                                k64(o, y->field), b.v};
        LLVMValueRef same = LLVMBuildICmp(
            o->B, LLVMIntNE, call(o, "segc_rt_str_eq", o->t_i8, pt, args, 5),
            LLVMConstInt(o->t_i8, 0, false), "");
        r.v = zext64(o, eq ? same : l_not1(o, same));
        return r;
    }
    sv a = val(o, x), b = val(o, y);
    r.null = l_or1(o, a.null, b.null);
    if (is_fl(x))
        r.v = zext64(o, LLVMBuildFCmp(o->B, rpred(n->cmp), a.v, b.v, ""));
    else
        r.v = zext64(o, LLVMBuildICmp(o->B, ipred(n->cmp), a.v, b.v, ""));
    return r;
}

static sv in_list(one *o, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    sv r = {k64(o, 0), k1(o, false)};
    if (n->nlist == 0 && !n->list_has_null)
        return r;
    if (null_const(x)) {
        r.null = k1(o, true);
        return r;
    }
    sv a = val(o, x);
    LLVMValueRef found = k1(o, false);
    if (x->ty->kind == TY_STRING) {
        if (x->op == IR_CONST) {
            bool hit = false;
            for (uint32_t i = 0; i < n->nlist && !hit; i++)
                hit = n->list[i].str.len == x->v.str.len &&
                      memcmp(n->list[i].str.s, x->v.str.s, x->v.str.len) == 0;
            found = k1(o, hit);
        } else if (x->op == IR_FIELD) {
            /* every string of the list is in the evaluator's dictionary, so
             * an id past it is in no list */
            LLVMValueRef inb;
            found = table_bit(
                o, bound_at(o, n, offsetof(eval_bound, table), o->t_ptr),
                bound_at(o, n, offsetof(eval_bound, ntable), o->t_i64), a.v,
                &inb);
            found = l_and1(o, found, inb);
        } else {
            one_fail(o, n, "this 'in' over strings");
            return r;
        }
    } else if (n->nlist <= 32) {
        for (uint32_t i = 0; i < n->nlist; i++) {
            LLVMValueRef c =
                is_fl(x) ? LLVMBuildFCmp(o->B, LLVMRealOEQ, a.v,
                                         LLVMConstReal(o->t_f64, n->list[i].f), "")
                         : LLVMBuildICmp(o->B, LLVMIntEQ, a.v,
                                         k64(o, n->list[i].i), "");
            found = l_or1(o, found, c);
        }
    } else {
        /* a long list: a sorted constant array, searched by a helper */
        LLVMTypeRef et = is_fl(x) ? o->t_f64 : o->t_i64;
        LLVMValueRef *ks = malloc(n->nlist * sizeof *ks);
        if (!ks) {
            one_fail(o, n, "a long list (out of memory)");
            return r;
        }
        for (uint32_t i = 0; i < n->nlist; i++)
            ks[i] = is_fl(x) ? LLVMConstReal(o->t_f64, n->list[i].f)
                             : k64(o, n->list[i].i);
        char name[32];
        snprintf(name, sizeof name, "list%d", o->lists++);
        LLVMValueRef g =
            LLVMAddGlobal(o->M, LLVMArrayType2(et, n->nlist), name);
        LLVMSetInitializer(g, LLVMConstArray2(et, ks, n->nlist));
        LLVMSetGlobalConstant(g, true);
        LLVMSetLinkage(g, LLVMPrivateLinkage);
        free(ks);
        LLVMTypeRef pt[3] = {o->t_ptr, o->t_i64, et};
        LLVMValueRef args[3] = {g, k64(o, n->nlist), a.v};
        LLVMValueRef v = call(o, is_fl(x) ? "segc_rt_in_f64" : "segc_rt_in_i64",
                              o->t_i8, pt, args, 3);
        found = LLVMBuildICmp(o->B, LLVMIntNE, v, LLVMConstInt(o->t_i8, 0, false),
                              "");
    }
    /* found: true; else null if x is null or the list held a null */
    LLVMValueRef hit = l_and1(o, found, l_not1(o, a.null));
    r.v = zext64(o, hit);
    r.null = n->list_has_null ? l_not1(o, hit) : a.null;
    return r;
}

static LLVMValueRef truth(one *o, sv a)
{
    return l_and1(o, l_not1(o, a.null),
                  LLVMBuildICmp(o->B, LLVMIntNE, a.v, k64(o, 0), ""));
}

static LLVMValueRef falsity(one *o, sv a)
{
    return l_and1(o, l_not1(o, a.null),
                  LLVMBuildICmp(o->B, LLVMIntEQ, a.v, k64(o, 0), ""));
}

static sv val_uncached(one *o, const ir_node *n)
{
    sv r = {k64(o, 0), k1(o, false)};
    switch (n->op) {
    case IR_CONST:
        if (n->is_null)
            return null_of(o, n);
        if (is_fl(n)) {
            r.v = LLVMConstReal(o->t_f64, n->v.f);
            r.null = k1(o, !isfinite(n->v.f));
        } else if (n->ty->kind != TY_STRING) {
            r.v = k64(o, n->v.i);
        }
        return r;
    case IR_FIELD:
        return field(o, n);
    case IR_ASOF:
        r.v = bound_at(o, n, offsetof(eval_bound, k), o->t_i64);
        return r;
    case IR_NEG: {
        sv a = val(o, n->kids[0]);
        if (is_fl(n)) {
            r.v = LLVMBuildFNeg(o->B, a.v, "");
            r.null = a.null;
            return r;
        }
        r.v = LLVMBuildSub(o->B, k64(o, 0), a.v, "");
        r.null = l_or1(o, a.null, LLVMBuildICmp(o->B, LLVMIntEQ, a.v,
                                                k64(o, INT64_MIN), ""));
        return r;
    }
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV:
        return arith(o, n);
    case IR_TO_FLOAT: {
        const ir_node *k = n->kids[0];
        sv a = val(o, k);
        r.null = a.null;
        r.v = LLVMBuildSIToFP(o->B, a.v, o->t_f64, "");
        if (k->ty->kind == TY_MONEY && k->ty->scale > 0) {
            /* units / 10^scale, as cur_units_to_float does */
            double p = 1;
            for (int i = 0; i < k->ty->scale; i++)
                p *= 10;
            r.v = LLVMBuildFDiv(o->B, r.v, LLVMConstReal(o->t_f64, p), "");
        }
        return r;
    }
    case IR_UNITS:
        return val(o, n->kids[0]);
    case IR_TO_TS: {
        sv a = val(o, n->kids[0]);
        r.v = LLVMBuildMul(o->B, a.v, k64(o, SECS_PER_DAY), "");
        r.null = a.null;
        return r;
    }
    case IR_RESCALE: {
        sv a = val(o, n->kids[0]);
        LLVMValueRef s = intrinsic2(o, "llvm.smul.with.overflow", a.v,
                                    k64(o, pow10_i64(n->scale_up)));
        r.v = LLVMBuildExtractValue(o->B, s, 0, "");
        r.null = l_or1(o, a.null, LLVMBuildExtractValue(o->B, s, 1, ""));
        return r;
    }
    case IR_SHIFT: {
        sv a = val(o, n->kids[0]);
        bool date = n->ty->kind == TY_DATE;
        LLVMValueRef x = LLVMBuildSelect(o->B, a.null, k64(o, 0), a.v, "");
        LLVMTypeRef pt[3] = {o->t_i64, o->t_i64, o->t_i64};
        LLVMValueRef args[3] = {x, k64(o, n->months),
                                k64(o, date ? n->secs / SECS_PER_DAY : n->secs)};
        r.v = call(o, date ? "segc_rt_shift_date" : "segc_rt_shift_ts",
                   o->t_i64, pt, args, 3);
        r.null = a.null;
        return r;
    }
    case IR_CMP:
        return cmp(o, n);
    case IR_IN:
        return in_list(o, n);
    case IR_CONTAINS: {
        sv a = val(o, n->kids[0]);
        LLVMValueRef inb;
        LLVMValueRef bit = table_bit(
            o, bound_at(o, n, offsetof(eval_bound, table), o->t_ptr),
            bound_at(o, n, offsetof(eval_bound, ntable), o->t_i64), a.v, &inb);
        r.v = zext64(o, bit);
        r.null = l_or1(o, a.null, l_not1(o, inb)); /* an unknown set */
        return r;
    }
    case IR_ISNULL: {
        sv a = val(o, n->kids[0]);
        r.v = zext64(o, a.null);
        return r;
    }
    case IR_AND:
    case IR_OR: {
        /* and: false if a kid is false, else null if a kid is null; or: the
         * dual */
        bool and = n->op == IR_AND;
        LLVMValueRef decided = k1(o, false), unknown = k1(o, false);
        for (uint32_t i = 0; i < n->nkids; i++) {
            sv a = val(o, n->kids[i]);
            decided = l_or1(o, decided, and ? falsity(o, a) : truth(o, a));
            unknown = l_or1(o, unknown, a.null);
        }
        r.null = l_and1(o, l_not1(o, decided), unknown);
        r.v = zext64(o, and ? l_not1(o, l_or1(o, decided, unknown)) : decided);
        return r;
    }
    case IR_NOT: {
        sv a = val(o, n->kids[0]);
        r.v = zext64(o, LLVMBuildICmp(o->B, LLVMIntEQ, a.v, k64(o, 0), ""));
        r.null = a.null;
        return r;
    }
    case IR_ISTRUE:
        r.v = zext64(o, truth(o, val(o, n->kids[0])));
        return r;
    case IR_STAT: {
        LLVMValueRef nl = bound_at(o, n, offsetof(eval_bound, null), o->t_i32);
        r.null = LLVMBuildICmp(o->B, LLVMIntNE, nl,
                               LLVMConstInt(o->t_i32, 0, false), "");
        if (is_fl(n)) {
            r.v = bound_at(o, n, offsetof(eval_bound, f), o->t_f64);
            r.null = l_or1(o, r.null, nonfinite(o, r.v));
        } else {
            r.v = bound_at(o, n, offsetof(eval_bound, k), o->t_i64);
        }
        return r;
    }
    case IR_NTILE: {
        const ir_node *x = n->kids[0];
        sv a = val(o, x);
        bool fl = is_fl(x);
        LLVMValueRef cuts = bound_at(
            o, n, fl ? offsetof(eval_bound, fvals) : offsetof(eval_bound, vals),
            o->t_ptr);
        LLVMValueRef cnt =
            zext64(o, bound_at(o, n, offsetof(eval_bound, nvals), o->t_i32));
        LLVMTypeRef pt[3] = {o->t_ptr, o->t_i64, fl ? o->t_f64 : o->t_i64};
        LLVMValueRef args[3] = {cuts, cnt, a.v};
        r.v = call(o, fl ? "segc_rt_ntile_f64" : "segc_rt_ntile_i64", o->t_i64,
                   pt, args, 3);
        r.null = a.null;
        return r;
    }
    case IR_DICTFN: {
        sv a = val(o, n->kids[0]);
        LLVMValueRef ntable =
            bound_at(o, n, offsetof(eval_bound, ntable), o->t_i64);
        LLVMValueRef inb;
        LLVMValueRef isnull = table_bit(
            o, bound_at(o, n, offsetof(eval_bound, nulls), o->t_ptr), ntable,
            a.v, &inb);
        LLVMValueRef v;
        if (n->ty->kind == TY_INT) {
            LLVMValueRef at = LLVMBuildSelect(o->B, inb, a.v, k64(o, 0), "");
            LLVMValueRef vals =
                bound_at(o, n, offsetof(eval_bound, vals), o->t_ptr);
            LLVMValueRef p = LLVMBuildGEP2(o->B, o->t_i64, vals, &at, 1, "");
            v = LLVMBuildLoad2(o->B, o->t_i64, p, "");
        } else {
            LLVMValueRef inb2;
            v = zext64(o, table_bit(o, bound_at(o, n, offsetof(eval_bound, table),
                                                o->t_ptr),
                                    ntable, a.v, &inb2));
        }
        /* a null argument: the function's value for null (bound k, null) */
        LLVMValueRef knull = LLVMBuildICmp(
            o->B, LLVMIntNE, bound_at(o, n, offsetof(eval_bound, null), o->t_i32),
            LLVMConstInt(o->t_i32, 0, false), "");
        LLVMValueRef kval = bound_at(o, n, offsetof(eval_bound, k), o->t_i64);
        r.v = LLVMBuildSelect(o->B, a.null, kval, v, "");
        r.null = LLVMBuildSelect(o->B, a.null, knull,
                                 l_or1(o, l_not1(o, inb), isnull), "");
        return r;
    }
    case IR_DATEPART: {
        const ir_node *x = n->kids[0];
        sv a = val(o, x);
        LLVMTypeRef pt[4] = {o->t_i64, o->t_i64, o->t_i64, o->t_i64};
        LLVMValueRef args[4] = {
            k64(o, n->part), LLVMBuildSelect(o->B, a.null, k64(o, 0), a.v, ""),
            k64(o, x->ty->kind == TY_TIMESTAMP),
            bound_at(o, n, offsetof(eval_bound, k), o->t_i64)};
        r.v = call(o, "segc_rt_date_part_of", o->t_i64, pt, args, 4);
        r.null = a.null;
        return r;
    }
    case IR_DICTARG:
    case IR_STRFN:
    default: /* a kind without a one-record form: the interpreter's */
        break;
    }
    one_fail(o, n, "this node");
    return r;
}

static sv val(one *o, const ir_node *n)
{
    if (o->done[n->id])
        return o->memo[n->id];
    sv r = val_uncached(o, n);
    o->memo[n->id] = r;
    o->done[n->id] = true;
    return r;
}

LLVMModuleRef jit_one_module(LLVMContextRef ctx, const ir_program *p,
                             const dataset *d, const char *fn_name,
                             diag_list *dg)
{
    one o;
    memset(&o, 0, sizeof o);
    o.C = ctx;
    o.p = p;
    o.sch = p->sch;
    o.d = d;
    o.dg = dg;
    o.memo = calloc(p->nnodes + 1, sizeof *o.memo);
    o.done = calloc(p->nnodes + 1, sizeof *o.done);
    if (!o.memo || !o.done) {
        free(o.memo);
        free(o.done);
        diag_place(dg, SEGC_SEV_ERROR, "segc", 0, 0, 0, NULL, 0,
                   "JIT: out of memory");
        return NULL;
    }
    o.M = LLVMModuleCreateWithNameInContext(fn_name, ctx);
    o.B = LLVMCreateBuilderInContext(ctx);
    o.t_i1 = LLVMInt1TypeInContext(ctx);
    o.t_i8 = LLVMInt8TypeInContext(ctx);
    o.t_i32 = LLVMInt32TypeInContext(ctx);
    o.t_i64 = LLVMInt64TypeInContext(ctx);
    o.t_f64 = LLVMDoubleTypeInContext(ctx);
    o.t_ptr = LLVMPointerTypeInContext(ctx, 0);
    LLVMTypeRef params[4] = {o.t_ptr, o.t_ptr, o.t_ptr, o.t_ptr};
    LLVMTypeRef fnty =
        LLVMFunctionType(LLVMVoidTypeInContext(ctx), params, 4, false);
    LLVMValueRef fn = LLVMAddFunction(o.M, fn_name, fnty);
    LLVMValueRef out = LLVMGetParam(fn, 3);
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(ctx, fn, "entry");
    /* A large program is split into functions of ONE_GROUP segments each
     * (not inlined), so that LLVM's work grows linearly with the program;
     * a small one is computed in the entry function itself, where LLVM can
     * share what its segments have in common. */
    LLVMTypeRef gty = LLVMFunctionType(o.t_i64, params, 3, false);
    size_t nwords = (p->nsegs + 63) / 64;
    bool split = p->nsegs > ONE_SPLIT;
    LLVMValueRef words[64];
    LLVMValueRef *word = nwords <= 64 ? words : calloc(nwords, sizeof *word);
    if (!word) {
        one_fail(&o, p->segs[0].root, "a program this large (out of memory)");
        nwords = 0;
    }
    for (size_t w = 0; w < nwords; w++)
        word[w] = k64(&o, 0);
    for (size_t g = 0; g < p->nsegs && !o.failed; g += ONE_GROUP) {
        size_t end = p->nsegs - g < ONE_GROUP ? p->nsegs : g + ONE_GROUP;
        LLVMValueRef gfn = fn;
        if (split) {
            char gname[96];
            snprintf(gname, sizeof gname, "%s_g%zu", fn_name, g / ONE_GROUP);
            gfn = LLVMAddFunction(o.M, gname, gty);
            LLVMSetLinkage(gfn, LLVMInternalLinkage);
            unsigned kind = LLVMGetEnumAttributeKindForName("noinline", 8);
            LLVMAddAttributeAtIndex(gfn, (unsigned)LLVMAttributeFunctionIndex,
                                    LLVMCreateEnumAttribute(ctx, kind, 0));
            LLVMPositionBuilderAtEnd(o.B,
                                     LLVMAppendBasicBlockInContext(ctx, gfn, "entry"));
            memset(o.done, 0, (p->nnodes + 1) * sizeof *o.done);
        } else {
            LLVMPositionBuilderAtEnd(o.B, entry);
        }
        o.rec = LLVMGetParam(gfn, 0);
        o.bound = LLVMGetParam(gfn, 1);
        o.data = LLVMGetParam(gfn, 2);
        /* ONE_GROUP divides 64: a group's segments share one word */
        LLVMValueRef bits = k64(&o, 0);
        for (size_t s = g; s < end; s++) {
            LLVMValueRef bit = zext64(&o, truth(&o, val(&o, p->segs[s].root)));
            bits = LLVMBuildOr(o.B, bits,
                               LLVMBuildShl(o.B, bit, k64(&o, (int64_t)(s % 64)), ""),
                               "");
        }
        if (split) {
            LLVMBuildRet(o.B, bits);
            LLVMPositionBuilderAtEnd(o.B, entry);
            LLVMValueRef args[3] = {LLVMGetParam(fn, 0), LLVMGetParam(fn, 1),
                                    LLVMGetParam(fn, 2)};
            bits = LLVMBuildCall2(o.B, gty, gfn, args, 3, "");
        }
        word[g / 64] = LLVMBuildOr(o.B, word[g / 64], bits, "");
    }
    LLVMPositionBuilderAtEnd(o.B, entry);
    for (size_t w = 0; w < nwords && !o.failed; w++) {
        LLVMValueRef idx = k64(&o, (int64_t)w);
        LLVMValueRef ptr = LLVMBuildGEP2(o.B, o.t_i64, out, &idx, 1, "");
        LLVMBuildStore(o.B, word[w], ptr);
    }
    if (word != words)
        free(word);
    LLVMBuildRetVoid(o.B);
    LLVMDisposeBuilder(o.B);
    free(o.memo);
    free(o.done);
    if (o.failed) {
        LLVMDisposeModule(o.M);
        return NULL;
    }
    return o.M;
}

/* ---- helpers only the one-record code calls ------------------------------------------ */

int64_t segc_rt_div_half_even(int64_t a, int64_t b)
{
    return div_half_even_i64(a, b);
}

int64_t segc_rt_date_part_of(int64_t part, int64_t v, int64_t is_ts,
                             int64_t as_of_date)
{
    int64_t days = is_ts ? cal_floor_div(v, SECS_PER_DAY) : v;
    return eval_date_part((int)part, days, as_of_date);
}
