/* test_csv.c - the RFC 4180 reader and the field writer (csv_ in data.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "data.h"

#define BAD_QUOTE                                                         \
    "a quote inside an unquoted field; quote the whole field and double " \
    "the quote inside"
#define BAD_AFTER "unexpected text after a closing quote"
#define BAD_OPEN "a quoted field is never closed"
#define BAD_CR "a carriage return without a line feed (old Mac line endings?)"

/* ---- a counting allocator ------------------------------------------------------ */

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

/* ---- reading a whole input into a dump ---------------------------------------------
 * Each row becomes one line: "<row_line>: " and its fields, [text] for an
 * unquoted and "text" for a quoted one, each followed by @line:col; a bad row
 * ends with " !line:col WHY" (WHY: QUOTE, AFTER, OPEN, CR). Newlines and
 * carriage returns in fields are shown as \n and \r. */

static FILE *open_text(const char *text, size_t len)
{
    if (len == 0)
        return tmpfile();
    return fmemopen((void *)text, len, "r");
}

static const char *why_tag(const char *why)
{
    if (strcmp(why, BAD_QUOTE) == 0)
        return "QUOTE";
    if (strcmp(why, BAD_AFTER) == 0)
        return "AFTER";
    if (strcmp(why, BAD_OPEN) == 0)
        return "OPEN";
    if (strcmp(why, BAD_CR) == 0)
        return "CR";
    return why;
}

static void put_escaped(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            buf_puts(b, "\\n");
        else if (s[i] == '\r')
            buf_puts(b, "\\r");
        else
            buf_putc(b, s[i]);
    }
}

/* with_pos: add each field's @line:col */
static char *dump_csv(const char *text, size_t len, bool with_pos)
{
    counter c = {0};
    mem m;
    mem_init(&m, count_alloc, &c);
    FILE *f = open_text(text, len);
    assert_non_null(f);
    csv_reader r;
    assert_true(csv_open(&r, &m, f));
    mem sys;
    mem_init(&sys, NULL, NULL);
    buf out;
    buf_init(&out, &sys);
    int k;
    while ((k = csv_next(&r)) == 1) {
        buf_printf(&out, "%u:", r.row_line);
        for (size_t i = 0; i < csv_nfields(&r); i++) {
            const csv_field *fl = csv_get(&r, i);
            buf_putc(&out, ' ');
            buf_putc(&out, fl->quoted ? '"' : '[');
            put_escaped(&out, csv_text(&r, fl), fl->len);
            buf_putc(&out, fl->quoted ? '"' : ']');
            if (with_pos)
                buf_printf(&out, "@%u:%zu", fl->line, fl->byte_col);
        }
        if (r.bad)
            buf_printf(&out, " !%u:%zu %s", r.bad_line, r.bad_col,
                       why_tag(r.bad));
        buf_putc(&out, '\n');
    }
    assert_int_equal(k, 0);
    assert_int_equal(csv_next(&r), 0); /* stays at the end */
    csv_close(&r);
    fclose(f);
    assert_int_equal(c.live, 0);
    assert_int_equal(c.bytes, 0);
    return buf_take(&out);
}

#define EXPECT_CSV(text, want)                                \
    do {                                                      \
        char *got_ = dump_csv(text, sizeof(text) - 1, false); \
        assert_string_equal(got_, want);                      \
        free(got_);                                           \
    } while (0)

#define EXPECT_CSV_POS(text, want)                           \
    do {                                                     \
        char *got_ = dump_csv(text, sizeof(text) - 1, true); \
        assert_string_equal(got_, want);                     \
        free(got_);                                          \
    } while (0)

/* ---- well-formed input ------------------------------------------------------------- */

static void test_simple_rows(void **state)
{
    EXPECT_CSV("a,b,c\n1,2,3\n", "1: [a] [b] [c]\n2: [1] [2] [3]\n");
    EXPECT_CSV("", "");
    EXPECT_CSV("x", "1: [x]\n");
    EXPECT_CSV("  spaced  , kept \n", "1: [  spaced  ] [ kept ]\n");
    EXPECT_CSV_POS("id,name\n17,Ann\n",
                   "1: [id]@1:0 [name]@1:3\n2: [17]@2:0 [Ann]@2:3\n");
}

