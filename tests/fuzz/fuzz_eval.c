/* fuzz_eval.c - compile and evaluate: the interpreter against the JIT.
 *
 * The input is a rule file. It is compiled against the example schema and
 * with no schema given (for a rule file that declares its schema inline).
 * Every program that compiles gets machine code (at LLVM's O1, O2 or O3,
 * picked by a hash of the input) and is evaluated over a small data set at
 * two instants (a month end with a time of day, and a leap day at
 * midnight) by the interpreter and by the JIT; the harness aborts when
 * their bitmaps differ (fuzz_compare_engines).
 *
 * The data set: for the example schema, 150 records made once, at start;
 * for an inline schema, 150 rows made for it from the input: values near
 * the edges (int64 limits, zero, ages at day and second boundaries of the
 * instants, the extreme dates), the numbers, dates, instants and strings
 * written in the rule file and their neighbours, nulls in a fifth of the
 * nullable cells. The public API does not list an enum's values, so they
 * are read from the rule text (`name : enum(a, b)`); rows with a value the
 * field does not have are skipped (skip_bad_rows). 150 records are two
 * whole blocks of 64 and a partial one.
 *
 * One context serves every input, so that the JIT (LLVM's LLJIT) is made
 * once; its allocator hook checks every call, and after each input the
 * live bytes must be back where they were. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define AS_OF_1 INT64_C(1711892710) /* 2024-03-31T13:45:10Z */
#define AS_OF_2 INT64_C(1709164800) /* 2024-02-29T00:00:00Z */
#define AS_OF_DAY INT64_C(19813)    /* 2024-03-31 */
#define ROWS 150
#define MIN_DAY INT64_C(-719162)    /* 0001-01-01 */
#define MAX_DAY INT64_C(2932896)    /* 9999-12-31 */

static fuzz_hook hook;
static segc_ctx *ctx;
static segc_schema *example;
static segc_data *example_data;
static size_t baseline;

/* ---- what the rule text offers ------------------------------------------- */

#define MAX_LITS 32
#define MAX_ENUMS 16
#define MAX_VALUES 32

typedef struct span {
    const char *s;
    size_t len;
} span;

typedef struct enum_decl {
    span field;
    span values[MAX_VALUES];
    size_t n;
} enum_decl;

typedef struct harvest {
    int64_t ints[MAX_LITS]; /* integers, and integer parts of decimals */
    size_t nints;
    span decimals[MAX_LITS]; /* number literals as written (for floats) */
    size_t ndecimals;
    int64_t days[MAX_LITS];   /* dates */
    size_t ndays;
    int64_t instants[MAX_LITS]; /* timestamps */
    size_t ninstants;
    span strings[MAX_LITS];
    size_t nstrings;
    enum_decl enums[MAX_ENUMS];
    size_t nenums;
} harvest;

