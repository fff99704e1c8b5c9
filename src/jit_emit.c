/* jit_emit.c - typed IR -> LLVM IR (jit_emit_).
 *
 * The shape of the code is described in jit.h. Conventions, after
 * PostgreSQL's llvmjit_expr.c: small l_* builder helpers keep the emitters
 * readable; LLVMValueRef locals are prefixed v_; there is one emitter per IR
 * node kind. A value of 64 lanes is a jv (a <64 x T> vector, or an i64 mask
 * for bools, plus an i64 null mask); a condition is a jb (an i64 mask of the
 * lanes where it is true and one where it is false).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "jit_emit.h"
#include "value.h"

#define NL JIT_BLOCK

/* a 64-lane value: v is <64 x i64>, <64 x double>, or an i64 mask for bool */
typedef struct jv {
    LLVMValueRef v, null;
} jv;

/* a 64-lane condition under three-valued logic */
typedef struct jb {
    LLVMValueRef t, f;
} jb;

typedef struct memo_entry {
    const ir_node *n;
    bool cond;
    jv v;
    jb b;
} memo_entry;

typedef struct emitter {
    LLVMContextRef C;
    LLVMModuleRef M;
    LLVMBuilderRef B;
    const ir_program *p;
    const schema *sch;
    diag_list *d;
    mem *m;
    LLVMTypeRef t_void, t_i1, t_i8, t_i32, t_i64, t_f64, t_ptr;
    LLVMTypeRef v_i1, v_i8, v_i32, v_i64, v_f64;
    uint64_t *hash;  /* per node id: structural hash (0 = not yet) */
    int *vec_slot;   /* per field: its column (values), or -1 */
    int *mask_slot;  /* per field: its i64 slot (bool values), or -1 */
    int *null_slot;  /* per field: its null mask slot, or -1 */
    int nvec, nmask;
    /* the function being emitted */
    LLVMValueRef fn, v_cols, v_masks, v_bound, v_data;
    LLVMBasicBlockRef entry;
    memo_entry *memo;
    size_t memo_cap;
    LLVMValueRef *field_v, *field_n; /* per field, cached in the function */
    int lists;                       /* globals made for long 'in' lists */
    bool failed;
} emitter;

static void fail(emitter *e, const ir_node *n, const char *what)
{
    if (!e->failed)
        diag_place(e->d, SEGC_SEV_ERROR, e->p->source_name, 0, 0, 0, NULL, 0,
                   "the JIT cannot compile %s (IR node %s)", what,
                   n ? ir_op_name(n->op) : "?");
    e->failed = true;
}

/* ---- builder helpers --------------------------------------------------------- */

static LLVMValueRef l_i64(emitter *e, int64_t v)
{
    return LLVMConstInt(e->t_i64, (unsigned long long)v, true);
}

static LLVMValueRef l_mask_all(emitter *e)
{
    return l_i64(e, -1);
}

static LLVMValueRef l_mask_none(emitter *e)
{
    return l_i64(e, 0);
}

static bool is_zero_mask(LLVMValueRef v)
{
    return LLVMIsAConstantInt(v) && LLVMConstIntGetZExtValue(v) == 0;
}

static bool is_all_mask(LLVMValueRef v)
{
    return LLVMIsAConstantInt(v) && LLVMConstIntGetSExtValue(v) == -1;
}

/* mask algebra with the obvious constant folds, so that non-nullable
 * values cost no null arithmetic at all */
static LLVMValueRef l_or(emitter *e, LLVMValueRef a, LLVMValueRef b)
{
    if (is_zero_mask(a) || is_all_mask(b))
        return b;
    if (is_zero_mask(b) || is_all_mask(a))
        return a;
    return LLVMBuildOr(e->B, a, b, "");
}

static LLVMValueRef l_and(emitter *e, LLVMValueRef a, LLVMValueRef b)
{
    if (is_all_mask(a) || is_zero_mask(b))
        return b;
    if (is_all_mask(b) || is_zero_mask(a))
        return a;
    return LLVMBuildAnd(e->B, a, b, "");
}

static LLVMValueRef l_not(emitter *e, LLVMValueRef a)
{
    if (is_zero_mask(a))
        return l_mask_all(e);
    if (is_all_mask(a))
        return l_mask_none(e);
    return LLVMBuildNot(e->B, a, "");
}

/* The operands of and/or are folded as a balanced tree, not as a chain: a
 * chain of 100000 operands made LLVM recurse 100000 deep and overflow the
 * stack (tests/bad/deep.sh). A binary counter: part k covers 2^level[k]
 * operands, levels strictly decrease, so 64 parts are always enough. */
typedef struct jfold {
    jb part[64];
    int level[64];
    int n;
    bool and;
} jfold;

static jb fold2(emitter *e, bool and, jb a, jb b)
{
    jb r;
    r.t = and ? l_and(e, a.t, b.t) : l_or(e, a.t, b.t);
    r.f = and ? l_or(e, a.f, b.f) : l_and(e, a.f, b.f);
    return r;
}

static void fold_push(emitter *e, jfold *f, jb k)
{
    int lv = 0;
    while (f->n && f->level[f->n - 1] == lv) {
        k = fold2(e, f->and, f->part[--f->n], k);
        lv++;
    }
    f->part[f->n] = k;
    f->level[f->n++] = lv;
}

/* r: the identity (true for and, false for or), taken when there are no
 * operands */
static jb fold_end(emitter *e, jfold *f, jb r)
{
    if (!f->n)
        return r;
    r = f->part[--f->n];
    while (f->n) {
        jb a = f->part[--f->n];
        r = fold2(e, f->and, a, r);
    }
    return r;
}


/* a <64 x i1> as an i64 mask (lane i = bit i) */
static LLVMValueRef l_bits(emitter *e, LLVMValueRef v_i1vec)
{
    return LLVMBuildBitCast(e->B, v_i1vec, e->t_i64, "");
}

static LLVMValueRef l_splat_const_i64(emitter *e, int64_t v)
{
    LLVMValueRef k = l_i64(e, v), ks[NL];
    for (int i = 0; i < NL; i++)
        ks[i] = k;
    return LLVMConstVector(ks, NL);
}

static LLVMValueRef l_splat_const_f64(emitter *e, double v)
{
    LLVMValueRef k = LLVMConstReal(e->t_f64, v), ks[NL];
    for (int i = 0; i < NL; i++)
        ks[i] = k;
    return LLVMConstVector(ks, NL);
}

/* a run-time scalar broadcast to all lanes */
static LLVMValueRef l_splat(emitter *e, LLVMValueRef scalar, LLVMTypeRef vty)
{
    LLVMValueRef v_undef = LLVMGetPoison(vty);
    LLVMValueRef v_one = LLVMBuildInsertElement(
        e->B, v_undef, scalar, LLVMConstInt(e->t_i32, 0, false), "");
    LLVMValueRef zeros[NL];
    for (int i = 0; i < NL; i++)
        zeros[i] = LLVMConstInt(e->t_i32, 0, false);
    return LLVMBuildShuffleVector(e->B, v_one, v_undef,
                                  LLVMConstVector(zeros, NL), "");
}

/* an overloaded intrinsic, declared on first use */
static LLVMValueRef l_intrinsic(emitter *e, const char *name,
                                LLVMTypeRef *types, size_t ntypes,
                                LLVMTypeRef *fnty)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(e->M, id, types, ntypes);
    *fnty = LLVMIntrinsicGetType(e->C, id, types, ntypes);
    return fn;
}

/* a runtime helper (its address is defined in the JITDylib by jit.c) */
static LLVMValueRef l_helper(emitter *e, const char *name, LLVMTypeRef ret,
                             LLVMTypeRef *params, unsigned n,
                             LLVMTypeRef *fnty)
{
    *fnty = LLVMFunctionType(ret, params, n, false);
    LLVMValueRef fn = LLVMGetNamedFunction(e->M, name);
    if (!fn)
        fn = LLVMAddFunction(e->M, name, *fnty);
    return fn;
}

/* A counted loop: l_loop_begin branches into a new block with the counter
 * phi (from 0); l_loop_end adds the back edge, leaving the loop after count
 * iterations, and continues in a block after it. */
typedef struct l_loop {
    LLVMBasicBlockRef pre, body, done;
    LLVMValueRef i;
} l_loop;

static l_loop l_loop_begin(emitter *e, const char *name)
{
    l_loop lp;
    lp.pre = LLVMGetInsertBlock(e->B);
    lp.body = LLVMAppendBasicBlockInContext(e->C, e->fn, name);
    lp.done = LLVMAppendBasicBlockInContext(e->C, e->fn, "");
    LLVMBuildBr(e->B, lp.body);
    LLVMPositionBuilderAtEnd(e->B, lp.body);
    lp.i = LLVMBuildPhi(e->B, e->t_i64, name);
    return lp;
}

static void l_loop_end(emitter *e, l_loop *lp, int64_t count)
{
    LLVMValueRef v_next = LLVMBuildAdd(e->B, lp->i, l_i64(e, 1), "");
    LLVMValueRef v_more = LLVMBuildICmp(e->B, LLVMIntULT, v_next, l_i64(e, count), "");
    LLVMBasicBlockRef last = LLVMGetInsertBlock(e->B);
    LLVMBuildCondBr(e->B, v_more, lp->body, lp->done);
    LLVMValueRef in_v[2] = {l_i64(e, 0), v_next};
    LLVMBasicBlockRef in_b[2] = {lp->pre, last};
    LLVMAddIncoming(lp->i, in_v, in_b, 2);
    LLVMPositionBuilderAtEnd(e->B, lp->done);
}

/* an alloca in the entry block, so loops never grow the stack */
static LLVMValueRef l_entry_alloca(emitter *e, LLVMTypeRef ty)
{
    LLVMBuilderRef b = LLVMCreateBuilderInContext(e->C);
    LLVMValueRef first = LLVMGetFirstInstruction(e->entry);
    if (first)
        LLVMPositionBuilderBefore(b, first);
    else
        LLVMPositionBuilderAtEnd(b, e->entry);
    LLVMValueRef v = LLVMBuildAlloca(b, ty, "");
    LLVMSetAlignment(v, 64);
    LLVMDisposeBuilder(b);
    return v;
}

/* ---- structural identity of IR subtrees (for sharing leaves) ------------------- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    return hash_u64(h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

static uint64_t value_bits(const ir_node *n, ir_value v)
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

static uint64_t node_hash(emitter *e, const ir_node *n)
{
    if (e->hash[n->id])
        return e->hash[n->id];
    uint64_t h = mix(n->op, n->ty->kind);
    h = mix(h, (uint64_t)(uint16_t)n->ty->currency << 8 | (uint8_t)n->ty->scale);
    h = mix(h, (uint64_t)(uintptr_t)n->ty->enm);
    h = mix(h, n->field);
    h = mix(h, (uint64_t)n->months);
    h = mix(h, (uint64_t)n->secs);
    h = mix(h, (uint64_t)n->scale_up);
    h = mix(h, n->cmp);
    h = mix(h, n->is_null);
    h = mix(h, n->anchor);
    h = mix(h, n->part);
    if (n->op == IR_STAT || n->op == IR_NTILE || n->op == IR_DICTFN ||
        n->op == IR_EVAGG)
        h = mix(h, n->id); /* each reads its own binding */
    if (n->op == IR_CONST && !n->is_null)
        h = mix(h, value_bits(n, n->v));
    if (n->op == IR_CONTAINS)
        h = mix(h, hash_bytes(n->v.str.s, n->v.str.len));
    h = mix(h, n->nlist);
    h = mix(h, n->list_has_null);
    for (uint32_t i = 0; i < n->nlist; i++)
        h = mix(h, value_bits(n->kids[0], n->list[i]));
    for (uint32_t i = 0; i < n->nkids; i++)
        h = mix(h, node_hash(e, n->kids[i]));
    if (h == 0)
        h = 1;
    e->hash[n->id] = h;
    return h;
}

