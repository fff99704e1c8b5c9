/* test_cal.c - the proleptic Gregorian calendar (cal_ in value.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "value.h"

static int64_t D(int64_t y, unsigned m, unsigned d)
{
    return cal_days_from_civil(y, m, d);
}

static void assert_civil(int64_t days, int64_t y, unsigned m, unsigned d)
{
    int64_t yy;
    unsigned mm, dd;
    cal_civil_from_days(days, &yy, &mm, &dd);
    assert_true(yy == y);
    assert_int_equal(mm, m);
    assert_int_equal(dd, d);
}

static void assert_date_text(int64_t days, const char *want)
{
    char b[32];
    cal_format_date(days, b, sizeof b);
    assert_string_equal(b, want);
}

static void assert_ts_text(int64_t ts, const char *want)
{
    char b[32];
    cal_format_ts(ts, b, sizeof b);
    assert_string_equal(b, want);
}

/* ---- days <-> civil ---------------------------------------------------------- */

static void test_epoch(void **state)
{
    assert_true(D(1970, 1, 1) == 0);
    assert_civil(0, 1970, 1, 1);
    assert_true(D(1969, 12, 31) == -1);
    assert_civil(-1, 1969, 12, 31);
    assert_true(D(1970, 1, 2) == 1);
}

static void test_known_dates(void **state)
{
    assert_true(D(2000, 3, 1) == 11017);
    assert_true(D(2024, 2, 29) == 19782);
    assert_true(D(2024, 4, 1) == 19814);
    assert_true(D(2023, 2, 28) == 19416);
    assert_true(D(1900, 3, 1) == -25508);
    assert_true(D(1, 1, 1) == CAL_MIN_DAYS);
    assert_true(D(1, 1, 1) == -719162);
    assert_true(D(9999, 12, 31) == CAL_MAX_DAYS);
    assert_true(D(9999, 12, 31) == 2932896);

    assert_civil(11017, 2000, 3, 1);
    assert_civil(19782, 2024, 2, 29);
    assert_civil(19814, 2024, 4, 1);
    assert_civil(-25508, 1900, 3, 1);
    assert_civil(CAL_MIN_DAYS, 1, 1, 1);
    assert_civil(CAL_MAX_DAYS, 9999, 12, 31);
    /* the day before 0001-01-01 is 0000-12-31 (year 0 is 1 BC) */
    assert_civil(CAL_MIN_DAYS - 1, 0, 12, 31);
    assert_true(D(0, 12, 31) == CAL_MIN_DAYS - 1);
    /* year 0 is a leap year in the proleptic calendar */
    assert_true(D(0, 3, 1) - D(0, 2, 28) == 2);
}

/* every day from 0001-01-01 to 9999-12-31: the civil date of day z + 1 is the
 * day after the civil date of z, and each converts back to its number */
static void test_round_trip_every_day(void **state)
{
    int64_t py = 0;
    unsigned pm = 12, pd = 31; /* 0000-12-31 */
    int64_t count = 0;
    for (int64_t z = CAL_MIN_DAYS; z <= CAL_MAX_DAYS; z++) {
        int64_t y;
        unsigned m, d;
        cal_civil_from_days(z, &y, &m, &d);
        if (cal_days_from_civil(y, m, d) != z)
            fail_msg("day %lld does not round-trip", (long long)z);
        /* expected successor of (py, pm, pd) */
        int64_t ey = py;
        unsigned em = pm, ed = pd + 1;
        if (ed > cal_month_days(py, pm)) {
            ed = 1;
            em++;
            if (em > 12) {
                em = 1;
                ey++;
            }
        }
        if (y != ey || m != em || d != ed)
            fail_msg("day %lld is %lld-%u-%u, expected %lld-%u-%u",
                     (long long)z, (long long)y, m, d, (long long)ey, em, ed);
        py = y;
        pm = m;
        pd = d;
        count++;
    }
    assert_true(count == 3652059); /* days in 9999 Gregorian years */
    assert_true(py == 9999 && pm == 12 && pd == 31);
}

/* ---- leap years and month lengths ----------------------------------------------- */

