/* test_parse.c - the front end (parse_file, parse.h) seen through ast_dump:
 * precedence, associativity, flattening, literals, descriptions, comments,
 * error recovery, and very long conditions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "parse.h"

/* ---- a counting allocator that can be told to fail ------------------------------ */

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

/* ---- parsing a string ---------------------------------------------------------------- */

typedef struct parsed {
    counter c;
    mem m;
    arena a;
    diag_list d;
    source src;
    ast_file *f;
    char *dump; /* malloc'd */
} parsed;

static void parse_text(parsed *p, const char *text, size_t len)
{
    memset(p, 0, sizeof *p);
    mem_init(&p->m, count_alloc, &p->c);
    arena_init(&p->a, &p->m);
    diag_init(&p->d, &p->m);
    assert_true(source_init(&p->src, &p->m, "t.seg", text, len));
    p->f = parse_file(&p->m, &p->a, &p->src, &p->d);
    assert_non_null(p->f);
    size_t n = 0;
    FILE *out = open_memstream(&p->dump, &n);
    assert_non_null(out);
    ast_dump(p->f, out);
    fclose(out);
}

static void parsed_free(parsed *p)
{
    free(p->dump);
    diag_free(&p->d);
    arena_free(&p->a);
    source_free(&p->src);
    assert_int_equal(p->c.live, 0);
    assert_int_equal(p->c.bytes, 0);
}

/* the dump of a rule file that must parse without errors */
static void expect_dump(const char *text, const char *want)
{
    parsed p;
    parse_text(&p, text, strlen(text));
    if (p.f->syntax_errors || p.d.n)
        fail_msg("'%s': %zu syntax errors, first: %s", text,
                 p.f->syntax_errors, p.d.n ? p.d.items[0].message : "-");
    assert_string_equal(p.dump, want);
    parsed_free(&p);
}

/* the dump of the single segment A in "segment A where COND" */
static void expect_cond(const char *cond, const char *want)
{
    char text[1024], full[1024];
    snprintf(text, sizeof text, "segment A where %s", cond);
    snprintf(full, sizeof full, "(segment A %s)\n", want);
    expect_dump(text, full);
}

/* ---- precedence and associativity -------------------------------------------------- */

static void test_precedence(void **state)
{
    expect_cond("a or b and c", "(or a (and b c))");
    expect_cond("a and b or c", "(or (and a b) c)");
    expect_cond("not a and b", "(and (not a) b)");
    expect_cond("not a = b", "(not (= a b))");
    expect_cond("a = b and c = d or e", "(or (and (= a b) (= c d)) e)");
    expect_cond("1 + 2 * 3 > x", "(> (+ 1 (* 2 3)) x)");
    expect_cond("(1 + 2) * 3 > x", "(> (* (+ 1 2) 3) x)");
    expect_cond("1 + 2 * 3 - 4 / 5 > -x",
                "(> (- (+ 1 (* 2 3)) (/ 4 5)) (neg x))");
    expect_cond("-x * y > - 2 * 3", "(> (* (neg x) y) (* (neg 2) 3))");
    expect_cond("a + b in [1]", "(in (+ a b) (list 1))");
    expect_cond("a * b between c + d and e - f",
                "(between (* a b) (+ c d) (- e f))");
    expect_cond("a + 1 is null", "(is-null (+ a 1))");
    expect_cond("not a or b", "(or (not a) b)");
    expect_cond("not (a or b)", "(not (or a b))");
    expect_cond("a and not b = c or d",
                "(or (and a (not (= b c))) d)");
}

static void test_associativity(void **state)
{
    expect_cond("a - b - c = a / b / c", "(= (- (- a b) c) (/ (/ a b) c))");
    expect_cond("a - (b - c) = x", "(= (- a (- b c)) x)");
    expect_cond("a + b - c + d > 0", "(> (+ (- (+ a b) c) d) 0)");
    expect_cond("a * b / c * d > 0", "(> (* (/ (* a b) c) d) 0)");
    expect_cond("1 < x < 5", "(< (< 1 x) 5)");
}

