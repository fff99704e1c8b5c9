/* cal.c - the proleptic Gregorian calendar (cal_).
 * days_from_civil and civil_from_days follow Howard Hinnant's algorithms. */
#include <stdio.h>

#include "value.h"

int64_t cal_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

bool cal_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned cal_month_days(int64_t y, unsigned m)
{
    static const unsigned char len[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    if (m == 2 && cal_is_leap(y))
        return 29;
    return len[(m - 1) % 12];
}

int64_t cal_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = cal_floor_div(y, 400);
    int64_t yoe = y - era * 400;                                 /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void cal_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = cal_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t cal_add_months(int64_t days, int64_t months)
{
    if (months == 0)
        return days;
    int64_t y;
    unsigned m, d;
    cal_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = cal_floor_div(total, 12);
    unsigned nm = (unsigned)(total - ny * 12) + 1;
    unsigned last = cal_month_days(ny, nm);
    return cal_days_from_civil(ny, nm, d < last ? d : last);
}

int64_t cal_shift_ts(int64_t ts, int64_t months, int64_t secs)
{
    if (months) {
        int64_t days = cal_floor_div(ts, SECS_PER_DAY);
        int64_t tod = ts - days * SECS_PER_DAY;
        ts = cal_add_months(days, months) * SECS_PER_DAY + tod;
    }
    return ts + secs;
}

int64_t cal_shift_date(int64_t days, int64_t months, int64_t ndays)
{
    return cal_add_months(days, months) + ndays;
}

void cal_format_date(int64_t days, char *buf, size_t cap)
{
    int64_t y;
    unsigned m, d;
    cal_civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04lld-%02u-%02u", (long long)y, m, d);
}

void cal_format_ts(int64_t ts, char *buf, size_t cap)
{
    int64_t days = cal_floor_div(ts, SECS_PER_DAY);
    int64_t tod = ts - days * SECS_PER_DAY;
    int64_t y;
    unsigned m, d;
    cal_civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
             (unsigned)(tod / 3600), (unsigned)(tod / 60 % 60),
             (unsigned)(tod % 60));
}
