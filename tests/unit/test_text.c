/* test_text.c - the ground floor (base.h, value.h): UTF-8 checks, edit
 * distances and suggestions, the string map, byte buffers, arenas, the
 * allocator hook, and the currency table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "value.h"

#define U(s) ((const unsigned char *)(s))
#define SEQ(s) utf8_seq_len(U(s), sizeof(s) - 1)

/* ---- a counting allocator that can be told to fail -------------------------- */

typedef struct counter {
    size_t allocs, frees, live_bytes, peak_bytes;
    long fail_at;    /* fail the allocation with this number (1-based); 0 never */
    long calls;      /* allocations and growths seen */
    bool size_mismatch;
} counter;

/* Each block has a header with its size, so that the old size the library
 * passes can be checked against the truth. */
static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter *c = ud;
    if (nsize == 0) {
        if (ptr) {
            size_t *h = (size_t *)ptr - 2;
            if (h[0] != osize)
                c->size_mismatch = true;
            c->live_bytes -= h[0];
            c->frees++;
            free(h);
        }
        return NULL;
    }
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at)
        return NULL;
    if (nsize > SIZE_MAX / 2)
        return NULL; /* no such memory (and no header overflow) */
    size_t *h;
    if (ptr) {
        size_t *old = (size_t *)ptr - 2;
        if (old[0] != osize)
            c->size_mismatch = true;
        h = realloc(old, nsize + 2 * sizeof(size_t));
        if (!h)
            return NULL;
        c->live_bytes -= h[0];
    } else {
        h = malloc(nsize + 2 * sizeof(size_t));
        if (!h)
            return NULL;
        c->allocs++;
    }
    h[0] = nsize;
    c->live_bytes += nsize;
    if (c->live_bytes > c->peak_bytes)
        c->peak_bytes = c->live_bytes;
    return h + 2;
}

static void counted_mem(mem *m, counter *c)
{
    memset(c, 0, sizeof *c);
    mem_init(m, counting_alloc, c);
}

static void assert_all_freed(const counter *c)
{
    assert_int_equal(c->live_bytes, 0);
    assert_int_equal(c->allocs, c->frees);
    assert_false(c->size_mismatch);
}

/* Runs fn in a child process, so that a crash fails this test only. */
static void run_isolated(void (*fn)(void), const char *what)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    assert_true(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status))
        fail_msg("%s: the child died of signal %d", what, WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s: the child failed with status %d", what,
                 WEXITSTATUS(status));
}

/* ---- utf8 --------------------------------------------------------------------------- */

static void test_utf8_seq_len_valid(void **state)
{
    assert_int_equal(SEQ("a"), 1);
    assert_int_equal(utf8_seq_len(U("\0"), 1), 1);
    assert_int_equal(SEQ("\x7f"), 1);
    assert_int_equal(SEQ("\xc2\x80"), 2);          /* U+0080 */
    assert_int_equal(SEQ("\xc3\xa9"), 2);          /* é */
    assert_int_equal(SEQ("\xdf\xbf"), 2);          /* U+07FF */
    assert_int_equal(SEQ("\xe0\xa0\x80"), 3);      /* U+0800 */
    assert_int_equal(SEQ("\xe2\x82\xac"), 3);      /* € */
    assert_int_equal(SEQ("\xed\x9f\xbf"), 3);      /* U+D7FF */
    assert_int_equal(SEQ("\xee\x80\x80"), 3);      /* U+E000 */
    assert_int_equal(SEQ("\xef\xbf\xbf"), 3);      /* U+FFFF */
    assert_int_equal(SEQ("\xf0\x90\x80\x80"), 4);  /* U+10000 */
    assert_int_equal(SEQ("\xf0\x9f\x98\x80"), 4);  /* 😀 */
    assert_int_equal(SEQ("\xf4\x8f\xbf\xbf"), 4);  /* U+10FFFF */
    /* only the first sequence counts */
    assert_int_equal(SEQ("\xc3\xa9xyz"), 2);
}