static void test_and_or_flattening(void **state)
{
    expect_cond("a and b and c and d", "(and a b c d)");
    expect_cond("a or b or c", "(or a b c)");
    expect_cond("a or b and c or not d", "(or a (and b c) (not d))");
    expect_cond("a and b or c and d or e", "(or (and a b) (and c d) e)");
    expect_cond("(a and b) and c", "(and a b c)");
    expect_cond("a and (b and c)", "(and a (and b c))");
    expect_cond("(a or b) and (c or d)", "(and (or a b) (or c d))");
    expect_cond("a and b and (c or d or e) and f",
                "(and a b (or c d e) f)");

    /* the node itself: one n-ary node with every operand as a kid */
    parsed p;
    const char *t = "segment A where a and b and c and d and e";
    parse_text(&p, t, strlen(t));
    const ast_node *w = p.f->items->u.segment->where;
    assert_int_equal(w->kind, AST_AND);
    assert_int_equal(w->nkids, 5);
    size_t n = 0;
    for (const ast_node *k = w->kids; k; k = k->next) {
        assert_int_equal(k->kind, AST_NAME);
        n++;
    }
    assert_int_equal(n, 5);
    assert_true(w->tail->next == NULL);
    assert_int_equal(w->tail->text[0], 'e');
    /* its span covers the whole condition */
    assert_int_equal(w->at.start, 16);
    assert_int_equal(w->at.end, strlen(t));
    parsed_free(&p);
}

static void test_not_and_negation(void **state)
{
    expect_cond("not not b", "(not (not b))");
    expect_cond("-(-x) < 1", "(< (neg (neg x)) 1)");
    expect_cond("--x < 1", "(< (neg (neg x)) 1)");
    expect_cond("-5 = x", "(= (neg 5) x)");
    expect_cond("-1.5 = x", "(= (neg (dec 15e-1)) x)");
    expect_cond("-90d < x", "(< (neg (dur 0mo 7776000s)) x)");
    expect_cond("not x in [1]", "(not (in x (list 1)))");
}

static void test_between_in_is_null(void **state)
{
    expect_cond("x between 1 and 2", "(between x 1 2)");
    expect_cond("x not between 1 and 2", "(not-between x 1 2)");
    expect_cond("x between 1 and 2 and y not between 3 and 4",
                "(and (between x 1 2) (not-between y 3 4))");
    expect_cond("x between 1 and 2 and y", "(and (between x 1 2) y)");
    expect_cond("x in [1, 2]", "(in x (list 1 2))");
    expect_cond("x in [1, 2,]", "(in x (list 1 2))");
    expect_cond("x in []", "(in x (list))");
    expect_cond("x not in [\"DE\"]", "(not-in x (list \"DE\"))");
    expect_cond("\"vip\" in tags", "(in \"vip\" tags)");
    expect_cond("\"vip\" not in tags", "(not-in \"vip\" tags)");
    expect_cond("x is null", "(is-null x)");
    expect_cond("x is not null", "(is-not-null x)");
    expect_cond("x is null or y is not null",
                "(or (is-null x) (is-not-null y))");
    expect_cond("z in [-1, 2.5, \"s\", null, true, 2024-02-29, EU]",
                "(in z (list (neg 1) (dec 25e-1) \"s\" null true "
                "(date 19782) EU))");
}

static void test_literals(void **state)
{
    expect_cond("r > 49.99 EUR", "(> r (money 4999e-2 EUR))");
    expect_cond("r > 50000 EUR", "(> r (money 50000e-0 EUR))");
    expect_cond("r > 1_000.5 EUR", "(> r (money 10005e-1 EUR))");
    expect_cond("r > 100 JPY", "(> r (money 100e-0 JPY))");
    expect_cond("x > 90d", "(> x (dur 0mo 7776000s))");
    expect_cond("x > 2w", "(> x (dur 0mo 1209600s))");
    expect_cond("x > 12h", "(> x (dur 0mo 43200s))");
    expect_cond("x > 30min", "(> x (dur 0mo 1800s))");
    expect_cond("x > 6mo", "(> x (dur 6mo 0s))");
    expect_cond("x > 1y", "(> x (dur 12mo 0s))");
    expect_cond("x > 10000y", "(> x (dur 120000mo 0s))");
    expect_cond("x > 1y + 6mo", "(> x (+ (dur 12mo 0s) (dur 6mo 0s)))");
    expect_cond("x > 2 * 30d", "(> x (* 2 (dur 0mo 2592000s)))");
    expect_cond("p >= 80%", "(>= p (pct 80e-2))");
    expect_cond("p >= 12.5%", "(>= p (pct 125e-3))");
    expect_cond("p >= 0.8", "(>= p (dec 8e-1))");
    expect_cond("n = 1_000_000", "(= n 1000000)");
    expect_cond("n = 9223372036854775807", "(= n 9223372036854775807)");
    expect_cond("d = 2024-01-31", "(= d (date 19753))");
    expect_cond("t > 2024-01-31T10:00:00Z", "(> t (ts 1706695200))");
    expect_cond("t > 2024-01-31T10:00+01:00", "(> t (ts 1706691600))");
    expect_cond("b = true and c = false and n = null",
                "(and (= b true) (= c false) (= n null))");
    expect_cond("s = \"a \\\"q\\\" \\\\ \\/ \\t \\u00e9 \\u{1F600}\\n\"",
                "(= s \"a \\\"q\\\" \\\\ / \\x09 \xc3\xa9 \xf0\x9f\x98\x80\\n\")");
    expect_cond("s = \"\"", "(= s \"\")");
    expect_cond("s = \"caf\xc3\xa9\"", "(= s \"caf\xc3\xa9\")");
    expect_cond("signup < today - 30d and t < now",
                "(and (< signup (- today (dur 0mo 2592000s))) (< t now))");
}

