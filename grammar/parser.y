/*
 * parser.y - the grammar of rule files and schemas (pure bison, %expect 0).
 *
 * Each rule builds syntax tree nodes in the file's arena; nothing here knows
 * about types. Syntax errors are reported through yyreport_syntax_error,
 * counted, and recovered from at the next declaration ('segment' or
 * 'schema'), or at the closing brace of a schema.
 */
%define api.pure full
%define api.prefix {segc_yy}
%define api.location.type {loc}
%define parse.error custom
%define lr.type canonical-lr
%define lr.default-reduction accepting
%locations
%expect 0

%parse-param {void *scanner} {parse_state *ps}
%lex-param {void *scanner}

%code requires {
#include "ast.h"
typedef struct parse_state parse_state;
}

%code top {
#include <stdio.h>
#include <stdlib.h>
}

%code {
#include "parse.h"
#include "value.h"

int segc_yylex(SEGC_YYSTYPE *lval, loc *lloc, void *scanner);
static void segc_yyerror(loc *at, void *scanner, parse_state *ps,
                         const char *msg);

/* locations are byte spans: a rule covers its first to its last symbol */
#define YYLLOC_DEFAULT(cur, rhs, n)                          \
    do {                                                     \
        if (n) {                                             \
            (cur).start = YYRHSLOC(rhs, 1).start;            \
            (cur).end = YYRHSLOC(rhs, n).end;                \
        } else {                                             \
            (cur).start = (cur).end = YYRHSLOC(rhs, 0).end;  \
        }                                                    \
    } while (0)

/* the parser stack grows through the library's allocator (a size header
 * makes the hook's old-size argument available to YYSTACK_FREE) */
#define YYSTACK_USE_ALLOCA 0
#define YYMALLOC(n) parse_stack_alloc(ps, (n))
#define YYFREE(p) parse_stack_free(ps, (p))
#define YYMAXDEPTH 10000

static void *parse_stack_alloc(parse_state *ps, size_t n)
{
    size_t *p = mem_alloc(ps->m, n + 16);
    if (!p)
        return NULL;
    *p = n;
    return (char *)p + 16;
}

static void parse_stack_free(parse_state *ps, void *q)
{
    if (q) {
        size_t *p = (size_t *)(void *)((char *)q - 16);
        mem_free(ps->m, p, *p + 16);
    }
}

#define F (ps->file)

static ast_node *leaf(parse_state *ps, ast_kind k, loc at)
{
    return ast_new(ps->file, k, at);
}

static ast_def *make_def(parse_state *ps, ast_def_kind kind, const char *name,
                         loc name_at, loc at, ast_type *type, ast_node *value)
{
    ast_def *d = arena_alloc(ps->a, sizeof *d);
    if (d) {
        d->kind = kind;
        d->name = name;
        d->name_at = name_at;
        d->at = at;
        d->type = type;
        d->value = value;
    }
    return d;
}

static ast_classify *make_classify(parse_state *ps, const char *name,
                                   loc name_at, loc at, ast_tier *tiers,
                                   size_t n, ast_tier *else_tier)
{
    ast_classify *c = arena_alloc(ps->a, sizeof *c);
    if (!c)
        return NULL;
    c->name = name;
    c->name_at = name_at;
    c->at = at;
    c->tiers = tiers;
    c->ntiers = n;
    if (else_tier) {
        ast_tier *t = tiers;
        while (t && t->next)
            t = t->next;
        if (t)
            t->next = else_tier;
        else
            c->tiers = else_tier;
        c->ntiers++;
    }
    return c;
}
}

%union {
    int64_t i;
    decimal dec;
    duration dur;
    struct { const char *s; size_t len; } str;
    const char *desc;
    int op;
    ast_node *node;
    struct { ast_node *head, *tail; size_t n; } list;
    ast_type *type;
    ast_field *field;
    struct { ast_field *head, *tail; size_t n; } fields;
    ast_schema *schema;
    ast_segment *segment;
    ast_annotation *ann;
    struct { ast_annotation *head, *tail; } anns;
    ast_tier *tier;
    struct { ast_tier *head, *tail; size_t n; } tiers;
    ast_def *def;
    ast_classify *classify;
    ast_import *import;
    struct { ast_node *head, *tail; size_t n; ast_node *filter, *window; } call;
    struct { decimal dec; const char *cur; size_t len; uint32_t cur_at; } money;
}

