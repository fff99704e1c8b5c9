/* udiff.c - unified diffs for segc fmt --diff: Myers' O(ND) difference
 * algorithm in linear space (the middle-snake recursion of "An O(ND)
 * Difference Algorithm and Its Variations", 1986), three lines of context,
 * hunks closer than twice that merged, as diff -u writes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udiff.h"

#define SEGC_MIN_L(a, b) ((a) < (b) ? (a) : (b))

typedef struct lines {
    const char **p; /* each line with its '\n' (the last may lack it) */
    size_t *n;
    long count;
} lines;

static int split_lines(const char *s, size_t len, lines *l)
{
    long count = 0;
    for (size_t i = 0; i < len; i++)
        count += s[i] == '\n';
    if (len && s[len - 1] != '\n')
        count++;
    l->count = count;
    l->p = malloc(((size_t)count + 1) * sizeof *l->p);
    l->n = malloc(((size_t)count + 1) * sizeof *l->n);
    if (!l->p || !l->n)
        return 0;
    long k = 0;
    size_t start = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || i == len - 1) {
            l->p[k] = s + start;
            l->n[k++] = i + 1 - start;
            start = i + 1;
        }
    return 1;
}

typedef struct differ {
    const lines *a, *b;
    char *del, *ins; /* the lines of a deleted, of b inserted */
    long *vf, *vb, off;
    long too_expensive; /* a cost beyond which a good split will do */
} differ;

static int same_line(const differ *d, long i, long j)
{
    return d->a->n[i] == d->b->n[j] &&
           memcmp(d->a->p[i], d->b->p[j], d->a->n[i]) == 0;
}

/* Myers' middle snake of a[alo, ahi) and b[blo, bhi), both non-empty and
 * with different first and last lines: a diagonal run (x0, y0) - (x1, y1)
 * on an optimal path, splitting the problem in two smaller ones. Past
 * d->too_expensive edits (huge files that changed throughout), as GNU diff
 * does: the furthest point reached from either end, an empty run there. */
static void middle_snake(const differ *d, long alo, long ahi, long blo,
                         long bhi, long *x0, long *y0, long *x1, long *y1)
{
    long n = ahi - alo, m = bhi - blo, delta = n - m, off = d->off;
    int odd = (int)(delta & 1);
    long *vf = d->vf, *vb = d->vb;
    vf[off + 1] = 0;
    vb[off + 1] = 0;
    for (long e = 0; e <= (n + m + 1) / 2; e++) {
        if (e > d->too_expensive) {
            long fx = 0, fy = 0, bx = n, by = m;
            for (long k = -e + 1; k <= e - 1; k += 2) {
                long x = SEGC_MIN_L(vf[off + k], n), y = SEGC_MIN_L(x - k, m);
                if (x >= 0 && y >= 0 && x + y > fx + fy)
                    fx = x, fy = y;
                x = SEGC_MIN_L(vb[off + k], n);
                y = SEGC_MIN_L(x - k, m);
                if (x >= 0 && y >= 0 && (n - x) + (m - y) < bx + by)
                    bx = n - x, by = m - y;
            }
            /* the split that leaves the smaller part: both parts smaller */
            if (fx + fy > 0 && fx + fy < n + m &&
                (fx + fy >= (n + m) - (bx + by) || bx + by <= 0 ||
                 bx + by >= n + m)) {
                *x0 = *x1 = alo + fx, *y0 = *y1 = blo + fy;
                return;
            }
            if (bx + by > 0 && bx + by < n + m) {
                *x0 = *x1 = alo + bx, *y0 = *y1 = blo + by;
                return;
            }
            break;
        }
        for (long k = -e; k <= e; k += 2) {
            long x = (k == -e || (k != e && vf[off + k - 1] < vf[off + k + 1]))
                         ? vf[off + k + 1]
                         : vf[off + k - 1] + 1;
            long y = x - k, sx = x, sy = y;
            while (x < n && y < m && same_line(d, alo + x, blo + y))
                x++, y++;
            vf[off + k] = x;
            if (odd && k >= delta - (e - 1) && k <= delta + (e - 1) &&
                x + vb[off + delta - k] >= n) {
                *x0 = alo + sx, *y0 = blo + sy, *x1 = alo + x, *y1 = blo + y;
                return;
            }
        }
        for (long k = -e; k <= e; k += 2) {
            long x = (k == -e || (k != e && vb[off + k - 1] < vb[off + k + 1]))
                         ? vb[off + k + 1]
                         : vb[off + k - 1] + 1;
            long y = x - k, sx = x, sy = y;
            while (x < n && y < m &&
                   same_line(d, ahi - 1 - x, bhi - 1 - y))
                x++, y++;
            vb[off + k] = x;
            if (!odd && k >= delta - e && k <= delta + e &&
                x + vf[off + delta - k] >= n) {
                *x0 = ahi - x, *y0 = bhi - y, *x1 = ahi - sx, *y1 = bhi - sy;
                return;
            }
        }
    }
    /* only when no split was found: everything changed */
    *x0 = *x1 = ahi;
    *y0 = *y1 = blo;
}