static void test_literal_node_fields(void **state)
{
    parsed p;
    const char *t = "segment A where r > 49.99 EUR and p > 12.5% and x > 0.8";
    parse_text(&p, t, strlen(t));
    const ast_node *w = p.f->items->u.segment->where;
    const ast_node *money = w->kids->kids->next;
    assert_int_equal(money->kind, AST_MONEY);
    assert_true(money->dec.mant == 4999);
    assert_int_equal(money->dec.scale, 2);
    assert_string_equal(money->text, "EUR");
    assert_int_equal(money->len, 3);
    assert_int_equal(money->text_at.start, 26);
    assert_int_equal(money->text_at.end, 29);
    assert_int_equal(money->at.start, 20);
    assert_int_equal(money->at.end, 29);
    const ast_node *pct = w->kids->next->kids->next;
    assert_int_equal(pct->kind, AST_PERCENT);
    assert_true(pct->dec.mant == 125 && pct->dec.scale == 3);
    assert_true(pct->f == 0.125);
    const ast_node *dec = w->kids->next->next->kids->next;
    assert_int_equal(dec->kind, AST_DECIMAL);
    assert_true(dec->dec.mant == 8 && dec->dec.scale == 1);
    assert_true(dec->f == 0.8);
    parsed_free(&p);
}

static void test_schema_declaration(void **state)
{
    expect_dump("schema C {\n"
                "  id : int key\n"
                "  n  : string?\n"
                "  e  : enum(a, b, c)\n"
                "  m  : money(EUR)\n"
                "  t  : set<string>\n"
                "}\n"
                "segment A where n is null\n",
                "(schema C\n"
                "  (id int key)\n"
                "  (n string nullable)\n"
                "  (e enum(a b c))\n"
                "  (m money(EUR))\n"
                "  (t set<string>))\n"
                "(segment A (is-null n))\n");
}

/* ---- descriptions and comments ----------------------------------------------------- */

static void test_descriptions(void **state)
{
    expect_dump("# Bought twice,\n# not lately.\nsegment A where x\n",
                "(segment A \"Bought twice,\\nnot lately.\" x)\n");
    /* a blank line breaks the block */
    expect_dump("# c\n\nsegment A where x\n", "(segment A x)\n");
    expect_dump("# d\n\n\nsegment A where x\n", "(segment A x)\n");
    /* only the block that reaches the segment line counts */
    expect_dump("# block 1\n\n# block 2\nsegment A where x\n",
                "(segment A \"block 2\" x)\n");
    /* a trailing comment is not a description */
    expect_dump("segment A where y # about B?\nsegment B where z\n",
                "(segment A y)\n(segment B z)\n");
    expect_dump("segment A where y # trail\n# real\nsegment B where z\n",
                "(segment A y)\n(segment B \"real\" z)\n");
    /* a comment inside a condition does not describe the next segment */
    expect_dump("segment A where x and\n# mid\ny\nsegment B where z\n",
                "(segment A (and x y))\n(segment B z)\n");
    /* a comment after one segment describes the next */
    expect_dump("segment A where x\n# about B\nsegment B where y\n",
                "(segment A x)\n(segment B \"about B\" y)\n");
    /* '#' and one blank go; the rest of the blanks stay, trailing ones go */
    expect_dump("#no space\n#  two   \n#\nsegment E where v\n",
                "(segment E \"no space\\n two\\n\" v)\n");
    expect_dump("  # indented\r\nsegment D where w\n",
                "(segment D \"indented\" w)\n");
    expect_dump("#\nsegment A where x\n", "(segment A \"\" x)\n");
    expect_dump("# caf\xc3\xa9 \xe2\x82\xac\nsegment A where x\n",
                "(segment A \"caf\xc3\xa9 \xe2\x82\xac\" x)\n");
    /* a description above a schema is nobody's */
    expect_dump("# d\nschema S { id : int key }\nsegment A where x\n",
                "(schema S\n  (id int key))\n(segment A x)\n");
    /* every segment gets its own block */
    expect_dump("# one\nsegment A where x\n# two\nsegment B where y\n"
                "segment C where z\n",
                "(segment A \"one\" x)\n(segment B \"two\" y)\n"
                "(segment C z)\n");
}

