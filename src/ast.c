/* ast.c - syntax tree constructors and the tree dump (ast_). */
#include <inttypes.h>
#include <stdio.h>

#include "ast.h"

ast_node *ast_new(ast_file *f, ast_kind kind, loc at)
{
    ast_node *n = arena_alloc(f->a, sizeof *n);
    if (n) {
        n->kind = kind;
        n->at = at;
    }
    return n;
}

ast_node *ast_unary(ast_file *f, ast_kind kind, loc at, ast_node *a)
{
    ast_node *n = ast_new(f, kind, at);
    if (n && a) {
        n->kids = n->tail = a;
        n->nkids = 1;
    }
    return n;
}

ast_node *ast_binary(ast_file *f, ast_kind kind, int op, loc at, ast_node *a,
                     ast_node *b)
{
    ast_node *n = ast_new(f, kind, at);
    if (n && a && b) {
        n->op = op;
        n->kids = a;
        a->next = b;
        n->tail = b;
        n->nkids = 2;
    }
    return n;
}

ast_node *ast_logic(ast_file *f, ast_kind kind, loc at, ast_node *a,
                    ast_node *b)
{
    if (!a || !b)
        return NULL;
    if (a->kind == kind) {
        a->tail->next = b;
        a->tail = b;
        a->nkids++;
        a->at = at;
        return a;
    }
    return ast_binary(f, kind, 0, at, a, b);
}

void ast_add_item(ast_file *f, ast_item_kind kind, void *decl)
{
    ast_item *it = arena_alloc(f->a, sizeof *it);
    if (!it || !decl)
        return;
    it->kind = kind;
    switch (kind) {
    case ITEM_SCHEMA:
        it->u.schema = decl;
        break;
    case ITEM_SEGMENT:
        it->u.segment = decl;
        break;
    case ITEM_DEF:
        it->u.def = decl;
        break;
    case ITEM_CLASSIFY:
        it->u.classify = decl;
        break;
    case ITEM_IMPORT:
        it->u.import = decl;
        break;
    }
    if (f->last_item)
        f->last_item->next = it;
    else
        f->items = it;
    f->last_item = it;
    f->nitems++;
}

const char *cmp_op_text(cmp_op op)
{
    static const char *const t[] = {"=", "!=", "<", "<=", ">", ">="};
    return t[op];
}

/* ---- dump --------------------------------------------------------------------- */

