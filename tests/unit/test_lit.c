/* test_lit.c - literal syntax for dates, timestamps and numbers (lit_ in
 * value.h): accepted forms, rejected forms with their exact reasons, and the
 * edges of the integer and decimal ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>

#include "value.h"

#define LEN(s) (sizeof(s) - 1)

/* ---- helpers ------------------------------------------------------------------ */

static int64_t date_ok(const char *s)
{
    lit_err e = {0};
    int32_t d = -12345;
    if (!lit_parse_date(s, strlen(s), &d, &e))
        fail_msg("'%s' rejected: %s", s, e.why);
    return d;
}

static void date_bad(const char *s, const char *why)
{
    lit_err e = {0};
    int32_t d = 777;
    assert_false(lit_parse_date(s, strlen(s), &d, &e));
    assert_non_null(e.why);
    assert_string_equal(e.why, why);
    assert_int_equal(d, 777); /* untouched */
    /* a NULL error is allowed */
    assert_false(lit_parse_date(s, strlen(s), &d, NULL));
}

static int64_t ts_ok(const char *s, bool zone_optional)
{
    lit_err e = {0};
    int64_t t = -12345;
    if (!lit_parse_timestamp(s, strlen(s), zone_optional, &t, &e))
        fail_msg("'%s' rejected: %s", s, e.why);
    return t;
}

static void ts_bad(const char *s, bool zone_optional, const char *why)
{
    lit_err e = {0};
    int64_t t = 777;
    assert_false(lit_parse_timestamp(s, strlen(s), zone_optional, &t, &e));
    assert_non_null(e.why);
    if (strcmp(e.why, why) != 0)
        fail_msg("'%s': got \"%s\", expected \"%s\"", s, e.why, why);
    assert_true(t == 777);
    assert_false(lit_parse_timestamp(s, strlen(s), zone_optional, &t, NULL));
}

static int64_t int_ok(const char *s, bool underscores)
{
    lit_err e = {0};
    int64_t v = -12345;
    if (!lit_parse_int(s, strlen(s), underscores, &v, &e))
        fail_msg("'%s' rejected: %s", s, e.why);
    return v;
}

static void int_bad(const char *s, bool underscores, const char *why)
{
    lit_err e = {0};
    int64_t v = 777;
    assert_false(lit_parse_int(s, strlen(s), underscores, &v, &e));
    assert_non_null(e.why);
    if (strcmp(e.why, why) != 0)
        fail_msg("'%s': got \"%s\", expected \"%s\"", s, e.why, why);
    assert_true(v == 777);
}

static void dec_ok(const char *s, bool underscores, int64_t mant, int scale)
{
    lit_err e = {0};
    int64_t m = -12345;
    int sc = -1;
    if (!lit_parse_decimal(s, strlen(s), underscores, &m, &sc, &e))
        fail_msg("'%s' rejected: %s", s, e.why);
    if (m != mant || sc != scale)
        fail_msg("'%s': got %lld e-%d, expected %lld e-%d", s, (long long)m,
                 sc, (long long)mant, scale);
}

static void dec_bad(const char *s, bool underscores, const char *why)
{
    lit_err e = {0};
    int64_t m = 777;
    int sc = 777;
    assert_false(lit_parse_decimal(s, strlen(s), underscores, &m, &sc, &e));
    assert_non_null(e.why);
    if (strcmp(e.why, why) != 0)
        fail_msg("'%s': got \"%s\", expected \"%s\"", s, e.why, why);
    assert_true(m == 777 && sc == 777);
}

static double float_ok(const char *s)
{
    lit_err e = {0};
    double v = -12345;
    if (!lit_parse_float(s, strlen(s), &v, &e))
        fail_msg("'%s' rejected: %s", s, e.why);
    return v;
}

static void float_bad(const char *s, const char *why)
{
    lit_err e = {0};
    double v = 777;
    assert_false(lit_parse_float(s, strlen(s), &v, &e));
    assert_non_null(e.why);
    if (strcmp(e.why, why) != 0)
        fail_msg("'%s': got \"%s\", expected \"%s\"", s, e.why, why);
    assert_true(v == 777);
}

