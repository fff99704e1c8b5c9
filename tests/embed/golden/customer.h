/* The record layout of schema Customer, written by `segc layout --c-header`
 * (segc 0.1.0). Do not edit: generate it again when the schema changes.
 *
 * Zero a Customer_record, write each value into its member and set the
 * null bit of each null value (Customer_SET_NULL); an array of them is the
 * packed records segc evaluates (docs/embedding.md). Check Customer_FINGERPRINT
 * against segc_schema_fingerprint() at run time. */
#ifndef SEGC_LAYOUT_CUSTOMER_H
#define SEGC_LAYOUT_CUSTOMER_H

#include <stddef.h>
#include <stdint.h>

#define Customer_RECORD_SIZE 120
#define Customer_RECORD_ALIGN 8
#define Customer_FINGERPRINT UINT64_C(0x5ed350d2e3dfd18e)

typedef struct Customer_record {
    int64_t id; /* int; the key */
    int64_t employees; /* int; null bit Customer_NULL_employees */
    int64_t last_login; /* timestamp: seconds since 1970-01-01T00:00:00Z; null bit Customer_NULL_last_login */
    int64_t orders; /* int */
    int64_t revenue; /* money(EUR): units of 10^-2 EUR */
    int64_t revenue_ytd; /* money(EUR): units of 10^-2 EUR */
    int64_t cart_items; /* int */
    int64_t cart_updated; /* timestamp: seconds since 1970-01-01T00:00:00Z; null bit Customer_NULL_cart_updated */
    int64_t coupon_orders; /* int */
    double avg_rating; /* float; null bit Customer_NULL_avg_rating */
    uint32_t email; /* string: id in the field's dictionary */
    uint32_t country; /* string: id in the field's dictionary */
    uint32_t region; /* enum: Customer_region_* */
    uint32_t account_type; /* enum: Customer_account_type_* */
    uint32_t industry; /* string: id in the field's dictionary; null bit Customer_NULL_industry */
    int32_t signup; /* date: days since 1970-01-01 */
    int32_t last_order; /* date: days since 1970-01-01; null bit Customer_NULL_last_order */
    uint32_t tags; /* set<string>: id in the field's set dictionary */
    uint8_t newsletter; /* 0 or 1 */
    uint8_t segc_nulls[1]; /* bit k of byte k/8: null (Customer_NULL_*) */
    uint8_t segc_pad0[6];
} Customer_record;

/* the values of region */
#define Customer_region_EU 0
#define Customer_region_NA 1
#define Customer_region_APAC 2
#define Customer_region_LATAM 3
#define Customer_region_MEA 4

/* the values of account_type */
#define Customer_account_type_b2b 0
#define Customer_account_type_b2c 1

/* null bits */
#define Customer_NULL_industry 0
#define Customer_NULL_employees 1
#define Customer_NULL_last_login 2
#define Customer_NULL_last_order 3
#define Customer_NULL_cart_updated 4
#define Customer_NULL_avg_rating 5
#define Customer_SET_NULL(rec, bit) \
    ((rec)->segc_nulls[(bit) / 8] |= (uint8_t)(1u << ((bit) % 8)))
#define Customer_IS_NULL(rec, bit) \
    (((rec)->segc_nulls[(bit) / 8] >> ((bit) % 8)) & 1u)

#ifdef __cplusplus
#define SEGC_LAYOUT_ASSERT static_assert
#else
#define SEGC_LAYOUT_ASSERT _Static_assert
#endif
SEGC_LAYOUT_ASSERT(sizeof(Customer_record) == 120,
                   "segc layout: the size of Customer_record");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, id) == 0,
                   "segc layout: the offset of id");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, employees) == 8,
                   "segc layout: the offset of employees");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, last_login) == 16,
                   "segc layout: the offset of last_login");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, orders) == 24,
                   "segc layout: the offset of orders");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, revenue) == 32,
                   "segc layout: the offset of revenue");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, revenue_ytd) == 40,
                   "segc layout: the offset of revenue_ytd");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, cart_items) == 48,
                   "segc layout: the offset of cart_items");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, cart_updated) == 56,
                   "segc layout: the offset of cart_updated");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, coupon_orders) == 64,
                   "segc layout: the offset of coupon_orders");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, avg_rating) == 72,
                   "segc layout: the offset of avg_rating");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, email) == 80,
                   "segc layout: the offset of email");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, country) == 84,
                   "segc layout: the offset of country");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, region) == 88,
                   "segc layout: the offset of region");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, account_type) == 92,
                   "segc layout: the offset of account_type");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, industry) == 96,
                   "segc layout: the offset of industry");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, signup) == 100,
                   "segc layout: the offset of signup");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, last_order) == 104,
                   "segc layout: the offset of last_order");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, tags) == 108,
                   "segc layout: the offset of tags");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, newsletter) == 112,
                   "segc layout: the offset of newsletter");
SEGC_LAYOUT_ASSERT(offsetof(Customer_record, segc_nulls) == 113,
                   "segc layout: the offset of the null bitmap");
#undef SEGC_LAYOUT_ASSERT

#endif /* SEGC_LAYOUT_CUSTOMER_H */
