/* gen.c - the random generator of the differential tests: well-typed rule
 * files over two schemas, and records for them (difftest.c, sqltest.c).
 *
 * The test programs are single translation units that #include this file
 * after gen.h, so that the Makefile's one-source rule for test programs
 * builds them; the generator's sequence of random numbers is part of what
 * difftest's seeds mean, so change it only knowingly. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define T_FIELDS \
    "  id   : int key\n" \
    "  a    : int\n" \
    "  b    : int?\n" \
    "  c    : int?\n" \
    "  x    : float?\n" \
    "  y    : float\n" \
    "  m    : money(EUR)?\n" \
    "  n    : money(EUR)\n" \
    "  j    : money(JPY)?\n" \
    "  s    : string?\n" \
    "  t    : string\n" \
    "  e    : enum(lo, mid, hi)?\n" \
    "  d    : date?\n" \
    "  d2   : date\n" \
    "  ts   : timestamp?\n" \
    "  f    : bool?\n" \
    "  g    : bool\n" \
    "  tags : set<string>?\n"

const char schema_text[] = "schema T {\n" T_FIELDS "}\n";

/* T with an event list (GEN_EVENTS): timestamps, every nullable field
 * kind a sum, a filter and first/last can take */
const char schema_ev_text[] =
    "schema T {\n" T_FIELDS
    "  buys : events {\n"
    "    at     : timestamp\n"
    "    amount : money(EUR)?\n"
    "    n      : int?\n"
    "    cat    : string?\n"
    "    coupon : bool?\n"
    "  }\n"
    "}\n";

/* A schema of 4-byte and 1-byte values only: its records are not a multiple
 * of 8 bytes, which sends the JIT down its gather path instead of the
 * transposition of 64-byte chunks. */
#define N_FIELDS \
    "  id : string key\n" \
    "  d  : date?\n" \
    "  d2 : date\n" \
    "  s  : string?\n" \
    "  e  : enum(lo, mid, hi)?\n" \
    "  f  : bool?\n" \
    "  g  : bool\n" \
    "  t  : string\n"

const char narrow_text[] = "schema N {\n" N_FIELDS "}\n";

/* N with an event list at dates (GEN_EVENTS) */
const char narrow_ev_text[] =
    "schema N {\n" N_FIELDS
    "  visits : events {\n"
    "    at     : date\n"
    "    n      : int?\n"
    "    coupon : bool?\n"
    "  }\n"
    "}\n";

/* as_of of every evaluation: 2024-03-31T13:45:10Z (a month end, with a
 * time of day, so that calendar clamping and day boundaries both matter) */
const int64_t AS_OF = 1711892710;
const int64_t AS_OF_DAY = 19813; /* 2024-03-31 */

/* ---- random numbers ------------------------------------------------------------ */

uint64_t rng_state;

uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

bool chance(int percent)
{
    return pick(100) < percent;
}

/* ---- text -------------------------------------------------------------------------- */

void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            abort();
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* ---- records ------------------------------------------------------------------------ */

static const char *const words[] = {"DE", "AT", "CH", "x", "", "Zoë", "a,b"};
static const char *const tagwords[] = {"vip", "new", "b2b", "x"};

unsigned gen_features;

/* with GEN_STRFN: mixed case, Latin-1 and Latin Extended-A letters (which
 * lower() and upper() map), and letters they leave alone (the dotted İ, ß,
 * Latin Extended-B, Greek) that an SQL engine's LOWER would map */
static const char *const words_full[] = {
    "DE",     "AT",      "CH",       "x",       "",        "Zoë",
    "a,b",    "Ärger",   "ärger",    "MÜNCHEN", "München", "straße",
    "STRASSE", "Łódź",   "ŁÓDŹ",     "ÿŸ",      "Œuvre ß", "de",
    "İstanbul", "ǅemal", "Σίσυφος",  "zoë"};

static const char *word(void)
{
    if (gen_features & GEN_STRFN)
        return words_full[pick((int)(sizeof words_full / sizeof *words_full))];
    return words[pick(7)];
}

void date_text(int64_t days, char *buf, size_t cap)
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
int64_t rand_int(void)
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
int64_t rand_day(void)
{
    static const int ages[] = {0, 1, 2, 6, 7, 13, 14, 29, 30, 31, 59, 60,
                               61, 89, 90, 91, 365, 366, -1, -30};
    if (chance(80))
        return AS_OF_DAY - ages[pick(20)] + (pick(3) - 1) * (chance(30) ? 1 : 0);
    return AS_OF_DAY - pick(20000) + 5000;
}

void money_text(text *t, int scale_digits, bool big)
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

void gen_csv_cell(text *t, const char *s)
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

void gen_records(text *t, int n)
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
            gen_csv_cell(t, word());
        put(t, ",");
        gen_csv_cell(t, word());
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

void gen_narrow_records(text *t, int n)
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
            gen_csv_cell(t, word());
        put(t, ",");
        if (!chance(20))
            put(t, "%s", (const char *[]){"lo", "mid", "hi"}[pick(3)]);
        put(t, ",");
        if (!chance(20))
            put(t, "%s", chance(50) ? "true" : "false");
        put(t, ",%s,", chance(50) ? "1" : "0");
        gen_csv_cell(t, word());
        put(t, "\n");
    }
}

#define PICK(...) ((const char *[]){__VA_ARGS__})[pick((int)( \
    sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)))]

/* ---- event histories (GEN_EVENTS) ------------------------------------------------- */

