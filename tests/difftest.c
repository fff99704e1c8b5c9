/* difftest.c - the randomized differential test: random well-typed programs
 * over random records, evaluated by the interpreter and the JIT, whose
 * bitmaps must agree bit for bit.
 *
 *   difftest [--programs N] [--segments K] [--seed S] [--verbose]
 *
 * Programs are written as rule text, so they pass through the parser and
 * the checker like any rule file. The generator covers every operator and
 * literal kind of the language, nulls in every position, int64 edges
 * (overflow gives null), money at several scales, ages at exact day and
 * second boundaries of as_of, calendar months, strings and enums, sets. On
 * a disagreement it prints the segment, the record and the seed. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segc.h"

static const char schema_text[] =
    "schema T {\n"
    "  id   : int key\n"
    "  a    : int\n"
    "  b    : int?\n"
    "  c    : int?\n"
    "  x    : float?\n"
    "  y    : float\n"
    "  m    : money(EUR)?\n"
    "  n    : money(EUR)\n"
    "  j    : money(JPY)?\n"
    "  s    : string?\n"
    "  t    : string\n"
    "  e    : enum(lo, mid, hi)?\n"
    "  d    : date?\n"
    "  d2   : date\n"
    "  ts   : timestamp?\n"
    "  f    : bool?\n"
    "  g    : bool\n"
    "  tags : set<string>?\n"
    "}\n";

/* A schema of 4-byte and 1-byte values only: its records are not a multiple
 * of 8 bytes, which sends the JIT down its gather path instead of the
 * transposition of 64-byte chunks. */
static const char narrow_text[] =
    "schema N {\n"
    "  id : string key\n"
    "  d  : date?\n"
    "  d2 : date\n"
    "  s  : string?\n"
    "  e  : enum(lo, mid, hi)?\n"
    "  f  : bool?\n"
    "  g  : bool\n"
    "  t  : string\n"
    "}\n";

/* as_of of every evaluation: 2024-03-31T13:45:10Z (a month end, with a
 * time of day, so that calendar clamping and day boundaries both matter) */
static const int64_t AS_OF = 1711892710;
static const int64_t AS_OF_DAY = 19813; /* 2024-03-31 */

/* ---- random numbers ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static bool chance(int percent)
{
    return pick(100) < percent;
}

/* ---- text -------------------------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
    memcpy(t->p + t->len, tmp, (size_t)n + 1);
    t->len += (size_t)n;
}

/* ---- records ------------------------------------------------------------------------ */

static const char *const words[] = {"DE", "AT", "CH", "x", "", "Zoë", "a,b"};
static const char *const tagwords[] = {"vip", "new", "b2b", "x"};