static void test_is_leap(void **state)
{
    assert_false(cal_is_leap(1900));
    assert_true(cal_is_leap(2000));
    assert_true(cal_is_leap(2024));
    assert_false(cal_is_leap(2100));
    assert_false(cal_is_leap(2023));
    assert_true(cal_is_leap(1600));
    assert_false(cal_is_leap(1700));
    assert_true(cal_is_leap(4));
    assert_false(cal_is_leap(1));
    assert_true(cal_is_leap(0));
    assert_true(cal_is_leap(-4));
    assert_false(cal_is_leap(-1));
    assert_false(cal_is_leap(-100));
    assert_true(cal_is_leap(-400));
}

static void test_month_days(void **state)
{
    static const unsigned common[12] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
    for (unsigned m = 1; m <= 12; m++) {
        assert_int_equal(cal_month_days(2023, m), common[m - 1]);
        assert_int_equal(cal_month_days(2024, m),
                         m == 2 ? 29u : common[m - 1]);
    }
    assert_int_equal(cal_month_days(1900, 2), 28);
    assert_int_equal(cal_month_days(2000, 2), 29);
    assert_int_equal(cal_month_days(2100, 2), 28);
    assert_int_equal(cal_month_days(9999, 12), 31);
    assert_int_equal(cal_month_days(1, 2), 28);
}

/* ---- moving by months ---------------------------------------------------------------- */

static void test_add_months_clamps_backwards(void **state)
{
    assert_true(cal_add_months(D(2024, 3, 31), -1) == D(2024, 2, 29));
    assert_true(cal_add_months(D(2023, 3, 31), -1) == D(2023, 2, 28));
    assert_true(cal_add_months(D(2024, 2, 29), -12) == D(2023, 2, 28));
    assert_true(cal_add_months(D(2024, 5, 31), -1) == D(2024, 4, 30));
    assert_true(cal_add_months(D(2024, 3, 30), -1) == D(2024, 2, 29));
    assert_true(cal_add_months(D(2024, 3, 29), -1) == D(2024, 2, 29));
    assert_true(cal_add_months(D(2024, 3, 28), -1) == D(2024, 2, 28));
    assert_true(cal_add_months(D(1900, 3, 31), -1) == D(1900, 2, 28));
    assert_true(cal_add_months(D(2000, 3, 31), -1) == D(2000, 2, 29));
}

static void test_add_months_clamps_forwards(void **state)
{
    assert_true(cal_add_months(D(2024, 1, 31), 1) == D(2024, 2, 29));
    assert_true(cal_add_months(D(2023, 1, 31), 1) == D(2023, 2, 28));
    assert_true(cal_add_months(D(2024, 2, 29), 12) == D(2025, 2, 28));
    assert_true(cal_add_months(D(2024, 2, 29), 48) == D(2028, 2, 29));
    assert_true(cal_add_months(D(2024, 8, 31), 1) == D(2024, 9, 30));
    assert_true(cal_add_months(D(2024, 1, 31), 3) == D(2024, 4, 30));
    /* clamping does not stick: two single steps differ from one step of 2 */
    assert_true(cal_add_months(D(2024, 1, 31), 2) == D(2024, 3, 31));
    assert_true(cal_add_months(cal_add_months(D(2024, 1, 31), 1), 1) ==
                D(2024, 3, 29));
}

static void test_add_months_year_wrap(void **state)
{
    assert_true(cal_add_months(D(2024, 12, 15), 1) == D(2025, 1, 15));
    assert_true(cal_add_months(D(2024, 1, 15), -1) == D(2023, 12, 15));
    assert_true(cal_add_months(D(2024, 1, 31), -2) == D(2023, 11, 30));
    assert_true(cal_add_months(D(2024, 11, 30), 3) == D(2025, 2, 28));
    assert_true(cal_add_months(D(2024, 1, 31), -13) == D(2022, 12, 31));
    assert_true(cal_add_months(D(2024, 12, 31), 14) == D(2026, 2, 28));
    assert_true(cal_add_months(D(2024, 6, 10), -24) == D(2022, 6, 10));
    assert_true(cal_add_months(D(1970, 1, 1), -1) == D(1969, 12, 1));
    /* across year 0 (the floor division of negative month counts) */
    assert_true(cal_add_months(D(1, 1, 15), -1) == D(0, 12, 15));
    assert_true(cal_add_months(D(1, 1, 15), -13) == D(-1, 12, 15));
    assert_true(cal_add_months(D(1, 1, 15), -12) == D(0, 1, 15));
}

