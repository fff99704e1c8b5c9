/* run_cases.c - runs the data-driven cases in tests/cases/ through the public
 * API and compares exact members, exact diagnostics and exact load counts.
 *
 * A case file is a sequence of sections, each opened by a line "--- NAME":
 *
 *   --- schema               a schema (file name schema.seg); optional when
 *                            the rules declare their own
 *   --- rules                the rule file (file name rules.seg)
 *   --- data                 CSV (file name data.csv), verbatim
 *   --- data-file PATH       or: a CSV file, relative to the case file
 *   --- as-of                the evaluation instant (default 2024-04-01)
 *   --- options              skip-bad-rows, max-errors=N; and, one per
 *                            line, lint (the linter's warnings too; and
 *                            lint-max-conditions N, lint-max-list N),
 *                            param NAME=VALUE, lib-path DIR (relative
 *                            to the case's folder), stdlib (the bundled
 *                            library folder, stdlib/ of the source tree),
 *                            limit NAME=VALUE (segc_limits_set)
 *   --- file NAME            another file next to rules.seg (NAME may have
 *                            folders, as in lib/x.seg), for imports
 *   --- expect-params        "NAME = VALUE" per parameter in effect
 *   --- expect               one line per segment: "Name: key key ..."
 *                            (evaluated by the interpreter and the JIT, which
 *                            must agree bit for bit)
 *   --- expect-diagnostics   the first line of every diagnostic, in order
 *   --- expect-render        the full rendering of every diagnostic
 *   --- expect-stats         rows=N loaded=N rejected=N blank=N
 *   --- events NAME          CSV of the events of event list NAME
 *                            (segc_data_load_events, after the data; the
 *                            options' skip-bad-rows applies)
 *   --- expect-event-stats   one line per events section, in order:
 *                            "NAME rows=N loaded=N rejected=N"
 *
 * Lines before the first section are a description. A case without an
 * expect-diagnostics or expect-render section must produce no diagnostics
 * at all. Every segment of the program must be listed under expect.
 * Whenever data was loaded (or failed to load), rows = loaded + rejected
 * must hold, with or without an expect-stats section.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "segc.h"

typedef struct section {
    char name[64];
    char arg[256];
    char *text;
    size_t len;
} section;

typedef struct tcase {
    const char *path;
    char *raw;
    section sec[32];
    int nsec;
} tcase;

static const section *find(const tcase *c, const char *name)
{
    for (int i = 0; i < c->nsec; i++)
        if (strcmp(c->sec[i].name, name) == 0)
            return &c->sec[i];
    return NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t k;
    while (p && (k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                p = NULL;
            }
            p = q;
        }
    }
    fclose(f);
    if (p) {
        p[n] = 0;
        if (len)
            *len = n;
    }
    return p;
}

static int parse_case(tcase *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    size_t len;
    c->raw = slurp(path, &len);
    if (!c->raw)
        return -1;
    char *p = c->raw;
    section *cur = NULL;
    while (*p) {
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        if (strncmp(p, "--- ", 4) == 0) {
            if (c->nsec == 32)
                return -1;
            if (eol)
                *eol = 0;
            cur = &c->sec[c->nsec++];
            char *name = p + 4, *sp = strchr(name, ' ');
            if (sp) {
                *sp = 0;
                snprintf(cur->arg, sizeof cur->arg, "%s", sp + 1);
            }
            snprintf(cur->name, sizeof cur->name, "%s", name);
            cur->text = next;
            cur->len = 0;
        } else if (cur) {
            cur->len = (size_t)(next - cur->text);
        }
        p = next;
    }
    return 0;
}

/* the section's text as a fresh string */
static char *text_of(const section *s)
{
    char *t = malloc(s->len + 1);
    if (t) {
        memcpy(t, s->text, s->len);
        t[s->len] = 0;
    }
    return t;
}

static void trim_end(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = 0;
}

static const char *sev_name(segc_severity s)
{
    return s == SEGC_SEV_ERROR ? "error" : s == SEGC_SEV_WARNING ? "warning"
                                                                 : "note";
}

