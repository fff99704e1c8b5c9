/* data.c - synthetic customers for the benchmark, written straight into
 * packed records, and written out as CSV for DuckDB.
 *
 * The shapes follow segc gen (src/cli/gen.c): log-normal order values, far
 * larger for B2B; most customers with zero or one order and a long tail;
 * decaying recency; nulls where the schema allows them; a few dozen
 * countries; tags. A fixed seed gives the same records every run. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "value.h"

typedef struct rng {
    uint64_t s[4];
} rng;

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

static double unif(rng *r)
{
    return (double)(next(r) >> 11) * 0x1.0p-53;
}

static int64_t range(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(unif(r) * (double)(hi - lo + 1));
}

static double normal(rng *r)
{
    double u = unif(r), v = unif(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static int64_t geometric(rng *r, double mean)
{
    double p = 1.0 / (mean + 1.0);
    return (int64_t)floor(log(1.0 - unif(r)) / log(1.0 - p));
}

static const struct {
    const char *code, *region;
    int weight;
} countries[] = {
    {"DE", "EU", 300},   {"AT", "EU", 60},    {"CH", "EU", 50},
    {"FR", "EU", 80},    {"IT", "EU", 60},    {"ES", "EU", 50},
    {"NL", "EU", 50},    {"BE", "EU", 30},    {"PL", "EU", 40},
    {"SE", "EU", 20},    {"DK", "EU", 20},    {"FI", "EU", 10},
    {"NO", "EU", 10},    {"IE", "EU", 10},    {"PT", "EU", 20},
    {"CZ", "EU", 20},    {"GB", "EU", 40},    {"US", "NA", 80},
    {"CA", "NA", 20},    {"MX", "LATAM", 10}, {"BR", "LATAM", 20},
    {"AR", "LATAM", 10}, {"CL", "LATAM", 5},  {"JP", "APAC", 20},
    {"CN", "APAC", 10},  {"IN", "APAC", 10},  {"AU", "APAC", 10},
    {"SG", "APAC", 10},  {"KR", "APAC", 10},  {"AE", "MEA", 10},
    {"ZA", "MEA", 5},    {"SA", "MEA", 5},    {"TR", "MEA", 10},
    {"IL", "MEA", 5},    {"EG", "MEA", 5},
};
enum { NCOUNTRIES = sizeof countries / sizeof countries[0] };

static const char *const industries[] = {
    "Retail", "Manufacturing", "IT",        "Healthcare", "Hospitality",
    "Construction", "Logistics", "Education", "Finance",    "Agriculture"};
static const char *const tag_names[] = {"vip",     "wholesale", "returns",
                                        "gift",    "student",   "early_adopter",
                                        "loyalty_card", "app_user"};

typedef struct fields {
    const schema_field *id, *email, *country, *region, *account_type,
        *industry, *employees, *signup, *last_login, *last_order, *orders,
        *revenue, *revenue_ytd, *cart_items, *cart_updated, *coupon_orders,
        *avg_rating, *newsletter, *tags;
    int i_email, i_country, i_industry, i_tags;
} fields;

static const schema_field *field(const schema *s, const char *name, int *idx)
{
    int i = schema_find(s, name, strlen(name));
    if (idx)
        *idx = i;
    return i >= 0 ? &s->fields[i] : NULL;
}

static void put64(unsigned char *r, const schema_field *f, int64_t v)
{
    memcpy(r + f->offset, &v, 8);
}

static void put32(unsigned char *r, const schema_field *f, int32_t v)
{
    memcpy(r + f->offset, &v, 4);
}

static void putf(unsigned char *r, const schema_field *f, double v)
{
    memcpy(r + f->offset, &v, 8);
}

static void putnull(const schema *s, unsigned char *r, const schema_field *f)
{
    r[s->null_offset + (uint32_t)f->null_bit / 8] |=
        (unsigned char)(1u << (f->null_bit % 8));
}

static bool putstr(dataset *d, unsigned char *r, int idx, const char *s)
{
    uint32_t id;
    if (!dict_intern(&d->dicts[idx], s, strlen(s), &id))
        return false;
    put32(r, &d->sch->fields[idx], (int32_t)id);
    return true;
}

static int enum_index(const schema_field *f, const char *v)
{
    for (uint32_t i = 0; i < f->ty->enm->n; i++)
        if (strcmp(f->ty->enm->values[i], v) == 0)
            return (int)i;
    return 0;
}

bool bench_generate(dataset *d, size_t n, uint64_t seed, int64_t today)
{
    const schema *s = d->sch;
    fields F;
    F.id = field(s, "id", NULL);
    F.email = field(s, "email", &F.i_email);
    F.country = field(s, "country", &F.i_country);
    F.region = field(s, "region", NULL);
    F.account_type = field(s, "account_type", NULL);
    F.industry = field(s, "industry", &F.i_industry);
    F.employees = field(s, "employees", NULL);
    F.signup = field(s, "signup", NULL);
    F.last_login = field(s, "last_login", NULL);
    F.last_order = field(s, "last_order", NULL);
    F.orders = field(s, "orders", NULL);
    F.revenue = field(s, "revenue", NULL);
    F.revenue_ytd = field(s, "revenue_ytd", NULL);
    F.cart_items = field(s, "cart_items", NULL);
    F.cart_updated = field(s, "cart_updated", NULL);
    F.coupon_orders = field(s, "coupon_orders", NULL);
    F.avg_rating = field(s, "avg_rating", NULL);
    F.newsletter = field(s, "newsletter", NULL);
    F.tags = field(s, "tags", &F.i_tags);
    if (!F.tags || !F.newsletter || !F.avg_rating || !F.email)
        return false;
    rng r;
    uint64_t x = seed;
    for (int k = 0; k < 4; k++) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r.s[k] = z ^ (z >> 31);
    }
    int total = 0;
    for (int i = 0; i < NCOUNTRIES; i++)
        total += countries[i].weight;
    int64_t y_today;
    unsigned mm, dd;
    cal_civil_from_days(today, &y_today, &mm, &dd);
    int64_t year_start = cal_days_from_civil(y_today, 1, 1);
    char email[64];

    for (size_t i = 0; i < n; i++) {
        unsigned char *rec = data_push(d);
        if (!rec)
            return false;
        put64(rec, F.id, (int64_t)i + 1);
        snprintf(email, sizeof email, "c%zu@example.com", i + 1);
        if (!putstr(d, rec, F.i_email, email))
            return false;
        int w = (int)range(&r, 0, total - 1), c = 0;
        while (w >= countries[c].weight)
            w -= countries[c++].weight;
        if (!putstr(d, rec, F.i_country, countries[c].code))
            return false;
        put32(rec, F.region, enum_index(F.region, countries[c].region));
        bool b2b = unif(&r) < 0.18;
        put32(rec, F.account_type, enum_index(F.account_type, b2b ? "b2b" : "b2c"));
        if (b2b && unif(&r) > 0.1) {
            if (!putstr(d, rec, F.i_industry, industries[range(&r, 0, 9)]))
                return false;
        } else {
            putnull(s, rec, F.industry);
        }
        if (b2b && unif(&r) > 0.05) {
            double e = 40.0 * exp(1.5 * normal(&r));
            put64(rec, F.employees, e < 1 ? 1 : e > 100000 ? 100000 : (int64_t)e);
        } else {
            putnull(s, rec, F.employees);
        }
        int64_t signup = today - (int64_t)(pow(unif(&r), 1.4) * 6 * 365);
        put32(rec, F.signup, (int32_t)signup);
        int64_t age = today - signup;
        double u = unif(&r);
        int64_t orders = u < 0.18 ? 0 : u < 0.45 ? 1 : 2 + geometric(&r, b2b ? 9.0 : 3.5);
        if (orders > 400)
            orders = 400;
        put64(rec, F.orders, orders);
        int64_t last_order = -1;
        if (orders > 0) {
            int64_t back = (int64_t)(-log(1.0 - unif(&r)) * (orders > 4 ? 45 : 160));
            last_order = today - (back < age ? back : age);
            put32(rec, F.last_order, (int32_t)last_order);
        } else {
            putnull(s, rec, F.last_order);
        }
        double aov = b2b ? 900.0 * exp(normal(&r)) : 55.0 * exp(0.6 * normal(&r));
        int64_t revenue = (int64_t)llround((double)orders * aov * 100.0 *
                                           (0.8 + 0.4 * unif(&r)));
        put64(rec, F.revenue, revenue);
        put64(rec, F.revenue_ytd,
              last_order >= year_start
                  ? (int64_t)((double)revenue * (0.15 + 0.6 * unif(&r)))
                  : 0);
        int64_t cart = unif(&r) < 0.72 ? 0 : 1 + geometric(&r, b2b ? 12 : 2.5);
        put64(rec, F.cart_items, cart);
        if (cart > 0)
            put64(rec, F.cart_updated, today * 86400 - range(&r, 0, 45 * 86400));
        else if (unif(&r) < 0.2)
            put64(rec, F.cart_updated,
                  today * 86400 - range(&r, 46 * 86400, 400 * 86400));
        else
            putnull(s, rec, F.cart_updated);
        u = unif(&r);
        double p = u < 0.6 ? 0.05 : u < 0.9 ? 0.3 : 0.9;
        int64_t coupons = 0;
        for (int64_t k = 0; k < orders; k++)
            coupons += unif(&r) < p;
        put64(rec, F.coupon_orders, coupons);
        if (orders > 0 && unif(&r) > 0.4) {
            double rating = 5.0 - fabs(normal(&r));
            putf(rec, F.avg_rating, rating < 1.0 ? 1.0 : floor(rating * 10) / 10);
        } else {
            putnull(s, rec, F.avg_rating);
        }
        rec[F.newsletter->offset] = unif(&r) < 0.45;
        if (unif(&r) > 0.08) {
            int64_t back = (int64_t)(-log(1.0 - unif(&r)) * 40 * 86400);
            if (back > age * 86400)
                back = age * 86400;
            put64(rec, F.last_login, today * 86400 - back);
        } else {
            putnull(s, rec, F.last_login);
        }
        uint32_t ids[8], k = 0;
        setdict *sd = &d->sets[F.i_tags];
        if (revenue > 500000 || (b2b && revenue > 5000000))
            if (!dict_intern(&sd->elems, "vip", 3, &ids[k++]))
                return false;
        for (int t = (int)geometric(&r, 0.7); t > 0 && k < 4; t--) {
            const char *tag = tag_names[range(&r, 1, 7)];
            if (!dict_intern(&sd->elems, tag, strlen(tag), &ids[k++]))
                return false;
        }
        uint32_t set;
        if (!setdict_intern(sd, ids, k, &set))
            return false;
        put32(rec, F.tags, (int32_t)set);
    }
    return true;
}

/* ---- CSV, for DuckDB --------------------------------------------------------- */

