/*
 * fmt.c - the canonical layout of rule files and schemas (fmt_).
 *
 * The file is parsed, and its tree becomes a document in the manner of
 * Wadler's "prettier printer" (as Prettier implements it): text, line
 * breaks, nesting and groups. A group is printed on one line when it fits
 * in WIDTH columns, else its line breaks become newlines; a group that holds
 * a hard break (a comment that must end a line) always breaks. Lists fill
 * their lines. Comments at the end of a line are "line suffixes": printed at
 * the end of the line they were on, and aligned with those of the lines
 * next to them.
 *
 * Comments are taken in source order from the gaps the layout knows:
 * between declarations, tiers and fields (blank lines kept, runs of them
 * collapsed), in the header of a declaration before its condition or value,
 * between annotations, between the conditions of an and/or chain, and
 * between the elements of a list. A comment anywhere else (inside a call,
 * a comparison, a type) is reported and the file is not formatted: a
 * comment is never lost or moved out of its declaration.
 *
 * The output is parsed again and compared with the input (fmt_same_tree
 * and the comments' text): a difference is reported as a bug, and nothing
 * is returned.
 */
#include <stdarg.h>
#include <stdio.h>

#include "fmt.h"
#include "parse.h"

enum {
    WIDTH = 80,      /* columns a line should not pass */
    INDENT = 2,      /* per level of nesting */
    MAX_DEPTH = 1000 /* expression nesting, as the checker allows */
};

/* ---- documents -------------------------------------------------------------------- */

typedef enum doc_kind {
    D_TEXT,    /* s, len: printed as is (no newline inside) */
    D_LINE,    /* a space, or a newline when its group breaks */
    D_SOFT,    /* nothing, or a newline when its group breaks */
    D_HARD,    /* always a newline */
    D_CAT,     /* kids in order */
    D_NEST,    /* kid, with newlines indented by INDENT more */
    D_GROUP,   /* kid, flat if it fits, else broken */
    D_FILL,    /* content, separator, content, ...: a separator breaks only
                * when the next content does not fit on the line */
    D_SUFFIX,  /* s, len: a comment for the end of the current line */
    D_IFBREAK  /* kid, only when the enclosing group is broken */
} doc_kind;

typedef struct doc doc;
struct doc {
    doc_kind k;
    bool hard;      /* holds a D_HARD: every group around it breaks */
    const char *s;  /* D_TEXT, D_SUFFIX */
    size_t len, width; /* bytes, and columns (code points) */
    size_t col;     /* D_SUFFIX: the column to start at (0: aligned with
                     * the comments of the lines next to it) */
    doc **kids;     /* D_CAT, D_FILL */
    size_t n;
    doc *kid;       /* D_NEST, D_GROUP, D_IFBREAK */
};

/* a tier whose 'where' is aligned with its neighbours', or a schema field
 * whose ':' and trailing comment are */
typedef struct row {
    doc *hdr;       /* the text to pad: "Name where", "name : type" */
    const char *name, *tail; /* hdr = name pad tail */
    size_t name_w;
    bool brk;       /* a blank line or another kind of line comes before */
    doc *suffix;    /* fields: the comment at the end of the line, or NULL */
} row;

typedef struct fmt {
    mem *m;
    arena *a;
    const source *src;
    const char *t;
    uint32_t len;
    diag_list *diags;
    const ast_comment **cm; /* the comments, in order */
    size_t ncm, ci;         /* ci: the first comment not yet placed */
    bool failed;            /* something was reported */
    bool deep_reported;
} fmt;

static doc *mk(fmt *f, doc_kind k)
{
    doc *d = arena_alloc(f->a, sizeof *d);
    if (d)
        d->k = k;
    return d;
}

static doc *text(fmt *f, const char *s, size_t len)
{
    doc *d = mk(f, D_TEXT);
    if (d) {
        d->s = s;
        d->len = len;
        d->width = utf8_count(s, len);
    }
    return d;
}

static doc *textz(fmt *f, const char *s)
{
    return s ? text(f, s, strlen(s)) : NULL;
}

static doc *suffix(fmt *f, const char *s, size_t len)
{
    doc *d = text(f, s, len);
    if (d)
        d->k = D_SUFFIX;
    return d;
}

static doc *wrap(fmt *f, doc_kind k, doc *kid)
{
    doc *d = mk(f, k);
    if (d) {
        d->kid = kid;
        d->hard = kid && kid->hard;
    }
    return d;
}

static doc *nest(fmt *f, doc *kid)
{
    return wrap(f, D_NEST, kid);
}

static doc *group(fmt *f, doc *kid)
{
    return wrap(f, D_GROUP, kid);
}

static doc *hardline(fmt *f)
{
    doc *d = mk(f, D_HARD);
    if (d)
        d->hard = true;
    return d;
}

/* A growing list of documents, made into a D_CAT or D_FILL. */
typedef struct parts {
    buf b;
    bool hard;
} parts;

static void parts_init(fmt *f, parts *p)
{
    buf_init(&p->b, f->m);
    p->hard = false;
}

static void add(parts *p, doc *d)
{
    if (d && VEC_PUSH(&p->b, doc *, d))
        p->hard |= d->hard;
}

static doc *parts_doc(fmt *f, parts *p, doc_kind k)
{
    doc *d = mk(f, k);
    if (d) {
        d->n = VEC_LEN(&p->b, doc *);
        d->kids = d->n ? arena_memdup(f->a, p->b.p, p->b.len) : NULL;
        d->hard = p->hard;
        if (d->n && !d->kids)
            d = NULL;
    }
    buf_free(&p->b);
    return d;
}

/* cat(f, n, d1, ..., dn): NULL documents are left out */
static doc *cat(fmt *f, int n, ...)
{
    parts p;
    parts_init(f, &p);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        add(&p, va_arg(ap, doc *));
    va_end(ap);
    return parts_doc(f, &p, D_CAT);
}

static doc *line(fmt *f)
{
    return mk(f, D_LINE);
}

static doc *soft(fmt *f)
{
    return mk(f, D_SOFT);
}

/* ---- printing ------------------------------------------------------------------------ */

typedef struct cmd {
    doc *d;
    size_t ind;
    bool flat;
} cmd;

typedef struct out_line {
    size_t code, code_len; /* in printer.txt */
    size_t cm, cm_len;     /* the trailing comment, in printer.cms */
    size_t cm_col;         /* its column, when the layout chose one */
} out_line;

typedef struct printer {
    fmt *f;
    buf stack;  /* cmd */
    buf fst;    /* cmd, for fits */
    buf txt;    /* the code of every line */
    buf cms;    /* trailing comments */
    buf lines;  /* out_line */
    buf pend;   /* the line suffix waiting for the end of the line */
    size_t pend_col;
    size_t line_start, pos;
} printer;

