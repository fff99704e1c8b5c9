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
    /* Resource limits (below); NULL: every limit at its default. */
    const struct segc_limits *limits;
} segc_compile_opts;

/* ---- resource limits (issue 8) ----------------------------------------------
 * What one compilation may use, with defaults safe for a service that
 * compiles rule files it did not write. Each member left 0 takes its
 * default; exceeding a limit is an error diagnostic (SEGC_ERR_COMPILE)
 * that names the limit, its value and how far the input went past it:
 *   rules.seg:3:9: error: the list has 12 elements; the limit is 10
 *   (list-elements), 2 over
 * The names in parentheses are the ones segc_limits_set and the CLI's
 * --limit NAME=VALUE take. docs/cli.md has the table. */
typedef struct segc_limits {
    size_t source_bytes;    /* source-bytes: one rule file (16 MiB) */
    size_t total_source_bytes; /* total-source-bytes: the main file and
                             * everything it imports (64 MiB) */
    size_t nesting_depth;   /* nesting-depth: an expression as written
                             * (1000; at most 1000, the depth every stage
                             * is made to handle without running out of
                             * stack) */
    size_t segments;        /* segments: segments and tiers (100000) */
    size_t list_elements;   /* list-elements: one list literal (100000) */
    size_t string_bytes;    /* string-bytes: one string literal (65536) */
    size_t identifier_bytes; /* identifier-bytes: one name (255) */
    size_t import_depth;    /* import-depth: imports of imports (32) */
    size_t imported_files;  /* imported-files: files imported (255) */
    size_t compile_time_ms; /* compile-time-ms: wall-clock time (60000),
                             * checked between the files, declarations and
                             * phases of a compilation */
    size_t expanded_size;   /* expanded-size: operations of a condition once
                             * the names it uses are written out (1000000;
                             * at most 1000000) */
    size_t expanded_depth;  /* expanded-depth: its depth once written out
                             * (1000; at most 1000) */
    size_t name_depth;      /* name-depth: names defined in terms of each
                             * other (250; at most 250) */
} segc_limits;

/* Sets one limit from "NAME=VALUE" (VALUE a decimal number; 1 or more).
 * Returns 0 on success, -1 for an unknown NAME, -2 for a bad VALUE or one
 * above the limit's maximum. */
SEGC_API int segc_limits_set(segc_limits *limits, const char *name_value);
/* The limits' names, in the order of the struct: i from 0; NULL past the
 * last. *def (if not NULL) is the default, *max (if not NULL) the most
 * it may be set to. */
SEGC_API const char *segc_limits_name(size_t i, size_t *def, size_t *max);

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
    /* Threads that scan the records and compute the statistics, a morsel
     * of records each: 0 or 1 is the calling thread only. The result is
     * the same, bit for bit, for any number of threads (docs/design.md,
     * "Threads"). The library starts them for the call and joins them
     * before it returns; they never call the allocator hook. */
    unsigned threads;
    /* Records per morsel, rounded down to a multiple of 64 (at least 64);
     * 0: 65536. Only tests and benchmarks need to set it. */
    size_t morsel;
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

/* ---- record layout (issue 7): what a host needs to pack records itself ----------
 * A record is record_size bytes: the 8-byte values (int, float, money,
 * timestamp), then the 4-byte ones (date, string, enum, set), then the
 * bools (1 byte, 0 or 1), each group in declaration order, then the null
 * bitmap (bit k of byte k/8 set: the field whose null_bit is k is null),
 * then padding to the record's alignment. segc_field_info gives each
 * field's offset; `segc layout --c-header` writes it all as a C struct
 * (docs/embedding.md). */

/* The alignment of a record: its largest value's size (1, 4 or 8). */
SEGC_API size_t segc_schema_record_align(const segc_schema *schema);
/* The null bitmap's first byte in a record, and its length in bytes (0
 * when no field is nullable). */