static void test_comment_list(void **state)
{
    static const char text[] = "# head\n"                     /* 0-6 */
                               "segment A where x # tail\n"   /* 7-31 */
                               "  # own\n"                    /* 32-39 */
                               "segment B where \"#no\" = s\n";
    parsed p;
    parse_text(&p, text, sizeof text - 1);
    assert_int_equal(p.f->syntax_errors, 0);
    const ast_comment *c = p.f->comments;
    assert_non_null(c);
    assert_int_equal(c->at.start, 0);
    assert_int_equal(c->at.end, 6);
    assert_true(c->own_line);
    c = c->next;
    assert_non_null(c);
    assert_int_equal(c->at.start, 25);
    assert_int_equal(c->at.end, 31);
    assert_false(c->own_line);
    c = c->next;
    assert_non_null(c);
    assert_int_equal(c->at.start, 34);
    assert_int_equal(c->at.end, 39);
    assert_true(c->own_line);
    assert_null(c->next); /* a '#' inside a string is no comment */
    assert_true(p.f->last_comment == c);
    assert_string_equal(p.dump, "(segment A \"head\" x)\n"
                                "(segment B \"own\" (= \"#no\" s))\n");
    parsed_free(&p);
}

/* ---- errors and recovery ---------------------------------------------------------- */

static void test_error_recovery(void **state)
{
    static const char text[] = "segment A where x >\n"
                               "segment B where y = 1\n"
                               "segment C where\n"
                               "segment D where z\n";
    parsed p;
    parse_text(&p, text, sizeof text - 1);
    assert_int_equal(p.f->syntax_errors, 2);
    assert_int_equal(p.d.errors, 2);
    assert_string_equal(p.dump, "(segment B (= y 1))\n(segment D z)\n");
    assert_int_equal(p.f->nitems, 2);
    assert_string_equal(p.d.items[0].message,
                        "syntax error: expected an expression at the end of "
                        "the line");
    assert_int_equal(p.d.items[0].line, 1);
    assert_int_equal(p.d.items[0].column, 19);
    assert_int_equal(p.d.items[1].line, 3);
    assert_int_equal(p.d.items[1].column, 15);
    parsed_free(&p);
}

static void test_error_messages(void **state)
{
    parsed p;
    const char *t = "segment A where x > 1 1\nsegment B where )\n";
    parse_text(&p, t, strlen(t));
    assert_int_equal(p.f->syntax_errors, 2);
    assert_string_equal(p.dump, "");
    assert_string_equal(p.d.items[0].message,
                        "syntax error: unexpected integer '1', expected "
                        "'and', 'or', a comparison, an operator or the next "
                        "declaration");
    assert_int_equal(p.d.items[0].column, 23);
    assert_string_equal(p.d.items[1].message,
                        "syntax error: unexpected ')', expected an expression");
    assert_int_equal(p.d.items[1].line, 2);
    assert_int_equal(p.d.items[1].column, 17);
    parsed_free(&p);

    /* lexical slips: one message each, and the intended token */
    t = "segment A where x = 1 && y == 2 AND z > 90days";
    parse_text(&p, t, strlen(t));
    assert_int_equal(p.f->syntax_errors, 4);
    assert_string_equal(p.dump,
                        "(segment A (and (= x 1) (= y 2) (> z (dur 0mo "
                        "7776000s))))\n");
    assert_string_equal(p.d.items[0].message, "write 'and', not '&&'");
    assert_string_equal(p.d.items[1].message,
                        "use '=' to compare for equality");
    assert_string_equal(p.d.items[2].message,
                        "keywords are written in lower case: 'and'");
    assert_string_equal(p.d.items[3].message,
                        "unknown duration unit 'days': write '90d'");
    parsed_free(&p);
}