static void push(buf *st, doc *d, size_t ind, bool flat)
{
    if (d) {
        cmd c = {d, ind, flat};
        VEC_PUSH(st, cmd, c);
    }
}

/* Whether the documents next (in flat mode), followed by what is left on
 * the stack (when rest), fit in width columns up to the next newline. */
static bool fits(printer *p, doc **next, size_t nnext, bool rest,
                 long width)
{
    buf *st = &p->fst;
    st->len = 0;
    for (size_t i = nnext; i-- > 0;)
        push(st, next[i], 0, true);
    size_t ri = VEC_LEN(&p->stack, cmd);
    while (width >= 0) {
        if (!st->len) {
            if (!rest || ri == 0)
                return true;
            cmd c = VEC_AT(&p->stack, cmd, --ri);
            VEC_PUSH(st, cmd, c);
            if (p->f->m->failed)
                return true;
        }
        cmd c = VEC_AT(st, cmd, VEC_LEN(st, cmd) - 1);
        st->len -= sizeof(cmd);
        doc *d = c.d;
        switch (d->k) {
        case D_TEXT:
            width -= (long)d->width;
            break;
        case D_LINE:
            if (!c.flat)
                return true;
            width--;
            break;
        case D_SOFT:
            if (!c.flat)
                return true;
            break;
        case D_HARD:
            return true;
        case D_CAT:
        case D_FILL:
            for (size_t i = d->n; i-- > 0;)
                push(st, d->kids[i], 0, c.flat);
            break;
        case D_NEST:
            push(st, d->kid, 0, c.flat);
            break;
        case D_GROUP:
            if (!rest && d->hard)
                return false;
            push(st, d->kid, 0, d->hard ? false : c.flat);
            break;
        case D_IFBREAK:
            if (!c.flat)
                push(st, d->kid, 0, false);
            break;
        case D_SUFFIX:
            break;
        }
        if (p->f->m->failed)
            return true;
    }
    return false;
}

static void end_line(printer *p)
{
    while (p->txt.len > p->line_start && p->txt.p[p->txt.len - 1] == ' ')
        p->txt.len--;
    out_line l = {p->line_start, p->txt.len - p->line_start, p->cms.len,
                  p->pend.len, p->pend_col};
    buf_append(&p->cms, p->pend.p, p->pend.len);
    p->pend.len = 0;
    p->pend_col = 0;
    VEC_PUSH(&p->lines, out_line, l);
    p->line_start = p->txt.len;
}

static void newline(printer *p, size_t ind)
{
    end_line(p);
    for (size_t i = 0; i < ind; i++)
        buf_putc(&p->txt, ' ');
    p->pos = ind;
}

static void print_doc(printer *p, doc *root)
{
    push(&p->stack, root, 0, false);
    while (p->stack.len && !p->f->m->failed) {
        cmd c = VEC_AT(&p->stack, cmd, VEC_LEN(&p->stack, cmd) - 1);
        p->stack.len -= sizeof(cmd);
        doc *d = c.d;
        switch (d->k) {
        case D_TEXT:
            buf_append(&p->txt, d->s, d->len);
            p->pos += d->width;
            break;
        case D_SUFFIX:
            if (p->pend.len)
                buf_putc(&p->pend, ' '); /* not made: one per line */
            buf_append(&p->pend, d->s, d->len);
            p->pend_col = d->col;
            break;
        case D_LINE:
            if (c.flat) {
                buf_putc(&p->txt, ' ');
                p->pos++;
            } else {
                newline(p, c.ind);
            }
            break;
        case D_SOFT:
            if (!c.flat)
                newline(p, c.ind);
            break;
        case D_HARD:
            newline(p, c.ind);
            break;
        case D_CAT:
            for (size_t i = d->n; i-- > 0;)
                push(&p->stack, d->kids[i], c.ind, c.flat);
            break;
        case D_NEST:
            push(&p->stack, d->kid, c.ind + INDENT, c.flat);
            break;
        case D_GROUP: {
            bool flat = false;
            if (!d->hard) {
                doc *k = d->kid;
                flat = c.flat ||
                       fits(p, &k, 1, true, (long)WIDTH - (long)p->pos);
            }
            push(&p->stack, d->kid, c.ind, flat);
            break;
        }
        case D_IFBREAK:
            if (!c.flat)
                push(&p->stack, d->kid, c.ind, false);
            break;
        case D_FILL: {
            if (c.flat) {
                for (size_t i = d->n; i-- > 0;)
                    push(&p->stack, d->kids[i], c.ind, true);
                break;
            }
            if (!d->n)
                break;
            long room = (long)WIDTH - (long)p->pos;
            doc *content = d->kids[0];
            bool cfits = fits(p, &content, 1, false, room);
            if (d->n == 1) {
                push(&p->stack, content, c.ind, cfits);
                break;
            }
            doc *sep = d->kids[1];
            if (d->n == 2) {
                push(&p->stack, sep, c.ind, cfits);
                push(&p->stack, content, c.ind, cfits);
                break;
            }
            doc *rest = mk(p->f, D_FILL);
            if (!rest)
                break;
            rest->kids = d->kids + 2;
            rest->n = d->n - 2;
            rest->hard = d->hard;
            doc *three[3] = {content, sep, d->kids[2]};
            bool both = fits(p, three, 3, false, room);
            push(&p->stack, rest, c.ind, false);
            push(&p->stack, sep, c.ind, both);
            push(&p->stack, content, c.ind, cfits);
            break;
        }
        }
    }
    if (p->txt.len > p->line_start || p->pend.len)
        end_line(p);
}

/* Writes the printed lines to out, the trailing comments of adjacent lines
 * aligned two columns after the longest of their code (unless the layout
 * chose their column). */
static void write_lines(printer *p, buf *out)
{
    size_t n = VEC_LEN(&p->lines, out_line);
    const out_line *ls = (const out_line *)(void *)p->lines.p;
    for (size_t i = 0; i < n;) {
        if (!ls[i].cm_len || ls[i].cm_col) {
            size_t w = utf8_count(p->txt.p + ls[i].code, ls[i].code_len);
            buf_append(out, p->txt.p + ls[i].code, ls[i].code_len);
            if (ls[i].cm_len) {
                for (size_t s = w; s < SEGC_MAX(ls[i].cm_col, w + 2); s++)
                    buf_putc(out, ' ');
                buf_append(out, p->cms.p + ls[i].cm, ls[i].cm_len);
            }
            buf_putc(out, '\n');
            i++;
            continue;
        }
        size_t j = i, col = 0;
        for (; j < n && ls[j].cm_len && !ls[j].cm_col; j++) {
            size_t w = utf8_count(p->txt.p + ls[j].code, ls[j].code_len);
            if (w > col)
                col = w;
        }
        for (size_t k = i; k < j; k++) {
            size_t w = utf8_count(p->txt.p + ls[k].code, ls[k].code_len);
            buf_append(out, p->txt.p + ls[k].code, ls[k].code_len);
            for (size_t s = w; s < col + 2; s++)
                buf_putc(out, ' ');
            buf_append(out, p->cms.p + ls[k].cm, ls[k].cm_len);
            buf_putc(out, '\n');
        }
        i = j;
    }
}