bool bench_write_csv(const dataset *d, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    const schema *s = d->sch;
    for (size_t i = 0; i < s->nfields; i++)
        fprintf(f, "%s%s", i ? "," : "", s->fields[i].name);
    fputc('\n', f);
    char buf[64];
    for (size_t r = 0; r < d->n; r++) {
        const unsigned char *rec = data_record(d, r);
        for (size_t i = 0; i < s->nfields; i++) {
            const schema_field *fl = &s->fields[i];
            if (i)
                fputc(',', f);
            if (schema_is_null(fl, rec, s->null_offset))
                continue;
            switch (fl->ty->kind) {
            case TY_BOOL:
                fputs(rec[fl->offset] ? "true" : "false", f);
                break;
            case TY_INT:
                fprintf(f, "%" PRId64, rec_i64(rec, fl->offset));
                break;
            case TY_MONEY: {
                int64_t v = rec_i64(rec, fl->offset);
                fprintf(f, "%s%" PRId64 ".%02" PRId64, v < 0 ? "-" : "",
                        (v < 0 ? -v : v) / 100, (v < 0 ? -v : v) % 100);
                break;
            }
            case TY_FLOAT:
                fprintf(f, "%.17g", rec_f64(rec, fl->offset));
                break;
            case TY_DATE:
                cal_format_date(rec_i32(rec, fl->offset), buf, sizeof buf);
                fputs(buf, f);
                break;
            case TY_TIMESTAMP:
                cal_format_ts(rec_i64(rec, fl->offset), buf, sizeof buf);
                fputs(buf, f);
                break;
            case TY_STRING: {
                uint32_t id = rec_u32(rec, fl->offset);
                csv_write_field(f, d->dicts[i].s[id], d->dicts[i].len[id]);
                break;
            }
            case TY_ENUM:
                fputs(fl->ty->enm->values[rec_u32(rec, fl->offset)], f);
                break;
            case TY_SET: {
                const setdict *sd = &d->sets[i];
                uint32_t id = rec_u32(rec, fl->offset);
                if (sd->count[id] == 0)
                    fputs("\"\"", f);
                for (uint32_t k = 0; k < sd->count[id]; k++) {
                    uint32_t e = sd->ids[id][k];
                    fprintf(f, "%s%.*s", k ? ";" : "", (int)sd->elems.len[e],
                            sd->elems.s[e]);
                }
                break;
            }
            default:
                break;
            }
        }
        fputc('\n', f);
    }
    return fclose(f) == 0;
}
