/* test_fmt.c - segc fmt (src/fmt.c through segc_format):
 *
 *   - the golden layouts of tests/fmt/: NAME.in formats to NAME.out, or,
 *     when NAME.err exists, is refused with exactly those diagnostics;
 *   - for every rule file and schema in the repository, every rules,
 *     schema and file section of the case files (tests/cases), and random programs
 *     of the differential generator (tests/gen.c), also with comments put
 *     in at random places: formatting either succeeds or is refused with a
 *     diagnostic; when it succeeds it is idempotent, the tree (ast_dump,
 *     and descriptions) and the comments are unchanged, and the layout has
 *     no trailing blanks, no runs of blank lines and a final newline;
 *   - the allocator failing at every allocation;
 *   - the unified diff of segc fmt --diff (src/cli/udiff.c) over random
 *     texts: applying it gives the formatted text, and it is minimal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmt.h"
#include "parse.h"
#include "segc.h"

/* the generator, whose duration() would clash with ast.h's type */
#define duration gen_duration
#include "../gen.h"
#include "../gen.c"
#undef duration
#include "../../src/cli/udiff.c"

/* ---- files ---------------------------------------------------------------------------- */

static char root[64];

/* the repository's root, seen from where the test runs */
static const char *repo(void)
{
    if (root[0])
        return root;
    static const char *const cands[] = {".", "..", "../.."};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        char p[256];
        struct stat st;
        snprintf(p, sizeof p, "%s/tests/fmt", cands[i]);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(root, sizeof root, "%s", cands[i]);
            return root;
        }
    }
    fail_msg("tests/fmt not found: run from the repository root");
    return ".";
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t got;
    while (p && (got = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    assert_non_null(p);
    p[n] = 0;
    *len = n;
    return p;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- the tree and the comments of a text --------------------------------------------------- */

typedef struct parsed {
    mem m;
    arena a;
    diag_list d;
    source src;
    ast_file *f;
} parsed;

static void parse_text(parsed *p, const char *s, size_t len)
{
    memset(p, 0, sizeof *p);
    mem_init(&p->m, NULL, NULL);
    arena_init(&p->a, &p->m);
    diag_init(&p->d, &p->m);
    assert_true(source_init(&p->src, &p->m, "t.seg", s, len));
    p->f = parse_file(&p->m, &p->a, &p->src, &p->d);
    assert_non_null(p->f);
}

static void parsed_free(parsed *p)
{
    diag_free(&p->d);
    arena_free(&p->a);
    source_free(&p->src);
}

/* ast_dump, then every description and comment (trailing blanks aside) */
static char *summary(const parsed *p)
{
    char *s = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&s, &n);
    assert_non_null(out);
    ast_dump(p->f, out);
    for (const ast_item *it = p->f->items; it; it = it->next) {
        const char *d = NULL;
        if (it->kind == ITEM_DEF)
            d = it->u.def->description;
        else if (it->kind == ITEM_CLASSIFY) {
            d = it->u.classify->description;
            for (const ast_tier *t = it->u.classify->tiers; t; t = t->next)
                fprintf(out, "tier %s: %s\n", t->name,
                        t->description ? t->description : "-");
        }
        fprintf(out, "description: %s\n", d ? d : "-");
    }
    for (const ast_comment *c = p->f->comments; c; c = c->next) {
        uint32_t e = c->at.end;
        while (e > c->at.start && (p->src.text[e - 1] == ' ' ||
                                   p->src.text[e - 1] == '\t' ||
                                   p->src.text[e - 1] == '\r'))
            e--;
        fprintf(out, "comment: %.*s\n", (int)(e - c->at.start),
                p->src.text + c->at.start);
    }
    fclose(out);
    return s;
}

/* ---- the properties of one formatting ------------------------------------------------------ */

typedef enum outcome { FORMATTED, REFUSED_SYNTAX, REFUSED_OTHER } outcome;

static void check_layout(const char *name, const char *s, size_t len)
{
    if (!len)
        return;
    if (s[len - 1] != '\n')
        fail_msg("%s: no final newline", name);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r')
            fail_msg("%s: a carriage return in the output", name);
        if (s[i] == '\n' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
            fail_msg("%s: trailing blanks at byte %zu", name, i);
        if (s[i] == '\n' && i + 2 < len && s[i + 1] == '\n' &&
            s[i + 2] == '\n')
            fail_msg("%s: two blank lines in a row at byte %zu", name, i);
    }
    if (s[0] == '\n')
        fail_msg("%s: starts with a blank line", name);
}

/* Formats s: it is refused (reported), or formatted idempotently into the
 * same tree with the same comments. *out (may be NULL) gets the result. */
static outcome check_props(segc_ctx *ctx, const char *name, const char *s,
                           size_t len, char **out_keep)
{
    char *out = NULL;
    size_t olen = 0;
    segc_status st = segc_format(ctx, name, s, len, &out, &olen);
    if (st != SEGC_OK) {
        if (st != SEGC_ERR_COMPILE)
            fail_msg("%s: segc_format returned %d", name, (int)st);
        assert_true(segc_diag_errors(ctx) > 0);
        bool syntax = true;
        for (size_t i = 0; i < segc_diag_count(ctx); i++) {
            const char *msg = segc_diag_get(ctx, i)->message;
            if (strstr(msg, "a bug in segc fmt")) {
                segc_diag_print_all(ctx, stderr);
                fail_msg("%s: the formatter failed its own check", name);
            }
            if (strstr(msg, "segc fmt cannot"))
                syntax = false;
        }
        segc_diag_clear(ctx);
        return syntax ? REFUSED_SYNTAX : REFUSED_OTHER;
    }
    assert_int_equal(segc_diag_errors(ctx), 0);
    segc_diag_clear(ctx);
    assert_int_equal(strlen(out), olen);
    check_layout(name, out, olen);

    char *again = NULL;
    size_t alen = 0;
    assert_int_equal(segc_format(ctx, name, out, olen, &again, &alen),
                     SEGC_OK);
    if (alen != olen || memcmp(again, out, olen) != 0) {
        fprintf(stderr, "---- %s, formatted once:\n%s---- twice:\n%s", name,
                out, again);
        fail_msg("%s: formatting is not idempotent", name);
    }
    segc_format_free(ctx, again);

    parsed a, b;
    parse_text(&a, s, len);
    parse_text(&b, out, olen);
    assert_int_equal(b.f->syntax_errors, 0);
    char *sa = summary(&a), *sb = summary(&b);
    if (strcmp(sa, sb) != 0) {
        fprintf(stderr, "---- %s, before:\n%s---- after:\n%s", name, sa, sb);
        fail_msg("%s: the tree or the comments changed", name);
    }
    assert_true(fmt_same_tree(a.f, b.f));
    free(sa);
    free(sb);
    parsed_free(&a);
    parsed_free(&b);
    if (out_keep)
        *out_keep = out;
    else
        segc_format_free(ctx, out);
    return FORMATTED;
}

/* ---- golden layouts: tests/fmt/ -------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in dir ending in suffix, sorted (free each and the array) */
static char **list_dir(const char *dir, const char *suffix, size_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, suffix))
            continue;
        if (*n == cap)
            names = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

