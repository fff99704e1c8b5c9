/* sqltest.c - the SQL backend against real engines: every evaluation case of
 * tests/cases/ (those with an `--- expect` section) and random programs of
 * the differential generator (gen.c) are evaluated by the interpreter and,
 * through `segc_program_sql`, by an SQL engine over the same records; the
 * members must agree bit for bit.
 *
 *   sqltest sqlite CASES_DIR [--programs N] [--seed S]
 *       runs everything in SQLite, linked in (libsqlite3)
 *   sqltest export DIR --dialect D CASES_DIR [--programs N]
 *       writes tables (CREATE TABLE + CSV in the dialect's encoding),
 *       queries and the interpreter's answers to DIR, for a driver that runs
 *       them in the engine (tests/sql/check-pg.sh, tests/sql/check-duckdb.mjs)
 *       or parses them (bigquery, spark, trino: tests/sql/parse/check.mjs):
 *         DIR/units.txt      one line per query: "TABLE QUERY NSEGS"
 *         DIR/TABLE.sql      CREATE TABLE TABLE (...)
 *         DIR/TABLE.csv      the records, with a header row
 *         DIR/QUERY.sql      the query (no final semicolon)
 *         DIR/QUERY.expect   a line per record: key,t|f,... (sorted)
 *
 * With CASES_DIR, the cases of tests/sql/cases (edges of the SQL
 * translation: statistics at the 64-bit limits, scores of -0.0, case
 * mapping beyond Latin, date parts beyond the years 1 to 9999) run too,
 * when the program runs in the source tree. Cases use the case runner's
 * format (tests/run_cases.c), with files, parameters and library folders;
 * a case whose rules docs/sql.md says a dialect cannot express is counted
 * as refused. Random programs use every feature of the generator that the
 * SQL backend writes (tests/gen.h; --features MASK changes them).
 *
 * The records the engine sees are written from the records segc loaded
 * (not from the CSV it read), so both sides see the same values. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "segc.h"
#include "value.h"
#include "gen.h"
#include "gen.c"

static const char *mode, *outdir;
static segc_sql_dialect dialect = SEGC_SQL_SQLITE;
static bool verbose;
static long units, tables, memberships, failures, skipped, refused;
static FILE *manifest;
/* the cases of the SQL backend, run after those given */
#define SQL_CASES "tests/sql/cases"
/* the generator's features (tests/gen.h): all that the SQL backend
 * writes; sum, avg and stddev of floats it refuses (docs/sql.md), and
 * event aggregates (not translated yet: GEN_EVENTS also needs the
 * schemas with event lists, which sqltest does not use) */
static unsigned features = GEN_ALL & ~GEN_FLOAT_STATS & ~GEN_EVENTS;