/* exact equality of doubles, bit for bit */
static void assert_same_double(double got, double want)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("got %.17g, expected %.17g", got, want);
}

/* ---- dates ------------------------------------------------------------------------ */

static void test_date_accepts(void **state)
{
    assert_true(date_ok("1970-01-01") == 0);
    assert_true(date_ok("2024-01-31") == 19753);
    assert_true(date_ok("2024-02-29") == 19782);
    assert_true(date_ok("2000-02-29") == 11016);
    assert_true(date_ok("0001-01-01") == CAL_MIN_DAYS);
    assert_true(date_ok("9999-12-31") == CAL_MAX_DAYS);
    assert_true(date_ok("1969-12-31") == -1);

    /* only text[0..len) is read */
    int32_t d = 0;
    assert_true(lit_parse_date("2024-02-29T10:00Z", 10, &d, NULL));
    assert_int_equal(d, 19782);
}

static void test_date_rejects(void **state)
{
    date_bad("2024-1-31", "expected a date as YYYY-MM-DD");
    date_bad("2024/01/31", "expected a date as YYYY-MM-DD");
    date_bad("2024-01-3a", "expected a date as YYYY-MM-DD");
    date_bad("20240131", "expected a date as YYYY-MM-DD");
    date_bad("2024-01-31 ", "expected a date as YYYY-MM-DD");
    date_bad("+024-01-31", "expected a date as YYYY-MM-DD");
    date_bad("", "expected a date as YYYY-MM-DD");
    date_bad("0000-01-01", "year 0000 is out of range (0001 to 9999)");
    date_bad("2024-13-01", "month 13 is out of range (01 to 12)");
    date_bad("2024-00-10", "month 00 is out of range (01 to 12)");
    date_bad("2023-02-29", "day 29 is out of range: February 2023 has 28 days");
    date_bad("1900-02-29", "day 29 is out of range: February 1900 has 28 days");
    date_bad("2024-02-30", "day 30 is out of range: February 2024 has 29 days");
    date_bad("2024-04-31", "day 31 is out of range: April 2024 has 30 days");
    date_bad("2024-01-00", "day 00 is out of range: January 2024 has 31 days");
    date_bad("2024-12-32", "day 32 is out of range: December 2024 has 31 days");
}

/* ---- timestamps ----------------------------------------------------------------------- */

static void test_timestamp_forms(void **state)
{
    const int64_t t = 1706695200; /* 2024-01-31T10:00:00Z */
    assert_true(ts_ok("2024-01-31T10:00:00Z", false) == t);
    assert_true(ts_ok("2024-01-31T10:00Z", false) == t);
    assert_true(ts_ok("2024-01-31 10:00:00Z", false) == t);
    assert_true(ts_ok("2024-01-31t10:00:00z", false) == t);
    assert_true(ts_ok("2024-01-31T10:00:00.000Z", false) == t);
    assert_true(ts_ok("2024-01-31T10:00:00.0Z", false) == t);
    assert_true(ts_ok("2024-01-31T10:00:00,000Z", false) == t);
    assert_true(ts_ok("2024-01-31T10:00:00.000000+00:00", false) == t);
    /* offsets: +HH:MM, +HHMM, +HH, and negative ones */
    assert_true(ts_ok("2024-01-31T11:00:00+01:00", false) == t);
    assert_true(ts_ok("2024-01-31T11:00:00+0100", false) == t);
    assert_true(ts_ok("2024-01-31T11:00:00+01", false) == t);
    assert_true(ts_ok("2024-01-31T11:00+01:00", false) == t);
    assert_true(ts_ok("2024-01-31T09:00:00-01:00", false) == t);
    assert_true(ts_ok("2024-01-31T05:30:00-04:30", false) == t);
    assert_true(ts_ok("2024-01-31T15:45:00+0545", false) == t);
    assert_true(ts_ok("2024-01-31T10:00:00-00:00", false) == t);
    /* an offset can move the instant to another day */
    assert_true(ts_ok("2024-02-01T01:00:00+15:00", false) == t);
    assert_true(ts_ok("2024-01-30T23:00:00-11:00", false) == t);
    assert_true(ts_ok("2024-01-31T00:00:00+23:59", false) ==
                19753 * (int64_t)86400 - 23 * 3600 - 59 * 60);
    /* the extremes of the range */
    assert_true(ts_ok("0001-01-01T00:00:00Z", false) == -62135596800);
    assert_true(ts_ok("9999-12-31T23:59:59Z", false) == 253402300799);
    assert_true(ts_ok("1969-12-31T23:59:59Z", false) == -1);
    assert_true(ts_ok("1970-01-01T00:00:00Z", false) == 0);
}

