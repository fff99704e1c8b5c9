/* buf.c - growable byte buffers (buf_). */
#include <stdarg.h>
#include <stdio.h>

#include "base.h"

void buf_init(buf *b, mem *m)
{
    b->m = m;
    b->p = NULL;
    b->len = b->cap = 0;
}

void buf_free(buf *b)
{
    mem_free(b->m, b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

bool buf_reserve(buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra) {
        if (cap > SIZE_MAX / 2) {
            b->m->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = mem_realloc(b->m, b->p, b->cap, cap);
    if (!p)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

bool buf_append(buf *b, const void *p, size_t n)
{
    if (!buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return true;
}

bool buf_putc(buf *b, char c)
{
    return buf_append(b, &c, 1);
}

bool buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

bool buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n + 1))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

const char *buf_cstr(buf *b)
{
    if (!buf_reserve(b, 1))
        return NULL;
    b->p[b->len] = 0;
    return b->p;
}

char *buf_take(buf *b)
{
    char *s = mem_strndup(b->m, b->p ? b->p : "", b->len);
    buf_free(b);
    return s;
}