%token <i> INT "integer" DATE "date" TIMESTAMP "timestamp"
%token <i> TRUE "'true'" FALSE "'false'"
%token <dec> DECIMAL "number" PERCENT "percentage"
%token <dur> DURATION "duration"
%token <money> MONEY "amount"
%token <str> IDENT "name" STRING "string"
%token SEGMENT "'segment'" PARAM "'param'" LET "'let'" CONST "'const'"
%token CLASSIFY "'classify'" ELSE "'else'" IMPORT "'import'" HAS "'has'"
%token WHERE "'where'" SCHEMA "'schema'" KEY "'key'"
%token AND "'and'" OR "'or'" NOT "'not'" IN "'in'" BETWEEN "'between'"
%token IS "'is'" NUL "'null'" WITHIN "'within'"
%token NE "'!='" LE "'<='" GE "'>='"

%type <node> expr or_expr and_expr not_expr cmp_expr rel sum term unary
%type <node> primary money
%type <list> elements list_body
%type <op> cmpop
%type <type> type_expr
%type <list> type_args
%type <field> field
%type <fields> fields
%type <i> nullable_opt key_opt
%type <schema> schema_decl
%type <segment> segment_decl
%type <ann> annotation
%type <anns> annotations annotations_opt
%type <tier> tier else_tier
%type <tiers> tiers
%type <def> def_decl
%type <classify> classify_decl
%type <import> import_decl
%type <call> call_args
%type <node> window_opt

%%

file
    : items
    ;

items
    : %empty
    | items item
    ;

item
    : schema_decl   { ast_add_item(F, ITEM_SCHEMA, $1); }
    | annotations_opt segment_decl {
        if ($2) {
            $2->annotations = $1.head;
            $2->description = parse_desc_at(ps, $1.head ? @1.start : @2.start);
            $2->at = $1.head ? @$ : @2;
        }
        ast_add_item(F, ITEM_SEGMENT, $2);
      }
    | annotations_opt def_decl {
        if ($2) {
            $2->annotations = $1.head;
            $2->description = parse_desc_at(ps, $1.head ? @1.start : @2.start);
        }
        ast_add_item(F, ITEM_DEF, $2);
      }
    | annotations_opt classify_decl {
        if ($2) {
            $2->annotations = $1.head;
            $2->description = parse_desc_at(ps, $1.head ? @1.start : @2.start);
        }
        ast_add_item(F, ITEM_CLASSIFY, $2);
      }
    | import_decl   { ast_add_item(F, ITEM_IMPORT, $1); }
    | error {
        /* skipped to the next declaration; report the next error at once
         * (bison would otherwise wait for three good tokens) */
        yyerrok;
      }
    ;

/* annotation = "@" NAME ["(" [expr ("," expr)*] ")"] */
annotations_opt
    : %empty       { $$.head = $$.tail = NULL; }
    | annotations
    ;

annotations
    : annotation   { $$.head = $$.tail = $1; }
    | annotations annotation {
        $$ = $1;
        if ($2) {
            if ($$.tail)
                $$.tail->next = $2;
            else
                $$.head = $2;
            $$.tail = $2;
        }
      }
    ;

annotation
    : '@' IDENT {
        ast_annotation *a = arena_alloc(ps->a, sizeof *a);
        if (a) {
            a->name = $2.s;
            a->at = @$;
        }
        $$ = a;
      }
    | '@' IDENT '(' list_body ')' {
        ast_annotation *a = arena_alloc(ps->a, sizeof *a);
        if (a) {
            a->name = $2.s;
            a->at = @$;
            a->args = $4.head;
            a->nargs = $4.n;
        }
        $$ = a;
      }
    ;

/* segment_decl = "segment" NAME "where" expr */
segment_decl
    : SEGMENT IDENT WHERE expr {
        ast_segment *s = arena_alloc(ps->a, sizeof *s);
        if (s) {
            s->name = $2.s;
            s->name_at = @2;
            s->at = @$;
            s->where = $4;
        }
        $$ = s;
      }
    ;

/* def_decl = "param" NAME [":" type] "=" expr | "let" NAME "=" expr
 *          | "const" NAME "=" expr */
def_decl
    : PARAM IDENT '=' expr                { $$ = make_def(ps, DEF_PARAM, $2.s, @2, @$, NULL, $4); }
    | PARAM IDENT ':' type_expr '=' expr  { $$ = make_def(ps, DEF_PARAM, $2.s, @2, @$, $4, $6); }
    | LET IDENT '=' expr                  { $$ = make_def(ps, DEF_LET, $2.s, @2, @$, NULL, $4); }
    | CONST IDENT '=' expr                { $$ = make_def(ps, DEF_CONST, $2.s, @2, @$, NULL, $4); }
    ;

/* classify_decl = "classify" NAME "{" tier+ ["else" NAME] "}"
 * tier = annotation* NAME "where" expr */
