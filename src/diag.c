/* diag.c - sources, locations and diagnostics (source_, diag_). */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"

bool source_init(source *s, mem *m, const char *name, const char *text,
                 size_t len)
{
    s->m = m;
    s->name = name ? name : "<input>";
    s->text = text;
    s->len = len;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    s->lines = mem_array(m, n, sizeof(uint32_t));
    if (!s->lines)
        return false;
    s->nlines = n;
    size_t k = 0;
    s->lines[k++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            s->lines[k++] = (uint32_t)(i + 1);
    return true;
}

void source_free(source *s)
{
    mem_free(s->m, s->lines, s->nlines * sizeof(uint32_t));
    s->lines = NULL;
    s->nlines = 0;
}

void source_pos(const source *s, uint32_t off, unsigned *line, unsigned *col)
{
    if (off > s->len)
        off = (uint32_t)s->len;
    size_t lo = 0, hi = s->nlines; /* last line start <= off */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)lo + 1;
    *col = (unsigned)utf8_count(s->text + s->lines[lo], off - s->lines[lo]) + 1;
}

const char *source_line(const source *s, unsigned line, size_t *len)
{
    if (line == 0 || line > s->nlines) {
        *len = 0;
        return "";
    }
    size_t a = s->lines[line - 1];
    size_t b = a;
    while (b < s->len && s->text[b] != '\n')
        b++;
    if (b > a && s->text[b - 1] == '\r')
        b--;
    *len = b - a;
    return s->text + a;
}

/* ---- the list ------------------------------------------------------------- */

void diag_init(diag_list *d, mem *m)
{
    memset(d, 0, sizeof *d);
    d->m = m;
    arena_init(&d->strings, m);
}

void diag_free(diag_list *d)
{
    arena_free(&d->strings);
    mem_free(d->m, d->items, d->cap * sizeof(segc_diag));
    d->items = NULL;
    d->n = d->cap = d->errors = 0;
}

void diag_clear(diag_list *d)
{
    mem *m = d->m;
    diag_free(d);
    diag_init(d, m);
}

static segc_diag *push(diag_list *d, segc_severity sev)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        segc_diag *p = mem_realloc(d->m, d->items, d->cap * sizeof *p,
                                   cap * sizeof *p);
        if (!p)
            return NULL;
        d->items = p;
        d->cap = cap;
    }
    segc_diag *dg = &d->items[d->n++];
    memset(dg, 0, sizeof *dg);
    dg->severity = sev;
    if (sev == SEGC_SEV_ERROR)
        d->errors++;
    return dg;
}

