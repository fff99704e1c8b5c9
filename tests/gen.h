/* gen.h - the random generator of the differential tests (gen.c): rule
 * files over two schemas (T, whose records take the JIT's transposition
 * path, and N, its gather path) and CSV records for them. */
#ifndef SEGC_TESTS_GEN_H
#define SEGC_TESTS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern const char schema_text[];  /* schema T */
extern const char narrow_text[];  /* schema N */
/* T and N with an event list each (GEN_EVENTS): T's buys at timestamps,
 * N's visits at dates; their records' CSV is that of T and N, and the
 * events come from gen_events / gen_narrow_events. An event list's slot
 * is 8-byte aligned: NE's records (40 bytes) take the JIT's transposition
 * path, not N's gather path. */
extern const char schema_ev_text[];
extern const char narrow_ev_text[];
/* as_of of every evaluation: 2024-03-31T13:45:10Z */
extern const int64_t AS_OF;
extern const int64_t AS_OF_DAY;

extern uint64_t rng_state;        /* seed it before generating */
uint64_t rnd(void);
int pick(int n);
bool chance(int percent);

typedef struct text {
    char *p;
    size_t len, cap;
} text;
void put(text *t, const char *fmt, ...);

/* What generated programs may use beyond the original language: a mask of
 * GEN_* (0, the default, gives exactly the programs and records of the
 * original generator, so old seeds keep their meaning). */
enum {
    GEN_DECLS = 1 << 0,       /* param, let and const declarations */
    GEN_REFS = 1 << 1,        /* segment references and classifications */
    GEN_PERIODS = 1 << 2,     /* d in this_month, ts not in last_week, ... */
    GEN_STATS = 1 << 3,       /* count, sum, avg, min, max, median,
                               * percentile of int and money; min, max of
                               * every type; nested levels */
    GEN_FLOAT_STATS = 1 << 4, /* sum and avg of floats, stddev of anything
                               * (results that depend on the order and the
                               * rounding of a float summation) */
    GEN_NTILE = 1 << 5,       /* quintile, quartile, decile, ntile(x, k) */
    GEN_STRFN = 1 << 6,       /* lower, upper, length, starts_with, ... (and
                               * words with mixed case and Latin letters in
                               * the records) */
    GEN_SETFN = 1 << 7,       /* size, has any, has all */
    GEN_DATEPART = 1 << 8,    /* year, month, day, weekday, days_since */
    GEN_EVENTS = 1 << 9,      /* event histories: count, sum, avg, min, max,
                               * first, last, any, all, distinct_days,
                               * avg_gap over schema TE's buys and NE's
                               * visits, with where filters and within
                               * windows, in lets, statistics and scores */
    GEN_ALL = (1 << 10) - 1
};
extern unsigned gen_features;

void gen_records(text *t, int n);        /* CSV for schema T */
void gen_narrow_records(text *t, int n); /* CSV for schema N */
/* the events CSV of TE's buys (customers 1 .. n) and NE's visits (k1 ..
 * kn): empty histories, single and many events, several at one instant or
 * on one day, times exactly at window boundaries of AS_OF and after it,
 * nulls, and amounts and ints whose sums overflow */
void gen_events(text *t, int n);
void gen_narrow_events(text *t, int n);
void gen_bool(text *t, int depth);       /* a condition over schema T */
void gen_narrow_bool(text *t, int depth); /* a condition over schema N */
/* A whole rule file of `segments` segments S0, S1, ... over schema T (or N
 * when narrow), with declarations and classifications as gen_features
 * allows. */
void gen_program(text *t, int segments, bool narrow);

#endif
