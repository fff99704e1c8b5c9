/*
 * diag.h - sources, locations and diagnostics (source_, diag_).
 *
 * Locations are byte offsets into a source, as jq keeps them; they become
 * line and column (1-based, columns counted in code points) only when a
 * diagnostic is made. A diagnostic copies its source line, so it can be
 * printed with a caret after the source is gone.
 */
#ifndef SEGC_DIAG_H
#define SEGC_DIAG_H

#include <stdarg.h>

#include "base.h"

typedef struct loc {
    uint32_t start, end; /* byte offsets, end exclusive */
} loc;

typedef struct source {
    const char *name;
    const char *text;
    size_t len;
    uint32_t *lines;  /* offset of the first byte of each line */
    size_t nlines;
    mem *m;
} source;

/* Borrows name and text; builds the line table. Returns false on OOM. */
bool source_init(source *s, mem *m, const char *name, const char *text,
                 size_t len);
void source_free(source *s);
/* 1-based line and code-point column of a byte offset. */
void source_pos(const source *s, uint32_t off, unsigned *line, unsigned *col);
/* The text of line (1-based), without its newline. */
const char *source_line(const source *s, unsigned line, size_t *len);

typedef struct diag_list {
    mem *m;
    arena strings;
    segc_diag *items;
    size_t n, cap;
    size_t errors;
} diag_list;

void diag_init(diag_list *d, mem *m);
void diag_free(diag_list *d);
void diag_clear(diag_list *d);

/* A diagnostic at a span of a source. code and fix may be NULL. */
void diag_at(diag_list *d, segc_severity sev, const source *src, loc at,
             const char *code, const char *fix, const char *fmt, ...)
    SEGC_PRINTF(7, 8);
void diag_vat(diag_list *d, segc_severity sev, const source *src, loc at,
              const char *code, const char *fix, const char *fmt,
              va_list ap);
/* A diagnostic at a place given directly (data files, which are not kept
 * in memory whole). line_text may be NULL; line 0 means no place. */
void diag_place(diag_list *d, segc_severity sev, const char *file,
                unsigned line, unsigned col, unsigned end_col,
                const char *line_text, size_t line_len, const char *fmt, ...)
    SEGC_PRINTF(9, 10);
/* Sorts the diagnostics from index start on by file, line, column; a note
 * stays behind the diagnostic it belongs to. */
void diag_sort_from(diag_list *d, size_t start);

void diag_print(const segc_diag *dg, FILE *out);

#endif