static void test_empty_fields_and_blank_lines(void **state)
{
    EXPECT_CSV("a,\n", "1: [a] []\n");
    EXPECT_CSV(",\n", "1: [] []\n");
    EXPECT_CSV(",,\n", "1: [] [] []\n");
    EXPECT_CSV("a,b,", "1: [a] [b] []\n");
    /* a blank line is a row of one empty field */
    EXPECT_CSV("a\n\nb\n", "1: [a]\n2: []\n3: [b]\n");
    EXPECT_CSV("\n", "1: []\n");
    EXPECT_CSV("a\r\n\r\nb\r\n", "1: [a]\n2: []\n3: [b]\n");
    /* "" is an empty quoted field, not a missing one */
    EXPECT_CSV("\"\",x\n", "1: \"\" [x]\n");
    EXPECT_CSV("x,\"\"\n", "1: [x] \"\"\n");
}

static void test_quoted_fields(void **state)
{
    EXPECT_CSV("\"a,b\",c\n", "1: \"a,b\" [c]\n");
    EXPECT_CSV("\"say \"\"hi\"\"\",x\n", "1: \"say \"hi\"\" [x]\n");
    EXPECT_CSV("\"\"\"\"\n", "1: \"\"\"\n"); /* a field of one quote */
    EXPECT_CSV("\"a\"\"\",\"\"\"b\"\n", "1: \"a\"\" \"\"b\"\n");
    EXPECT_CSV("\"  padded  \"\n", "1: \"  padded  \"\n");
    EXPECT_CSV("\"lone\rcr\"\n", "1: \"lone\\rcr\"\n");
    EXPECT_CSV("\"end\"", "1: \"end\"\n");
    EXPECT_CSV_POS("x,\"q\",y\n", "1: [x]@1:0 \"q\"@1:2 [y]@1:6\n");
}

static void test_line_breaks_in_quotes(void **state)
{
    EXPECT_CSV_POS("\"line1\nline2\",b\nnext\n",
                   "1: \"line1\\nline2\"@1:0 [b]@2:7\n3: [next]@3:0\n");
    EXPECT_CSV_POS("\"x\r\ny\",z\r\nw\r\n",
                   "1: \"x\\r\\ny\"@1:0 [z]@2:3\n3: [w]@3:0\n");
    EXPECT_CSV_POS("1,\"a\nb\nc\",2\n3,4\n",
                   "1: [1]@1:0 \"a\\nb\\nc\"@1:2 [2]@3:3\n"
                   "4: [3]@4:0 [4]@4:2\n");
    /* a field that is only line breaks */
    EXPECT_CSV("\"\n\n\"\nx\n", "1: \"\\n\\n\"\n4: [x]\n");
}

static void test_crlf_rows(void **state)
{
    EXPECT_CSV("a,b\r\nc,d\r\n", "1: [a] [b]\n2: [c] [d]\n");
    EXPECT_CSV("a,\"b\"\r\nc,\"d\"\r\n", "1: [a] \"b\"\n2: [c] \"d\"\n");
    EXPECT_CSV("a,b\r\nc,d", "1: [a] [b]\n2: [c] [d]\n");
    /* LF and CRLF mixed */
    EXPECT_CSV("a\nb\r\nc\n", "1: [a]\n2: [b]\n3: [c]\n");
}

static void test_bom(void **state)
{
    EXPECT_CSV("\xEF\xBB\xBFid,name\n1,x\n", "1: [id] [name]\n2: [1] [x]\n");
    EXPECT_CSV("\xEF\xBB\xBF\"id\",name\n", "1: \"id\" [name]\n");
    EXPECT_CSV("\xEF\xBB\xBF", "");
    /* only at the very start */
    EXPECT_CSV("a\n\xEF\xBB\xBF" "b\n", "1: [a]\n2: [\xEF\xBB\xBF" "b]\n");
}

static void test_missing_final_newline(void **state)
{
    EXPECT_CSV("a,b\nc,d", "1: [a] [b]\n2: [c] [d]\n");
    EXPECT_CSV("a,b\n\"c\nd\"", "1: [a] [b]\n2: \"c\\nd\"\n");
    EXPECT_CSV("only", "1: [only]\n");
}

/* ---- malformed rows ---------------------------------------------------------------- */

static void test_bad_quote_in_unquoted_field(void **state)
{
    EXPECT_CSV("ab\"c,d\nnext\n", "1: !1:2 QUOTE\n2: [next]\n");
    EXPECT_CSV("x,ab\"c,d\nnext\n", "1: [x] !1:4 QUOTE\n2: [next]\n");
    /* the rest of the line is skipped, quotes and all */
    EXPECT_CSV("a\"b,\"c\nd\n", "1: !1:1 QUOTE\n2: [d]\n");
    EXPECT_CSV("a\"b\r\nc\r\n", "1: !1:1 QUOTE\n2: [c]\n");
    EXPECT_CSV("a\"", "1: !1:1 QUOTE\n");
}

