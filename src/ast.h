/*
 * ast.h - the syntax tree of a rule file, as the parser builds it (ast_).
 *
 * The tree knows nothing of types: names are unresolved, literals keep the
 * form they were written in. All nodes live in the file's arena. Lists are
 * chains through `next`; `and`/`or` chains are flattened into one n-ary node,
 * so a long conjunction does not make a deep tree.
 */
#ifndef SEGC_AST_H
#define SEGC_AST_H

#include "diag.h"

typedef enum ast_kind {
    /* literals */
    AST_INT,      /* i */
    AST_DECIMAL,  /* a number with a point: dec (exact) and f */
    AST_PERCENT,  /* 80% = dec 80 scale 2 */
    AST_MONEY,    /* dec + currency name (text) */
    AST_DURATION, /* dur */
    AST_DATE,     /* i = days */
    AST_TIMESTAMP, /* i = seconds */
    AST_STRING,   /* text, len */
    AST_BOOL,     /* i = 0/1 */
    AST_NULL,
    AST_LIST,     /* kids: the elements */
    /* names */
    AST_NAME,     /* text */
    /* operators */
    AST_NEG,      /* kids[0] */
    AST_ARITH,    /* op in '+', '-', '*', '/'; kids[0], kids[1] */
    AST_CMP,      /* op: cmp_op; kids[0], kids[1] */
    AST_IN,       /* negated; kids[0] in kids[1] */
    AST_BETWEEN,  /* negated; kids[0] between kids[1] and kids[2] */
    AST_ISNULL,   /* negated; kids[0] */
    AST_AND,      /* kids: two or more */
    AST_OR,       /* kids: two or more */
    AST_NOT,      /* kids[0] */
    AST_CALL,     /* text(kids...) [where cond]: cond is `filter`, or NULL */
    AST_HAS       /* kids[0] has any|all kids[1]: op is 'a' or 'l' */
} ast_kind;

typedef enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cmp_op;

typedef struct decimal {
    int64_t mant;
    int scale; /* value = mant * 10^-scale */
} decimal;

typedef struct duration {
    int64_t months;
    int64_t secs;
} duration;

typedef struct ast_node ast_node;
struct ast_node {
    ast_kind kind;
    loc at;
    int op;         /* AST_ARITH: '+', '-', '*', '/'; AST_CMP: cmp_op */
    bool negated;   /* AST_IN, AST_BETWEEN, AST_ISNULL */
    bool chained;   /* AST_CMP: written as a chain a < b < c (an error) */
    bool bad;       /* a literal the lexer already reported: check quietly */
    int64_t i;
    decimal dec;
    double f;
    duration dur;
    const char *text; /* AST_NAME, AST_STRING (unescaped), AST_MONEY currency */
    size_t len;
    loc text_at;      /* AST_MONEY: where the currency code is */
    struct ast_node *filter; /* AST_CALL: the 'where' condition, or NULL */
    struct ast_node *window; /* AST_CALL: the 'within' duration, or NULL */
    ast_node *kids;   /* first child; siblings via next */
    ast_node *tail;   /* last child, for O(1) appends to and/or chains */
    size_t nkids;
    ast_node *next;
};

/* ---- declarations ---------------------------------------------------------- */

typedef struct ast_type {
    const char *name;
    loc at;           /* the whole type expression */
    loc name_at;
    ast_node *args;   /* enum(...) and money(...): AST_NAME nodes */
    size_t nargs;
    bool has_args;
    struct ast_type *elem; /* set<elem> */
} ast_type;

typedef struct ast_field {
    const char *name;
    loc at;
    ast_type *type;
    bool nullable;
    bool key;
    loc key_at;
    bool is_events;           /* NAME : events { fields } */
    struct ast_field *events; /* an event list's fields */
    struct ast_field *next;
} ast_field;

typedef struct ast_schema {
    const char *name;
    loc at, name_at;
    ast_field *fields;
    size_t nfields;
    bool had_errors;   /* the parser recovered inside it */
} ast_schema;

/* @name or @name(args): metadata on a declaration, kept for reports */
typedef struct ast_annotation {
    const char *name;
    loc at;
    ast_node *args;
    size_t nargs;
    struct ast_annotation *next;
} ast_annotation;

typedef struct ast_segment {
    const char *name;
    loc at, name_at;
    const char *description; /* the comment block right above, or NULL */
    ast_annotation *annotations;
    ast_node *where;
} ast_segment;

/* param NAME [: type] = value; let NAME = value; const NAME = value */
typedef enum ast_def_kind { DEF_PARAM, DEF_LET, DEF_CONST } ast_def_kind;

typedef struct ast_def {
    ast_def_kind kind;
    const char *name;
    loc at, name_at;
    const char *description;
    ast_annotation *annotations;
    ast_type *type; /* a param's declared type, or NULL */
    ast_node *value;
} ast_def;

/* classify NAME { Tier where cond ... else Tier } */
typedef struct ast_tier {
    const char *name;
    loc name_at;
    const char *description;
    ast_annotation *annotations;
    ast_node *where; /* NULL for the else tier */
    struct ast_tier *next;
} ast_tier;

typedef struct ast_classify {
    const char *name;
    loc at, name_at;
    const char *description;
    ast_annotation *annotations;
    ast_tier *tiers; /* in order; the else tier, if any, last */
    size_t ntiers;
} ast_classify;

typedef struct ast_import {
    const char *path;
    loc at;
} ast_import;

typedef enum ast_item_kind {
    ITEM_SCHEMA,
    ITEM_SEGMENT,
    ITEM_DEF,
    ITEM_CLASSIFY,
    ITEM_IMPORT
} ast_item_kind;

typedef struct ast_item {
    ast_item_kind kind;
    union {
        ast_schema *schema;
        ast_segment *segment;
        ast_def *def;
        ast_classify *classify;
        ast_import *import;
    } u;
    struct ast_item *next;
} ast_item;

typedef struct ast_comment {
    loc at;       /* the whole comment, '#' included */
    bool own_line; /* nothing but blanks before it on its line */
    struct ast_comment *next;
} ast_comment;

typedef struct ast_file {
    const source *src;
    arena *a;
    ast_item *items, *last_item;
    size_t nitems;
    ast_comment *comments, *last_comment;
    size_t syntax_errors;
} ast_file;

/* ---- constructors ------------------------------------------------------------ */
ast_node *ast_new(ast_file *f, ast_kind kind, loc at);
ast_node *ast_unary(ast_file *f, ast_kind kind, loc at, ast_node *a);
ast_node *ast_binary(ast_file *f, ast_kind kind, int op, loc at, ast_node *a,
                     ast_node *b);
/* a and b / a or b, flattening into an existing chain of the same kind */
ast_node *ast_logic(ast_file *f, ast_kind kind, loc at, ast_node *a,
                    ast_node *b);
void ast_add_item(ast_file *f, ast_item_kind kind, void *decl);

/* Writes the tree as an S-expression, for tests and --dump-ast. */
void ast_dump(const ast_file *f, FILE *out);
const char *cmp_op_text(cmp_op op);

#endif
