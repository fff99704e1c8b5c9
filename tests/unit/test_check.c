/* test_check.c - the checker (check.h): schema layout and fingerprints, and
 * the typed IR it lowers segments to, seen through ir_dump and the nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "parse.h"
#include "value.h"

/* ---- a counting allocator ---------------------------------------------------------- */

typedef struct counter {
    long live, calls, fail_at;
    size_t bytes;
} counter;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter *c = ud;
    if (nsize == 0) {
        if (ptr) {
            c->live--;
            c->bytes -= osize;
        }
        free(ptr);
        return NULL;
    }
    if (++c->calls == c->fail_at)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p) {
        if (!ptr)
            c->live++;
        c->bytes += nsize - (ptr ? osize : 0);
    }
    return p;
}

/* ---- the example schema ------------------------------------------------------------ */

static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&s, &n);
    char b[4096];
    size_t k;
    while ((k = fread(b, 1, sizeof b, f)) > 0)
        fwrite(b, 1, k, out);
    fclose(out);
    fclose(f);
    return s;
}

static char *example_schema_text(void)
{
    static const char *const paths[] = {"examples/customer.schema",
                                        "../examples/customer.schema",
                                        "../../examples/customer.schema",
                                        "/work/main/examples/customer.schema"};
    for (size_t i = 0; i < SEGC_ARRAY_LEN(paths); i++) {
        char *s = read_whole(paths[i]);
        if (s)
            return s;
    }
    fail_msg("examples/customer.schema not found");
    return NULL;
}

/* ---- checking text ---------------------------------------------------------------------- */

typedef struct checked {
    counter c;
    mem m;
    diag_list d;
    /* the schema */
    char *schema_text;
    source ssrc;
    arena sa;
    schema *sch;
    /* the rules */
    source rsrc;
    arena ra;
    ast_file *rf;
    ir_program *p;
    char *dump; /* malloc'd */
} checked;

/* Checks a schema declaration; sch is NULL when it has errors. */
static void check_schema_text(checked *k, const char *text)
{
    memset(k, 0, sizeof *k);
    mem_init(&k->m, count_alloc, &k->c);
    diag_init(&k->d, &k->m);
    k->schema_text = strdup(text);
    assert_true(source_init(&k->ssrc, &k->m, "s.schema", k->schema_text,
                            strlen(text)));
    arena_init(&k->sa, &k->m);
    ast_file *f = parse_file(&k->m, &k->sa, &k->ssrc, &k->d);
    assert_non_null(f);
    assert_int_equal(f->syntax_errors, 0);
    assert_non_null(f->items);
    assert_int_equal(f->items->kind, ITEM_SCHEMA);
    k->sch = check_schema(&k->m, f->items->u.schema, &k->ssrc, &k->d);
}

/* Checks rules against the schema; fills dump with ir_dump. */
static void check_rules(checked *k, const char *rules)
{
    assert_non_null(k->sch);
    assert_true(source_init(&k->rsrc, &k->m, "r.seg", rules, strlen(rules)));
    arena_init(&k->ra, &k->m);
    k->rf = parse_file(&k->m, &k->ra, &k->rsrc, &k->d);
    assert_non_null(k->rf);
    assert_int_equal(k->rf->syntax_errors, 0);
    check_file cf = {k->rf, true, NULL, {0, 0}};
    check_input in = {&cf, 1, k->sch, NULL, 0, false, false, NULL};
    k->p = check_program(&k->m, &in, &k->d);
    assert_non_null(k->p);
    size_t n = 0;
    FILE *out = open_memstream(&k->dump, &n);
    ir_dump(k->p, out);
    fclose(out);
}

static void checked_free(checked *k)
{
    free(k->dump);
    ir_program_free(k->p);
    if (k->rf) {
        arena_free(&k->ra);
        source_free(&k->rsrc);
    }
    schema_free(k->sch);
    arena_free(&k->sa);
    source_free(&k->ssrc);
    diag_free(&k->d);
    free(k->schema_text);
    assert_int_equal(k->c.live, 0);
    assert_int_equal(k->c.bytes, 0);
}

static void example(checked *k)
{
    char *text = example_schema_text();
    check_schema_text(k, text);
    free(text);
    assert_non_null(k->sch);
}

/* the IR of "segment A where COND" over the example schema */
static void expect_ir(const char *cond, const char *want)
{
    checked k;
    example(&k);
    char rules[1024], full[2048];
    snprintf(rules, sizeof rules, "segment A where %s\n", cond);
    check_rules(&k, rules);
    if (k.d.errors)
        fail_msg("'%s': %s", cond, k.d.items[0].message);
    snprintf(full, sizeof full, "A: %s\n", want);
    assert_string_equal(k.dump, full);
    checked_free(&k);
}