static bool same_value(const ir_node *n, ir_value a, ir_value b)
{
    if (n->ty->kind == TY_STRING)
        return a.str.len == b.str.len && memcmp(a.str.s, b.str.s, a.str.len) == 0;
    if (n->ty->kind == TY_FLOAT)
        return memcmp(&a.f, &b.f, sizeof a.f) == 0;
    return a.i == b.i;
}

static bool same(const ir_node *a, const ir_node *b)
{
    if (a == b)
        return true;
    if (a->op != b->op || !type_equal(a->ty, b->ty) || a->field != b->field ||
        a->months != b->months || a->secs != b->secs ||
        a->scale_up != b->scale_up || a->cmp != b->cmp ||
        a->is_null != b->is_null || a->nkids != b->nkids ||
        a->nlist != b->nlist || a->list_has_null != b->list_has_null ||
        a->anchor != b->anchor || a->part != b->part)
        return false;
    if (a->op == IR_STAT || a->op == IR_NTILE || a->op == IR_DICTFN ||
        a->op == IR_EVAGG)
        return false; /* each reads its own binding (a == b is above) */
    if (a->op == IR_CONST && !a->is_null && !same_value(a, a->v, b->v))
        return false;
    if (a->op == IR_CONTAINS &&
        (a->v.str.len != b->v.str.len ||
         memcmp(a->v.str.s, b->v.str.s, a->v.str.len) != 0))
        return false; /* the element is a string; the node's type is bool */
    for (uint32_t i = 0; i < a->nlist; i++)
        if (!same_value(a->kids[0], a->list[i], b->list[i]))
            return false;
    for (uint32_t i = 0; i < a->nkids; i++)
        if (!same(a->kids[i], b->kids[i]))
            return false;
    return true;
}

/* the memo of the function being emitted: an open-addressing table */
static memo_entry *memo_find(emitter *e, const ir_node *n, bool cond)
{
    uint64_t h = node_hash(e, n) ^ cond;
    size_t mask = e->memo_cap - 1, i = (size_t)hash_u64(h) & mask;
    for (;;) {
        memo_entry *m = &e->memo[i];
        if (!m->n)
            return m;
        if (m->cond == cond && node_hash(e, m->n) == node_hash(e, n) &&
            same(m->n, n))
            return m;
        i = (i + 1) & mask;
    }
}

/* ---- fields -------------------------------------------------------------------------- */

static LLVMValueRef slot_ptr(emitter *e, LLVMValueRef base, LLVMTypeRef elem,
                             int slot)
{
    LLVMValueRef idx = LLVMConstInt(e->t_i64, (unsigned)slot, false);
    return LLVMBuildGEP2(e->B, elem, base, &idx, 1, "");
}

static jv field_value(emitter *e, uint32_t f)
{
    const schema_field *sf = &e->sch->fields[f];
    if (!e->field_v[f]) {
        if (sf->ty->kind == TY_BOOL) {
            LLVMValueRef p = slot_ptr(e, e->v_masks, e->t_i64, e->mask_slot[f]);
            e->field_v[f] = LLVMBuildLoad2(e->B, e->t_i64, p, "");
        } else {
            LLVMTypeRef vt = sf->ty->kind == TY_FLOAT ? e->v_f64 : e->v_i64;
            LLVMValueRef p = slot_ptr(e, e->v_cols, e->v_i64, e->vec_slot[f]);
            LLVMValueRef v = LLVMBuildLoad2(e->B, vt, p, sf->name);
            LLVMSetAlignment(v, 64);
            e->field_v[f] = v;
        }
        if (sf->nullable) {
            LLVMValueRef p = slot_ptr(e, e->v_masks, e->t_i64, e->null_slot[f]);
            e->field_n[f] = LLVMBuildLoad2(e->B, e->t_i64, p, "");
        } else {
            e->field_n[f] = l_mask_none(e);
        }
    }
    jv r = {e->field_v[f], e->field_n[f]};
    return r;
}

/* ---- values ----------------------------------------------------------------------------- */

static jv emit_value(emitter *e, const ir_node *n);
static jb emit_cond(emitter *e, const ir_node *n);

static bool is_float(const ir_node *n)
{
    return n->ty->kind == TY_FLOAT;
}

static LLVMTypeRef vec_type(emitter *e, const ir_node *n)
{
    return is_float(n) ? e->v_f64 : e->v_i64;
}

static jv jv_null(emitter *e, const ir_node *n)
{
    jv r;
    if (n->ty->kind == TY_BOOL)
        r.v = l_mask_none(e);
    else
        r.v = is_float(n) ? l_splat_const_f64(e, 0) : l_splat_const_i64(e, 0);
    r.null = l_mask_all(e);
    return r;
}

static jv emit_const(emitter *e, const ir_node *n)
{
    if (n->is_null)
        return jv_null(e, n);
    jv r;
    r.null = l_mask_none(e);
    switch (n->ty->kind) {
    case TY_BOOL:
        r.v = n->v.i ? l_mask_all(e) : l_mask_none(e);
        break;
    case TY_FLOAT:
        r.v = l_splat_const_f64(e, n->v.f);
        break;
    case TY_STRING:
        /* constant strings are compared at compile time or by id */
        r.v = l_splat_const_i64(e, 0);
        break;
    default:
        r.v = l_splat_const_i64(e, n->v.i);
        break;
    }
    return r;
}

/* bound[id].k (an as_of instant, or a string constant's id) */
static LLVMValueRef bound_k(emitter *e, const ir_node *n)
{
    LLVMValueRef off = l_i64(e, (int64_t)(n->id * sizeof(eval_bound) +
                                         offsetof(eval_bound, k)));
    LLVMValueRef p = LLVMBuildGEP2(e->B, e->t_i8, e->v_bound, &off, 1, "");
    return LLVMBuildLoad2(e->B, e->t_i64, p, "");
}

/* a member of bound[n->id] */
static LLVMValueRef bound_at(emitter *e, const ir_node *n, size_t member,
                             LLVMTypeRef ty)
{
    LLVMValueRef off = l_i64(e, (int64_t)(n->id * sizeof(eval_bound) + member));
    LLVMValueRef p = LLVMBuildGEP2(e->B, e->t_i8, e->v_bound, &off, 1, "");
    return LLVMBuildLoad2(e->B, ty, p, "");
}

static LLVMValueRef bound_table(emitter *e, const ir_node *n)
{
    return bound_at(e, n, offsetof(eval_bound, table), e->t_ptr);
}

/* bound[n->id].null as a mask: every lane or none */
static LLVMValueRef bound_null_mask(emitter *e, const ir_node *n)
{
    LLVMValueRef v = bound_at(e, n, offsetof(eval_bound, null), e->t_i32);
    LLVMValueRef is = LLVMBuildICmp(e->B, LLVMIntNE, v,
                                    LLVMConstInt(e->t_i32, 0, false), "");
    return LLVMBuildSelect(e->B, is, l_mask_all(e), l_mask_none(e), "");
}

/* an i64 mask as <64 x i1> */
static LLVMValueRef l_lanes(emitter *e, LLVMValueRef mask)
{
    return LLVMBuildBitCast(e->B, mask, e->v_i1, "");
}

/* lanes of an arithmetic result that overflowed, as a mask */
static LLVMValueRef with_overflow(emitter *e, const char *name,
                                  LLVMValueRef a, LLVMValueRef b,
                                  LLVMValueRef *ovf)
{
    LLVMTypeRef ty = e->v_i64, fnty;
    LLVMValueRef fn = l_intrinsic(e, name, &ty, 1, &fnty);
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef pair = LLVMBuildCall2(e->B, fnty, fn, args, 2, "");
    *ovf = l_bits(e, LLVMBuildExtractValue(e->B, pair, 1, ""));
    return LLVMBuildExtractValue(e->B, pair, 0, "");
}

/* the lanes that hold NaN or an infinity: |v| >= inf, or unordered */
static LLVMValueRef nonfinite_lanes(emitter *e, LLVMValueRef v)
{
    LLVMTypeRef ty = e->v_f64, fnty;
    LLVMValueRef fn = l_intrinsic(e, "llvm.fabs", &ty, 1, &fnty);
    LLVMValueRef abs = LLVMBuildCall2(e->B, fnty, fn, &v, 1, "");
    return l_bits(e, LLVMBuildFCmp(e->B, LLVMRealUGE, abs,
                                   l_splat_const_f64(e, INFINITY), ""));
}

static jv emit_arith(emitter *e, const ir_node *n)
{
    jv a = emit_value(e, n->kids[0]), b = emit_value(e, n->kids[1]);
    jv r;
    r.null = l_or(e, a.null, b.null);
    if (is_float(n)) {
        switch (n->op) {
        case IR_ADD:
            r.v = LLVMBuildFAdd(e->B, a.v, b.v, "");
            break;
        case IR_SUB:
            r.v = LLVMBuildFSub(e->B, a.v, b.v, "");
            break;
        case IR_MUL:
            r.v = LLVMBuildFMul(e->B, a.v, b.v, "");
            break;
        default: /* IR_DIV: a zero divisor gives null */
            r.null = l_or(e, r.null,
                          l_bits(e, LLVMBuildFCmp(e->B, LLVMRealOEQ, b.v,
                                                  l_splat_const_f64(e, 0), "")));
            r.v = LLVMBuildFDiv(e->B, a.v, b.v, "");
            break;
        }
        r.null = l_or(e, r.null, nonfinite_lanes(e, r.v)); /* NaN, inf */
        return r;
    }
    static const char *const names[] = {
        [IR_ADD] = "llvm.sadd.with.overflow",
        [IR_SUB] = "llvm.ssub.with.overflow",
        [IR_MUL] = "llvm.smul.with.overflow"};
    if (n->op == IR_DIV) {
        /* money / int, rounded half to even; a zero divisor and
         * INT64_MIN / -1 give null (and are divided by 1 instead, since a
         * vector division by them is undefined) */
        LLVMValueRef zero = l_splat_const_i64(e, 0), one = l_splat_const_i64(e, 1);
        LLVMValueRef bad = LLVMBuildOr(
            e->B, LLVMBuildICmp(e->B, LLVMIntEQ, b.v, zero, ""),
            LLVMBuildAnd(e->B,
                         LLVMBuildICmp(e->B, LLVMIntEQ, a.v,
                                       l_splat_const_i64(e, INT64_MIN), ""),
                         LLVMBuildICmp(e->B, LLVMIntEQ, b.v,
                                       l_splat_const_i64(e, -1), ""),
                         ""),
            "");
        LLVMValueRef d = LLVMBuildSelect(e->B, bad, one, b.v, "");
        LLVMValueRef q = LLVMBuildSDiv(e->B, a.v, d, "");
        LLVMValueRef rm = LLVMBuildSRem(e->B, a.v, d, "");
        /* |r| against |d| - |r|, unsigned */
        LLVMValueRef rneg = LLVMBuildICmp(e->B, LLVMIntSLT, rm, zero, "");
        LLVMValueRef dneg = LLVMBuildICmp(e->B, LLVMIntSLT, d, zero, "");
        LLVMValueRef ar = LLVMBuildSelect(e->B, rneg, LLVMBuildSub(e->B, zero, rm, ""), rm, "");
        LLVMValueRef ad = LLVMBuildSelect(e->B, dneg, LLVMBuildSub(e->B, zero, d, ""), d, "");
        LLVMValueRef rest = LLVMBuildSub(e->B, ad, ar, "");
        LLVMValueRef odd = LLVMBuildICmp(
            e->B, LLVMIntNE, LLVMBuildAnd(e->B, q, one, ""), zero, "");
        LLVMValueRef up = LLVMBuildOr(
            e->B, LLVMBuildICmp(e->B, LLVMIntUGT, ar, rest, ""),
            LLVMBuildAnd(e->B, LLVMBuildICmp(e->B, LLVMIntEQ, ar, rest, ""),
                         odd, ""),
            "");
        up = LLVMBuildAnd(e->B, up,
                          LLVMBuildICmp(e->B, LLVMIntNE, rm, zero, ""), "");
        /* away from zero: the sign of the quotient */
        LLVMValueRef aneg = LLVMBuildICmp(e->B, LLVMIntSLT, a.v, zero, "");
        LLVMValueRef step = LLVMBuildSelect(
            e->B, LLVMBuildICmp(e->B, LLVMIntEQ, aneg, dneg, ""), one,
            l_splat_const_i64(e, -1), "");
        r.v = LLVMBuildAdd(e->B, q,
                           LLVMBuildSelect(e->B, up, step, zero, ""), "");
        r.null = l_or(e, r.null, l_bits(e, bad));
        return r;
    }
    if (n->op != IR_ADD && n->op != IR_SUB && n->op != IR_MUL) {
        fail(e, n, "integer division");
        return r;
    }
    LLVMValueRef ovf;
    r.v = with_overflow(e, names[n->op], a.v, b.v, &ovf);
    r.null = l_or(e, r.null, ovf);
    return r;
}