static void golden(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/tests/fmt", repo());
    size_t n;
    char **names = list_dir(dir, ".in", &n);
    assert_true(n >= 10);
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char path[1024], base[300];
        snprintf(base, sizeof base, "%.*s", (int)(strlen(names[i]) - 3),
                 names[i]);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len, elen;
        char *in = slurp(path, &len);
        assert_non_null(in);
        snprintf(path, sizeof path, "%s/%s.err", dir, base);
        char *err = slurp(path, &elen);
        if (err) {
            /* refused, with these diagnostics ("file:line:col: error: msg") */
            char *out = NULL;
            assert_int_equal(segc_format(ctx, names[i], in, len, &out, NULL),
                             SEGC_ERR_COMPILE);
            assert_null(out);
            char *got = NULL;
            size_t glen = 0;
            FILE *g = open_memstream(&got, &glen);
            for (size_t k = 0; k < segc_diag_count(ctx); k++) {
                const segc_diag *dg = segc_diag_get(ctx, k);
                fprintf(g, "%s:%u:%u: %s: %s\n", dg->file, dg->line,
                        dg->column,
                        dg->severity == SEGC_SEV_ERROR ? "error" : "note",
                        dg->message);
            }
            fclose(g);
            segc_diag_clear(ctx);
            if (strcmp(got, err) != 0) {
                fprintf(stderr, "---- %s, expected:\n%s---- got:\n%s",
                        names[i], err, got);
                fail_msg("%s: other diagnostics than %s.err", names[i], base);
            }
            free(got);
            free(err);
        } else {
            snprintf(path, sizeof path, "%s/%s.out", dir, base);
            size_t wlen;
            char *want = slurp(path, &wlen);
            if (!want)
                fail_msg("%s: neither %s.out nor %s.err", names[i], base,
                         base);
            char *out = NULL;
            assert_int_equal(check_props(ctx, names[i], in, len, &out),
                             FORMATTED);
            if (strcmp(out, want) != 0) {
                fprintf(stderr, "---- %s, expected:\n%s---- got:\n%s",
                        names[i], want, out);
                fail_msg("%s: not the layout of %s.out", names[i], base);
            }
            /* the golden output is itself formatted */
            assert_int_equal(check_props(ctx, base, want, wlen, NULL),
                             FORMATTED);
            segc_format_free(ctx, out);
            free(want);
        }
        free(in);
        free(names[i]);
    }
    free(names);
    segc_ctx_free(ctx);
}