/* the first lines (or full renderings) of all diagnostics so far */
static void collect(segc_ctx *ctx, FILE *heads, FILE *full)
{
    for (size_t i = 0; i < segc_diag_count(ctx); i++) {
        const segc_diag *d = segc_diag_get(ctx, i);
        if (d->line)
            fprintf(heads, "%s:%u:%u: %s: %s", d->file, d->line, d->column,
                    sev_name(d->severity), d->message);
        else
            fprintf(heads, "%s: %s: %s", d->file, sev_name(d->severity),
                    d->message);
        if (d->code)
            fprintf(heads, " [%s]", d->code);
        fputc('\n', heads);
        segc_diag_print(ctx, i, full);
    }
    segc_diag_clear(ctx);
}

static int write_file(const char *name, const char *text, size_t len)
{
    FILE *f = fopen(name, "wb");
    if (!f)
        return -1;
    size_t k = fwrite(text, 1, len, f);
    return fclose(f) == 0 && k == len ? 0 : -1;
}

/* Compares two texts line by line; prints the first difference. */
/* whether section s (may be NULL) holds the text t */
static int has_text(const section *s, const char *t)
{
    size_t n = strlen(t);
    for (size_t i = 0; s && i + n <= s->len; i++)
        if (memcmp(s->text + i, t, n) == 0)
            return 1;
    return 0;
}

static int same_text(const char *what, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return 1;
    printf("  %s differ:\n  --- expected\n%s\n  --- got\n%s\n", what, want,
           got);
    return 0;
}

/* whether bitmap bit r of segment i of res is set */
static int res_bit(const segc_result *res, size_t i, size_t r)
{
    return (int)(segc_result_bitmap(res, i)[r / 64] >> (r % 64) & 1);
}

/* Both engines with 3 threads on morsels of 64 records, and the one-record
 * evaluator (compiled and interpreted) on every record, must give the
 * interpreter's bits (res). */
static int check_threads_and_one(segc_ctx *ctx, const segc_program *prog,
                                 const segc_data *data, int64_t as_of,
                                 const segc_result *res, int has_events)
{
    int ok = 1;
    size_t nsegs = segc_program_segment_count(prog), n = segc_result_records(res);
    for (int e = 0; e < 2; e++) {
        segc_eval_opts o = {.engine = e ? SEGC_ENGINE_JIT : SEGC_ENGINE_INTERP,
                             .threads = 3, .morsel = 64};
        segc_result *t = NULL;
        if (segc_eval(ctx, prog, data, as_of, &o, &t) != SEGC_OK) {
            printf("  evaluation with 3 threads failed\n");
            return 0;
        }
        for (size_t i = 0; i < nsegs && ok; i++)
            for (size_t r = 0; r < n && ok; r++)
                if (res_bit(t, i, r) != res_bit(res, i, r)) {
                    printf("  3 threads (%s) disagree on segment %s, record "
                           "%zu\n", e ? "jit" : "interp",
                           segc_program_segment_name(prog, i), r + 1);
                    ok = 0;
                }
        segc_result_free(ctx, t);
    }
    size_t rs = segc_schema_record_size(segc_program_schema(prog));
    const unsigned char *recs = segc_data_records(data);
    for (int e = 0; e < 2 && ok; e++) {
        segc_evaluator_opts eo = {.engine = e ? SEGC_ENGINE_JIT : SEGC_ENGINE_INTERP};
        segc_evaluator *ev = NULL;
        if (has_events) {
            /* rules with event aggregates are refused (tried in a context
             * of its own, which keeps the case's diagnostics): the
             * one-record evaluator has no event histories */
            segc_ctx *c2 = segc_ctx_new(NULL, NULL);
            segc_status st = c2 ? segc_evaluator_new(c2, prog, data, as_of,
                                                     &eo, &ev)
                                : SEGC_ERR_NOMEM;
            int refused = st == SEGC_ERR_ARG && segc_diag_count(c2) == 1 &&
                          strstr(segc_diag_get(c2, 0)->message,
                                 "aggregate event histories") != NULL;
            segc_evaluator_free(c2, ev);
            segc_ctx_free(c2);
            ev = NULL;
            if (refused)
                continue;
        }
        if (segc_evaluator_new(ctx, prog, data, as_of, &eo, &ev) != SEGC_OK) {
            printf("  segc_evaluator_new (%s) failed\n", e ? "jit" : "interp");
            return 0;
        }
        uint64_t w[64];
        size_t nw = segc_evaluator_words(ev);
        if (nw > 64) {
            segc_evaluator_free(ctx, ev);
            continue;
        }
        for (size_t r = 0; r < n && ok; r++) {
            segc_evaluator_record(ev, recs + r * rs, w);
            for (size_t i = 0; i < nsegs && ok; i++)
                if ((int)(w[i / 64] >> (i % 64) & 1) != res_bit(res, i, r)) {
                    printf("  the one-record evaluator (%s) disagrees on "
                           "segment %s, record %zu\n", e ? "jit" : "interp",
                           segc_program_segment_name(prog, i), r + 1);
                    ok = 0;
                }
        }
        segc_evaluator_free(ctx, ev);
    }
    return ok;
}