static bool is_ident(char c, bool first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void harvest_enum(harvest *h, const char *t, size_t n, size_t at)
{
    /* t[at..] is "enum": find "NAME :" before it and "( a, b )" after */
    size_t i = at;
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
        i--;
    if (i == 0 || t[i - 1] != ':' || h->nenums == MAX_ENUMS)
        return;
    i--;
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
        i--;
    size_t end = i;
    while (i > 0 && is_ident(t[i - 1], false))
        i--;
    if (i == end)
        return;
    enum_decl *e = &h->enums[h->nenums];
    e->field = (span){t + i, end - i};
    e->n = 0;
    size_t k = at + 4;
    while (k < n && (t[k] == ' ' || t[k] == '\t'))
        k++;
    if (k == n || t[k] != '(')
        return;
    k++;
    while (k < n && t[k] != ')' && t[k] != '\n' && e->n < MAX_VALUES) {
        if (is_ident(t[k], true)) {
            size_t s = k;
            while (k < n && is_ident(t[k], false))
                k++;
            e->values[e->n++] = (span){t + s, k - s};
        } else {
            k++;
        }
    }
    if (e->n)
        h->nenums++;
}

static void harvest_text(harvest *h, const char *t, size_t n)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < n;) {
        char c = t[i];
        if (c == '#') { /* a comment */
            while (i < n && t[i] != '\n')
                i++;
        } else if (c == '"') {
            size_t s = ++i;
            while (i < n && t[i] != '"' && t[i] != '\n' && t[i] != '\\')
                i++;
            if (i < n && t[i] == '"' && h->nstrings < MAX_LITS &&
                i - s <= 64)
                h->strings[h->nstrings++] = (span){t + s, i - s};
            if (i < n)
                i++;
        } else if (is_digit(c) && (i == 0 || !is_ident(t[i - 1], false))) {
            size_t s = i;
            while (i < n && (is_digit(t[i]) || t[i] == '_'))
                i++;
            if (i - s == 4 && i < n && t[i] == '-') {
                /* a date, perhaps a timestamp */
                size_t e = i;
                while (e < n && (is_digit(t[e]) || t[e] == '-' ||
                                 t[e] == ':' || t[e] == 'T' || t[e] == 'Z' ||
                                 t[e] == '+' || t[e] == '.') && e - s < 40)
                    e++;
                char b[48];
                memcpy(b, t + s, e - s);
                b[e - s] = 0;
                int64_t v;
                int is_date;
                if (segc_parse_instant(b, &v, &is_date) == 0) {
                    if (is_date && h->ndays < MAX_LITS)
                        h->days[h->ndays++] = v / 86400;
                    else if (!is_date && h->ninstants < MAX_LITS)
                        h->instants[h->ninstants++] = v;
                }
                i = e;
                continue;
            }
            int64_t v = 0;
            bool ok = true;
            for (size_t k = s; k < i; k++)
                if (t[k] != '_' &&
                    (__builtin_mul_overflow(v, 10, &v) ||
                     __builtin_add_overflow(v, t[k] - '0', &v)))
                    ok = false;
            size_t e = i;
            if (e + 1 < n && t[e] == '.' && is_digit(t[e + 1])) {
                e++;
                while (e < n && (is_digit(t[e]) || t[e] == '_'))
                    e++;
            }
            if (ok && h->nints < MAX_LITS)
                h->ints[h->nints++] = v;
            if (h->ndecimals < MAX_LITS && e - s < 40)
                h->decimals[h->ndecimals++] = (span){t + s, e - s};
            i = e;
        } else if (is_ident(c, true) &&
                   (i == 0 || !is_ident(t[i - 1], false))) {
            size_t s = i;
            while (i < n && is_ident(t[i], false))
                i++;
            if (i - s == 4 && memcmp(t + s, "enum", 4) == 0)
                harvest_enum(h, t, n, s);
        } else {
            i++;
        }
    }
}

/* ---- writing CSV --------------------------------------------------------- */

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->p = realloc(o->p, o->cap);
        if (!o->p)
            fuzz_fail(NULL, "out of memory");
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void puts_(out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_field(out *o, const char *s, size_t n)
{
    bool quote = n == 0 || memchr(s, ',', n) || memchr(s, '"', n) ||
                 memchr(s, '\n', n) || memchr(s, '\r', n);
    if (!quote) {
        put(o, s, n);
        return;
    }
    put(o, "\"", 1);
    for (size_t i = 0; i < n; i++)
        put(o, s[i] == '"' ? "\"\"" : s + i, s[i] == '"' ? 2 : 1);
    put(o, "\"", 1);
}

/* ---- values -------------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static size_t pick(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int64_t rand_int(const harvest *h)
{
    switch (pick(7)) {
    case 0:
        return (int64_t)pick(3) - 1;
    case 1:
        return (int64_t)pick(21) - 10;
    case 2:
        return INT64_MAX - (int64_t)pick(3);
    case 3:
        return INT64_MIN + (int64_t)pick(3);
    case 4:
        return (int64_t)(rnd() >> pick(64));
    default:
        if (!h->nints)
            return (int64_t)pick(2001) - 1000;
        int64_t v = h->ints[pick(h->nints)];
        int64_t d = (int64_t)pick(3) - 1;
        if (pick(4) == 0)
            v = v == INT64_MIN ? v : -v;
        return __builtin_add_overflow(v, d, &v) ? 0 : v;
    }
}

static int64_t clamp_day(int64_t d)
{
    return d < MIN_DAY ? MIN_DAY : d > MAX_DAY ? MAX_DAY : d;
}

static const int ages[] = {0, 1, 2, 6, 7, 13, 14, 29, 30, 31, 59, 60,
                           61, 89, 90, 91, 365, 366, -1, -30};

static int64_t rand_day(const harvest *h)
{
    switch (pick(8)) {
    case 0:
        return pick(2) ? MIN_DAY : MAX_DAY;
    case 1:
        return AS_OF_DAY - (int64_t)pick(40000) + 10000;
    case 2:
    case 3:
        if (h->ndays)
            return clamp_day(h->days[pick(h->ndays)] + (int64_t)pick(3) - 1);
        /* fall through */
    default: {
        int64_t day = pick(3) ? AS_OF_DAY : AS_OF_2 / 86400;
        return day - ages[pick(sizeof ages / sizeof ages[0])] +
               (int64_t)pick(3) - 1;
    }
    }
}