static void test_utf8_seq_len_invalid(void **state)
{
    assert_int_equal(utf8_seq_len(U("a"), 0), 0);
    /* overlong forms */
    assert_int_equal(SEQ("\xc0\x80"), 0);
    assert_int_equal(SEQ("\xc0\xaf"), 0);
    assert_int_equal(SEQ("\xc1\xbf"), 0);
    assert_int_equal(SEQ("\xe0\x80\x80"), 0);
    assert_int_equal(SEQ("\xe0\x9f\xbf"), 0);
    assert_int_equal(SEQ("\xf0\x80\x80\x80"), 0);
    assert_int_equal(SEQ("\xf0\x8f\xbf\xbf"), 0);
    /* surrogates */
    assert_int_equal(SEQ("\xed\xa0\x80"), 0);
    assert_int_equal(SEQ("\xed\xaf\xbf"), 0);
    assert_int_equal(SEQ("\xed\xb0\x80"), 0);
    assert_int_equal(SEQ("\xed\xbf\xbf"), 0);
    /* beyond U+10FFFF */
    assert_int_equal(SEQ("\xf4\x90\x80\x80"), 0);
    assert_int_equal(SEQ("\xf5\x80\x80\x80"), 0);
    assert_int_equal(SEQ("\xf7\xbf\xbf\xbf"), 0);
    assert_int_equal(SEQ("\xf8\x88\x80\x80\x80"), 0);
    assert_int_equal(SEQ("\xfc\x84\x80\x80\x80\x80"), 0);
    assert_int_equal(SEQ("\xfe"), 0);
    assert_int_equal(SEQ("\xff"), 0);
    /* lone continuation bytes */
    assert_int_equal(SEQ("\x80"), 0);
    assert_int_equal(SEQ("\xbf"), 0);
    /* a non-continuation byte inside */
    assert_int_equal(SEQ("\xc3\x28"), 0);
    assert_int_equal(SEQ("\xe2\x28\xac"), 0);
    assert_int_equal(SEQ("\xe2\x82\x28"), 0);
    assert_int_equal(SEQ("\xf0\x9f\x98\x28"), 0);
    assert_int_equal(SEQ("\xc3\xc3\xa9"), 0);
    /* truncated: fewer bytes available than the lead byte announces */
    assert_int_equal(utf8_seq_len(U("\xc3\xa9"), 1), 0);
    assert_int_equal(utf8_seq_len(U("\xe2\x82\xac"), 2), 0);
    assert_int_equal(utf8_seq_len(U("\xe2\x82\xac"), 1), 0);
    assert_int_equal(utf8_seq_len(U("\xf0\x9f\x98\x80"), 3), 0);
}

static void test_utf8_valid(void **state)
{
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("plain ascii", 11));
    assert_true(utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15));
    assert_true(utf8_valid("a\0b", 3)); /* NUL is a character */
    assert_false(utf8_valid("abc\xc3", 4));
    assert_true(utf8_valid("abc\xc3", 3)); /* only [0, n) is read */
    assert_false(utf8_valid("\xc0\x80", 2));
    assert_false(utf8_valid("x\xed\xa0\x80y", 5));
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4));
    assert_false(utf8_valid("\x80", 1));
    assert_false(utf8_valid("ok\xe2\x82", 4));
    assert_false(utf8_valid("\xff\xfe", 2));
    /* valid then invalid far into the text */
    char big[1000];
    memset(big, 'a', sizeof big);
    assert_true(utf8_valid(big, sizeof big));
    big[999] = (char)0x80;
    assert_false(utf8_valid(big, sizeof big));
}

static void test_utf8_count(void **state)
{
    assert_int_equal(utf8_count("", 0), 0);
    assert_int_equal(utf8_count("abc", 3), 3);
    assert_int_equal(utf8_count("h\xc3\xa9llo", 6), 5);
    assert_int_equal(utf8_count("\xe2\x82\xac\xf0\x9f\x98\x80", 7), 2);
    /* invalid bytes count one each */
    assert_int_equal(utf8_count("\xff\xfe", 2), 2);
    assert_int_equal(utf8_count("a\xc3", 2), 2);
    assert_int_equal(utf8_count("\xe2\x82", 2), 2);
    assert_int_equal(utf8_count("\xed\xa0\x80", 3), 3);
    assert_int_equal(utf8_count("\xc0\x80z", 3), 3);
    /* a prefix that cuts a character */
    assert_int_equal(utf8_count("\xc3\xa9\xc3\xa9", 3), 2);
}

/* ---- distances and suggestions ----------------------------------------------------- */

static size_t dist(const char *a, const char *b, size_t max)
{
    return text_distance(a, strlen(a), b, strlen(b), max);
}