/* ---- every rule file and schema of the repository ------------------------------------------- */

typedef struct tally {
    int formatted, syntax, other;
} tally;

static void count(tally *t, outcome o)
{
    if (o == FORMATTED)
        t->formatted++;
    else if (o == REFUSED_SYNTAX)
        t->syntax++;
    else
        t->other++;
}

static void walk(segc_ctx *ctx, const char *dir, tally *t, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 8) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(ctx, path, t, depth + 1);
        } else if (ends_with(e->d_name, ".seg") ||
                   ends_with(e->d_name, ".schema")) {
            size_t len;
            char *s = slurp(path, &len);
            assert_non_null(s);
            count(t, check_props(ctx, path, s, len, NULL));
            free(s);
        }
    }
    closedir(d);
}

static void repository_files(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    tally t = {0, 0, 0};
    static const char *const dirs[] = {"stdlib", "examples", "tests", "bench"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%s", repo(), dirs[i]);
        walk(ctx, p, &t, 0);
    }
    print_message("repository files: %d formatted, %d with syntax errors, "
                  "%d refused\n",
                  t.formatted, t.syntax, t.other);
    assert_true(t.formatted >= 20);
    assert_int_equal(t.other, 0);
    /* the standard library and the examples are formatted already */
    static const char *const kept[] = {
        "stdlib/b2b.seg",  "stdlib/geo.seg",    "stdlib/lifecycle.seg",
        "stdlib/rfm.seg",  "examples/rules.seg", "examples/shop.seg",
        "examples/customer.schema"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%s", repo(), kept[i]);
        size_t len;
        char *s = slurp(p, &len);
        assert_non_null(s);
        char *out = NULL;
        assert_int_equal(check_props(ctx, kept[i], s, len, &out), FORMATTED);
        if (strcmp(out, s) != 0)
            fail_msg("%s is not formatted: run segc fmt %s", kept[i],
                     kept[i]);
        segc_format_free(ctx, out);
        free(s);
    }
    segc_ctx_free(ctx);
}

/* the rules, schema and file sections of the case files */
static void case_sections(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/tests/cases", repo());
    size_t n;
    char **names = list_dir(dir, ".case", &n);
    assert_true(n > 100);
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    tally t = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        char *s = slurp(path, &len);
        assert_non_null(s);
        /* a section runs from its "--- " line to the next one */
        const char *p = s;
        while ((p = strstr(p, "--- "))) {
            if (p != s && p[-1] != '\n') {
                p += 4;
                continue;
            }
            const char *head = p;
            const char *body = strchr(p, '\n');
            if (!body)
                break;
            body++;
            const char *end = body;
            while ((end = strstr(end, "--- ")) && end[-1] != '\n')
                end += 4;
            if (!end)
                end = s + len;
            bool code = strncmp(head, "--- rules\n", 10) == 0 ||
                        strncmp(head, "--- schema\n", 11) == 0 ||
                        strncmp(head, "--- file ", 9) == 0;
            if (code) {
                char name[700];
                snprintf(name, sizeof name, "%s %.*s", names[i],
                         (int)(body - head - 1), head);
                count(&t, check_props(ctx, name, body, (size_t)(end - body),
                                      NULL));
            }
            p = end;
        }
        free(s);
        free(names[i]);
    }
    free(names);
    print_message("case sections: %d formatted, %d with syntax errors, %d "
                  "refused (nested too deeply)\n",
                  t.formatted, t.syntax, t.other);
    assert_true(t.formatted > 300);
    assert_true(t.other <= 2); /* diag_check_nesting, and the like */
    segc_ctx_free(ctx);
}