static int64_t rand_instant(const harvest *h)
{
    switch (pick(8)) {
    case 0:
        return pick(2) ? MIN_DAY * 86400 : MAX_DAY * 86400 + 86399;
    case 1:
        return rand_day(h) * 86400 + (int64_t)pick(86400);
    case 2:
    case 3:
        if (h->ninstants)
            return h->instants[pick(h->ninstants)] + (int64_t)pick(3) - 1;
        /* fall through */
    default: {
        static const int64_t secs[] = {0, 1, 3600, 43200, 86400, 1209600};
        int64_t t = pick(3) ? AS_OF_1 : AS_OF_2;
        t -= ages[pick(sizeof ages / sizeof ages[0])] * INT64_C(86400);
        t -= secs[pick(sizeof secs / sizeof secs[0])];
        return t + (int64_t)pick(3) - 1;
    }
    }
}

static void put_instant(out *o, int64_t t, bool date)
{
    char b[40];
    size_t n = segc_format_instant(date ? t * 86400 : t, b, sizeof b);
    put(o, b, n);
    if (!date && n == 10)
        puts_(o, "T00:00:00Z");
}

static void put_money(out *o, const harvest *h, int decimals)
{
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    int64_t u;
    switch (pick(5)) {
    case 0:
        u = rand_int(h);
        break;
    case 1:
        u = (int64_t)pick(200001) - 100000;
        break;
    default:
        if (h->nints && !__builtin_mul_overflow(h->ints[pick(h->nints)],
                                                scale, &u))
            u += (int64_t)pick(3) - 1;
        else
            u = (int64_t)pick(1000) * scale;
        if (pick(4) == 0)
            u = -u;
    }
    /* an amount is at most INT64_MAX units either way: INT64_MIN is not
     * one (the loader refuses it) */
    if (u == INT64_MIN)
        u = INT64_MIN + 1 + (int64_t)pick(3);
    uint64_t a = u < 0 ? 0 - (uint64_t)u : (uint64_t)u;
    char b[48];
    int n;
    if (decimals == 0)
        n = snprintf(b, sizeof b, "%s%" PRIu64, u < 0 ? "-" : "", a);
    else
        n = snprintf(b, sizeof b, "%s%" PRIu64 ".%0*" PRIu64, u < 0 ? "-" : "",
                     a / (uint64_t)scale, decimals, a % (uint64_t)scale);
    put(o, b, (size_t)n);
}

static const char *const words[] = {"DE", "AT", "CH", "x", "", "Zo\xc3\xab",
                                    "a,b", "vip", "b2b", "say \"hi\""};
static const char *const tags[] = {"vip", "new", "b2b", "x", "student"};

static span rand_word(const harvest *h)
{
    if (h->nstrings && pick(2))
        return h->strings[pick(h->nstrings)];
    const char *w = words[pick(sizeof words / sizeof words[0])];
    return (span){w, strlen(w)};
}