static void test_text_distance(void **state)
{
    assert_int_equal(dist("kitten", "sitting", 5), 3);
    assert_int_equal(dist("kitten", "kitten", 5), 0);
    assert_int_equal(dist("last_ordr", "last_order", 3), 1);
    assert_int_equal(dist("ab", "ba", 3), 2);
    assert_int_equal(dist("", "abc", 5), 3);
    assert_int_equal(dist("abc", "", 5), 3);
    assert_int_equal(dist("", "", 0), 0);
    assert_int_equal(dist("flaw", "lawn", 4), 2);
    /* a difference of case costs nothing, for letters only */
    assert_int_equal(dist("Orders", "orders", 2), 0);
    assert_int_equal(dist("ORDERS", "orders", 0), 0);
    assert_int_equal(dist("[", "{", 2), 1);
    assert_int_equal(dist("@", "`", 2), 1);
    assert_int_equal(dist("1", "1", 0), 0);
}

static void test_text_distance_cutoff(void **state)
{
    /* farther than max: some value > max */
    assert_true(dist("kitten", "sitting", 2) > 2);
    assert_true(dist("kitten", "sitting", 1) > 1);
    assert_true(dist("abc", "xyz", 0) > 0);
    /* a length difference beyond max is max + 1 at once */
    assert_int_equal(dist("a", "abcdef", 2), 3);
    assert_int_equal(dist("abcdef", "a", 0), 1);
    /* exactly max is not farther */
    assert_int_equal(dist("kitten", "sitting", 3), 3);
    /* words longer than 64 bytes are "far" */
    char a[80], b[80];
    memset(a, 'x', sizeof a);
    memset(b, 'x', sizeof b);
    assert_int_equal(text_distance(a, 64, b, 64, 3), 0);
    assert_int_equal(text_distance(a, 65, b, 65, 3), 4);
    assert_int_equal(text_distance(a, 64, b, 65, 3), 4);
}

static void test_text_nearest(void **state)
{
    static const char *const fields[] = {"id", "email", "last_order",
                                         "last_login", "orders", "revenue"};
    size_t n = SEGC_ARRAY_LEN(fields);
    assert_string_equal(text_nearest("last_ordr", 9, fields, n), "last_order");
    assert_string_equal(text_nearest("last_lgin", 9, fields, n), "last_login");
    assert_string_equal(text_nearest("ordrs", 5, fields, n), "orders");
    assert_string_equal(text_nearest("Orders", 6, fields, n), "orders");
    assert_string_equal(text_nearest("revenu", 6, fields, n), "revenue");
    assert_string_equal(text_nearest("ix", 2, fields, n), "id");
    assert_null(text_nearest("xyz", 3, fields, n));
    /* a transposition costs two: too far for a five-letter word */
    assert_null(text_nearest("emial", 5, fields, n));
    assert_null(text_nearest("anything", 8, fields, 0));
    /* ties go to the first candidate */
    static const char *const animals[] = {"bat", "hat", "cat"};
    assert_string_equal(text_nearest("rat", 3, animals, 3), "bat");
    /* the exact match wins over an earlier near one */
    assert_string_equal(text_nearest("cat", 3, animals, 3), "cat");
    /* only wlen bytes of the word are read */
    assert_string_equal(text_nearest("ordersXYZ", 6, fields, n), "orders");
}

/* ---- smap ------------------------------------------------------------------------------ */