static void die(const char *what)
{
    fprintf(stderr, "sqltest: %s\n", what);
    exit(2);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, k;
    char *p = malloc(cap + 1);
    while (p && (k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *q = realloc(p, (cap *= 2) + 1);
            if (!q)
                free(p);
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

/* ---- record values as text -------------------------------------------------------- */

static void key_text(const dataset *d, size_t r, char *b, size_t cap)
{
    const schema_field *k = &d->sch->fields[d->sch->key];
    const unsigned char *rec = data_record(d, r);
    if (k->ty->kind == TY_INT) {
        snprintf(b, cap, "%" PRId64, rec_i64(rec, k->offset));
    } else {
        uint32_t id = rec_u32(rec, k->offset);
        snprintf(b, cap, "%.*s", (int)d->dicts[d->sch->key].len[id],
                 d->dicts[d->sch->key].s[id]);
    }
}

static void money_text_of(int64_t u, int scale, char *b, size_t cap)
{
    uint64_t a = u < 0 ? 0 - (uint64_t)u : (uint64_t)u;
    uint64_t p = (uint64_t)pow10_i64(scale);
    if (scale)
        snprintf(b, cap, "%s%" PRIu64 ".%0*" PRIu64, u < 0 ? "-" : "", a / p,
                 scale, a % p);
    else
        snprintf(b, cap, "%s%" PRIu64, u < 0 ? "-" : "", a);
}

static void csv_quoted(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* a key as PostgreSQL's CSV output writes it */
static void csv_key(FILE *f, const char *s)
{
    if (!*s || strpbrk(s, ",\"\r\n"))
        csv_quoted(f, s, strlen(s));
    else
        fputs(s, f);
}

/* one cell of a record as text in the table encoding; false for null */
static bool cell_text(const dataset *d, size_t r, size_t fi, buf *b)
{
    const schema *sch = d->sch;
    const schema_field *f = &sch->fields[fi];
    const unsigned char *rec = data_record(d, r);
    b->len = 0;
    if (schema_is_null(f, rec, sch->null_offset))
        return false;
    char t[200];
    switch (f->ty->kind) {
    case TY_BOOL:
        buf_puts(b, rec[f->offset] ? "true" : "false");
        break;
    case TY_INT:
        buf_printf(b, "%" PRId64, rec_i64(rec, f->offset));
        break;
    case TY_FLOAT:
        buf_printf(b, "%.17g", rec_f64(rec, f->offset));
        break;
    case TY_MONEY:
        money_text_of(rec_i64(rec, f->offset), f->ty->scale, t, sizeof t);
        buf_puts(b, t);
        break;
    case TY_DATE:
        cal_format_date(rec_i32(rec, f->offset), t, sizeof t);
        buf_puts(b, t);
        break;
    case TY_TIMESTAMP:
        cal_format_ts(rec_i64(rec, f->offset), t, sizeof t);
        t[10] = ' ';
        t[19] = 0;
        buf_printf(b, "%s%s", t, dialect == SEGC_SQL_SQLITE ? "" : "+00");
        break;
    case TY_STRING: {
        uint32_t id = rec_u32(rec, f->offset);
        buf_append(b, d->dicts[fi].s[id], d->dicts[fi].len[id]);
        break;
    }
    case TY_ENUM:
        buf_puts(b, f->ty->enm->values[rec_u32(rec, f->offset)]);
        break;
    case TY_SET: {
        const setdict *sd = &d->sets[fi];
        uint32_t id = rec_u32(rec, f->offset);
        if (dialect == SEGC_SQL_POSTGRES)
            buf_putc(b, '{');
        else if (dialect == SEGC_SQL_DUCKDB)
            buf_putc(b, '[');
        for (uint32_t k = 0; k < sd->count[id]; k++) {
            uint32_t e = sd->ids[id][k];
            const char *s = sd->elems.s[e];
            uint32_t n = sd->elems.len[e];
            if (dialect == SEGC_SQL_SQLITE) {
                buf_printf(b, "%s%.*s", k ? ";" : "", (int)n, s);
                continue;
            }
            buf_puts(b, k ? (dialect == SEGC_SQL_DUCKDB ? ", \"" : ",\"")
                          : "\"");
            for (uint32_t i = 0; i < n; i++) {
                if (s[i] == '"' || s[i] == '\\')
                    buf_putc(b, '\\');
                buf_putc(b, s[i]);
            }
            buf_putc(b, '"');
        }
        if (dialect == SEGC_SQL_POSTGRES)
            buf_putc(b, '}');
        else if (dialect == SEGC_SQL_DUCKDB)
            buf_putc(b, ']');
        break;
    }
    default:
        break;
    }
    return true;
}

/* ---- one evaluation: a program over a data set ----------------------------------- */

typedef struct run {
    segc_ctx *ctx;
    const segc_schema *sch;
    segc_data *data;
    long data_id;   /* changes with the data */
    const char *what; /* for messages */
    const char *src;  /* the rules */
    bool counts;      /* check the --counts query too */
} run;

static sqlite3 *db;
static long db_data = -1;
static long exported_data = -1;
static char table_name[32];

static char *to_text(void (*fn)(FILE *, void *), void *arg)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    fn(f, arg);
    fclose(f);
    return p;
}

typedef struct sqlarg {
    run *r;
    const segc_program *prog;
    segc_sql_opts *o;
    segc_status st;
} sqlarg;

static void write_query(FILE *f, void *a)
{
    sqlarg *s = a;
    s->st = segc_program_sql(s->r->ctx, s->prog, s->o, f);
}

static void write_table(FILE *f, void *a)
{
    sqlarg *s = a;
    s->st = segc_schema_sql_table(s->r->ctx, s->r->sch, s->o, f);
}

static void load_sqlite(run *r)
{
    if (db)
        sqlite3_close(db);
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        die("cannot open SQLite");
    segc_sql_opts o = {SEGC_SQL_SQLITE, table_name, 0, 0};
    sqlarg a = {r, NULL, &o, SEGC_OK};
    char *ddl = to_text(write_table, &a);
    char *err = NULL;
    if (a.st != SEGC_OK || sqlite3_exec(db, ddl, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqltest: %s\n%s\n", err ? err : "CREATE TABLE", ddl);
        exit(2);
    }
    free(ddl);
    const dataset *d = r->data;
    size_t nf = d->sch->nfields;
    buf ins;
    buf_init(&ins, d->m);
    buf_printf(&ins, "INSERT INTO \"%s\" VALUES (", table_name);
    for (size_t i = 0; i < nf; i++)
        buf_puts(&ins, i ? ", ?" : "?");
    buf_puts(&ins, ")");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, buf_cstr(&ins), -1, &st, NULL) != SQLITE_OK)
        die(sqlite3_errmsg(db));
    buf_free(&ins);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    buf cell;
    buf_init(&cell, d->m);
    for (size_t rr = 0; rr < d->n; rr++) {
        const unsigned char *rec = data_record(d, rr);
        for (size_t i = 0; i < nf; i++) {
            const schema_field *f = &d->sch->fields[i];
            int col = (int)i + 1;
            if (!cell_text(d, rr, i, &cell)) {
                sqlite3_bind_null(st, col);
                continue;
            }
            switch (f->ty->kind) {
            case TY_BOOL:
                sqlite3_bind_int(st, col, rec[f->offset]);
                break;
            case TY_INT:
            case TY_MONEY:
                sqlite3_bind_int64(st, col, rec_i64(rec, f->offset));
                break;
            case TY_FLOAT:
                sqlite3_bind_double(st, col, rec_f64(rec, f->offset));
                break;
            default:
                sqlite3_bind_text(st, col, cell.p ? cell.p : "",
                                  (int)cell.len, SQLITE_TRANSIENT);
                break;
            }
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            die(sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    buf_free(&cell);
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    tables++;
}

static void export_table(run *r)
{
    char path[4096];
    segc_sql_opts o = {dialect, table_name, 0, 0};
    sqlarg a = {r, NULL, &o, SEGC_OK};
    char *ddl = to_text(write_table, &a);
    snprintf(path, sizeof path, "%s/%s.sql", outdir, table_name);
    FILE *f = fopen(path, "w");
    if (!f || a.st != SEGC_OK)
        die("cannot write a table");
    fputs(ddl, f);
    fclose(f);
    free(ddl);
    snprintf(path, sizeof path, "%s/%s.csv", outdir, table_name);
    f = fopen(path, "w");
    if (!f)
        die("cannot write a table's CSV");
    const dataset *d = r->data;
    for (size_t i = 0; i < d->sch->nfields; i++)
        fprintf(f, "%s%s", i ? "," : "", d->sch->fields[i].name);
    fputc('\n', f);
    buf cell;
    buf_init(&cell, d->m);
    for (size_t rr = 0; rr < d->n; rr++) {
        for (size_t i = 0; i < d->sch->nfields; i++) {
            if (i)
                fputc(',', f);
            if (cell_text(d, rr, i, &cell))
                csv_quoted(f, cell.p ? cell.p : "", cell.len);
        }
        fputc('\n', f);
    }
    buf_free(&cell);
    fclose(f);
    tables++;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is msg a refusal that docs/sql.md lists ("What a dialect cannot
 * express")? */
static bool refusal_documented(const char *msg)
{
    static const char *const why[] = {
        "stddev() (its value depends on the order",
        "of floats (its value depends on the order",
        "a percentile with more than 9 decimal places",
        "a percentile of an amount with 18 decimal places",
        "a date outside the years 1 to 9999",
        "(BigQuery stores a NULL array as an empty one)",
        "a string with a NUL character",
        "(event histories are not translated to SQL yet)"};
    if (!strstr(msg, "cannot be written in"))
        return false;
    for (size_t i = 0; i < sizeof why / sizeof *why; i++)
        if (strstr(msg, why[i]))
            return true;
    return false;
}

/* Evaluates prog over r->data with the interpreter and in the engine. */
static void check(run *r, const segc_program *prog, int64_t as_of)
{
    segc_eval_opts eo = {.engine = SEGC_ENGINE_INTERP};
    segc_result *res;
    if (segc_eval(r->ctx, prog, r->data, as_of, &eo, &res) != SEGC_OK) {
        segc_diag_print_all(r->ctx, stderr);
        die("evaluation failed");
    }
    size_t nsegs = segc_program_segment_count(prog), n = r->data->n;
    if (r->data_id != (strcmp(mode, "sqlite") == 0 ? db_data : exported_data)) {
        snprintf(table_name, sizeof table_name, "t%ld", r->data_id);
        if (strcmp(mode, "sqlite") == 0) {
            load_sqlite(r);
            db_data = r->data_id;
        } else {
            export_table(r);
            exported_data = r->data_id;
        }
    }
    segc_sql_opts o = {dialect, table_name, as_of, 0};
    sqlarg a = {r, prog, &o, SEGC_OK};
    char *q = to_text(write_query, &a);
    if (a.st != SEGC_OK) {
        /* a construct that docs/sql.md says the dialect cannot express
         * exactly (stddev, sum and avg of floats, ...; the random programs
         * leave them out): counted, not failed */
        bool documented = segc_diag_count(r->ctx) > 0;
        for (size_t i = 0; i < segc_diag_count(r->ctx); i++)
            documented &= refusal_documented(segc_diag_get(r->ctx, i)->message);
        if (documented) {
            if (verbose)
                segc_diag_print_all(r->ctx, stdout);
            segc_diag_clear(r->ctx);
            refused++;
            free(q);
            segc_result_free(r->ctx, res);
            return;
        }
        printf("FAIL %s: segc sql refused the program:\n", r->what);
        segc_diag_print_all(r->ctx, stdout);
        segc_diag_clear(r->ctx);
        printf("%s\n", r->src);
        failures++;
        free(q);
        segc_result_free(r->ctx, res);
        return;
    }
    units++;
    if (strcmp(mode, "sqlite") == 0) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
            printf("FAIL %s: SQLite rejects the query: %s\n%s\n%s\n", r->what,
                   sqlite3_errmsg(db), r->src, q);
            failures++;
            goto out;
        }
        /* the interpreter's answer per key */
        char **keys = calloc(n + 1, sizeof *keys);
        for (size_t i = 0; i < n; i++) {
            char k[512];
            key_text(r->data, i, k, sizeof k);
            size_t kl = strlen(k);
            keys[i] = malloc(kl + 1 + 8 + nsegs + 1);
            memcpy(keys[i], k, kl);
            keys[i][kl] = '\x01';
            for (size_t s = 0; s < nsegs; s++)
                keys[i][kl + 1 + s] =
                    (char)('0' + (segc_result_bitmap(res, s)[i / 64] >> (i % 64) & 1));
            keys[i][kl + 1 + nsegs] = 0;
        }
        char **got = calloc(n + 1, sizeof *got);
        size_t ng = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(st, 0);
            size_t kl = k ? strlen(k) : 0;
            char *line = malloc(kl + 1 + nsegs + 1);
            memcpy(line, k ? k : "", kl);
            line[kl] = '\x01';
            for (size_t s = 0; s < nsegs; s++) {
                int t = sqlite3_column_type(st, (int)s + 1);
                line[kl + 1 + s] = t == SQLITE_NULL ? 'N'
                                   : (char)('0' + (sqlite3_column_int(st, (int)s + 1) != 0));
            }
            line[kl + 1 + nsegs] = 0;
            if (ng < n)
                got[ng++] = line;
            else
                free(line);
        }
        if (rc != SQLITE_DONE) {
            printf("FAIL %s: SQLite: %s\n%s\n%s\n", r->what, sqlite3_errmsg(db),
                   r->src, q);
            failures++;
        } else {
            qsort(keys, n, sizeof *keys, by_str);
            qsort(got, ng, sizeof *got, by_str);
            bool same = ng == n;
            for (size_t i = 0; same && i < n; i++)
                same = strcmp(keys[i], got[i]) == 0;
            memberships += (long)(n * nsegs);
            if (!same) {
                failures++;
                printf("FAIL %s: SQLite disagrees with the interpreter\n%s\n",
                       r->what, r->src);
                for (size_t i = 0, shown = 0; i < n && i < ng && shown < 5; i++)
                    if (strcmp(keys[i], got[i]) != 0) {
                        char *ka = strchr(keys[i], '\x01'),
                             *kb = strchr(got[i], '\x01');
                        printf("  key %.*s: interpreter %s, SQLite %s\n",
                               (int)(ka - keys[i]), keys[i], ka + 1, kb + 1);
                        shown++;
                    }
                if (ng != n)
                    printf("  %zu rows, %zu records\n", ng, n);
                if (verbose)
                    printf("%s\n", q);
            }
        }
        for (size_t i = 0; i < n; i++)
            free(keys[i]);
        for (size_t i = 0; i < ng; i++)
            free(got[i]);
        free(keys);
        free(got);
        sqlite3_finalize(st);
        /* --counts: the member count of every segment (for every case,
         * and one random program in four: the query differs from the
         * rows' in its last SELECT only) */
        if (!r->counts)
            goto out;
        o.counts = 1;
        char *cq = to_text(write_query, &a);
        sqlite3_stmt *cs;
        bool ok = a.st == SEGC_OK &&
                  sqlite3_prepare_v2(db, cq, -1, &cs, NULL) == SQLITE_OK;
        if (ok) {
            ok = sqlite3_step(cs) == SQLITE_ROW;
            for (size_t s = 0; ok && s < nsegs; s++)
                ok = (size_t)sqlite3_column_int64(cs, (int)s) ==
                     segc_result_count(res, s);
            sqlite3_finalize(cs);
        }
        if (!ok) {
            failures++;
            printf("FAIL %s: the counts query disagrees (or fails: %s)\n%s\n",
                   r->what, sqlite3_errmsg(db), cq);
        }
        free(cq);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/q%ld.sql", outdir, units);
        FILE *f = fopen(path, "w");
        if (!f)
            die("cannot write a query");
        fputs(q, f);
        fclose(f);
        /* expected rows, sorted: key,t|f,... */
        char **lines = calloc(n + 1, sizeof *lines);
        for (size_t i = 0; i < n; i++) {
            char k[512];
            key_text(r->data, i, k, sizeof k);
            char *p = NULL;
            size_t len = 0;
            FILE *m = open_memstream(&p, &len);
            csv_key(m, k);
            for (size_t s = 0; s < nsegs; s++)
                fputs(segc_result_bitmap(res, s)[i / 64] >> (i % 64) & 1 ? ",t"
                                                                       : ",f",
                      m);
            fclose(m);
            lines[i] = p;
        }
        qsort(lines, n, sizeof *lines, by_str);
        snprintf(path, sizeof path, "%s/q%ld.expect", outdir, units);
        f = fopen(path, "w");
        if (!f)
            die("cannot write an answer");
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s\n", lines[i]);
            free(lines[i]);
        }
        free(lines);
        fclose(f);
        fprintf(manifest, "%s q%ld %zu %s\n", table_name, units, nsegs, r->what);
        memberships += (long)(n * nsegs);
    }
out:
    free(q);
    segc_result_free(r->ctx, res);
}

/* ---- the cases --------------------------------------------------------------------- */

typedef struct section {
    char name[64], arg[256];
    char *text;
    size_t len;
} section;

static const section *find(section *sec, int nsec, const char *name)
{
    for (int i = 0; i < nsec; i++)
        if (strcmp(sec[i].name, name) == 0)
            return &sec[i];
    return NULL;
}

static char *sec_text(const section *s)
{
    char *t = malloc(s->len + 1);
    memcpy(t, s->text, s->len);
    t[s->len] = 0;
    return t;
}

static long data_counter;

static void run_case(segc_ctx *ctx, const char *path)
{
    char *raw = slurp(path, NULL);
    if (!raw)
        die("cannot read a case");
    section sec[32];
    int nsec = 0;
    section *cur = NULL;
    for (char *p = raw; *p;) {
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        if (strncmp(p, "--- ", 4) == 0 && nsec < 32) {
            if (eol)
                *eol = 0;
            cur = &sec[nsec++];
            memset(cur, 0, sizeof *cur);
            char *name = p + 4, *sp = strchr(name, ' ');
            if (sp) {
                *sp = 0;
                snprintf(cur->arg, sizeof cur->arg, "%s", sp + 1);
            }
            snprintf(cur->name, sizeof cur->name, "%s", name);
            cur->text = next;
        } else if (cur) {
            cur->len = (size_t)(next - cur->text);
        }
        p = next;
    }
    const section *s_schema = find(sec, nsec, "schema"),
                  *s_rules = find(sec, nsec, "rules"),
                  *s_data = find(sec, nsec, "data"),
                  *s_dfile = find(sec, nsec, "data-file"),
                  *s_asof = find(sec, nsec, "as-of"),
                  *s_opts = find(sec, nsec, "options");
    if (!find(sec, nsec, "expect") || !s_rules || (!s_data && !s_dfile) ||
        find(sec, nsec, "events")) {
        /* (event histories are not translated to SQL yet: docs/sql.md) */
        free(raw);
        return;
    }
    segc_schema *sch = NULL;
    segc_program *prog = NULL;
    segc_data *data = NULL;
    /* as run_cases does: the case's other files next to rules.seg (in a
     * folder of its own), its parameters and library folders */
    char *params[16], *libs[8], *made[32];
    size_t nparams = 0, nlibs = 0, nmade = 0;
    char cwd[4096], work[] = "/tmp/segc-sqltest-case-XXXXXX", abs_path[4096];
    if (!getcwd(cwd, sizeof cwd) || !mkdtemp(work) ||
        !realpath(path, abs_path))
        die("cannot make a folder for a case");
    const char *slash = strrchr(abs_path, '/');
    for (int i = 0; i < nsec; i++) {
        if (strcmp(sec[i].name, "file") != 0 || nmade == 32)
            continue;
        char name[4096];
        snprintf(name, sizeof name, "%s/%s", work, sec[i].arg);
        for (char *sl = strchr(name + strlen(work) + 1, '/'); sl;
             sl = strchr(sl + 1, '/')) {
            *sl = 0;
            mkdir(name, 0777);
            *sl = '/';
        }
        FILE *f = fopen(name, "wb");
        if (!f || fwrite(sec[i].text, 1, sec[i].len, f) != sec[i].len)
            die("cannot write a case's file");
        fclose(f);
        made[nmade++] = strdup(name);
    }
    if (s_opts) {
        char *o = sec_text(s_opts);
        for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
            size_t n = strlen(line);
            while (n && line[n - 1] == ' ')
                line[--n] = 0;
            char buf[8192];
            if (strncmp(line, "param ", 6) == 0 && nparams < 16) {
                params[nparams++] = strdup(line + 6);
            } else if (strncmp(line, "lib-path ", 9) == 0 && nlibs < 8) {
                snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - abs_path),
                         abs_path, line + 9);
                libs[nlibs++] = strdup(buf);
            } else if (strcmp(line, "stdlib") == 0 && nlibs < 8) {
                const char *t = strstr(abs_path, "/tests/cases/");
                snprintf(buf, sizeof buf, "%.*s/stdlib",
                         t ? (int)(t - abs_path) : 1, t ? abs_path : ".");
                libs[nlibs++] = strdup(buf);
            }
        }
        free(o);
    }
    segc_compile_opts copts;
    memset(&copts, 0, sizeof copts);
    copts.params = (const char *const *)params;
    copts.nparams = nparams;
    copts.lib_paths = (const char *const *)libs;
    copts.nlib_paths = nlibs;
    bool compiled = chdir(work) == 0;
    compiled = compiled &&
               (!s_schema || segc_schema_parse(ctx, "schema.seg", s_schema->text,
                                               s_schema->len, &sch) == SEGC_OK) &&
               segc_compile(ctx, sch, "rules.seg", s_rules->text, s_rules->len,
                            &copts, &prog) == SEGC_OK;
    if (chdir(cwd) != 0)
        die("cannot go back to the working folder");
    for (size_t i = 0; i < nmade; i++) {
        unlink(made[i]);
        free(made[i]);
    }
    for (size_t i = 0; i < nparams; i++)
        free(params[i]);
    for (size_t i = 0; i < nlibs; i++)
        free(libs[i]);
    /* the folder, with the folders the files made */
    char rm[8192];
    snprintf(rm, sizeof rm, "rm -rf '%s'", work);
    if (system(rm) != 0)
        die("cannot remove a case's folder");
    if (!compiled) {
        printf("FAIL %s: the case does not compile here:\n", path);
        segc_diag_print_all(ctx, stdout);
        failures++;
        goto done;
    }
    char tmp[] = "/tmp/segc-sqltest-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
        die("temp file");
    if (s_data) {
        if (write(fd, s_data->text, s_data->len) != (ssize_t)s_data->len)
            die("temp file");
    } else {
        char src[4096];
        const char *slash = strrchr(path, '/');
        snprintf(src, sizeof src, "%.*s/%s", slash ? (int)(slash - path) : 1,
                 slash ? path : ".", s_dfile->arg);
        size_t n;
        char *bytes = slurp(src, &n);
        if (!bytes || write(fd, bytes, n) != (ssize_t)n)
            die("cannot copy a case's data file");
        free(bytes);
    }
    close(fd);
    segc_load_opts lo = {0, 0};
    if (s_opts) {
        char *o = sec_text(s_opts);
        lo.skip_bad_rows = strstr(o, "skip-bad-rows") != NULL;
        free(o);
    }
    segc_load_stats ls;
    segc_status st = segc_data_load_csv(ctx, segc_program_schema(prog), tmp,
                                        &lo, &data, &ls);
    unlink(tmp);
    if (st != SEGC_OK) {
        skipped++;
        goto done;
    }
    int64_t as_of = 1711929600; /* 2024-04-01, as in run_cases */
    if (s_asof) {
        char *t = sec_text(s_asof);
        size_t n = strlen(t);
        while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
            t[--n] = 0;
        if (segc_parse_instant(t, &as_of, NULL) != 0)
            die("bad as-of in a case");
        free(t);
    }
    char *rules = sec_text(s_rules);
    run r = {ctx, segc_program_schema(prog), data, ++data_counter, path, rules,
             true};
    check(&r, prog, as_of);
    free(rules);
done:
    segc_diag_clear(ctx);
    segc_data_free(ctx, data);
    segc_program_free(ctx, prog);
    segc_schema_free(ctx, sch);
    free(raw);
}