static void ts_text(text *t, int64_t ts)
{
    char buf[64];
    int64_t day = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
    int64_t tod = ts - day * 86400;
    date_text(day, buf, sizeof buf);
    put(t, "%sT%02d:%02d:%02dZ", buf, (int)(tod / 3600), (int)(tod / 60 % 60),
        (int)(tod % 60));
}

/* how many events a customer has: none (a quarter), one, a few, many */
static int ev_count(void)
{
    switch (pick(8)) {
    case 0:
    case 1:
        return 0;
    case 2:
    case 3:
        return 1;
    case 7:
        return 6 + pick(15);
    default:
        return 2 + pick(4);
    }
}

/* a time at a window boundary of AS_OF (2024-03-31T13:45:10Z), just beside
 * one, after AS_OF (invisible), or anywhere in three years */
static int64_t ev_time(void)
{
    static const int64_t back[] = {
        0,        1,        -1,       -86400,   49510,    49511,
        86399,    86400,    86401,    604800,   604801,   1209600,
        2505600,  2592000,  2591999,  2592001,  2678400,  2678399,
        2678401,  7776000,  7775999,  7776001,  31622400, 31622399,
        31622401, 31536000, 63158400};
    int k = (int)(sizeof back / sizeof *back);
    if (chance(75))
        return AS_OF - back[pick(k)];
    return AS_OF - (int64_t)(rnd() % 94608000) + 2592000;
}

/* an amount of EUR: mostly small, sometimes huge (sums overflow) */
static void ev_amount(text *t)
{
    switch (pick(10)) {
    case 0:
        put(t, "%s", PICK("92233720368547758.07", "-92233720368547758.07",
                             "92233720368547758.00", "46116860184273879.04"));
        return;
    case 1:
        money_text(t, 2, true);
        return;
    case 2:
        put(t, "%s", PICK("0", "0.01", "-0.01", "10.00", "10"));
        return;
    default:
        money_text(t, 2, false);
        return;
    }
}

/* an int event field: edges (sums overflow) or small */
static void ev_int(text *t)
{
    if (chance(50))
        put(t, "%d", pick(11) - 3);
    else
        put(t, "%" PRId64, rand_int());
}

void gen_events(text *t, int n)
{
    static const char *const cats[] = {"Jazz", "Rock", "", "x", "jazz"};
    /* the columns in the schema's order or reversed */
    bool rev = chance(50);
    put(t, "%s\n", rev ? "coupon,cat,n,amount,at,id" : "id,at,amount,n,cat,coupon");
    for (int i = 0; i < n; i++) {
        int k = ev_count();
        int64_t prev = AS_OF;
        for (int e = 0; e < k; e++) {
            /* several events at one instant, or on one day */
            int64_t at = e && chance(20) ? prev
                       : e && chance(15) ? prev - 3600 * pick(12)
                                         : ev_time();
            prev = at;
            text cells[6] = {{0}};
            put(&cells[0], "%d", i + 1);
            ts_text(&cells[1], at);
            if (!chance(15))
                ev_amount(&cells[2]);
            if (!chance(15))
                ev_int(&cells[3]);
            if (!chance(20))
                gen_csv_cell(&cells[4], cats[pick(5)]);
            if (!chance(20))
                put(&cells[5], "%s", chance(50) ? "true" : "false");
            for (int c = 0; c < 6; c++) {
                text *cell = &cells[rev ? 5 - c : c];
                put(t, "%s%s", c ? "," : "", cell->p ? cell->p : "");
                free(cell->p);
            }
            put(t, "\n");
        }
    }
}

void gen_narrow_events(text *t, int n)
{
    static const int ages[] = {0, 1, -1, -2, 6, 7, 13, 14, 28, 29, 30, 31, 32,
                               59, 60, 61, 89, 90, 91, 365, 366, 367, 730};
    char buf[64];
    put(t, "id,at,n,coupon\n");
    for (int i = 0; i < n; i++) {
        int k = ev_count();
        int64_t prev = AS_OF_DAY;
        for (int e = 0; e < k; e++) {
            int64_t day = e && chance(25) ? prev
                        : chance(80) ? AS_OF_DAY - ages[pick(23)]
                                     : AS_OF_DAY - pick(1200) + 30;
            prev = day;
            date_text(day, buf, sizeof buf);
            put(t, "k%d,%s,", i + 1, buf);
            if (!chance(15))
                ev_int(t);
            put(t, ",");
            if (!chance(20))
                put(t, "%s", chance(50) ? "true" : "false");
            put(t, "\n");
        }
    }
}


/* ---- programs --------------------------------------------------------------------------- */

void gen_bool(text *t, int depth);
void gen_int(text *t, int depth);
void gen_float(text *t, int depth);
void gen_money(text *t, int depth);
void gen_date(text *t, int depth);
void gen_ts(text *t, int depth);
const char *cmpop(bool ordered);
const char *day_duration(void);

void gen_int(text *t, int depth);
void gen_float(text *t, int depth);
void gen_money(text *t, int depth);
void gen_date(text *t, int depth);
void gen_ts(text *t, int depth);
const char *cmpop(bool ordered);
const char *day_duration(void);

/* ---- declarations, references, periods, statistics, scores, functions -----------
 * (gen_features) Every extension is a leaf: ext_int and friends are asked first when a leaf
 * is made and gen_features is not 0, and decline (returning false) when
 * their feature is off, so that without features the generator makes
 * exactly the programs it made before. */