/* the root of "segment A where COND", and whether it can be null */
static void expect_nullable(const char *cond, bool nullable)
{
    checked k;
    example(&k);
    char rules[1024];
    snprintf(rules, sizeof rules, "segment A where %s\n", cond);
    check_rules(&k, rules);
    if (k.d.errors)
        fail_msg("'%s': %s", cond, k.d.items[0].message);
    assert_int_equal(k.p->nsegs, 1);
    if (k.p->segs[0].root->nullable != nullable)
        fail_msg("'%s': nullable is %d, expected %d", cond,
                 k.p->segs[0].root->nullable, nullable);
    checked_free(&k);
}

/* the first error of "segment A where COND" */
static void expect_error(const char *cond, const char *msg, const char *fix)
{
    checked k;
    example(&k);
    char rules[1024];
    snprintf(rules, sizeof rules, "segment A where %s\n", cond);
    check_rules(&k, rules);
    assert_true(k.d.errors >= 1);
    assert_string_equal(k.d.items[0].message, msg);
    if (fix)
        assert_string_equal(k.d.items[0].fix, fix);
    else
        assert_null(k.d.items[0].fix);
    checked_free(&k);
}

/* ---- schema layout ------------------------------------------------------------------ */

typedef struct want_field {
    const char *name;
    type_kind kind;
    uint32_t offset, size;
    int32_t null_bit;
} want_field;

static void test_example_layout(void **state)
{
    static const want_field want[] = {
        {"id", TY_INT, 0, 8, -1},
        {"email", TY_STRING, 80, 4, -1},
        {"country", TY_STRING, 84, 4, -1},
        {"region", TY_ENUM, 88, 4, -1},
        {"account_type", TY_ENUM, 92, 4, -1},
        {"industry", TY_STRING, 96, 4, 0},
        {"employees", TY_INT, 8, 8, 1},
        {"signup", TY_DATE, 100, 4, -1},
        {"last_login", TY_TIMESTAMP, 16, 8, 2},
        {"last_order", TY_DATE, 104, 4, 3},
        {"orders", TY_INT, 24, 8, -1},
        {"revenue", TY_MONEY, 32, 8, -1},
        {"revenue_ytd", TY_MONEY, 40, 8, -1},
        {"cart_items", TY_INT, 48, 8, -1},
        {"cart_updated", TY_TIMESTAMP, 56, 8, 4},
        {"coupon_orders", TY_INT, 64, 8, -1},
        {"avg_rating", TY_FLOAT, 72, 8, 5},
        {"newsletter", TY_BOOL, 112, 1, -1},
        {"tags", TY_SET, 108, 4, -1},
    };
    checked k;
    example(&k);
    const schema *s = k.sch;
    assert_string_equal(s->name, "Customer");
    assert_int_equal(s->nfields, SEGC_ARRAY_LEN(want));
    for (size_t i = 0; i < s->nfields; i++) {
        const schema_field *f = &s->fields[i];
        assert_string_equal(f->name, want[i].name);
        assert_int_equal(f->ty->kind, want[i].kind);
        if (f->offset != want[i].offset || f->size != want[i].size ||
            f->null_bit != want[i].null_bit)
            fail_msg("%s: offset %u size %u null bit %d", f->name, f->offset,
                     f->size, f->null_bit);
        assert_int_equal(f->nullable, want[i].null_bit >= 0);
        assert_int_equal(f->is_key, i == 0);
        assert_int_equal(f->offset % f->size, 0); /* naturally aligned */
    }
    assert_int_equal(s->key, 0);
    assert_int_equal(s->null_offset, 113);
    assert_int_equal(s->null_bytes, 1);
    assert_int_equal(s->record_align, 8);
    assert_int_equal(s->record_size, 120);
    /* money fields carry their currency and its minor unit */
    const type *rev = s->fields[11].ty;
    assert_string_equal(cur_get(rev->currency)->code, "EUR");
    assert_int_equal(rev->scale, 2);
    /* enums their values, in order */
    const enum_def *reg = s->fields[3].ty->enm;
    assert_int_equal(reg->n, 5);
    assert_string_equal(reg->values[0], "EU");
    assert_string_equal(reg->values[4], "MEA");
    assert_int_equal(schema_find(s, "last_order", 10), 9);
    assert_int_equal(schema_find(s, "last_orde", 9), -1);
    assert_int_equal(schema_find(s, "tags", 4), 18);

    /* a copy is the same layout */
    schema *copy = schema_clone(&k.m, s);
    assert_non_null(copy);
    assert_true(copy->fingerprint == s->fingerprint);
    assert_int_equal(copy->record_size, 120);
    assert_string_equal(copy->fields[4].ty->enm->values[1], "b2c");
    assert_true(copy->fields[4].ty->enm != s->fields[4].ty->enm);
    schema_free(copy);
    checked_free(&k);
}