/* A loop over the 64 lanes that calls a scalar helper: the inputs are
 * spilled to arrays, the results read back as a vector. For the rare
 * operations that have no vector form. */
typedef struct lane_call {
    const char *name;
    LLVMTypeRef ret;                  /* i64 or i8 */
    LLVMValueRef vec_in[4];           /* <64 x i64> or <64 x double> inputs */
    LLVMTypeRef vec_ty[4];
    int nvec;
    LLVMValueRef scalar_in[4];        /* the same for every lane, before */
    LLVMTypeRef scalar_ty[4];
    int nscalar;
    int order[8];                     /* argument order: -1-k scalar k, k vec */
    int nargs;
} lane_call;

static LLVMValueRef emit_lane_loop(emitter *e, lane_call *lc)
{
    LLVMValueRef ins[4];
    for (int k = 0; k < lc->nvec; k++) {
        ins[k] = l_entry_alloca(e, lc->vec_ty[k]);
        LLVMBuildStore(e->B, lc->vec_in[k], ins[k]);
    }
    LLVMTypeRef out_ty = LLVMVectorType(lc->ret, NL);
    LLVMValueRef out = l_entry_alloca(e, out_ty);
    LLVMTypeRef params[8];
    for (int a = 0; a < lc->nargs; a++) {
        int o = lc->order[a];
        params[a] = o < 0 ? lc->scalar_ty[-1 - o]
                          : LLVMGetElementType(lc->vec_ty[o]);
    }
    LLVMTypeRef fnty;
    LLVMValueRef fn = l_helper(e, lc->name, lc->ret, params,
                               (unsigned)lc->nargs, &fnty);

    l_loop lp = l_loop_begin(e, "lane");
    LLVMValueRef v_i = lp.i;
    LLVMValueRef args[8];
    for (int a = 0; a < lc->nargs; a++) {
        int o = lc->order[a];
        if (o < 0) {
            args[a] = lc->scalar_in[-1 - o];
        } else {
            LLVMTypeRef et = LLVMGetElementType(lc->vec_ty[o]);
            LLVMValueRef p = LLVMBuildGEP2(e->B, et, ins[o], &v_i, 1, "");
            args[a] = LLVMBuildLoad2(e->B, et, p, "");
        }
    }
    LLVMValueRef v_r = LLVMBuildCall2(e->B, fnty, fn, args, (unsigned)lc->nargs, "");
    LLVMValueRef po = LLVMBuildGEP2(e->B, lc->ret, out, &v_i, 1, "");
    LLVMBuildStore(e->B, v_r, po);
    l_loop_end(e, &lp, NL);
    LLVMValueRef v = LLVMBuildLoad2(e->B, out_ty, out, "");
    LLVMSetAlignment(v, 64);
    return v;
}

static jv emit_shift(emitter *e, const ir_node *n)
{
    jv a = emit_value(e, n->kids[0]);
    jv r = {NULL, a.null};
    bool date = n->ty->kind == TY_DATE;
    if (n->months == 0) {
        int64_t by = date ? n->secs / SECS_PER_DAY : n->secs;
        r.v = LLVMBuildAdd(e->B, a.v, l_splat_const_i64(e, by), "");
        return r;
    }
    lane_call lc = {0};
    lc.name = date ? "segc_rt_shift_date" : "segc_rt_shift_ts";
    lc.ret = e->t_i64;
    lc.vec_in[0] = a.v;
    lc.vec_ty[0] = e->v_i64;
    lc.nvec = 1;
    lc.scalar_in[0] = l_i64(e, n->months);
    lc.scalar_in[1] = l_i64(e, date ? n->secs / SECS_PER_DAY : n->secs);
    lc.scalar_ty[0] = lc.scalar_ty[1] = e->t_i64;
    lc.nscalar = 2;
    lc.order[0] = 0;
    lc.order[1] = -1;
    lc.order[2] = -2;
    lc.nargs = 3;
    r.v = emit_lane_loop(e, &lc);
    return r;
}

static LLVMValueRef table_lookup(emitter *e, LLVMValueRef table,
                                 LLVMValueRef index);
static LLVMValueRef l_gather(emitter *e, LLVMTypeRef vty, LLVMValueRef ptrs,
                             unsigned align, const char *name);
static jb jb_from(emitter *e, LLVMValueRef holds, LLVMValueRef null);

/* a statistic: the same value in every lane */
static jv emit_stat(emitter *e, const ir_node *n)
{
    jv r;
    r.null = bound_null_mask(e, n);
    if (is_float(n))
        r.v = l_splat(e, bound_at(e, n, offsetof(eval_bound, f), e->t_f64),
                      e->v_f64);
    else
        r.v = l_splat(e, bound_at(e, n, offsetof(eval_bound, k), e->t_i64),
                      e->v_i64);
    return r;
}

/* the score: 1 + the number of cut points below the value */
#define NTILE_INLINE_MAX 16

static jv emit_ntile(emitter *e, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    jv a = emit_value(e, x);
    jv r = {NULL, a.null};
    bool fl = is_float(x);
    LLVMValueRef cuts = bound_at(
        e, n, fl ? offsetof(eval_bound, fvals) : offsetof(eval_bound, vals),
        e->t_ptr);
    if (n->k - 1 <= NTILE_INLINE_MAX) {
        LLVMValueRef s = l_splat_const_i64(e, 1);
        for (int j = 0; j < n->k - 1; j++) {
            LLVMValueRef idx = l_i64(e, j);
            LLVMTypeRef et = fl ? e->t_f64 : e->t_i64;
            LLVMValueRef c = LLVMBuildLoad2(
                e->B, et, LLVMBuildGEP2(e->B, et, cuts, &idx, 1, ""), "");
            LLVMValueRef below =
                fl ? LLVMBuildFCmp(e->B, LLVMRealOLT, l_splat(e, c, e->v_f64),
                                   a.v, "")
                   : LLVMBuildICmp(e->B, LLVMIntSLT, l_splat(e, c, e->v_i64),
                                   a.v, "");
            s = LLVMBuildAdd(e->B, s, LLVMBuildZExt(e->B, below, e->v_i64, ""),
                             "");
        }
        r.v = s;
        return r;
    }
    lane_call lc = {0};
    lc.name = fl ? "segc_rt_ntile_f64" : "segc_rt_ntile_i64";
    lc.ret = e->t_i64;
    lc.vec_in[0] = a.v;
    lc.vec_ty[0] = vec_type(e, x);
    lc.nvec = 1;
    lc.scalar_in[0] = cuts;
    lc.scalar_in[1] = l_i64(e, n->k - 1);
    lc.scalar_ty[0] = e->t_ptr;
    lc.scalar_ty[1] = e->t_i64;
    lc.nscalar = 2;
    int order[] = {-1, -2, 0};
    memcpy(lc.order, order, sizeof order);
    lc.nargs = 3;
    r.v = emit_lane_loop(e, &lc);
    return r;
}

/* a function of a string or set field, read from its table by entry id;
 * lanes where the field is null take the value bound for null */
static LLVMValueRef dictfn_null(emitter *e, const ir_node *n, jv a)
{
    LLVMValueRef nb = table_lookup(e, bound_at(e, n, offsetof(eval_bound, nulls),
                                               e->t_ptr), a.v);
    return l_or(e, l_and(e, a.null, bound_null_mask(e, n)),
                l_and(e, l_not(e, a.null), nb));
}

static jv emit_dictfn_int(emitter *e, const ir_node *n)
{
    jv a = emit_value(e, n->kids[0]);
    jv r;
    r.null = dictfn_null(e, n, a);
    LLVMValueRef vals = bound_at(e, n, offsetof(eval_bound, vals), e->t_ptr);
    /* null lanes read entry 0, which exists when they are read */
    LLVMValueRef idx = LLVMBuildSelect(e->B, l_lanes(e, a.null),
                                       l_splat_const_i64(e, 0), a.v, "");
    LLVMValueRef ptrs = LLVMBuildGEP2(e->B, e->t_i64, vals, &idx, 1, "");
    LLVMValueRef g = l_gather(e, e->v_i64, ptrs, 8, "");
    LLVMValueRef k = l_splat(e, bound_at(e, n, offsetof(eval_bound, k), e->t_i64),
                             e->v_i64);
    r.v = LLVMBuildSelect(e->B, l_lanes(e, a.null), k, g, "");
    return r;
}

static jb emit_dictfn_bool(emitter *e, const ir_node *n)
{
    jv a = emit_value(e, n->kids[0]);
    LLVMValueRef null = dictfn_null(e, n, a);
    LLVMValueRef tb = table_lookup(e, bound_table(e, n), a.v);
    LLVMValueRef k = bound_at(e, n, offsetof(eval_bound, k), e->t_i64);
    LLVMValueRef kmask = LLVMBuildSelect(
        e->B, LLVMBuildICmp(e->B, LLVMIntNE, k, l_i64(e, 0), ""),
        l_mask_all(e), l_mask_none(e), "");
    LLVMValueRef holds = l_or(e, l_and(e, a.null, kmask),
                              l_and(e, l_not(e, a.null), tb));
    return jb_from(e, holds, null);
}

/* an aggregate over the customer's events: one call per block of the
 * interpreter's own definition (segc_rt_evagg_block), which walks each
 * lane's history once for the value and the null flag */