static void test_timestamp_zone_optional(void **state)
{
    const int64_t t = 1706695200;
    assert_true(ts_ok("2024-01-31T10:00:00", true) == t);
    assert_true(ts_ok("2024-01-31 10:00", true) == t);
    assert_true(ts_ok("2024-01-31T10:00:00Z", true) == t);
    assert_true(ts_ok("2024-01-31T11:00:00+01:00", true) == t);
    /* a bare date is midnight UTC when the zone is optional */
    assert_true(ts_ok("2024-01-31", true) == 19753 * (int64_t)86400);
    ts_bad("2024-01-31", false,
           "expected a timestamp as YYYY-MM-DDTHH:MM:SSZ");
    ts_bad("2024-01-31T10:00:00", false,
           "a timestamp needs a time zone: add Z for UTC");
    ts_bad("2024-01-31T10:00", false,
           "a timestamp needs a time zone: add Z for UTC");
}

static void test_timestamp_rejects(void **state)
{
    ts_bad("2024-01", false, "expected a timestamp as YYYY-MM-DDTHH:MM:SSZ");
    ts_bad("", true, "expected a timestamp as YYYY-MM-DDTHH:MM:SSZ");
    ts_bad("2024-02-30T10:00:00Z", false,
           "day 30 is out of range: February 2024 has 29 days");
    ts_bad("2024-1-31T10:00:00Z", false, "expected a date as YYYY-MM-DD");
    ts_bad("2024-01-31X10:00:00Z", false,
           "expected 'T' between the date and the time");
    ts_bad("2024-01-31_10:00Z", false,
           "expected 'T' between the date and the time");
    ts_bad("2024-01-31T1:00:00Z", false, "expected the time as HH:MM:SS");
    ts_bad("2024-01-31T10-00Z", false, "expected the time as HH:MM:SS");
    ts_bad("2024-01-31T10:0", true, "expected the time as HH:MM:SS");
    ts_bad("2024-01-31T", true, "expected the time as HH:MM:SS");
    ts_bad("2024-01-31T10:00:0Z", false, "expected the seconds as two digits");
    ts_bad("2024-01-31T10:00:", true, "expected the seconds as two digits");
    ts_bad("2024-01-31T10:00:00.5Z", false,
           "fractional seconds are not supported (timestamps are stored in "
           "whole seconds)");
    ts_bad("2024-01-31T10:00:00.001Z", false,
           "fractional seconds are not supported (timestamps are stored in "
           "whole seconds)");
    ts_bad("2024-01-31T10:00:00.Z", false,
           "expected digits after the decimal point");
    ts_bad("2024-01-31T24:00:00Z", false, "hour 24 is out of range (00 to 23)");
    ts_bad("2024-01-31T10:60Z", false, "minute 60 is out of range (00 to 59)");
    ts_bad("2024-01-31T10:00:60Z", false,
           "second 60 is out of range (00 to 59)");
    ts_bad("2024-01-31T10:00:00+1:00", false,
           "expected the time zone as Z or +HH:MM");
    ts_bad("2024-01-31T10:00:00+1", false,
           "expected the time zone as Z or +HH:MM");
    ts_bad("2024-01-31T10:00:00+01:0", false,
           "expected the time zone as Z or +HH:MM");
    ts_bad("2024-01-31T10:00:00+01:000", false,
           "expected the time zone as Z or +HH:MM");
    ts_bad("2024-01-31T10:00:00+", false,
           "expected the time zone as Z or +HH:MM");
    ts_bad("2024-01-31T10:00:00+24:00", false, "time zone offset out of range");
    ts_bad("2024-01-31T10:00:00+01:60", false, "time zone offset out of range");
    ts_bad("2024-01-31T10:00:00ZZ", false, "unexpected text after the time");
    ts_bad("2024-01-31T10:00:00 UTC", false, "unexpected text after the time");
    ts_bad("2024-01-31T10:00:00 ", true, "unexpected text after the time");
}

