/* baseline.c - W10 written by hand in C over the packed rows, compiled with
 * the project's normal flags (-O2, no -march=native): the yardstick the JIT
 * must at least match. Field offsets come from the schema's layout, cut-offs
 * are computed once, string constants are looked up in the dictionaries
 * once, and each record is tested with short-circuit conditions. */
#include "bench.h"
#include "value.h"

static uint32_t off(const schema *s, const char *name)
{
    return s->fields[schema_find(s, name, strlen(name))].offset;
}

static int nbit(const schema *s, const char *name)
{
    return s->fields[schema_find(s, name, strlen(name))].null_bit;
}

static uint32_t str_id(const dataset *d, const char *field, const char *v)
{
    uint32_t id;
    int f = schema_find(d->sch, field, strlen(field));
    return dict_find(&d->dicts[f], v, strlen(v), &id) ? id : UINT32_MAX;
}

static uint32_t enum_id(const schema *s, const char *field, const char *v)
{
    const schema_field *f = &s->fields[schema_find(s, field, strlen(field))];
    for (uint32_t i = 0; i < f->ty->enm->n; i++)
        if (strcmp(f->ty->enm->values[i], v) == 0)
            return i;
    return UINT32_MAX;
}

#define ISNULL(rec, bit) ((rec)[no + (bit) / 8] >> ((bit) % 8) & 1)

void baseline_w10(const dataset *d, int64_t as_of, uint64_t *const out[10])
{
    const schema *s = d->sch;
    const uint32_t o_last_order = off(s, "last_order"), o_orders = off(s, "orders"),
                   o_revenue = off(s, "revenue"), o_signup = off(s, "signup"),
                   o_cart = off(s, "cart_items"), o_cart_upd = off(s, "cart_updated"),
                   o_coupons = off(s, "coupon_orders"), o_acct = off(s, "account_type"),
                   o_country = off(s, "country"), o_emp = off(s, "employees"),
                   o_news = off(s, "newsletter"), o_login = off(s, "last_login"),
                   o_region = off(s, "region"), o_ytd = off(s, "revenue_ytd");
    const int n_last_order = nbit(s, "last_order"), n_cart_upd = nbit(s, "cart_updated"),
              n_emp = nbit(s, "employees"), n_login = nbit(s, "last_login");
    const uint32_t no = s->null_offset, rs = s->record_size;
    const uint32_t b2b = enum_id(s, "account_type", "b2b"),
                   eu = enum_id(s, "region", "EU");
    const uint32_t de = str_id(d, "country", "DE"), at = str_id(d, "country", "AT"),
                   ch = str_id(d, "country", "CH");
    const int64_t today = cal_floor_div(as_of, 86400);
    const int64_t d90 = today - 90, d30 = today - 30, d60 = today - 60;
    const int64_t t1d = as_of - 86400, t14d = as_of - 14 * 86400,
                  t30d = as_of - 30 * 86400;

    uint64_t w[10] = {0};
    for (size_t i = 0; i < d->n; i++) {
        const unsigned char *r = d->records + i * rs;
        int64_t orders = rec_i64(r, o_orders), cart = rec_i64(r, o_cart);
        bool lo_ok = !ISNULL(r, n_last_order), login_ok = !ISNULL(r, n_login);
        int32_t last_order = rec_i32(r, o_last_order);
        int64_t login = rec_i64(r, o_login);
        uint64_t bit = UINT64_C(1) << (i & 63);
        if (lo_ok && last_order < d90 && orders >= 2)
            w[0] |= bit;
        if (rec_i64(r, o_revenue) > 500000)
            w[1] |= bit;
        if (orders == 1)
            w[2] |= bit;
        if (orders == 0 && rec_i32(r, o_signup) > d30)
            w[3] |= bit;
        if (cart > 0 && !ISNULL(r, n_cart_upd)) {
            int64_t cu = rec_i64(r, o_cart_upd);
            if (cu < t1d && cu > t14d)
                w[4] |= bit;
        }
        if (orders >= 3 && (double)rec_i64(r, o_coupons) >= 0.8 * (double)orders)
            w[5] |= bit;
        if (orders >= 5 && lo_ok && last_order > d60)
            w[6] |= bit;
        if (rec_u32(r, o_acct) == b2b) {
            uint32_t c = rec_u32(r, o_country);
            if ((c == de || c == at || c == ch) && !ISNULL(r, n_emp) &&
                rec_i64(r, o_emp) >= 50)
                w[7] |= bit;
        }
        if (r[o_news] && login_ok && login > t30d)
            w[8] |= bit;
        if (rec_u32(r, o_region) == eu && rec_i64(r, o_ytd) > 5000000 &&
            cart > 15 && login_ok && login < t14d)
            w[9] |= bit;
        if ((i & 63) == 63 || i + 1 == d->n) {
            for (int k = 0; k < 10; k++) {
                out[k][i / 64] = w[k];
                w[k] = 0;
            }
        }
    }
}