/* ---- random programs -------------------------------------------------------------------------- */

/* s with comments put in: at blanks outside strings, a trailing comment
 * and a line break, or an own-line comment; at line ends, a trailing
 * comment (malloc'd) */
static char *with_comments(const char *s, size_t len, size_t *olen)
{
    text t = {0};
    bool in_str = false;
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            put(&t, "%c", c);
            if (c == '\\' && i + 1 < len)
                put(&t, "%c", s[++i]);
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        /* mostly where a comment can stand: around 'and' and 'or', after
         * list elements, at line ends; now and then anywhere */
        bool near_logic = c == ' ' &&
                          (strncmp(s + i + 1, "and ", 4) == 0 ||
                           strncmp(s + i + 1, "or ", 3) == 0 ||
                           (i >= 3 && strncmp(s + i - 3, "and", 3) == 0) ||
                           (i >= 2 && strncmp(s + i - 2, "or", 2) == 0) ||
                           (i >= 1 && s[i - 1] == ','));
        if (c == ' ' && chance(near_logic ? 30 : 1))
            put(&t, chance(50) ? "  # c%d\n" : "\n# c%d\n", k++);
        else if (c == '\n' && chance(25))
            put(&t, chance(70) ? "  # c%d\n" : "\n# c%d\n", k++);
        else
            put(&t, "%c", c);
    }
    *olen = t.len;
    return t.p;
}

/* s with its layout shaken: lines joined, blanks widened, breaks after
 * 'and' and ',' (strings untouched; malloc'd) */
static char *shaken(const char *s, size_t len, size_t *olen)
{
    text t = {0};
    put(&t, "%s", "");
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            put(&t, "%c", c);
            if (c == '\\' && i + 1 < len)
                put(&t, "%c", s[++i]);
            else if (c == '"')
                in_str = false;
            continue;
        }
        in_str = c == '"';
        if (c == '\n' && i + 1 < len && s[i + 1] != '\n' && chance(50))
            put(&t, " ");
        else if (c == ' ' && chance(20))
            put(&t, "   ");
        else if (c == ' ' && ((i >= 3 && strncmp(s + i - 3, "and", 3) == 0) ||
                              s[i - 1] == ',') &&
                 chance(30))
            put(&t, "\n      ");
        else
            put(&t, "%c", c);
    }
    *olen = t.len;
    return t.p;
}