static void test_bad_text_after_closing_quote(void **state)
{
    EXPECT_CSV("\"ab\"c,d\ne\n", "1: !1:4 AFTER\n2: [e]\n");
    EXPECT_CSV("1,\"ab\" ,d\ne\n", "1: [1] !1:6 AFTER\n2: [e]\n");
    /* on the second line of a multi-line field */
    EXPECT_CSV("1,\"a\nb\"x,2\n3\n", "1: [1] !2:2 AFTER\n3: [3]\n");
}

static void test_bad_unclosed_quote(void **state)
{
    EXPECT_CSV("a,\"bc\nde\n", "1: [a] \"bc\\nde\\n\" !1:2 OPEN\n");
    EXPECT_CSV("x\n\"open", "1: [x]\n2: \"open\" !2:0 OPEN\n");
    EXPECT_CSV("\"", "1: \"\" !1:0 OPEN\n");
}

static void test_bad_lone_carriage_return(void **state)
{
    EXPECT_CSV("a,b\rc,d\ne\n", "1: [a] !1:3 CR\n2: [e]\n");
    EXPECT_CSV("a\r", "1: !1:1 CR\n");
    EXPECT_CSV("\rx\ny\n", "1: !1:0 CR\n2: [y]\n");
    EXPECT_CSV("\"a\"\rb\nc\n", "1: !1:3 CR\n2: [c]\n");
    /* inside quotes a lone CR is data */
    EXPECT_CSV("\"a\rb\",c\n", "1: \"a\\rb\" [c]\n");
}

static void test_only_first_problem_reported(void **state)
{
    EXPECT_CSV("a\"b\"c\rd\n", "1: !1:1 QUOTE\n");
    EXPECT_CSV("\"a\"b,\"c\"d\n", "1: !1:3 AFTER\n");
    /* each row is judged on its own */
    EXPECT_CSV("a\"\nok\nb\"\n", "1: !1:1 QUOTE\n2: [ok]\n3: !3:1 QUOTE\n");
}