/* ---- positions and comments ------------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* The offset of the first token at or after pos (blanks and comments
 * skipped); pos must lie between tokens. */
static uint32_t next_token(const fmt *f, uint32_t pos)
{
    while (pos < f->len) {
        if (is_blank(f->t[pos])) {
            pos++;
        } else if (f->t[pos] == '#') {
            while (pos < f->len && f->t[pos] != '\n')
                pos++;
        } else {
            break;
        }
    }
    return pos;
}

/* The end of an expression ending at e, with the parentheses closing after
 * it (a node's span leaves out the parentheses around it). */
static uint32_t paren_end(const fmt *f, uint32_t e)
{
    uint32_t end = e;
    for (uint32_t q = e; q < f->len && (is_blank(f->t[q]) || f->t[q] == ')');
         q++)
        if (f->t[q] == ')')
            end = q + 1;
    return end;
}

static unsigned newlines_before(const fmt *f, uint32_t pos)
{
    unsigned n = 0;
    while (pos > 0 && is_blank(f->t[pos - 1]))
        n += f->t[--pos] == '\n';
    return n;
}

static unsigned newlines_after(const fmt *f, uint32_t pos)
{
    unsigned n = 0;
    while (pos < f->len && is_blank(f->t[pos]))
        n += f->t[pos++] == '\n';
    return n;
}

/* The comments between two places of the layout: cm[first .. first + n). */
typedef struct gap {
    size_t first, n;
    uint32_t lo;
} gap;

static void refuse(fmt *f, const ast_comment *c)
{
    diag_at(f->diags, SEGC_SEV_ERROR, f->src, c->at, NULL, NULL,
            "segc fmt cannot keep a comment here; move it above the "
            "declaration, or after a condition joined by 'and' or 'or', or "
            "after an element of a list");
    f->failed = true;
}

/* Takes the comments that start in [lo, hi); comments before lo that no gap
 * took are inside a construct that cannot hold them: refused. */
static gap take(fmt *f, uint32_t lo, uint32_t hi)
{
    while (f->ci < f->ncm && f->cm[f->ci]->at.start < lo)
        refuse(f, f->cm[f->ci++]);
    gap g = {f->ci, 0, lo};
    while (f->ci < f->ncm && f->cm[f->ci]->at.start < hi)
        f->ci++;
    g.n = f->ci - g.first;
    return g;
}

/* a gap where no comment can stand */
static void take_none(fmt *f, uint32_t lo, uint32_t hi)
{
    gap g = take(f, lo, hi);
    for (size_t i = 0; i < g.n; i++)
        refuse(f, f->cm[g.first + i]);
}

static const ast_comment *gcm(const fmt *f, const gap *g, size_t i)
{
    return f->cm[g->first + i];
}

/* the comment's text without trailing blanks */
static doc *comment_text(fmt *f, const ast_comment *c, bool as_suffix)
{
    uint32_t s = c->at.start, e = c->at.end;
    while (e > s && is_blank(f->t[e - 1]))
        e--;
    return as_suffix ? suffix(f, f->t + s, e - s) : text(f, f->t + s, e - s);
}

/* Whether a blank line follows the gap's last comment (or its start). */
static bool blank_after(const fmt *f, const gap *g)
{
    uint32_t at = g->n ? gcm(f, g, g->n - 1)->at.end : g->lo;
    return newlines_after(f, at) >= 2;
}

/* The comments of a gap inside an expression or a header: the first, when
 * it ended the line of what comes before it, stays at the end of that line;
 * the others get lines of their own. NULL when there are none; otherwise
 * the caller ends the document with a hard line break. */
static doc *gap_doc(fmt *f, const gap *g)
{
    if (!g->n)
        return NULL;
    parts p;
    parts_init(f, &p);
    for (size_t i = 0; i < g->n; i++) {
        const ast_comment *c = gcm(f, g, i);
        if (i == 0 && !c->own_line) {
            add(&p, comment_text(f, c, true));
        } else {
            add(&p, hardline(f));
            add(&p, comment_text(f, c, false));
        }
    }
    return parts_doc(f, &p, D_CAT);
}

/* A sequence of lines (declarations, tiers, fields) being built. */
typedef struct block {
    parts p;
    bool line;     /* something is on the current line */
    bool blank_ok; /* a blank line may come next (not first in a block) */
    doc *suffix;   /* the comment block_gap put at the end of the line */
} block;

/* The comments of a gap between the lines of a block, with the blank lines
 * around them (a run of blank lines becomes one); then the break before
 * the next line. Returns whether a blank line was written. */
static bool block_gap(fmt *f, block *b, const gap *g)
{
    bool blank = false;
    b->suffix = NULL;
    for (size_t i = 0; i < g->n; i++) {
        const ast_comment *c = gcm(f, g, i);
        if (i == 0 && !c->own_line && b->line) {
            b->suffix = comment_text(f, c, true);
            add(&b->p, b->suffix);
            continue;
        }
        if (b->line)
            add(&b->p, hardline(f));
        if (b->blank_ok && newlines_before(f, c->at.start) >= 2) {
            add(&b->p, hardline(f));
            blank = true;
        }
        add(&b->p, comment_text(f, c, false));
        b->line = b->blank_ok = true;
    }
    return blank;
}

/* Ends a gap of a block: the break before the next line. */
static bool block_break(fmt *f, block *b, const gap *g)
{
    bool blank = false;
    if (b->line)
        add(&b->p, hardline(f));
    if (b->blank_ok && blank_after(f, g)) {
        add(&b->p, hardline(f));
        blank = true;
    }
    b->line = b->blank_ok = true;
    return blank;
}

/* ---- expressions -------------------------------------------------------------------------- */

/* Binding strength, loosest first, as in grammar/parser.y. */
enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_SUM, P_TERM, P_NEG, P_PRIMARY };