static void random_programs(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    const char *env = getenv("FMT_PROGRAMS");
    int programs = env ? atoi(env) : 400;
    tally plain = {0, 0, 0}, commented = {0, 0, 0};
    int shaken_ok = 0;
    unsigned saved = gen_features;
    for (int i = 0; i < programs; i++) {
        rng_state = 0x5eed0000u + (uint64_t)i;
        gen_features = i % 5 == 0 ? 0 : GEN_ALL;
        text t = {0};
        gen_program(&t, 2 + pick(6), chance(30));
        char name[64];
        snprintf(name, sizeof name, "random program %d", i);
        char *out = NULL;
        count(&plain, check_props(ctx, name, t.p, t.len, &out));
        if (out) {
            /* the layout depends on the program only */
            size_t slen;
            char *sh = shaken(out, strlen(out), &slen);
            char *again = NULL;
            if (segc_format(ctx, name, sh, slen, &again, NULL) == SEGC_OK) {
                parsed a, b;
                parse_text(&a, out, strlen(out));
                parse_text(&b, sh, slen);
                if (fmt_same_tree(a.f, b.f) && strcmp(again, out) != 0) {
                    fprintf(stderr, "---- formatted:\n%s---- shaken:\n%s"
                            "---- formatted again:\n%s", out, sh, again);
                    fail_msg("%s: the layout depends on the input's", name);
                }
                shaken_ok += fmt_same_tree(a.f, b.f);
                parsed_free(&a);
                parsed_free(&b);
                segc_format_free(ctx, again);
            }
            segc_diag_clear(ctx);
            free(sh);
            segc_format_free(ctx, out);
        }
        size_t clen;
        char *c = with_comments(t.p, t.len, &clen);
        snprintf(name, sizeof name, "random program %d with comments", i);
        outcome o = check_props(ctx, name, c, clen, NULL);
        count(&commented, o);
        free(c);
        free(t.p);
    }
    gen_features = saved;
    count(&plain, check_props(ctx, "schema T", schema_text,
                              strlen(schema_text), NULL));
    count(&plain, check_props(ctx, "schema N", narrow_text,
                              strlen(narrow_text), NULL));
    count(&plain, check_props(ctx, "schema TE", schema_ev_text,
                              strlen(schema_ev_text), NULL));
    count(&plain, check_props(ctx, "schema NE", narrow_ev_text,
                              strlen(narrow_ev_text), NULL));
    print_message("random programs: %d formatted, %d of them again after "
                  "shaking their layout; with comments: %d formatted, %d "
                  "refused (a comment inside an expression), %d with syntax "
                  "errors\n",
                  plain.formatted, shaken_ok, commented.formatted,
                  commented.other, commented.syntax);
    assert_int_equal(plain.formatted, programs + 4);
    assert_true(shaken_ok >= programs * 9 / 10);
    assert_true(commented.formatted >= programs / 4);
    segc_ctx_free(ctx);
}

/* deep and long inputs: no recursion without bound, and a clear refusal */
static void deep_and_long(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    text t = {0};
    put(&t, "segment A where ");
    for (int i = 0; i < 5000; i++)
        put(&t, "not ");
    put(&t, "x\n");
    assert_int_equal(check_props(ctx, "deep not", t.p, t.len, NULL),
                     REFUSED_OTHER);
    t.len = 0;
    put(&t, "segment A where x0");
    for (int i = 1; i < 20000; i++)
        put(&t, " %s x%d", i % 7 ? "and" : "or", i);
    put(&t, "\nconst L = [0");
    for (int i = 1; i < 20000; i++)
        put(&t, ", %d", i);
    put(&t, "]\n");
    assert_int_equal(check_props(ctx, "long chains", t.p, t.len, NULL),
                     FORMATTED);
    free(t.p);
    segc_ctx_free(ctx);
}

/* ---- the allocator failing ---------------------------------------------------------------------- */

typedef struct counter {
    long live, calls, fail_at;
} counter;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter *c = ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr)
            c->live--;
        free(ptr);
        return NULL;
    }
    if (++c->calls == c->fail_at)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p && !ptr)
        c->live++;
    return p;
}

static void out_of_memory(void **state)
{
    (void)state;
    static const char src[] =
        "# A description.\n"
        "@owner(\"crm\") @channel(email)\n"
        "segment A where a and (b or c)  # t\n"
        "  and count(where x > 1) > 2\n"
        "const L = [\"a\",  # one\n  \"b\"]\n"
        "classify K {\n  X where x\n  else Y\n}\n"
        "schema S {\n  id : int key  # k\n  t : set<string>?\n}\n";
    counter c = {0, 0, 0};
    segc_ctx *ctx = segc_ctx_new(count_alloc, &c);
    assert_non_null(ctx);
    bool done = false;
    for (long k = 1; !done && k < 100000; k++) {
        c.calls = 0;
        c.fail_at = k;
        char *out = NULL;
        segc_status st = segc_format(ctx, "oom.seg", src, strlen(src), &out,
                                     NULL);
        c.fail_at = 0;
        if (st == SEGC_OK) {
            done = true;
            segc_format_free(ctx, out);
        } else {
            assert_int_equal(st, SEGC_ERR_NOMEM);
            assert_null(out);
        }
        segc_diag_clear(ctx);
    }
    assert_true(done);
    segc_ctx_free(ctx);
    assert_int_equal(c.live, 0);
}

