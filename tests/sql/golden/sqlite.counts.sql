-- segc sql: tests/sql/golden/nullable_set.seg, sqlite dialect, as of 2024-03-31T00:00:00Z, member counts
SELECT
  COUNT(*) FILTER (WHERE (instr(';' || "opt" || ';', ';vip;') > 0)) AS "OptHas"
FROM "customers"
exit 0
