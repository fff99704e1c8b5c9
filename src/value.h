/*
 * value.h - scalar values and their text forms, shared by the lexer, the
 * checker, the loader and the engines: the proleptic Gregorian calendar
 * (cal_), literal syntax for numbers, dates and timestamps (lit_), and the
 * ISO 4217 currency table (cur_).
 *
 * Dates are days since 1970-01-01; timestamps are seconds since
 * 1970-01-01T00:00:00Z; durations are a number of calendar months plus a
 * number of seconds, applied in that order.
 */
#ifndef SEGC_VALUE_H
#define SEGC_VALUE_H

#include "base.h"

#define SECS_PER_DAY 86400
/* Dates and timestamps are limited to years 1..9999. */
#define CAL_MIN_DAYS (-719162)   /* 0001-01-01 */
#define CAL_MAX_DAYS 2932896     /* 9999-12-31 */

/* ---- cal: the calendar ---------------------------------------------------- */
int64_t cal_floor_div(int64_t a, int64_t b);
bool cal_is_leap(int64_t y);
unsigned cal_month_days(int64_t y, unsigned m);
int64_t cal_days_from_civil(int64_t y, unsigned m, unsigned d);
void cal_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* Adds months to a day number; the day of month is clamped to the length
 * of the target month (2024-03-31 minus 1 month is 2024-02-29). */
int64_t cal_add_months(int64_t days, int64_t months);
/* Applies a duration (months first, then seconds) to a timestamp; the time
 * of day is kept across the month step. */
int64_t cal_shift_ts(int64_t ts, int64_t months, int64_t secs);
/* Applies a whole-day duration to a date. */
int64_t cal_shift_date(int64_t days, int64_t months, int64_t ndays);
/* Writes "YYYY-MM-DD" (11 bytes with NUL). */
void cal_format_date(int64_t days, char *buf, size_t cap);
/* Writes "YYYY-MM-DDTHH:MM:SSZ". */
void cal_format_ts(int64_t ts, char *buf, size_t cap);

/* ---- lit: literal syntax ---------------------------------------------------
 * Each parser reads exactly text[0..len) and returns false with a short
 * English reason in *why (a static string or one written to whybuf). */
typedef struct lit_err {
    const char *why;
    char buf[96];
} lit_err;

bool lit_parse_date(const char *text, size_t len, int32_t *days, lit_err *e);
/* YYYY-MM-DD[T| ]HH:MM[:SS[.000]][Z|+HH:MM|-HH:MM|+HHMM]; without a zone the
 * time is UTC only when zone_optional is set. Nonzero fractional seconds are
 * an error: timestamps are stored in whole seconds. */
bool lit_parse_timestamp(const char *text, size_t len, bool zone_optional,
                         int64_t *ts, lit_err *e);
/* [+-]digits; underscores between digits when underscores is set. */
bool lit_parse_int(const char *text, size_t len, bool underscores,
                   int64_t *v, lit_err *e);
/* An exact decimal [+-]digits[.digits]: the value is mant * 10^-scale. */
bool lit_parse_decimal(const char *text, size_t len, bool underscores,
                       int64_t *mant, int *scale, lit_err *e);
/* A float: [+-]digits[.digits][(e|E)[+-]digits]; no inf, nan or hex. */
bool lit_parse_float(const char *text, size_t len, double *v, lit_err *e);
/* mant * 10^-scale as the nearest double. */
double lit_decimal_to_double(int64_t mant, int scale);

/* ---- cur: currencies ------------------------------------------------------- */
typedef struct currency {
    char code[4];
    int8_t decimals;
} currency;

/* Index of an ISO 4217 code, or -1. */
int cur_find(const char *code, size_t len);
const currency *cur_get(int idx);
size_t cur_count(void);
/* The nearest known code to a misspelled one (for suggestions), or NULL. */
const char *cur_suggest(const char *code, size_t len);
/* The code of a currency's name written out (euro, Dollars), or NULL. */
const char *cur_alias(const char *word, size_t len);

/* Money as a float: units / 10^scale with one rounding (so exact for
 * |units| < 2^53). Every engine converts money this way. */
double cur_units_to_float(int64_t units, int scale);

/* 10^k for 0 <= k <= 18. */
int64_t pow10_i64(int k);

/* a / b rounded half to even (b != 0, not INT64_MIN / -1): money / int */
static inline int64_t div_half_even_i64(int64_t a, int64_t b)
{
    int64_t q = a / b, r = a % b;
    if (r == 0)
        return q;
    uint64_t ar = r < 0 ? 0 - (uint64_t)r : (uint64_t)r;
    uint64_t ab = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    uint64_t rest = ab - ar; /* |r| compared with |b| - |r| */
    if (ar > rest || (ar == rest && (q & 1)))
        q += (a < 0) == (b < 0) ? 1 : -1;
    return q;
}

#endif