static struct gen_state {
    bool narrow;    /* schema N */
    int seg;        /* the segment being written: S0 .. S(seg - 1) may be
                     * used (never a later one: no cycles) */
    int refs_left;  /* segment references left in this segment */
    int ntiers;     /* K's tiers (K.A, K.B, ...) may be used when > 0 */
    bool has_else;  /* K has the else tier K.Z */
    bool decls;     /* the declarations of gen_program exist */
    int stat_depth; /* statistics and scores around the current point */
} g;

/* how often a condition leaf is one of the extensions, and how often a
 * statistic or score has a 'where' (which is a condition again) */
#ifndef EXT_PCT
#define EXT_PCT 25
#endif
#ifndef FILTER_PCT
#define FILTER_PCT 25
#endif
/* and how often a value leaf (int, float, money, date, timestamp) is */
#ifndef LEAF_PCT
#define LEAF_PCT 10
#endif

static bool on(unsigned f)
{
    return (gen_features & f) != 0;
}

static bool stat_ok(unsigned f)
{
    return on(f) && g.stat_depth < 2;
}


/* " where COND" of a statistic or score */
static void gen_filter(text *t)
{
    put(t, " where ");
    if (g.narrow)
        gen_narrow_bool(t, 1);
    else
        gen_bool(t, 1);
}

/* ---- event aggregates (GEN_EVENTS) ----
 * over TE's buys (at timestamp, amount money(EUR)?, n int?, cat string?,
 * coupon bool?) or NE's visits (at date, n int?, coupon bool?) */

static const char *ev_list(void)
{
    return g.narrow ? "visits" : "buys";
}

/* a condition on one event: the event's fields, constants, today, now and
 * calendar periods */
static void ev_atom(text *t)
{
    switch (pick(g.narrow ? 5 : 8)) {
    case 0:
        put(t, "n %s %s", cmpop(true), PICK("0", "1", "-1", "3", "9223372036854775807"));
        return;
    case 1:
        put(t, "%s is %snull", PICK("n", "coupon"), chance(50) ? "not " : "");
        return;
    case 2:
        put(t, "%s", PICK("coupon", "not coupon", "coupon = false", "coupon != true"));
        return;
    case 3:
        put(t, "at %sin %s", chance(25) ? "not " : "",
            PICK("this_year", "last_year", "this_month", "last_month",
                 "this_week", "last_week"));
        return;
    case 4:
        if (g.narrow)
            put(t, "at %s %s", cmpop(true),
                PICK("today", "(today - 7d)", "(today - 1mo)", "2024-03-01",
                     "2024-02-29"));
        else
            put(t, "at %s %s", cmpop(true),
                PICK("now", "(now - 7d)", "(now - 1mo)", "(now - 12h)",
                     "2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z"));
        return;
    case 5:
        put(t, "amount %s %s", cmpop(true),
            PICK("0 EUR", "10 EUR", "-0.01 EUR", "1000.50 EUR"));
        return;
    case 6:
        put(t, "amount is %snull", chance(50) ? "not " : "");
        return;
    default:
        if (chance(50))
            put(t, "cat %s %s", cmpop(false), PICK("\"Jazz\"", "\"\"", "\"x\"", "null"));
        else
            put(t, "cat %sin [\"Jazz\", \"Rock\"%s]", chance(30) ? "not " : "",
                chance(30) ? ", null" : "");
        return;
    }
}

static void ev_cond_of_event(text *t, int depth)
{
    if (depth <= 0 || chance(50)) {
        ev_atom(t);
        return;
    }
    put(t, "%s(", chance(20) ? "not " : "");
    ev_cond_of_event(t, depth - 1);
    put(t, " %s ", chance(50) ? "and" : "or");
    ev_cond_of_event(t, depth - 1);
    put(t, ")");
}

/* the aggregate's optional " where c" and " within D", in either order */
static void ev_opts(text *t, int where_pct)
{
    bool where = chance(where_pct), within = chance(45), first = chance(50);
    const char *d = PICK("1d", "7d", "29d", "30d", "31d", "90d", "1w", "2w",
                         "1mo", "3mo", "1y", "2y");
    if (within && chance(20)) {
        /* a parameter (gen_decls), or, at timestamps, hours and minutes
         * and sums of durations */
        if (g.decls && chance(50))
            d = "pwin";
        else if (!g.narrow)
            d = PICK("12h", "1min", "36h", "1y + 1mo", "2 * 30d");
    }
    if (within && first)
        put(t, " within %s", d);
    if (where) {
        put(t, " where ");
        ev_cond_of_event(t, pick(3));
    }
    if (within && !first)
        put(t, " within %s", d);
}

static void ev_int_agg(text *t)
{
    const char *l = ev_list();
    switch (pick(6)) {
    case 0:
    case 1:
        put(t, "count(%s", l);
        break;
    case 2:
        put(t, "distinct_days(%s", l);
        break;
    case 3:
        put(t, "sum(%s.n", l);
        break;
    default:
        put(t, "%s(%s.n", PICK("min", "max", "first", "last"), l);
        break;
    }
    ev_opts(t, 40);
    put(t, ")");
}

static void ev_float_agg(text *t)
{
    if (chance(50))
        put(t, "avg(%s.n", ev_list());
    else
        put(t, "avg_gap(%s", ev_list());
    ev_opts(t, 35);
    put(t, ")");
}

/* TE only */
static void ev_money_agg(text *t)
{
    put(t, "%s(buys.amount", PICK("sum", "sum", "avg", "min", "max", "first", "last"));
    ev_opts(t, 40);
    put(t, ")");
}