static int run_case(const char *path, const char *workdir)
{
    tcase c;
    if (parse_case(&c, path) != 0) {
        printf("FAIL %s: cannot read the case\n", path);
        free(c.raw);
        return 0;
    }
    const section *s_schema = find(&c, "schema"), *s_rules = find(&c, "rules"),
                  *s_data = find(&c, "data"), *s_dfile = find(&c, "data-file"),
                  *s_asof = find(&c, "as-of"), *s_opts = find(&c, "options"),
                  *s_expect = find(&c, "expect"),
                  *s_diags = find(&c, "expect-diagnostics"),
                  *s_render = find(&c, "expect-render"),
                  *s_stats = find(&c, "expect-stats");
    int ok = 1;
    char *heads_buf = NULL, *full_buf = NULL;
    size_t heads_len = 0, full_len = 0;
    FILE *heads = open_memstream(&heads_buf, &heads_len);
    FILE *full = open_memstream(&full_buf, &full_len);
    char *ev_stats_buf = NULL;
    size_t ev_stats_len = 0;
    FILE *ev_stats = open_memstream(&ev_stats_buf, &ev_stats_len);
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    segc_schema *sch = NULL;
    segc_program *prog = NULL;
    segc_data *data = NULL;
    segc_result *res = NULL;
    segc_load_stats stats;
    memset(&stats, 0, sizeof stats);
    int loaded = 0;
    const char *made[32];
    int nmade = 0;
    char *params[16], *libs[8];
    size_t nparams = 0, nlibs = 0;
    segc_compile_opts copts;
    memset(&copts, 0, sizeof copts);
    segc_lint_opts lint;
    memset(&lint, 0, sizeof lint);
    segc_limits limits;
    memset(&limits, 0, sizeof limits);
    copts.limits = &limits;

    if (!s_rules) {
        printf("FAIL %s: no rules section\n", path);
        ok = 0;
        goto done;
    }
    if (chdir(workdir) != 0) {
        ok = 0;
        goto done;
    }
    /* the other files, and the compile options */
    for (int i = 0; i < c.nsec; i++) {
        if (strcmp(c.sec[i].name, "file") != 0)
            continue;
        const char *name = c.sec[i].arg;
        char dir[256];
        snprintf(dir, sizeof dir, "%s", name);
        for (char *sl = strchr(dir, '/'); sl; sl = strchr(sl + 1, '/')) {
            *sl = 0;
            mkdir(dir, 0777);
            *sl = '/';
        }
        if (write_file(name, c.sec[i].text, c.sec[i].len) != 0) {
            printf("FAIL %s: cannot write %s\n", path, name);
            ok = 0;
            goto done;
        }
        made[nmade++] = name;
    }
    if (s_opts) {
        char *o = text_of(s_opts);
        for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
            trim_end(line);
            if (strncmp(line, "param ", 6) == 0 && nparams < 16) {
                params[nparams++] = strdup(line + 6);
            } else if (strncmp(line, "lib-path ", 9) == 0 && nlibs < 8) {
                /* relative to the case file's folder */
                char buf[1024];
                const char *slash = strrchr(path, '/');
                snprintf(buf, sizeof buf, "%.*s/%s",
                         slash ? (int)(slash - path) : 1, slash ? path : ".",
                         line + 9);
                libs[nlibs++] = strdup(buf);
            } else if (strcmp(line, "lint") == 0) {
                copts.lint = &lint;
            } else if (strncmp(line, "lint-max-conditions ", 20) == 0) {
                lint.max_conditions = (size_t)atoi(line + 20);
                copts.lint = &lint;
            } else if (strncmp(line, "lint-max-list ", 14) == 0) {
                lint.max_list = (size_t)atoi(line + 14);
                copts.lint = &lint;
            } else if (strncmp(line, "limit ", 6) == 0) {
                if (segc_limits_set(&limits, line + 6) != 0) {
                    printf("FAIL %s: bad option '%s'\n", path, line);
                    ok = 0;
                }
            } else if (strcmp(line, "stdlib") == 0 && nlibs < 8) {
                /* path is .../tests/cases/NAME.case (or tests/bad/...) */
                char buf[1024];
                const char *t = strstr(path, "/tests/");
                snprintf(buf, sizeof buf, "%.*s/stdlib",
                         t ? (int)(t - path) : 1, t ? path : ".");
                libs[nlibs++] = strdup(buf);
            }
        }
        free(o);
    }
    copts.params = (const char *const *)params;
    copts.nparams = nparams;
    copts.lib_paths = (const char *const *)libs;
    copts.nlib_paths = nlibs;
    if (s_schema &&
        segc_schema_parse(ctx, "schema.seg", s_schema->text, s_schema->len,
                          &sch) != SEGC_OK)
        goto diags;
    if (segc_compile(ctx, sch, "rules.seg", s_rules->text, s_rules->len,
                     &copts, &prog) != SEGC_OK)
        goto diags;
    if (s_data || s_dfile) {
        if (s_data) {
            if (write_file("data.csv", s_data->text, s_data->len) != 0) {
                printf("FAIL %s: cannot write data.csv\n", path);
                ok = 0;
                goto done;
            }
        } else {
            /* relative to the case file */
            char src[1024];
            const char *slash = strrchr(path, '/');
            snprintf(src, sizeof src, "%.*s/%s",
                     slash ? (int)(slash - path) : 1, slash ? path : ".",
                     s_dfile->arg);
            size_t n;
            char *bytes = slurp(src, &n);
            if (!bytes || write_file("data.csv", bytes, n) != 0) {
                printf("FAIL %s: cannot copy %s\n", path, src);
                free(bytes);
                ok = 0;
                goto done;
            }
            free(bytes);
        }
        segc_load_opts lo = {0, 0};
        if (s_opts) {
            char *o = text_of(s_opts);
            lo.skip_bad_rows = strstr(o, "skip-bad-rows") != NULL;
            char *me = strstr(o, "max-errors=");
            if (me)
                lo.max_errors = (size_t)atoi(me + 11);
            free(o);
        }
        segc_status st = segc_data_load_csv(ctx, segc_program_schema(prog),
                                            "data.csv", &lo, &data, &stats);
        loaded = 1;
        if (st != SEGC_OK)
            goto diags;
        /* the event lists, each from its own file */
        for (int i = 0; i < c.nsec; i++) {
            if (strcmp(c.sec[i].name, "events") != 0)
                continue;
            char name[300];
            snprintf(name, sizeof name, "events-%s.csv", c.sec[i].arg);
            if (write_file(name, c.sec[i].text, c.sec[i].len) != 0) {
                printf("FAIL %s: cannot write %s\n", path, name);
                ok = 0;
                goto done;
            }
            segc_load_stats es;
            memset(&es, 0, sizeof es);
            st = segc_data_load_events(ctx, data, c.sec[i].arg, name, &lo, &es);
            char line[400];
            snprintf(line, sizeof line, "%s rows=%zu loaded=%zu rejected=%zu\n",
                     c.sec[i].arg, es.rows, es.loaded, es.rejected);
            fputs(line, ev_stats);
            if (es.rows != es.loaded + es.rejected) {
                printf("  events %s: rows=%zu != loaded=%zu + rejected=%zu\n",
                       c.sec[i].arg, es.rows, es.loaded, es.rejected);
                ok = 0;
            }
            if (st != SEGC_OK)
                goto diags;
        }
        int64_t as_of = 1711929600; /* 2024-04-01T00:00:00Z */
        if (s_asof) {
            char *t = text_of(s_asof);
            trim_end(t);
            if (segc_parse_instant(t, &as_of, NULL) != 0) {
                printf("FAIL %s: bad as-of '%s'\n", path, t);
                ok = 0;
            }
            free(t);
        }
        /* both engines, which must agree bit for bit */
        segc_eval_opts interp = {.engine = SEGC_ENGINE_INTERP}, jit = {.engine = SEGC_ENGINE_JIT};
        if (segc_eval(ctx, prog, data, as_of, &interp, &res) != SEGC_OK)
            goto diags;
        segc_result *jres = NULL;
        if (segc_eval(ctx, prog, data, as_of, &jit, &jres) != SEGC_OK)
            goto diags;
        for (size_t i = 0; i < segc_program_segment_count(prog); i++) {
            const uint64_t *a = segc_result_bitmap(res, i),
                           *b = segc_result_bitmap(jres, i);
            size_t n = segc_result_records(res);
            for (size_t r = 0; r < n; r++)
                if ((a[r / 64] >> (r % 64) & 1) != (b[r / 64] >> (r % 64) & 1)) {
                    printf("  the JIT disagrees with the interpreter on "
                           "segment %s, record %zu\n",
                           segc_program_segment_name(prog, i), r + 1);
                    ok = 0;
                    break;
                }
        }
        segc_result_free(ctx, jres);
        /* a schema with event lists (the rules may aggregate them) */
        ok &= check_threads_and_one(
            ctx, prog, data, as_of, res,
            find(&c, "events") != NULL || has_text(s_schema, ": events") ||
                has_text(s_rules, ": events"));
    }
