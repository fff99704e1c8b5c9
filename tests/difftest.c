/* difftest.c - the randomized differential test: random well-typed programs
 * over random records, evaluated by the interpreter and the JIT, whose
 * bitmaps must agree bit for bit.
 *
 *   difftest [--programs N] [--segments K] [--records R] [--seed S]
 *            [--features MASK | --classic] [--print] [--save DIR]
 *            [--verbose]
 *
 * Programs are written as rule text, so they pass through the parser and
 * the checker like any rule file. The generator covers every operator and
 * literal kind of the language, nulls in every position, int64 edges
 * (overflow gives null), money at several scales, ages at exact day and
 * second boundaries of as_of, calendar months, strings and enums, sets;
 * and (gen_features, by default all of them: tests/gen.h) declarations,
 * segment references, classifications, calendar periods, population
 * statistics at several levels, scores, string and set functions and date
 * parts, over words with mixed case and Latin letters; and event
 * histories (GEN_EVENTS: the schemas then carry an event list each, T's
 * buys at timestamps with a nullable amount, int, string and bool, N's
 * visits at dates, loaded with segc_data_load_events from an events CSV
 * made with the records): empty histories, one event and many, several at
 * one instant or on one day, times exactly at and one second beside the
 * window boundaries of as_of (as_of itself, 1d, 7d, 30d, 1mo, 90d, 1y back)
 * and after as_of (invisible), nulls in every event field, amounts and ints
 * whose sums overflow; count, sum, avg, min, max, first, last, any, all,
 * distinct_days and avg_gap with random where filters over the event's
 * fields (periods, now, today) and within windows in d, w, mo and y,
 * compared with constants, in lets, in population statistics and in
 * quintiles. The one-record evaluator refuses event aggregates, so
 * programs that use them skip that check. --classic gives the
 * original generator's programs (--features 0). On a disagreement it prints
 * the segment, the record and the seed, and with --save DIR writes the
 * failing program, its schema and its records to DIR/fail-P.seg,
 * DIR/fail-P.schema and DIR/fail-P.csv (and its events to
 * DIR/fail-P.events.csv, for --events buys=... or visits=...), for `segc
 * run --engine jit|interp`. --features without GEN_EVENTS (0x200) uses
 * the original schemas, so old seeds keep their programs and records. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segc.h"
#include "gen.h"
#include "gen.c"

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

static void write_file(const char *dir, int p, const char *ext,
                       const char *s, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fail-%d.%s", dir, p, ext);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(s, 1, n, f) != n) {
        perror(path);
        exit(2);
    }
    fclose(f);
}

static void save_case(const char *dir, int p, int w, const text *src,
                      const text *csv, const text *events)
{
    if (!dir)
        return;
    bool ev = events->p != NULL;
    const char *sch = w ? (w == 2 ? narrow_ev_text : narrow_text)
                        : (ev ? schema_ev_text : schema_text);
    write_file(dir, p, "seg", src->p, src->len);
    write_file(dir, p, "schema", sch, strlen(sch));
    write_file(dir, p, "csv", csv->p, csv->len);
    if (ev)
        write_file(dir, p, "events.csv", events->p, events->len);
    fprintf(stderr, "difftest: saved as %s/fail-%d.{seg,schema,csv%s}%s%s\n",
            dir, p, ev ? ",events.csv" : "",
            ev ? "; its events are --events " : "",
            ev ? (w ? "visits=..." : "buys=...") : "");
}

int main(int argc, char **argv)
{
    int programs = 2000, segments = 12, records = 300;
    uint64_t seed = 20261123;
    bool verbose = false, print = false;
    const char *save = NULL;
    unsigned features = GEN_ALL;
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
        else if (strcmp(argv[i], "--features") == 0 && i + 1 < argc)
            features = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--classic") == 0)
            features = 0;
        else if (strcmp(argv[i], "--print") == 0)
            print = true;
        else if (strcmp(argv[i], "--save") == 0 && i + 1 < argc)
            save = argv[++i];
        else {
            fprintf(stderr, "usage: difftest [--programs N] [--segments K] "
                            "[--records R] [--seed S] [--features MASK] "
                            "[--classic] [--print] [--save DIR] [--verbose]\n");
            return 2;
        }
    }
    rng_state = seed;
    gen_features = features;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    /* schemas[w]: T, N and, with GEN_EVENTS, N with an event list (NE);
     * T then carries an event list too (TE, tests/gen.h). An event list
     * takes an 8-byte aligned slot, so NE's records (40 bytes) take the
     * JIT's transposition path: N without events keeps the gather path. */
    segc_schema *schemas[3] = {NULL, NULL, NULL};
    bool events = (features & GEN_EVENTS) != 0;
    const char *stext[3] = {events ? schema_ev_text : schema_text,
                            narrow_text, narrow_ev_text};
    if (segc_schema_parse(ctx, "schema", stext[0], strlen(stext[0]),
                          &schemas[0]) != SEGC_OK ||
        segc_schema_parse(ctx, "narrow", stext[1], strlen(stext[1]),
                          &schemas[1]) != SEGC_OK ||
        segc_schema_parse(ctx, "narrow", stext[2], strlen(stext[2]),
                          &schemas[2]) != SEGC_OK) {
        segc_diag_print_all(ctx, stderr);
        return 2;
    }
    int failures = 0, compiled = 0, rejected = 0;
    segc_data *datas[3] = {NULL, NULL, NULL};
    text csvs[3] = {{0}, {0}, {0}}; /* the records of datas, as CSV */
    text evcsvs[3] = {{0}, {0}, {0}}; /* and their events */
    long checked_bits = 0, checked_segs = 0;
    for (int p = 0; p < programs && failures < 5; p++) {
        int w = p % 4 == 3; /* every fourth program uses the narrow schema */
        if (w && events && p % 8 == 7)
            w = 2; /* half of them, with GEN_EVENTS, NE */
        if (p % 50 == 0 || p % 50 == 3 || !datas[w]) {
            /* new records every 50 programs (sizes cross block boundaries) */
            gen_features = features;
            text csv = {0};
            int nrec = records - 63 + pick(127);
            if (w)
                gen_narrow_records(&csv, nrec);
            else
                gen_records(&csv, nrec);
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
            free(csvs[w].p);
            csvs[w] = csv;
            free(evcsvs[w].p);
            evcsvs[w] = (text){0};
            if (events && w != 1) {
                text ev = {0};
                if (w)
                    gen_narrow_events(&ev, nrec);
                else
                    gen_events(&ev, nrec);
                path = write_temp(ev.p, ev.len);
                if (segc_data_load_events(ctx, datas[w], w ? "visits" : "buys",
                                          path, NULL, &st) != SEGC_OK) {
                    segc_diag_print_all(ctx, stderr);
                    fprintf(stderr, "difftest: the generated events do not "
                            "load (seed %" PRIu64 ", program %d)\n", seed, p);
                    return 2;
                }
                unlink(path);
                free(path);
                evcsvs[w] = ev;
            }
        }
        segc_schema *sch = schemas[w];
        segc_data *data = datas[w];
        text src = {0};
        /* two programs of three use the whole language, with a quarter
         * fewer segments (a classification adds two to four tiers); the
         * third is one of the original generator, with its deeper
         * conditions. Compiling is most of difftest's time, and statistics
         * add a compiled pass per level: this keeps the run about as long
         * as it was before the language grew. */
        gen_features = p % 3 == 2 ? 0 : features;
        if (w == 1)
            gen_features &= ~(unsigned)GEN_EVENTS;
        gen_program(&src, gen_features ? segments * 3 / 4 : segments, w != 0);
        if (print) {
            /* the programs only, for a look at what the generator makes */
            printf("# program %d (schema %s)\n%s\n", p,
                   (const char *[]){"T", "N", "NE"}[w], src.p);
            free(src.p);
            continue;
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
        segc_eval_opts oi = {.engine = SEGC_ENGINE_INTERP}, oj = {.engine = SEGC_ENGINE_JIT};
        segc_result *ri, *rj;
        if (segc_eval(ctx, prog, data, AS_OF, &oi, &ri) != SEGC_OK ||
            segc_eval(ctx, prog, data, AS_OF, &oj, &rj) != SEGC_OK) {
            segc_diag_print_all(ctx, stderr);
            fprintf(stderr, "difftest: the evaluation failed (seed %" PRIu64
                    ", program %d):\n%s\n", seed, p, src.p);
            save_case(save, p, w, &src, &csvs[w], &evcsvs[w]);
            return 2;
        }
        size_t n = segc_data_count(data);
        checked_segs += (long)segc_program_segment_count(prog);
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
                save_case(save, p, w, &src, &csvs[w], &evcsvs[w]);
                break;
            }
        }
        /* every tenth program (both schemas, all three generators): the
         * one-record evaluator's compiled code
         * (src/jit_one.c) on every record, against the interpreter */
        segc_evaluator *ev = NULL;
        segc_evaluator_opts eo = {.engine = SEGC_ENGINE_JIT};
        /* (it refuses event aggregates: docs/language.md) */
        bool uses_events = w != 1 && strstr(src.p, w ? "visits" : "buys");
        if (p % 10 == 3 && !failures && !uses_events) {
            if (segc_evaluator_new(ctx, prog, data, AS_OF, &eo, &ev) != SEGC_OK) {
                segc_diag_print_all(ctx, stderr);
                fprintf(stderr, "difftest: segc_evaluator_new failed (seed %"
                        PRIu64 ", program %d):\n%s\n", seed, p, src.p);
                save_case(save, p, w, &src, &csvs[w], &evcsvs[w]);
                return 2;
            }
            const unsigned char *recs = segc_data_records(data);
            size_t rs = segc_schema_record_size(segc_program_schema(prog));
            size_t nw = segc_evaluator_words(ev);
            uint64_t *bits = calloc(nw, sizeof *bits);
            for (size_t r = 0; r < n && bits; r++) {
                segc_evaluator_record(ev, recs + r * rs, bits);
                for (size_t s = 0; s < segc_program_segment_count(prog); s++) {
                    int a = (int)(segc_result_bitmap(ri, s)[r / 64] >> (r % 64) & 1);
                    int b = (int)(bits[s / 64] >> (s % 64) & 1);
                    if (a == b)
                        continue;
                    fprintf(stderr,
                            "DISAGREE (seed %" PRIu64 ", program %d): segment "
                            "%s, record %zu: interpreter %d, one-record "
                            "evaluator %d\n%s\n",
                            seed, p, segc_program_segment_name(prog, s), r + 1,
                            a, b, src.p);
                    failures++;
                    save_case(save, p, w, &src, &csvs[w], &evcsvs[w]);
                    r = n;
                    break;
                }
            }
            free(bits);
            segc_evaluator_free(ctx, ev);
        }
        segc_result_free(ctx, ri);
        segc_result_free(ctx, rj);
        segc_program_free(ctx, prog);
        free(src.p);
    }
    for (int w = 0; w < 3; w++) {
        free(csvs[w].p);
        free(evcsvs[w].p);
        segc_data_free(ctx, datas[w]);
        segc_schema_free(ctx, schemas[w]);
    }
    segc_ctx_free(ctx);
    printf("difftest: %d programs compared (%ld segments and tiers, %ld "
           "memberships), %d rejected by the checker; %d passed, %d failed\n",
           compiled, checked_segs, checked_bits, rejected,
           failures ? compiled - failures : compiled, failures);
    return failures ? 1 : 0;
}