classify_decl
    : CLASSIFY IDENT '{' tiers '}'           { $$ = make_classify(ps, $2.s, @2, @$, $4.head, $4.n, NULL); }
    | CLASSIFY IDENT '{' tiers else_tier '}' { $$ = make_classify(ps, $2.s, @2, @$, $4.head, $4.n, $5); }
    ;

tiers
    : tier {
        $$.head = $$.tail = $1;
        $$.n = $1 != NULL;
      }
    | tiers tier {
        $$ = $1;
        if ($2) {
            if ($$.tail)
                $$.tail->next = $2;
            else
                $$.head = $2;
            $$.tail = $2;
            $$.n++;
        }
      }
    ;

tier
    : annotations_opt IDENT WHERE expr {
        ast_tier *t = arena_alloc(ps->a, sizeof *t);
        if (t) {
            t->name = $2.s;
            t->name_at = @2;
            t->annotations = $1.head;
            t->description = parse_desc_at(ps, $1.head ? @1.start : @2.start);
            t->where = $4;
        }
        $$ = t;
      }
    ;

else_tier
    : annotations_opt ELSE IDENT {
        ast_tier *t = arena_alloc(ps->a, sizeof *t);
        if (t) {
            t->name = $3.s;
            t->name_at = @3;
            t->annotations = $1.head;
            t->description = parse_desc_at(ps, $1.head ? @1.start : @2.start);
        }
        $$ = t;
      }
    ;

/* import_decl = "import" STRING */
import_decl
    : IMPORT STRING {
        ast_import *im = arena_alloc(ps->a, sizeof *im);
        if (im) {
            im->path = $2.s;
            im->at = @$;
        }
        $$ = im;
      }
    ;

/* schema_decl = "schema" NAME "{" field* "}" */
schema_decl
    : SCHEMA IDENT '{' fields '}' {
        ast_schema *s = arena_alloc(ps->a, sizeof *s);
        if (s) {
            s->name = $2.s;
            s->at = @$;
            s->name_at = @2;
            s->fields = $4.head;
            s->nfields = $4.n;
        }
        $$ = s;
      }
    | SCHEMA IDENT '{' fields error '}' {
        ast_schema *s = arena_alloc(ps->a, sizeof *s);
        if (s) {
            s->name = $2.s;
            s->at = @$;
            s->name_at = @2;
            s->fields = $4.head;
            s->nfields = $4.n;
            s->had_errors = true;
        }
        $$ = s;
      }
    | SCHEMA error '}' {
        ast_schema *s = arena_alloc(ps->a, sizeof *s);
        if (s) {
            s->name = "?";
            s->at = @$;
            s->name_at = @1;
            s->had_errors = true;
        }
        $$ = s;
      }
    ;

fields
    : %empty            { $$.head = $$.tail = NULL; $$.n = 0; }
    | fields field {
        $$ = $1;
        if ($2) {
            if ($$.tail)
                $$.tail->next = $2;
            else
                $$.head = $2;
            $$.tail = $2;
            $$.n++;
        }
      }
    ;

/* field = NAME ":" type ["?"] ["key"] */
field
    : IDENT ':' type_expr nullable_opt key_opt {
        ast_field *f = arena_alloc(ps->a, sizeof *f);
        if (f) {
            f->name = $1.s;
            f->at = @1;
            f->type = $3;
            f->nullable = $4;
            f->key = $5;
            f->key_at = @5;
        }
        $$ = f;
      }
    | IDENT ':' IDENT '{' fields '}' nullable_opt key_opt {
        /* an event list: purchases : events { at : date ... } */
        ast_field *f = arena_alloc(ps->a, sizeof *f);
        ast_type *t = arena_alloc(ps->a, sizeof *t);
        if (f && t) {
            t->name = $3.s;
            t->at = @$;
            t->name_at = @3;
            f->name = $1.s;
            f->at = @1;
            f->type = t;
            f->events = $5.head;
            f->is_events = true;
            f->nullable = $7;
            f->key = $8;
            f->key_at = @8;
        }
        $$ = f;
      }
    ;

nullable_opt
    : %empty  { $$ = 0; }
    | '?'     { $$ = 1; }
    ;

key_opt
    : %empty  { $$ = 0; }
    | KEY     { $$ = 1; }
    ;

/* type = NAME | NAME "(" NAME ("," NAME)* ")" | NAME "<" type ">" */
type_expr
    : IDENT {
        ast_type *t = arena_alloc(ps->a, sizeof *t);
        if (t) {
            t->name = $1.s;
            t->at = t->name_at = @1;
        }
        $$ = t;
      }
    | IDENT '(' type_args ')' {
        ast_type *t = arena_alloc(ps->a, sizeof *t);
        if (t) {
            t->name = $1.s;
            t->at = @$;
            t->name_at = @1;
            t->args = $3.head;
            t->nargs = $3.n;
            t->has_args = true;
        }
        $$ = t;
      }
    | IDENT '<' type_expr '>' {
        ast_type *t = arena_alloc(ps->a, sizeof *t);
        if (t) {
            t->name = $1.s;
            t->at = @$;
            t->name_at = @1;
            t->elem = $3;
        }
        $$ = t;
      }
    ;