static jv emit_evagg(emitter *e, const ir_node *n)
{
    jv slot = field_value(e, n->field);
    LLVMValueRef np = LLVMConstIntToPtr(l_i64(e, (int64_t)(uintptr_t)n),
                                        e->t_ptr);
    LLVMTypeRef vnull_ty = LLVMVectorType(e->t_i8, NL);
    LLVMValueRef slots = l_entry_alloca(e, e->v_i64);
    LLVMValueRef vals = l_entry_alloca(e, e->v_i64);
    LLVMValueRef nulls = l_entry_alloca(e, vnull_ty);
    LLVMBuildStore(e->B, slot.v, slots);
    LLVMTypeRef params[6] = {e->t_ptr, e->t_ptr, e->t_ptr,
                             e->t_ptr, e->t_ptr, e->t_ptr};
    LLVMTypeRef fnty;
    LLVMValueRef fn = l_helper(e, "segc_rt_evagg_block", e->t_void, params, 6,
                               &fnty);
    LLVMValueRef args[6] = {e->v_bound, e->v_data, np, slots, vals, nulls};
    LLVMBuildCall2(e->B, fnty, fn, args, 6, "");
    LLVMValueRef v = LLVMBuildLoad2(e->B, e->v_i64, vals, "");
    LLVMSetAlignment(v, 64);
    jv r;
    r.null = l_mask_none(e);
    if (n->nullable) {
        LLVMValueRef nv = LLVMBuildLoad2(e->B, vnull_ty, nulls, "");
        r.null = l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, nv,
                                         LLVMConstNull(vnull_ty), ""));
    }
    if (n->ty->kind == TY_BOOL)
        r.v = l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, v,
                                      LLVMConstNull(LLVMTypeOf(v)), ""));
    else if (is_float(n))
        r.v = LLVMBuildBitCast(e->B, v, e->v_f64, "");
    else
        r.v = v;
    return r;
}

/* year, month, day, weekday, days_since */
static jv emit_datepart(emitter *e, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    jv a = emit_value(e, x);
    jv r = {NULL, a.null};
    LLVMValueRef days = a.v;
    if (x->ty->kind == TY_TIMESTAMP) {
        /* floor division by a day: (t - ((t % d + d) % d)) / d */
        LLVMValueRef d = l_splat_const_i64(e, SECS_PER_DAY);
        LLVMValueRef m = LLVMBuildSRem(
            e->B, LLVMBuildAdd(e->B, LLVMBuildSRem(e->B, a.v, d, ""), d, ""),
            d, "");
        days = LLVMBuildSDiv(e->B, LLVMBuildSub(e->B, a.v, m, ""), d, "");
    }
    if (n->part == DP_DAYS_SINCE) {
        LLVMValueRef today = l_splat(e, bound_k(e, n), e->v_i64);
        r.v = LLVMBuildSub(e->B, today, days, "");
        return r;
    }
    if (n->part == DP_WEEKDAY) {
        /* ((days + 3) mod 7, floored) + 1: 1970-01-01 was a Thursday */
        LLVMValueRef s = l_splat_const_i64(e, 7);
        LLVMValueRef t = LLVMBuildAdd(e->B, days, l_splat_const_i64(e, 3), "");
        LLVMValueRef m = LLVMBuildSRem(
            e->B, LLVMBuildAdd(e->B, LLVMBuildSRem(e->B, t, s, ""), s, ""), s, "");
        r.v = LLVMBuildAdd(e->B, m, l_splat_const_i64(e, 1), "");
        return r;
    }
    lane_call lc = {0};
    lc.name = "segc_rt_date_part";
    lc.ret = e->t_i64;
    lc.vec_in[0] = days;
    lc.vec_ty[0] = e->v_i64;
    lc.nvec = 1;
    lc.scalar_in[0] = l_i64(e, n->part);
    lc.scalar_ty[0] = e->t_i64;
    lc.nscalar = 1;
    int order[] = {-1, 0};
    memcpy(lc.order, order, sizeof order);
    lc.nargs = 2;
    r.v = emit_lane_loop(e, &lc);
    return r;
}

static jv emit_value_uncached(emitter *e, const ir_node *n)
{
    jv r = {NULL, NULL};
    switch (n->op) {
    case IR_CONST:
        return emit_const(e, n);
    case IR_FIELD:
        return field_value(e, n->field);
    case IR_ASOF:
        r.v = l_splat(e, bound_k(e, n), e->v_i64);
        r.null = l_mask_none(e);
        return r;
    case IR_NEG: {
        jv a = emit_value(e, n->kids[0]);
        r.null = a.null;
        if (is_float(n)) {
            r.v = LLVMBuildFNeg(e->B, a.v, "");
        } else {
            LLVMValueRef ovf;
            r.v = with_overflow(e, "llvm.ssub.with.overflow",
                                l_splat_const_i64(e, 0), a.v, &ovf);
            r.null = l_or(e, r.null, ovf);
        }
        return r;
    }
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV:
        return emit_arith(e, n);
    case IR_TO_FLOAT: {
        const ir_node *k = n->kids[0];
        jv a = emit_value(e, k);
        r.null = a.null;
        r.v = LLVMBuildSIToFP(e->B, a.v, e->v_f64, "");
        if (k->ty->kind == TY_MONEY && k->ty->scale > 0) {
            /* units / 10^scale, as cur_units_to_float does */
            double p = 1;
            for (int i = 0; i < k->ty->scale; i++)
                p *= 10;
            r.v = LLVMBuildFDiv(e->B, r.v, l_splat_const_f64(e, p), "");
        }
        return r;
    }
    case IR_UNITS:
        return emit_value(e, n->kids[0]);
    case IR_TO_TS: {
        jv a = emit_value(e, n->kids[0]);
        r.null = a.null;
        r.v = LLVMBuildMul(e->B, a.v, l_splat_const_i64(e, SECS_PER_DAY), "");
        return r;
    }
    case IR_RESCALE: {
        jv a = emit_value(e, n->kids[0]);
        LLVMValueRef ovf;
        r.v = with_overflow(e, "llvm.smul.with.overflow", a.v,
                            l_splat_const_i64(e, pow10_i64(n->scale_up)), &ovf);
        r.null = l_or(e, a.null, ovf);
        return r;
    }
    case IR_SHIFT:
        return emit_shift(e, n);
    case IR_STAT:
        return emit_stat(e, n);
    case IR_NTILE:
        return emit_ntile(e, n);
    case IR_DATEPART:
        return emit_datepart(e, n);
    case IR_EVAGG:
        return emit_evagg(e, n);
    default: {
        if (n->op == IR_DICTFN && n->ty->kind == TY_INT)
            return emit_dictfn_int(e, n);
        /* a condition used as a value (bool = condition) */
        jb b = emit_cond(e, n);
        r.v = b.t;
        r.null = l_not(e, l_or(e, b.t, b.f));
        return r;
    }
    }
}

static jv emit_value(emitter *e, const ir_node *n)
{
    if (e->failed)
        return jv_null(e, n);
    memo_entry *m = memo_find(e, n, false);
    if (m->n)
        return m->v;
    jv r = emit_value_uncached(e, n);
    if (e->failed)
        return jv_null(e, n);
    m = memo_find(e, n, false); /* the table did not move: it never grows */
    m->n = n;
    m->cond = false;
    m->v = r;
    return r;
}

/* ---- conditions -------------------------------------------------------------------------- */

static jb jb_from(emitter *e, LLVMValueRef holds, LLVMValueRef null)
{
    jb r;
    LLVMValueRef known = l_not(e, null);
    r.t = l_and(e, holds, known);
    r.f = l_and(e, l_not(e, holds), known);
    return r;
}

static LLVMIntPredicate int_pred(cmp_op op)
{
    static const LLVMIntPredicate p[] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT,
                                         LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
    return p[op];
}

static LLVMRealPredicate real_pred(cmp_op op)
{
    static const LLVMRealPredicate p[] = {LLVMRealOEQ, LLVMRealONE,
                                          LLVMRealOLT, LLVMRealOLE,
                                          LLVMRealOGT, LLVMRealOGE};
    return p[op];
}

static bool is_null_const(const ir_node *n)
{
    return n->op == IR_CONST && n->is_null;
}

static jb emit_cmp(emitter *e, const ir_node *n)
{
    const ir_node *x = n->kids[0], *y = n->kids[1];
    jb none = {l_mask_none(e), l_mask_none(e)};
    if (is_null_const(x) || is_null_const(y))
        return none;
    LLVMValueRef holds;
    switch (x->ty->kind) {
    case TY_FLOAT: {
        jv a = emit_value(e, x), b = emit_value(e, y);
        holds = l_bits(e, LLVMBuildFCmp(e->B, real_pred(n->cmp), a.v, b.v, ""));
        return jb_from(e, holds, l_or(e, a.null, b.null));
    }
    case TY_BOOL: {
        jv a = emit_value(e, x), b = emit_value(e, y);
        LLVMValueRef diff = LLVMBuildXor(e->B, a.v, b.v, "");
        holds = n->cmp == CMP_EQ ? l_not(e, diff) : diff;
        return jb_from(e, holds, l_or(e, a.null, b.null));
    }
    case TY_STRING: {
        bool eq = n->cmp == CMP_EQ;
        if (x->op == IR_CONST && y->op == IR_CONST) {
            bool same_text = x->v.str.len == y->v.str.len &&
                             memcmp(x->v.str.s, y->v.str.s, x->v.str.len) == 0;
            holds = same_text == eq ? l_mask_all(e) : l_mask_none(e);
            return jb_from(e, holds, l_mask_none(e));
        }
        if (x->op == IR_CONST || y->op == IR_CONST) {
            /* field vs constant: by id, the id bound for this data */
            const ir_node *f = x->op == IR_CONST ? y : x;
            jv a = emit_value(e, f);
            LLVMValueRef k = l_splat(e, bound_k(e, n), e->v_i64);
            holds = l_bits(e, LLVMBuildICmp(e->B, eq ? LLVMIntEQ : LLVMIntNE,
                                            a.v, k, ""));
            return jb_from(e, holds, a.null);
        }
        jv a = emit_value(e, x), b = emit_value(e, y);
        if (x->op == IR_FIELD && y->op == IR_FIELD && x->field == y->field) {
            holds = l_bits(e, LLVMBuildICmp(e->B, eq ? LLVMIntEQ : LLVMIntNE,
                                            a.v, b.v, ""));
            return jb_from(e, holds, l_or(e, a.null, b.null));
        }
        if (x->op != IR_FIELD || y->op != IR_FIELD) {
            fail(e, n, "this string comparison");
            return none;
        }
        lane_call lc = {0};
        lc.name = "segc_rt_str_eq";
        lc.ret = e->t_i8;
        lc.vec_in[0] = a.v;
        lc.vec_in[1] = b.v;
        lc.vec_ty[0] = lc.vec_ty[1] = e->v_i64;
        lc.nvec = 2;
        lc.scalar_in[0] = e->v_data;
        lc.scalar_in[1] = l_i64(e, x->field);
        lc.scalar_in[2] = l_i64(e, y->field);
        lc.scalar_ty[0] = e->t_ptr;
        lc.scalar_ty[1] = lc.scalar_ty[2] = e->t_i64;
        lc.nscalar = 3;
        int order[] = {-1, -2, 0, -3, 1};
        memcpy(lc.order, order, sizeof order);
        lc.nargs = 5;
        LLVMValueRef r = emit_lane_loop(e, &lc);
        LLVMValueRef v_eq = l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, r,
                                                    LLVMConstNull(LLVMTypeOf(r)), ""));
        holds = eq ? v_eq : l_not(e, v_eq);
        return jb_from(e, holds, l_or(e, a.null, b.null));
    }
    default: {
        jv a = emit_value(e, x), b = emit_value(e, y);
        holds = l_bits(e, LLVMBuildICmp(e->B, int_pred(n->cmp), a.v, b.v, ""));
        return jb_from(e, holds, l_or(e, a.null, b.null));
    }
    }
}

static LLVMValueRef l_ones(emitter *e)
{
    LLVMValueRef ones[NL];
    for (int i = 0; i < NL; i++)
        ones[i] = LLVMConstInt(e->t_i1, 1, false);
    return LLVMConstVector(ones, NL);
}