static void run_cases(segc_ctx *ctx, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        die("cannot open the cases");
    char **files = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".case") != 0)
            continue;
        files = realloc(files, (n + 1) * sizeof *files);
        files[n] = malloc(strlen(dir) + l + 2);
        sprintf(files[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(files, n, sizeof *files, by_str);
    long before = units;
    for (size_t i = 0; i < n; i++) {
        run_case(ctx, files[i]);
        free(files[i]);
    }
    free(files);
    printf("sqltest: %ld evaluation cases in %s\n", units - before, dir);
}

/* ---- random programs ---------------------------------------------------------------- */

static void run_random(segc_ctx *ctx, int programs, int segments, int records,
                       uint64_t seed)
{
    rng_state = seed;
    gen_features = features & ~(unsigned)GEN_EVENTS; /* even from --features */
    segc_schema *schemas[2];
    if (segc_schema_parse(ctx, "schema", schema_text, strlen(schema_text),
                          &schemas[0]) != SEGC_OK ||
        segc_schema_parse(ctx, "narrow", narrow_text, strlen(narrow_text),
                          &schemas[1]) != SEGC_OK)
        die("generator schemas");
    segc_data *datas[2] = {NULL, NULL};
    long ids[2] = {0, 0};
    int compared = 0, rejected = 0;
    for (int p = 0; p < programs && failures < 5; p++) {
        int w = p % 4 == 3;
        if (p % 50 == 0 || p % 50 == 3) {
            text csv = {0};
            if (w)
                gen_narrow_records(&csv, records - 63 + pick(127));
            else
                gen_records(&csv, records - 63 + pick(127));
            char tmp[] = "/tmp/segc-sqltest-XXXXXX";
            int fd = mkstemp(tmp);
            if (fd < 0 || write(fd, csv.p, csv.len) != (ssize_t)csv.len)
                die("temp file");
            close(fd);
            segc_data_free(ctx, datas[w]);
            segc_load_stats st;
            if (segc_data_load_csv(ctx, schemas[w], tmp, NULL, &datas[w],
                                   &st) != SEGC_OK)
                die("generated records do not load");
            unlink(tmp);
            free(csv.p);
            ids[w] = ++data_counter;
        }
        text src = {0};
        gen_program(&src, segments, w);
        segc_program *prog;
        if (segc_compile(ctx, schemas[w], "random.seg", src.p, src.len, NULL,
                         &prog) != SEGC_OK) {
            segc_diag_clear(ctx);
            rejected++;
            free(src.p);
            continue;
        }
        char what[128];
        snprintf(what, sizeof what, "random program %d (seed %" PRIu64 ")", p,
                 seed);
        run r = {ctx, schemas[w], datas[w], ids[w], what, src.p, p % 4 == 0};
        check(&r, prog, AS_OF);
        compared++;
        segc_program_free(ctx, prog);
        free(src.p);
    }
    for (int w = 0; w < 2; w++) {
        segc_data_free(ctx, datas[w]);
        segc_schema_free(ctx, schemas[w]);
    }
    printf("sqltest: %d random programs of %d segments (%d rejected by the "
           "checker)\n", compared, segments, rejected);
}

static const char *dialect_name(segc_sql_dialect d)
{
    static const char *const names[] = {"postgres", "duckdb", "sqlite",
                                        "bigquery", "spark",  "trino"};
    return (unsigned)d < sizeof names / sizeof *names ? names[d] : "?";
}

int main(int argc, char **argv)
{
    int programs = 2000, segments = 12, records = 300;
    uint64_t seed = 20261123;
    const char *cases = NULL;
    if (argc < 2)
        die("usage: sqltest sqlite|export [DIR --dialect D] CASES_DIR "
            "[--programs N] [--seed S]");
    mode = argv[1];
    int i = 2;
    if (strcmp(mode, "export") == 0) {
        if (argc < 3)
            die("export needs a folder");
        outdir = argv[i++];
    } else if (strcmp(mode, "sqlite") != 0) {
        die("the mode is sqlite or export");
    }
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--programs") == 0 && i + 1 < argc)
            programs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--segments") == 0 && i + 1 < argc)
            segments = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dialect") == 0 && i + 1 < argc) {
            if (segc_sql_dialect_parse(argv[++i], &dialect) != 0)
                die("unknown dialect");
        } else if (strcmp(argv[i], "--verbose") == 0)
            verbose = true;
        else if (strcmp(argv[i], "--features") == 0 && i + 1 < argc)
            features = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (argv[i][0] != '-' && !cases)
            cases = argv[i];
        else
            die("bad argument");
    }
    if (strcmp(mode, "export") == 0) {
        mkdir(outdir, 0777);
        char path[4096];
        snprintf(path, sizeof path, "%s/units.txt", outdir);
        manifest = fopen(path, "w");
        if (!manifest)
            die("cannot write units.txt");
    }
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    if (cases) {
        run_cases(ctx, cases);
        /* and the cases written for the SQL backend (run from the source
         * tree, as make does) */
        struct stat sb;
        if (strcmp(cases, SQL_CASES) != 0 && stat(SQL_CASES, &sb) == 0 &&
            S_ISDIR(sb.st_mode))
            run_cases(ctx, SQL_CASES);
    }
    if (programs > 0)
        run_random(ctx, programs, segments, records, seed);
    if (db)
        sqlite3_close(db);
    if (manifest)
        fclose(manifest);
    segc_ctx_free(ctx);
    if (refused)
        printf("sqltest: %ld programs refused as docs/sql.md says (--verbose "
               "names the constructs)\n", refused);
    if (strcmp(mode, "sqlite") == 0)
        printf("sqltest: SQLite %s: %ld queries over %ld tables, %ld "
               "memberships compared; %ld passed, %ld failed\n",
               sqlite3_libversion(), units, tables, memberships,
               units - failures, failures);
    else
        printf("sqltest: exported %ld queries over %ld tables (%ld "
               "memberships) for %s\n", units, tables, memberships,
               dialect_name(dialect));
    return failures ? 1 : 0;
}