static void test_add_months_zero_and_large(void **state)
{
    assert_true(cal_add_months(D(2024, 3, 31), 0) == D(2024, 3, 31));
    assert_true(cal_add_months(12345, 0) == 12345);
    /* the whole supported range in one step, both ways */
    assert_true(cal_add_months(D(1, 1, 31), 9998 * 12 + 11) ==
                D(9999, 12, 31));
    assert_true(cal_add_months(D(9999, 12, 31), -(9998 * 12 + 11)) ==
                D(1, 1, 31));
    /* 10000 years: the longest duration the language allows */
    assert_true(cal_add_months(D(2024, 2, 29), -10000 * 12) ==
                D(-7976, 2, 29));
    assert_true(cal_add_months(D(2024, 2, 29), 120000) == D(12024, 2, 29));
    assert_true(cal_add_months(D(2023, 2, 28), 1200) == D(2123, 2, 28));
    assert_true(cal_add_months(D(2000, 2, 29), 1200) == D(2100, 2, 28));
}

static void test_add_months_matches_month_arithmetic(void **state)
{
    /* for every day of 2023-2025 and shifts of -30..30 months the result is
     * the target month's (clamped) same day */
    for (int64_t z = D(2023, 1, 1); z <= D(2025, 12, 31); z++) {
        int64_t y;
        unsigned m, d;
        cal_civil_from_days(z, &y, &m, &d);
        for (int64_t k = -30; k <= 30; k++) {
            int64_t t = y * 12 + (m - 1) + k;
            int64_t ny = cal_floor_div(t, 12);
            unsigned nm = (unsigned)(t - ny * 12) + 1;
            unsigned last = cal_month_days(ny, nm);
            int64_t want = D(ny, nm, d < last ? d : last);
            if (cal_add_months(z, k) != want)
                fail_msg("day %lld + %lld months", (long long)z,
                         (long long)k);
        }
    }
}

static void test_shift_ts_keeps_time_of_day(void **state)
{
    int64_t t = 1711892710; /* 2024-03-31T13:45:10Z */
    assert_true(cal_shift_ts(t, -1, 0) == 1709214310); /* 2024-02-29T13:45:10Z */
    assert_true(cal_shift_ts(t, -1, -2 * 86400) ==
                1709041510); /* 2024-02-27T13:45:10Z */
    assert_true(cal_shift_ts(t, 0, -90 * 86400) == t - 7776000);
    assert_true(cal_shift_ts(t, 0, 0) == t);
    assert_true(cal_shift_ts(t, 0, -43200) == t - 43200);
    /* before 1970: the time of day of -3600 is 23:00 of 1969-12-31 */
    assert_true(cal_shift_ts(-3600, 1, 0) == 2674800); /* 1970-01-31T23:00Z */
    assert_true(cal_shift_ts(-1, 1, 0) ==
                D(1970, 1, 31) * 86400 + 86399);
    assert_true(cal_shift_ts(-86400, -1, 0) == D(1969, 11, 30) * 86400);
    assert_true(cal_shift_ts(D(2024, 2, 29) * 86400 + 1, -12, 0) ==
                D(2023, 2, 28) * 86400 + 1);
    /* months first, then seconds: 2024-01-31 + 1mo - 1d = 2024-02-28 */
    assert_true(cal_shift_ts(D(2024, 1, 31) * 86400 + 600, 1, -86400) ==
                D(2024, 2, 28) * 86400 + 600);
    /* the time of day never leaks into the month step */
    char b[32];
    cal_format_ts(cal_shift_ts(1711892710, -25, 3661), b, sizeof b);
    assert_string_equal(b, "2022-02-28T14:46:11Z");
}

static void test_shift_date(void **state)
{
    assert_true(cal_shift_date(D(2024, 3, 31), -1, -2) == D(2024, 2, 27));
    assert_true(cal_shift_date(D(2024, 3, 31), -1, 0) == D(2024, 2, 29));
    assert_true(cal_shift_date(D(2024, 4, 1), 0, -90) == D(2024, 1, 2));
    assert_true(cal_shift_date(D(2024, 4, 1), 0, -91) == D(2024, 1, 1));
    assert_true(cal_shift_date(D(2024, 2, 29), -12, 0) == D(2023, 2, 28));
    assert_true(cal_shift_date(D(2024, 1, 31), 1, 1) == D(2024, 3, 1));
    assert_true(cal_shift_date(D(2024, 1, 1), 0, 0) == D(2024, 1, 1));
    assert_true(cal_shift_date(D(2024, 12, 31), 0, 1) == D(2025, 1, 1));
}