/* llvm.masked.gather of all 64 lanes */
static LLVMValueRef l_gather(emitter *e, LLVMTypeRef vty, LLVMValueRef ptrs,
                             unsigned align, const char *name)
{
    LLVMTypeRef types[2] = {vty, LLVMTypeOf(ptrs)}, fnty;
    LLVMValueRef fn = l_intrinsic(e, "llvm.masked.gather", types, 2, &fnty);
    LLVMValueRef args[4] = {ptrs, LLVMConstInt(e->t_i32, align, false),
                            l_ones(e), LLVMGetPoison(vty)};
    return LLVMBuildCall2(e->B, fnty, fn, args, 4, name);
}

static LLVMValueRef l_splat_const_i32(emitter *e, uint32_t v)
{
    LLVMValueRef k = LLVMConstInt(e->t_i32, v, false), ks[NL];
    for (int i = 0; i < NL; i++)
        ks[i] = k;
    return LLVMConstVector(ks, NL);
}

/* 1 in the lanes whose bit index is set in the bitset table: x86 gathers
 * words, not bytes, so the 32-bit word holding the bit is gathered */
static LLVMValueRef table_lookup(emitter *e, LLVMValueRef table,
                                 LLVMValueRef index)
{
    LLVMValueRef word = LLVMBuildLShr(e->B, index, l_splat_const_i64(e, 5), "");
    LLVMValueRef ptrs = LLVMBuildGEP2(e->B, e->t_i32, table, &word, 1, "");
    LLVMValueRef w = l_gather(e, e->v_i32, ptrs, 4, "");
    LLVMValueRef sh = LLVMBuildTrunc(
        e->B, LLVMBuildAnd(e->B, index, l_splat_const_i64(e, 31), ""),
        e->v_i32, "");
    LLVMValueRef bit = LLVMBuildAnd(e->B, LLVMBuildLShr(e->B, w, sh, ""),
                                    l_splat_const_i32(e, 1), "");
    return l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, bit,
                                   LLVMConstNull(e->v_i32), ""));
}

#define IN_VECTOR_MAX 32

static jb emit_in(emitter *e, const ir_node *n)
{
    const ir_node *x = n->kids[0];
    jb r = {NULL, NULL};
    if (n->nlist == 0 && !n->list_has_null) {
        r.t = l_mask_none(e);
        r.f = l_mask_all(e);
        return r;
    }
    if (is_null_const(x)) {
        r.t = r.f = l_mask_none(e);
        return r;
    }
    jv a = emit_value(e, x);
    LLVMValueRef found = l_mask_none(e);
    if (x->ty->kind == TY_STRING) {
        if (x->op == IR_CONST) {
            bool hit = false;
            for (uint32_t i = 0; i < n->nlist && !hit; i++)
                hit = n->list[i].str.len == x->v.str.len &&
                      memcmp(n->list[i].str.s, x->v.str.s, x->v.str.len) == 0;
            found = hit ? l_mask_all(e) : l_mask_none(e);
        } else if (x->op == IR_FIELD) {
            found = table_lookup(e, bound_table(e, n), a.v);
        } else {
            fail(e, n, "this 'in' over strings");
            return r;
        }
    } else if (n->nlist <= IN_VECTOR_MAX) {
        for (uint32_t i = 0; i < n->nlist; i++) {
            LLVMValueRef c =
                is_float(x)
                    ? LLVMBuildFCmp(e->B, LLVMRealOEQ, a.v,
                                    l_splat_const_f64(e, n->list[i].f), "")
                    : LLVMBuildICmp(e->B, LLVMIntEQ, a.v,
                                    l_splat_const_i64(e, n->list[i].i), "");
            found = l_or(e, found, l_bits(e, c));
        }
    } else {
        /* a long list: a sorted constant array, searched per lane */
        LLVMTypeRef et = is_float(x) ? e->t_f64 : e->t_i64;
        LLVMValueRef *ks = malloc(n->nlist * sizeof *ks);
        if (!ks) {
            fail(e, n, "a long list (out of memory)");
            return r;
        }
        for (uint32_t i = 0; i < n->nlist; i++)
            ks[i] = is_float(x) ? LLVMConstReal(e->t_f64, n->list[i].f)
                                : l_i64(e, n->list[i].i);
        LLVMTypeRef at = LLVMArrayType2(et, n->nlist);
        char name[32];
        snprintf(name, sizeof name, "list%d", e->lists++);
        LLVMValueRef g = LLVMAddGlobal(e->M, at, name);
        LLVMSetInitializer(g, LLVMConstArray2(et, ks, n->nlist));
        LLVMSetGlobalConstant(g, true);
        LLVMSetLinkage(g, LLVMPrivateLinkage);
        free(ks);
        lane_call lc = {0};
        lc.name = is_float(x) ? "segc_rt_in_f64" : "segc_rt_in_i64";
        lc.ret = e->t_i8;
        lc.vec_in[0] = a.v;
        lc.vec_ty[0] = vec_type(e, x);
        lc.nvec = 1;
        lc.scalar_in[0] = g;
        lc.scalar_in[1] = l_i64(e, n->nlist);
        lc.scalar_ty[0] = e->t_ptr;
        lc.scalar_ty[1] = e->t_i64;
        lc.nscalar = 2;
        int order[] = {-1, -2, 0};
        memcpy(lc.order, order, sizeof order);
        lc.nargs = 3;
        LLVMValueRef v = emit_lane_loop(e, &lc);
        found = l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, v,
                                        LLVMConstNull(LLVMTypeOf(v)), ""));
    }
    /* x in list: true if found; else null if x is null or the list held a
     * null; else false */
    LLVMValueRef null = n->list_has_null ? l_or(e, a.null, l_not(e, found))
                                         : a.null;
    r.t = l_and(e, found, l_not(e, a.null));
    r.f = l_and(e, l_not(e, r.t), l_not(e, null));
    return r;
}

static jb emit_cond_uncached(emitter *e, const ir_node *n)
{
    jb r = {l_mask_none(e), l_mask_none(e)};
    switch (n->op) {
    case IR_CMP:
        return emit_cmp(e, n);
    case IR_IN:
        return emit_in(e, n);
    case IR_CONTAINS: {
        jv a = emit_value(e, n->kids[0]);
        LLVMValueRef found = table_lookup(e, bound_table(e, n), a.v);
        return jb_from(e, found, a.null);
    }
    case IR_ISNULL: {
        jv a = emit_value(e, n->kids[0]);
        r.t = a.null;
        r.f = l_not(e, a.null);
        return r;
    }
    case IR_AND:
    case IR_OR: {
        bool and = n->op == IR_AND;
        r.t = and ? l_mask_all(e) : l_mask_none(e);
        r.f = and ? l_mask_none(e) : l_mask_all(e);
        jfold f;
        f.n = 0;
        f.and = and;
        for (uint32_t i = 0; i < n->nkids; i++)
            fold_push(e, &f, emit_cond(e, n->kids[i]));
        return fold_end(e, &f, r);
    }
    case IR_NOT: {
        jb k = emit_cond(e, n->kids[0]);
        r.t = k.f;
        r.f = k.t;
        return r;
    }
    case IR_ISTRUE: {
        jb k = emit_cond(e, n->kids[0]);
        r.t = k.t;
        r.f = l_not(e, k.t);
        return r;
    }
    case IR_DICTFN:
        return emit_dictfn_bool(e, n);
    default:
        if (n->ty->kind == TY_BOOL) {
            /* a bool field or constant as a condition */
            jv a = emit_value(e, n);
            return jb_from(e, a.v, a.null);
        }
        fail(e, n, "a condition");
        return r;
    }
}

static jb emit_cond(emitter *e, const ir_node *n)
{
    jb none = {l_mask_none(e), l_mask_none(e)};
    if (e->failed)
        return none;
    memo_entry *m = memo_find(e, n, true);
    if (m->n)
        return m->b;
    jb r = emit_cond_uncached(e, n);
    if (e->failed)
        return none;
    m = memo_find(e, n, true);
    m->n = n;
    m->cond = true;
    m->b = r;
    return r;
}

/* ---- functions ------------------------------------------------------------------------------ */

static void collect_fields(const ir_node *n, bool *used)
{
    if (n->op == IR_FIELD || n->op == IR_EVAGG) /* an aggregate: its slot */
        used[n->field] = true;
    if (n->op == IR_STAT)
        return; /* computed before the scan */
    for (uint32_t i = 0; i < n->nkids; i++)
        collect_fields(n->kids[i], used);
}

static size_t tree_size(const ir_node *n)
{
    size_t s = 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        s += tree_size(n->kids[i]);
    return s;
}

/* The byte at offset off of each of the 64 records, as <64 x i8>. x86 has
 * no byte gather (LLVM would emit 64 loads), so when the byte has three
 * bytes of the same record before it, the dword ending at it is gathered
 * and its top byte taken. */
static LLVMValueRef gather_byte(emitter *e, LLVMValueRef base, uint32_t off)
{
    uint32_t rs = e->sch->record_size;
    bool dword = off >= 3;
    LLVMValueRef offs[NL];
    for (int i = 0; i < NL; i++)
        offs[i] = l_i64(e, (int64_t)i * rs + off - (dword ? 3 : 0));
    LLVMValueRef idx = LLVMConstVector(offs, NL);
    LLVMValueRef ptrs = LLVMBuildGEP2(e->B, e->t_i8, base, &idx, 1, "");
    if (!dword)
        return l_gather(e, e->v_i8, ptrs, 1, "");
    LLVMValueRef w = l_gather(e, e->v_i32, ptrs, 1, "");
    return LLVMBuildTrunc(e->B, LLVMBuildLShr(e->B, w, l_splat_const_i32(e, 24), ""),
                          e->v_i8, "");
}

/* Gathers field f of the 64 records at base into its slot(s). */
static void emit_gather(emitter *e, LLVMValueRef base, uint32_t f,
                        LLVMValueRef *null_bytes)
{
    const schema_field *sf = &e->sch->fields[f];
    uint32_t rs = e->sch->record_size;
    if (sf->ty->kind == TY_BOOL) {
        LLVMValueRef v = gather_byte(e, base, sf->offset);
        LLVMValueRef m = l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, v,
                                                 LLVMConstNull(e->v_i8), ""));
        LLVMBuildStore(e->B, m, slot_ptr(e, e->v_masks, e->t_i64, e->mask_slot[f]));
    } else {
        LLVMValueRef offs[NL];
        for (int i = 0; i < NL; i++)
            offs[i] = l_i64(e, (int64_t)i * rs + sf->offset);
        LLVMValueRef idx = LLVMConstVector(offs, NL);
        LLVMValueRef ptrs = LLVMBuildGEP2(e->B, e->t_i8, base, &idx, 1, "");
        LLVMTypeRef et = sf->ty->kind == TY_FLOAT ? e->v_f64
                         : sf->size == 4          ? e->v_i32
                                                  : e->v_i64;
        LLVMValueRef v = l_gather(e, et, ptrs, sf->size, sf->name);
        if (sf->ty->kind == TY_DATE)
            v = LLVMBuildSExt(e->B, v, e->v_i64, "");
        else if (et == e->v_i32)
            v = LLVMBuildZExt(e->B, v, e->v_i64, "");
        LLVMValueRef st = LLVMBuildStore(
            e->B, v, slot_ptr(e, e->v_cols, e->v_i64, e->vec_slot[f]));
        LLVMSetAlignment(st, 64);
    }
    if (sf->nullable) {
        /* the null bit of each record: its byte is gathered once per block */
        uint32_t bi = (uint32_t)sf->null_bit / 8;
        if (!null_bytes[bi])
            null_bytes[bi] = gather_byte(e, base, e->sch->null_offset + bi);
        LLVMValueRef bit[NL];
        for (int i = 0; i < NL; i++)
            bit[i] = LLVMConstInt(e->t_i8, 1u << (sf->null_bit % 8), false);
        LLVMValueRef isset = LLVMBuildAnd(e->B, null_bytes[bi],
                                          LLVMConstVector(bit, NL), "");
        LLVMValueRef m = l_bits(e, LLVMBuildICmp(e->B, LLVMIntNE, isset,
                                                 LLVMConstNull(e->v_i8), ""));
        LLVMBuildStore(e->B, m, slot_ptr(e, e->v_masks, e->t_i64, e->null_slot[f]));
    }
}

