/* bench.h - shared parts of the benchmark program (bench/). The benchmark
 * links libsegc.a and, besides the public API, uses the internal headers to
 * build packed records directly (parsing gigabytes of CSV would measure the
 * CSV reader, not the engines). */
#ifndef SEGC_BENCH_H
#define SEGC_BENCH_H

#include "data.h"
#include "segc.h"

/* Fills d (for examples/customer.schema) with n synthetic customers from a
 * fixed seed: skewed revenue, nulls, a few dozen countries, tags. today is
 * the day the data is made for (days since 1970-01-01). */
bool bench_generate(dataset *d, size_t n, uint64_t seed, int64_t today);

/* Writes the dataset as CSV, for engines outside segc (DuckDB). */
bool bench_write_csv(const dataset *d, const char *path);

/* The hand-written C baseline for W10: what a good C programmer would write
 * for the ten predicates over the same packed rows. out[s] are bitmaps of
 * (n + 63) / 64 words. */
void baseline_w10(const dataset *d, int64_t as_of, uint64_t *const out[10]);

/* bench --segd FILE [--segd-csv FILE]: a packed file of d, opened and
 * scanned with W10 (segd.c). */
int bench_segd(segc_ctx *ctx, const segc_schema *sch, const dataset *d,
               const char *w10, int64_t as_of, const char *path,
               const char *csv);

/* ONE: the workloads one record at a time through segc_evaluator_record
 * (the first with p50 and p99 of a million calls); THREADS: the given workloads with 1, 2, 4, 8
 * and 16 threads (threads.c). 0 when every result agreed. */
int bench_one(segc_ctx *ctx, const segc_schema *sch, const dataset *d,
              const char *const *names, const char *const *texts, int nwork,
              int64_t as_of);
int bench_threads(segc_ctx *ctx, const segc_schema *sch, const dataset *d,
                  const char *const *names, const char *const *texts,
                  int nwork, int64_t as_of);

/* EVENTS: ten event-history segments over n synthetic customers with about
 * ten purchases each, JIT vs interpreter vs hand-written C (events.c); with
 * csv, also writes csv-customers.csv, csv-purchases.csv and csv-segc.json
 * for bench/duckdb/events.mjs. 0 when every result agreed, 1 when not, 2
 * on errors. */
int bench_events(segc_ctx *ctx, size_t n, uint64_t seed, int64_t as_of,
                 const char *csv);

#endif