static void test_smap_basic(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    smap s;
    smap_init(&s, &m);
    uint32_t v = 99;
    assert_false(smap_get(&s, "a", 1, &v)); /* empty map */
    assert_int_equal(v, 99);

    assert_true(smap_put(&s, "alpha", 5, 1));
    assert_true(smap_put(&s, "beta", 4, 2));
    assert_true(smap_put(&s, "", 0, 3)); /* the empty key */
    assert_int_equal(s.count, 3);
    assert_true(smap_get(&s, "alpha", 5, &v));
    assert_int_equal(v, 1);
    assert_true(smap_get(&s, "beta", 4, &v));
    assert_int_equal(v, 2);
    assert_true(smap_get(&s, "", 0, &v));
    assert_int_equal(v, 3);
    assert_true(smap_get(&s, "beta", 4, NULL));
    /* prefixes and extensions are other keys */
    assert_false(smap_get(&s, "alph", 4, NULL));
    assert_false(smap_get(&s, "alphab", 6, NULL));
    assert_true(smap_get(&s, "alphabet", 5, &v)); /* klen bytes only */
    assert_int_equal(v, 1);
    /* a second put of a present key keeps the first value */
    assert_true(smap_put(&s, "alpha", 5, 42));
    assert_int_equal(s.count, 3);
    assert_true(smap_get(&s, "alpha", 5, &v));
    assert_int_equal(v, 1);
    /* keys are compared by bytes, not by pointer, NULs included */
    char k1[] = {'x', 0, 'y'}, k2[] = {'x', 0, 'z'};
    assert_true(smap_put(&s, k1, 3, 10));
    assert_true(smap_put(&s, k2, 3, 11));
    assert_int_equal(s.count, 5);
    char copy[] = {'x', 0, 'z'};
    assert_true(smap_get(&s, copy, 3, &v));
    assert_int_equal(v, 11);
    assert_false(smap_get(&s, "x", 1, NULL));

    smap_free(&s);
    assert_int_equal(s.count, 0);
    assert_false(smap_get(&s, "alpha", 5, NULL));
    /* usable again after free */
    assert_true(smap_put(&s, "gamma", 5, 7));
    assert_true(smap_get(&s, "gamma", 5, &v));
    assert_int_equal(v, 7);
    smap_free(&s);
    assert_all_freed(&c);
}

static void test_smap_many_keys(void **state)
{
    enum { N = 100000 };
    counter c;
    mem m;
    counted_mem(&m, &c);
    char(*keys)[24] = malloc(N * sizeof *keys);
    assert_non_null(keys);
    smap s;
    smap_init(&s, &m);
    for (uint32_t i = 0; i < N; i++) {
        /* long keys that differ only at the end, and short ones */
        if (i % 2)
            snprintf(keys[i], sizeof keys[i], "customer-key-%010u", i);
        else
            snprintf(keys[i], sizeof keys[i], "%u", i);
        assert_true(smap_put(&s, keys[i], strlen(keys[i]), i * 3));
        if (i % 9973 == 0) { /* growth keeps what was there */
            for (uint32_t j = 0; j <= i; j += 101) {
                uint32_t v;
                assert_true(smap_get(&s, keys[j], strlen(keys[j]), &v));
                assert_int_equal(v, j * 3);
            }
        }
    }
    assert_int_equal(s.count, N);
    /* power-of-two table, never more than 3/4 full */
    assert_int_equal(s.nslots & (s.nslots - 1), 0);
    assert_true((uint64_t)s.count * 4 < (uint64_t)s.nslots * 3);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v = 0;
        assert_true(smap_get(&s, keys[i], strlen(keys[i]), &v));
        assert_int_equal(v, i * 3);
    }
    /* absent keys: neighbours of present ones */
    char absent[32];
    for (uint32_t i = 0; i < 20000; i++) {
        snprintf(absent, sizeof absent, "customer-key-%010u", N + i);
        assert_false(smap_get(&s, absent, strlen(absent), NULL));
        snprintf(absent, sizeof absent, "customer-key-%010u", 2 * i);
        assert_false(smap_get(&s, absent, strlen(absent), NULL));
        snprintf(absent, sizeof absent, "%u", 2 * i + 1);
        assert_false(smap_get(&s, absent, strlen(absent), NULL));
    }
    /* re-putting everything changes nothing */
    for (uint32_t i = 0; i < N; i += 7)
        assert_true(smap_put(&s, keys[i], strlen(keys[i]), 0));
    assert_int_equal(s.count, N);
    uint32_t v;
    assert_true(smap_get(&s, keys[7], strlen(keys[7]), &v));
    assert_int_equal(v, 21);
    smap_free(&s);
    free(keys);
    assert_all_freed(&c);
}

static void test_smap_allocation_failure(void **state)
{
    /* whichever allocation fails, smap_put reports it and the map keeps
     * every key that went in before */
    static const char *const words[] = {
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
        "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"};
    for (long fail = 1; fail < 40; fail++) {
        counter c;
        mem m;
        counted_mem(&m, &c);
        c.fail_at = fail;
        smap s;
        smap_init(&s, &m);
        size_t in = 0;
        bool failed = false;
        for (size_t i = 0; i < SEGC_ARRAY_LEN(words); i++) {
            if (!smap_put(&s, words[i], 1, (uint32_t)i)) {
                failed = true;
                assert_true(m.failed);
                break;
            }
            in++;
        }
        assert_int_equal(s.count, in);
        for (size_t i = 0; i < in; i++) {
            uint32_t v;
            assert_true(smap_get(&s, words[i], 1, &v));
            assert_int_equal(v, i);
        }
        if (failed) {
            /* it works again once memory is back */
            c.fail_at = 0;
            m.failed = false;
            for (size_t i = in; i < SEGC_ARRAY_LEN(words); i++)
                assert_true(smap_put(&s, words[i], 1, (uint32_t)i));
            assert_int_equal(s.count, SEGC_ARRAY_LEN(words));
            uint32_t v;
            assert_true(smap_get(&s, "z", 1, &v));
            assert_int_equal(v, 25);
        }
        smap_free(&s);
        assert_all_freed(&c);
    }
}