/* ---- floor division ----------------------------------------------------------------- */

static void test_floor_div(void **state)
{
    assert_true(cal_floor_div(7, 2) == 3);
    assert_true(cal_floor_div(-7, 2) == -4);
    assert_true(cal_floor_div(7, -2) == -4);
    assert_true(cal_floor_div(-7, -2) == 3);
    assert_true(cal_floor_div(-6, 2) == -3);
    assert_true(cal_floor_div(6, -2) == -3);
    assert_true(cal_floor_div(0, 5) == 0);
    assert_true(cal_floor_div(0, -5) == 0);
    assert_true(cal_floor_div(-1, 86400) == -1);
    assert_true(cal_floor_div(-86400, 86400) == -1);
    assert_true(cal_floor_div(-86401, 86400) == -2);
    assert_true(cal_floor_div(86399, 86400) == 0);
    assert_true(cal_floor_div(-1, 12) == -1);
    assert_true(cal_floor_div(-12, 12) == -1);
    assert_true(cal_floor_div(-13, 12) == -2);
    assert_true(cal_floor_div(INT64_MAX, 1) == INT64_MAX);
    assert_true(cal_floor_div(INT64_MIN, 1) == INT64_MIN);
    assert_true(cal_floor_div(INT64_MIN, 2) == INT64_MIN / 2);
    assert_true(cal_floor_div(INT64_MIN + 1, 2) == INT64_MIN / 2);
    assert_true(cal_floor_div(INT64_MAX, -1) == -INT64_MAX);
    assert_true(cal_floor_div(-62135596800, 86400) == CAL_MIN_DAYS);
}

/* ---- text ---------------------------------------------------------------------------- */

static void test_format_date(void **state)
{
    assert_date_text(0, "1970-01-01");
    assert_date_text(-1, "1969-12-31");
    assert_date_text(19782, "2024-02-29");
    assert_date_text(CAL_MIN_DAYS, "0001-01-01");
    assert_date_text(CAL_MAX_DAYS, "9999-12-31");
    assert_date_text(D(476, 9, 4), "0476-09-04");

    /* a short buffer is truncated and terminated, never overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    cal_format_date(0, small, 5);
    assert_string_equal(small, "1970");
    assert_int_equal(small[5], 'x');
    char exact[11];
    cal_format_date(19782, exact, sizeof exact);
    assert_string_equal(exact, "2024-02-29");
}

static void test_format_ts(void **state)
{
    assert_ts_text(0, "1970-01-01T00:00:00Z");
    assert_ts_text(-1, "1969-12-31T23:59:59Z");
    assert_ts_text(1706695200, "2024-01-31T10:00:00Z");
    assert_ts_text(1711892710, "2024-03-31T13:45:10Z");
    assert_ts_text(1711972800, "2024-04-01T12:00:00Z");
    assert_ts_text(253402300799, "9999-12-31T23:59:59Z");
    assert_ts_text(-62135596800, "0001-01-01T00:00:00Z");
    assert_ts_text(-62135596800 + 86399, "0001-01-01T23:59:59Z");
    assert_ts_text(86400 * 19782 + 3600 * 23 + 60 * 59 + 58,
                   "2024-02-29T23:59:58Z");

    char small[12];
    cal_format_ts(0, small, sizeof small);
    assert_string_equal(small, "1970-01-01T");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch),
        cmocka_unit_test(test_known_dates),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_is_leap),
        cmocka_unit_test(test_month_days),
        cmocka_unit_test(test_add_months_clamps_backwards),
        cmocka_unit_test(test_add_months_clamps_forwards),
        cmocka_unit_test(test_add_months_year_wrap),
        cmocka_unit_test(test_add_months_zero_and_large),
        cmocka_unit_test(test_add_months_matches_month_arithmetic),
        cmocka_unit_test(test_shift_ts_keeps_time_of_day),
        cmocka_unit_test(test_shift_date),
        cmocka_unit_test(test_floor_div),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_format_ts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