/* a timestamp (TE) or a date (NE) */
static void ev_time_agg(text *t)
{
    put(t, "%s(%s.at", PICK("first", "last", "min", "max"), ev_list());
    ev_opts(t, 35);
    put(t, ")");
}

/* a condition on the customer's events */
static bool ev_cond(text *t)
{
    const char *l = ev_list();
    switch (pick(9)) {
    case 0:
    case 1:
        put(t, "%s(%s", PICK("any", "all"), l);
        ev_opts(t, 90);
        put(t, ")");
        return true;
    case 2:
        put(t, "count(%s", l);
        ev_opts(t, 50);
        put(t, ") %s %d", cmpop(true), pick(5));
        return true;
    case 3:
        ev_int_agg(t);
        put(t, " %s %s", cmpop(true), PICK("0", "1", "2", "-1", "null"));
        return true;
    case 4:
        if (g.narrow) {
            ev_time_agg(t);
            put(t, " %s ", cmpop(true));
            gen_date(t, 1);
        } else {
            ev_money_agg(t);
            put(t, " %s %s", cmpop(true), PICK("0 EUR", "10 EUR", "-5.50 EUR", "100 EUR"));
        }
        return true;
    case 5:
        if (g.narrow)
            ev_time_agg(t);
        else
            ev_money_agg(t);
        put(t, " is %snull", chance(50) ? "not " : "");
        return true;
    case 6:
        ev_float_agg(t);
        put(t, " %s %s", cmpop(true), PICK("0", "1", "1.5", "7", "30"));
        return true;
    case 7:
        /* the lets of gen_decls, in statistics and scores */
        if (!g.decls) {
            /* or scores of the aggregates themselves */
            if (!stat_ok(GEN_NTILE))
                return false;
            put(t, "%s(", PICK("quintile", "quartile", "decile"));
            if (g.narrow || chance(50))
                ev_int_agg(t);
            else
                ev_money_agg(t);
            put(t, ") %s %d", cmpop(true), 1 + pick(5));
            return true;
        }
        if (stat_ok(GEN_NTILE) && chance(40)) {
            put(t, "%s(%s) %s %d", PICK("quintile", "quartile"),
                g.narrow ? PICK("lcnt", "lrec") : PICK("lcnt", "lrec", "lspend"),
                cmpop(true), 1 + pick(5));
            return true;
        }
        if (stat_ok(GEN_STATS) && chance(60)) {
            const char *v = g.narrow ? PICK("lcnt", "lrec") : PICK("lcnt", "lrec", "lspend");
            put(t, "%s %s %s(%s)", v, cmpop(true),
                strcmp(v, "lrec") ? PICK("avg", "median", "min", "max")
                                  : PICK("min", "max"), v);
            return true;
        }
        put(t, "%s %s %s", PICK("lcnt", "lcnt"), cmpop(true), PICK("0", "1", "3"));
        return true;
    default:
        /* statistics over the aggregates themselves */
        if (!stat_ok(GEN_STATS))
            return false;
        g.stat_depth++;
        {
            text agg = {0};
            if (g.narrow || chance(50))
                ev_int_agg(&agg);
            else
                ev_money_agg(&agg);
            put(t, "%s %s %s(%s", agg.p, cmpop(true),
                PICK("avg", "median", "max", "min"), agg.p);
            if (chance(FILTER_PCT))
                gen_filter(t);
            put(t, ")");
            free(agg.p);
        }
        g.stat_depth--;
        return true;
    }
}

/* the named values of gen_decls */
static void ev_decls(text *t)
{
    put(t, "param pwin = %s\n", PICK("30d", "1mo", "2w", "1y", "1d"));
    put(t, "let lcnt = count(%s", ev_list());
    ev_opts(t, 50);
    put(t, ")\nlet lrec = last(%s.at", ev_list());
    ev_opts(t, 20);
    put(t, ")\n");
    if (!g.narrow) {
        put(t, "let lspend = sum(buys.amount");
        ev_opts(t, 40);
        put(t, ")\n");
    }
}

static const char *pct(void)
{
    return PICK("90%", "0.5", "25%", "0", "1", "12.5%", "0.333", "99.9%",
                "75%");
}

/* an int statistic: count, sum, min, max */
static void stat_int(text *t)
{
    g.stat_depth++;
    switch (pick(6)) {
    case 0:
        put(t, "count()");
        break;
    case 1:
        put(t, "count(");
        gen_filter(t);
        put(t, ")");
        break;
    case 2:
        put(t, "count(%s", PICK("b", "x", "g", "f", "m", "(a + b)", "tags"));
        if (chance(FILTER_PCT))
            gen_filter(t);
        put(t, ")");
        break;
    case 3:
        put(t, "sum(%s", PICK("a", "b", "c", "(b - c)", "(c * 2)"));
        if (chance(FILTER_PCT))
            gen_filter(t);
        put(t, ")");
        break;
    default:
        put(t, "%s(", PICK("min", "max"));
        gen_int(t, 1);
        if (chance(FILTER_PCT))
            gen_filter(t);
        put(t, ")");
        break;
    }
    g.stat_depth--;
}

