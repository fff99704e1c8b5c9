/* gen.c - `segc gen`: realistic example customers for the example schema
 * (examples/customer.schema), as CSV, from a fixed seed.
 *
 * The shapes follow what shops see: most customers buy once or never, a few
 * buy often; order values are log-normal, much larger for B2B accounts;
 * signups peak before Christmas; recency decays; a minority hunts coupons;
 * B2C customers have no industry or company size (nulls where the schema
 * allows them). The same seed and reference date always give the same file.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "segc.h"

const char gen_help[] =
    "usage: segc gen --records N [--seed S] [--as-of DATE] [--out FILE.csv]\n"
    "\n"
    "Writes N example customers for examples/customer.schema as CSV.\n"
    "\n"
    "  --records N     how many customers (default 1000)\n"
    "  --seed S        the random seed (default 1); the same seed gives the\n"
    "                  same file\n"
    "  --as-of DATE    the day the data is generated for (default 2026-11-23)\n"
    "  --out FILE.csv  where to write (default: standard output)\n";

/* ---- xoshiro256** seeded by splitmix64 ---------------------------------------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static double unif(rng *r) /* [0, 1) */
{
    return (double)(next(r) >> 11) * 0x1.0p-53;
}

static int64_t range(rng *r, int64_t lo, int64_t hi) /* [lo, hi] */
{
    return lo + (int64_t)(unif(r) * (double)(hi - lo + 1));
}

