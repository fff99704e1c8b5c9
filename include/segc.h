/*
 * segc.h - the public API of segc, a compiler for customer segment rules.
 *
 * Everything a host needs goes through the opaque handles declared here:
 *
 *   segc_ctx      a context: allocator, diagnostics. One per thread.
 *   segc_schema   a customer schema (fields, types, record layout).
 *   segc_program  a compiled rule file: segments over one schema. Immutable.
 *   segc_data     customer records packed into fixed-size rows.
 *   segc_result   one membership bitmap per segment.
 *
 * Every call that can fail returns a segc_status and leaves structured
 * diagnostics (file, line, column, message) in its context. The library
 * never exits, never aborts and keeps no global mutable state.
 */
#ifndef SEGC_H
#define SEGC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEGC_VERSION_MAJOR 0
#define SEGC_VERSION_MINOR 1
#define SEGC_VERSION_PATCH 0
#define SEGC_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define SEGC_API __attribute__((visibility("default")))
#else
#define SEGC_API
#endif

typedef struct segc_ctx segc_ctx;
typedef struct segc_schema segc_schema;
typedef struct segc_program segc_program;
typedef struct segc_data segc_data;
typedef struct segc_result segc_result;

typedef enum segc_status {
    SEGC_OK = 0,
    SEGC_ERR_COMPILE, /* the rule file or schema has errors (see diagnostics) */
    SEGC_ERR_DATA,    /* the input data has errors (see diagnostics) */
    SEGC_ERR_IO,      /* a file could not be read or written */
    SEGC_ERR_NOMEM,   /* the allocator returned NULL */
    SEGC_ERR_ARG      /* a bad argument (NULL handle, mismatched schema, ...) */
} segc_status;

/* Every allocation of the library goes through this hook. It behaves like
 * Lua's: nsize == 0 frees ptr (and returns NULL); otherwise it returns a
 * block of nsize bytes holding the first min(osize, nsize) bytes of ptr
 * (ptr == NULL: a new block), or NULL on failure, leaving ptr untouched. */