static void api_arguments(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    char *out = (char *)"x";
    assert_int_equal(segc_format(ctx, "x", NULL, 3, &out, NULL),
                     SEGC_ERR_ARG);
    assert_int_equal(segc_format(ctx, "x", "", 0, NULL, NULL), SEGC_ERR_ARG);
    assert_int_equal(segc_format(NULL, "x", "", 0, &out, NULL),
                     SEGC_ERR_ARG);
    size_t n = 7;
    assert_int_equal(segc_format(ctx, NULL, NULL, 0, &out, &n), SEGC_OK);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    segc_format_free(ctx, out);
    segc_format_free(ctx, NULL);
    segc_ctx_free(ctx);
}

/* ---- the unified diff ----------------------------------------------------------------------------- */

/* the end of the line of a that starts at i, after its newline */
static size_t line_end(const char *a, size_t alen, size_t i)
{
    while (i < alen && a[i] != '\n')
        i++;
    return i < alen ? i + 1 : i;
}

/* Applies a unified diff to a; the result in a malloc'd string, or NULL
 * when the diff does not fit a. */
static char *apply_diff(const char *a, size_t alen, const char *d,
                        size_t *olen)
{
    text out = {0};
    put(&out, "%s", "");
    size_t ai = 0; /* the next byte of a */
    long aline = 0;
    const char *p = d;
    char last = 0;
    bool ok = true;
    while (ok && *p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        size_t n = (size_t)(nl - p);
        if (last == 0 && n >= 4 &&
            (strncmp(p, "--- ", 4) == 0 || strncmp(p, "+++ ", 4) == 0)) {
            p = nl + 1;
            continue;
        }
        if (n >= 2 && p[0] == '@' && p[1] == '@') {
            long s = strtol(p + 4, NULL, 10);
            const char *comma = memchr(p + 4, ',', n - 4);
            const char *space = memchr(p + 4, ' ', n - 4);
            long c = comma && comma < space ? strtol(comma + 1, NULL, 10) : 1;
            long to = c ? s - 1 : s;
            ok = to >= aline;
            while (ok && aline < to) {
                size_t e = line_end(a, alen, ai);
                put(&out, "%.*s", (int)(e - ai), a + ai);
                ai = e;
                aline++;
            }
            last = '@';
        } else if (p[0] == '\\') {
            if (last == '+') { /* a context line was copied as it is */
                ok = out.len > 0 && out.p[out.len - 1] == '\n';
                if (ok)
                    out.p[--out.len] = 0;
            }
            if (last == '-' || last == ' ')
                ok = ok && ai == alen && (alen == 0 || a[alen - 1] != '\n');
        } else if (p[0] == '+') {
            put(&out, "%.*s\n", (int)(n - 1), p + 1);
            last = '+';
        } else if (p[0] == ' ' || p[0] == '-') {
            size_t e = line_end(a, alen, ai);
            size_t body = e > ai && a[e - 1] == '\n' ? e - 1 - ai : e - ai;
            ok = ai < alen && body == n - 1 && memcmp(a + ai, p + 1, n - 1) == 0;
            if (ok && p[0] == ' ')
                put(&out, "%.*s", (int)(e - ai), a + ai);
            ai = e;
            aline++;
            last = p[0];
        } else {
            ok = false;
        }
        p = nl + 1;
    }
    put(&out, "%.*s", (int)(alen - ai), a + ai);
    *olen = out.len;
    if (!ok) {
        free(out.p);
        return NULL;
    }
    return out.p;
}

static void random_text(text *t, int lines, bool final_newline)
{
    static const char *const words[] = {"a", "b", "c", "d", "", "segment"};
    for (int i = 0; i < lines; i++)
        put(t, "%s%s", words[pick(6)], i + 1 < lines || final_newline ? "\n" : "");
}

/* the lines of s, each with its newline */
static int split(const char *s, size_t len, const char **ls, size_t *ln)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || i + 1 == len) {
            ls[n] = s + start;
            ln[n++] = i + 1 - start;
            start = i + 1;
        }
    return n;
}