static void layout_of(const char *text, uint32_t size, uint32_t align,
                      uint32_t null_offset, uint32_t null_bytes)
{
    checked k;
    check_schema_text(&k, text);
    if (!k.sch)
        fail_msg("'%s': %s", text, k.d.items[0].message);
    if (k.sch->record_size != size || k.sch->record_align != align ||
        k.sch->null_offset != null_offset || k.sch->null_bytes != null_bytes)
        fail_msg("'%s': size %u align %u nulls at %u (%u bytes)", text,
                 k.sch->record_size, k.sch->record_align,
                 k.sch->null_offset, k.sch->null_bytes);
    checked_free(&k);
}

static void test_small_layouts(void **state)
{
    layout_of("schema S { id : int key }", 8, 8, 8, 0);
    layout_of("schema S { k : string key }", 4, 4, 4, 0);
    layout_of("schema S { k : string key  b : bool }", 8, 4, 5, 0);
    layout_of("schema S { k : string key  b : bool? }", 8, 4, 5, 1);
    layout_of("schema S { k : int key  d : date?  b : bool }", 16, 8, 13, 1);
    /* nine nullable fields: two bytes of bitmap */
    layout_of("schema S { k : string key a : bool? b : bool? c : bool? "
              "d : bool? e : bool? f : bool? g : bool? h : bool? i : bool? }",
              16, 4, 13, 2);
    /* eight: one byte */
    layout_of("schema S { k : string key a : bool? b : bool? c : bool? "
              "d : bool? e : bool? f : bool? g : bool? h : bool? }",
              16, 4, 12, 1);
}

static void test_null_bits_follow_declaration_order(void **state)
{
    checked k;
    check_schema_text(&k, "schema S {\n"
                          "  a : bool?\n"
                          "  k : int key\n"
                          "  b : float?\n"
                          "  c : string\n"
                          "  d : date?\n"
                          "}\n");
    assert_non_null(k.sch);
    const schema *s = k.sch;
    assert_int_equal(s->fields[0].null_bit, 0);
    assert_int_equal(s->fields[1].null_bit, -1);
    assert_int_equal(s->fields[2].null_bit, 1);
    assert_int_equal(s->fields[3].null_bit, -1);
    assert_int_equal(s->fields[4].null_bit, 2);
    /* sizes by class: b (8) after k (8), then c, d (4), then a (1) */
    assert_int_equal(s->fields[1].offset, 0);
    assert_int_equal(s->fields[2].offset, 8);
    assert_int_equal(s->fields[3].offset, 16);
    assert_int_equal(s->fields[4].offset, 20);
    assert_int_equal(s->fields[0].offset, 24);
    assert_int_equal(s->null_offset, 25);
    assert_int_equal(s->record_size, 32);
    assert_int_equal(s->key, 1);
    /* schema_is_null reads the bitmap */
    unsigned char rec[32] = {0};
    rec[25] = 0x04; /* bit 2: d */
    assert_true(schema_is_null(&s->fields[4], rec, s->null_offset));
    assert_false(schema_is_null(&s->fields[0], rec, s->null_offset));
    assert_false(schema_is_null(&s->fields[3], rec, s->null_offset));
    checked_free(&k);
}

static uint64_t fingerprint_of(const char *text)
{
    checked k;
    check_schema_text(&k, text);
    if (!k.sch)
        fail_msg("'%s': %s", text, k.d.items[0].message);
    uint64_t fp = k.sch->fingerprint;
    checked_free(&k);
    return fp;
}

static void test_fingerprint(void **state)
{
    const char *base = "schema S { id : int key  n : int  r : money(EUR)  "
                       "e : enum(a, b)  s : string?  d : date }";
    uint64_t fp = fingerprint_of(base);
    assert_true(fp != 0);
    /* the same schema, written differently, has the same fingerprint */
    assert_true(fingerprint_of("schema S {\n  id : int key\n  n : int\n"
                               "  r : money(EUR)\n  e : enum(a,b)\n"
                               "  s : string?  # comment\n  d : date\n}\n") ==
                fp);
    static const char *const changed[] = {
        /* a field's type, same size */
        "schema S { id : int key  n : float  r : money(EUR)  "
        "e : enum(a, b)  s : string?  d : date }",
        /* a field's name */
        "schema S { id : int key  m : int  r : money(EUR)  "
        "e : enum(a, b)  s : string?  d : date }",
        /* nullability */
        "schema S { id : int key  n : int?  r : money(EUR)  "
        "e : enum(a, b)  s : string?  d : date }",
        "schema S { id : int key  n : int  r : money(EUR)  "
        "e : enum(a, b)  s : string  d : date }",
        /* the currency */
        "schema S { id : int key  n : int  r : money(USD)  "
        "e : enum(a, b)  s : string?  d : date }",
        /* the currency's minor unit */
        "schema S { id : int key  n : int  r : money(KWD)  "
        "e : enum(a, b)  s : string?  d : date }",
        /* the enum's values and their order */
        "schema S { id : int key  n : int  r : money(EUR)  "
        "e : enum(b, a)  s : string?  d : date }",
        "schema S { id : int key  n : int  r : money(EUR)  "
        "e : enum(a, b, c)  s : string?  d : date }",
        /* the key */
        "schema S { id : int  n : int key  r : money(EUR)  "
        "e : enum(a, b)  s : string?  d : date }",
        /* field order */
        "schema S { n : int  id : int key  r : money(EUR)  "
        "e : enum(a, b)  s : string?  d : date }",
        /* one field more */
        "schema S { id : int key  n : int  r : money(EUR)  "
        "e : enum(a, b)  s : string?  d : date  x : bool }",
        /* string <-> date: same size, other meaning */
        "schema S { id : int key  n : int  r : money(EUR)  "
        "e : enum(a, b)  s : date?  d : string }",
    };
    uint64_t seen[SEGC_ARRAY_LEN(changed)];
    for (size_t i = 0; i < SEGC_ARRAY_LEN(changed); i++) {
        seen[i] = fingerprint_of(changed[i]);
        if (seen[i] == fp)
            fail_msg("same fingerprint for: %s", changed[i]);
        for (size_t j = 0; j < i; j++)
            assert_true(seen[i] != seen[j]);
    }
}