/* value.h: "Dates and timestamps are limited to years 1..9999" - an offset
 * must not carry a timestamp out of that range. (The reason's wording is
 * the fixer's choice; only the rejection is checked.) */
static void test_timestamp_range_limits(void **state)
{
    assert_true(ts_ok("9999-12-31T23:59:59+00:00", false) == 253402300799);
    assert_true(ts_ok("0001-01-01T00:00:00+00:00", false) == -62135596800);
    assert_true(ts_ok("0001-01-01T01:00:00+01:00", false) == -62135596800);
    static const char *const out_of_range[] = {
        "9999-12-31T23:00:00-05:00", /* 10000-01-01T04:00:00Z */
        "9999-12-31T23:59:59-00:01",
        "0001-01-01T00:30:00+01:00", /* 0000-12-31T23:30:00Z */
        "0001-01-01T00:00:00+00:01",
    };
    for (size_t i = 0; i < sizeof out_of_range / sizeof *out_of_range; i++) {
        lit_err e = {0};
        int64_t t = 777;
        const char *s = out_of_range[i];
        if (lit_parse_timestamp(s, strlen(s), false, &t, &e))
            fail_msg("'%s' accepted as %lld, outside years 1..9999", s,
                     (long long)t);
        assert_non_null(e.why);
        assert_true(t == 777);
    }
}

/* ---- integers ------------------------------------------------------------------------- */

static void test_int_accepts(void **state)
{
    assert_true(int_ok("42", false) == 42);
    assert_true(int_ok("-42", false) == -42);
    assert_true(int_ok("+7", false) == 7);
    assert_true(int_ok("0", false) == 0);
    assert_true(int_ok("-0", false) == 0);
    assert_true(int_ok("007", false) == 7);
    assert_true(int_ok("1_000_000", true) == 1000000);
    assert_true(int_ok("1_0", true) == 10);
    assert_true(int_ok("-1_2_3", true) == -123);
    assert_true(int_ok("9223372036854775807", false) == INT64_MAX);
    assert_true(int_ok("-9223372036854775808", false) == INT64_MIN);
    assert_true(int_ok("+9223372036854775807", false) == INT64_MAX);
    assert_true(int_ok("9_223_372_036_854_775_807", true) == INT64_MAX);
    assert_true(int_ok("-9_223_372_036_854_775_808", true) == INT64_MIN);
    assert_true(int_ok("0000000000000000000000000009223372036854775807",
                       false) == INT64_MAX);
}

static void test_int_rejects(void **state)
{
    int_bad("", false, "expected an integer");
    int_bad("-", false, "expected an integer");
    int_bad("+", true, "expected an integer");
    int_bad("12a", false, "expected an integer");
    int_bad(" 1", false, "expected an integer");
    int_bad("1 ", false, "expected an integer");
    int_bad("1.0", false, "expected an integer");
    int_bad("--1", false, "expected an integer");
    int_bad("1_000", false, "expected an integer");
    int_bad("1_", true, "expected an integer");
    int_bad("_1", true, "expected an integer");
    int_bad("1__0", true, "expected an integer");
    int_bad("-_1", true, "expected an integer");
    int_bad("9223372036854775808", false,
            "integer out of range (int is 64-bit)");
    int_bad("-9223372036854775809", false,
            "integer out of range (int is 64-bit)");
    int_bad("18446744073709551615", false,
            "integer out of range (int is 64-bit)");
    int_bad("18446744073709551616", false,
            "integer out of range (int is 64-bit)");
    int_bad("-18446744073709551616", false,
            "integer out of range (int is 64-bit)");
    int_bad("99999999999999999999999999999999", false,
            "integer out of range (int is 64-bit)");
    int_bad("9_223_372_036_854_775_808", true,
            "integer out of range (int is 64-bit)");

    /* only text[0..len) is read */
    int64_t v = 0;
    assert_true(lit_parse_int("12345", 3, false, &v, NULL));
    assert_true(v == 123);
}