static int prec(const ast_node *n)
{
    switch (n->kind) {
    case AST_OR:
        return P_OR;
    case AST_AND:
        return P_AND;
    case AST_NOT:
        return P_NOT;
    case AST_CMP:
    case AST_IN:
    case AST_BETWEEN:
    case AST_ISNULL:
    case AST_HAS:
        return P_CMP;
    case AST_ARITH:
        return n->op == '+' || n->op == '-' ? P_SUM : P_TERM;
    case AST_NEG:
        return P_NEG;
    default:
        return P_PRIMARY;
    }
}

static doc *expr(fmt *f, const ast_node *n, int min, int depth);

static doc *src_text(fmt *f, loc at)
{
    return text(f, f->t + at.start, at.end - at.start);
}

static doc *literal(fmt *f, const ast_node *n)
{
    if (n->kind == AST_MONEY) {
        /* the amount as written, one space, the currency */
        uint32_t e = n->at.start;
        while (e < n->at.end && !is_blank(f->t[e]))
            e++;
        return textz(f, arena_printf(f->a, "%.*s %s", (int)(e - n->at.start),
                                     f->t + n->at.start, n->text));
    }
    return src_text(f, n->at);
}

/* An and/or chain: flat, or one condition per line, each after the first
 * led by its 'and' or 'or'; comments between the conditions kept. */
static doc *chain(fmt *f, const ast_node *n, int depth)
{
    bool is_and = n->kind == AST_AND;
    parts p;
    parts_init(f, &p);
    const ast_node *prev = NULL;
    for (const ast_node *k = n->kids; k; k = k->next) {
        if (prev) {
            gap g = take(f, prev->at.end, k->at.start);
            doc *c = gap_doc(f, &g);
            add(&p, c);
            add(&p, c ? hardline(f) : line(f));
            add(&p, textz(f, is_and ? "and " : "or "));
        }
        /* an 'and' inside an 'or' gets parentheses it does not need:
         * (a and b) or c reads unambiguously */
        add(&p, expr(f, k, P_NOT, depth + 1));
        prev = k;
    }
    return group(f, parts_doc(f, &p, D_CAT));
}

/* ( expr ): a chain inside gets lines of its own when it breaks */
static doc *paren(fmt *f, const ast_node *n, int depth)
{
    doc *in = expr(f, n, 0, depth);
    if (n->kind == AST_AND || n->kind == AST_OR)
        return group(f, cat(f, 5, textz(f, "("), nest(f, cat(f, 2, soft(f), in)),
                            soft(f), textz(f, ")"), NULL));
    return cat(f, 3, textz(f, "("), in, textz(f, ")"));
}

/* name(args where filter): flat, or broken after '(' with the arguments on
 * one line (or one per line) and the filter on the next, its own breaks
 * indented under 'where' */
static doc *call(fmt *f, const ast_node *n, int depth)
{
    if (!n->kids && !n->filter)
        return textz(f, arena_printf(f->a, "%s()", n->text));
    parts args;
    parts_init(f, &args);
    for (const ast_node *k = n->kids; k; k = k->next) {
        add(&args, expr(f, k, 0, depth + 1));
        if (k->next) {
            add(&args, textz(f, ","));
            add(&args, line(f));
        }
    }
    doc *in = n->kids ? group(f, parts_doc(f, &args, D_CAT))
                      : (buf_free(&args.b), NULL);
    if (n->filter)
        in = group(f, cat(f, 4, in, n->kids ? line(f) : NULL,
                          textz(f, "where "),
                          nest(f, expr(f, n->filter, 0, depth + 1))));
    if (n->window) /* an event aggregate's window, after its filter */
        in = group(f, cat(f, 4, in, line(f), textz(f, "within "),
                          nest(f, expr(f, n->window, 0, depth + 1))));
    return group(f, cat(f, 4, textz(f, arena_printf(f->a, "%s(", n->text)),
                        nest(f, cat(f, 2, soft(f), in)), soft(f),
                        textz(f, ")")));
}

/* appends d to the last document of a list of them */
static void to_last(fmt *f, buf *docs, doc *d)
{
    size_t n = VEC_LEN(docs, doc *);
    if (n)
        VEC_AT(docs, doc *, n - 1) = cat(f, 2, VEC_AT(docs, doc *, n - 1), d);
}

/* [a, b, c]: flat, or broken after '[' with the elements filling lines and
 * a trailing comma; comments between elements kept. */
static doc *list(fmt *f, const ast_node *n, int depth)
{
    if (!n->kids)
        return textz(f, "[]");
    buf contents; /* doc *: content, separator, content, ... */
    buf_init(&contents, f->m);
    doc *lead = NULL; /* a comment at the end of the '[' line */
    uint32_t prev_end = n->at.start; /* the '[' */
    for (const ast_node *k = n->kids; k; k = k->next) {
        gap g = take(f, prev_end, k->at.start);
        parts own;
        parts_init(f, &own);
        for (size_t i = 0; i < g.n; i++) {
            const ast_comment *c = gcm(f, &g, i);
            if (i == 0 && !c->own_line && k == n->kids) {
                lead = comment_text(f, c, true);
            } else if (i == 0 && !c->own_line) {
                to_last(f, &contents, comment_text(f, c, true));
            } else {
                add(&own, comment_text(f, c, false));
                add(&own, hardline(f));
            }
        }
        if (k != n->kids) {
            doc *sep = g.n ? hardline(f) : line(f);
            VEC_PUSH(&contents, doc *, sep);
        }
        add(&own, expr(f, k, 0, depth + 1));
        if (k->next)
            add(&own, textz(f, ","));
        doc *content = parts_doc(f, &own, D_CAT);
        VEC_PUSH(&contents, doc *, content);
        prev_end = k->at.end;
    }
    /* comments after the last element, before the ']' */
    gap g = take(f, prev_end, n->at.end - 1);
    parts after;
    parts_init(f, &after);
    for (size_t i = 0; i < g.n; i++) {
        const ast_comment *c = gcm(f, &g, i);
        if (i == 0 && !c->own_line) {
            to_last(f, &contents, comment_text(f, c, true));
        } else {
            add(&after, hardline(f));
            add(&after, comment_text(f, c, false));
        }
    }
    doc *fill = mk(f, D_FILL);
    if (fill && !f->m->failed) {
        fill->n = VEC_LEN(&contents, doc *);
        fill->kids = arena_memdup(f->a, contents.p, contents.len);
        for (size_t i = 0; fill->kids && i < fill->n; i++)
            fill->hard |= fill->kids[i] && fill->kids[i]->hard;
    }
    buf_free(&contents);
    doc *ifb = wrap(f, D_IFBREAK, textz(f, ","));
    /* a comment after '[' or after the last element ends its line */
    return group(f, cat(f, 5, textz(f, "["), lead,
                        nest(f, cat(f, 4, lead ? hardline(f) : soft(f), fill,
                                    ifb, parts_doc(f, &after, D_CAT))),
                        g.n ? hardline(f) : soft(f), textz(f, "]")));
}