static void test_schema_errors(void **state)
{
    static const struct {
        const char *text, *msg, *fix;
    } cases[] = {
        {"schema S { id : int key  id : int }",
         "field 'id' is declared twice", NULL},
        {"schema S { n : int }",
         "schema 'S' has no key; mark the field that identifies a customer, "
         "as in 'id : int key'", NULL},
        {"schema S { a : int key  b : int key }",
         "only one field can be the key; 'a' already is", NULL},
        {"schema S { a : int? key }", "the key cannot be nullable", NULL},
        {"schema S { a : date key }", "the key must be an int or a string",
         NULL},
        {"schema S { a : int key  b : integer }",
         "unknown type 'integer'; write int", NULL},
        {"schema S { a : int key  b : strng }",
         "unknown type 'strng'; did you mean 'string'?", "string"},
        {"schema S { a : int key  b : money(EUX) }",
         "unknown currency 'EUX'; did you mean 'EUR'?", "EUR"},
        {"schema S { a : int key  b : money(eur) }",
         "unknown currency 'eur'; did you mean 'EUR'?", "EUR"},
        {"schema S { a : int key  b : money }",
         "money needs exactly one currency code: money(EUR)", "money(EUR)"},
        {"schema S { a : int key  b : enum(x, y, x) }",
         "enum value 'x' is listed twice", NULL},
        {"schema S { a : int key  b : set<int> }",
         "only sets of strings are supported: set<string>", "set<string>"},
        {"schema S { a : int key  b : int(x) }",
         "type 'int' takes no arguments", NULL},
    };
    for (size_t i = 0; i < SEGC_ARRAY_LEN(cases); i++) {
        checked k;
        check_schema_text(&k, cases[i].text);
        if (k.sch)
            fail_msg("accepted: %s", cases[i].text);
        assert_true(k.d.errors >= 1);
        if (strcmp(k.d.items[0].message, cases[i].msg) != 0)
            fail_msg("%s: got \"%s\"", cases[i].text, k.d.items[0].message);
        if (cases[i].fix)
            assert_string_equal(k.d.items[0].fix, cases[i].fix);
        else
            assert_null(k.d.items[0].fix);
        checked_free(&k);
    }
}

/* ---- IR: ages ----------------------------------------------------------------------- */

static void test_ir_age_lowering_dates(void **state)
{
    expect_ir("last_order > 90d", "(< last_order (as_of:date -7776000s))");
    expect_ir("last_order >= 90d", "(<= last_order (as_of:date -7776000s))");
    expect_ir("last_order < 90d", "(> last_order (as_of:date -7776000s))");
    expect_ir("last_order <= 90d", "(>= last_order (as_of:date -7776000s))");
    expect_ir("last_order = 90d", "(= last_order (as_of:date -7776000s))");
    expect_ir("last_order != 90d", "(!= last_order (as_of:date -7776000s))");
    /* the duration on the left */
    expect_ir("90d < last_order", "(< last_order (as_of:date -7776000s))");
    expect_ir("90d >= last_order", "(>= last_order (as_of:date -7776000s))");
    /* weeks, months, years, and months with days */
    expect_ir("signup > 2w", "(< signup (as_of:date -1209600s))");
    expect_ir("signup > 3mo", "(< signup (as_of:date -3mo))");
    expect_ir("signup > 1y", "(< signup (as_of:date -12mo))");
    expect_ir("last_order > 1mo + 2d",
              "(< last_order (as_of:date -1mo -172800s))");
    expect_ir("last_order > 2 * 30d", "(< last_order (as_of:date -5184000s))");
    expect_ir("last_order > -30d", "(< last_order (as_of:date +2592000s))");
}