/* a score: quintile(x), ntile(k, x), ... of any orderable type */
static void gen_ntile(text *t)
{
    int f = pick(4);
    put(t, "%s(", (const char *[]){"quintile", "quartile", "decile", "ntile"}[f]);
    if (f == 3)
        put(t, "%s, ", PICK("2", "3", "7", "10", "100"));
    g.stat_depth++;
    switch (g.narrow ? 3 + pick(2) : pick(6)) {
    case 0:
        gen_int(t, 1);
        break;
    case 1:
        gen_float(t, 1);
        break;
    case 2:
        gen_money(t, 1);
        break;
    case 3:
        gen_date(t, 1);
        break;
    case 4:
        put(t, "%s", g.narrow ? PICK("d", "d2") : "d2");
        break;
    default:
        gen_ts(t, 1);
        break;
    }
    if (chance(FILTER_PCT))
        gen_filter(t);
    g.stat_depth--;
    put(t, ")");
}

static const char *str_field(void)
{
    return chance(50) ? "s" : "t";
}

/* a string expression of lower/upper over a field */
static void str_expr(text *t)
{
    switch (pick(4)) {
    case 0:
        put(t, "%s", str_field());
        return;
    case 1:
        put(t, "lower(%s)", str_field());
        return;
    case 2:
        put(t, "upper(%s)", str_field());
        return;
    default:
        put(t, "%s(%s(%s))", PICK("lower", "upper"), PICK("lower", "upper"),
            str_field());
        return;
    }
}

static const char *str_lit(void)
{
    return PICK("\"ärger\"", "\"ÄRGER\"", "\"münchen\"", "\"MÜNCHEN\"",
                "\"straße\"", "\"STRASSE\"", "\"łódź\"", "\"ŁÓDŹ\"", "\"x\"",
                "\"\"", "\"de\"", "\"DE\"", "\"ÿÿ\"", "\"ŸŸ\"", "\"œuvre ß\"",
                "\"ŒUVRE ß\"", "\"İstanbul\"", "\"istanbul\"", "\"ǅemal\"",
                "\"σίσυφος\"", "\"Σίσυφος\"", "\"zoë\"", "\"ZOË\"");
}

static const char *sub_lit(void)
{
    return PICK("\"Z\"", "\"z\"", "\"ä\"", "\"Ä\"", "\"ß\"", "\"Ł\"", "\"ł\"",
                "\"\"", "\"E\"", "\"e\"", "\"ö\"", "\"ÖR\"", "\"ÜN\"", "\"ë\"",
                "\"İ\"", "\"σ\"", "\",\"", "\"x\"", "\"DE\"", "\"ź\"");
}

/* a date or timestamp expression, for date parts */
static void temporal(text *t)
{
    if (g.narrow || chance(60))
        gen_date(t, 1);
    else
        gen_ts(t, 1);
}

static const char *date_part(void)
{
    return PICK("year", "month", "day", "weekday", "days_since");
}

bool ext_int(text *t)
{
    if (!chance(LEAF_PCT))
        return false;
    if (on(GEN_EVENTS) && chance(30)) {
        if (g.decls && chance(25))
            put(t, "lcnt");
        else
            ev_int_agg(t);
        return true;
    }
    switch (pick(6)) {
    case 0:
        if (!g.decls)
            return false;
        put(t, "%s", PICK("cint", "pint", "lint"));
        return true;
    case 1:
        if (!stat_ok(GEN_STATS))
            return false;
        stat_int(t);
        return true;
    case 2:
        if (!stat_ok(GEN_NTILE))
            return false;
        gen_ntile(t);
        return true;
    case 3:
        if (!on(GEN_STRFN))
            return false;
        put(t, "length(");
        str_expr(t);
        put(t, ")");
        return true;
    case 4:
        if (!on(GEN_SETFN))
            return false;
        put(t, "size(tags)");
        return true;
    default:
        if (!on(GEN_DATEPART))
            return false;
        put(t, "%s(", date_part());
        temporal(t);
        put(t, ")");
        return true;
    }
}

bool ext_float(text *t)
{
    if (!chance(LEAF_PCT))
        return false;
    if (on(GEN_EVENTS) && chance(25)) {
        ev_float_agg(t);
        return true;
    }
    if (stat_ok(GEN_FLOAT_STATS) && chance(30)) {
        g.stat_depth++;
        switch (pick(3)) {
        case 0:
            put(t, "%s(", PICK("sum", "avg"));
            gen_float(t, 1);
            break;
        case 1:
            put(t, "stddev(");
            gen_int(t, 1);
            break;
        default:
            put(t, "stddev(%s", PICK("x", "y", "(x * y)"));
            break;
        }
        if (chance(FILTER_PCT))
            gen_filter(t);
        put(t, ")");
        g.stat_depth--;
        return true;
    }
    if (!stat_ok(GEN_STATS))
        return false;
    g.stat_depth++;
    switch (pick(4)) {
    case 0:
        put(t, "%s(", PICK("avg", "median"));
        gen_int(t, 1);
        break;
    case 1:
        put(t, "percentile(");
        if (chance(50))
            gen_int(t, 1);
        else
            gen_float(t, 1);
        put(t, ", %s", pct());
        break;
    case 2:
        put(t, "median(");
        gen_float(t, 1);
        break;
    default:
        put(t, "%s(", PICK("min", "max"));
        gen_float(t, 1);
        break;
    }
    if (chance(FILTER_PCT))
        gen_filter(t);
    put(t, ")");
    g.stat_depth--;
    return true;
}