static void test_bad_messages_and_row_lines(void **state)
{
    static const char text[] = "id,note\n"
                               "1,\"multi\nline\nnote\",x\"y\n"
                               "2,fine\n";
    mem m;
    mem_init(&m, NULL, NULL);
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    assert_non_null(f);
    csv_reader r;
    assert_true(csv_open(&r, &m, f));
    assert_int_equal(csv_next(&r), 1);
    assert_null(r.bad);
    assert_int_equal(r.row_line, 1);
    assert_int_equal(csv_next(&r), 1);
    assert_int_equal(r.row_line, 2);
    assert_non_null(r.bad);
    assert_string_equal(r.bad, BAD_QUOTE);
    assert_int_equal(r.bad_line, 4);
    assert_int_equal(r.bad_col, 7);
    assert_int_equal(csv_nfields(&r), 2);
    assert_int_equal(csv_get(&r, 1)->line, 2);
    assert_int_equal(csv_get(&r, 1)->byte_col, 2);
    size_t n;
    const char *l = csv_row_line(&r, 2, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(l, "1,\"multi", 8);
    l = csv_row_line(&r, 3, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(l, "line", 4);
    l = csv_row_line(&r, 4, &n);
    assert_int_equal(n, 9); /* the skipped rest of the line is kept */
    assert_memory_equal(l, "note\",x\"y", 9);
    assert_int_equal(csv_next(&r), 1);
    assert_null(r.bad); /* reset for the next row */
    assert_int_equal(r.row_line, 5);
    l = csv_row_line(&r, 5, &n);
    assert_int_equal(n, 6);
    assert_memory_equal(l, "2,fine", 6);
    assert_int_equal(csv_next(&r), 0);
    csv_close(&r);
    fclose(f);
}

static void test_row_line_crlf(void **state)
{
    static const char text[] = "a,\"b\r\nc\",d\r\n";
    mem m;
    mem_init(&m, NULL, NULL);
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    csv_reader r;
    assert_true(csv_open(&r, &m, f));
    assert_int_equal(csv_next(&r), 1);
    assert_int_equal(r.row_line, 1);
    size_t n;
    const char *l = csv_row_line(&r, 1, &n);
    assert_int_equal(n, 4); /* without the \r */
    assert_memory_equal(l, "a,\"b", 4);
    l = csv_row_line(&r, 2, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(l, "c\",d", 4);
    l = csv_row_line(&r, 7, &n); /* past the row: empty */
    assert_int_equal(n, 0);
    assert_int_equal(r.line, 3);
    csv_close(&r);
    fclose(f);
}

/* ---- input beyond one buffer ---------------------------------------------------------- */

static void test_buffer_boundaries(void **state)
{
    enum { CAP = 1 << 16 };
    mem m;
    mem_init(&m, NULL, NULL);
    buf t;
    buf_init(&t, &m);
    /* a CRLF split across the first refill */
    for (int i = 0; i < CAP - 1; i++)
        buf_putc(&t, 'x');
    buf_puts(&t, "\r\ny\r\n");
    /* a doubled quote split across the second refill */
    size_t start = t.len;
    buf_putc(&t, '"');
    while (t.len < 2 * (size_t)CAP - 1)
        buf_putc(&t, 'q');
    buf_puts(&t, "\"\"x\"\n");
    size_t qlen = 2 * (size_t)CAP - 1 - start - 1;
    /* many ordinary rows with quoted commas and line breaks */
    for (int i = 0; i < 20000; i++)
        buf_printf(&t, "%d,\"v, %d\",\"l1\nl2\",%s\r\n", i, i,
                   i % 3 ? "tail" : "");
    FILE *f = fmemopen(t.p, t.len, "r");
    csv_reader r;
    assert_true(csv_open(&r, &m, f));

    assert_int_equal(csv_next(&r), 1);
    assert_null(r.bad);
    assert_int_equal(csv_nfields(&r), 1);
    assert_int_equal(csv_get(&r, 0)->len, CAP - 1);
    assert_int_equal(csv_text(&r, csv_get(&r, 0))[CAP - 2], 'x');
    assert_int_equal(csv_next(&r), 1);
    assert_null(r.bad);
    assert_int_equal(r.row_line, 2);
    assert_int_equal(csv_get(&r, 0)->len, 1);
    assert_memory_equal(csv_text(&r, csv_get(&r, 0)), "y", 1);

    assert_int_equal(csv_next(&r), 1);
    assert_null(r.bad);
    assert_int_equal(r.row_line, 3);
    assert_int_equal(csv_nfields(&r), 1);
    const csv_field *q = csv_get(&r, 0);
    assert_true(q->quoted);
    assert_int_equal(q->len, qlen + 2);
    assert_memory_equal(csv_text(&r, q) + qlen, "\"x", 2);
    assert_int_equal(csv_text(&r, q)[0], 'q');

    unsigned line = 4;
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(csv_next(&r), 1);
        if (r.bad)
            fail_msg("row %d: %s", i, r.bad);
        assert_int_equal(r.row_line, line);
        assert_int_equal(csv_nfields(&r), 4);
        char want[32];
        snprintf(want, sizeof want, "%d", i);
        const csv_field *f0 = csv_get(&r, 0);
        assert_int_equal(f0->len, strlen(want));
        assert_memory_equal(csv_text(&r, f0), want, f0->len);
        snprintf(want, sizeof want, "v, %d", i);
        const csv_field *f1 = csv_get(&r, 1);
        assert_int_equal(f1->len, strlen(want));
        assert_memory_equal(csv_text(&r, f1), want, f1->len);
        const csv_field *f2 = csv_get(&r, 2);
        assert_int_equal(f2->len, 5);
        assert_memory_equal(csv_text(&r, f2), "l1\nl2", 5);
        const csv_field *f3 = csv_get(&r, 3);
        assert_int_equal(f3->line, line + 1);
        assert_int_equal(f3->len, i % 3 ? 4 : 0);
        line += 2;
    }
    assert_int_equal(csv_next(&r), 0);
    csv_close(&r);
    fclose(f);
    buf_free(&t);
}

/* ---- errors ---------------------------------------------------------------------------- */

static void test_read_error(void **state)
{
    mem m;
    mem_init(&m, NULL, NULL);
    FILE *f = fopen("/dev/null", "w"); /* reading it fails */
    assert_non_null(f);
    csv_reader r;
    assert_true(csv_open(&r, &m, f));
    assert_int_equal(csv_next(&r), -1);
    csv_close(&r);
    fclose(f);
}

static void test_allocation_failures(void **state)
{
    static const char text[] = "id,\"a long quoted field, with a comma\"\n"
                               "2,x\n";
    /* csv_open itself */
    counter c = {0};
    c.fail_at = 1;
    mem m;
    mem_init(&m, count_alloc, &c);
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    csv_reader r;
    assert_false(csv_open(&r, &m, f));
    csv_close(&r);
    fclose(f);
    assert_int_equal(c.live, 0);

    /* every later allocation: csv_next reports -1, never a half row */
    bool completed = false;
    for (long fail = 2; fail < 50 && !completed; fail++) {
        counter k = {0};
        k.fail_at = fail;
        mem mm;
        mem_init(&mm, count_alloc, &k);
        f = fmemopen((void *)text, sizeof text - 1, "r");
        assert_true(csv_open(&r, &mm, f));
        int rows = 0, st;
        while ((st = csv_next(&r)) == 1) {
            assert_false(mm.failed);
            assert_int_equal(csv_nfields(&r), 2);
            rows++;
        }
        if (st == 0) {
            assert_int_equal(rows, 2);
            completed = true;
        } else {
            assert_int_equal(st, -1);
            assert_true(mm.failed);
        }
        csv_close(&r);
        fclose(f);
        assert_int_equal(k.live, 0);
        assert_int_equal(k.bytes, 0);
    }
    assert_true(completed);
}

/* ---- writing ------------------------------------------------------------------------------ */

static char *write_field(const char *s, size_t len)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    assert_non_null(f);
    csv_write_field(f, s, len);
    fclose(f);
    return out;
}

#define EXPECT_WRITE(s, want)                             \
    do {                                                  \
        char *got_ = write_field(s, sizeof(s) - 1);       \
        assert_string_equal(got_, want);                  \
        free(got_);                                       \
    } while (0)

static void test_write_field(void **state)
{
    EXPECT_WRITE("plain", "plain");
    EXPECT_WRITE("", "\"\"");
    EXPECT_WRITE("a,b", "\"a,b\"");
    EXPECT_WRITE("say \"hi\"", "\"say \"\"hi\"\"\"");
    EXPECT_WRITE("\"", "\"\"\"\"");
    EXPECT_WRITE("line\nbreak", "\"line\nbreak\"");
    EXPECT_WRITE("cr\r", "\"cr\r\"");
    EXPECT_WRITE(" spaces ", " spaces ");
    EXPECT_WRITE("caf\xc3\xa9", "caf\xc3\xa9");
    EXPECT_WRITE("tab\there", "tab\there");
    /* only len bytes are written */
    char *got = write_field("abc,def", 3);
    assert_string_equal(got, "abc");
    free(got);
}

static void test_write_then_read_round_trip(void **state)
{
    static const char *const values[] = {
        "plain", "", "a,b", "say \"hi\"", "\"", "line\nbreak", "cr\r\nlf",
        " spaces ", "\"\"", ",", "x\"y,z\n"};
    size_t n = SEGC_ARRAY_LEN(values);
    char *text = NULL;
    size_t tlen = 0;
    FILE *w = open_memstream(&text, &tlen);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', w);
        csv_write_field(w, values[i], strlen(values[i]));
    }
    fputs("\r\n", w);
    fclose(w);

    mem m;
    mem_init(&m, NULL, NULL);
    FILE *f = fmemopen(text, tlen, "r");
    csv_reader r;
    assert_true(csv_open(&r, &m, f));
    assert_int_equal(csv_next(&r), 1);
    assert_null(r.bad);
    assert_int_equal(csv_nfields(&r), n);
    for (size_t i = 0; i < n; i++) {
        const csv_field *fl = csv_get(&r, i);
        assert_int_equal(fl->len, strlen(values[i]));
        assert_memory_equal(csv_text(&r, fl), values[i], fl->len);
        /* an empty string comes back quoted, so it is not a null */
        if (values[i][0] == 0)
            assert_true(fl->quoted);
    }
    assert_int_equal(csv_next(&r), 0);
    csv_close(&r);
    fclose(f);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_rows),
        cmocka_unit_test(test_empty_fields_and_blank_lines),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_line_breaks_in_quotes),
        cmocka_unit_test(test_crlf_rows),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_missing_final_newline),
        cmocka_unit_test(test_bad_quote_in_unquoted_field),
        cmocka_unit_test(test_bad_text_after_closing_quote),
        cmocka_unit_test(test_bad_unclosed_quote),
        cmocka_unit_test(test_bad_lone_carriage_return),
        cmocka_unit_test(test_only_first_problem_reported),
        cmocka_unit_test(test_bad_messages_and_row_lines),
        cmocka_unit_test(test_row_line_crlf),
        cmocka_unit_test(test_buffer_boundaries),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_write_field),
        cmocka_unit_test(test_write_then_read_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