static void test_hash(void **state)
{
    /* deterministic, length-sensitive, byte-sensitive */
    assert_true(hash_bytes("abc", 3) == hash_bytes("abc", 3));
    assert_true(hash_bytes("abc", 3) != hash_bytes("abd", 3));
    assert_true(hash_bytes("", 0) != hash_bytes("\0", 1));
    assert_true(hash_bytes("\0", 1) != hash_bytes("\0\0", 2));
    assert_true(hash_bytes("12345678a", 9) != hash_bytes("12345678b", 9));
    assert_true(hash_bytes("a2345678", 8) != hash_bytes("b2345678", 8));
    assert_true(hash_u64(1) != hash_u64(2));
    /* the low bits spread: 4096 consecutive keys fill most of 4096 buckets */
    static unsigned char seen[4096];
    memset(seen, 0, sizeof seen);
    size_t used = 0;
    char k[16];
    for (unsigned i = 0; i < 4096; i++) {
        snprintf(k, sizeof k, "id%u", i);
        uint64_t h = hash_bytes(k, strlen(k)) & 4095;
        used += !seen[h];
        seen[h] = 1;
    }
    assert_true(used > 2400); /* ~2589 expected for a random function */
}

/* ---- buf ---------------------------------------------------------------------------------- */

static void test_buf_basics(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    buf b;
    buf_init(&b, &m);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_true(buf_puts(&b, "hello"));
    assert_true(buf_putc(&b, ','));
    assert_true(buf_append(&b, " world!!", 6));
    assert_true(buf_append(&b, NULL, 0));
    assert_true(buf_printf(&b, " %d-%s", 42, "x"));
    assert_int_equal(b.len, 17);
    assert_string_equal(buf_cstr(&b), "hello, world 42-x");
    assert_int_equal(b.len, 17); /* the NUL is not counted */
    assert_true(b.cap > b.len);

    char *s = buf_take(&b);
    assert_string_equal(s, "hello, world 42-x");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    mem_strfree(&m, s);

    /* take of an empty buffer is an empty string */
    s = buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    mem_strfree(&m, s);

    /* typed arrays */
    for (int i = 0; i < 1000; i++)
        assert_true(VEC_PUSH(&b, int64_t, (int64_t)i * i));
    assert_int_equal(VEC_LEN(&b, int64_t), 1000);
    assert_true(VEC_AT(&b, int64_t, 999) == 998001);
    assert_true(VEC_AT(&b, int64_t, 0) == 0);
    buf_free(&b);
    buf_free(&b); /* twice is harmless */
    assert_all_freed(&c);
}

static void test_buf_large(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    buf b;
    buf_init(&b, &m);
    enum { CHUNK = 4096, TOTAL = 16 << 20 };
    char chunk[CHUNK];
    for (size_t i = 0; i < CHUNK; i++)
        chunk[i] = (char)('a' + i % 26);
    for (size_t done = 0; done < TOTAL; done += CHUNK)
        assert_true(buf_append(&b, chunk, CHUNK));
    assert_int_equal(b.len, TOTAL);
    assert_true(b.cap >= TOTAL);
    assert_true(b.cap <= 2 * (size_t)TOTAL + 64); /* geometric, not wild */
    for (size_t i = 0; i < TOTAL; i += 65537)
        assert_int_equal(b.p[i], 'a' + (i % CHUNK) % 26);
    /* one reservation for a big block */
    buf d;
    buf_init(&d, &m);
    assert_true(buf_reserve(&d, 10u << 20));
    assert_true(d.cap > 10u << 20);
    assert_int_equal(d.len, 0);
    buf_free(&d);
    buf_free(&b);
    assert_all_freed(&c);
}