diags:
    collect(ctx, heads, full);
    fflush(heads);
    fflush(full);
    if (s_diags) {
        char *want = text_of(s_diags);
        ok &= same_text("diagnostics", want, heads_buf);
        free(want);
    }
    if (s_render) {
        char *want = text_of(s_render);
        ok &= same_text("rendered diagnostics", want, full_buf);
        free(want);
    }
    if (!s_diags && !s_render && heads_len) {
        printf("  unexpected diagnostics:\n%s", full_buf);
        ok = 0;
    }
    fflush(ev_stats);
    if (find(&c, "expect-event-stats")) {
        char *want = text_of(find(&c, "expect-event-stats"));
        ok &= same_text("event load stats", want,
                        ev_stats_buf ? ev_stats_buf : "");
        free(want);
    }
    if (s_stats) {
        char want[256], got[256];
        char *t = text_of(s_stats);
        trim_end(t);
        snprintf(want, sizeof want, "%s", t);
        free(t);
        snprintf(got, sizeof got, "rows=%zu loaded=%zu rejected=%zu blank=%zu",
                 stats.rows, stats.loaded, stats.rejected, stats.blank_lines);
        if (!loaded) {
            printf("  expect-stats given, but no data was loaded\n");
            ok = 0;
        } else {
            ok &= same_text("load stats", want, got);
        }
    }
    if (loaded && stats.rows != stats.loaded + stats.rejected) {
        printf("  rows=%zu != loaded=%zu + rejected=%zu\n", stats.rows,
               stats.loaded, stats.rejected);
        ok = 0;
    }
    if (find(&c, "expect-params")) {
        char *got = NULL;
        size_t glen = 0;
        FILE *g = open_memstream(&got, &glen);
        for (size_t i = 0; prog && i < segc_program_param_count(prog); i++) {
            const char *name, *value;
            segc_program_param(prog, i, &name, &value);
            fprintf(g, "%s = %s\n", name, value);
        }
        fclose(g);
        char *want = text_of(find(&c, "expect-params"));
        trim_end(want);
        trim_end(got);
        ok &= same_text("parameters", want, got);
        free(want);
        free(got);
    }
    if (s_expect) {
        if (!res) {
            printf("  expect given, but nothing was evaluated\n");
            ok = 0;
        } else {
            char *got = NULL;
            size_t glen = 0;
            FILE *g = open_memstream(&got, &glen);
            for (size_t i = 0; i < segc_program_segment_count(prog); i++) {
                fprintf(g, "%s:", segc_program_segment_name(prog, i));
                const uint64_t *bm = segc_result_bitmap(res, i);
                size_t count = 0;
                for (size_t r = 0; r < segc_result_records(res); r++)
                    if (bm[r / 64] >> (r % 64) & 1) {
                        fputc(' ', g);
                        segc_data_write_key(data, r, g);
                        count++;
                    }
                if (count != segc_result_count(res, i))
                    fprintf(g, " (count %zu != bits %zu)",
                            segc_result_count(res, i), count);
                fputc('\n', g);
            }
            fclose(g);
            char *want = text_of(s_expect);
            trim_end(want);
            trim_end(got);
            ok &= same_text("members", want, got);
            free(want);
            free(got);
        }
    }