static void diff_range(differ *d, long alo, long ahi, long blo, long bhi)
{
    for (;;) {
        while (alo < ahi && blo < bhi && same_line(d, alo, blo))
            alo++, blo++;
        while (alo < ahi && blo < bhi && same_line(d, ahi - 1, bhi - 1))
            ahi--, bhi--;
        if (alo == ahi) {
            for (long j = blo; j < bhi; j++)
                d->ins[j] = 1;
            return;
        }
        if (blo == bhi) {
            for (long i = alo; i < ahi; i++)
                d->del[i] = 1;
            return;
        }
        long x0, y0, x1, y1;
        middle_snake(d, alo, ahi, blo, bhi, &x0, &y0, &x1, &y1);
        diff_range(d, alo, x0, blo, y0);
        alo = x1;
        blo = y1;
    }
}

typedef struct op {
    char t;         /* ' ', '-', '+' */
    long ai, bj;    /* lines of a and b before this one */
} op;

static void put_line(FILE *out, char t, const char *p, size_t n)
{
    fputc(t, out);
    fwrite(p, 1, n, out);
    if (!n || p[n - 1] != '\n')
        fputs("\n\\ No newline at end of file\n", out);
}

static void put_range(FILE *out, char sign, long first, long count)
{
    if (count == 1)
        fprintf(out, " %c%ld", sign, first + 1);
    else
        fprintf(out, " %c%ld,%ld", sign, count ? first + 1 : first, count);
}

enum { CONTEXT = 3 };

int cli_udiff(FILE *out, const char *name, const char *a, size_t alen,
                      const char *b, size_t blen)
{
    lines la = {0}, lb = {0};
    differ d = {&la, &lb, NULL, NULL, NULL, NULL, 0, 0};
    op *ops = NULL;
    int ok = split_lines(a, alen, &la) && split_lines(b, blen, &lb);
    long maxd = (la.count + lb.count + 1) / 2 + 1;
    if (ok) {
        d.del = calloc((size_t)la.count + 1, 1);
        d.ins = calloc((size_t)lb.count + 1, 1);
        d.vf = calloc((size_t)(2 * maxd + 3), sizeof(long));
        d.vb = calloc((size_t)(2 * maxd + 3), sizeof(long));
        d.off = maxd + 1;
        /* as GNU diff: about the square root of the sizes, at least 4096 */
        d.too_expensive = 1;
        for (long n = la.count + lb.count + 3; n; n >>= 2)
            d.too_expensive <<= 1;
        if (d.too_expensive < 4096)
            d.too_expensive = 4096;
        ops = malloc(((size_t)(la.count + lb.count) + 1) * sizeof *ops);
        ok = d.del && d.ins && d.vf && d.vb && ops;
    }
    if (ok) {
        diff_range(&d, 0, la.count, 0, lb.count);
        long n = 0, i = 0, j = 0;
        while (i < la.count || j < lb.count) {
            op o = {' ', i, j};
            if (i < la.count && d.del[i])
                o.t = '-', i++;
            else if (j < lb.count && d.ins[j])
                o.t = '+', j++;
            else
                i++, j++;
            ops[n++] = o;
        }
        long changes = 0;
        for (long q = 0; q < n; q++)
            changes += ops[q].t != ' ';
        if (changes)
            fprintf(out, "--- a/%s\n+++ b/%s\n", name, name);
        long k = 0;
        while (k < n) {
            long start = k;
            while (k < n && ops[k].t == ' ')
                k++;
            if (k == n)
                break;
            long s = k - CONTEXT > start ? k - CONTEXT : start;
            long e = k;
            for (;;) {
                while (e < n && ops[e].t != ' ')
                    e++;
                long c = e;
                while (c < n && ops[c].t == ' ' && c - e <= 2 * CONTEXT)
                    c++;
                if (c < n && ops[c].t != ' ' && c - e <= 2 * CONTEXT)
                    e = c;
                else
                    break;
            }
            long he = e + CONTEXT < n ? e + CONTEXT : n;
            long ac = 0, bc = 0;
            for (long q = s; q < he; q++) {
                ac += ops[q].t != '+';
                bc += ops[q].t != '-';
            }
            fputs("@@", out);
            put_range(out, '-', ops[s].ai, ac);
            put_range(out, '+', ops[s].bj, bc);
            fputs(" @@\n", out);
            for (long q = s; q < he; q++) {
                const op *o = &ops[q];
                if (o->t == '+')
                    put_line(out, '+', lb.p[o->bj], lb.n[o->bj]);
                else
                    put_line(out, o->t, la.p[o->ai], la.n[o->ai]);
            }
            k = he;
        }
    }
    free(ops);
    free(d.vf);
    free(d.vb);
    free(d.del);
    free(d.ins);
    free(la.p);
    free(la.n);
    free(lb.p);
    free(lb.n);
    if (!ok)
        fprintf(stderr, "segc fmt: out of memory\n");
    return ok;
}