static void dump_str(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void dump_node(const ast_node *n, FILE *out)
{
    if (!n) {
        fputs("<null>", out);
        return;
    }
    switch (n->kind) {
    case AST_INT:
        fprintf(out, "%" PRId64, n->i);
        return;
    case AST_DECIMAL:
        fprintf(out, "(dec %" PRId64 "e-%d)", n->dec.mant, n->dec.scale);
        return;
    case AST_PERCENT:
        fprintf(out, "(pct %" PRId64 "e-%d)", n->dec.mant, n->dec.scale);
        return;
    case AST_MONEY:
        fprintf(out, "(money %" PRId64 "e-%d %s)", n->dec.mant, n->dec.scale,
                n->text);
        return;
    case AST_DURATION:
        fprintf(out, "(dur %" PRId64 "mo %" PRId64 "s)", n->dur.months,
                n->dur.secs);
        return;
    case AST_DATE:
        fprintf(out, "(date %" PRId64 ")", n->i);
        return;
    case AST_TIMESTAMP:
        fprintf(out, "(ts %" PRId64 ")", n->i);
        return;
    case AST_STRING:
        dump_str(out, n->text, n->len);
        return;
    case AST_BOOL:
        fputs(n->i ? "true" : "false", out);
        return;
    case AST_NULL:
        fputs("null", out);
        return;
    case AST_NAME:
        fputs(n->text, out);
        return;
    default:
        break;
    }
    const char *head = "?";
    char opbuf[16];
    switch (n->kind) {
    case AST_LIST:
        head = "list";
        break;
    case AST_NEG:
        head = "neg";
        break;
    case AST_ARITH:
        snprintf(opbuf, sizeof opbuf, "%c", n->op);
        head = opbuf;
        break;
    case AST_CMP:
        head = cmp_op_text((cmp_op)n->op);
        break;
    case AST_IN:
        head = n->negated ? "not-in" : "in";
        break;
    case AST_BETWEEN:
        head = n->negated ? "not-between" : "between";
        break;
    case AST_ISNULL:
        head = n->negated ? "is-not-null" : "is-null";
        break;
    case AST_AND:
        head = "and";
        break;
    case AST_OR:
        head = "or";
        break;
    case AST_NOT:
        head = "not";
        break;
    case AST_CALL:
        head = n->text;
        break;
    case AST_HAS:
        head = n->op == 'a' ? "has-any" : "has-all";
        break;
    default:
        break;
    }
    fprintf(out, "(%s", head);
    for (const ast_node *k = n->kids; k; k = k->next) {
        fputc(' ', out);
        dump_node(k, out);
    }
    if (n->filter) {
        fputs(" where ", out);
        dump_node(n->filter, out);
    }
    if (n->window) {
        fputs(" within ", out);
        dump_node(n->window, out);
    }
    fputc(')', out);
}

static void dump_type(const ast_type *t, FILE *out)
{
    fputs(t->name, out);
    if (t->has_args) {
        fputc('(', out);
        for (const ast_node *a = t->args; a; a = a->next)
            fprintf(out, "%s%s", a->text, a->next ? " " : "");
        fputc(')', out);
    }
    if (t->elem) {
        fputc('<', out);
        dump_type(t->elem, out);
        fputc('>', out);
    }
}

static void dump_annotations(const ast_annotation *a, FILE *out)
{
    for (; a; a = a->next) {
        fprintf(out, "@%s", a->name);
        if (a->args) {
            fputc('(', out);
            for (const ast_node *k = a->args; k; k = k->next) {
                dump_node(k, out);
                if (k->next)
                    fputc(' ', out);
            }
            fputc(')', out);
        }
        fputc(' ', out);
    }
}

void ast_dump(const ast_file *f, FILE *out)
{
    for (const ast_item *it = f->items; it; it = it->next) {
        if (it->kind == ITEM_SCHEMA) {
            const ast_schema *s = it->u.schema;
            fprintf(out, "(schema %s", s->name);
            for (const ast_field *fl = s->fields; fl; fl = fl->next) {
                fprintf(out, "\n  (%s ", fl->name);
                dump_type(fl->type, out);
                if (fl->nullable)
                    fputs(" nullable", out);
                if (fl->key)
                    fputs(" key", out);
                fputc(')', out);
            }
            fputs(")\n", out);
        } else if (it->kind == ITEM_SEGMENT) {
            const ast_segment *s = it->u.segment;
            fprintf(out, "(segment %s ", s->name);
            dump_annotations(s->annotations, out);
            if (s->description) {
                dump_str(out, s->description, strlen(s->description));
                fputc(' ', out);
            }
            dump_node(s->where, out);
            fputs(")\n", out);
        } else if (it->kind == ITEM_DEF) {
            const ast_def *d = it->u.def;
            static const char *const kw[] = {"param", "let", "const"};
            fprintf(out, "(%s %s ", kw[d->kind], d->name);
            if (d->type) {
                dump_type(d->type, out);
                fputc(' ', out);
            }
            dump_node(d->value, out);
            fputs(")\n", out);
        } else if (it->kind == ITEM_CLASSIFY) {
            const ast_classify *c = it->u.classify;
            fprintf(out, "(classify %s", c->name);
            for (const ast_tier *t = c->tiers; t; t = t->next) {
                fprintf(out, "\n  (%s ", t->name);
                dump_annotations(t->annotations, out);
                if (t->where)
                    dump_node(t->where, out);
                else
                    fputs("else", out);
                fputc(')', out);
            }
            fputs(")\n", out);
        } else {
            fputs("(import ", out);
            dump_str(out, it->u.import->path, strlen(it->u.import->path));
            fputs(")\n", out);
        }
    }
}