done:
    for (int i = 0; i < nmade; i++)
        unlink(made[i]);
    for (size_t i = 0; i < nparams; i++)
        free(params[i]);
    for (size_t i = 0; i < nlibs; i++)
        free(libs[i]);
    if (heads)
        fclose(heads);
    if (full)
        fclose(full);
    if (ev_stats)
        fclose(ev_stats);
    free(heads_buf);
    free(full_buf);
    free(ev_stats_buf);
    for (int i = 0; i < c.nsec; i++)
        if (strcmp(c.sec[i].name, "events") == 0) {
            char name[300];
            snprintf(name, sizeof name, "events-%s.csv", c.sec[i].arg);
            unlink(name);
        }
    segc_result_free(ctx, res);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    segc_ctx_free(ctx);
    free(c.raw);
    if (!ok)
        printf("FAIL %s\n", path);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: run_cases DIR|FILE...\n");
        return 2;
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 2;
    char tmpl[] = "/tmp/segc-cases-XXXXXX";
    char *work = mkdtemp(tmpl);
    if (!work) {
        perror("mkdtemp");
        return 2;
    }
    char **files = NULL;
    size_t nfiles = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[a]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                size_t n = strlen(e->d_name);
                if (n < 6 || strcmp(e->d_name + n - 5, ".case") != 0)
                    continue;
                files = realloc(files, (nfiles + 1) * sizeof *files);
                size_t plen = strlen(cwd) + strlen(argv[a]) + n + 3;
                files[nfiles] = malloc(plen);
                snprintf(files[nfiles++], plen, "%s/%s/%s", cwd, argv[a],
                         e->d_name);
            }
            if (d)
                closedir(d);
        } else {
            files = realloc(files, (nfiles + 1) * sizeof *files);
            size_t plen = strlen(cwd) + strlen(argv[a]) + 2;
            files[nfiles] = malloc(plen);
            if (argv[a][0] == '/')
                snprintf(files[nfiles++], plen, "%s", argv[a]);
            else
                snprintf(files[nfiles++], plen, "%s/%s", cwd, argv[a]);
        }
    }
    qsort(files, nfiles, sizeof *files, by_name);
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (run_case(files[i], work))
            passed++;
        else
            failed++;
        free(files[i]);
    }
    free(files);
    if (chdir(work) == 0) {
        unlink("data.csv");
        if (chdir(cwd) != 0)
            return 2;
    }
    rmdir(work);
    printf("cases: %zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
