/* csv.c - an RFC 4180 reader and field writer (csv_).
 *
 * Fields are separated by commas and rows by LF or CRLF. A quoted field may
 * hold commas, line breaks and doubled quotes. A UTF-8 byte order mark at the
 * start of the file is skipped. A row that breaks the rules (a quote inside an
 * unquoted field, text after a closing quote, a quote never closed, a lone
 * carriage return) is still returned, marked bad, so the loader can count and
 * report it; reading goes on at the next line.
 */
#include <errno.h>

#include "data.h"

#define IN_CAP (1 << 16)
#define C_EOF (-1)
#define C_ERR (-2)

bool csv_open(csv_reader *r, mem *m, FILE *f)
{
    memset(r, 0, sizeof *r);
    r->m = m;
    r->f = f;
    r->line = 1;
    buf_init(&r->cells, m);
    buf_init(&r->raw, m);
    buf_init(&r->fields, m);
    r->in = mem_alloc(m, IN_CAP);
    if (!r->in)
        return false;
    r->in_cap = IN_CAP;
    return true;
}

void csv_close(csv_reader *r)
{
    mem_free(r->m, r->in, r->in_cap);
    buf_free(&r->cells);
    buf_free(&r->raw);
    buf_free(&r->fields);
    r->in = NULL;
}

static int fill(csv_reader *r)
{
    if (r->eof)
        return C_EOF;
    bool first = r->in_len == 0 && r->in_pos == 0 && r->line == 1 &&
                 r->raw.len == 0;
    size_t n = fread(r->in, 1, r->in_cap, r->f);
    if (n == 0) {
        if (ferror(r->f))
            return C_ERR;
        r->eof = true;
        return C_EOF;
    }
    r->in_len = n;
    r->in_pos = 0;
    if (first && n >= 3 && (unsigned char)r->in[0] == 0xEF &&
        (unsigned char)r->in[1] == 0xBB && (unsigned char)r->in[2] == 0xBF)
        r->in_pos = 3; /* the byte order mark */
    return 0;
}

static inline int getch(csv_reader *r)
{
    if (r->in_pos == r->in_len) {
        int k = fill(r);
        if (k < 0)
            return k;
        if (r->in_pos == r->in_len)
            return C_EOF;
    }
    return (unsigned char)r->in[r->in_pos++];
}

static inline int peekch(csv_reader *r)
{
    if (r->in_pos == r->in_len) {
        int k = fill(r);
        if (k < 0)
            return k;
        if (r->in_pos == r->in_len)
            return C_EOF;
    }
    return (unsigned char)r->in[r->in_pos];
}

/* Copies the run of ordinary bytes that follows in the input buffer in one
 * go: most of a CSV file is such runs, and a call per byte is what made
 * loading slow. Inside quotes only '"' and line ends are special. */
static void take_run(csv_reader *r, bool quoted)
{
    const char *p = r->in + r->in_pos, *end = r->in + r->in_len;
    const char *q = p;
    if (quoted)
        while (q < end && *q != '"' && *q != '\n' && *q != '\r')
            q++;
    else
        while (q < end && *q != ',' && *q != '\n' && *q != '\r' && *q != '"')
            q++;
    size_t n = (size_t)(q - p);
    if (n) {
        buf_append(&r->cells, p, n);
        buf_append(&r->raw, p, n);
        r->in_pos += n;
    }
}

static void mark_bad(csv_reader *r, const char *why, unsigned line, size_t col)
{
    if (!r->bad) {
        r->bad = why;
        r->bad_line = line;
        r->bad_col = col;
    }
}

static bool push_field(csv_reader *r, csv_field *f)
{
    f->len = r->cells.len - f->off;
    /* its raw extent, for carets: up to here, or to the end of its first
     * line when a quoted field spans lines */
    if (f->line == r->line) {
        f->raw_len = r->raw.len - r->line_start - f->byte_col;
    } else {
        size_t start = f->byte_col, i = start;
        const char *p = r->raw.p ? r->raw.p : "";
        while (i < r->raw.len && p[i] != '\n')
            i++;
        f->raw_len = i - start;
    }
    return VEC_PUSH(&r->fields, csv_field, *f);
}