static void test_ir_age_lowering_timestamps(void **state)
{
    expect_ir("last_login < 12h", "(> last_login (as_of:timestamp -43200s))");
    expect_ir("last_login > 2w", "(< last_login (as_of:timestamp -1209600s))");
    expect_ir("cart_updated > 30min",
              "(< cart_updated (as_of:timestamp -1800s))");
    expect_ir("last_login > 1y + 6mo",
              "(< last_login (as_of:timestamp -18mo))");
    expect_ir("cart_updated < now - 2h",
              "(< cart_updated (as_of:timestamp -7200s))");
}

static void test_ir_between(void **state)
{
    expect_ir("signup between 30d and 60d",
              "(and (<= signup (as_of:date -2592000s)) "
              "(>= signup (as_of:date -5184000s)))");
    expect_ir("orders between 1 and 5", "(and (>= orders 1) (<= orders 5))");
    expect_ir("orders not between 1 and 5",
              "(not (and (>= orders 1) (<= orders 5)))");
    expect_ir("avg_rating between 1 and 4.5",
              "(and (>= avg_rating 1) (<= avg_rating 4.5))");
    expect_ir("region between EU and APAC",
              "(and (>= region EU) (<= region APAC))");

    /* the operand is shared by both comparisons (a DAG, not a copy) */
    checked k;
    example(&k);
    check_rules(&k, "segment A where orders between 1 and 5\n");
    const ir_node *r = k.p->segs[0].root;
    assert_int_equal(r->op, IR_AND);
    assert_int_equal(r->nkids, 2);
    assert_int_equal(r->kids[0]->cmp, CMP_GE);
    assert_int_equal(r->kids[1]->cmp, CMP_LE);
    assert_true(r->kids[0]->kids[0] == r->kids[1]->kids[0]);
    assert_int_equal(r->kids[0]->kids[0]->op, IR_FIELD);
    assert_int_equal(r->kids[0]->kids[0]->field, 10);
    checked_free(&k);
}

/* ---- IR: conversions ------------------------------------------------------------------ */

static void test_ir_int_to_float(void **state)
{
    expect_ir("orders > 2.5", "(> (float:float orders) 2.5)");
    expect_ir("avg_rating > 4", "(> avg_rating 4)");
    expect_ir("orders / 2 > 1", "(> (div:float (float:float orders) 2) 1)");
    expect_ir("orders + 1.5 > avg_rating",
              "(> (add:float (float:float orders) 1.5) avg_rating)");
    expect_ir("coupon_orders >= 0.8 * orders",
              "(>= (float:float coupon_orders) "
              "(mul:float 0.80000000000000004 (float:float orders)))");
    expect_ir("orders + 1 > 2", "(> (add:int orders 1) 2)");
    expect_ir("orders * cart_items > 2", "(> (mul:int orders cart_items) 2)");
    /* arithmetic on constants is folded, with the engines' rules */
    expect_ir("-orders < 3 * 2 - 1", "(< (neg:int orders) 5)");
    expect_ir("orders < 7 / 2", "(< (float:float orders) 3.5)");
    expect_ir("orders < 9223372036854775807 + 1",
              "(< orders null:int)");
    expect_ir("revenue > 10.00 EUR / 3",
              "(> (rescale 6:money(EUR) revenue) 333333333e-8)");
    expect_ir("revenue > 0.05 EUR / 2",
              "(> (rescale 6:money(EUR) revenue) 2500000e-8)");

    /* constants are converted at compile time: no conversion node */
    checked k;
    example(&k);
    check_rules(&k, "segment A where avg_rating > 4\n");
    const ir_node *r = k.p->segs[0].root;
    assert_int_equal(r->kids[1]->op, IR_CONST);
    assert_true(r->kids[1]->ty == &ty_float);
    assert_true(r->kids[1]->v.f == 4.0);
    checked_free(&k);
}

