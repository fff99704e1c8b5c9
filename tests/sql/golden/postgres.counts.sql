-- segc sql: tests/sql/golden/nullable_set.seg, postgres dialect, as of 2024-03-31T00:00:00Z, member counts
SELECT
  COUNT(*) FILTER (WHERE ('vip' = ANY("opt"))) AS "OptHas"
FROM "customers"
exit 0