int csv_next(csv_reader *r)
{
    r->cells.len = r->raw.len = r->fields.len = 0;
    r->line_start = 0;
    r->bad = NULL;
    r->row_line = r->line;
    enum { START, UNQ, QUO, QQ, SKIP } st = START;
    csv_field cur = {0, 0, false, 0, 0, 0};
    int c = getch(r);
    if (c == C_EOF)
        return 0;
    for (;;) {
        if (c == C_ERR)
            return -1;
        if (c == '\r') {
            int n = peekch(r);
            if (n == '\n') {
                c = getch(r); /* CRLF ends a row like LF (outside quotes) */
                if (st == QUO) {
                    buf_putc(&r->cells, '\r');
                    buf_putc(&r->raw, '\r');
                }
            } else if (st != QUO && st != SKIP) {
                mark_bad(r, "a carriage return without a line feed (old "
                            "Mac line endings?)",
                         r->line, r->raw.len - r->line_start);
                st = SKIP;
                buf_putc(&r->raw, '\r');
                c = getch(r);
                continue;
            }
        }
        bool end = c == '\n' || c == C_EOF;
        switch (st) {
        case START:
            cur.off = r->cells.len;
            cur.quoted = false;
            cur.line = r->line;
            cur.byte_col = r->raw.len - r->line_start;
            if (c == '"') {
                cur.quoted = true;
                st = QUO;
                buf_putc(&r->raw, '"');
                break;
            }
            st = UNQ;
            __attribute__((fallthrough)); /* c is the field's first char */
        case UNQ:
            if (c == ',') {
                if (!push_field(r, &cur))
                    return -1;
                buf_putc(&r->raw, ',');
                st = START;
            } else if (end) {
                if (!push_field(r, &cur))
                    return -1;
                goto row_done;
            } else if (c == '"') {
                mark_bad(r, "a quote inside an unquoted field; quote the "
                            "whole field and double the quote inside",
                         r->line, r->raw.len - r->line_start);
                buf_putc(&r->raw, '"');
                st = SKIP;
            } else {
                buf_putc(&r->cells, (char)c);
                buf_putc(&r->raw, (char)c);
                take_run(r, false);
            }
            break;
        case QUO:
            if (c == '"') {
                buf_putc(&r->raw, '"');
                st = QQ;
            } else if (c == C_EOF) {
                mark_bad(r, "a quoted field is never closed", cur.line,
                         cur.byte_col);
                if (!push_field(r, &cur))
                    return -1;
                goto row_done;
            } else {
                if (c == '\n') {
                    r->line++;
                    buf_putc(&r->raw, '\n');
                    r->line_start = r->raw.len;
                } else {
                    buf_putc(&r->raw, (char)c);
                }
                buf_putc(&r->cells, (char)c);
                take_run(r, true);
            }
            break;
        case QQ:
            if (c == '"') {
                buf_putc(&r->cells, '"');
                buf_putc(&r->raw, '"');
                st = QUO;
            } else if (c == ',') {
                if (!push_field(r, &cur))
                    return -1;
                buf_putc(&r->raw, ',');
                st = START;
            } else if (end) {
                if (!push_field(r, &cur))
                    return -1;
                goto row_done;
            } else {
                mark_bad(r, "unexpected text after a closing quote", r->line,
                         r->raw.len - r->line_start);
                buf_putc(&r->raw, (char)c);
                st = SKIP;
            }
            break;
        case SKIP:
            if (end)
                goto row_done;
            buf_putc(&r->raw, (char)c);
            break;
        }
        c = getch(r);
    }
row_done:
    if (c == '\n')
        r->line++;
    if (r->m->failed)
        return -1;
    return 1;
}

const char *csv_row_line(const csv_reader *r, unsigned line, size_t *len)
{
    const char *p = r->raw.p ? r->raw.p : "";
    size_t n = r->raw.len, i = 0;
    for (unsigned l = r->row_line; l < line && i < n; i++)
        if (p[i] == '\n')
            l++;
    /* the line ends at LF, CRLF, or a lone CR (which must not reach a
     * terminal, where it would overwrite what was printed) */
    size_t j = i;
    while (j < n && p[j] != '\n' && p[j] != '\r')
        j++;
    *len = j - i;
    return p + i;
}

void csv_write_field(FILE *out, const char *s, size_t len)
{
    bool quote = len == 0; /* "" is an empty string, not a null */
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

void csv_place(const csv_reader *r, diag_list *d, segc_severity sev,
               const char *path, const csv_field *f, unsigned line,
               size_t bcol, size_t bytes, const char *msg)
{
    if (f) {
        line = f->line;
        bcol = f->byte_col;
        bytes = f->raw_len ? f->raw_len : 1;
    }
    size_t llen;
    const char *lt = csv_row_line(r, line, &llen);
    size_t b0 = SEGC_MIN(bcol, llen), b1 = SEGC_MIN(bcol + bytes, llen);
    unsigned col = (unsigned)utf8_count(lt, b0) + 1;
    unsigned end = b1 > b0 ? (unsigned)utf8_count(lt, b1) : col;
    diag_place(d, sev, path, line, col, end, lt, llen, "%s", msg);
}
