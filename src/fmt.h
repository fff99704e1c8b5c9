/*
 * fmt.h - the canonical layout of rule files and schemas (fmt_), for
 * `segc fmt` and segc_format.
 *
 * The layout is a function of the syntax tree, the comments and the blank
 * lines between declarations only, so formatting is idempotent. Every
 * comment is kept where it was written (above a declaration, at the end of a
 * line, between the conditions of an and/or chain, between the elements of
 * a list); a comment that cannot be kept in place is an error, never
 * dropped. The result is parsed again and compared with the original before
 * it is handed out: same tree (literals, names, operators, descriptions,
 * annotations), same comments.
 */
#ifndef SEGC_FMT_H
#define SEGC_FMT_H

#include "ast.h"

/* Appends the formatted text of src to out. Returns false (out unchanged)
 * when the file has syntax errors, a comment that cannot be placed, or
 * nesting deeper than the formatter handles: all reported in diags; or when
 * memory ran out (m->failed). */
bool fmt_source(mem *m, const source *src, diag_list *diags, buf *out);

/* True when two parsed files hold the same declarations, descriptions,
 * annotations and expressions (locations and the spelling of literals
 * aside). */
bool fmt_same_tree(const ast_file *a, const ast_file *b);

#endif
