/* segd.c - `bench --segd FILE [--segd-csv FILE]`: a packed data file of the
 * benchmark's records (docs/segd.md). Writes FILE, then measures, with the
 * file in the page cache: opening it verified and with no_verify (best of
 * three each), and W10 with the JIT on one thread over the mapping, the
 * first scan after an open (it takes the page faults of the records) and
 * the best of five; the time from nothing to W10's counts (open + first
 * scan) both ways; and, with --segd-csv, loading the same records from CSV
 * (written first). The counts over the mapping must equal those over the
 * records in memory. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(segc_ctx *ctx, const char *what)
{
    segc_diag_print_all(ctx, stderr);
    fprintf(stderr, "bench: %s failed\n", what);
    exit(2);
}

static double open_ms(segc_ctx *ctx, const segc_schema *sch, const char *path,
                      int no_verify, segc_data **keep)
{
    segc_open_opts o = {no_verify};
    segc_data *d;
    double t0 = now();
    if (segc_data_open_packed(ctx, sch, path, &o, &d) != SEGC_OK)
        die(ctx, "opening the packed file");
    double t = (now() - t0) * 1e3;
    if (keep)
        *keep = d;
    else
        segc_data_free(ctx, d);
    return t;
}

static double scan_ms(segc_ctx *ctx, const segc_program *p,
                      const segc_data *d, int64_t as_of, segc_result **keep)
{
    segc_eval_opts o;
    memset(&o, 0, sizeof o);
    o.engine = SEGC_ENGINE_JIT;
    o.threads = 1;
    segc_result *r;
    double t0 = now();
    if (segc_eval(ctx, p, d, as_of, &o, &r) != SEGC_OK)
        die(ctx, "W10");
    double t = (now() - t0) * 1e3;
    if (keep)
        *keep = r;
    else
        segc_result_free(ctx, r);
    return t;
}

int bench_segd(segc_ctx *ctx, const segc_schema *sch, const dataset *mem_d,
               const char *w10, int64_t as_of, const char *path,
               const char *csv)
{
    segc_program *p;
    if (segc_compile(ctx, sch, "W10", w10, strlen(w10), NULL, &p) !=
            SEGC_OK ||
        segc_program_jit(ctx, p) != SEGC_OK)
        die(ctx, "compiling W10");
    double t0 = now();
    if (segc_data_write_packed(ctx, mem_d, path) != SEGC_OK)
        die(ctx, "writing the packed file");
    double write_s = now() - t0;
    struct stat sb;
    double mb = stat(path, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    printf("packed %zu records into %s: %.0f MB in %.2f s (with fsync)\n",
           mem_d->n, path, mb, write_s);

    segc_result *ref;
    double mem_scan = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double s = scan_ms(ctx, p, mem_d, as_of, rep ? NULL : &ref);
        mem_scan = s < mem_scan ? s : mem_scan;
    }
    double best[2] = {1e9, 1e9}, first_scan[2], total[2], scan_best[2];
    for (int nv = 0; nv < 2; nv++) {
        for (int rep = 0; rep < 3; rep++) {
            double t = open_ms(ctx, sch, path, nv, NULL);
            best[nv] = t < best[nv] ? t : best[nv];
        }
        segc_data *d;
        double o = open_ms(ctx, sch, path, nv, &d);
        segc_result *r;
        first_scan[nv] = scan_ms(ctx, p, d, as_of, &r);
        total[nv] = o + first_scan[nv];
        for (size_t s = 0; s < segc_result_segment_count(r); s++)
            if (segc_result_count(r, s) != segc_result_count(ref, s)) {
                fprintf(stderr, "bench: W10 over the mapping differs\n");
                exit(2);
            }
        segc_result_free(ctx, r);
        scan_best[nv] = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double s = scan_ms(ctx, p, d, as_of, NULL);
            scan_best[nv] = s < scan_best[nv] ? s : scan_best[nv];
        }
        segc_data_free(ctx, d);
    }
    segc_result_free(ctx, ref);
    printf("W10 (JIT, 1 thread) over the records in memory: %.1f ms "
           "(best of 5)\n", mem_scan);
    for (int nv = 0; nv < 2; nv++)
        printf("%-10s open %.1f ms (best of 3); then W10: first scan %.1f ms, "
               "best %.1f ms; open + first scan %.1f ms\n",
               nv ? "no_verify" : "verified", best[nv], first_scan[nv],
               scan_best[nv], total[nv]);
    if (csv) {
        if (!bench_write_csv(mem_d, csv))
            die(ctx, "writing the CSV file");
        segc_data *d;
        t0 = now();
        if (segc_data_load_csv(ctx, sch, csv, NULL, &d, NULL) != SEGC_OK)
            die(ctx, "loading the CSV file");
        double load = now() - t0;
        printf("CSV: loading %s took %.2f s (%.1f ms per million records)\n",
               csv, load, load * 1e3 / ((double)d->n / 1e6));
        segc_data_free(ctx, d);
    }
    segc_program_free(ctx, p);
    return 0;
}