static span rand_tag(const harvest *h)
{
    if (h->nstrings && pick(2)) {
        span s = h->strings[pick(h->nstrings)];
        if (s.len && !memchr(s.s, ';', s.len))
            return s;
    }
    const char *w = tags[pick(sizeof tags / sizeof tags[0])];
    return (span){w, strlen(w)};
}

static const enum_decl *find_enum(const harvest *h, const char *field)
{
    for (size_t i = 0; i < h->nenums; i++)
        if (h->enums[i].field.len == strlen(field) &&
            memcmp(h->enums[i].field.s, field, h->enums[i].field.len) == 0)
            return &h->enums[i];
    return h->nenums ? &h->enums[pick(h->nenums)] : NULL;
}

static void put_value(out *o, const harvest *h, const segc_field_info *f,
                      size_t row)
{
    char b[64];
    if (f->is_key) {
        int n = snprintf(b, sizeof b, f->type == SEGC_TYPE_INT ? "%zu"
                                      : row % 7 ? "k%zu" : "k,\"%zu\"",
                         row + 1);
        put_field(o, b, (size_t)n);
        return;
    }
    if (f->nullable && pick(5) == 0)
        return;
    switch (f->type) {
    case SEGC_TYPE_BOOL:
        puts_(o, pick(2) ? "true" : pick(2) ? "false" : pick(2) ? "1" : "0");
        break;
    case SEGC_TYPE_INT:
        snprintf(b, sizeof b, "%" PRId64, rand_int(h));
        puts_(o, b);
        break;
    case SEGC_TYPE_FLOAT: {
        static const char *const fl[] = {"0", "-0.0", "1.5", "2", "0.1",
                                         "3e300", "-7.25", "1e-300", "4.5",
                                         "0.8", "-1e308"};
        if (h->ndecimals && pick(2)) {
            span d = h->decimals[pick(h->ndecimals)];
            char c[48];
            size_t k = 0;
            if (pick(3) == 0)
                c[k++] = '-';
            for (size_t i = 0; i < d.len; i++)
                if (d.s[i] != '_')
                    c[k++] = d.s[i];
            put(o, c, k);
        } else {
            puts_(o, fl[pick(sizeof fl / sizeof fl[0])]);
        }
        break;
    }
    case SEGC_TYPE_MONEY:
        put_money(o, h, f->decimals);
        break;
    case SEGC_TYPE_STRING: {
        span w = rand_word(h);
        put_field(o, w.s, w.len);
        break;
    }
    case SEGC_TYPE_ENUM: {
        const enum_decl *e = find_enum(h, f->name);
        if (e) {
            span v = e->values[pick(e->n)];
            put(o, v.s, v.len);
        }
        break;
    }
    case SEGC_TYPE_DATE:
        put_instant(o, rand_day(h), true);
        break;
    case SEGC_TYPE_TIMESTAMP:
        put_instant(o, rand_instant(h), false);
        break;
    case SEGC_TYPE_SET: {
        size_t k = pick(4);
        if (k == 0) {
            puts_(o, "\"\""); /* the empty set */
            break;
        }
        out cell = {0};
        for (size_t i = 0; i < k; i++) {
            span t = rand_tag(h);
            if (i)
                put(&cell, ";", 1);
            put(&cell, t.s, t.len);
        }
        put_field(o, cell.p, cell.len);
        free(cell.p);
        break;
    }
    }
}

/* Loads ROWS rows made for schema s (skipping the rows a guessed enum value
 * spoils). Returns NULL when even that fails. */
