-- segc sql: tests/sql/golden/nullable_set.seg, spark dialect, as of 2024-03-31T00:00:00Z, member counts
SELECT
  COUNT(*) FILTER (WHERE array_contains(`opt`, 'vip')) AS `OptHas`
FROM `customers`
exit 0