static void test_buf_overflow_and_failure(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    buf b;
    buf_init(&b, &m);
    assert_true(buf_puts(&b, "keep"));
    size_t cap = b.cap;
    /* a reservation that cannot be represented fails cleanly */
    assert_false(buf_reserve(&b, SIZE_MAX - 10));
    assert_true(m.failed);
    assert_int_equal(b.len, 4);
    assert_int_equal(b.cap, cap);
    m.failed = false;
    assert_false(buf_append(&b, "x", SIZE_MAX));
    assert_true(m.failed);
    assert_int_equal(b.len, 4);
    /* the hook failing: the content is left as it was */
    m.failed = false;
    c.fail_at = c.calls + 1;
    char big[1000];
    memset(big, 'z', sizeof big);
    assert_false(buf_append(&b, big, sizeof big));
    assert_true(m.failed);
    assert_int_equal(b.len, 4);
    assert_int_equal(memcmp(b.p, "keep", 4), 0);
    c.fail_at = 0;
    buf_free(&b);
    assert_all_freed(&c);
}

/* ---- mem --------------------------------------------------------------------------------- */

static void test_mem(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    unsigned char *z = mem_zalloc(&m, 100);
    assert_non_null(z);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    z = mem_realloc(&m, z, 100, 5000);
    assert_non_null(z);
    assert_int_equal(z[99], 0);
    mem_free(&m, z, 5000);
    /* zero-size blocks are one byte for the hook */
    void *e = mem_alloc(&m, 0);
    assert_non_null(e);
    mem_free(&m, e, 0);
    mem_free(&m, NULL, 10);
    char *s = mem_strndup(&m, "abcdef", 3);
    assert_string_equal(s, "abc");
    mem_strfree(&m, s);
    mem_strfree(&m, NULL);
    /* n * size overflow */
    assert_null(mem_array(&m, SIZE_MAX / 2, 4));
    assert_true(m.failed);
    m.failed = false;
    uint32_t *a = mem_array(&m, 10, sizeof *a);
    assert_non_null(a);
    assert_int_equal(a[9], 0);
    mem_free(&m, a, 10 * sizeof *a);
    assert_false(m.failed);
    /* a failed allocation is recorded */
    c.fail_at = c.calls + 1;
    assert_null(mem_alloc(&m, 10));
    assert_true(m.failed);
    c.fail_at = 0;
    assert_all_freed(&c);

    /* NULL hook: malloc and friends */
    mem d;
    mem_init(&d, NULL, &c);
    assert_null(d.ud);
    void *p = mem_alloc(&d, 64);
    assert_non_null(p);
    p = mem_realloc(&d, p, 64, 128);
    assert_non_null(p);
    mem_free(&d, p, 128);
    assert_false(d.failed);
}

/* ---- arena ------------------------------------------------------------------------------- */

static void test_arena_alignment_and_zeroing(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    arena a;
    arena_init(&a, &m);
    static const size_t sizes[] = {1, 3, 15, 16, 17, 31, 33, 100, 0, 7,
                                   8191, 8192, 8193, 20000, 5, 64};
    void *prev[SEGC_ARRAY_LEN(sizes)];
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < SEGC_ARRAY_LEN(sizes); i++) {
            unsigned char *p = arena_alloc(&a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            for (size_t k = 0; k < sizes[i]; k++)
                assert_int_equal(p[k], 0);
            memset(p, 0xAB, sizes[i]);
            prev[i] = p;
        }
        /* nothing overlaps: each block still holds its own bytes */
        for (size_t i = 0; i < SEGC_ARRAY_LEN(sizes); i++)
            for (size_t k = 0; k < sizes[i]; k++)
                assert_int_equal(((unsigned char *)prev[i])[k], 0xAB);
    }
    arena_free(&a);
    assert_null(a.head);
    assert_all_freed(&c);
}

static void test_arena_large_blocks_keep_head_room(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    arena a;
    arena_init(&a, &m);
    char *small1 = arena_alloc(&a, 32);
    assert_non_null(small1);
    size_t allocs = c.allocs;
    /* a block bigger than a chunk gets its own chunk */
    unsigned char *big = arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    assert_int_equal(c.allocs, allocs + 1);
    assert_int_equal(big[(1 << 20) - 1], 0);
    memset(big, 1, 1 << 20);
    /* the next small block continues in the head chunk */
    char *small2 = arena_alloc(&a, 32);
    assert_non_null(small2);
    assert_int_equal(c.allocs, allocs + 1);
    assert_true(small2 == small1 + 32);
    /* a very large block */
    unsigned char *huge = arena_alloc(&a, 64u << 20);
    assert_non_null(huge);
    assert_int_equal((uintptr_t)huge % 16, 0);
    assert_int_equal(huge[(64u << 20) - 1], 0);
    arena_free(&a);
    assert_all_freed(&c);
}

