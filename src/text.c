/* text.c - UTF-8 checks and "did you mean" suggestions (utf8_, text_). */
#include "base.h"

size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
    if (avail == 0)
        return 0;
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t min, cp;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        min = 0x80;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        min = 0x800;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq_len(s + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

size_t utf8_count(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, count = 0;
    while (i < n) {
        size_t k = s[i] < 0x80 ? 1 : utf8_seq_len(s + i, n - i);
        i += k ? k : 1;
        count++;
    }
    return count;
}

size_t text_distance(const char *a, size_t alen, const char *b, size_t blen,
                     size_t max)
{
    /* two rows of the Levenshtein table; names are short, so the rows live
     * on the stack and longer words are simply "far" */
    enum { MAXW = 64 };
    if (alen > MAXW || blen > MAXW)
        return max + 1;
    size_t d = alen > blen ? alen - blen : blen - alen;
    if (d > max)
        return max + 1;
    size_t prev[MAXW + 1], cur[MAXW + 1];
    for (size_t j = 0; j <= blen; j++)
        prev[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = i;
        size_t rowmin = cur[0];
        for (size_t j = 1; j <= blen; j++) {
            char ca = a[i - 1], cb = b[j - 1];
            /* a difference of case only costs nothing: 'Orders' -> 'orders' */
            bool same = ca == cb || ((ca | 0x20) == (cb | 0x20) &&
                                     (ca | 0x20) >= 'a' && (ca | 0x20) <= 'z');
            size_t v = prev[j - 1] + (same ? 0 : 1);
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            cur[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
        memcpy(prev, cur, (blen + 1) * sizeof(size_t));
    }
    return prev[blen];
}

const char *text_nearest(const char *word, size_t wlen,
                         const char *const *cands, size_t n)
{
    /* allow about one edit per three characters, at least one */
    size_t max = wlen / 3 > 1 ? wlen / 3 : 1;
    const char *best = NULL;
    size_t bestd = max + 1;
    for (size_t i = 0; i < n; i++) {
        size_t clen = strlen(cands[i]);
        size_t d = text_distance(word, wlen, cands[i], clen, max);
        /* not a complete replacement ('x' is no misspelling of 'A') */
        if (d < bestd && d < (wlen > clen ? wlen : clen)) {
            bestd = d;
            best = cands[i];
        }
    }
    return best;
}

/* Case mapping of one code point: ASCII, Latin-1 (À..Þ <-> à..þ, but not
 * × and ÷; ß has no single upper-case letter and stays) and Latin
 * Extended-A (Ā..ž, in pairs). */
static uint32_t case_map(uint32_t c, bool upper)
{
    if (upper) {
        if (c >= 'a' && c <= 'z')
            return c - 32;
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
            return c - 32;
        if (c == 0xFF)
            return 0x178;
    } else {
        if (c >= 'A' && c <= 'Z')
            return c + 32;
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
            return c + 32;
        if (c == 0x178)
            return 0xFF;
    }
    /* Latin Extended-A: pairs upper (even), lower (odd), except the
     * stretch 0x139..0x148 and 0x179..0x17E, where upper is odd */
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 &&
        c != 0x138 && c != 0x149 && c != 0x17F) {
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        bool is_upper = odd_upper ? (c & 1) : !(c & 1);
        if (upper && !is_upper)
            return c - 1;
        if (!upper && is_upper)
            return c + 1;
    }
    return c;
}

bool text_case(const char *p, size_t n, bool upper, buf *out)
{
    /* the mapping keeps every character's length: n bytes in, n out */
    if (!buf_reserve(out, n))
        return false;
    const unsigned char *s = (const unsigned char *)p;
    unsigned char *o = (unsigned char *)out->p + out->len;
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            unsigned char c = s[i];
            if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z'))
                c ^= 0x20;
            o[i++] = c;
            continue;
        }
        size_t k = utf8_seq_len(s + i, n - i);
        if (k == 2) {
            uint32_t c = (uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
            uint32_t m = case_map(c, upper);
            o[i] = (unsigned char)(0xC0 | m >> 6);
            o[i + 1] = (unsigned char)(0x80 | (m & 0x3F));
        } else {
            if (k == 0)
                k = 1; /* an invalid byte: copied */
            memcpy(o + i, s + i, k);
        }
        i += k;
    }
    out->len += n;
    return true;
}