/* ---- decimals ---------------------------------------------------------------------------- */

static void test_decimal_accepts(void **state)
{
    dec_ok("4.5", false, 45, 1);
    dec_ok("0.8", false, 8, 1);
    dec_ok("49.99", false, 4999, 2);
    dec_ok("-1.5", false, -15, 1);
    dec_ok("+1.5", false, 15, 1);
    dec_ok("42", false, 42, 0);
    dec_ok("12.50", false, 1250, 2); /* trailing zeros keep their scale */
    dec_ok("0.000", false, 0, 3);
    dec_ok("1_000.25", true, 100025, 2);
    dec_ok("1_000.000_1", true, 10000001, 4);
    dec_ok("0.123456789012345678", false, 123456789012345678, 18);
    dec_ok("9223372036854775807", false, INT64_MAX, 0);
    dec_ok("922337203685477580.7", false, INT64_MAX, 1);
    dec_ok("-9.223372036854775807", false, -INT64_MAX, 18);
}

static void test_decimal_rejects(void **state)
{
    dec_bad("", false, "expected a decimal number");
    dec_bad(".5", false, "expected a decimal number");
    dec_bad("-.5", false, "expected a decimal number");
    dec_bad("1.2.3", false, "expected a decimal number");
    dec_bad("1e5", false, "expected a decimal number");
    dec_bad("1_0.5", false, "expected a decimal number");
    dec_bad("1.5_", true, "expected a decimal number");
    dec_bad("1.", false, "expected digits after the decimal point");
    dec_bad("1._5", true, "expected digits after the decimal point");
    dec_bad("0.1234567890123456789", false,
            "too many decimals for an exact decimal (at most 18)");
    dec_bad("922337203685477580.8", false,
            "out of range for an exact decimal (without its point, at most "
            "9223372036854775807)");
    dec_bad("9223372036854775808", false,
            "out of range for an exact decimal (without its point, at most "
            "9223372036854775807)");
    dec_bad("-9223372036854775808", false,
            "out of range for an exact decimal (without its point, at most "
            "9223372036854775807)");
    dec_bad("123456789012345678901234567890", false,
            "out of range for an exact decimal (without its point, at most "
            "9223372036854775807)");
}

/* ---- floats ---------------------------------------------------------------------------------- */

static void test_float_accepts(void **state)
{
    assert_same_double(float_ok("4.5"), 4.5);
    assert_same_double(float_ok("0.1"), 0.1);
    assert_same_double(float_ok("0.3"), 0.3);
    assert_same_double(float_ok("0.8"), 0.8);
    assert_same_double(float_ok("-2.5e3"), -2500.0);
    assert_same_double(float_ok("1E-2"), 0.01);
    assert_same_double(float_ok("1e+2"), 100.0);
    assert_same_double(float_ok("+3"), 3.0);
    assert_true(float_ok("-0") == 0.0);
    assert_same_double(float_ok("1e308"), 1e308);
    assert_same_double(float_ok("1.7976931348623157e308"), DBL_MAX);
    assert_same_double(float_ok("123456789.123456789"), 123456789.123456789);
    assert_same_double(float_ok("9007199254740993"), 9007199254740992.0);
    assert_same_double(float_ok("1234567890123456789012345"),
                       1234567890123456789012345.0);
    assert_same_double(float_ok("0.1234567890123456789"),
                       0.1234567890123456789);
    assert_same_double(float_ok("0e-400"), 0.0);
    assert_same_double(float_ok("4.9e-324"), 4.9e-324); /* subnormal, kept */
}