static void test_arena_strings(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    arena a;
    arena_init(&a, &m);
    char *s = arena_strndup(&a, "segment Dormant", 7);
    assert_string_equal(s, "segment");
    char *p = arena_printf(&a, "%s:%d:%d", "rules.seg", 3, 23);
    assert_string_equal(p, "rules.seg:3:23");
    assert_int_equal((uintptr_t)p % 16, 0);
    int arr[5] = {1, 2, 3, 4, 5};
    int *q = arena_memdup(&a, arr, sizeof arr);
    assert_non_null(q);
    assert_int_equal(q[4], 5);
    assert_non_null(arena_memdup(&a, NULL, 0));
    char *e = arena_strndup(&a, "", 0);
    assert_string_equal(e, "");
    /* a long formatted string spans past a chunk */
    char *l = arena_printf(&a, "%10000d|", 7);
    assert_int_equal(strlen(l), 10001);
    assert_int_equal(l[9999], '7');
    arena_free(&a);
    arena_free(&a); /* twice is harmless */
    assert_all_freed(&c);
}

static void arena_overflow_child(void)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    arena a;
    arena_init(&a, &m);
    /* sizes whose rounding or chunk header cannot be represented */
    if (arena_alloc(&a, SIZE_MAX) != NULL)
        _exit(1);
    if (arena_alloc(&a, SIZE_MAX - 20) != NULL)
        _exit(2);
    if (arena_alloc(&a, SIZE_MAX - 100) != NULL)
        _exit(3);
    if (!m.failed)
        _exit(4); /* the caller must be able to tell: out of memory */
    arena_free(&a);
    _exit(0);
}

static void test_arena_alloc_overflow(void **state)
{
    run_isolated(arena_overflow_child, "arena_alloc(SIZE_MAX - k)");
}

static void test_arena_allocation_failure(void **state)
{
    counter c;
    mem m;
    counted_mem(&m, &c);
    arena a;
    arena_init(&a, &m);
    assert_non_null(arena_alloc(&a, 10));
    c.fail_at = c.calls + 1;
    assert_null(arena_alloc(&a, 100000));
    assert_true(m.failed);
    /* the head chunk is intact */
    char *s = arena_strndup(&a, "still here", 10);
    assert_string_equal(s, "still here");
    c.fail_at = 0;
    arena_free(&a);
    assert_all_freed(&c);
}

/* ---- currencies -------------------------------------------------------------------------- */

static void assert_currency(const char *code, int decimals)
{
    int k = cur_find(code, strlen(code));
    if (k < 0)
        fail_msg("%s not found", code);
    const currency *cu = cur_get(k);
    assert_non_null(cu);
    assert_string_equal(cu->code, code);
    assert_int_equal(cu->decimals, decimals);
}

static void test_currency_table(void **state)
{
    assert_currency("EUR", 2);
    assert_currency("USD", 2);
    assert_currency("GBP", 2);
    assert_currency("CHF", 2);
    assert_currency("JPY", 0);
    assert_currency("KRW", 0);
    assert_currency("ISK", 0);
    assert_currency("KWD", 3);
    assert_currency("BHD", 3);
    assert_currency("TND", 3);
    assert_currency("CLF", 4);
    assert_currency("AED", 2); /* the first */
    assert_currency("ZWG", 2);

    assert_int_equal(cur_find("eur", 3), -1);
    assert_int_equal(cur_find("Eur", 3), -1);
    assert_int_equal(cur_find("EU", 2), -1);
    assert_int_equal(cur_find("EURO", 4), -1);
    assert_int_equal(cur_find("", 0), -1);
    assert_int_equal(cur_find("XXX", 3), -1);
    assert_int_equal(cur_find("XAU", 3), -1);
    assert_int_equal(cur_find("AAA", 3), -1);
    assert_int_equal(cur_find("ZZZ", 3), -1);
    assert_int_equal(cur_find("EURX", 3), cur_find("EUR", 3));

    /* sorted, unique, well-formed: binary search finds every entry */
    size_t n = cur_count();
    assert_true(n > 150);
    for (size_t i = 0; i < n; i++) {
        const currency *cu = cur_get((int)i);
        assert_non_null(cu);
        assert_int_equal(strlen(cu->code), 3);
        for (int k = 0; k < 3; k++)
            assert_true(cu->code[k] >= 'A' && cu->code[k] <= 'Z');
        assert_true(cu->decimals >= 0 && cu->decimals <= 4);
        if (i)
            assert_true(strcmp(cur_get((int)i - 1)->code, cu->code) < 0);
        assert_int_equal(cur_find(cu->code, 3), (int)i);
    }
    assert_null(cur_get(-1));
    assert_null(cur_get((int)n));
}