bool ext_money(text *t)
{
    if (!chance(LEAF_PCT))
        return false;
    if (on(GEN_EVENTS) && chance(30)) {
        if (g.decls && chance(25))
            put(t, "lspend");
        else
            ev_money_agg(t);
        return true;
    }
    if (g.decls && chance(25)) {
        put(t, "%s", PICK("cmoney", "pmoney"));
        return true;
    }
    if (stat_ok(GEN_FLOAT_STATS) && chance(15)) {
        g.stat_depth++;
        put(t, "stddev(");
        gen_money(t, 1);
        if (chance(FILTER_PCT))
            gen_filter(t);
        put(t, ")");
        g.stat_depth--;
        return true;
    }
    if (!stat_ok(GEN_STATS))
        return false;
    g.stat_depth++;
    switch (pick(5)) {
    case 0:
        put(t, "avg(");
        gen_money(t, 1);
        break;
    case 1:
        put(t, "sum(%s", PICK("m", "n", "(m - n)"));
        break;
    case 2:
        put(t, "%s(", PICK("min", "max"));
        gen_money(t, 1);
        break;
    case 3:
        put(t, "median(");
        gen_money(t, 1);
        break;
    default:
        put(t, "percentile(");
        gen_money(t, 1);
        put(t, ", %s", pct());
        break;
    }
    if (chance(FILTER_PCT))
        gen_filter(t);
    put(t, ")");
    g.stat_depth--;
    return true;
}

bool ext_date(text *t)
{
    if (on(GEN_EVENTS) && g.narrow && chance(LEAF_PCT)) {
        if (g.decls && chance(25))
            put(t, "lrec");
        else
            ev_time_agg(t);
        return true;
    }
    if (!chance(LEAF_PCT) || !stat_ok(GEN_STATS))
        return false;
    g.stat_depth++;
    put(t, "%s(%s", PICK("min", "max"), PICK("d", "d2", "(d + 1mo)"));
    if (chance(FILTER_PCT))
        gen_filter(t);
    put(t, ")");
    g.stat_depth--;
    return true;
}

bool ext_ts(text *t)
{
    if (on(GEN_EVENTS) && chance(LEAF_PCT)) {
        if (g.decls && chance(25))
            put(t, "lrec");
        else
            ev_time_agg(t);
        return true;
    }
    if (!chance(LEAF_PCT) || !stat_ok(GEN_STATS))
        return false;
    g.stat_depth++;
    put(t, "%s(%s", PICK("min", "max"), PICK("ts", "(ts + 1d)"));
    if (chance(FILTER_PCT))
        gen_filter(t);
    put(t, ")");
    g.stat_depth--;
    return true;
}

/* a segment or tier in a condition */
static bool gen_ref(text *t)
{
    if (!on(GEN_REFS) || g.refs_left <= 0 || (g.seg == 0 && !g.ntiers))
        return false;
    g.refs_left--;
    const char *neg = chance(25) ? "not " : "";
    if (g.ntiers && (g.seg == 0 || chance(40))) {
        int k = pick(g.ntiers + g.has_else);
        put(t, "%sK.%c", neg, k == g.ntiers ? 'Z' : 'A' + k);
    } else {
        put(t, "%sS%d", neg, pick(g.seg));
    }
    return true;
}

static bool gen_period(text *t, const char *field)
{
    if (!on(GEN_PERIODS))
        return false;
    put(t, "%s %sin %s", field, chance(25) ? "not " : "",
        PICK("this_year", "last_year", "this_month", "last_month",
             "this_week", "last_week"));
    return true;
}

static bool gen_strfn_cond(text *t)
{
    if (!on(GEN_STRFN))
        return false;
    switch (pick(6)) {
    case 0:
    case 1:
        put(t, "%s(%s) %s %s", PICK("lower", "upper"), str_field(),
            cmpop(false), str_lit());
        return true;
    case 2:
        put(t, "%s(", PICK("starts_with", "ends_with", "contains"));
        str_expr(t);
        put(t, ", %s)", sub_lit());
        return true;
    case 3:
        put(t, "%s(%s) %sin ", PICK("lower", "upper"), str_field(),
            chance(30) ? "not " : "");
        if (g.decls && chance(40))
            put(t, "%s", PICK("cwords", "plist"));
        else
            put(t, "[%s, %s%s]", str_lit(), str_lit(),
                chance(20) ? ", null" : "");
        return true;
    case 4:
        put(t, "%s(%s) is %snull", PICK("lower", "upper"), str_field(),
            chance(50) ? "not " : "");
        return true;
    default:
        put(t, "length(");
        str_expr(t);
        put(t, ") %s %d", cmpop(true), pick(10));
        return true;
    }
}

static bool gen_datepart_cond(text *t)
{
    if (!on(GEN_DATEPART))
        return false;
    const char *p = date_part();
    put(t, "%s(", p);
    temporal(t);
    put(t, ") ");
    if (strcmp(p, "weekday") == 0 && chance(30)) {
        put(t, "in [%d, %d]", 1 + pick(7), 1 + pick(7));
        return true;
    }
    put(t, "%s ", cmpop(true));
    if (strcmp(p, "year") == 0)
        put(t, "%s", PICK("2024", "2023", "1990", "2025"));
    else if (strcmp(p, "days_since") == 0)
        put(t, "%s", PICK("0", "1", "30", "90", "-1", "365"));
    else
        put(t, "%d", pick(32));
    return true;
}