static doc *too_deep(fmt *f, const ast_node *n)
{
    if (!f->deep_reported)
        diag_at(f->diags, SEGC_SEV_ERROR, f->src, n->at, NULL, NULL,
                "segc fmt cannot format an expression nested more than %d "
                "levels deep",
                MAX_DEPTH);
    f->deep_reported = f->failed = true;
    return NULL;
}

/* n, in parentheses when it binds less tightly than min requires */
static doc *expr(fmt *f, const ast_node *n, int min, int depth)
{
    if (!n) {
        f->failed = true;
        return NULL;
    }
    if (depth > MAX_DEPTH)
        return too_deep(f, n);
    if (prec(n) < min)
        return paren(f, n, depth + 1);
    const ast_node *a = n->kids, *b = a ? a->next : NULL;
    switch (n->kind) {
    case AST_INT:
    case AST_DECIMAL:
    case AST_PERCENT:
    case AST_MONEY:
    case AST_DURATION:
    case AST_DATE:
    case AST_TIMESTAMP:
    case AST_STRING:
    case AST_BOOL:
    case AST_NULL:
        return literal(f, n);
    case AST_NAME:
        return textz(f, n->text);
    case AST_LIST:
        return list(f, n, depth);
    case AST_CALL:
        return call(f, n, depth);
    case AST_AND:
    case AST_OR:
        return chain(f, n, depth);
    case AST_NOT:
        return cat(f, 2, textz(f, "not "), expr(f, a, P_NOT, depth + 1));
    case AST_NEG:
        if (a && a->kind == AST_NEG) /* -(-x), not --x */
            return cat(f, 2, textz(f, "-"), paren(f, a, depth + 1));
        return cat(f, 2, textz(f, "-"), expr(f, a, P_NEG, depth + 1));
    case AST_ARITH: {
        int p = prec(n);
        char op[4] = {' ', (char)n->op, ' ', 0};
        return cat(f, 3, expr(f, a, p, depth + 1), textz(f, arena_printf(f->a, "%s", op)),
                   expr(f, b, p + 1, depth + 1));
    }
    case AST_CMP: {
        /* a chain a < b < c (an error for the checker) stays one */
        int lmin = n->chained && a && a->kind == AST_CMP ? P_CMP : P_SUM;
        return cat(f, 3, expr(f, a, lmin, depth + 1),
                   textz(f, arena_printf(f->a, " %s ",
                                         cmp_op_text((cmp_op)n->op))),
                   expr(f, b, P_SUM, depth + 1));
    }
    case AST_IN:
        return cat(f, 3, expr(f, a, P_SUM, depth + 1),
                   textz(f, n->negated ? " not in " : " in "),
                   expr(f, b, P_SUM, depth + 1));
    case AST_BETWEEN:
        return cat(f, 5, expr(f, a, P_SUM, depth + 1),
                   textz(f, n->negated ? " not between " : " between "),
                   expr(f, b, P_SUM, depth + 1), textz(f, " and "),
                   expr(f, b ? b->next : NULL, P_SUM, depth + 1));
    case AST_ISNULL:
        return cat(f, 2, expr(f, a, P_SUM, depth + 1),
                   textz(f, n->negated ? " is not null" : " is null"));
    case AST_HAS:
        return cat(f, 3, expr(f, a, P_SUM, depth + 1),
                   textz(f, n->op == 'a' ? " has any " : " has all "),
                   expr(f, b, P_SUM, depth + 1));
    }
    f->failed = true;
    return NULL;
}

/* ---- declarations --------------------------------------------------------------------------- */

static const char *type_text(fmt *f, const ast_type *t)
{
    buf b;
    buf_init(&b, f->m);
    size_t depth = 0;
    for (; t; t = t->elem, depth++) {
        buf_puts(&b, t->name);
        if (t->has_args) {
            buf_putc(&b, '(');
            for (const ast_node *a = t->args; a; a = a->next) {
                buf_puts(&b, a->text);
                if (a->next)
                    buf_puts(&b, ", ");
            }
            buf_putc(&b, ')');
        }
        if (t->elem)
            buf_putc(&b, '<');
    }
    while (depth-- > 1)
        buf_putc(&b, '>');
    const char *s = arena_strndup(f->a, b.p ? b.p : "", b.len);
    buf_free(&b);
    return s;
}

/* @name(args) ... before a declaration or tier, then the comments up to
 * its keyword (kw), each annotation line ended by a hard break */
static void annotations(fmt *f, parts *p, const ast_annotation *anns,
                        uint32_t kw, int depth)
{
    if (!anns)
        return;
    uint32_t prev = 0;
    for (const ast_annotation *a = anns; a; a = a->next) {
        if (a != anns) {
            gap g = take(f, prev, a->at.start);
            doc *c = gap_doc(f, &g);
            add(p, c);
            add(p, c ? hardline(f) : textz(f, " "));
        }
        add(p, textz(f, arena_printf(f->a, "@%s", a->name)));
        if (a->args) {
            add(p, textz(f, "("));
            for (const ast_node *k = a->args; k; k = k->next) {
                add(p, expr(f, k, 0, depth + 1));
                if (k->next)
                    add(p, textz(f, ", "));
            }
            add(p, textz(f, ")"));
        }
        prev = a->at.end; /* comments inside it are refused */
    }
    gap g = take(f, prev, kw);
    add(p, gap_doc(f, &g));
    add(p, hardline(f));
}

static uint32_t ann_end(const ast_annotation *a)
{
    while (a->next)
        a = a->next;
    return a->at.end;
}

/* The line "HEAD where COND" of a segment or tier (the text HEAD where is
 * hdr, padded later), with the comments of its header. */
static doc *where_line(fmt *f, doc *hdr, uint32_t kw, const ast_node *cond,
                       int depth)
{
    gap g = take(f, kw, cond ? cond->at.start : kw);
    doc *c = gap_doc(f, &g);
    return group(f, cat(f, 2, hdr,
                        nest(f, cat(f, 3, c, c ? hardline(f) : line(f),
                                    expr(f, cond, 0, depth + 1)))));
}

static void set_row(row *r, doc *hdr, const char *name, const char *tail,
                    bool brk)
{
    r->hdr = hdr;
    r->name = name;
    r->tail = tail;
    r->name_w = strlen(name);
    r->brk = brk;
    r->suffix = NULL;
}