static const char *vformat(arena *a, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return "(unprintable message)";
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return "(out of memory)";
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

void diag_vat(diag_list *d, segc_severity sev, const source *src, loc at,
              const char *code, const char *fix, const char *fmt, va_list ap)
{
    segc_diag *dg = push(d, sev);
    if (!dg)
        return;
    dg->message = vformat(&d->strings, fmt, ap);
    dg->file = src ? arena_strndup(&d->strings, src->name, strlen(src->name))
                   : "<input>";
    if (!dg->file)
        dg->file = "<input>";
    dg->code = code ? arena_strndup(&d->strings, code, strlen(code)) : NULL;
    dg->fix = fix ? arena_strndup(&d->strings, fix, strlen(fix)) : NULL;
    if (!src)
        return;
    source_pos(src, at.start, &dg->line, &dg->column);
    uint32_t last = at.end > at.start ? at.end - 1 : at.start;
    /* the last character may be several bytes: use its first byte */
    while (last > at.start && last < src->len &&
           ((unsigned char)src->text[last] & 0xC0) == 0x80)
        last--;
    source_pos(src, last, &dg->end_line, &dg->end_column);
    size_t len;
    const char *t = source_line(src, dg->line, &len);
    dg->line_text = arena_strndup(&d->strings, t, len);
}

void diag_at(diag_list *d, segc_severity sev, const source *src, loc at,
             const char *code, const char *fix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vat(d, sev, src, at, code, fix, fmt, ap);
    va_end(ap);
}

void diag_place(diag_list *d, segc_severity sev, const char *file,
                unsigned line, unsigned col, unsigned end_col,
                const char *line_text, size_t line_len, const char *fmt, ...)
{
    segc_diag *dg = push(d, sev);
    if (!dg)
        return;
    va_list ap;
    va_start(ap, fmt);
    dg->message = vformat(&d->strings, fmt, ap);
    va_end(ap);
    dg->file = arena_strndup(&d->strings, file, strlen(file));
    if (!dg->file)
        dg->file = "<input>";
    dg->line = dg->end_line = line;
    dg->column = col;
    dg->end_column = end_col >= col ? end_col : col;
    if (line_text)
        dg->line_text = arena_strndup(&d->strings, line_text, line_len);
}

/* ---- sorting: a stable merge sort over groups (a diagnostic and its notes) */

static int cmp_pos(const segc_diag *a, const segc_diag *b)
{
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    return 0;
}

void diag_sort_from(diag_list *d, size_t start)
{
    /* a stable insertion sort of groups (a diagnostic and its trailing
     * notes) into a copy: diagnostics per compile are few */
    size_t n = d->n - start;
    if (n < 2)
        return;
    segc_diag *v = d->items + start;
    segc_diag *out = mem_array(d->m, n, sizeof *out);
    if (!out)
        return; /* unsorted, but complete */
    size_t filled = 0;
    for (size_t i = 0; i < n;) {
        size_t g = i + 1;
        while (g < n && v[g].severity == SEGC_SEV_NOTE)
            g++;
        size_t glen = g - i;
        /* insertion point: before the first group that sorts after v[i] */
        size_t pos = filled;
        for (size_t j = 0; j < filled;) {
            if (cmp_pos(&v[i], &out[j]) < 0) {
                pos = j;
                break;
            }
            j++;
            while (j < filled && out[j].severity == SEGC_SEV_NOTE)
                j++;
        }
        memmove(&out[pos + glen], &out[pos], (filled - pos) * sizeof *out);
        memcpy(&out[pos], &v[i], glen * sizeof *out);
        filled += glen;
        i = g;
    }
    memcpy(v, out, n * sizeof *out);
    mem_free(d->m, out, n * sizeof *out);
}

/* ---- printing ------------------------------------------------------------------ */

static const char *sev_name(segc_severity s)
{
    switch (s) {
    case SEGC_SEV_ERROR:
        return "error";
    case SEGC_SEV_WARNING:
        return "warning";
    case SEGC_SEV_NOTE:
        return "note";
    }
    return "error";
}

/* Writes the prefix of line that lies before code-point column col as
 * spaces, keeping tabs, so the caret lines up under any tab width. */
static size_t pad_to(FILE *out, const char *line, unsigned col)
{
    const unsigned char *s = (const unsigned char *)line;
    size_t i = 0;
    unsigned c = 1;
    while (c < col && s[i]) {
        fputc(s[i] == '\t' ? '\t' : ' ', out);
        size_t k = s[i] < 0x80 ? 1 : utf8_seq_len(s + i, strlen(line + i));
        i += k ? k : 1;
        c++;
    }
    return c;
}

/* Prints a source line with control characters and invalid UTF-8 bytes
 * shown as '?', one column each (so the caret still lines up), and tabs
 * kept. Data files can hold anything; a terminal should get none of it. */
static void print_line(FILE *out, const char *line)
{
    const unsigned char *s = (const unsigned char *)line;
    size_t n = strlen(line);
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            fputc(s[i] == '\t' || (s[i] >= 0x20 && s[i] != 0x7F) ? s[i] : '?',
                  out);
            i++;
            continue;
        }
        size_t k = utf8_seq_len(s + i, n - i);
        if (k) {
            fwrite(s + i, 1, k, out);
            i += k;
        } else {
            fputc('?', out);
            i++;
        }
    }
}

void diag_print(const segc_diag *dg, FILE *out)
{
    if (dg->line)
        fprintf(out, "%s:%u:%u: %s: %s", dg->file, dg->line, dg->column,
                sev_name(dg->severity), dg->message);
    else
        fprintf(out, "%s: %s: %s", dg->file, sev_name(dg->severity),
                dg->message);
    if (dg->code)
        fprintf(out, " [%s]", dg->code);
    fputc('\n', out);
    if (!dg->line_text || !dg->line)
        return;
    fprintf(out, "%5u | ", dg->line);
    print_line(out, dg->line_text);
    fputc('\n', out);
    fputs("      | ", out);
    unsigned c = (unsigned)pad_to(out, dg->line_text, dg->column);
    unsigned last = dg->end_line == dg->line
                        ? dg->end_column
                        : (unsigned)utf8_count(dg->line_text,
                                               strlen(dg->line_text));
    fputc('^', out);
    for (c = c + 1; c <= last; c++)
        fputc('~', out);
    fputc('\n', out);
    if (dg->fix) {
        fputs("      | ", out);
        pad_to(out, dg->line_text, dg->column);
        fprintf(out, "%s\n", dg->fix);
    }
}