/* ---- columns by transposition ------------------------------------------------------
 * When the record size is a multiple of 8, the 64 records of a block are
 * read as whole 64-byte chunks (8 qword slots each) and turned into columns
 * with an 8x8 qword transpose per group of 8 records: 24 two-source shuffles
 * yield every slot of the chunk for the 8 records. Contiguous loads suit the
 * hardware prefetcher, and the shuffles cost far less than gathers, which
 * x86 implements as one load per lane. Fields narrower than a slot, bools and
 * null bits are shifted out of their slot. A chunk that would run past the
 * end of a record is read with a masked load, so no byte beyond a record is
 * ever read. */

static LLVMValueRef l_shuffle(emitter *e, LLVMValueRef a, LLVMValueRef b,
                              const int *mask)
{
    LLVMValueRef m[8];
    for (int i = 0; i < 8; i++)
        m[i] = LLVMConstInt(e->t_i32, (unsigned)mask[i], false);
    return LLVMBuildShuffleVector(e->B, a, b, LLVMConstVector(m, 8), "");
}

/* Transposes rows R[8] (R[j][q]: record j, slot q) into T (T[q][j]). */
static void transpose8(emitter *e, LLVMValueRef R[8], LLVMValueRef T[8])
{
    static const int ev[8] = {0, 8, 2, 10, 4, 12, 6, 14},
                     od[8] = {1, 9, 3, 11, 5, 13, 7, 15},
                     lo2[8] = {0, 1, 8, 9, 4, 5, 12, 13},
                     hi2[8] = {2, 3, 10, 11, 6, 7, 14, 15},
                     lo4[8] = {0, 1, 2, 3, 8, 9, 10, 11},
                     hi4[8] = {4, 5, 6, 7, 12, 13, 14, 15};
    LLVMValueRef E[8], F[8];
    for (int i = 0; i < 4; i++) { /* pairs of rows: even and odd slots */
        E[2 * i] = l_shuffle(e, R[2 * i], R[2 * i + 1], ev);
        E[2 * i + 1] = l_shuffle(e, R[2 * i], R[2 * i + 1], od);
    }
    for (int h = 0; h < 2; h++) /* rows 0-3 and 4-7 */
        for (int o = 0; o < 2; o++) { /* even and odd slots */
            LLVMValueRef a = E[4 * h + o], b = E[4 * h + 2 + o];
            F[4 * h + o] = l_shuffle(e, a, b, lo2);     /* slots o, o+4 */
            F[4 * h + 2 + o] = l_shuffle(e, a, b, hi2); /* slots o+2, o+6 */
        }
    /* F[0]: slots 0|4, F[1]: 1|5, F[2]: 2|6, F[3]: 3|7 (rows 0-3);
     * F[4..7] the same for rows 4-7 */
    for (int k = 0; k < 4; k++) {
        T[k] = l_shuffle(e, F[k], F[4 + k], lo4);
        T[k + 4] = l_shuffle(e, F[k], F[4 + k], hi4);
    }
}

static LLVMValueRef l_splat8(emitter *e, int64_t v)
{
    LLVMValueRef k = l_i64(e, v), ks[8];
    for (int i = 0; i < 8; i++)
        ks[i] = k;
    return LLVMConstVector(ks, 8);
}

/* Stores, as byte g of the i64 mask in slot k (bits 8g..8g+7: lanes of
 * group g), which lanes of the <8 x i64> v are nonzero. */
static void store_mask_byte(emitter *e, int k, LLVMValueRef v_g, LLVMValueRef v)
{
    LLVMValueRef nz = LLVMBuildICmp(e->B, LLVMIntNE, v,
                                    LLVMConstNull(LLVMTypeOf(v)), "");
    LLVMValueRef b8 = LLVMBuildBitCast(e->B, nz, e->t_i8, "");
    LLVMValueRef off = LLVMBuildAdd(e->B, v_g, l_i64(e, (int64_t)k * 8), "");
    LLVMValueRef p = LLVMBuildGEP2(e->B, e->t_i8, e->v_masks, &off, 1, "");
    LLVMBuildStore(e->B, b8, p);
}

/* Fills the columns and masks of the used fields for the block at base: a
 * loop over the 8 groups of 8 records (kept a loop, which keeps the IR and
 * the compile time small), each group transposing the chunks it needs and
 * storing its 8 lanes of each column, and its byte of each mask. */
static void emit_transpose_block(emitter *e, LLVMValueRef base, const bool *used)
{
    const schema *sch = e->sch;
    uint32_t rs = sch->record_size, nslots = rs / 8;
    LLVMTypeRef v8 = LLVMVectorType(e->t_i64, 8);
    bool need[256] = {false};
    for (size_t f = 0; f < sch->nfields; f++) {
        if (!used[f])
            continue;
        need[sch->fields[f].offset / 8] = true;
        if (sch->fields[f].nullable)
            need[(sch->null_offset + (uint32_t)sch->fields[f].null_bit / 8) / 8] = true;
    }

    l_loop lp = l_loop_begin(e, "group");
    LLVMValueRef v_g = lp.i;
    LLVMValueRef v_goff = LLVMBuildMul(e->B, v_g, l_i64(e, 8 * (int64_t)rs), "");
    LLVMValueRef v_gbase = LLVMBuildGEP2(e->B, e->t_i8, base, &v_goff, 1, "");
    LLVMValueRef v_col8 = LLVMBuildMul(e->B, v_g, l_i64(e, 64), ""); /* bytes */

    for (uint32_t c = 0; c * 8 < nslots; c++) {
        bool any = false;
        for (uint32_t q = 0; q < 8 && c * 8 + q < nslots; q++)
            any |= need[c * 8 + q];
        if (!any)
            continue;
        uint32_t inside = nslots - c * 8 < 8 ? nslots - c * 8 : 8;
        LLVMValueRef lmask = NULL;
        if (inside < 8) {
            LLVMValueRef bits[8];
            for (uint32_t q = 0; q < 8; q++)
                bits[q] = LLVMConstInt(e->t_i1, q < inside, false);
            lmask = LLVMConstVector(bits, 8);
        }
        LLVMValueRef R[8], T[8];
        for (int j = 0; j < 8; j++) {
            LLVMValueRef off = l_i64(e, (int64_t)j * rs + c * 64);
            LLVMValueRef ptr = LLVMBuildGEP2(e->B, e->t_i8, v_gbase, &off, 1, "");
            if (!lmask) {
                R[j] = LLVMBuildLoad2(e->B, v8, ptr, "");
                LLVMSetAlignment(R[j], 8);
            } else {
                LLVMTypeRef types[2] = {v8, e->t_ptr}, fnty;
                LLVMValueRef fn = l_intrinsic(e, "llvm.masked.load", types, 2, &fnty);
                LLVMValueRef args[4] = {ptr, LLVMConstInt(e->t_i32, 8, false),
                                        lmask, LLVMConstNull(v8)};
                R[j] = LLVMBuildCall2(e->B, fnty, fn, args, 4, "");
            }
        }
        transpose8(e, R, T);
        for (size_t f = 0; f < sch->nfields; f++) {
            const schema_field *sf = &sch->fields[f];
            if (!used[f])
                continue;
            if (sf->offset / 64 == c) {
                LLVMValueRef t = T[(sf->offset / 8) % 8];
                unsigned within = sf->offset % 8;
                if (sf->ty->kind == TY_BOOL) {
                    LLVMValueRef byte = LLVMBuildAnd(
                        e->B, LLVMBuildLShr(e->B, t, l_splat8(e, 8 * within), ""),
                        l_splat8(e, 0xff), "");
                    store_mask_byte(e, e->mask_slot[f], v_g, byte);
                } else {
                    LLVMValueRef v = t;
                    if (sf->size == 4) {
                        /* the 32-bit half, sign-extended for dates */
                        if (within == 0)
                            v = LLVMBuildShl(e->B, v, l_splat8(e, 32), "");
                        v = sf->ty->kind == TY_DATE
                                ? LLVMBuildAShr(e->B, v, l_splat8(e, 32), "")
                                : LLVMBuildLShr(e->B, v, l_splat8(e, 32), "");
                    }
                    LLVMValueRef off = LLVMBuildAdd(
                        e->B, v_col8, l_i64(e, (int64_t)e->vec_slot[f] * NL * 8), "");
                    LLVMValueRef p = LLVMBuildGEP2(e->B, e->t_i8, e->v_cols, &off, 1, "");
                    LLVMValueRef st = LLVMBuildStore(e->B, v, p);
                    LLVMSetAlignment(st, 64);
                }
            }
            if (sf->nullable) {
                uint32_t byte = sch->null_offset + (uint32_t)sf->null_bit / 8;
                if (byte / 64 != c)
                    continue;
                LLVMValueRef t = T[(byte / 8) % 8];
                int64_t bit = (int64_t)(byte % 8) * 8 + sf->null_bit % 8;
                LLVMValueRef isset = LLVMBuildAnd(
                    e->B, t, l_splat8(e, (int64_t)((uint64_t)1 << bit)), "");
                store_mask_byte(e, e->null_slot[f], v_g, isset);
            }
        }
    }
    l_loop_end(e, &lp, NL / 8);
}

/* Prefetches every cache line of the next block. Gathers hop between
 * records, which the hardware prefetcher does not follow well; measured in
 * make bench, this took W1 from 37% to 60% of the read bandwidth. Reading a
 * line past the end of the records is harmless: prefetches never fault. */
static void emit_prefetch(emitter *e, LLVMValueRef base)
{
    LLVMTypeRef pt = e->t_ptr, fnty;
    LLVMValueRef fn = l_intrinsic(e, "llvm.prefetch", &pt, 1, &fnty);
    uint32_t bytes = NL * e->sch->record_size;
    for (uint32_t o = 0; o < bytes; o += 64) {
        LLVMValueRef k = l_i64(e, (int64_t)bytes + o);
        LLVMValueRef a = LLVMBuildGEP2(e->B, e->t_i8, base, &k, 1, "");
        LLVMValueRef args[4] = {a, LLVMConstInt(e->t_i32, 0, 0), /* read */
                                LLVMConstInt(e->t_i32, 3, 0),    /* keep */
                                LLVMConstInt(e->t_i32, 1, 0)};   /* data */
        LLVMBuildCall2(e->B, fnty, fn, args, 4, "");
    }
}

/* ---- leaves and segments ------------------------------------------------------------
 * A leaf is a condition that is not and/or/not: a comparison, an 'in', an
 * 'is null', a set lookup, a bool field or constant. Every distinct leaf of
 * the program (by structure, across all segments) is computed once per
 * block by a leaf function, into two words of the leaf-mask buffer: the
 * lanes where it is true, and where it is false. Segment functions then only
 * combine those words with scalar and/or/not. */

typedef struct leaves {
    const ir_node **v;   /* the distinct leaves */
    size_t n, cap;
    size_t *slot;        /* open-addressing table of leaf index + 1 */
    size_t nslot;
    int32_t *of_node;    /* per IR node id: its leaf index, or -1 */
} leaves;

static bool is_combination(const ir_node *n)
{
    return n->op == IR_AND || n->op == IR_OR || n->op == IR_NOT ||
           n->op == IR_ISTRUE;
}