static void test_ir_money(void **state)
{
    expect_ir("revenue > 5000 EUR", "(> revenue 500000e-2)");
    expect_ir("revenue > 49.99 EUR", "(> revenue 4999e-2)");
    expect_ir("revenue > 0.8 * revenue_ytd",
              "(> (rescale 1:money(EUR) revenue) "
              "(mul:money(EUR) revenue_ytd 8))");
    expect_ir("revenue > revenue_ytd * 0.8",
              "(> (rescale 1:money(EUR) revenue) "
              "(mul:money(EUR) revenue_ytd 8))");
    expect_ir("revenue > 80% * revenue_ytd",
              "(> (rescale 2:money(EUR) revenue) "
              "(mul:money(EUR) revenue_ytd 80))");
    expect_ir("revenue > -0.5 * revenue_ytd",
              "(> (rescale 1:money(EUR) revenue) "
              "(mul:money(EUR) revenue_ytd -5))");
    expect_ir("revenue > 0.8 * revenue_ytd + 1 EUR",
              "(> (rescale 1:money(EUR) revenue) (add:money(EUR) "
              "(mul:money(EUR) revenue_ytd 8) 1000e-3))");
    expect_ir("revenue * 2 > revenue_ytd",
              "(> (mul:money(EUR) revenue 2) revenue_ytd)");
    expect_ir("2 * revenue > revenue_ytd",
              "(> (mul:money(EUR) revenue 2) revenue_ytd)");
    expect_ir("revenue > 50 EUR * orders",
              "(> revenue (mul:money(EUR) 5000e-2 orders))");
    expect_ir("revenue / revenue_ytd > 0.5",
              "(> (div:float (float:float (units:int revenue)) "
              "(float:float (units:int revenue_ytd))) "
              "0.5)");
    expect_ir("revenue - revenue_ytd > 10 EUR",
              "(> (sub:money(EUR) revenue revenue_ytd) 1000e-2)");

    /* the scales behind "money(EUR)" */
    checked k;
    example(&k);
    check_rules(&k, "segment A where revenue > 0.8 * revenue_ytd\n");
    const ir_node *r = k.p->segs[0].root;
    const ir_node *lhs = r->kids[0], *rhs = r->kids[1];
    assert_int_equal(lhs->op, IR_RESCALE);
    assert_int_equal(lhs->scale_up, 1);
    assert_int_equal(lhs->ty->scale, 3);
    assert_int_equal(lhs->kids[0]->ty->scale, 2);
    assert_int_equal(rhs->op, IR_MUL);
    assert_int_equal(rhs->ty->scale, 3);
    assert_int_equal(rhs->kids[1]->op, IR_CONST);
    assert_true(rhs->kids[1]->ty == &ty_int);
    assert_true(rhs->kids[1]->v.i == 8);
    assert_string_equal(cur_get(rhs->ty->currency)->code, "EUR");
    checked_free(&k);
}

static void test_ir_dates_and_timestamps(void **state)
{
    expect_ir("signup < 2024-01-01", "(< signup 2024-01-01)");
    expect_ir("signup < 2024-01-01T12:00:00Z",
              "(< (to_ts:timestamp signup) 2024-01-01T12:00:00Z)");
    expect_ir("last_login > 2024-01-01",
              "(> last_login 2024-01-01T00:00:00Z)");
    expect_ir("signup < today - 30d", "(< signup (as_of:date -2592000s))");
    expect_ir("signup < today", "(< signup (as_of:date))");
    expect_ir("signup + 30d < today",
              "(< (shift +0mo +2592000s:date signup) (as_of:date))");
    expect_ir("now > last_login + 1mo",
              "(> (as_of:timestamp) (shift +1mo +0s:timestamp last_login))");
    expect_ir("signup < today - 1mo - 2d",
              "(< signup (shift +0mo -172800s:date (as_of:date -1mo)))");
    expect_ir("signup < 2024-03-31 - 1mo", "(< signup 2024-02-29)");
    expect_ir("last_login < 2024-03-31T10:00:00Z - 1mo + 1h",
              "(< last_login 2024-02-29T11:00:00Z)");
}

/* ---- IR: enums, lists, sets, nulls ------------------------------------------------------- */

static void test_ir_enums(void **state)
{
    expect_ir("region = EU", "(= region EU)");
    expect_ir("EU = region", "(= EU region)");
    expect_ir("account_type = b2b", "(= account_type b2b)");
    expect_ir("region > NA", "(> region NA)");
    expect_ir("region in [NA, EU, MEA]", "(in region [EU NA MEA])");

    checked k;
    example(&k);
    check_rules(&k, "segment A where region = MEA\n");
    const ir_node *c = k.p->segs[0].root->kids[1];
    assert_int_equal(c->op, IR_CONST);
    assert_int_equal(c->ty->kind, TY_ENUM);
    assert_true(c->v.i == 4);
    checked_free(&k);
}

static void test_ir_sorted_in_lists(void **state)
{
    expect_ir("orders in [5, 1, 3, null]", "(in orders [1 3 5 null])");
    expect_ir("orders in [3, -7, 3, 0]", "(in orders [-7 0 3 3])");
    expect_ir("avg_rating in [4.5, 1, 3.25]", "(in avg_rating [1 3.25 4.5])");
    expect_ir("signup in [2024-03-01, 2023-01-01]",
              "(in signup [2023-01-01 2024-03-01])");
    expect_ir("orders in [2.5, 1]", "(in (float:float orders) [1 2.5])");
    expect_ir("revenue in [2.5 EUR, 1 EUR]", "(in revenue [100e-2 250e-2])");
    /* strings keep their order (they are matched by dictionary id) */
    expect_ir("country in [\"DE\", \"AT\", \"CH\"]",
              "(in country [\"DE\" \"AT\" \"CH\"])");
    expect_ir("country not in [\"DE\"]", "(not (in country [\"DE\"]))");
    expect_ir("orders in []", "(in orders [])");
    expect_ir("orders in [null]", "(in orders [null])");
}