SEGC_API size_t segc_schema_null_offset(const segc_schema *schema);
SEGC_API size_t segc_schema_null_bytes(const segc_schema *schema);
/* The index of the field called name; SEGC_ERR_ARG when there is none. */
SEGC_API segc_status segc_schema_field_find(const segc_schema *schema,
                                            const char *name, size_t *index);
/* An enum field's values: a record stores value k as the 32-bit index k.
 * segc_schema_enum_count is 0 when field is not an enum field, and
 * segc_schema_enum_value NULL when there is no value k. */
SEGC_API size_t segc_schema_enum_count(const segc_schema *schema,
                                       size_t field);
SEGC_API const char *segc_schema_enum_value(const segc_schema *schema,
                                            size_t field, size_t k);

/* ---- packed data files (issue 7): .segd ---------------------------------------
 * A data set written once (records, dictionaries, the schema's fingerprint,
 * a checksum per section) and mapped back with mmap instead of parsing CSV.
 * docs/segd.md has the format and what opening checks. */

typedef struct segc_open_opts {
    int no_verify; /* nonzero: trust the records section: neither its
                    * checksum nor the ids in it are checked (the header,
                    * the table and the dictionaries are, always). Only
                    * for files that nothing but segc wrote: damaged
                    * records can then give wrong answers or a crash */
} segc_open_opts;

/* Writes data to path atomically: a temporary file in the same folder,
 * fsync, rename over path. On failure path is left as it was. */
SEGC_API segc_status segc_data_write_packed(segc_ctx *ctx,
                                            const segc_data *data,
                                            const char *path);
/* Maps a packed file for schema (opts may be NULL). SEGC_ERR_DATA, with a
 * diagnostic naming the section, what was expected and what was found,
 * when the file is damaged, truncated or packed for another schema.
 * segc_data_free unmaps it. */
SEGC_API segc_status segc_data_open_packed(segc_ctx *ctx,
                                           const segc_schema *schema,
                                           const char *path,
                                           const segc_open_opts *opts,
                                           segc_data **out);
/* A packed file (told by its first bytes: 0x89, or "SEGD" after one byte;
 * never by its name) or CSV.
 * For a packed file stats (if not NULL) say rows = loaded = records. */
SEGC_API segc_status segc_data_load(segc_ctx *ctx, const segc_schema *schema,
                                    const char *path,
                                    const segc_load_opts *lopts,
                                    const segc_open_opts *popts,
                                    segc_data **out, segc_load_stats *stats);
/* 1: path starts like a packed file; 0: it does not; -1: unreadable. */
SEGC_API int segc_data_is_packed_file(const char *path);

/* ---- one record at a time (issue 7): the real-time path ------------------------
 * An evaluator is a program made ready for single records: bound at one
 * as_of, with the data's dictionaries and population statistics, and
 * compiled to scalar machine code for one record. It is immutable: any
 * number of threads may call segc_evaluator_record on one evaluator at
 * once (the record call takes no context, never allocates and cannot fail).
 * docs/design.md ("The real-time path") says what it costs and how a host
 * packs string and set values. */

typedef struct segc_evaluator segc_evaluator;

/* A string or set value the evaluator's data never had (and that equals
 * no string constant of the rules): pack it as this id. */
#define SEGC_ID_UNKNOWN UINT32_C(0xFFFFFFFF)

typedef struct segc_evaluator_opts {
    segc_engine engine; /* AUTO: compiled code, or the interpreter where
                         * LLVM cannot make it (segc_evaluator_engine says
                         * which); JIT: compiled code or SEGC_ERR_COMPILE;
                         * INTERP: the reference interpreter */
    unsigned threads;   /* for the statistics pass over data (0: one) */
} segc_evaluator_opts;

/* Makes an evaluator of prog at as_of (seconds since the epoch). data may
 * be NULL when the rules use no population statistics; with data, string
 * and set ids mean what they mean in data (a record of data can be passed
 * as it is) and the statistics are data's. prog (and data, only during
 * this call) must outlive it; opts may be NULL. */
