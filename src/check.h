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
/* A condition larger than this once its references are written out is
 * refused (the engines would walk it for every record). */
#define CHECK_MAX_EXPANDED 1000000
/* Names defined in terms of each other, at most this deep. */
#define CHECK_MAX_NAMES 250

/* Builds a schema from its declaration. Returns NULL when the declaration
 * has errors (reported) or memory ran out (m->failed). */
schema *check_schema(mem *m, const ast_schema *decl, const source *src,
                     diag_list *d);

/* A parsed rule file: the main file, or one it imports. */
typedef struct check_file {
    const ast_file *ast;
    bool is_main;
    const source *import_src; /* the file whose import first read it */
    loc import_at;            /* (its import declaration) */
} check_file;

/* A parameter's value given from outside (--param NAME=VALUE, the API),
 * already parsed: the value of the def in a one-line file. */
typedef struct check_override {
    const char *name;
    const ast_file *file;  /* "param NAME = VALUE", parsed */
    bool used;
} check_override;

typedef struct check_input {
    const check_file *files;  /* imports before the files that import them */
    size_t nfiles;
    const schema *sch;
    check_override *overrides;
    size_t noverrides;
    bool warn;      /* also the warnings about names: SEG201..SEG205 */
    bool library;   /* the main file is in a library folder: its names are
                     * for importers, never "unused" */
    struct limits *lim; /* name-depth, expanded-size/-depth and the time
                         * budget (src/limit.h); NULL: the defaults */
} check_input;

/* Checks every declaration of the files against in->sch. Returns the
 * program even when there were errors (count them in d); NULL only when
 * memory ran out. */
ir_program *check_program(mem *m, const check_input *in, diag_list *d);

/* ---- inside the checker (check.c, check_prog.c, check_fn.c) ---------------- */

typedef enum sym_kind {
    SYM_SEGMENT,
    SYM_PARAM,
    SYM_LET,
    SYM_CONST,
    SYM_CLASSIFY,
    SYM_TIER
} sym_kind;

/* a name declared in a rule file */
typedef struct sym {
    sym_kind kind;
    const char *name;         /* a tier's is "classification.Tier" */
    const source *src;        /* the file that declares it */
    loc at;                   /* its name there */
    const void *decl;         /* ast_segment, ast_def, ast_classify, ast_tier */
    struct sym *owner;        /* a tier's classification */
    int tier;                 /* a tier's index in its classification */
    int state;                /* 0 unchecked, 1 being checked, 2 checked */
    ir_node *value;           /* the checked IR (a const list: IR_CONST with
                               * type list, its elements as kids) */
    ir_node *istrue;          /* a tier: its condition is true (once) */
    int cond_state;           /* a tier: 0, 1 checking, 2 checked */
    const char *text;         /* a parameter: its value as written */
    int depth, maxdep;        /* names below it, and the deepest of its uses */
    const ast_node *list;     /* a constant list: its elements as written */
    const source *list_src;   /* (in this file) */
    bool from_main;
    bool used;                /* named in a condition or a value */
} sym;

typedef struct checker {
    mem *m;
    const source *src;        /* the file being checked */
    const schema *sch;
    ir_program *p;
    diag_list *d;
    size_t errors;
    int depth;
    sym **syms;               /* every declaration, in checking order */
    size_t nsyms, syms_cap;
    smap names;               /* name -> index into syms */
    sym **stack;              /* the symbols being checked (for cycles) */
    size_t nstack, stack_cap;
    check_override *overrides;
    size_t noverrides;
    bool warn;                /* check_input.warn */
    const check_file *files;  /* the program's files (IR nodes are tagged
                               * with the index of the one they come from) */
    size_t nfiles;
    struct limits *lim;       /* check_input.lim, never NULL */
    /* inside an event aggregate's filter (check_ev.c): the event list's
     * schema index, and its event schema (NULL elsewhere) */
    const schema *ev_sch;
    uint32_t ev_list;
} checker;

/* Makes src the file being checked (and the file of new IR nodes). */
static inline void check_use_src(checker *c, const source *src)
{
    c->src = src;
    if (!c->p)
        return;
    c->p->cur_file = IR_NO_FILE;
    for (size_t i = 0; i < c->nfiles; i++)
        if (c->files[i].ast->src == src)
            c->p->cur_file = (uint16_t)i;
}

void check_err(checker *c, loc at, const char *fix, const char *fmt, ...)
    SEGC_PRINTF(4, 5);
ir_node *check_expr(checker *c, const ast_node *e);
/* an operand of and/or/not, or a condition: must be bool */
ir_node *check_cond(checker *c, const ast_node *e, const char *what);
ir_node *check_const_null(checker *c, const type *ty, loc at);
/* Brings a constant to type want (int to float, a money scale, a date to a
 * timestamp, null to any type); false when it cannot be. */
bool check_fits(checker *c, ir_node **v, const type *want);
/* A type written in a rule file (param x : int = 1); NULL after reporting. */
const type *check_type(checker *c, const ast_type *t);
/* the same for schemas (check_schema.c): types allocated in a, errors
 * counted in *errors */
const type *check_resolve_type(arena *a, const ast_type *t, const source *src,
                               diag_list *d, size_t *errors);

/* names: a field, a declaration, or a built-in (check_prog.c) */
ir_node *check_name(checker *c, const ast_node *e);
sym *check_lookup(checker *c, const char *name, size_t len);
/* the checked value of a declaration (checking it first if need be) */
ir_node *check_sym(checker *c, sym *s, loc use);
/* names of calendar periods: this_year, last_month, ... (-1 if not one) */
int check_period(const char *name, size_t len);
/* x in this_year: x >= the period's start and x < its end */
ir_node *check_in_period(checker *c, ir_node *x, int period, loc at);

/* calls and set operators (check_fn.c) */
ir_node *check_call(checker *c, const ast_node *e);
ir_node *check_has(checker *c, const ast_node *e);
/* string functions: is n a string value derived from one field (the field
 * itself, or lower/upper of it)? */
bool check_is_strexpr(const ir_node *n);
/* wraps a condition or int computed from one string or set field into an
 * IR_DICTFN (the field's leaf becomes IR_DICTARG) */
ir_node *check_dictfn(checker *c, ir_node *fn, loc at);
/* e names a constant list (a const or a parameter): its elements as written
 * and the file they are written in, for 'in' and 'has any' */
bool check_const_list(checker *c, const ast_node *e, const ast_node **list,
                      const source **src);
/* event aggregates (check_ev.c): count(purchases where ... within 30d),
 * sum(purchases.amount), ...; NULL when e is not one (nothing reported,
 * *is set false) */
ir_node *check_ev_call(checker *c, const ast_node *e, bool *is);
/* a name that is an event list, one of its fields, or (inside a filter) an
 * event field: its IR, or NULL after reporting; *is false when the name is
 * none of these */
ir_node *check_ev_name(checker *c, const ast_node *e, bool *is);
/* a bare name that means something on its own (check.c) */
bool check_name_resolves(checker *c, const char *s, size_t len);

#endif