static void test_ir_sets_and_nulls(void **state)
{
    expect_ir("\"vip\" in tags", "(contains tags \"vip\")");
    expect_ir("\"vip\" not in tags", "(not (contains tags \"vip\"))");
    expect_ir("industry is null", "(is_null industry)");
    expect_ir("industry is not null", "(not (is_null industry))");
    expect_ir("null = orders", "(= null:int orders)");
    expect_ir("newsletter", "newsletter");
    expect_ir("newsletter and not newsletter",
              "(and newsletter (not newsletter))");
}

static void test_ir_nullable_flags(void **state)
{
    expect_nullable("orders = 1", false);
    expect_nullable("employees >= 50", true);
    expect_nullable("industry is null", false);
    expect_nullable("industry is not null", false);
    expect_nullable("orders + 1 > 2", true);        /* overflow */
    expect_nullable("-orders < 3", true);           /* -INT64_MIN */
    expect_nullable("orders / 2 > 1", true);        /* division */
    expect_nullable("orders > 2.5", false);
    expect_nullable("revenue > 5000 EUR", false);
    expect_nullable("revenue > 0.8 * revenue_ytd", true);
    expect_nullable("last_order > 90d", true);
    expect_nullable("signup > 90d", false);
    expect_nullable("orders in [1, 2]", false);
    expect_nullable("orders in [1, null]", true);
    expect_nullable("employees in [1]", true);
    expect_nullable("employees in []", false);
    expect_nullable("\"vip\" in tags", false);
    expect_nullable("newsletter", false);
    expect_nullable("orders = 1 and region = EU", false);
    expect_nullable("orders = 1 and employees = 2", true);
    expect_nullable("not (employees = 2)", true);
    expect_nullable("null = orders", true);
    expect_nullable("orders between 1 and 5", false);
    expect_nullable("signup < 2024-01-01T12:00:00Z", false);

    /* per node: constants, fields and as_of */
    checked k;
    example(&k);
    check_rules(&k, "segment A where employees > 90 and last_login < 2h\n");
    const ir_node *r = k.p->segs[0].root;
    assert_true(r->nullable);
    assert_true(r->kids[0]->kids[0]->nullable);   /* employees */
    assert_false(r->kids[0]->kids[1]->nullable);  /* 90 */
    assert_true(r->kids[1]->kids[0]->nullable);   /* last_login */
    assert_int_equal(r->kids[1]->kids[1]->op, IR_ASOF);
    assert_false(r->kids[1]->kids[1]->nullable);
    checked_free(&k);
}

/* ---- the program ---------------------------------------------------------------------- */

static void mark_ids(const ir_node *n, unsigned char *seen, uint32_t nnodes)
{
    assert_true(n->id < nnodes);
    seen[n->id] = 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        mark_ids(n->kids[i], seen, nnodes);
}