static int32_t leaf_add(emitter *e, leaves *L, const ir_node *n)
{
    if (L->of_node[n->id] >= 0)
        return L->of_node[n->id];
    size_t mask = L->nslot - 1, i = (size_t)node_hash(e, n) & mask;
    while (L->slot[i]) {
        const ir_node *o = L->v[L->slot[i] - 1];
        if (node_hash(e, o) == node_hash(e, n) && same(o, n))
            return L->of_node[n->id] = (int32_t)(L->slot[i] - 1);
        i = (i + 1) & mask;
    }
    L->v[L->n] = n;
    L->slot[i] = ++L->n;
    return L->of_node[n->id] = (int32_t)(L->n - 1);
}

static void leaf_collect(emitter *e, leaves *L, const ir_node *n)
{
    if (is_combination(n)) {
        for (uint32_t i = 0; i < n->nkids; i++)
            leaf_collect(e, L, n->kids[i]);
        return;
    }
    leaf_add(e, L, n);
}

/* Starts an internal function void name(ptr, ...) with nptr pointer
 * parameters and, if with_i64, one i64 last. */
static LLVMValueRef begin_function(emitter *e, const char *name, int nptr,
                                   bool with_i64)
{
    LLVMTypeRef params[8];
    int n = 0;
    for (; n < nptr; n++)
        params[n] = e->t_ptr;
    if (with_i64)
        params[n++] = e->t_i64;
    LLVMTypeRef fty = LLVMFunctionType(e->t_void, params, (unsigned)n, false);
    LLVMValueRef fn = LLVMAddFunction(e->M, name, fty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    e->fn = fn;
    e->entry = LLVMAppendBasicBlockInContext(e->C, fn, "entry");
    LLVMPositionBuilderAtEnd(e->B, e->entry);
    return fn;
}

static void reset_memo(emitter *e, size_t nodes)
{
    size_t cap = 64;
    while (cap < nodes * 4)
        cap *= 2;
    free(e->memo);
    e->memo = calloc(cap, sizeof *e->memo);
    e->memo_cap = cap;
    memset(e->field_v, 0, e->sch->nfields * sizeof *e->field_v);
    memset(e->field_n, 0, e->sch->nfields * sizeof *e->field_n);
    if (!e->memo)
        fail(e, NULL, "this program (out of memory)");
}

/* void leavesK(ptr cols, ptr masks, ptr bound, ptr data, ptr lm): computes
 * leaves [first, last) into lm[2i] (true) and lm[2i+1] (false) */
static LLVMValueRef emit_leaf_fn(emitter *e, const leaves *L, int k,
                                 size_t first, size_t last)
{
    char name[32];
    snprintf(name, sizeof name, "leaves%d", k);
    LLVMValueRef fn = begin_function(e, name, 5, false);
    e->v_cols = LLVMGetParam(fn, 0);
    e->v_masks = LLVMGetParam(fn, 1);
    e->v_bound = LLVMGetParam(fn, 2);
    e->v_data = LLVMGetParam(fn, 3);
    LLVMValueRef v_lm = LLVMGetParam(fn, 4);
    size_t nodes = 0;
    for (size_t i = first; i < last; i++)
        nodes += tree_size(L->v[i]);
    reset_memo(e, nodes);
    for (size_t i = first; i < last && !e->failed; i++) {
        jb r = emit_cond(e, L->v[i]);
        LLVMBuildStore(e->B, r.t, slot_ptr(e, v_lm, e->t_i64, (int)(2 * i)));
        LLVMBuildStore(e->B, r.f, slot_ptr(e, v_lm, e->t_i64, (int)(2 * i + 1)));
    }
    LLVMBuildRetVoid(e->B);
    return fn;
}

/* combines the leaf masks of n with Kleene logic; words[] caches the loads */
static jb combine(emitter *e, const leaves *L, const ir_node *n,
                  LLVMValueRef v_lm, LLVMValueRef *words)
{
    jb r;
    if (!is_combination(n)) {
        int32_t i = L->of_node[n->id];
        for (int w = 0; w < 2; w++)
            if (!words[2 * i + w])
                words[2 * i + w] = LLVMBuildLoad2(
                    e->B, e->t_i64, slot_ptr(e, v_lm, e->t_i64, 2 * i + w), "");
        r.t = words[2 * i];
        r.f = words[2 * i + 1];
        return r;
    }
    if (n->op == IR_NOT) {
        jb k = combine(e, L, n->kids[0], v_lm, words);
        r.t = k.f;
        r.f = k.t;
        return r;
    }
    if (n->op == IR_ISTRUE) {
        jb k = combine(e, L, n->kids[0], v_lm, words);
        r.t = k.t;
        r.f = l_not(e, k.t);
        return r;
    }
    bool and = n->op == IR_AND;
    r.t = and ? l_mask_all(e) : l_mask_none(e);
    r.f = and ? l_mask_none(e) : l_mask_all(e);
    jfold f;
    f.n = 0;
    f.and = and;
    for (uint32_t i = 0; i < n->nkids; i++)
        fold_push(e, &f, combine(e, L, n->kids[i], v_lm, words));
    return fold_end(e, &f, r);
}

/* void segsK(ptr lm, ptr outw, i64 stride): stores the words of segments
 * [first, last) at outw[s * stride] */
static LLVMValueRef emit_segment_fn(emitter *e, const leaves *L, int k,
                                    size_t first, size_t last)
{
    char name[32];
    snprintf(name, sizeof name, "segs%d", k);
    LLVMValueRef fn = begin_function(e, name, 2, true);
    LLVMValueRef v_lm = LLVMGetParam(fn, 0), v_outw = LLVMGetParam(fn, 1),
                 v_stride = LLVMGetParam(fn, 2);
    LLVMValueRef *words = calloc(2 * L->n + 1, sizeof *words);
    if (!words) {
        fail(e, NULL, "this program (out of memory)");
        return fn;
    }
    for (size_t s = first; s < last; s++) {
        jb r = combine(e, L, e->p->segs[s].root, v_lm, words);
        LLVMValueRef off = LLVMBuildMul(e->B, v_stride, l_i64(e, (int64_t)s), "");
        LLVMValueRef p = LLVMBuildGEP2(e->B, e->t_i64, v_outw, &off, 1, "");
        LLVMBuildStore(e->B, r.t, p);
    }
    free(words);
    LLVMBuildRetVoid(e->B);
    return fn;
}

/* IR nodes per leaf function and per segment function: small enough that
 * LLVM's work stays linear, large enough that calls cost nothing */
#define LEAF_NODES 300
#define SEGMENT_NODES 2000

static size_t combination_size(const ir_node *n)
{
    if (!is_combination(n))
        return 1;
    size_t s = 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        s += combination_size(n->kids[i]);
    return s;
}

/* NAME_statsL: the arguments and filters of the statistics of one level,
 * block by block (jit_emit.h) */
static void emit_stats_fn(emitter *e, const char *fn_name, int level)
{
    const ir_program *p = e->p;
    size_t first = 0, last;
    while (first < p->nstats && p->stats[first]->level < level)
        first++;
    for (last = first; last < p->nstats && p->stats[last]->level == level;)
        last++;
    size_t nf = e->sch->nfields;
    bool *used = calloc(nf + 1, sizeof *used);
    /* the null bytes gathered in this function (emit_gather) */
    LLVMValueRef *null_bytes = calloc(e->sch->null_bytes + 1, sizeof *null_bytes);
    if (!used || !null_bytes) {
        free(used);
        free(null_bytes);
        fail(e, NULL, "this program (out of memory)");
        return;
    }
    size_t nodes = 0;
    for (size_t k = first; k < last; k++) {
        const ir_node *n = p->stats[k];
        if (n->nkids) {
            collect_fields(n->kids[0], used);
            nodes += tree_size(n->kids[0]);
        }
        if (n->filter) {
            collect_fields(n->filter, used);
            nodes += tree_size(n->filter);
        }
    }
    char name[96];
    snprintf(name, sizeof name, "%s_stats%d", fn_name, level);
    LLVMTypeRef params[5] = {e->t_ptr, e->t_i64, e->t_ptr, e->t_ptr, e->t_ptr};
    LLVMTypeRef fty = LLVMFunctionType(e->t_void, params, 5, false);
    LLVMValueRef fn = LLVMAddFunction(e->M, name, fty);
    LLVMValueRef v_recs = LLVMGetParam(fn, 0), v_nblocks = LLVMGetParam(fn, 1),
                 v_out = LLVMGetParam(fn, 4);
    e->fn = fn;
    e->v_bound = LLVMGetParam(fn, 2);
    e->v_data = LLVMGetParam(fn, 3);
    e->entry = LLVMAppendBasicBlockInContext(e->C, fn, "entry");
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(e->C, fn, "head");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(e->C, fn, "body");
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(e->C, fn, "exit");
    LLVMPositionBuilderAtEnd(e->B, e->entry);
    e->v_cols = LLVMBuildAlloca(
        e->B, LLVMArrayType2(e->v_i64, (uint64_t)(e->nvec ? e->nvec : 1)), "cols");
    LLVMSetAlignment(e->v_cols, 64);
    e->v_masks = LLVMBuildAlloca(
        e->B, LLVMArrayType2(e->t_i64, (uint64_t)(e->nmask ? e->nmask : 1)), "masks");
    LLVMSetAlignment(e->v_masks, 64);
    LLVMBuildBr(e->B, head);

    LLVMPositionBuilderAtEnd(e->B, head);
    LLVMValueRef v_b = LLVMBuildPhi(e->B, e->t_i64, "b");
    LLVMValueRef v_more = LLVMBuildICmp(e->B, LLVMIntULT, v_b, v_nblocks, "");
    LLVMBuildCondBr(e->B, v_more, body, exit);

    LLVMPositionBuilderAtEnd(e->B, body);
    LLVMValueRef v_off = LLVMBuildMul(
        e->B, v_b, l_i64(e, (int64_t)NL * e->sch->record_size), "");
    LLVMValueRef v_base = LLVMBuildGEP2(e->B, e->t_i8, v_recs, &v_off, 1, "base");
    if (e->sch->record_size % 8 == 0 && e->sch->record_size / 8 <= 256 &&
        e->nmask <= 512)
        emit_transpose_block(e, v_base, used);
    else
        for (size_t f = 0; f < nf; f++)
            if (used[f])
                emit_gather(e, v_base, (uint32_t)f, null_bytes);
    /* the values and words, from the columns; one memo for the level, so
     * that arguments and filters shared by statistics are computed once */
    reset_memo(e, nodes + 1);
    LLVMValueRef v_val_off = LLVMBuildMul(e->B, v_b, l_i64(e, NL), "");
    for (size_t k = first; k < last && !e->failed; k++) {
        const ir_node *n = p->stats[k];
        LLVMValueRef valid = l_mask_all(e);
        if (n->filter)
            valid = emit_cond(e, n->filter).t;
        if (n->nkids) {
            jv v = emit_value(e, n->kids[0]);
            valid = l_and(e, valid, l_not(e, v.null));
            LLVMValueRef slot = LLVMBuildLoad2(
                e->B, e->t_ptr,
                slot_ptr(e, v_out, e->t_ptr, (int)(2 * (k - first))), "");
            LLVMTypeRef et = is_float(n->kids[0]) ? e->t_f64 : e->t_i64;
            LLVMValueRef dst = LLVMBuildGEP2(e->B, et, slot, &v_val_off, 1, "");
            LLVMValueRef st = LLVMBuildStore(e->B, v.v, dst);
            LLVMSetAlignment(st, 8);
        }
        LLVMValueRef wslot = LLVMBuildLoad2(
            e->B, e->t_ptr,
            slot_ptr(e, v_out, e->t_ptr, (int)(2 * (k - first) + 1)), "");
        LLVMBuildStore(e->B, valid,
                       LLVMBuildGEP2(e->B, e->t_i64, wslot, &v_b, 1, ""));
    }
    LLVMValueRef v_next = LLVMBuildAdd(e->B, v_b, l_i64(e, 1), "");
    LLVMBuildBr(e->B, head);
    LLVMValueRef in_v[2] = {l_i64(e, 0), v_next};
    LLVMBasicBlockRef in_b[2] = {e->entry, LLVMGetInsertBlock(e->B)};
    LLVMAddIncoming(v_b, in_v, in_b, 2);
    LLVMPositionBuilderAtEnd(e->B, exit);
    LLVMBuildRetVoid(e->B);
    free(used);
    free(null_bytes);
}

LLVMModuleRef jit_emit_module(LLVMContextRef ctx, const ir_program *p,
                              const char *fn_name, diag_list *d)
{
    emitter E;
    memset(&E, 0, sizeof E);
    emitter *e = &E;
    e->C = ctx;
    e->p = p;
    e->sch = p->sch;
    e->d = d;
    e->M = LLVMModuleCreateWithNameInContext("segc", ctx);
    e->B = LLVMCreateBuilderInContext(ctx);
    e->t_void = LLVMVoidTypeInContext(ctx);
    e->t_i1 = LLVMInt1TypeInContext(ctx);
    e->t_i8 = LLVMInt8TypeInContext(ctx);
    e->t_i32 = LLVMInt32TypeInContext(ctx);
    e->t_i64 = LLVMInt64TypeInContext(ctx);
    e->t_f64 = LLVMDoubleTypeInContext(ctx);
    e->t_ptr = LLVMPointerTypeInContext(ctx, 0);
    e->v_i1 = LLVMVectorType(e->t_i1, NL);
    e->v_i8 = LLVMVectorType(e->t_i8, NL);
    e->v_i32 = LLVMVectorType(e->t_i32, NL);
    e->v_i64 = LLVMVectorType(e->t_i64, NL);
    e->v_f64 = LLVMVectorType(e->t_f64, NL);

    size_t nf = e->sch->nfields;
    leaves L;
    memset(&L, 0, sizeof L);
    size_t max_leaves = p->nnodes + 1;
    e->hash = calloc(p->nnodes + 1, sizeof *e->hash);
    e->vec_slot = calloc(nf + 1, sizeof(int));
    e->mask_slot = calloc(nf + 1, sizeof(int));
    e->null_slot = calloc(nf + 1, sizeof(int));
    e->field_v = calloc(nf + 1, sizeof *e->field_v);
    e->field_n = calloc(nf + 1, sizeof *e->field_n);
    bool *used = calloc(nf + 1, sizeof *used);
    bool *all_used = calloc(nf + 1, sizeof *all_used);
    LLVMValueRef *null_bytes = calloc(e->sch->null_bytes + 1, sizeof *null_bytes);
    L.v = calloc(max_leaves, sizeof *L.v);
    L.nslot = 16;
    while (L.nslot < max_leaves * 2)
        L.nslot *= 2;
    L.slot = calloc(L.nslot, sizeof *L.slot);
    L.of_node = malloc((p->nnodes + 1) * sizeof *L.of_node);
    LLVMValueRef *leaf_fns = calloc(max_leaves, sizeof *leaf_fns);
    LLVMValueRef *seg_fns = calloc(p->nsegs + 1, sizeof *seg_fns);
    int nleaf_fns = 0, nseg_fns = 0;
    if (!e->hash || !e->vec_slot || !e->mask_slot || !e->null_slot ||
        !e->field_v || !e->field_n || !used || !all_used || !null_bytes || !L.v ||
        !L.slot || !L.of_node || !leaf_fns || !seg_fns) {
        fail(e, NULL, "this program (out of memory)");
        goto done;
    }
    for (uint32_t i = 0; i <= p->nnodes; i++)
        L.of_node[i] = -1;

    /* columns for the fields the program reads: the segments' (used), and
     * the statistics' arguments (all_used) */
    for (size_t s = 0; s < p->nsegs; s++)
        collect_fields(p->segs[s].root, used);
    for (size_t f = 0; f < nf; f++)
        all_used[f] = used[f];
    for (size_t k = 0; k < p->nstats; k++) {
        if (p->stats[k]->nkids)
            collect_fields(p->stats[k]->kids[0], all_used);
        if (p->stats[k]->filter)
            collect_fields(p->stats[k]->filter, all_used);
    }
    for (size_t f = 0; f < nf; f++) {
        e->vec_slot[f] = e->mask_slot[f] = e->null_slot[f] = -1;
        if (!all_used[f])
            continue;
        if (e->sch->fields[f].ty->kind == TY_BOOL)
            e->mask_slot[f] = e->nmask++;
        else
            e->vec_slot[f] = e->nvec++;
        if (e->sch->fields[f].nullable)
            e->null_slot[f] = e->nmask++;
    }

    /* the distinct leaves, then their functions, then the segments' */
    for (size_t s = 0; s < p->nsegs; s++)
        leaf_collect(e, &L, p->segs[s].root);
    for (size_t i = 0; i < L.n && !e->failed;) {
        size_t first = i, nodes = 0;
        do
            nodes += tree_size(L.v[i++]);
        while (i < L.n && nodes + tree_size(L.v[i]) <= LEAF_NODES);
        leaf_fns[nleaf_fns] = emit_leaf_fn(e, &L, nleaf_fns, first, i);
        nleaf_fns++;
    }
    for (size_t s = 0; s < p->nsegs && !e->failed;) {
        size_t first = s, nodes = 0;
        do
            nodes += combination_size(p->segs[s++].root);
        while (s < p->nsegs &&
               nodes + combination_size(p->segs[s].root) <= SEGMENT_NODES);
        seg_fns[nseg_fns] = emit_segment_fn(e, &L, nseg_fns, first, s);
        nseg_fns++;
    }
    if (e->failed)
        goto done;
    /* a large program stays in several functions: inlined into the scan,
     * they would make one huge function, where LLVM's passes and register
     * allocation grow faster than linearly */
    if (nleaf_fns + nseg_fns > 2) {
        unsigned kind = LLVMGetEnumAttributeKindForName("noinline", 8);
        LLVMAttributeRef noinline = LLVMCreateEnumAttribute(ctx, kind, 0);
        for (int k = 0; k < nleaf_fns; k++)
            LLVMAddAttributeAtIndex(leaf_fns[k], LLVMAttributeFunctionIndex,
                                    noinline);
        for (int k = 0; k < nseg_fns; k++)
            LLVMAddAttributeAtIndex(seg_fns[k], LLVMAttributeFunctionIndex,
                                    noinline);
    }

    /* the scan: per block, gather the columns, compute the leaves, combine */
    LLVMTypeRef params[7] = {e->t_ptr, e->t_i64, e->t_ptr, e->t_ptr,
                             e->t_ptr, e->t_i64, e->t_i64};
    LLVMTypeRef fty = LLVMFunctionType(e->t_void, params, 7, false);
    LLVMValueRef scan = LLVMAddFunction(e->M, fn_name, fty);
    LLVMValueRef v_recs = LLVMGetParam(scan, 0), v_nblocks = LLVMGetParam(scan, 1),
                 v_bound = LLVMGetParam(scan, 2), v_data = LLVMGetParam(scan, 3),
                 v_out = LLVMGetParam(scan, 4), v_stride = LLVMGetParam(scan, 5),
                 v_first = LLVMGetParam(scan, 6);
    e->fn = scan;
    e->entry = LLVMAppendBasicBlockInContext(ctx, scan, "entry");
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(ctx, scan, "head");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(ctx, scan, "body");
    LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(ctx, scan, "exit");
    LLVMPositionBuilderAtEnd(e->B, e->entry);
    LLVMValueRef v_cols = LLVMBuildAlloca(
        e->B, LLVMArrayType2(e->v_i64, (uint64_t)(e->nvec ? e->nvec : 1)), "cols");
    LLVMSetAlignment(v_cols, 64);
    LLVMValueRef v_masks = LLVMBuildAlloca(
        e->B, LLVMArrayType2(e->t_i64, (uint64_t)(e->nmask ? e->nmask : 1)), "masks");
    LLVMSetAlignment(v_masks, 64);
    LLVMValueRef v_lm = LLVMBuildAlloca(
        e->B, LLVMArrayType2(e->t_i64, (uint64_t)(2 * L.n + 1)), "leafmasks");
    LLVMSetAlignment(v_lm, 64);
    e->v_cols = v_cols;
    e->v_masks = v_masks;
    LLVMBuildBr(e->B, head);

    LLVMPositionBuilderAtEnd(e->B, head);
    LLVMValueRef v_b = LLVMBuildPhi(e->B, e->t_i64, "b");
    LLVMValueRef v_more = LLVMBuildICmp(e->B, LLVMIntULT, v_b, v_nblocks, "");
    LLVMBuildCondBr(e->B, v_more, body, exit);

    LLVMPositionBuilderAtEnd(e->B, body);
    LLVMValueRef v_off = LLVMBuildMul(
        e->B, v_b, l_i64(e, (int64_t)NL * e->sch->record_size), "");
    LLVMValueRef v_base = LLVMBuildGEP2(e->B, e->t_i8, v_recs, &v_off, 1, "base");
    emit_prefetch(e, v_base);
    if (e->sch->record_size % 8 == 0 && e->sch->record_size / 8 <= 256 &&
        e->nmask <= 512)
        emit_transpose_block(e, v_base, used);
    else
        for (size_t f = 0; f < nf; f++)
            if (used[f])
                emit_gather(e, v_base, (uint32_t)f, null_bytes);
    for (int k = 0; k < nleaf_fns; k++) {
        LLVMValueRef args[5] = {v_cols, v_masks, v_bound, v_data, v_lm};
        LLVMBuildCall2(e->B, LLVMGlobalGetValueType(leaf_fns[k]), leaf_fns[k],
                       args, 5, "");
    }
    LLVMValueRef v_word = LLVMBuildAdd(e->B, v_first, v_b, "");
    LLVMValueRef v_outw = LLVMBuildGEP2(e->B, e->t_i64, v_out, &v_word, 1, "");
    for (int k = 0; k < nseg_fns; k++) {
        LLVMValueRef args[3] = {v_lm, v_outw, v_stride};
        LLVMBuildCall2(e->B, LLVMGlobalGetValueType(seg_fns[k]), seg_fns[k],
                       args, 3, "");
    }
    LLVMValueRef v_next = LLVMBuildAdd(e->B, v_b, l_i64(e, 1), "");
    LLVMBuildBr(e->B, head);
    LLVMValueRef in_v[2] = {l_i64(e, 0), v_next};
    LLVMBasicBlockRef in_b[2] = {e->entry, LLVMGetInsertBlock(e->B)};
    LLVMAddIncoming(v_b, in_v, in_b, 2);

    LLVMPositionBuilderAtEnd(e->B, exit);
    LLVMBuildRetVoid(e->B);

    for (int level = 1; level <= p->levels && !e->failed; level++)
        emit_stats_fn(e, fn_name, level);
    free(all_used);
    all_used = NULL;

done:
    free(all_used);
    free(e->memo);
    free(e->hash);
    free(e->vec_slot);
    free(e->mask_slot);
    free(e->null_slot);
    free(e->field_v);
    free(e->field_n);
    free(used);
    free(null_bytes);
    free(L.v);
    free(L.slot);
    free(L.of_node);
    free(leaf_fns);
    free(seg_fns);
    LLVMDisposeBuilder(e->B);
    if (e->failed) {
        LLVMDisposeModule(e->M);
        return NULL;
    }
    return e->M;
}