static void test_float_rejects(void **state)
{
    float_bad("", "expected a number");
    float_bad("-", "expected a number");
    float_bad(".5", "expected a number");
    float_bad("inf", "expected a number");
    float_bad("-inf", "expected a number");
    float_bad("nan", "expected a number");
    float_bad("infinity", "expected a number");
    float_bad("0x1p3", "expected a number");
    float_bad("1.5x", "expected a number");
    float_bad("1 ", "expected a number");
    float_bad("1_000", "expected a number");
    float_bad("1.", "expected digits after the decimal point");
    float_bad("1.e5", "expected digits after the decimal point");
    float_bad("1e", "expected digits in the exponent");
    /* nonzero, but 0 as a double: refused rather than silently 0 */
    float_bad("1e-400", "number too small for float (it would be 0)");
    float_bad("-0.00001e-330", "number too small for float (it would be 0)");
    float_bad("1e+", "expected digits in the exponent");
    float_bad("1e309", "number out of range for float");
    float_bad("-1e309", "number out of range for float");
    float_bad("1.8e308", "number out of range for float");

    /* only text[0..len) is read, even when more digits follow */
    double v = 0;
    assert_true(lit_parse_float("2.5e10", 3, &v, NULL));
    assert_same_double(v, 2.5);
}

/* ---- decimal to double -------------------------------------------------------------------------- */

static void test_decimal_to_double_exact(void **state)
{
    assert_same_double(lit_decimal_to_double(1, 1), 0.1);
    assert_same_double(lit_decimal_to_double(3, 1), 0.3);
    assert_same_double(lit_decimal_to_double(8, 1), 0.8);
    assert_same_double(lit_decimal_to_double(4999, 2), 49.99);
    assert_same_double(lit_decimal_to_double(-15, 1), -1.5);
    assert_same_double(lit_decimal_to_double(0, 5), 0.0);
    assert_same_double(lit_decimal_to_double(42, 0), 42.0);
    assert_same_double(lit_decimal_to_double(125, 3), 0.125);
    assert_same_double(lit_decimal_to_double(1, 22), 1e-22);
    assert_same_double(lit_decimal_to_double(1, 23), 1e-23);
    assert_same_double(lit_decimal_to_double(17, 30), 17e-30);
    assert_same_double(lit_decimal_to_double(123456789012345678, 18),
                       0.123456789012345678);
    assert_same_double(lit_decimal_to_double(9007199254740991, 0),
                       9007199254740991.0);
    assert_same_double(lit_decimal_to_double(-9007199254740991, 3),
                       -9007199254740.991);
    assert_same_double(lit_decimal_to_double(9007199254740993, 0),
                       9007199254740992.0);
    assert_same_double(lit_decimal_to_double(9007199254740993, 1),
                       900719925474099.3);
    assert_same_double(lit_decimal_to_double(INT64_MAX, 0),
                       9223372036854775807.0);
    assert_same_double(lit_decimal_to_double(INT64_MAX, 18),
                       9.223372036854775807);
    assert_same_double(lit_decimal_to_double(INT64_MIN, 0),
                       -9223372036854775808.0);
    assert_same_double(lit_decimal_to_double(-INT64_MAX, 10),
                       -922337203.6854775807);

    /* the parsers agree with it */
    assert_same_double(float_ok("900719925474099.3"), 900719925474099.3);
}

static void test_pow10(void **state)
{
    int64_t p = 1;
    for (int k = 0; k <= 18; k++) {
        assert_true(pow10_i64(k) == p);
        if (k < 18)
            p *= 10;
    }
    assert_true(pow10_i64(18) == INT64_C(1000000000000000000));
    assert_true(pow10_i64(19) == 0);
    assert_true(pow10_i64(-1) == 0);
    assert_true(pow10_i64(100) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_accepts),
        cmocka_unit_test(test_date_rejects),
        cmocka_unit_test(test_timestamp_forms),
        cmocka_unit_test(test_timestamp_zone_optional),
        cmocka_unit_test(test_timestamp_rejects),
        cmocka_unit_test(test_timestamp_range_limits),
        cmocka_unit_test(test_int_accepts),
        cmocka_unit_test(test_int_rejects),
        cmocka_unit_test(test_decimal_accepts),
        cmocka_unit_test(test_decimal_rejects),
        cmocka_unit_test(test_float_accepts),
        cmocka_unit_test(test_float_rejects),
        cmocka_unit_test(test_decimal_to_double_exact),
        cmocka_unit_test(test_pow10),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