static void test_recovery_keeps_good_segments(void **state)
{
    /* several bad segments in a row, good ones between and after */
    static const char text[] = "segment Good1 where a\n"
                               "segment Bad1 where >\n"
                               "segment Bad2 where x > > 1\n"
                               "segment Good2 where b = 1\n"
                               "segment Bad3 where (c\n"
                               "segment Bad4 where [1\n"
                               "segment Good3 where c between 1 and 2\n"
                               "segment Bad5 where d between 1\n";
    parsed p;
    parse_text(&p, text, sizeof text - 1);
    assert_int_equal(p.f->syntax_errors, 5);
    assert_string_equal(p.dump, "(segment Good1 a)\n"
                                "(segment Good2 (= b 1))\n"
                                "(segment Good3 (between c 1 2))\n");
    unsigned lines[5];
    for (size_t i = 0; i < 5 && i < p.d.n; i++)
        lines[i] = p.d.items[i].line;
    assert_int_equal(lines[0], 2);
    assert_int_equal(lines[1], 3);
    assert_int_equal(lines[2], 5);
    assert_int_equal(lines[3], 6);
    assert_int_equal(lines[4], 8);
    parsed_free(&p);
}

/* After a recovered error, an error in the very next segment (within its
 * first three tokens) must still be reported: every bad segment is one
 * error (docs/language.md: "All errors of a file are reported in one run"). */
static void test_recovery_reports_error_right_after_recovery(void **state)
{
    /* the results are taken first and checked after cleaning up, so that a
     * failure leaks nothing */
    static const char text[] = "segment A where >\n"
                               "segment where x\n"
                               "segment C where y\n";
    parsed p;
    parse_text(&p, text, sizeof text - 1);
    char *dump1 = strdup(p.dump);
    size_t errors1 = p.f->syntax_errors, ndiags1 = p.d.n;
    unsigned line1 = ndiags1 > 1 ? p.d.items[1].line : 0;
    unsigned col1 = ndiags1 > 1 ? p.d.items[1].column : 0;
    parsed_free(&p);

    static const char text2[] = "segment where x\n"
                                "segment B x\n"
                                "segment C where y\n";
    parse_text(&p, text2, sizeof text2 - 1);
    char *dump2 = strdup(p.dump);
    size_t errors2 = p.f->syntax_errors;
    parsed_free(&p);

    bool ok1 = strcmp(dump1, "(segment C y)\n") == 0;
    bool ok2 = strcmp(dump2, "(segment C y)\n") == 0;
    free(dump1);
    free(dump2);
    assert_true(ok1);
    assert_true(ok2);
    assert_int_equal(errors1, 2);
    assert_int_equal(ndiags1, 2);
    assert_int_equal(line1, 2);
    assert_int_equal(col1, 9);
    assert_int_equal(errors2, 2);
}

static void test_error_at_end_of_file(void **state)
{
    parsed p;
    const char *t = "segment A where x and";
    parse_text(&p, t, strlen(t));
    assert_int_equal(p.f->syntax_errors, 1);
    assert_string_equal(p.d.items[0].message,
                        "syntax error: expected an expression at the end of "
                        "the file");
    assert_int_equal(p.d.items[0].line, 1);
    assert_int_equal(p.d.items[0].column, 21); /* the 'd' of 'and' */
    assert_string_equal(p.dump, "");
    parsed_free(&p);

    t = "";
    parse_text(&p, t, 0);
    assert_int_equal(p.f->syntax_errors, 0);
    assert_int_equal(p.f->nitems, 0);
    assert_string_equal(p.dump, "");
    parsed_free(&p);

    t = "# only a comment\n";
    parse_text(&p, t, strlen(t));
    assert_int_equal(p.f->syntax_errors, 0);
    assert_int_equal(p.f->nitems, 0);
    assert_non_null(p.f->comments);
    parsed_free(&p);
}

/* ---- size ------------------------------------------------------------------------------------ */

static char *long_chain(const char *term, const char *op, size_t n,
                        size_t *len)
{
    const char *head = "segment A where ";
    size_t tl = strlen(term), ol = strlen(op);
    size_t cap = strlen(head) + n * (tl + ol) + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    char *q = s;
    memcpy(q, head, strlen(head));
    q += strlen(head);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(q, op, ol);
            q += ol;
        }
        memcpy(q, term, tl);
        q += tl;
    }
    *q = 0;
    *len = (size_t)(q - s);
    return s;
}

