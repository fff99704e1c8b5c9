/*
 * sql.h - the SQL backend (sql_): one query, in one of six SQL dialects, that
 * computes every segment of a program over a table whose columns are the
 * schema's fields. It reads only the typed IR and the schema, never the AST.
 *
 * The query has the interpreter's semantics exactly (docs/sql.md): Kleene
 * logic with membership only where a condition is TRUE, exact integers and
 * money, int overflow, division by zero and non-finite floats as NULL,
 * calendar months clamped to the month's end, population statistics and
 * scores as stat.c computes them, segc's own case mapping. as_of is a
 * literal: every as_of-relative instant (periods included) is computed
 * here, with the calendar of src/cal.c. Whatever a dialect cannot express
 * exactly is a diagnostic, never wrong SQL.
 */
#ifndef SEGC_SQL_H
#define SEGC_SQL_H

#include "diag.h"
#include "ir.h"

typedef enum sql_dialect {
    SQL_POSTGRES,
    SQL_DUCKDB,
    SQL_SQLITE,
    SQL_BIGQUERY,
    SQL_SPARK,
    SQL_TRINO
} sql_dialect;

typedef struct sql_opts {
    sql_dialect dialect;
    const char *table;  /* possibly dotted (schema.table); NULL: "customers" */
    int64_t as_of;      /* seconds since 1970-01-01T00:00:00Z */
    bool counts;        /* one row: the member count of every segment */
} sql_opts;

/* The dialect's name ("postgres", ...) and back; false for an unknown one. */
const char *sql_dialect_name(sql_dialect d);
bool sql_dialect_find(const char *name, sql_dialect *out);

/* Appends the query for p to out. Returns false, with diagnostics in d, when
 * some construct cannot be expressed in the dialect (out is then unusable),
 * or when memory ran out (m->failed). */
bool sql_query(mem *m, const ir_program *p, const sql_opts *o, diag_list *d,
               buf *out);

/* Appends a CREATE TABLE statement for the schema in the dialect's table
 * encoding (docs/sql.md). */
bool sql_create_table(mem *m, const schema *s, const sql_opts *o, buf *out);

#endif
