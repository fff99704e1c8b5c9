/* lit.c - literal syntax for numbers, dates and timestamps (lit_).
 * The same functions read rule-file literals and CSV cells, so a value means
 * the same thing wherever it is written. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "value.h"

static bool fail(lit_err *e, const char *why)
{
    if (e)
        e->why = why;
    return false;
}

#define FAILF(e, ...)                                          \
    do {                                                       \
        if (e) {                                               \
            snprintf((e)->buf, sizeof (e)->buf, __VA_ARGS__);  \
            (e)->why = (e)->buf;                               \
        }                                                      \
        return false;                                          \
    } while (0)

static bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdig(s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

bool lit_parse_date(const char *s, size_t n, int32_t *days, lit_err *e)
{
    unsigned y, m, d;
    if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
        !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return fail(e, "expected a date as YYYY-MM-DD");
    if (y < 1)
        return fail(e, "year 0000 is out of range (0001 to 9999)");
    if (m < 1 || m > 12)
        FAILF(e, "month %02u is out of range (01 to 12)", m);
    unsigned last = cal_month_days(y, m);
    if (d < 1 || d > last)
        FAILF(e, "day %02u is out of range: %s %u has %u days", d,
              month_names[m - 1], y, last);
    *days = (int32_t)cal_days_from_civil(y, m, d);
    return true;
}

bool lit_parse_timestamp(const char *s, size_t n, bool zone_optional,
                         int64_t *ts, lit_err *e)
{
    int32_t days;
    if (n < 10)
        return fail(e, "expected a timestamp as YYYY-MM-DDTHH:MM:SSZ");
    if (!lit_parse_date(s, 10, &days, e))
        return false;
    if (n == 10) {
        if (!zone_optional)
            return fail(e, "expected a timestamp as YYYY-MM-DDTHH:MM:SSZ");
        *ts = (int64_t)days * SECS_PER_DAY; /* a bare date: midnight UTC */
        return true;
    }
    size_t i = 10;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
        return fail(e, "expected 'T' between the date and the time");
    i++;
    unsigned hh, mm, ss = 0;
    if (n - i < 5 || s[i + 2] != ':' || !digits(s + i, 2, &hh) ||
        !digits(s + i + 3, 2, &mm))
        return fail(e, "expected the time as HH:MM:SS");
    i += 5;
    if (i < n && s[i] == ':') {
        if (n - i < 3 || !digits(s + i + 1, 2, &ss))
            return fail(e, "expected the seconds as two digits");
        i += 3;
    }
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        size_t j = i + 1;
        bool nonzero = false;
        while (j < n && isdig(s[j])) {
            nonzero |= s[j] != '0';
            j++;
        }
        if (j == i + 1)
            return fail(e, "expected digits after the decimal point");
        if (nonzero)
            return fail(e, "fractional seconds are not supported "
                           "(timestamps are stored in whole seconds)");
        i = j;
    }
    if (hh > 23)
        FAILF(e, "hour %02u is out of range (00 to 23)", hh);
    if (mm > 59)
        FAILF(e, "minute %02u is out of range (00 to 59)", mm);
    if (ss > 59)
        FAILF(e, "second %02u is out of range (00 to 59)", ss);
    int64_t offset = 0;
    if (i == n) {
        if (!zone_optional)
            return fail(e, "a timestamp needs a time zone: add Z for UTC");
    } else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;
        unsigned oh, om = 0;
        size_t rest = n - i - 1;
        const char *z = s + i + 1;
        if (rest == 2 && digits(z, 2, &oh)) {
        } else if (rest == 4 && digits(z, 2, &oh) && digits(z + 2, 2, &om)) {
        } else if (rest == 5 && z[2] == ':' && digits(z, 2, &oh) &&
                   digits(z + 3, 2, &om)) {
        } else {
            return fail(e, "expected the time zone as Z or +HH:MM");
        }
        if (oh > 23 || om > 59)
            return fail(e, "time zone offset out of range");
        offset = sign * (int64_t)(oh * 3600 + om * 60);
        i = n;
    } else {
        return fail(e, "unexpected text after the time");
    }
    int64_t t = (int64_t)days * SECS_PER_DAY + hh * 3600 + mm * 60 + ss - offset;
    if (t < (int64_t)CAL_MIN_DAYS * SECS_PER_DAY ||
        t >= ((int64_t)CAL_MAX_DAYS + 1) * SECS_PER_DAY)
        return fail(e, "timestamp out of range (years 0001 to 9999 in UTC)");
    *ts = t;
    return true;
}