SEGC_API segc_status segc_evaluator_new(segc_ctx *ctx,
                                        const segc_program *prog,
                                        const segc_data *data, int64_t as_of,
                                        const segc_evaluator_opts *opts,
                                        segc_evaluator **out);
SEGC_API void segc_evaluator_free(segc_ctx *ctx, segc_evaluator *ev);
/* SEGC_ENGINE_JIT (compiled) or SEGC_ENGINE_INTERP. */
SEGC_API segc_engine segc_evaluator_engine(const segc_evaluator *ev);
/* The words segc_evaluator_record writes: (segments + 63) / 64. */
SEGC_API size_t segc_evaluator_words(const segc_evaluator *ev);
/* Evaluates one record, packed in the schema's layout
 * (segc_schema_field), into segments[0 .. words): bit s % 64 of word s / 64
 * is set when the record is in segment s (tiers included: a program's
 * segments are numbered as in segc_program_segment_name). */
SEGC_API void segc_evaluator_record(const segc_evaluator *ev,
                                    const void *record, uint64_t *segments);
/* Evaluates a caller's array of n records (n * segc_schema_record_size
 * bytes, packed as for segc_evaluator_record, any alignment) into bits:
 * segment s's bitmap is bits + s * ((n + 63) / 64), with bit r % 64 of its
 * word r / 64 set when record r is in it (segc_result's layout). bits has
 * segments * ((n + 63) / 64) words. Like segc_evaluator_record it may run
 * in many threads at once (a context each). */
SEGC_API segc_status segc_evaluator_records(segc_ctx *ctx,
                                            const segc_evaluator *ev,
                                            const void *records, size_t n,
                                            uint64_t *bits);
/* The tier of each classification c the record is in, from its segments
 * bits: tiers[c] is the tier's segment index (its label is
 * segc_program_segment_name), or -1 when it is in none.
 * tiers has segc_program_classification_count entries. */
SEGC_API void segc_evaluator_tiers(const segc_evaluator *ev,
                                   const uint64_t *segments, int *tiers);
/* The id to pack for a value of string field `field`: its id in the
 * evaluator's dictionary, or SEGC_ID_UNKNOWN. Only the fields the rules
 * read have dictionaries (the ids of the others are never read: pack
 * anything). SEGC_ERR_ARG when field is not a string field. */
SEGC_API segc_status segc_evaluator_string(segc_ctx *ctx,
                                           const segc_evaluator *ev,
                                           size_t field, const char *text,
                                           size_t len, uint32_t *id);
/* The id to pack for a set of n strings (NUL-terminated; order and repeats
 * do not matter) of set field `field`: one of the data's distinct sets, or
 * SEGC_ID_UNKNOWN. */
SEGC_API segc_status segc_evaluator_set(segc_ctx *ctx,
                                        const segc_evaluator *ev,
                                        size_t field,
                                        const char *const *elems, size_t n,
                                        uint32_t *id);

/* ---- event histories (docs/language.md, "Event histories") -------------- */

/* Loads the events of the schema's event list `list` (purchases : events
 * { at : date ... }) from a CSV file whose header names the customer key
 * column (as the schema's key field) and the event's fields, in any order.
 * A row with a bad cell or a key no customer of data has is reported like
 * a bad row of segc_data_load_csv: SEGC_ERR_DATA and no event loaded, or
 * with opts->skip_bad_rows a warning and the other events loaded. stats:
 * rows == loaded + rejected. SEGC_ERR_ARG when the schema has no such event
 * list, its events are already loaded, or data was mapped from a packed
 * file. Events after the evaluation's as_of are invisible to every rule. */
SEGC_API segc_status segc_data_load_events(segc_ctx *ctx, segc_data *data,
                                           const char *list,
                                           const char *path,
                                           const segc_load_opts *opts,
                                           segc_load_stats *stats);

#ifdef __cplusplus
}
#endif
#endif /* SEGC_H */
