/* test_layout.c - the record layout API (segc.h, "record layout"):
 * alignment, the null bitmap, field lookup and enum values, on a schema of
 * every type and on edge cases (no nullable field, 9 nullable fields, bad
 * arguments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "segc.h"

static segc_schema *parse(segc_ctx *ctx, const char *text)
{
    segc_schema *s = NULL;
    assert_int_equal(segc_schema_parse(ctx, "t.schema", text, strlen(text),
                                       &s),
                     SEGC_OK);
    return s;
}

static void test_everything(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    segc_schema *s = parse(ctx, "schema E {\n"
                                "  id   : int key\n"
                                "  tier : enum(bronze, silver, gold)\n"
                                "  ok   : bool?\n"
                                "  d    : date\n"
                                "  a    : int?\n"
                                "}\n");
    /* id 0..8, a 8..16, tier 16..20, d 20..24, ok 24, nulls 25, pad to 32 */
    assert_int_equal(segc_schema_record_size(s), 32);
    assert_int_equal(segc_schema_record_align(s), 8);
    assert_int_equal(segc_schema_null_offset(s), 25);
    assert_int_equal(segc_schema_null_bytes(s), 1);

    size_t i = 99;
    assert_int_equal(segc_schema_field_find(s, "tier", &i), SEGC_OK);
    assert_int_equal(i, 1);
    segc_field_info f;
    assert_int_equal(segc_schema_field(s, i, &f), SEGC_OK);
    assert_int_equal(f.offset, 16);
    assert_int_equal(f.type, SEGC_TYPE_ENUM);
    assert_int_equal(segc_schema_enum_count(s, i), 3);
    assert_string_equal(segc_schema_enum_value(s, i, 0), "bronze");
    assert_string_equal(segc_schema_enum_value(s, i, 2), "gold");
    assert_null(segc_schema_enum_value(s, i, 3));

    assert_int_equal(segc_schema_field_find(s, "ok", &i), SEGC_OK);
    assert_int_equal(segc_schema_field(s, i, &f), SEGC_OK);
    assert_int_equal(f.offset, 24);
    assert_int_equal(f.null_bit, 0);
    assert_int_equal(segc_schema_field_find(s, "a", &i), SEGC_OK);
    assert_int_equal(segc_schema_field(s, i, &f), SEGC_OK);
    assert_int_equal(f.null_bit, 1);

    /* not an enum, no such field, bad arguments */
    assert_int_equal(segc_schema_enum_count(s, 0), 0);
    assert_null(segc_schema_enum_value(s, 0, 0));
    assert_int_equal(segc_schema_enum_count(s, 5), 0);
    assert_null(segc_schema_enum_value(s, 5, 0));
    i = 99;
    assert_int_equal(segc_schema_field_find(s, "nope", &i), SEGC_ERR_ARG);
    assert_int_equal(i, 99);
    assert_int_equal(segc_schema_field_find(s, "tie", &i), SEGC_ERR_ARG);
    assert_int_equal(segc_schema_field_find(s, NULL, &i), SEGC_ERR_ARG);
    assert_int_equal(segc_schema_field_find(s, "id", NULL), SEGC_ERR_ARG);
    assert_int_equal(segc_schema_field_find(NULL, "id", &i), SEGC_ERR_ARG);
    assert_int_equal(segc_schema_record_align(NULL), 0);
    assert_int_equal(segc_schema_null_bytes(NULL), 0);
    assert_int_equal(segc_schema_enum_count(NULL, 0), 0);
    segc_schema_free(ctx, s);
    segc_ctx_free(ctx);
}

static void test_null_bitmaps(void **state)
{
    (void)state;
    segc_ctx *ctx = segc_ctx_new(NULL, NULL);
    /* no nullable field: no bitmap; 4-byte values only: aligned to 4 */
    segc_schema *s = parse(ctx, "schema S {\n  id : string key\n"
                                "  d : date\n  b : bool\n}\n");
    assert_int_equal(segc_schema_null_bytes(s), 0);
    assert_int_equal(segc_schema_null_offset(s), 9);
    assert_int_equal(segc_schema_record_align(s), 4);
    assert_int_equal(segc_schema_record_size(s), 12);
    segc_schema_free(ctx, s);
    /* nine nullable bools: two bytes of bitmap after them */
    s = parse(ctx, "schema N {\n  id : int key\n  a : bool?\n  b : bool?\n"
                   "  c : bool?\n  d : bool?\n  e : bool?\n  f : bool?\n"
                   "  g : bool?\n  h : bool?\n  i : bool?\n}\n");
    assert_int_equal(segc_schema_null_offset(s), 17);
    assert_int_equal(segc_schema_null_bytes(s), 2);
    assert_int_equal(segc_schema_record_size(s), 24);
    size_t i;
    segc_field_info f;
    assert_int_equal(segc_schema_field_find(s, "i", &i), SEGC_OK);
    assert_int_equal(segc_schema_field(s, i, &f), SEGC_OK);
    assert_int_equal(f.null_bit, 8);
    assert_int_equal(f.offset, 16);
    segc_schema_free(ctx, s);
    segc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everything),
        cmocka_unit_test(test_null_bitmaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