/* Reads [+-]digits with optional underscores; returns the end. */
static bool read_digits(const char *s, size_t n, size_t *i, bool underscores,
                        uint64_t *acc, int *count, bool *overflow)
{
    size_t start = *i;
    while (*i < n) {
        char c = s[*i];
        if (isdig(c)) {
            unsigned dv = (unsigned)(c - '0');
            if (*acc > (UINT64_MAX - dv) / 10)
                *overflow = true;
            else
                *acc = *acc * 10 + dv;
            (*count)++;
            (*i)++;
        } else if (c == '_' && underscores && *i > start && *i + 1 < n &&
                   isdig(s[*i + 1])) {
            (*i)++;
        } else {
            break;
        }
    }
    return *i > start;
}

bool lit_parse_int(const char *s, size_t n, bool underscores, int64_t *v,
                   lit_err *e)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint64_t acc = 0;
    int count = 0;
    bool overflow = false;
    if (!read_digits(s, n, &i, underscores, &acc, &count, &overflow) ||
        i != n)
        return fail(e, "expected an integer");
    if (overflow || acc > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return fail(e, "integer out of range (int is 64-bit)");
    *v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return true;
}

bool lit_parse_decimal(const char *s, size_t n, bool underscores,
                       int64_t *mant, int *scale, lit_err *e)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint64_t acc = 0;
    int count = 0, fdigits = 0;
    bool overflow = false;
    if (!read_digits(s, n, &i, underscores, &acc, &count, &overflow))
        return fail(e, "expected a decimal number");
    if (i < n && s[i] == '.') {
        i++;
        int before = count;
        if (!read_digits(s, n, &i, underscores, &acc, &count, &overflow))
            return fail(e, "expected digits after the decimal point");
        fdigits = count - before;
    }
    if (i != n)
        return fail(e, "expected a decimal number");
    if (fdigits > 18)
        return fail(e, "too many decimals for an exact decimal (at most 18)");
    if (overflow || acc > (uint64_t)INT64_MAX)
        return fail(e, "out of range for an exact decimal (without its "
                       "point, at most 9223372036854775807)");
    *mant = neg ? -(int64_t)acc : (int64_t)acc;
    *scale = fdigits;
    return true;
}

int64_t pow10_i64(int k)
{
    static const int64_t p[19] = {1,
                                  10,
                                  100,
                                  1000,
                                  10000,
                                  100000,
                                  1000000,
                                  10000000,
                                  100000000,
                                  1000000000,
                                  10000000000,
                                  100000000000,
                                  1000000000000,
                                  10000000000000,
                                  100000000000000,
                                  1000000000000000,
                                  10000000000000000,
                                  100000000000000000,
                                  1000000000000000000};
    return k >= 0 && k <= 18 ? p[k] : 0;
}

/* strtod in the C locale, whatever the host has set for its threads */
static double strtod_c(const char *buf, bool *ok)
{
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = c ? uselocale(c) : (locale_t)0;
    char *end;
    double v = strtod(buf, &end);
    *ok = *end == 0;
    if (c) {
        uselocale(old);
        freelocale(c);
    }
    return v;
}

double lit_decimal_to_double(int64_t mant, int scale)
{
    /* exact when both parts are exact doubles: one correctly rounded division */
    if (scale <= 22 && mant > -(INT64_C(1) << 53) && mant < (INT64_C(1) << 53)) {
        static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                       1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                                       1e18, 1e19, 1e20, 1e21, 1e22};
        return (double)mant / p10[scale];
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%lldE-%d", (long long)mant, scale);
    bool ok;
    return strtod_c(buf, &ok);
}

bool lit_parse_float(const char *s, size_t n, double *v, lit_err *e)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d0 = i;
    while (i < n && isdig(s[i]))
        i++;
    if (i == d0)
        return fail(e, "expected a number");
    bool plain = true;
    if (i < n && s[i] == '.') {
        i++;
        size_t f0 = i;
        while (i < n && isdig(s[i]))
            i++;
        if (i == f0)
            return fail(e, "expected digits after the decimal point");
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        plain = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t x0 = i;
        while (i < n && isdig(s[i]))
            i++;
        if (i == x0)
            return fail(e, "expected digits in the exponent");
    }
    if (i != n)
        return fail(e, "expected a number");
    if (plain) {
        int64_t mant;
        int scale;
        if (lit_parse_decimal(s, n, false, &mant, &scale, NULL)) {
            *v = lit_decimal_to_double(mant, scale);
            return true;
        }
    }
    char buf[128];
    if (n >= sizeof buf)
        return fail(e, "number too long");
    memcpy(buf, s, n);
    buf[n] = 0;
    bool ok;
    double d = strtod_c(buf, &ok);
    if (!ok)
        return fail(e, "expected a number");
    if (!isfinite(d))
        return fail(e, "number out of range for float");
    if (d == 0) {
        /* a nonzero number too small for a double would silently be 0 */
        for (size_t k = d0; k < n && s[k] != 'e' && s[k] != 'E'; k++)
            if (s[k] >= '1' && s[k] <= '9')
                return fail(e, "number too small for float (it would be 0)");
    }
    *v = d;
    return true;
}