typedef void *(*segc_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* ---- version ------------------------------------------------------------ */

SEGC_API const char *segc_version(void);

/* ---- context ------------------------------------------------------------ */

/* alloc may be NULL (malloc/realloc/free). Returns NULL only when the very
 * first allocation fails. */
SEGC_API segc_ctx *segc_ctx_new(segc_alloc_fn alloc, void *ud);
SEGC_API void segc_ctx_free(segc_ctx *ctx);

/* ---- diagnostics --------------------------------------------------------- */

typedef enum segc_severity {
    SEGC_SEV_ERROR = 0,
    SEGC_SEV_WARNING,
    SEGC_SEV_NOTE
} segc_severity;

typedef struct segc_diag {
    segc_severity severity;
    const char *code;        /* a stable id such as "SEG101", or NULL */
    const char *file;        /* never NULL; "<input>" when unnamed */
    unsigned line, column;   /* 1-based; 0 when the diagnostic has no place */
    unsigned end_line, end_column; /* last character of the span (inclusive) */
    const char *message;
    const char *fix;         /* a suggested replacement for the span, or NULL */
    const char *line_text;   /* the source line, for the caret display, or NULL */
} segc_diag;

SEGC_API size_t segc_diag_count(const segc_ctx *ctx);
SEGC_API const segc_diag *segc_diag_get(const segc_ctx *ctx, size_t i);
SEGC_API size_t segc_diag_errors(const segc_ctx *ctx);
SEGC_API void segc_diag_clear(segc_ctx *ctx);

/* Writes diagnostic i in the gcc format: "file:line:col: error: message",
 * then the source line and a caret under the span. */
SEGC_API void segc_diag_print(const segc_ctx *ctx, size_t i, FILE *out);
SEGC_API void segc_diag_print_all(const segc_ctx *ctx, FILE *out);

/* ---- schemas and programs ----------------------------------------------- */

/* Parse a schema from text (name is used in diagnostics) or from a file. */
SEGC_API segc_status segc_schema_parse(segc_ctx *ctx, const char *name,
                                       const char *text, size_t len,
                                       segc_schema **out);
SEGC_API segc_status segc_schema_load(segc_ctx *ctx, const char *path,
                                      segc_schema **out);
SEGC_API void segc_schema_free(segc_ctx *ctx, segc_schema *schema);

typedef enum segc_engine {
    SEGC_ENGINE_AUTO = 0, /* the JIT, unless the data is so small that
                           * compiling would cost more than it saves */
    SEGC_ENGINE_INTERP,   /* the reference interpreter */
    SEGC_ENGINE_JIT       /* native code generated with LLVM */
} segc_engine;

typedef struct segc_compile_opts {
    segc_engine engine; /* SEGC_ENGINE_JIT: generate machine code now */
    int opt_level;      /* 1..3 for LLVM's default<O1..3>; 0: the default, 2 */
    /* The folders that import "name" searches for name.seg, in order (the
     * CLI passes --lib-path, SEGC_PATH and the bundled stdlib). */
    const char *const *lib_paths;
    size_t nlib_paths;
    /* Values for the rule file's parameters, each "NAME=VALUE" with VALUE
     * written as in a rule file (120d, 50 EUR, ["DE", "AT"]). */
    const char *const *params;
    size_t nparams;
    /* Non-NULL: also the linter's warnings (SEG101 ..., docs/cli.md) as
     * diagnostics of severity SEGC_SEV_WARNING with their code. */
    const struct segc_lint_opts *lint;
} segc_compile_opts;

typedef struct segc_lint_opts {
    const char *const *disable; /* warning codes not to report ("SEG205") */
    size_t ndisable;
    size_t max_conditions; /* a segment with more conditions (written out)
                            * gets SEG401; 0: no budget */
    size_t max_list;       /* a list longer than this: SEG402; 0: none */
} segc_lint_opts;

/* The linter's warnings, for tools (SARIF rules): id ("SEG101"), a
 * camel-case name and a one-line summary of rule i; 0 when out of range. */
SEGC_API size_t segc_lint_rule_count(void);
SEGC_API int segc_lint_rule(size_t i, const char **id, const char **name,
                            const char **summary);

/* Compile a rule file. schema may be NULL when the rule file declares its
 * schema inline; the program keeps its own copy of the schema. opts may be
 * NULL (SEGC_ENGINE_AUTO: machine code is made when an evaluation needs it). */
SEGC_API segc_status segc_compile(segc_ctx *ctx, const segc_schema *schema,
                                  const char *name, const char *text,
                                  size_t len, const segc_compile_opts *opts,
                                  segc_program **out);
SEGC_API segc_status segc_compile_file(segc_ctx *ctx,
                                       const segc_schema *schema,
                                       const char *path,
                                       const segc_compile_opts *opts,
                                       segc_program **out);
/* Generates the program's machine code now, if it has none yet, so that
 * every later evaluation reuses it. Do not call it while other threads
 * evaluate the program. */
SEGC_API segc_status segc_program_jit(segc_ctx *ctx, segc_program *prog);
/* Writes the program's optimised LLVM IR. */
SEGC_API segc_status segc_program_emit_llvm(segc_ctx *ctx,
                                            const segc_program *prog,
                                            FILE *out);
/* Programs, schemas, data and results must be freed before the context
 * that made them. */
SEGC_API void segc_program_free(segc_ctx *ctx, segc_program *prog);

SEGC_API const segc_schema *segc_program_schema(const segc_program *prog);
SEGC_API size_t segc_program_segment_count(const segc_program *prog);
SEGC_API const char *segc_program_segment_name(const segc_program *prog,
                                               size_t i);
/* The comment block directly above the segment, or NULL. */
SEGC_API const char *segc_program_segment_description(
    const segc_program *prog, size_t i);

/* The classification a segment is a tier of, or -1 for a plain segment.
 * A program's segments are its plain segments in file order, then the tiers
 * of each classification in order; every one has a bitmap in a result. */
SEGC_API int segc_program_segment_classification(const segc_program *prog,
                                                 size_t i);
/* Annotations (@owner("crm"), @deprecated): name and value as written
 * (a single string argument unquoted; NULL when there are no arguments).
 * Returns 0 when there is no annotation k. */
SEGC_API size_t segc_program_segment_annotation_count(
    const segc_program *prog, size_t i);
SEGC_API int segc_program_segment_annotation(const segc_program *prog,
                                             size_t i, size_t k,
                                             const char **name,
                                             const char **value);

/* Classifications: named groups of tiers, each customer in at most one. */
SEGC_API size_t segc_program_classification_count(const segc_program *prog);
SEGC_API const char *segc_program_classification_name(
    const segc_program *prog, size_t c);
/* Its tiers are segments first .. first + count - 1. Returns 0 when there
 * is no classification c. */
SEGC_API int segc_program_classification_tiers(const segc_program *prog,
                                               size_t c, size_t *first,
                                               size_t *count);

/* Parameters and the values in effect (as written). Returns 0 when there
 * is no parameter i. */
SEGC_API size_t segc_program_param_count(const segc_program *prog);
SEGC_API int segc_program_param(const segc_program *prog, size_t i,
                                const char **name, const char **value);

/* Writes the program's typed IR in a readable form (for debugging). */
SEGC_API void segc_program_dump(const segc_program *prog, FILE *out);

/* ---- schema introspection ----------------------------------------------- */

typedef enum segc_type {
    SEGC_TYPE_BOOL = 0,
    SEGC_TYPE_INT,
    SEGC_TYPE_FLOAT,
    SEGC_TYPE_MONEY,
    SEGC_TYPE_STRING,
    SEGC_TYPE_ENUM,
    SEGC_TYPE_DATE,
    SEGC_TYPE_TIMESTAMP,
    SEGC_TYPE_SET
} segc_type;

typedef struct segc_field_info {
    const char *name;
    segc_type type;
    int nullable;
    int is_key;
    size_t offset;     /* byte offset of the value in a record */
    size_t size;       /* bytes: 1 (bool), 4 (date, string, enum, set), 8 */
    int null_bit;      /* bit index in the record's null bitmap, or -1 */
    const char *currency; /* money: ISO 4217 code, else NULL */
    int decimals;      /* money: the currency's minor-unit digits */
} segc_field_info;

SEGC_API const char *segc_schema_name(const segc_schema *schema);
SEGC_API size_t segc_schema_field_count(const segc_schema *schema);
SEGC_API segc_status segc_schema_field(const segc_schema *schema, size_t i,
                                       segc_field_info *out);
SEGC_API size_t segc_schema_record_size(const segc_schema *schema);
SEGC_API size_t segc_schema_key_field(const segc_schema *schema);
/* A hash of the layout: data and programs of equal fingerprints fit. */
SEGC_API uint64_t segc_schema_fingerprint(const segc_schema *schema);

/* ---- data ---------------------------------------------------------------- */

typedef struct segc_load_opts {
    int skip_bad_rows;  /* nonzero: load the good rows, report the bad ones */
    size_t max_errors;  /* bad cells listed in full (0: the default, 10) */
} segc_load_opts;

typedef struct segc_load_stats {
    size_t rows;        /* data rows read (blank lines not counted) */
    size_t loaded;      /* rows that became records */
    size_t rejected;    /* rows with at least one bad cell; rows == loaded + rejected */
    size_t blank_lines; /* empty lines, ignored */
    size_t bad_cells;   /* bad cells in all rejected rows */
} segc_load_stats;

/* Loads a CSV file (RFC 4180, header row) into packed records for schema.
 * opts may be NULL. On SEGC_ERR_DATA the diagnostics name every listed bad
 * cell; stats (if not NULL) are filled in whether or not the load failed. */
SEGC_API segc_status segc_data_load_csv(segc_ctx *ctx,
                                        const segc_schema *schema,
                                        const char *path,
                                        const segc_load_opts *opts,
                                        segc_data **out,
                                        segc_load_stats *stats);
SEGC_API void segc_data_free(segc_ctx *ctx, segc_data *data);
SEGC_API size_t segc_data_count(const segc_data *data);
SEGC_API const void *segc_data_records(const segc_data *data);
/* Writes the key of record i as CSV text (quoted when needed). */
SEGC_API void segc_data_write_key(const segc_data *data, size_t i, FILE *out);

/* ---- evaluation ----------------------------------------------------------- */

typedef struct segc_eval_opts {
    segc_engine engine; /* AUTO: the program's machine code if it has some,
                         * else the JIT when the data is large enough */
} segc_eval_opts;

/* as_of: seconds since 1970-01-01T00:00:00Z. opts may be NULL. */
SEGC_API segc_status segc_eval(segc_ctx *ctx, const segc_program *prog,
                               const segc_data *data, int64_t as_of,
                               const segc_eval_opts *opts, segc_result **out);
SEGC_API void segc_result_free(segc_ctx *ctx, segc_result *res);

typedef struct segc_timing {
    segc_engine engine;  /* the engine that ran: INTERP or JIT */
    uint64_t compile_ns; /* machine code generated for this evaluation */
    uint64_t stats_ns;   /* binding, and the population statistics' passes */
    uint64_t scan_ns;    /* scanning the records */
} segc_timing;
SEGC_API void segc_result_timing(const segc_result *res, segc_timing *out);
SEGC_API size_t segc_result_segment_count(const segc_result *res);
SEGC_API size_t segc_result_records(const segc_result *res);
SEGC_API size_t segc_result_count(const segc_result *res, size_t seg);
/* Bit r of word r/64 is set when record r is in the segment. */
SEGC_API const uint64_t *segc_result_bitmap(const segc_result *res,
                                            size_t seg);
/* Writes "key_field_name\n" and the key of every member, one per line. */
SEGC_API segc_status segc_result_write_members(segc_ctx *ctx,
                                               const segc_result *res,
                                               const segc_data *data,
                                               size_t seg, FILE *out);

/* ---- time ------------------------------------------------------------------ */

/* Parses "YYYY-MM-DD" (midnight UTC) or an ISO 8601 timestamp with Z or an
 * offset. *is_date is set when the text was a date. Returns 0 on success. */
SEGC_API int segc_parse_instant(const char *text, int64_t *out, int *is_date);
/* Formats an instant as "YYYY-MM-DD" when it is midnight UTC, else as
 * "YYYY-MM-DDTHH:MM:SSZ". Returns the length written (buf >= 32 bytes). */
SEGC_API size_t segc_format_instant(int64_t t, char *buf, size_t cap);

/* ---- explanations (issue 5): why a customer is, or is not, in a segment ------
 * The explanation of one record lists every segment and classification of
 * the program with the record's membership, and under each the tree of its
 * condition as it is written: each part with its value (true, false or
 * null) and the values it read (fields, named values, parameters,
 * population statistics, scores, the cut-off dates of ages); a
 * classification shows which tier took the record first. The values are
 * the reference interpreter's, with the statistics of the whole data set,
 * so an explanation agrees with segc_eval. docs/cli.md (segc explain) shows
 * the text and the JSON. */

typedef struct segc_explainer segc_explainer;

typedef enum segc_explain_format {
    SEGC_EXPLAIN_TEXT = 0, /* an indented tree per segment */
    SEGC_EXPLAIN_JSON      /* one JSON object on one line */
} segc_explain_format;

typedef struct segc_explain_opts {
    segc_explain_format format;
    /* Only these segments and classifications (a tier, as in
     * "engagement.Warm", selects its classification); NULL: all of them. A
     * name the program does not have is SEGC_ERR_ARG. */
    const char *const *segments;
    size_t nsegments;
    /* Nonzero: a segment used in a condition is written out there (the tree
     * of its condition under its name), not only its membership. */
    int expand;
} segc_explain_opts;

/* Finds the record whose key is key, written as in the CSV file (an int
 * key in digits, a string key as it is). SEGC_ERR_ARG, with a diagnostic,
 * when no record has it or it cannot be a key of the key field's type. */
SEGC_API segc_status segc_data_find_key(segc_ctx *ctx, const segc_data *data,
                                        const char *key, size_t *index);

/* Prepares explanations of prog over data at as_of (seconds since the
 * epoch): binds the program and computes the population statistics once,
 * for any number of segc_explain_record calls (which only read it, so
 * threads with a context each may share it). prog and data must outlive
 * it. */
SEGC_API segc_status segc_explainer_new(segc_ctx *ctx,
                                        const segc_program *prog,
                                        const segc_data *data, int64_t as_of,
                                        segc_explainer **out);
SEGC_API void segc_explainer_free(segc_ctx *ctx, segc_explainer *ex);
/* Writes the explanation of record i (0-based, in file order). opts may
 * be NULL: text, every segment. */
SEGC_API segc_status segc_explain_record(segc_ctx *ctx,
                                         const segc_explainer *ex,
                                         size_t record,
                                         const segc_explain_opts *opts,
                                         FILE *out);
/* Whether record i is in segment s (1) or not (0): the membership the
 * explanation shows, and segc_eval's bit. */
SEGC_API int segc_explain_member(const segc_explainer *ex, size_t record,
                                 size_t seg);
/* segc_explainer_new, segc_explain_record and segc_explainer_free in one. */
SEGC_API segc_status segc_explain(segc_ctx *ctx, const segc_program *prog,
                                  const segc_data *data, int64_t as_of,
                                  size_t record, const segc_explain_opts *opts,
                                  FILE *out);

/* ---- SQL (issue 6): the segments as one SQL query ------------------------------
 * docs/sql.md has the table encoding each dialect expects and what a
 * dialect cannot express (reported as diagnostics, never as wrong SQL). */

typedef enum segc_sql_dialect {
    SEGC_SQL_POSTGRES = 0,
    SEGC_SQL_DUCKDB,
    SEGC_SQL_SQLITE,
    SEGC_SQL_BIGQUERY,
    SEGC_SQL_SPARK,
    SEGC_SQL_TRINO
} segc_sql_dialect;

typedef struct segc_sql_opts {
    segc_sql_dialect dialect;
    const char *table;  /* the customers table, may be dotted (schema.table);
                         * NULL: "customers" */
    int64_t as_of;      /* seconds since 1970-01-01T00:00:00Z, written into
                         * the query as literals */
    int counts;         /* nonzero: one row with the member count of every
                         * segment, instead of a row per customer with the
                         * key and one boolean per segment */
} segc_sql_opts;

/* Parses "postgres", "duckdb", "sqlite", "bigquery", "spark" or "trino".
 * Returns 0 on success. */
SEGC_API int segc_sql_dialect_parse(const char *name, segc_sql_dialect *out);
/* Writes the program's segments as one query in the dialect. On
 * SEGC_ERR_COMPILE the diagnostics name what the dialect cannot express,
 * and nothing is written. */
SEGC_API segc_status segc_program_sql(segc_ctx *ctx, const segc_program *prog,
                                      const segc_sql_opts *opts, FILE *out);
/* Writes a CREATE TABLE statement for the schema in the dialect's table
 * encoding (opts->table names it; as_of and counts are ignored). */
SEGC_API segc_status segc_schema_sql_table(segc_ctx *ctx,
                                           const segc_schema *schema,
                                           const segc_sql_opts *opts,
                                           FILE *out);

/* ---- formatting (issue 5): segc fmt ----------------------------------------------
 * The canonical layout of a rule file or a schema (docs/cli.md, "segc fmt").
 * Comments and blank lines between declarations are kept, and the result
 * is the same program: it is parsed again and compared before it is
 * returned. Formatting is idempotent. */

/* Formats text (name is used in diagnostics). On SEGC_OK, *out is the
 * formatted text, NUL-terminated, of *out_len bytes (out_len may be NULL);
 * free it with segc_format_free. On SEGC_ERR_COMPILE the diagnostics say
 * why the file was not formatted: syntax errors, or a comment that cannot
 * be kept in place. */
SEGC_API segc_status segc_format(segc_ctx *ctx, const char *name,
                                 const char *text, size_t len, char **out,
                                 size_t *out_len);
SEGC_API void segc_format_free(segc_ctx *ctx, char *text);

#ifdef __cplusplus
}
#endif
#endif /* SEGC_H */