static doc *segment(fmt *f, const ast_segment *s)
{
    parts p;
    parts_init(f, &p);
    uint32_t kw = s->annotations ? next_token(f, ann_end(s->annotations))
                                 : s->at.start;
    annotations(f, &p, s->annotations, kw, 0);
    doc *hdr = textz(f, arena_printf(f->a, "segment %s where", s->name));
    doc *main = where_line(f, hdr, kw, s->where, 0);
    add(&p, main);
    return parts_doc(f, &p, D_CAT);
}

static doc *def(fmt *f, const ast_def *d)
{
    static const char *const kws[] = {"param", "let", "const"};
    parts p;
    parts_init(f, &p);
    uint32_t kw = d->at.start;
    annotations(f, &p, d->annotations, kw, 0);
    const char *head =
        d->type ? arena_printf(f->a, "%s %s : %s =", kws[d->kind], d->name,
                               type_text(f, d->type))
                : arena_printf(f->a, "%s %s =", kws[d->kind], d->name);
    gap g = take(f, kw, d->value ? d->value->at.start : kw);
    doc *c = gap_doc(f, &g);
    if (!c && d->value && d->value->kind == AST_LIST) {
        /* const x = [ ...: the list breaks, not the line after '=' */
        add(&p, textz(f, arena_printf(f->a, "%s ", head)));
        add(&p, expr(f, d->value, 0, 1));
    } else {
        add(&p, group(f, cat(f, 2, textz(f, head),
                             nest(f, cat(f, 3, c, c ? hardline(f) : line(f),
                                         expr(f, d->value, 0, 1))))));
    }
    return parts_doc(f, &p, D_CAT);
}

/* Pads the names of every run of rows (rows with no blank line between
 * them) to the longest, so that what follows them aligns; the trailing
 * comments of fields align too (at indent). */
static void align_rows(fmt *f, buf *rowsb, size_t indent)
{
    size_t n = VEC_LEN(rowsb, row);
    row *rows = (row *)(void *)rowsb->p;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, w = rows[i].name_w;
        for (; j < n && !rows[j].brk; j++)
            w = SEGC_MAX(w, rows[j].name_w);
        size_t col = 0;
        for (size_t k = i; k < j; k++) {
            row *r = &rows[k];
            int pad = (int)(w - r->name_w);
            const char *s = arena_printf(f->a, "%s%*s%s", r->name, pad, "",
                                         r->tail);
            if (s && r->hdr) {
                r->hdr->s = s;
                r->hdr->len = strlen(s);
                r->hdr->width = utf8_count(s, r->hdr->len);
                if (r->suffix)
                    col = SEGC_MAX(col, indent + r->hdr->width + 2);
            }
        }
        for (size_t k = i; k < j; k++)
            if (rows[k].suffix)
                rows[k].suffix->col = col;
        i = j;
    }
}

static uint32_t tier_start(const fmt *f, const ast_tier *t, uint32_t prev)
{
    if (t->annotations)
        return t->annotations->at.start;
    return t->where ? t->name_at.start : next_token(f, prev);
}

static doc *classify(fmt *f, const ast_classify *c)
{
    parts p;
    parts_init(f, &p);
    uint32_t kw = c->at.start;
    annotations(f, &p, c->annotations, kw, 0);
    uint32_t brace = next_token(f, c->name_at.end);
    take_none(f, kw, brace + 1);
    add(&p, textz(f, arena_printf(f->a, "classify %s {", c->name)));

    block b;
    parts_init(f, &b.p);
    b.line = true;
    b.blank_ok = false;
    buf rows;
    buf_init(&rows, f->m);
    uint32_t prev = brace + 1;
    bool prev_row = false;
    for (const ast_tier *t = c->tiers; t; t = t->next) {
        uint32_t start = tier_start(f, t, prev);
        gap g = take(f, prev, start);
        bool blank = block_gap(f, &b, &g);
        blank |= block_break(f, &b, &g);
        uint32_t kwt = t->annotations ? next_token(f, ann_end(t->annotations))
                                      : start;
        annotations(f, &b.p, t->annotations, kwt, 0);
        if (t->where) {
            doc *hdr = textz(f, arena_printf(f->a, "%s where", t->name));
            doc *main = where_line(f, hdr, kwt, t->where, 0);
            add(&b.p, main);
            row r;
            set_row(&r, hdr, t->name, " where", blank || !prev_row);
            VEC_PUSH(&rows, row, r);
            prev_row = true;
            prev = paren_end(f, t->where->at.end);
        } else {
            take_none(f, kwt, t->name_at.start); /* else # ... Name */
            add(&b.p, textz(f, arena_printf(f->a, "else %s", t->name)));
            prev_row = false;
            prev = t->name_at.end;
        }
    }
    gap g = take(f, prev, c->at.end - 1); /* up to the '}' */
    block_gap(f, &b, &g);
    align_rows(f, &rows, INDENT);
    buf_free(&rows);
    add(&p, nest(f, parts_doc(f, &b.p, D_CAT)));
    add(&p, hardline(f));
    add(&p, textz(f, "}"));
    return parts_doc(f, &p, D_CAT);
}

static uint32_t field_end(const fmt *f, const ast_field *fl)
{
    if (fl->key)
        return fl->key_at.end;
    if (fl->nullable) {
        uint32_t q = next_token(f, fl->type->at.end);
        return q < f->len ? q + 1 : q;
    }
    return fl->type->at.end;
}

/* an event list: "name : events {", its fields one per line, "}" (the
 * block as written when it holds a comment, which stays where it is) */
static doc *event_list(fmt *f, const ast_field *fl)
{
    uint32_t a = fl->at.start, z = fl->type->at.end;
    if (memchr(f->t + a, '#', z - a))
        return textz(f, arena_printf(f->a, "%.*s", (int)(z - a), f->t + a));
    parts p;
    parts_init(f, &p);
    add(&p, textz(f, arena_printf(f->a, "%s : %s {", fl->name, fl->type->name)));
    parts in;
    parts_init(f, &in);
    int w = 0; /* the names aligned, as a schema's */
    for (const ast_field *e = fl->events; e; e = e->next)
        if (!e->is_events && (int)strlen(e->name) > w)
            w = (int)strlen(e->name);
    for (const ast_field *e = fl->events; e; e = e->next) {
        add(&in, hardline(f));
        if (e->is_events)
            add(&in, event_list(f, e));
        else
            add(&in, textz(f, arena_printf(f->a, "%-*s : %s%s%s", w, e->name,
                                           type_text(f, e->type),
                                           e->nullable ? "?" : "",
                                           e->key ? " key" : "")));
    }
    if (fl->events)
        add(&p, nest(f, parts_doc(f, &in, D_CAT)));
    else
        buf_free(&in.b);
    add(&p, hardline(f));
    add(&p, textz(f, fl->nullable || fl->key ? arena_printf(f->a, "}%s%s",
                      fl->nullable ? "?" : "", fl->key ? " key" : "") : "}"));
    return parts_doc(f, &p, D_CAT);
}