static segc_data *make_data(const segc_schema *s, const harvest *h,
                            uint64_t seed)
{
    rng = seed;
    size_t nf = segc_schema_field_count(s);
    out o = {0};
    for (size_t i = 0; i < nf; i++) {
        segc_field_info f;
        segc_schema_field(s, i, &f);
        if (i)
            put(&o, ",", 1);
        puts_(&o, f.name);
    }
    put(&o, "\n", 1);
    for (size_t r = 0; r < ROWS; r++) {
        for (size_t i = 0; i < nf; i++) {
            segc_field_info f;
            segc_schema_field(s, i, &f);
            if (i)
                put(&o, ",", 1);
            put_value(&o, h, &f, r);
        }
        put(&o, "\n", 1);
    }
    segc_load_opts opts = {1, 1};
    segc_data *d = NULL;
    segc_status st = segc_data_load_csv(ctx, s, fuzz_memfile(0, o.p, o.len),
                                        &opts, &d, NULL);
    free(o.p);
    FUZZ_CHECK(ctx, st == SEGC_OK || st == SEGC_ERR_DATA,
               "loading the made rows returned %d", (int)st);
    return d;
}

/* ---- the harness --------------------------------------------------------- */

/* at exit: everything freed (for valgrind and LeakSanitizer), and every
 * byte back to the hook */
static void cleanup(void)
{
    segc_data_free(ctx, example_data);
    segc_schema_free(ctx, example);
    fuzz_ctx_free(ctx, &hook);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_harness_name = "fuzz_eval";
    atexit(cleanup);
    ctx = fuzz_ctx_new(&hook);
    size_t len;
    char *text = fuzz_read_file(fuzz_source_path("examples/customer.schema"),
                                &len);
    if (segc_schema_parse(ctx, "customer.schema", text, len, &example) !=
        SEGC_OK)
        fuzz_fail(ctx, "cannot parse the example schema");
    harvest h;
    harvest_text(&h, text, len);
    example_data = make_data(example, &h, 42);
    free(text);
    FUZZ_CHECK(ctx, example_data && segc_data_count(example_data) == ROWS,
               "the example data set has %zu of %d records",
               example_data ? segc_data_count(example_data) : 0, ROWS);
    /* the context's JIT is made once, here */
    static const char warm[] = "segment Warm where orders > 1";
    segc_program *p = NULL;
    if (segc_compile(ctx, example, "warm.seg", warm, sizeof warm - 1, NULL,
                     &p) != SEGC_OK ||
        segc_program_jit(ctx, p) != SEGC_OK)
        fuzz_fail(ctx, "cannot make the JIT");
    fuzz_compare_engines(ctx, p, example_data, AS_OF_1);
    segc_program_free(ctx, p);
    segc_diag_clear(ctx);
    baseline = hook.live_bytes;
    return 0;
}

static void run(segc_program *p, const segc_data *d, uint64_t hash)
{
    if ((hash >> 8) & 1) {
        segc_status st = segc_program_jit(ctx, p);
        FUZZ_CHECK(ctx, st == SEGC_OK,
                   "the checker accepted the program; the JIT refused it "
                   "(%d)",
                   (int)st);
    } /* else the first JIT evaluation makes code for itself */
    fuzz_compare_engines(ctx, p, d, AS_OF_1);
    fuzz_compare_engines(ctx, p, d, AS_OF_2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t hash = fuzz_hash(data, size);
    const segc_compile_opts *opts = fuzz_compile_opts(1 + (int)(hash % 3));
    const char *text = (const char *)data;

    segc_program *p = NULL;
    if (segc_compile(ctx, example, "fuzz.seg", text, size, opts, &p) ==
        SEGC_OK) {
        run(p, example_data, hash);
        segc_program_free(ctx, p);
    }
    p = NULL;
    if (segc_compile(ctx, NULL, "fuzz.seg", text, size, opts, &p) ==
        SEGC_OK) {
        harvest h;
        harvest_text(&h, text, size);
        segc_data *d = make_data(segc_program_schema(p), &h, hash);
        if (d) {
            run(p, d, hash);
            segc_data_free(ctx, d);
        }
        segc_program_free(ctx, p);
    }
    fuzz_check_diags(ctx);
    segc_diag_clear(ctx);
    FUZZ_CHECK(ctx, hook.live_bytes == baseline,
               "%zu bytes of the context's allocations are still live after "
               "the input; %zu before",
               hook.live_bytes, baseline);
    return 0;
}
