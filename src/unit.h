/*
 * unit.h - a compilation unit (unit_): the main rule file, the files it
 * imports (read and parsed once each, imports first), and the parameter
 * values given from outside. It feeds the checker (check_input).
 *
 * import "./common.seg" is a path relative to the importing file;
 * import "rfm" is a library file, rfm.seg, looked up in the library folders
 * in order (segc_compile_opts.lib_paths; the CLI adds --lib-path, SEGC_PATH
 * and the bundled stdlib/). docs/language.md has the rules.
 */
#ifndef SEGC_UNIT_H
#define SEGC_UNIT_H

#include "check.h"

/* At most this many files in one unit (a guard against runaway imports). */
#define UNIT_MAX_FILES 256

typedef struct unit_file {
    source src;
    char *text;       /* owned copy for imported files (cap bytes) */
    size_t cap;
    char *path;       /* as opened, for nested relative imports */
    char *real;       /* canonical, to find a file imported twice */
    arena a;
    ast_file *ast;
    int state;        /* 0 new, 1 importing its imports, 2 done */
} unit_file;

typedef struct unit {
    mem *m;
    diag_list *d;
    const char *const *lib_paths;
    size_t nlib_paths;
    unit_file **files;   /* in load order */
    size_t nfiles;
    check_file *order;   /* imports before importers, the main file last */
    size_t norder;
    check_override *overrides;
    unit_file **override_files;
    size_t noverrides;
    size_t nparams;      /* the arrays' capacity */
    const struct limits *lim; /* import-depth, imported-files, source sizes
                               * (src/limit.h); NULL: the defaults */
    size_t limit_errors;      /* imports refused by those limits */
} unit;

void unit_init(unit *u, mem *m, diag_list *d, const char *const *lib_paths,
               size_t nlib_paths);
/* Parses the main file and everything it imports. The main file's text is
 * not copied: it must outlive the unit. False when memory ran out; errors
 * are diagnostics (count them). */
bool unit_load(unit *u, const char *name, const char *text, size_t len);
/* The main file's syntax tree (after unit_load). */
const ast_file *unit_main(const unit *u);
/* Whether the main file lies in one of the library folders. */
bool unit_main_in_library(const unit *u);
/* Parses "NAME=VALUE" overrides of parameters. False when memory ran out. */
bool unit_params(unit *u, const char *const *params, size_t n);
void unit_free(unit *u);

#endif