/* a field against a statistic of itself, as rules compare */
static bool gen_stat_cond(text *t)
{
    if (!stat_ok(GEN_STATS))
        return false;
    g.stat_depth++;
    switch (pick(8)) {
    case 0: {
        const char *f = PICK("a", "b", "c");
        put(t, "%s %s %s(%s", f, cmpop(true),
            PICK("avg", "median", "min", "max", "sum"), f);
        break;
    }
    case 1: {
        const char *f = PICK("a", "b", "c");
        put(t, "%s %s percentile(%s, %s", f, cmpop(true), f, pct());
        break;
    }
    case 2: {
        const char *f = PICK("m", "n");
        put(t, "%s %s %s(%s", f, cmpop(true),
            PICK("avg", "median", "min", "max", "sum"), f);
        break;
    }
    case 3: {
        const char *f = PICK("m", "n");
        put(t, "%s %s percentile(%s, %s", f, cmpop(true), f, pct());
        break;
    }
    case 4: {
        const char *f = PICK("x", "y");
        put(t, "%s %s %s", f, cmpop(true), PICK("min", "max", "median"));
        put(t, "(%s", f);
        break;
    }
    case 5: {
        const char *f = PICK("d", "d2");
        put(t, "%s %s %s(%s", f, cmpop(true), PICK("min", "max"),
            PICK("d", "d2"));
        break;
    }
    case 6:
        put(t, "count(");
        gen_filter(t);
        put(t, ") %s %d", cmpop(true), pick(300));
        g.stat_depth--;
        return true;
    default:
        /* nested levels */
        put(t, "%s > avg(b where b > avg(b", PICK("a", "b", "c"));
        if (chance(50))
            gen_filter(t);
        put(t, "))");
        g.stat_depth--;
        return true;
    }
    if (chance(FILTER_PCT))
        gen_filter(t);
    put(t, ")");
    g.stat_depth--;
    return true;
}

static bool gen_decl_cond(text *t)
{
    if (!g.decls)
        return false;
    switch (pick(5)) {
    case 0:
        put(t, "%slbool", chance(25) ? "not " : "");
        return true;
    case 1:
        put(t, "s %sin %s", chance(30) ? "not " : "", PICK("cwords", "plist"));
        return true;
    case 2:
        put(t, "%s %s pdur", g.narrow ? PICK("d", "d2") : PICK("d", "d2", "ts"),
            cmpop(true));
        return true;
    case 3:
        if (g.narrow)
            return false;
        put(t, "tags has %s ctags", PICK("any", "all"));
        return true;
    default:
        if (g.narrow)
            return false;
        put(t, "%s %s %s", PICK("a", "b", "lint"), cmpop(true),
            PICK("pint", "cint"));
        return true;
    }
}

static bool gen_set_cond(text *t)
{
    if (!on(GEN_SETFN))
        return false;
    switch (pick(3)) {
    case 0:
        put(t, "size(tags) %s %d", cmpop(true), pick(4));
        return true;
    case 1:
        put(t, "tags has %s []", PICK("any", "all"));
        return true;
    default:
        put(t, "tags has %s [", PICK("any", "all"));
        for (int k = 1 + pick(3); k > 0; k--)
            put(t, "\"%s\"%s", PICK("vip", "new", "b2b", "x", "nope", ""),
                k > 1 ? ", " : "");
        put(t, "]");
        return true;
    }
}

static bool gen_ntile_cond(text *t)
{
    if (!stat_ok(GEN_NTILE))
        return false;
    gen_ntile(t);
    if (chance(25))
        put(t, " in [1, %d]", 2 + pick(5));
    else
        put(t, " %s %d", cmpop(true), 1 + pick(5));
    return true;
}

bool ext_cmp(text *t)
{
    if (!chance(EXT_PCT))
        return false;
    if (on(GEN_EVENTS) && chance(30) && ev_cond(t))
        return true;
    switch (pick(10)) {
    case 0:
        return gen_ref(t);
    case 1:
        return gen_period(t, PICK("d", "d2", "ts"));
    case 2:
        return gen_strfn_cond(t);
    case 3:
        return gen_set_cond(t);
    case 4:
        return gen_decl_cond(t);
    case 5:
    case 6:
        return gen_stat_cond(t);
    case 7:
        return gen_ntile_cond(t);
    default:
        return gen_datepart_cond(t);
    }
}

bool ext_narrow(text *t)
{
    if (!chance(EXT_PCT))
        return false;
    if (on(GEN_EVENTS) && chance(35) && ev_cond(t))
        return true;
    switch (pick(8)) {
    case 0:
        return gen_ref(t);
    case 1:
        return gen_period(t, PICK("d", "d2"));
    case 2:
        return gen_strfn_cond(t);
    case 3:
        return gen_decl_cond(t);
    case 4:
        if (!stat_ok(GEN_STATS))
            return false;
        g.stat_depth++;
        if (chance(50)) {
            put(t, "%s %s %s(%s", PICK("d", "d2"), cmpop(true),
                PICK("min", "max"), PICK("d", "d2", "(d - 1mo)"));
            if (chance(FILTER_PCT))
                gen_filter(t);
            put(t, ")");
        } else {
            put(t, "count(%s", PICK("d", "s", "f", ""));
            if (chance(50))
                gen_filter(t);
            put(t, ") %s %d", cmpop(true), pick(300));
        }
        g.stat_depth--;
        return true;
    case 5:
        return gen_ntile_cond(t);
    default:
        return gen_datepart_cond(t);
    }
}


/* -(in). A constant that overflows is folded to null by the checker, and
 * negating that null is undefined behaviour in check.c (check_neg negates
 * the wrapped value: `segment A where a > -(9223372036854775807 + 1)`
 * makes UBSan stop): such a negation is written 0 - (in) instead, until
 * that is fixed. */
static void negate(text *t, text *in, const char *zero)
{
    if (in->p && strstr(in->p, "9223372036854775807"))
        put(t, "(%s - (%s))", zero, in->p);
    else
        put(t, "-(%s)", in->p ? in->p : "");
    free(in->p);
}