type_args
    : IDENT {
        ast_node *n = leaf(ps, AST_NAME, @1);
        if (n) {
            n->text = $1.s;
            n->len = $1.len;
        }
        $$.head = $$.tail = n;
        $$.n = n != NULL;
      }
    | type_args ',' IDENT {
        $$ = $1;
        ast_node *n = leaf(ps, AST_NAME, @3);
        if (n) {
            n->text = $3.s;
            n->len = $3.len;
            if ($$.tail)
                $$.tail->next = n;
            else
                $$.head = n;
            $$.tail = n;
            $$.n++;
        }
      }
    ;

/* ---- expressions, loosest first ------------------------------------------- */

expr
    : or_expr
    ;

/* or_expr = and_expr ("or" and_expr)* */
or_expr
    : and_expr
    | or_expr OR and_expr  { $$ = ast_logic(F, AST_OR, @$, $1, $3); }
    ;

/* and_expr = not_expr ("and" not_expr)* */
and_expr
    : not_expr
    | and_expr AND not_expr  { $$ = ast_logic(F, AST_AND, @$, $1, $3); }
    ;

/* not_expr = "not" not_expr | cmp_expr */
not_expr
    : cmp_expr
    | NOT not_expr  { $$ = ast_unary(F, AST_NOT, @$, $2); }
    ;

/* cmp_expr = sum [cmpop sum | ["not"] "in" sum
 *                 | ["not"] "between" sum "and" sum | "is" ["not"] "null"] */
cmp_expr
    : sum
    | rel
    | sum IN sum          { $$ = ast_binary(F, AST_IN, 0, @$, $1, $3); }
    | sum NOT IN sum {
        $$ = ast_binary(F, AST_IN, 0, @$, $1, $4);
        if ($$)
            $$->negated = true;
      }
    | sum BETWEEN sum AND sum {
        $$ = ast_binary(F, AST_BETWEEN, 0, @$, $1, $3);
        if ($$ && $3 && $5) {
            $3->next = $5;
            $$->tail = $5;
            $$->nkids = 3;
        }
      }
    | sum NOT BETWEEN sum AND sum {
        $$ = ast_binary(F, AST_BETWEEN, 0, @$, $1, $4);
        if ($$ && $4 && $6) {
            $4->next = $6;
            $$->tail = $6;
            $$->nkids = 3;
            $$->negated = true;
        }
      }
    | sum HAS IDENT sum {
        /* tags has any [...], tags has all [...] */
        $$ = ast_binary(F, AST_HAS, 0, @$, $1, $4);
        if ($$) {
            if (strcmp($3.s, "any") == 0)
                $$->op = 'a';
            else if (strcmp($3.s, "all") == 0)
                $$->op = 'l';
            else
                parse_error(ps, @3, "write 'has any' or 'has all', not "
                            "'has %s'", $3.s);
        }
      }
    | sum IS NUL          { $$ = ast_unary(F, AST_ISNULL, @$, $1); }
    | sum IS NOT NUL {
        $$ = ast_unary(F, AST_ISNULL, @$, $1);
        if ($$)
            $$->negated = true;
      }
    ;

/* a comparison; a chain such as 1 < x < 5 parses, and the checker rejects it
 * with advice, instead of a bare syntax error */
rel
    : sum cmpop sum  { $$ = ast_binary(F, AST_CMP, $2, @$, $1, $3); }
    | rel cmpop sum {
        $$ = ast_binary(F, AST_CMP, $2, @$, $1, $3);
        if ($$)
            $$->chained = true;
      }
    ;

cmpop
    : '='  { $$ = CMP_EQ; }
    | NE   { $$ = CMP_NE; }
    | '<'  { $$ = CMP_LT; }
    | LE   { $$ = CMP_LE; }
    | '>'  { $$ = CMP_GT; }
    | GE   { $$ = CMP_GE; }
    ;

/* sum = term (("+" | "-") term)* */
sum
    : term
    | sum '+' term  { $$ = ast_binary(F, AST_ARITH, '+', @$, $1, $3); }
    | sum '-' term  { $$ = ast_binary(F, AST_ARITH, '-', @$, $1, $3); }
    ;