static doc *schema(fmt *f, const ast_schema *s)
{
    parts p;
    parts_init(f, &p);
    uint32_t kw = s->at.start;
    uint32_t brace = next_token(f, s->name_at.end);
    take_none(f, kw, brace + 1);
    add(&p, textz(f, arena_printf(f->a, "schema %s {", s->name)));
    block b;
    parts_init(f, &b.p);
    b.line = true;
    b.blank_ok = false;
    buf rows;
    buf_init(&rows, f->m);
    uint32_t prev = brace + 1;
    for (const ast_field *fl = s->fields; fl; fl = fl->next) {
        gap g = take(f, prev, fl->at.start);
        bool blank = block_gap(f, &b, &g);
        if (VEC_LEN(&rows, row))
            VEC_AT(&rows, row, VEC_LEN(&rows, row) - 1).suffix = b.suffix;
        blank |= block_break(f, &b, &g);
        if (fl->is_events) {
            /* not aligned with the other fields: a block of its own */
            add(&b.p, event_list(f, fl));
            prev = fl->key ? SEGC_MAX(fl->key_at.end, fl->type->at.end)
                           : fl->type->at.end;
            continue;
        }
        const char *tail = arena_printf(f->a, " : %s%s%s", type_text(f, fl->type),
                                        fl->nullable ? "?" : "",
                                        fl->key ? " key" : "");
        doc *d = textz(f, arena_printf(f->a, "%s%s", fl->name, tail ? tail : ""));
        add(&b.p, d);
        row r;
        set_row(&r, d, fl->name, tail ? tail : "", blank);
        VEC_PUSH(&rows, row, r);
        prev = field_end(f, fl);
    }
    gap g = take(f, prev, s->at.end - 1);
    block_gap(f, &b, &g);
    if (VEC_LEN(&rows, row))
        VEC_AT(&rows, row, VEC_LEN(&rows, row) - 1).suffix = b.suffix;
    align_rows(f, &rows, INDENT);
    buf_free(&rows);
    if (s->fields || VEC_LEN(&b.p.b, doc *))
        add(&p, nest(f, parts_doc(f, &b.p, D_CAT)));
    else
        buf_free(&b.p.b);
    add(&p, hardline(f));
    add(&p, textz(f, "}"));
    return parts_doc(f, &p, D_CAT);
}

static doc *import(fmt *f, const ast_import *im)
{
    uint32_t str = next_token(f, im->at.start + 6); /* after 'import' */
    take_none(f, im->at.start, str);
    return textz(f, arena_printf(f->a, "import %.*s",
                                 (int)(im->at.end - str), f->t + str));
}

static uint32_t item_start(const ast_item *it)
{
    switch (it->kind) {
    case ITEM_SCHEMA:
        return it->u.schema->at.start;
    case ITEM_SEGMENT:
        return it->u.segment->at.start;
    case ITEM_DEF:
        return it->u.def->annotations ? it->u.def->annotations->at.start
                                      : it->u.def->at.start;
    case ITEM_CLASSIFY:
        return it->u.classify->annotations
                   ? it->u.classify->annotations->at.start
                   : it->u.classify->at.start;
    case ITEM_IMPORT:
        return it->u.import->at.start;
    }
    return 0;
}

static uint32_t item_end(const ast_item *it)
{
    switch (it->kind) {
    case ITEM_SCHEMA:
        return it->u.schema->at.end;
    case ITEM_SEGMENT:
        return it->u.segment->at.end;
    case ITEM_DEF:
        return it->u.def->at.end;
    case ITEM_CLASSIFY:
        return it->u.classify->at.end;
    case ITEM_IMPORT:
        return it->u.import->at.end;
    }
    return 0;
}

static doc *file_doc(fmt *f, const ast_file *af)
{
    block b;
    parts_init(f, &b.p);
    b.line = b.blank_ok = false;
    uint32_t prev = 0;
    for (const ast_item *it = af->items; it; it = it->next) {
        gap g = take(f, prev, item_start(it));
        block_gap(f, &b, &g);
        block_break(f, &b, &g);
        switch (it->kind) {
        case ITEM_SCHEMA:
            add(&b.p, schema(f, it->u.schema));
            break;
        case ITEM_SEGMENT:
            add(&b.p, segment(f, it->u.segment));
            break;
        case ITEM_DEF:
            add(&b.p, def(f, it->u.def));
            break;
        case ITEM_CLASSIFY:
            add(&b.p, classify(f, it->u.classify));
            break;
        case ITEM_IMPORT:
            add(&b.p, import(f, it->u.import));
            break;
        }
        prev = item_end(it);
    }
    gap g = take(f, prev, f->len);
    block_gap(f, &b, &g);
    return parts_doc(f, &b.p, D_CAT);
}