static void test_long_and_chain(void **state)
{
    enum { N = 100000 };
    size_t len;
    char *text = long_chain("a", " and ", N, &len);
    parsed p;
    parse_text(&p, text, len);
    assert_int_equal(p.f->syntax_errors, 0);
    const ast_node *w = p.f->items->u.segment->where;
    assert_int_equal(w->kind, AST_AND);
    assert_int_equal(w->nkids, N);
    size_t n = 0;
    for (const ast_node *k = w->kids; k; k = k->next) {
        if (k->kind != AST_NAME)
            fail_msg("kid %zu is not a name", n);
        n++;
    }
    assert_int_equal(n, N);
    /* the dump is flat too */
    assert_int_equal(strlen(p.dump), strlen("(segment A (and))\n") + 2 * N);
    assert_int_equal(strncmp(p.dump, "(segment A (and a a a ", 22), 0);
    parsed_free(&p);
    free(text);

    /* an or chain of comparisons */
    text = long_chain("x = 1", " or ", N, &len);
    parse_text(&p, text, len);
    assert_int_equal(p.f->syntax_errors, 0);
    w = p.f->items->u.segment->where;
    assert_int_equal(w->kind, AST_OR);
    assert_int_equal(w->nkids, N);
    assert_int_equal(w->tail->kind, AST_CMP);
    parsed_free(&p);
    free(text);
}

static void test_deep_nesting_is_an_error_not_a_crash(void **state)
{
    enum { DEPTH = 50000 };
    size_t len = 16 + 2 * DEPTH + 1;
    char *text = malloc(len + 1);
    memcpy(text, "segment A where ", 16);
    memset(text + 16, '(', DEPTH);
    text[16 + DEPTH] = 'x';
    memset(text + 17 + DEPTH, ')', DEPTH);
    text[len] = 0;
    parsed p;
    parse_text(&p, text, len);
    assert_int_equal(p.f->syntax_errors, 1);
    assert_string_equal(p.d.items[0].message,
                        "the expression nests more than 10000 levels of "
                        "parentheses and operators deep (the parser's fixed "
                        "limit)");
    assert_string_equal(p.dump, "");
    parsed_free(&p);
    free(text);

    /* moderate nesting is fine */
    char mid[16 + 2 * 500 + 2];
    memcpy(mid, "segment A where ", 16);
    memset(mid + 16, '(', 500);
    mid[516] = 'x';
    memset(mid + 517, ')', 500);
    mid[1017] = 0;
    expect_dump(mid, "(segment A x)\n");
}

/* ---- memory ---------------------------------------------------------------------------------- */

static void test_allocation_failures(void **state)
{
    static const char text[] = "# desc\n"
                               "segment A where x > 90d and y in [1, 2] or "
                               "s = \"str\\u00e9\"\n"
                               "segment B where >\n"
                               "segment C where r > 49.99 EUR\n";
    bool done = false;
    for (long fail = 1; fail < 2000 && !done; fail++) {
        counter c = {0};
        c.fail_at = fail;
        mem m;
        mem_init(&m, count_alloc, &c);
        arena a;
        arena_init(&a, &m);
        diag_list d;
        diag_init(&d, &m);
        source src;
        if (source_init(&src, &m, "t.seg", text, sizeof text - 1)) {
            ast_file *f = parse_file(&m, &a, &src, &d);
            if (f && !m.failed) {
                assert_int_equal(f->nitems, 2);
                assert_int_equal(f->syntax_errors, 1);
                done = true;
            } else {
                /* failures are reported, never half a tree */
                assert_true(m.failed);
            }
            source_free(&src);
        } else {
            assert_true(m.failed);
        }
        diag_free(&d);
        arena_free(&a);
        assert_int_equal(c.live, 0);
        assert_int_equal(c.bytes, 0);
    }
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_associativity),
        cmocka_unit_test(test_and_or_flattening),
        cmocka_unit_test(test_not_and_negation),
        cmocka_unit_test(test_between_in_is_null),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_literal_node_fields),
        cmocka_unit_test(test_schema_declaration),
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_comment_list),
        cmocka_unit_test(test_error_recovery),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_recovery_keeps_good_segments),
        cmocka_unit_test(test_recovery_reports_error_right_after_recovery),
        cmocka_unit_test(test_error_at_end_of_file),
        cmocka_unit_test(test_long_and_chain),
        cmocka_unit_test(test_deep_nesting_is_an_error_not_a_crash),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