/* term = unary (("*" | "/") unary)* */
term
    : unary
    | term '*' unary  { $$ = ast_binary(F, AST_ARITH, '*', @$, $1, $3); }
    | term '/' unary  { $$ = ast_binary(F, AST_ARITH, '/', @$, $1, $3); }
    ;

/* unary = "-" unary | primary */
unary
    : primary
    | '-' unary  { $$ = ast_unary(F, AST_NEG, @$, $2); }
    ;

/* primary = literal | NAME | "(" expr ")" | "[" [expr ("," expr)* [","]] "]" */
primary
    : INT {
        $$ = leaf(ps, AST_INT, @1);
        if ($$)
            $$->i = $1;
      }
    | DECIMAL {
        $$ = leaf(ps, AST_DECIMAL, @1);
        if ($$) {
            $$->dec = $1;
            $$->f = lit_decimal_to_double($1.mant, $1.scale);
        }
      }
    | PERCENT {
        $$ = leaf(ps, AST_PERCENT, @1);
        if ($$) {
            $$->dec = $1;
            $$->f = lit_decimal_to_double($1.mant, $1.scale);
        }
      }
    | money
    | DURATION {
        $$ = leaf(ps, AST_DURATION, @1);
        if ($$) {
            $$->dur = $1;
            $$->bad = $1.months == INT64_MIN; /* reported by the lexer */
        }
      }
    | DATE {
        $$ = leaf(ps, AST_DATE, @1);
        if ($$)
            $$->i = $1;
      }
    | TIMESTAMP {
        $$ = leaf(ps, AST_TIMESTAMP, @1);
        if ($$)
            $$->i = $1;
      }
    | STRING {
        $$ = leaf(ps, AST_STRING, @1);
        if ($$) {
            $$->text = $1.s;
            $$->len = $1.len;
        }
      }
    | TRUE {
        $$ = leaf(ps, AST_BOOL, @1);
        if ($$)
            $$->i = 1;
      }
    | FALSE {
        $$ = leaf(ps, AST_BOOL, @1);
        if ($$)
            $$->i = 0;
      }
    | NUL  { $$ = leaf(ps, AST_NULL, @1); }
    | IDENT {
        $$ = leaf(ps, AST_NAME, @1);
        if ($$) {
            $$->text = $1.s;
            $$->len = $1.len;
        }
      }
    | IDENT '.' IDENT {
        /* a tier of a classification: rfm_group.AtRisk */
        $$ = leaf(ps, AST_NAME, @$);
        if ($$) {
            $$->text = arena_printf(ps->a, "%s.%s", $1.s, $3.s);
            $$->len = $$->text ? strlen($$->text) : 0;
        }
      }
    | IDENT '(' call_args ')' {
        $$ = leaf(ps, AST_CALL, @$);
        if ($$) {
            $$->text = $1.s;
            $$->len = $1.len;
            $$->text_at = @1;
            $$->kids = $3.head;
            $$->tail = $3.tail;
            $$->nkids = $3.n;
            $$->filter = $3.filter;
            $$->window = $3.window;
        }
      }
    | '(' expr ')'  { $$ = $2; }
    | '[' list_body ']' {
        $$ = leaf(ps, AST_LIST, @$);
        if ($$) {
            $$->kids = $2.head;
            $$->tail = $2.tail;
            $$->nkids = $2.n;
        }
      }
    ;

/* money = AMOUNT, as in 49.99 EUR (one token: see lexer.l) */
money
    : MONEY {
        $$ = leaf(ps, AST_MONEY, @$);
        if ($$) {
            $$->dec = $1.dec;
            $$->text = $1.cur;
            $$->len = $1.len;
            $$->text_at.start = $1.cur_at;
            $$->text_at.end = $1.cur_at + (uint32_t)$1.len;
        }
      }
    ;

/* call_args = [expr ("," expr)*] ["where" expr] */
call_args
    : %empty {
        $$.head = $$.tail = $$.filter = $$.window = NULL;
        $$.n = 0;
      }
    | elements {
        $$.head = $1.head;
        $$.tail = $1.tail;
        $$.n = $1.n;
        $$.filter = NULL;
        $$.window = NULL;
      }
    | elements WHERE expr window_opt {
        $$.head = $1.head;
        $$.tail = $1.tail;
        $$.n = $1.n;
        $$.filter = $3;
        $$.window = $4;
      }
    | elements WITHIN expr {
        /* count(purchases within 30d) */
        $$.head = $1.head;
        $$.tail = $1.tail;
        $$.n = $1.n;
        $$.filter = NULL;
        $$.window = $3;
      }
    | elements WITHIN expr WHERE expr {
        $$.head = $1.head;
        $$.tail = $1.tail;
        $$.n = $1.n;
        $$.filter = $5;
        $$.window = $3;
      }
    | WHERE expr {
        $$.head = $$.tail = NULL;
        $$.n = 0;
        $$.filter = $2;
        $$.window = NULL;
      }
    ;