static void date_text(int64_t days, char *buf, size_t cap)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(buf, cap, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* ints near the edges that matter: 0, small, and overflow */
static int64_t rand_int(void)
{
    switch (pick(6)) {
    case 0:
        return pick(3) - 1;
    case 1:
        return pick(21) - 10;
    case 2:
        return pick(2001) - 1000;
    case 3:
        return INT64_MAX - pick(3);
    case 4:
        return INT64_MIN + pick(3);
    default:
        return (int64_t)(rnd() >> pick(64));
    }
}

/* a day near as_of (ages at and around common boundaries), or far away */
static int64_t rand_day(void)
{
    static const int ages[] = {0, 1, 2, 6, 7, 13, 14, 29, 30, 31, 59, 60,
                               61, 89, 90, 91, 365, 366, -1, -30};
    if (chance(80))
        return AS_OF_DAY - ages[pick(20)] + (pick(3) - 1) * (chance(30) ? 1 : 0);
    return AS_OF_DAY - pick(20000) + 5000;
}

static void money_text(text *t, int scale_digits, bool big)
{
    int64_t v = big ? (int64_t)(rnd() >> pick(64)) : pick(200001) - 100000;
    if (chance(50))
        v = -v;
    if (scale_digits == 0) {
        put(t, "%" PRId64, v);
        return;
    }
    uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    put(t, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
}

static void csv_field(text *t, const char *s)
{
    bool quote = *s == 0 || strpbrk(s, ",\"\n");
    if (!quote) {
        put(t, "%s", s);
        return;
    }
    put(t, "\"");
    for (const char *p = s; *p; p++)
        put(t, *p == '"' ? "\"\"" : "%c", *p);
    put(t, "\"");
}

static void gen_records(text *t, int n)
{
    put(t, "id,a,b,c,x,y,m,n,j,s,t,e,d,d2,ts,f,g,tags\n");
    char buf[64];
    for (int i = 0; i < n; i++) {
        put(t, "%d,%" PRId64 ",", i + 1, rand_int());
        if (!chance(20))
            put(t, "%" PRId64, rand_int());
        put(t, ",");
        if (!chance(20))
            put(t, "%d", pick(11) - 5);
        put(t, ",");
        if (!chance(20)) {
            static const char *const fl[] = {"0", "-0.0", "1.5", "2", "0.1",
                                             "3e300", "-7.25", "1e-300"};
            put(t, "%s", fl[pick(8)]);
        }
        put(t, ",%d.%d,", pick(21) - 10, pick(10));
        if (!chance(20))
            money_text(t, 2, chance(10));
        put(t, ",");
        money_text(t, 2, chance(5));
        put(t, ",");
        if (!chance(20))
            money_text(t, 0, false);
        put(t, ",");
        if (!chance(20))
            csv_field(t, words[pick(7)]);
        put(t, ",");
        csv_field(t, words[pick(7)]);
        put(t, ",");
        if (!chance(20))
            put(t, "%s", (const char *[]){"lo", "mid", "hi"}[pick(3)]);
        put(t, ",");
        if (!chance(20)) {
            date_text(rand_day(), buf, sizeof buf);
            put(t, "%s", buf);
        }
        date_text(rand_day(), buf, sizeof buf);
        put(t, ",%s,", buf);
        if (!chance(20)) {
            /* a timestamp a whole number of hours, days or seconds away */
            static const int64_t secs[] = {0, 1, 59, 3600, 43200, 86399, 86400,
                                           86401, 1209600, 2592000};
            int64_t ts = AS_OF - secs[pick(10)] * (chance(85) ? 1 : -1) +
                         (chance(20) ? pick(3) - 1 : 0);
            int64_t day = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
            int64_t tod = ts - day * 86400;
            date_text(day, buf, sizeof buf);
            put(t, "%sT%02d:%02d:%02dZ", buf, (int)(tod / 3600),
                (int)(tod / 60 % 60), (int)(tod % 60));
        }
        put(t, ",");
        if (!chance(20))
            put(t, "%s", chance(50) ? "true" : "false");
        put(t, ",%s,", chance(50) ? "1" : "0");
        if (chance(15)) {
            /* null set (empty cell) */
        } else {
            int k = pick(3);
            if (k == 0)
                put(t, "\"\"");
            for (int q = 0; q < k; q++)
                put(t, "%s%s", q ? ";" : "", tagwords[pick(4)]);
        }
        put(t, "\n");
    }
}

static void gen_narrow_records(text *t, int n)
{
    char buf[64];
    put(t, "id,d,d2,s,e,f,g,t\n");
    for (int i = 0; i < n; i++) {
        put(t, "k%d,", i + 1);
        if (!chance(20)) {
            date_text(rand_day(), buf, sizeof buf);
            put(t, "%s", buf);
        }
        date_text(rand_day(), buf, sizeof buf);
        put(t, ",%s,", buf);
        if (!chance(20))
            csv_field(t, words[pick(7)]);
        put(t, ",");
        if (!chance(20))
            put(t, "%s", (const char *[]){"lo", "mid", "hi"}[pick(3)]);
        put(t, ",");
        if (!chance(20))
            put(t, "%s", chance(50) ? "true" : "false");
        put(t, ",%s,", chance(50) ? "1" : "0");
        csv_field(t, words[pick(7)]);
        put(t, "\n");
    }
}

/* ---- programs --------------------------------------------------------------------------- */

static void gen_bool(text *t, int depth);

static void gen_int(text *t, int depth)
{
    if (depth <= 0 || chance(40)) {
        switch (pick(5)) {
        case 0:
            put(t, "a");
            return;
        case 1:
            put(t, "b");
            return;
        case 2:
            put(t, "c");
            return;
        case 3:
            put(t, "%d", pick(21) - 10);
            return;
        default:
            put(t, "%s", (const char *[]){"9223372036854775807", "1_000",
                                          "0", "-1"}[pick(4)]);
            return;
        }
    }
    switch (pick(4)) {
    case 0:
        put(t, "-(");
        gen_int(t, depth - 1);
        put(t, ")");
        return;
    default:
        put(t, "(");
        gen_int(t, depth - 1);
        put(t, " %c ", "+-*"[pick(3)]);
        gen_int(t, depth - 1);
        put(t, ")");
        return;
    }
}

static void gen_float(text *t, int depth)
{
    if (depth <= 0 || chance(35)) {
        switch (pick(5)) {
        case 0:
            put(t, "x");
            return;
        case 1:
            put(t, "y");
            return;
        case 2:
            put(t, "%s", (const char *[]){"0.5", "1.25", "80%", "0.0",
                                          "12.5%"}[pick(5)]);
            return;
        case 3:
            gen_int(t, 0);
            return;
        default:
            put(t, "(m / n)");
            return;
        }
    }
    put(t, "(");
    if (chance(50))
        gen_float(t, depth - 1);
    else
        gen_int(t, depth - 1);
    put(t, " %c ", "+-*/"[pick(4)]);
    gen_float(t, depth - 1);
    put(t, ")");
}

static void gen_money(text *t, int depth)
{
    if (depth <= 0 || chance(40)) {
        switch (pick(3)) {
        case 0:
            put(t, "m");
            return;
        case 1:
            put(t, "n");
            return;
        default:
            put(t, "%s", (const char *[]){"0 EUR", "10.50 EUR", "-3.99 EUR",
                                          "1000 EUR", "0.01 EUR"}[pick(5)]);
            return;
        }
    }
    switch (pick(5)) {
    case 0:
        put(t, "(");
        gen_money(t, depth - 1);
        put(t, " %c ", "+-"[pick(2)]);
        gen_money(t, depth - 1);
        put(t, ")");
        return;
    case 1:
        put(t, "(");
        gen_money(t, depth - 1);
        put(t, " * ");
        gen_int(t, 0);
        put(t, ")");
        return;
    case 2:
        put(t, "(%s * ", (const char *[]){"0.8", "80%", "1.5", "0.333",
                                          "100%"}[pick(5)]);
        gen_money(t, depth - 1);
        put(t, ")");
        return;
    case 3:
        put(t, "-(");
        gen_money(t, depth - 1);
        put(t, ")");
        return;
    default:
        put(t, "(%d * ", pick(5) - 2);
        gen_money(t, depth - 1);
        put(t, ")");
        return;
    }
}

static const char *duration(void)
{
    static const char *const d[] = {"0d",  "1d", "7d",  "2w", "30d", "90d",
                                    "1mo", "6mo", "1y", "12h", "1min", "365d",
                                    "1y + 1mo", "2 * 30d", "-1d"};
    return d[pick(15)];
}

static const char *day_duration(void)
{
    static const char *const d[] = {"0d", "1d", "7d", "2w", "30d", "90d",
                                    "1mo", "6mo", "1y", "365d", "-1d",
                                    "1mo + 1d", "3 * 1w"};
    return d[pick(13)];
}

static void gen_date(text *t, int depth)
{
    if (depth <= 0 || chance(50)) {
        switch (pick(4)) {
        case 0:
            put(t, "d");
            return;
        case 1:
            put(t, "d2");
            return;
        case 2:
            put(t, "today");
            return;
        default:
            put(t, "%s", (const char *[]){"2024-02-29", "2024-03-31",
                                          "2023-12-31", "2024-01-01"}[pick(4)]);
            return;
        }
    }
    put(t, "(");
    gen_date(t, depth - 1);
    put(t, " %c %s)", "+-"[pick(2)], day_duration());
}

static void gen_ts(text *t, int depth)
{
    if (depth <= 0 || chance(50)) {
        switch (pick(3)) {
        case 0:
            put(t, "ts");
            return;
        case 1:
            put(t, "now");
            return;
        default:
            put(t, "%s", (const char *[]){"2024-03-31T13:45:10Z",
                                          "2024-03-30T00:00:00+02:00",
                                          "2024-02-29T23:59:59Z"}[pick(3)]);
            return;
        }
    }
    put(t, "(");
    gen_ts(t, depth - 1);
    put(t, " %c %s)", "+-"[pick(2)], duration());
}

static const char *cmpop(bool ordered)
{
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
    return ordered ? ops[pick(6)] : ops[pick(2)];
}

static void gen_cmp(text *t, int depth)
{
    switch (pick(14)) {
    case 0:
        gen_int(t, depth);
        put(t, " %s ", cmpop(true));
        gen_int(t, depth);
        return;
    case 1:
        gen_float(t, depth);
        put(t, " %s ", cmpop(true));
        if (chance(50))
            gen_float(t, depth);
        else
            gen_int(t, depth);
        return;
    case 2:
        gen_money(t, depth);
        put(t, " %s ", cmpop(true));
        gen_money(t, depth);
        return;
    case 3:
        put(t, "%s %s %s", chance(50) ? "d" : "d2", cmpop(true), day_duration());
        return;
    case 4:
        put(t, "ts %s %s", cmpop(true), duration());
        return;
    case 5:
        gen_date(t, depth);
        put(t, " %s ", cmpop(true));
        if (chance(70))
            gen_date(t, depth);
        else
            gen_ts(t, depth);
        return;
    case 6:
        gen_ts(t, depth);
        put(t, " %s ", cmpop(true));
        gen_ts(t, depth);
        return;
    case 7:
        put(t, "%s %s ", chance(50) ? "s" : "t", cmpop(false));
        if (chance(30))
            put(t, "%s", chance(50) ? "s" : "t");
        else
            put(t, "\"%s\"", (const char *[]){"DE", "x", "", "nope", "Zoë"}[pick(5)]);
        return;
    case 8:
        put(t, "e %s %s", cmpop(true), (const char *[]){"lo", "mid", "hi"}[pick(3)]);
        return;
    case 9:
        put(t, "%s %s %s", chance(50) ? "f" : "g", cmpop(false),
            (const char *[]){"true", "false", "g", "f"}[pick(4)]);
        return;
    case 10: {
        /* in / not in, with literals, nulls, empty lists */
        bool neg = chance(30);
        switch (pick(6)) {
        case 0:
            put(t, "a %sin [", neg ? "not " : "");
            for (int k = pick(4); k > 0; k--)
                put(t, "%d%s", pick(7) - 3, k > 1 ? ", " : "");
            put(t, "]");
            return;
        case 1:
            put(t, "b %sin [1, null, -2]", neg ? "not " : "");
            return;
        case 2:
            put(t, "s %sin [\"DE\", \"AT\", \"CH\"%s]", neg ? "not " : "",
                chance(30) ? ", null" : "");
            return;
        case 3:
            put(t, "e %sin [lo, hi]", neg ? "not " : "");
            return;
        case 4:
            put(t, "x %sin [0.5, 1.5, 2]", neg ? "not " : "");
            return;
        default:
            put(t, "d %sin [0d, 1d, 30d, 1mo]", neg ? "not " : "");
            return;
        }
    }
    case 11:
        gen_int(t, depth);
        put(t, " %sbetween ", chance(30) ? "not " : "");
        gen_int(t, 0);
        put(t, " and ");
        gen_int(t, 0);
        return;
    case 12:
        put(t, "%s is %snull",
            (const char *[]){"b", "x", "m", "s", "e", "d", "ts", "f", "tags",
                             "(b + c)", "(x / y)"}[pick(11)],
            chance(50) ? "not " : "");
        return;
    default:
        put(t, "\"%s\" %sin tags", tagwords[pick(4)], chance(30) ? "not " : "");
        return;
    }
}

static void gen_narrow_bool(text *t, int depth)
{
    if (depth <= 0 || chance(45)) {
        switch (pick(7)) {
        case 0:
            put(t, "%s %s %s", chance(50) ? "d" : "d2", cmpop(true), day_duration());
            return;
        case 1:
            put(t, "d %s d2", cmpop(true));
            return;
        case 2:
            put(t, "%s %s \"%s\"", chance(50) ? "s" : "t", cmpop(false),
                (const char *[]){"DE", "x", "", "Zoë"}[pick(4)]);
            return;
        case 3:
            put(t, "e %s %s", cmpop(true), (const char *[]){"lo", "mid", "hi"}[pick(3)]);
            return;
        case 4:
            put(t, "%s", (const char *[]){"f", "g", "f = g", "f is null"}[pick(4)]);
            return;
        case 5:
            put(t, "s %sin [\"DE\", \"AT\"%s]", chance(30) ? "not " : "",
                chance(30) ? ", null" : "");
            return;
        default:
            put(t, "%s is %snull", (const char *[]){"d", "s", "e", "f"}[pick(4)],
                chance(50) ? "not " : "");
            return;
        }
    }
    const char *op = chance(50) ? "and" : "or";
    put(t, "%s(", chance(20) ? "not " : "");
    gen_narrow_bool(t, depth - 1);
    put(t, " %s ", op);
    gen_narrow_bool(t, depth - 1);
    put(t, ")");
}

static void gen_bool(text *t, int depth)
{
    if (depth <= 0 || chance(45)) {
        if (chance(5))
            put(t, "%s", (const char *[]){"true", "false", "null", "g"}[pick(4)]);
        else
            gen_cmp(t, depth > 2 ? 2 : depth);
        return;
    }
    switch (pick(4)) {
    case 0:
        put(t, "not (");
        gen_bool(t, depth - 1);
        put(t, ")");
        return;
    default: {
        const char *op = chance(50) ? "and" : "or";
        put(t, "(");
        gen_bool(t, depth - 1);
        for (int k = 1 + pick(3); k > 0; k--) {
            put(t, " %s ", op);
            gen_bool(t, depth - 1);
        }
        put(t, ")");
        return;
    }
    }
}

/* ---- running ----------------------------------------------------------------------------- */

static char *write_temp(const char *content, size_t len)
{
    char *path = strdup("/tmp/segc-diff-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, content, len) != (ssize_t)len) {
        perror("difftest: temp file");
        exit(2);
    }
    close(fd);
    return path;
}

int main(int argc, char **argv)
{
    int programs = 2000, segments = 12, records = 300;
    uint64_t seed = 20261123;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--programs") == 0 && i + 1 < argc)
            programs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--segments") == 0 && i + 1 < argc)
            segments = atoi(argv[++i]);
        else if (strcmp(argv[i], "--records") == 0 && i + 1 < argc)
            records = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--verbose") == 0)
            verbose = true;
        else {
            fprintf(stderr, "usage: difftest [--programs N] [--segments K] "
                            "[--records R] [--seed S] [--verbose]\n");
            return 2;
        }
    }
    rng_state = seed;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    segc_schema *schemas[2];
    if (segc_schema_parse(ctx, "schema", schema_text, strlen(schema_text),
                          &schemas[0]) != SEGC_OK ||
        segc_schema_parse(ctx, "narrow", narrow_text, strlen(narrow_text),
                          &schemas[1]) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return 2;
    }
    int failures = 0, compiled = 0, rejected = 0;
    segc_data *datas[2] = {NULL, NULL};
    long checked_bits = 0;
    for (int p = 0; p < programs && failures < 5; p++) {
        int w = p % 4 == 3; /* every fourth program uses the narrow schema */
        if (p % 50 == 0 || p % 50 == 3) {
            /* new records every 50 programs (sizes cross block boundaries) */
            text csv = {0};
            if (w)
                gen_narrow_records(&csv, records - 63 + pick(127));
            else
                gen_records(&csv, records - 63 + pick(127));
            char *path = write_temp(csv.p, csv.len);
            segc_data_free(ctx, datas[w]);
            segc_load_stats st;
            if (segc_data_load_csv(ctx, schemas[w], path, NULL, &datas[w],
                                   &st) != SEGC_OK) {
                segc_diag_print_all(ctx, stderr);
                return 2;
            }
            unlink(path);
            free(path);
            free(csv.p);
        }
        segc_schema *sch = schemas[w];
        segc_data *data = datas[w];
        text src = {0};
        for (int s = 0; s < segments; s++) {
            put(&src, "segment S%d where ", s);
            if (w)
                gen_narrow_bool(&src, 1 + pick(4));
            else
                gen_bool(&src, 1 + pick(4));
            put(&src, "\n");
        }
        segc_program *prog;
        if (segc_compile(ctx, sch, "random.seg", src.p, src.len, NULL,
                         &prog) != SEGC_OK) {
            /* the generator keeps to well-typed rules, but a constant can
             * overflow (9223372036854775807 + 1 is folded): such programs
             * are counted, not compared */
            if (verbose) {
                fprintf(stderr, "rejected program %d:\n%s", p, src.p);
                segc_diag_print_all(ctx, stderr);
            }
            segc_diag_clear(ctx);
            rejected++;
            free(src.p);
            continue;
        }
        compiled++;
        segc_eval_opts oi = {SEGC_ENGINE_INTERP}, oj = {SEGC_ENGINE_JIT};
        segc_result *ri, *rj;
        if (segc_eval(ctx, prog, data, AS_OF, &oi, &ri) != SEGC_OK ||
            segc_eval(ctx, prog, data, AS_OF, &oj, &rj) != SEGC_OK) {
            segc_diag_print_all(ctx, stderr);
            return 2;
        }
        size_t n = segc_data_count(data);
        for (size_t s = 0; s < segc_program_segment_count(prog); s++) {
            const uint64_t *a = segc_result_bitmap(ri, s),
                           *b = segc_result_bitmap(rj, s);
            for (size_t r = 0; r < n; r++) {
                checked_bits++;
                if ((a[r / 64] >> (r % 64) & 1) == (b[r / 64] >> (r % 64) & 1))
                    continue;
                fprintf(stderr,
                        "DISAGREE (seed %" PRIu64 ", program %d): segment %s, "
                        "record %zu: interpreter %d, JIT %d\n%s\n",
                        seed, p, segc_program_segment_name(prog, s), r + 1,
                        (int)(a[r / 64] >> (r % 64) & 1),
                        (int)(b[r / 64] >> (r % 64) & 1), src.p);
                failures++;
                break;
            }
        }
        segc_result_free(ctx, ri);
        segc_result_free(ctx, rj);
        segc_program_free(ctx, prog);
        free(src.p);
    }
    for (int w = 0; w < 2; w++) {
        segc_data_free(ctx, datas[w]);
        segc_schema_free(ctx, schemas[w]);
    }
    segc_ctx_free(ctx);
    printf("difftest: %d programs compared (%d segments each, %ld "
           "memberships), %d rejected by the checker; %d passed, %d failed\n",
           compiled, segments, checked_bits, rejected,
           failures ? compiled - failures : compiled, failures);
    return failures ? 1 : 0;
}
