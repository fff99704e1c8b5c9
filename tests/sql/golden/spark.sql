-- segc sql: tests/sql/golden/constructs.seg, spark dialect, as of 2024-03-31T13:45:10Z
WITH `_segc_l1` AS (
  SELECT `_segc_l0`.*,
    unix_seconds(`ts`) AS `_segc1`
  FROM `shop`.`customers` AS `_segc_l0`),
`_segc_l2` AS (
  SELECT `_segc_l1`.*,
    (((`_segc1` % 86400) + 86400) % 86400) AS `_segc2`
  FROM `_segc_l1`),
`_segc_l3` AS (
  SELECT `_segc_l2`.*,
    (CAST(unix_date(add_months(date_from_unix_date(CAST(((`_segc1` - `_segc2`) div 86400) AS INT)), 12)) AS BIGINT) * 86400 + `_segc2`) AS `_segc3`
  FROM `_segc_l2`),
`_segc_l4` AS (
  SELECT `_segc_l3`.*,
    (((`_segc3` % 86400) + 86400) % 86400) AS `_segc4`
  FROM `_segc_l3`)
SELECT
  `id`,
  CASE WHEN (`n` > 5) THEN TRUE ELSE FALSE END AS `IntCmp`,
  CASE WHEN (try_add(`n`, try_multiply(`k`, 2)) > 10) THEN TRUE ELSE FALSE END AS `IntArith`,
  CASE WHEN (try_subtract(0, `n`) < 0) THEN TRUE ELSE FALSE END AS `IntNeg`,
  CASE WHEN (NULLIF(NULLIF((CAST(`n` AS DOUBLE) / NULLIF(CAST(`k` AS DOUBLE), 0)), CAST('Infinity' AS DOUBLE)), -CAST('Infinity' AS DOUBLE)) > 0.5D) THEN TRUE ELSE FALSE END AS `IntDiv`,
  CASE WHEN (NULLIF(NULLIF((NULLIF(NULLIF((`x` * 1.5D), CAST('Infinity' AS DOUBLE)), -CAST('Infinity' AS DOUBLE)) - (`x`)), CAST('Infinity' AS DOUBLE)), -CAST('Infinity' AS DOUBLE)) > 2.25D) THEN TRUE ELSE FALSE END AS `FloatArith`,
  CASE WHEN (`rev` >= 49.99) THEN TRUE ELSE FALSE END AS `MoneyCmp`,
  CASE WHEN (try_multiply(CAST(`rev` * 100 AS BIGINT), 80) > 1000000) THEN TRUE ELSE FALSE END AS `MoneyPct`,
  CASE WHEN (NULLIF(NULLIF((CAST(CAST(`rev` * 100 AS BIGINT) AS DOUBLE) / NULLIF(CAST(try_add(CAST(`rev` * 100 AS BIGINT), 100) AS DOUBLE), 0)), CAST('Infinity' AS DOUBLE)), -CAST('Infinity' AS DOUBLE)) > 0.5D) THEN TRUE ELSE FALSE END AS `MoneyRatio`,
  CASE WHEN (`jpy` IN (100, 200)) THEN TRUE ELSE FALSE END AS `MoneyJpy`,
  CASE WHEN (`s` = 'it\'s "q" \\ ;') THEN TRUE ELSE FALSE END AS `StrEq`,
  CASE WHEN (`s` IN ('DE', 'AT', NULL)) THEN TRUE ELSE FALSE END AS `StrIn`,
  CASE WHEN (`s` <> 'x') THEN TRUE ELSE FALSE END AS `StrNe`,
  CASE WHEN (`e` = 'gold') THEN TRUE ELSE FALSE END AS `EnumEq`,
  CASE WHEN (`e` IN ('silver', 'gold')) THEN TRUE ELSE FALSE END AS `EnumOrd`,
  CASE WHEN (`e` IN ('bronze', 'gold')) THEN TRUE ELSE FALSE END AS `EnumIn`,
  CASE WHEN (`d` < DATE '2024-01-01') THEN TRUE ELSE FALSE END AS `DateAge`,
  CASE WHEN (`d` >= DATE '2024-02-29') THEN TRUE ELSE FALSE END AS `DateMonths`,
  CASE WHEN (add_months(`d`, 1) < DATE '2024-03-31') THEN TRUE ELSE FALSE END AS `DateShift`,
  CASE WHEN ((`d` <= DATE '2024-03-01') AND (`d` >= DATE '2024-01-31')) THEN TRUE ELSE FALSE END AS `DateBetween`,
  CASE WHEN (`ts` > TIMESTAMP '2024-03-31 01:45:10+00:00') THEN TRUE ELSE FALSE END AS `TsAge`,
  CASE WHEN ((CAST(unix_date(add_months(date_from_unix_date(CAST(((`_segc3` - `_segc4`) div 86400) AS INT)), 1)) AS BIGINT) * 86400 + `_segc4`) > 1711892710) THEN TRUE ELSE FALSE END AS `TsShift`,
  CASE WHEN ((CAST(unix_date(`d`) AS BIGINT) * 86400) < unix_seconds(`ts`)) THEN TRUE ELSE FALSE END AS `DateVsTs`,
  CASE WHEN array_contains(`tags`, 'vip') THEN TRUE ELSE FALSE END AS `SetHas`,
  CASE WHEN (NOT array_contains(`tags`, 'vip')) THEN TRUE ELSE FALSE END AS `SetNot`,
  CASE WHEN ((`n` IS NULL) OR (NOT (`x` IS NULL))) THEN TRUE ELSE FALSE END AS `IsNull`,
  CASE WHEN ((NOT (`b` OR (`n` > 1))) AND (`b` = TRUE)) THEN TRUE ELSE FALSE END AS `Logic`,
  CASE WHEN FALSE THEN TRUE ELSE FALSE END AS `InEmpty`,
  CASE WHEN NULL THEN TRUE ELSE FALSE END AS `NullConst`,
  CASE WHEN TRUE THEN TRUE ELSE FALSE END AS `Constant`
FROM `_segc_l4`
exit 0