void gen_int(text *t, int depth)
{
    if (depth <= 0 || chance(40)) {
        if (gen_features && ext_int(t))
            return;
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
        {
            text in = {0};
            gen_int(&in, depth - 1);
            negate(t, &in, "0");
        }
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

void gen_float(text *t, int depth)
{
    if (depth <= 0 || chance(35)) {
        if (gen_features && ext_float(t))
            return;
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

void gen_money(text *t, int depth)
{
    if (depth <= 0 || chance(40)) {
        if (gen_features && ext_money(t))
            return;
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
        {
            text in = {0};
            gen_money(&in, depth - 1);
            negate(t, &in, "0 EUR");
        }
        return;
    default:
        put(t, "(%d * ", pick(5) - 2);
        gen_money(t, depth - 1);
        put(t, ")");
        return;
    }
}

const char *duration(void)
{
    static const char *const d[] = {"0d",  "1d", "7d",  "2w", "30d", "90d",
                                    "1mo", "6mo", "1y", "12h", "1min", "365d",
                                    "1y + 1mo", "2 * 30d", "-1d"};
    return d[pick(15)];
}

const char *day_duration(void)
{
    static const char *const d[] = {"0d", "1d", "7d", "2w", "30d", "90d",
                                    "1mo", "6mo", "1y", "365d", "-1d",
                                    "1mo + 1d", "3 * 1w"};
    return d[pick(13)];
}

void gen_date(text *t, int depth)
{
    if (depth <= 0 || chance(50)) {
        if (gen_features && ext_date(t))
            return;
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

void gen_ts(text *t, int depth)
{
    if (depth <= 0 || chance(50)) {
        if (gen_features && ext_ts(t))
            return;
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

const char *cmpop(bool ordered)
{
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
    return ordered ? ops[pick(6)] : ops[pick(2)];
}

void gen_cmp(text *t, int depth)
{
    if (gen_features && ext_cmp(t))
        return;
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

void gen_narrow_bool(text *t, int depth)
{
    if (depth <= 0 || chance(45)) {
        if (gen_features && ext_narrow(t))
            return;
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

void gen_bool(text *t, int depth)
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


/* ---- whole programs ------------------------------------------------------------------- */

static void gen_cond(text *t)
{
    if (g.narrow)
        gen_narrow_bool(t, 1 + pick(gen_features ? 3 : 4));
    else
        gen_bool(t, 1 + pick(gen_features ? 3 : 4));
}

/* constants, parameters (their defaults: no --param) and named values;
 * the named values use no declaration and no segment, so there is no
 * cycle */
static void gen_decls(text *t)
{
    put(t, "const cwords = [%s, %s, %s]\n", str_lit(), str_lit(), str_lit());
    put(t, "param plist = [%s, %s]\n", str_lit(), str_lit());
    put(t, "param pdur = %s\n", PICK("30d", "1mo", "2w", "1y", "0d", "90d"));
    if (!g.narrow) {
        put(t, "const cint = %s\n",
            PICK("3", "-2", "1_000", "0", "9223372036854775807"));
        put(t, "param pint = %s\n", PICK("5", "-1", "100", "0"));
        put(t, "const cmoney = %s\n",
            PICK("10.50 EUR", "-3.99 EUR", "0 EUR", "1000 EUR"));
        put(t, "param pmoney = %s\n", PICK("100 EUR", "0.01 EUR", "-5 EUR"));
        put(t, "const ctags = [\"%s\", \"%s\"]\n", tagwords[pick(4)],
            PICK("vip", "nope", "new"));
        put(t, "let lint = ");
        gen_int(t, 1 + pick(2));
        put(t, "\n");
    }
    if (on(GEN_EVENTS))
        ev_decls(t);
    put(t, "let lbool = ");
    gen_cond(t);
    put(t, "\n");
    g.decls = true;
}

void gen_program(text *t, int segments, bool narrow)
{
    memset(&g, 0, sizeof g);
    g.narrow = narrow;
    if (!gen_features) {
        /* the original generator's programs, random number for random
         * number */
        for (int s = 0; s < segments; s++) {
            put(t, "segment S%d where ", s);
            gen_cond(t);
            put(t, "\n");
        }
        return;
    }
    if (on(GEN_DECLS))
        gen_decls(t);
    /* a classification K in the middle: its tiers may use the segments
     * before it, and the segments after it its tiers */
    int class_at = -1, ntiers = 0;
    bool has_else = false;
    if (on(GEN_REFS) && chance(60)) {
        class_at = segments / 2;
        ntiers = 2 + pick(2);
        has_else = chance(50);
    }
    text cls = {0};
    for (int s = 0; s < segments; s++) {
        if (s == class_at) {
            g.seg = s;
            g.ntiers = 0;
            put(&cls, "classify K {\n");
            for (int k = 0; k < ntiers; k++) {
                g.refs_left = 1;
                put(&cls, "  %c where ", 'A' + k);
                gen_cond(&cls);
                put(&cls, "\n");
            }
            if (has_else)
                put(&cls, "  else Z\n");
            put(&cls, "}\n");
        }
        g.seg = s;
        g.refs_left = 1;
        g.ntiers = class_at >= 0 && s >= class_at ? ntiers : 0;
        g.has_else = has_else;
        put(t, "segment S%d where ", s);
        gen_cond(t);
        put(t, "\n");
    }
    if (cls.p) {
        put(t, "%s", cls.p);
        free(cls.p);
    }
}