/* the window of an event aggregate: count(purchases where coupon within 90d) */
window_opt
    : %empty        { $$ = NULL; }
    | WITHIN expr   { $$ = $2; }
    ;

list_body
    : %empty          { $$.head = $$.tail = NULL; $$.n = 0; }
    | elements
    | elements ','
    ;

elements
    : expr {
        $$.head = $$.tail = $1;
        $$.n = $1 != NULL;
      }
    | elements ',' expr {
        $$ = $1;
        if ($3) {
            if ($$.tail)
                $$.tail->next = $3;
            else
                $$.head = $3;
            $$.tail = $3;
            $$.n++;
        }
      }
    ;

%%

#ifndef YYSTYPE
#define YYSTYPE SEGC_YYSTYPE
#endif
#ifndef YYLTYPE
#define YYLTYPE SEGC_YYLTYPE
#endif
#include "lexer.h"

const char *parse_desc_at(const parse_state *ps, uint32_t at)
{
    for (const parse_desc *d = ps->descs; d; d = d->next)
        if (d->at == at)
            return d->text;
    return NULL;
}

void parse_error(parse_state *ps, loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vat(ps->diags, SEGC_SEV_ERROR, ps->src, at, NULL, NULL, fmt, ap);
    va_end(ap);
    ps->file->syntax_errors++;
}

static void segc_yyerror(loc *at, void *scanner, parse_state *ps,
                         const char *msg)
{
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0 && !ps->m->failed)
        parse_error(ps, *at, "the expression nests more than %d levels of "
                    "parentheses and operators deep (the parser's fixed "
                    "limit)", YYMAXDEPTH);
    else
        parse_error(ps, *at, "%s", msg);
}

/* How a token is named in a message: keywords and punctuation by their
 * spelling, names and literals with the text that was found. */
static void describe(parse_state *ps, yysymbol_kind_t sym, const loc *at,
                     buf *b)
{
    switch (sym) {
    case YYSYMBOL_YYEOF:
        buf_puts(b, "end of file");
        return;
    case YYSYMBOL_IDENT:
    case YYSYMBOL_INT:
    case YYSYMBOL_DECIMAL:
    case YYSYMBOL_PERCENT:
    case YYSYMBOL_DURATION:
    case YYSYMBOL_DATE:
    case YYSYMBOL_TIMESTAMP:
    case YYSYMBOL_STRING:
    case YYSYMBOL_MONEY:
        if (at) {
            uint32_t n = at->end - at->start;
            buf_printf(b, "%s '%.*s%s'", yysymbol_name(sym),
                       (int)(n > 40 ? 40 : n), ps->src->text + at->start,
                       n > 40 ? "..." : "");
            return;
        }
        break;
    default:
        break;
    }
    buf_puts(b, yysymbol_name(sym));
}

/* Expected tokens are named in groups, most useful first: closing
 * brackets and other tokens by name, then "an expression", 'and'/'or', "a
 * comparison", "an operator", and "the next declaration".
 *   - "an expression" only where an expression can start (an integer or a
 *     string is expected); elsewhere 'null', 'not', '(' are named as such;
 *   - after an operand a name or 'not' only continue an amount (50 EUR) or a
 *     'not in', so they are left out;
 *   - "a comparison" only where '=' is expected; elsewhere 'in', 'between',
 *     '<', '>' are named (as after 'not', or in set<string>). */
enum { G_CLOSE, G_OTHER, G_EXPR, G_LOGIC, G_CMP, G_OP, G_DECL, G_SKIP, NGROUPS };

typedef struct expect_ctx {
    bool expr, after_operand, cmp, after_type;
} expect_ctx;

static bool sym_is(yysymbol_kind_t s, const char *name)
{
    return strcmp(yysymbol_name(s), name) == 0;
}