static void test_currency_suggest(void **state)
{
    assert_string_equal(cur_suggest("eur", 3), "EUR");
    assert_string_equal(cur_suggest("Eur", 3), "EUR");
    assert_string_equal(cur_suggest("jpy", 3), "JPY");
    assert_string_equal(cur_suggest("kwd", 3), "KWD");
    assert_string_equal(cur_suggest("EUX", 3), "EUR");
    assert_string_equal(cur_suggest("EU", 2), "EUR");
    assert_string_equal(cur_suggest("EURO", 4), "EUR");
    assert_string_equal(cur_suggest("euro", 4), "EUR");
    assert_string_equal(cur_suggest("USDD", 4), "USD");
    assert_string_equal(cur_suggest("GBR", 3), "GBP");
    assert_null(cur_suggest("XYZ", 3));
    assert_null(cur_suggest("QQQ", 3));
    /* currencies written out */
    assert_string_equal(cur_suggest("DOLLAR", 6), "USD");
    assert_string_equal(cur_suggest("Euros", 5), "EUR");
    assert_string_equal(cur_alias("pounds", 6), "GBP");
    assert_null(cur_alias("EUR", 3));
    assert_null(cur_alias("dollarz", 7));
    assert_null(cur_suggest("DOLLARZ", 7));
    assert_null(cur_suggest("", 0));
}

static void test_text_case(void **state)
{
    (void)state;
    mem m;
    mem_init(&m, NULL, NULL);
    static const struct {
        const char *in, *lower, *upper;
    } cases[] = {
        {"Hello, World 42", "hello, world 42", "HELLO, WORLD 42"},
        {"MÜNCHEN", "münchen", "MÜNCHEN"},
        {"straße", "straße", "STRAßE"},           /* ß has no capital */
        {"Łódź", "łódź", "ŁÓDŹ"},                 /* Latin Extended-A */
        {"ÿ", "ÿ", "Ÿ"},                          /* U+00FF <-> U+0178 */
        {"×÷", "×÷", "×÷"},                       /* not letters */
        {"Ωμέγα", "Ωμέγα", "Ωμέγα"},              /* Greek: unchanged */
        {"İı", "İı", "İı"},                       /* dotted/dotless i: unchanged */
        {"a\xff" "b", "a\xff" "b", "A\xff" "B"},  /* invalid bytes copied */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int up = 0; up < 2; up++) {
            buf b;
            buf_init(&b, &m);
            assert_true(text_case(cases[i].in, strlen(cases[i].in), up, &b));
            const char *want = up ? cases[i].upper : cases[i].lower;
            assert_int_equal(b.len, strlen(want));
            assert_memory_equal(b.p, want, b.len);
            buf_free(&b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_case),
        cmocka_unit_test(test_utf8_seq_len_valid),
        cmocka_unit_test(test_utf8_seq_len_invalid),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_count),
        cmocka_unit_test(test_text_distance),
        cmocka_unit_test(test_text_distance_cutoff),
        cmocka_unit_test(test_text_nearest),
        cmocka_unit_test(test_smap_basic),
        cmocka_unit_test(test_smap_many_keys),
        cmocka_unit_test(test_smap_allocation_failure),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_buf_basics),
        cmocka_unit_test(test_buf_large),
        cmocka_unit_test(test_buf_overflow_and_failure),
        cmocka_unit_test(test_mem),
        cmocka_unit_test(test_arena_alignment_and_zeroing),
        cmocka_unit_test(test_arena_large_blocks_keep_head_room),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_arena_alloc_overflow),
        cmocka_unit_test(test_arena_allocation_failure),
        cmocka_unit_test(test_currency_table),
        cmocka_unit_test(test_currency_suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