static void test_example_rules(void **state)
{
    static const char rules[] =
        "# Bought at least twice, but not lately.\n"
        "segment Dormant where last_order > 90d and orders >= 2\n"
        "segment Big where revenue > 5000 EUR\n"
        "\n"
        "# VIPs\n"
        "# with good ratings\n"
        "segment HappyVIPs where \"vip\" in tags and avg_rating >= 4.5\n"
        "segment DachB2B where account_type = b2b and "
        "country in [\"DE\", \"AT\", \"CH\"] and employees >= 50\n";
    checked k;
    example(&k);
    check_rules(&k, rules);
    assert_int_equal(k.d.n, 0);
    assert_string_equal(
        k.dump,
        "Dormant: (and (< last_order (as_of:date -7776000s)) (>= orders 2))\n"
        "Big: (> revenue 500000e-2)\n"
        "HappyVIPs: (and (contains tags \"vip\") (>= avg_rating 4.5))\n"
        "DachB2B: (and (= account_type b2b) (in country [\"DE\" \"AT\" "
        "\"CH\"]) (>= employees 50))\n");
    assert_int_equal(k.p->nsegs, 4);
    assert_string_equal(k.p->segs[0].name, "Dormant");
    assert_string_equal(k.p->segs[0].description,
                        "Bought at least twice, but not lately.");
    assert_null(k.p->segs[1].description);
    assert_string_equal(k.p->segs[2].description, "VIPs\nwith good ratings");
    assert_string_equal(k.p->source_name, "r.seg");
    assert_true(k.p->sch == k.sch);
    /* node ids are dense and every node has one */
    unsigned char *seen = calloc(k.p->nnodes, 1);
    for (size_t i = 0; i < k.p->nsegs; i++) {
        assert_true(k.p->segs[i].root->ty == &ty_bool);
        mark_ids(k.p->segs[i].root, seen, k.p->nnodes);
    }
    free(seen);
    checked_free(&k);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void test_check_errors(void **state)
{
    expect_error("last_ordr > 90d",
                 "unknown name 'last_ordr'; did you mean 'last_order'?",
                 "last_order");
    expect_error("revenue > 50000",
                 "cannot compare 'revenue' (money(EUR)) with a bare number; "
                 "write 50000 EUR",
                 "50000 EUR");
    expect_error("1 < orders < 5",
                 "comparisons cannot be chained; write 'a < b and b < c', or "
                 "'x between a and b'",
                 NULL);
    expect_error("last_order > 12h",
                 "the age of a date is counted in whole days; '12h' is not a "
                 "whole number of days",
                 NULL);
    expect_error("account_type = \"b2b\"",
                 "enum values are written without quotes: b2b", "b2b");
    expect_error("region = EX",
                 "'EX' is not a value of enum(EU, NA, APAC, LATAM, MEA); did "
                 "you mean 'EU'?",
                 "EU");
    expect_error("revenue / avg_rating > 50 EUR",
                 "money can be divided by an integer, as in revenue / orders, "
                 "not by 'avg_rating' (float)",
                 NULL);
    expect_error("revenue / 2.5 > 50 EUR",
                 "money can be divided by an integer, as in revenue / orders, "
                 "not by float",
                 NULL);
    expect_error("revenue > 49.999 EUR",
                 "EUR has 2 decimal places; this amount has 3", NULL);
    expect_error("country < \"DE\"",
                 "string values can only be compared with = and !=", NULL);
    expect_error("orders",
                 "segment 'A' needs a condition (true or false), but this is "
                 "'orders' (int); compare it, as in 'orders > 0'",
                 NULL);
}

static void test_nesting_limit(void **state)
{
    /* deeper than CHECK_MAX_DEPTH: an error, not a stack overflow */
    enum { DEPTH = 3000 };
    char *rules = malloc(64 + DEPTH);
    strcpy(rules, "segment A where ");
    size_t n = strlen(rules);
    memset(rules + n, '-', DEPTH);
    strcpy(rules + n + DEPTH, "orders > 0\n");
    checked k;
    example(&k);
    check_rules(&k, rules);
    assert_true(k.d.errors >= 1);
    assert_string_equal(k.d.items[0].message,
                        "expression nested too deeply (more than 1000 levels)");
    assert_int_equal(k.p->nsegs, 0);
    checked_free(&k);
    free(rules);
}

static void test_allocation_failures(void **state)
{
    char *text = example_schema_text();
    static const char rules[] =
        "segment Dormant where last_order > 90d and orders >= 2\n"
        "segment B where revenue > 0.8 * revenue_ytd and region in [NA, EU]\n"
        "segment C where last_ordr > 1\n";
    bool done = false;
    for (long fail = 1; fail < 5000 && !done; fail++) {
        counter c = {0};
        c.fail_at = fail;
        mem m;
        mem_init(&m, count_alloc, &c);
        diag_list d;
        diag_init(&d, &m);
        source ss, rs;
        arena sa, ra;
        arena_init(&sa, &m);
        arena_init(&ra, &m);
        schema *sch = NULL;
        ir_program *p = NULL;
        bool s_ok = source_init(&ss, &m, "s", text, strlen(text));
        bool r_ok = source_init(&rs, &m, "r", rules, sizeof rules - 1);
        if (s_ok && r_ok) {
            ast_file *sf = parse_file(&m, &sa, &ss, &d);
            if (sf)
                sch = check_schema(&m, sf->items->u.schema, &ss, &d);
            ast_file *rf = sch ? parse_file(&m, &ra, &rs, &d) : NULL;
            if (rf) {
                check_file cf = {rf, true, NULL, {0, 0}};
                check_input in = {&cf, 1, sch, NULL, 0, false, false, NULL};
                p = check_program(&m, &in, &d);
            }
            if (p && !m.failed) {
                assert_int_equal(p->nsegs, 2);
                assert_int_equal(d.errors, 1);
                done = true;
            } else {
                assert_true(m.failed);
            }
        } else {
            assert_true(m.failed);
        }
        ir_program_free(p);
        schema_free(sch);
        if (r_ok)
            source_free(&rs);
        if (s_ok)
            source_free(&ss);
        arena_free(&ra);
        arena_free(&sa);
        diag_free(&d);
        assert_int_equal(c.live, 0);
        assert_int_equal(c.bytes, 0);
    }
    assert_true(done);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_layout),
        cmocka_unit_test(test_small_layouts),
        cmocka_unit_test(test_null_bits_follow_declaration_order),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_schema_errors),
        cmocka_unit_test(test_ir_age_lowering_dates),
        cmocka_unit_test(test_ir_age_lowering_timestamps),
        cmocka_unit_test(test_ir_between),
        cmocka_unit_test(test_ir_int_to_float),
        cmocka_unit_test(test_ir_money),
        cmocka_unit_test(test_ir_dates_and_timestamps),
        cmocka_unit_test(test_ir_enums),
        cmocka_unit_test(test_ir_sorted_in_lists),
        cmocka_unit_test(test_ir_sets_and_nulls),
        cmocka_unit_test(test_ir_nullable_flags),
        cmocka_unit_test(test_example_rules),
        cmocka_unit_test(test_check_errors),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
