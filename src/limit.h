/*
 * limit.h - the resource limits of a compilation (limits_), issue 8.
 *
 * segc_limits (include/segc.h) is what a host sets; a limits is the same
 * with every default filled in. The checks that need no other stage live
 * here: the size of the main file, and one iterative walk over each
 * parsed file (nesting depth as written, list elements, string and
 * identifier lengths, the number of segments). The import limits are
 * checked where files are imported (src/unit.c), the written-out size and
 * depth and the name depth in the checker (src/check_prog.c), the time
 * budget between the phases of segc_compile and between declarations.
 */
#ifndef SEGC_LIMITS_H
#define SEGC_LIMITS_H

#include "ast.h"

typedef enum limit_kind {
    LIM_SOURCE_BYTES,
    LIM_TOTAL_SOURCE_BYTES,
    LIM_NESTING_DEPTH,
    LIM_SEGMENTS,
    LIM_LIST_ELEMENTS,
    LIM_STRING_BYTES,
    LIM_IDENTIFIER_BYTES,
    LIM_IMPORT_DEPTH,
    LIM_IMPORTED_FILES,
    LIM_COMPILE_TIME_MS,
    LIM_EXPANDED_SIZE,
    LIM_EXPANDED_DEPTH,
    LIM_NAME_DEPTH,
    LIM_COUNT
} limit_kind;

typedef struct limits {
    size_t v[LIM_COUNT];
    uint64_t start_ns;  /* when the compilation began */
    bool timed_out;     /* the time budget's error was reported */
} limits;

/* Every limit from l (NULL: all defaults), start_ns now. */
void limits_init(limits *out, const struct segc_limits *l);
/* The defaults: what limits_init gives for NULL. */
const limits *limits_default(void);
const char *limits_name(limit_kind k);
uint64_t limits_now_ns(void);

/* "<what>; the limit is L (name), N over" as an error at src/at. */
void limits_error(diag_list *d, const source *src, loc at, limit_kind k,
                  size_t limit, size_t value, const char *what);

/* The main file's size (before it is parsed). False: reported. */
bool limits_check_source(const limits *l, mem *m, diag_list *d,
                         const char *name, const char *text, size_t len);
/* Walks the trees of the unit's files (without recursion) for the limits
 * on nesting, lists, strings, identifiers and segments. Returns false when
 * memory ran out; errors are diagnostics. */
struct unit;
bool limits_check_unit(const limits *l, const struct unit *u);
/* Whether the time budget is spent; reports it once (at src/at; src may
 * be NULL for no place). */
bool limits_out_of_time(limits *l, diag_list *d, const source *src, loc at);

#endif