static void udiff(void **state)
{
    (void)state;
    for (int round = 0; round < 3000; round++) {
        rng_state = 0xd1ff0000u + (uint64_t)round;
        text a = {0}, b = {0};
        put(&a, "%s", "");
        put(&b, "%s", "");
        random_text(&a, pick(25), !chance(15));
        if (chance(60)) {
            /* b: a with a few lines changed, dropped or added */
            const char *ls[64];
            size_t ln[64];
            int n = split(a.p, a.len, ls, ln);
            for (int i = 0; i <= n; i++) {
                if (chance(15))
                    random_text(&b, 1 + pick(3), true);
                if (i < n && !chance(15))
                    put(&b, "%.*s", (int)ln[i], ls[i]);
            }
            if (chance(10) && b.len && b.p[b.len - 1] == '\n')
                b.p[--b.len] = 0;
        } else {
            random_text(&b, pick(25), !chance(15));
        }
        char *d = NULL;
        size_t dlen = 0;
        FILE *f = open_memstream(&d, &dlen);
        assert_true(cli_udiff(f, "x.seg", a.p, a.len, b.p, b.len));
        fclose(f);
        if (a.len == b.len && memcmp(a.p, b.p, a.len) == 0) {
            assert_int_equal(dlen, 0);
        } else {
            assert_true(strncmp(d, "--- a/x.seg\n+++ b/x.seg\n@@ -", 28) == 0);
            size_t rlen;
            char *r = apply_diff(a.p, a.len, d, &rlen);
            if (!r || rlen != b.len || memcmp(r, b.p, b.len) != 0) {
                fprintf(stderr, "---- a:\n%s\n---- b:\n%s\n---- diff:\n%s"
                        "---- applied (%zu bytes, b has %zu):\n%s\n",
                        a.p, b.p, d, rlen, b.len, r ? r : "(does not fit)");
                fail_msg("round %d: the diff does not turn a into b", round);
            }
            free(r);
            /* minimal: as many - and + lines as the longest common
             * subsequence leaves */
            const char *la[64], *lb[64];
            size_t na[64], nb[64];
            int n = split(a.p, a.len, la, na), m = split(b.p, b.len, lb, nb);
            static int lcs[65][65];
            for (int i = n; i >= 0; i--)
                for (int j = m; j >= 0; j--)
                    lcs[i][j] = i == n || j == m ? 0
                                : na[i] == nb[j] && memcmp(la[i], lb[j], na[i]) == 0
                                    ? 1 + lcs[i + 1][j + 1]
                                    : (lcs[i + 1][j] > lcs[i][j + 1] ? lcs[i + 1][j]
                                                                     : lcs[i][j + 1]);
            int edits = 0;
            for (const char *q = d; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
                if ((*q == '-' && strncmp(q, "--- ", 4) != 0) ||
                    (*q == '+' && strncmp(q, "+++ ", 4) != 0))
                    edits++;
            assert_int_equal(edits, n + m - 2 * lcs[0][0]);
        }
        free(d);
        free(a.p);
        free(b.p);
    }
}

/* texts so different that the diff takes the cut-off of udiff.c: still a
 * diff that turns one into the other */
static void udiff_large(void **state)
{
    (void)state;
    rng_state = 0xb16d1ff;
    text a = {0}, b = {0};
    put(&a, "%s", "");
    put(&b, "%s", "");
    for (int i = 0; i < 9000; i++) {
        put(&a, "line %d\n", pick(3000));
        put(&b, "line %d\n", pick(3000));
    }
    char *d = NULL;
    size_t dlen = 0;
    FILE *f = open_memstream(&d, &dlen);
    assert_true(cli_udiff(f, "big.seg", a.p, a.len, b.p, b.len));
    fclose(f);
    size_t rlen;
    char *r = apply_diff(a.p, a.len, d, &rlen);
    assert_non_null(r);
    assert_int_equal(rlen, b.len);
    assert_memory_equal(r, b.p, b.len);
    free(r);
    free(d);
    free(a.p);
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden),
        cmocka_unit_test(repository_files),
        cmocka_unit_test(case_sections),
        cmocka_unit_test(random_programs),
        cmocka_unit_test(deep_and_long),
        cmocka_unit_test(out_of_memory),
        cmocka_unit_test(api_arguments),
        cmocka_unit_test(udiff),
        cmocka_unit_test(udiff_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
