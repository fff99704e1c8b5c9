/*
 * check.h - the checker: syntax tree -> checked schema and typed IR (check_).
 *
 * It resolves names, assigns types, lowers the conveniences of the surface
 * language (ages, between, enum values, implicit conversions) into explicit
 * IR, and reports every problem it finds in one run, with a suggestion
 * where one can be made.
 */
#ifndef SEGC_CHECK_H
#define SEGC_CHECK_H

#include "ast.h"
#include "ir.h"
#include "schema.h"

/* Expressions nested deeper than this are refused (no stack overflow). */
#define CHECK_MAX_DEPTH 1000

/* Builds a schema from its declaration. Returns NULL when the declaration
 * has errors (reported) or memory ran out (m->failed). */
schema *check_schema(mem *m, const ast_schema *decl, const source *src,
                     diag_list *d);

/* Checks every segment of f against sch. Returns the program even when
 * there were errors (count them in d); NULL only when memory ran out. */
ir_program *check_program(mem *m, const ast_file *f, const schema *sch,
                          diag_list *d);

#endif