static int token_group(yysymbol_kind_t s, const expect_ctx *c)
{
    switch (s) {
    case YYSYMBOL_INT:
    case YYSYMBOL_DECIMAL:
    case YYSYMBOL_PERCENT:
    case YYSYMBOL_DURATION:
    case YYSYMBOL_DATE:
    case YYSYMBOL_TIMESTAMP:
    case YYSYMBOL_STRING:
    case YYSYMBOL_MONEY:
        return G_EXPR;
    case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE:
    case YYSYMBOL_NUL:
        return c->expr ? G_EXPR : G_OTHER;
    case YYSYMBOL_IDENT:
    case YYSYMBOL_NOT:
        return c->expr ? G_EXPR : c->after_operand ? G_SKIP : G_OTHER;
    case YYSYMBOL_AND:
    case YYSYMBOL_OR:
        return G_LOGIC;
    case YYSYMBOL_NE:
    case YYSYMBOL_LE:
    case YYSYMBOL_GE:
    case YYSYMBOL_IN:
    case YYSYMBOL_BETWEEN:
    case YYSYMBOL_IS:
        return c->cmp ? G_CMP : G_OTHER;
    case YYSYMBOL_SEGMENT:
    case YYSYMBOL_SCHEMA:
    case YYSYMBOL_PARAM:
    case YYSYMBOL_LET:
    case YYSYMBOL_CONST:
    case YYSYMBOL_CLASSIFY:
    case YYSYMBOL_IMPORT:
    case YYSYMBOL_YYEOF:
        return G_DECL;
    case YYSYMBOL_HAS:
        return c->cmp ? G_CMP : G_OTHER;
    default:
        break;
    }
    if (sym_is(s, "'@'"))
        return G_SKIP; /* an annotation: said by the rest of the list */
    if (sym_is(s, "'.'"))
        return G_SKIP; /* classification.Tier */
    if (sym_is(s, "'('") && c->after_operand && !c->expr)
        return G_SKIP; /* a call: name(...) */
    if (c->after_type && (sym_is(s, "'('") || sym_is(s, "'<'")))
        return G_SKIP; /* after a type name: money(...), set<...> */
    if (sym_is(s, "'('") || sym_is(s, "'['"))
        return c->expr ? G_EXPR : G_OTHER;
    if (sym_is(s, "'-'"))
        return c->expr ? G_EXPR : c->after_operand ? G_OP : G_OTHER;
    if (sym_is(s, "'+'") || sym_is(s, "'*'") || sym_is(s, "'/'"))
        return G_OP;
    if (sym_is(s, "'='") || sym_is(s, "'<'") || sym_is(s, "'>'"))
        return c->cmp ? G_CMP : G_OTHER;
    if (sym_is(s, "')'") || sym_is(s, "']'") || sym_is(s, "'}'") ||
        sym_is(s, "','"))
        return G_CLOSE;
    return G_OTHER;
}

static bool names_expected(const yysymbol_kind_t *exp, int n)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == YYSYMBOL_IDENT)
            return true;
    return false;
}

/* keywords that read like names; where no expression can stand (let and =
 * 1), the operator words too */