static double normal(rng *r)
{
    double u = unif(r), v = unif(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static double lognormal(rng *r, double median, double sigma)
{
    return median * exp(sigma * normal(r));
}

static int64_t geometric(rng *r, double mean) /* >= 0 */
{
    double p = 1.0 / (mean + 1.0);
    return (int64_t)floor(log(1.0 - unif(r)) / log(1.0 - p));
}

typedef struct weighted {
    const char *name;
    int weight;
    const char *region;
} weighted;

static const weighted countries[] = {
    {"DE", 300, "EU"},   {"AT", 60, "EU"},    {"CH", 50, "EU"},
    {"FR", 80, "EU"},    {"IT", 60, "EU"},    {"ES", 50, "EU"},
    {"NL", 50, "EU"},    {"BE", 30, "EU"},    {"PL", 40, "EU"},
    {"SE", 20, "EU"},    {"DK", 20, "EU"},    {"FI", 10, "EU"},
    {"NO", 10, "EU"},    {"IE", 10, "EU"},    {"PT", 20, "EU"},
    {"CZ", 20, "EU"},    {"GB", 40, "EU"},    {"US", 80, "NA"},
    {"CA", 20, "NA"},    {"MX", 10, "LATAM"}, {"BR", 20, "LATAM"},
    {"AR", 10, "LATAM"}, {"CL", 5, "LATAM"},  {"JP", 20, "APAC"},
    {"CN", 10, "APAC"},  {"IN", 10, "APAC"},  {"AU", 10, "APAC"},
    {"SG", 10, "APAC"},  {"KR", 10, "APAC"},  {"AE", 10, "MEA"},
    {"ZA", 5, "MEA"},    {"SA", 5, "MEA"},    {"TR", 10, "MEA"},
    {"IL", 5, "MEA"},    {"EG", 5, "MEA"},
};

static const char *const industries[] = {
    "Retail",       "Manufacturing", "IT",        "Healthcare",
    "Hospitality",  "Construction",  "Logistics", "Education",
    "Finance",      "Agriculture"};

static const char *const domains[] = {"example.com", "example.de",
                                      "example.org", "mail.example",
                                      "shop.example"};

static const char *const tag_names[] = {
    "vip", "wholesale", "returns", "gift", "student", "early_adopter",
    "loyalty_card", "app_user"};

static const weighted *pick_country(rng *r)
{
    int total = 0;
    for (size_t i = 0; i < sizeof countries / sizeof *countries; i++)
        total += countries[i].weight;
    int x = (int)range(r, 0, total - 1);
    for (size_t i = 0; i < sizeof countries / sizeof *countries; i++) {
        x -= countries[i].weight;
        if (x < 0)
            return &countries[i];
    }
    return &countries[0];
}

/* ---- calendar (the CLI sees only segc.h, so a small copy of the civil
 * calendar lives here) ------------------------------------------------------ */

static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void put_date(FILE *out, int64_t days)
{
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    fprintf(out, "%04lld-%02u-%02u", (long long)y, m, d);
}

static void put_ts(FILE *out, int64_t secs)
{
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t tod = secs - days * 86400;
    put_date(out, days);
    fprintf(out, "T%02d:%02d:%02dZ", (int)(tod / 3600), (int)(tod / 60 % 60),
            (int)(tod % 60));
}

static void put_money(FILE *out, int64_t cents)
{
    fprintf(out, "%lld.%02lld", (long long)(cents / 100),
            (long long)(cents % 100));
}

/* ---- one customer ------------------------------------------------------------ */

static void customer(rng *r, FILE *out, int64_t id, int64_t today)
{
    const weighted *c = pick_country(r);
    bool b2b = unif(r) < 0.18;

    /* signup: up to six years back, more recent more often, and more
     * before Christmas */
    int64_t signup;
    for (;;) {
        signup = today - (int64_t)(pow(unif(r), 1.4) * 6 * 365);
        int64_t y;
        unsigned m, d;
        civil(signup, &y, &m, &d);
        if (m >= 11 || unif(r) < 0.7)
            break;
    }
    int64_t age = today - signup;

    /* orders: prospects, one-time buyers, and a long tail of regulars */
    double u = unif(r);
    int64_t orders = u < 0.18   ? 0
                     : u < 0.45 ? 1
                                : 2 + geometric(r, b2b ? 9.0 : 3.5);
    if (orders > 400)
        orders = 400;

    /* recency: most recent order decays from today, never before signup */
    int64_t last_order = -1;
    if (orders > 0) {
        int64_t back = (int64_t)(-log(1.0 - unif(r)) * (orders > 4 ? 45 : 160));
        last_order = today - (back < age ? back : age);
    }

    /* money in cents: log-normal order values, far larger for B2B */
    double aov = b2b ? lognormal(r, 900.0, 1.0) : lognormal(r, 55.0, 0.6);
    int64_t revenue = (int64_t)llround((double)orders * aov * 100.0 *
                                       (0.8 + 0.4 * unif(r)));
    int64_t y_today, y_last;
    unsigned mm, dd;
    civil(today, &y_today, &mm, &dd);
    int64_t revenue_ytd = 0;
    if (last_order >= 0) {
        civil(last_order, &y_last, &mm, &dd);
        if (y_last == y_today)
            revenue_ytd = (int64_t)((double)revenue * (0.15 + 0.6 * unif(r)));
    }

    int64_t cart_items = unif(r) < 0.72 ? 0 : 1 + geometric(r, b2b ? 12 : 2.5);
    int64_t cart_updated = -1;
    if (cart_items > 0)
        cart_updated = today * 86400 - range(r, 0, 45 * 86400);
    else if (unif(r) < 0.2)
        cart_updated = today * 86400 - range(r, 46 * 86400, 400 * 86400);

    /* coupon affinity: most rarely use one, a few almost always do */
    u = unif(r);
    double p = u < 0.6 ? 0.05 : u < 0.9 ? 0.3 : 0.9;
    int64_t coupon_orders = 0;
    for (int64_t k = 0; k < orders; k++)
        coupon_orders += unif(r) < p;

    bool newsletter = unif(r) < 0.45;
    int64_t last_login = -1;
    if (unif(r) > 0.08) {
        int64_t back = (int64_t)(-log(1.0 - unif(r)) * 40 * 86400);
        if (back > age * 86400)
            back = age * 86400;
        last_login = today * 86400 - back;
    }

    /* id,email,country,region,account_type,industry,employees,signup,
     * last_login,last_order,orders,revenue,revenue_ytd,cart_items,
     * cart_updated,coupon_orders,avg_rating,newsletter,tags */
    fprintf(out, "%lld,c%lld@%s,%s,%s,%s,", (long long)id, (long long)id,
            domains[range(r, 0, 4)], c->name, c->region, b2b ? "b2b" : "b2c");
    if (b2b && unif(r) > 0.1)
        fputs(industries[range(r, 0, 9)], out);
    fputc(',', out);
    if (b2b && unif(r) > 0.05) {
        double e = lognormal(r, 40.0, 1.5);
        fprintf(out, "%lld", (long long)(e < 1 ? 1 : e > 100000 ? 100000 : e));
    }
    fputc(',', out);
    put_date(out, signup);
    fputc(',', out);
    if (last_login >= 0)
        put_ts(out, last_login);
    fputc(',', out);
    if (last_order >= 0)
        put_date(out, last_order);
    fprintf(out, ",%lld,", (long long)orders);
    put_money(out, revenue);
    fputc(',', out);
    put_money(out, revenue_ytd);
    fprintf(out, ",%lld,", (long long)cart_items);
    if (cart_updated >= 0)
        put_ts(out, cart_updated);
    fprintf(out, ",%lld,", (long long)coupon_orders);
    if (orders > 0 && unif(r) > 0.4) {
        double rating = 5.0 - fabs(normal(r));
        if (rating < 1.0)
            rating = 1.0;
        fprintf(out, "%.1f", rating);
    }
    fprintf(out, ",%s,", newsletter ? "true" : "false");
    int ntags = 0;
    bool used[8] = {false};
    if (revenue > 500000 || (b2b && revenue > 5000000)) {
        fputs("vip", out);
        used[0] = true;
        ntags++;
    }
    int extra = (int)geometric(r, 0.7);
    for (int k = 0; k < extra && k < 3; k++) {
        int t = (int)range(r, 1, 7);
        if (used[t] || (t == 1 && !b2b))
            continue;
        used[t] = true;
        fprintf(out, "%s%s", ntags++ ? ";" : "", tag_names[t]);
    }
    fputc('\n', out);
}

int cmd_gen(int argc, char **argv)
{
    long long records = 1000, seed = 1;
    const char *out_path = NULL, *as_of = "2026-11-23";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(gen_help, stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "segc gen: option %s needs a value\n", a);
            return 2;
        }
        char *end;
        if (strcmp(a, "--records") == 0) {
            records = strtoll(v, &end, 10);
            if (*end || records < 0) {
                fprintf(stderr, "segc gen: --records needs a count, not '%s'\n",
                        v);
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0) {
            seed = strtoll(v, &end, 10);
            if (*end) {
                fprintf(stderr, "segc gen: --seed needs a number, not '%s'\n",
                        v);
                return 2;
            }
        } else if (strcmp(a, "--as-of") == 0) {
            as_of = v;
        } else if (strcmp(a, "--out") == 0) {
            out_path = v;
        } else {
            fprintf(stderr, "segc gen: unknown option '%s'\n", a);
            return 2;
        }
        i++;
    }
    int64_t t;
    int is_date;
    if (segc_parse_instant(as_of, &t, &is_date) != 0 || !is_date) {
        fprintf(stderr, "segc gen: --as-of needs a date YYYY-MM-DD, not '%s'\n",
                as_of);
        return 2;
    }
    FILE *out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        perror(out_path);
        return 2;
    }
    rng r;
    uint64_t x = (uint64_t)seed;
    for (int k = 0; k < 4; k++)
        r.s[k] = splitmix(&x);
    fputs("id,email,country,region,account_type,industry,employees,signup,"
          "last_login,last_order,orders,revenue,revenue_ytd,cart_items,"
          "cart_updated,coupon_orders,avg_rating,newsletter,tags\n",
          out);
    for (long long id = 1; id <= records; id++)
        customer(&r, out, id, t / 86400);
    int bad = ferror(out);
    if (out_path && fclose(out) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "segc gen: writing failed\n");
        return 2;
    }
    return 0;
}