/* ---- the same program ---------------------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_node(const ast_node *a, const ast_node *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->nkids != b->nkids ||
        !same_node(a->filter, b->filter))
        return false;
    switch (a->kind) {
    case AST_INT:
    case AST_DATE:
    case AST_TIMESTAMP:
    case AST_BOOL:
        return a->i == b->i;
    case AST_DECIMAL:
    case AST_PERCENT:
        return a->dec.mant == b->dec.mant && a->dec.scale == b->dec.scale;
    case AST_MONEY:
        return a->dec.mant == b->dec.mant && a->dec.scale == b->dec.scale &&
               same_str(a->text, b->text);
    case AST_DURATION:
        return a->dur.months == b->dur.months && a->dur.secs == b->dur.secs;
    case AST_STRING:
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
    case AST_NAME:
        return same_str(a->text, b->text);
    case AST_NULL:
        return true;
    case AST_CALL:
        if (!same_str(a->text, b->text) || !same_node(a->window, b->window))
            return false;
        break;
    default:
        if (a->op != b->op || a->negated != b->negated ||
            a->chained != b->chained)
            return false;
        break;
    }
    for (const ast_node *x = a->kids, *y = b->kids; x || y;
         x = x->next, y = y->next)
        if (!x || !y || !same_node(x, y))
            return false;
    return true;
}

static bool same_type(const ast_type *a, const ast_type *b)
{
    for (; a || b; a = a->elem, b = b->elem) {
        if (!a || !b || !same_str(a->name, b->name) ||
            a->has_args != b->has_args || a->nargs != b->nargs)
            return false;
        for (const ast_node *x = a->args, *y = b->args; x || y;
             x = x->next, y = y->next)
            if (!x || !y || !same_str(x->text, y->text))
                return false;
    }
    return true;
}

static bool same_annotations(const ast_annotation *a, const ast_annotation *b)
{
    for (; a || b; a = a->next, b = b->next) {
        if (!a || !b || !same_str(a->name, b->name) || a->nargs != b->nargs)
            return false;
        for (const ast_node *x = a->args, *y = b->args; x || y;
             x = x->next, y = y->next)
            if (!x || !y || !same_node(x, y))
                return false;
    }
    return true;
}

static bool same_item(const ast_item *a, const ast_item *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case ITEM_SCHEMA: {
        const ast_schema *x = a->u.schema, *y = b->u.schema;
        if (!same_str(x->name, y->name) || x->nfields != y->nfields)
            return false;
        for (const ast_field *p = x->fields, *q = y->fields; p || q;
             p = p->next, q = q->next)
            if (!p || !q || !same_str(p->name, q->name) ||
                !same_type(p->type, q->type) || p->nullable != q->nullable ||
                p->key != q->key)
                return false;
        return true;
    }
    case ITEM_SEGMENT: {
        const ast_segment *x = a->u.segment, *y = b->u.segment;
        return same_str(x->name, y->name) &&
               same_str(x->description, y->description) &&
               same_annotations(x->annotations, y->annotations) &&
               same_node(x->where, y->where);
    }
    case ITEM_DEF: {
        const ast_def *x = a->u.def, *y = b->u.def;
        return x->kind == y->kind && same_str(x->name, y->name) &&
               same_str(x->description, y->description) &&
               same_annotations(x->annotations, y->annotations) &&
               (x->type ? y->type && same_type(x->type, y->type) : !y->type) &&
               same_node(x->value, y->value);
    }
    case ITEM_CLASSIFY: {
        const ast_classify *x = a->u.classify, *y = b->u.classify;
        if (!same_str(x->name, y->name) ||
            !same_str(x->description, y->description) ||
            !same_annotations(x->annotations, y->annotations) ||
            x->ntiers != y->ntiers)
            return false;
        for (const ast_tier *p = x->tiers, *q = y->tiers; p || q;
             p = p->next, q = q->next)
            if (!p || !q || !same_str(p->name, q->name) ||
                !same_str(p->description, q->description) ||
                !same_annotations(p->annotations, q->annotations) ||
                !same_node(p->where, q->where))
                return false;
        return true;
    }
    case ITEM_IMPORT:
        return same_str(a->u.import->path, b->u.import->path);
    }
    return false;
}

bool fmt_same_tree(const ast_file *a, const ast_file *b)
{
    if (a->nitems != b->nitems)
        return false;
    for (const ast_item *x = a->items, *y = b->items; x || y;
         x = x->next, y = y->next)
        if (!x || !y || !same_item(x, y))
            return false;
    return true;
}

/* the comments of two files, in order, equal but for trailing blanks */
static bool same_comments(const ast_file *a, const ast_file *b)
{
    const ast_comment *x = a->comments, *y = b->comments;
    for (; x && y; x = x->next, y = y->next) {
        uint32_t xs = x->at.start, xe = x->at.end;
        uint32_t ys = y->at.start, ye = y->at.end;
        while (xe > xs && is_blank(a->src->text[xe - 1]))
            xe--;
        while (ye > ys && is_blank(b->src->text[ye - 1]))
            ye--;
        if (xe - xs != ye - ys ||
            memcmp(a->src->text + xs, b->src->text + ys, xe - xs) != 0)
            return false;
    }
    return !x && !y;
}

/* ---- entry ------------------------------------------------------------------------------------ */

/* Parses the formatted text again: it must be the same program with the
 * same comments. */
static bool verify(mem *m, const source *src, const ast_file *orig,
                   const buf *out, diag_list *diags)
{
    source s2;
    if (!source_init(&s2, m, src->name, out->p ? out->p : "", out->len))
        return false;
    arena a;
    arena_init(&a, m);
    diag_list d2;
    diag_init(&d2, m);
    ast_file *f2 = parse_file(m, &a, &s2, &d2);
    bool ok = f2 && !f2->syntax_errors && fmt_same_tree(orig, f2) &&
              same_comments(orig, f2);
    if (!ok && !m->failed)
        diag_place(diags, SEGC_SEV_ERROR, src->name, 0, 0, 0, NULL, 0,
                   "segc fmt made a layout that is not the same program "
                   "(a bug in segc fmt): the file is left as it is");
    diag_free(&d2);
    arena_free(&a);
    source_free(&s2);
    return ok;
}

bool fmt_source(mem *m, const source *src, diag_list *diags, buf *out)
{
    if (src->len > UINT32_MAX - 2) {
        diag_place(diags, SEGC_SEV_ERROR, src->name, 0, 0, 0, NULL, 0,
                   "file too large to format");
        return false;
    }
    arena a;
    arena_init(&a, m);
    bool ok = false;
    buf comments, result;
    buf_init(&comments, m);
    buf_init(&result, m);
    printer pr;
    memset(&pr, 0, sizeof pr);
    ast_file *af = parse_file(m, &a, src, diags);
    if (!af || af->syntax_errors)
        goto done;
    for (const ast_comment *c = af->comments; c; c = c->next)
        VEC_PUSH(&comments, const ast_comment *, c);
    fmt f = {m, &a, src, src->text, (uint32_t)src->len, diags,
             (const ast_comment **)(void *)comments.p,
             VEC_LEN(&comments, const ast_comment *), 0, false, false};
    doc *d = file_doc(&f, af);
    if (f.failed || m->failed || (af->items && !d))
        goto done;
    pr.f = &f;
    buf_init(&pr.stack, m);
    buf_init(&pr.fst, m);
    buf_init(&pr.txt, m);
    buf_init(&pr.cms, m);
    buf_init(&pr.lines, m);
    buf_init(&pr.pend, m);
    if (d)
        print_doc(&pr, d);
    write_lines(&pr, &result);
    if (m->failed || !verify(m, src, af, &result, diags))
        goto done;
    ok = buf_append(out, result.p, result.len);
done:
    if (pr.f) {
        buf_free(&pr.stack);
        buf_free(&pr.fst);
        buf_free(&pr.txt);
        buf_free(&pr.cms);
        buf_free(&pr.lines);
        buf_free(&pr.pend);
    }
    buf_free(&result);
    buf_free(&comments);
    arena_free(&a);
    return ok && !m->failed;
}