static bool keyword_like(yysymbol_kind_t s, bool expr, int ps_prev_tok)
{
    switch (s) {
    case YYSYMBOL_AND:
    case YYSYMBOL_OR:
    case YYSYMBOL_IN:
    case YYSYMBOL_IS:
    case YYSYMBOL_BETWEEN:
    case YYSYMBOL_NOT:
    case YYSYMBOL_NUL:
    case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE:
        return !expr;
    case YYSYMBOL_ELSE:
        return ps_prev_tok != '{'; /* else first in a classification */
    case YYSYMBOL_PARAM:
    case YYSYMBOL_LET:
    case YYSYMBOL_CONST:
    case YYSYMBOL_CLASSIFY:
    case YYSYMBOL_IMPORT:
    case YYSYMBOL_HAS:
    case YYSYMBOL_KEY:
    case YYSYMBOL_SCHEMA:
    case YYSYMBOL_SEGMENT:
    case YYSYMBOL_WITHIN:
        return true;
    default:
        return false;
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner,
                                 parse_state *ps)
{
    (void)scanner;
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    yysymbol_kind_t got = yypcontext_token(ctx);
    loc at = *yypcontext_location(ctx);

    expect_ctx c = {false, false, false, false};
    bool decl = false, close_schema = false;
    for (int i = 0; i < n; i++) {
        c.expr |= exp[i] == YYSYMBOL_INT || exp[i] == YYSYMBOL_STRING;
        c.after_operand |= exp[i] == YYSYMBOL_AND || exp[i] == YYSYMBOL_OR;
        c.cmp |= sym_is(exp[i], "'='");
        decl |= exp[i] == YYSYMBOL_SEGMENT;
        close_schema |= sym_is(exp[i], "'}'");
        c.after_type |= sym_is(exp[i], "'}'") || sym_is(exp[i], "'>'");
    }
    static const char *const group_names[NGROUPS] = {
        NULL, NULL, "an expression", NULL, "a comparison", "an operator",
        "the next declaration", NULL};
    const char *names[12];
    int items = 0;
    for (int g = 0; g < NGROUPS && items < 10; g++) {
        if (g == G_SKIP)
            continue;
        for (int i = 0; i < n && items < 10; i++) {
            if (token_group(exp[i], &c) != g)
                continue;
            names[items++] = group_names[g]           ? group_names[g]
                             : exp[i] == YYSYMBOL_IDENT ? "a name"
                                                        : yysymbol_name(exp[i]);
            if (group_names[g])
                break; /* one name for the whole group */
        }
    }
    buf want;
    buf_init(&want, ps->m);
    for (int i = 0; i < items; i++) {
        if (i)
            buf_puts(&want, i == items - 1 ? " or " : ", ");
        buf_puts(&want, names[i]);
    }

    buf b;
    buf_init(&b, ps->m);
    unsigned la_line, la_col, pv_line = 0, pv_col;
    source_pos(ps->src, at.start, &la_line, &la_col);
    /* the end of the token before the unexpected one (the end of file does
     * not count as a token for last_end) */
    uint32_t before = got == YYSYMBOL_YYEOF ? ps->last_end : ps->prev_end;
    if (before)
        source_pos(ps->src, before - 1, &pv_line, &pv_col);
    /* a line that could end where it did (before the next declaration or
     * schema field) is complete: then the stray token is the problem */
    bool line_incomplete = !decl && !close_schema && ps->prev_tok != '{';
    if (items && before &&
        (got == YYSYMBOL_YYEOF ||
         (line_incomplete && pv_line && la_line > pv_line))) {
        /* the line (or the file) ended too early: point at its end */
        at.start = before - 1;
        at.end = before;
        buf_printf(&b, "syntax error: expected %s at the end of the %s",
                   buf_cstr(&want), got == YYSYMBOL_YYEOF ? "file" : "line");
    } else if (names_expected(exp, n) && keyword_like(got, c.expr, ps->prev_tok)) {
        /* segment let where ..., orders > const */
        buf_puts(&b, "syntax error: ");
        describe(ps, got, &at, &b);
        buf_puts(&b, " is a keyword; it cannot be a name");
    } else if (got == YYSYMBOL_IDENT && c.after_operand &&
               (ps->prev_tok == INT || ps->prev_tok == DECIMAL) && pv_line &&
               la_line == pv_line) {
        /* "orders = 1 country": an operator left out */
        buf_puts(&b, "syntax error: unexpected ");
        describe(ps, got, &at, &b);
        buf_puts(&b, " after a number; is an operator or 'and' missing?");
    } else {
        buf_puts(&b, "syntax error: unexpected ");
        describe(ps, got, &at, &b);
        if (items)
            buf_printf(&b, ", expected %s", buf_cstr(&want));
    }
    /* one syntax error per line: what follows the first is mostly the
     * parser finding its feet again */
    unsigned line, col;
    source_pos(ps->src, at.start, &line, &col);
    if (line != ps->error_line || !ps->file->syntax_errors)
        parse_error(ps, at, "%s", buf_cstr(&b) ? b.p : "syntax error");
    else
        ps->file->syntax_errors++;
    ps->error_line = line;
    buf_free(&b);
    buf_free(&want);
    return 0;
}

ast_file *parse_file(mem *m, arena *a, const source *src, diag_list *diags)
{
    ast_file *f = arena_alloc(a, sizeof *f);
    if (!f)
        return NULL;
    f->src = src;
    f->a = a;

    parse_state ps;
    memset(&ps, 0, sizeof ps);
    ps.m = m;
    ps.a = a;
    ps.src = src;
    ps.diags = diags;
    ps.file = f;
    ps.line = 1;
    buf_init(&ps.strbuf, m);
    jmp_buf fatal;
    ps.fatal = &fatal;

    /* flex scans a private copy that ends in two NULs (yy_scan_buffer) */
    size_t cap = src->len + 2;
    char *text = mem_alloc(m, cap);
    if (!text)
        return NULL;
    memcpy(text, src->text, src->len);
    text[src->len] = text[src->len + 1] = 0;

    void *volatile scanner = NULL;
    volatile bool ok = true;
    if (setjmp(fatal) == 0) {
        void *sc = NULL;
        if (segc_yylex_init_extra(&ps, &sc) != 0) {
            ok = false;
        } else {
            scanner = sc;
            ps.scanner = sc;
            segc_yy_scan_buffer(text, cap, sc);
            if (segc_yyparse(sc, &ps) == 2)
                ok = !m->failed; /* 2: out of memory or nested too deep */
        }
    } else {
        ok = false; /* flex ran out of memory */
    }
    if (scanner)
        segc_yylex_destroy(scanner);
    lex_free_leftovers(&ps);
    buf_free(&ps.strbuf);
    mem_free(m, text, cap);
    if (!ok || m->failed)
        return NULL;
    return f;
}
