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
 * parts, over words with mixed case and Latin letters. --classic gives the
 * original generator's programs (--features 0). On a disagreement it prints
 * the segment, the record and the seed, and with --save DIR writes the
 * failing program, its schema and its records to DIR/fail-P.seg,
 * DIR/fail-P.schema and DIR/fail-P.csv, for `segc run --engine jit|interp`. */
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
                      const text *csv)
{
    if (!dir)
        return;
    const char *sch = w ? narrow_text : schema_text;
    write_file(dir, p, "seg", src->p, src->len);
    write_file(dir, p, "schema", sch, strlen(sch));
    write_file(dir, p, "csv", csv->p, csv->len);
    fprintf(stderr, "difftest: saved as %s/fail-%d.{seg,schema,csv}\n", dir,
            p);
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
    text csvs[2] = {{0}, {0}}; /* the records of datas, as CSV */
    long checked_bits = 0, checked_segs = 0;
    for (int p = 0; p < programs && failures < 5; p++) {
        int w = p % 4 == 3; /* every fourth program uses the narrow schema */
        if (p % 50 == 0 || p % 50 == 3) {
            /* new records every 50 programs (sizes cross block boundaries) */
            gen_features = features;
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
            free(csvs[w].p);
            csvs[w] = csv;
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
        gen_program(&src, gen_features ? segments * 3 / 4 : segments, w);
        if (print) {
            /* the programs only, for a look at what the generator makes */
            printf("# program %d (schema %s)\n%s\n", p, w ? "N" : "T", src.p);
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
            save_case(save, p, w, &src, &csvs[w]);
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
                save_case(save, p, w, &src, &csvs[w]);
                break;
            }
        }
        /* every tenth program (both schemas, all three generators): the
         * one-record evaluator's compiled code
         * (src/jit_one.c) on every record, against the interpreter */
        segc_evaluator *ev = NULL;
        segc_evaluator_opts eo = {.engine = SEGC_ENGINE_JIT};
        if (p % 10 == 3 && !failures) {
            if (segc_evaluator_new(ctx, prog, data, AS_OF, &eo, &ev) != SEGC_OK) {
                segc_diag_print_all(ctx, stderr);
                fprintf(stderr, "difftest: segc_evaluator_new failed (seed %"
                        PRIu64 ", program %d):\n%s\n", seed, p, src.p);
                save_case(save, p, w, &src, &csvs[w]);
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
                    save_case(save, p, w, &src, &csvs[w]);
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
    for (int w = 0; w < 2; w++) {
        free(csvs[w].p);
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
