-- segc sql: tests/sql/golden/constructs.seg, sqlite dialect, as of 2024-03-31T13:45:10Z
WITH "_segc_l1" AS (
  SELECT "_segc_l0".*,
    ("k" * 2) AS "_segc1",
    (0 - "n") AS "_segc3",
    ("rev" * 80) AS "_segc4",
    ("rev" + 100) AS "_segc5",
    CAST(julianday("d") - 2440587.5 AS INTEGER) AS "_segc6",
    CAST(strftime('%s', "ts") AS INTEGER) AS "_segc10"
  FROM "shop"."customers" AS "_segc_l0"),
"_segc_l2" AS (
  SELECT "_segc_l1".*,
    ("n" + CASE WHEN typeof("_segc1") = 'integer' THEN "_segc1" END) AS "_segc2",
    ((("_segc6" - (-135140)) % 146097 + 146097) % 146097) AS "_segc7",
    ((("_segc10" % 86400) + 86400) % 86400) AS "_segc11"
  FROM "_segc_l1"),
"_segc_l3" AS (
  SELECT "_segc_l2".*,
    date((-135140 + "_segc7") + 2440587.5) AS "_segc8",
    (("_segc10" - "_segc11") / 86400) AS "_segc12"
  FROM "_segc_l2"),
"_segc_l4" AS (
  SELECT "_segc_l3".*,
    date("_segc8", 'start of month', '+1 months') AS "_segc9",
    ((("_segc12" - (-135140)) % 146097 + 146097) % 146097) AS "_segc13"
  FROM "_segc_l3"),
"_segc_l5" AS (
  SELECT "_segc_l4".*,
    date((-135140 + "_segc13") + 2440587.5) AS "_segc14"
  FROM "_segc_l4"),
"_segc_l6" AS (
  SELECT "_segc_l5".*,
    date("_segc14", 'start of month', '+12 months') AS "_segc15"
  FROM "_segc_l5"),
"_segc_l7" AS (
  SELECT "_segc_l6".*,
    ((CAST(julianday(min(date("_segc15", '+' || (CAST(strftime('%d', "_segc14") AS INTEGER) - 1) || ' days'), date("_segc15", '+1 months', '-1 days'))) - 2440587.5 AS INTEGER) + ("_segc12" - (-135140) - "_segc13") + 0) * 86400 + "_segc11") AS "_segc16"
  FROM "_segc_l6"),
"_segc_l8" AS (
  SELECT "_segc_l7".*,
    ((("_segc16" % 86400) + 86400) % 86400) AS "_segc17"
  FROM "_segc_l7"),
"_segc_l9" AS (
  SELECT "_segc_l8".*,
    (("_segc16" - "_segc17") / 86400) AS "_segc18"
  FROM "_segc_l8"),
"_segc_l10" AS (
  SELECT "_segc_l9".*,
    ((("_segc18" - (-135140)) % 146097 + 146097) % 146097) AS "_segc19"
  FROM "_segc_l9"),
"_segc_l11" AS (
  SELECT "_segc_l10".*,
    date((-135140 + "_segc19") + 2440587.5) AS "_segc20"
  FROM "_segc_l10"),
"_segc_l12" AS (
  SELECT "_segc_l11".*,
    date("_segc20", 'start of month', '+1 months') AS "_segc21"
  FROM "_segc_l11")
SELECT
  "id",
  CASE WHEN ("n" > 5) THEN 1 ELSE 0 END AS "IntCmp",
  CASE WHEN (CASE WHEN typeof("_segc2") = 'integer' THEN "_segc2" END > 10) THEN 1 ELSE 0 END AS "IntArith",
  CASE WHEN (CASE WHEN typeof("_segc3") = 'integer' THEN "_segc3" END < 0) THEN 1 ELSE 0 END AS "IntNeg",
  CASE WHEN (NULLIF(NULLIF((CAST("n" AS REAL) / CAST("k" AS REAL)), 9e999), -9e999) > 0.5) THEN 1 ELSE 0 END AS "IntDiv",
  CASE WHEN (NULLIF(NULLIF((NULLIF(NULLIF(("x" * 1.5), 9e999), -9e999) - "x"), 9e999), -9e999) > 2.25) THEN 1 ELSE 0 END AS "FloatArith",
  CASE WHEN ("rev" >= 4999) THEN 1 ELSE 0 END AS "MoneyCmp",
  CASE WHEN (CASE WHEN typeof("_segc4") = 'integer' THEN "_segc4" END > 1000000) THEN 1 ELSE 0 END AS "MoneyPct",
  CASE WHEN (NULLIF(NULLIF((CAST("rev" AS REAL) / CAST(CASE WHEN typeof("_segc5") = 'integer' THEN "_segc5" END AS REAL)), 9e999), -9e999) > 0.5) THEN 1 ELSE 0 END AS "MoneyRatio",
  CASE WHEN ("jpy" IN (100, 200)) THEN 1 ELSE 0 END AS "MoneyJpy",
  CASE WHEN ("s" = 'it''s "q" \ ;') THEN 1 ELSE 0 END AS "StrEq",
  CASE WHEN ("s" IN ('DE', 'AT', NULL)) THEN 1 ELSE 0 END AS "StrIn",
  CASE WHEN ("s" <> 'x') THEN 1 ELSE 0 END AS "StrNe",
  CASE WHEN ("e" = 'gold') THEN 1 ELSE 0 END AS "EnumEq",
  CASE WHEN ("e" IN ('silver', 'gold')) THEN 1 ELSE 0 END AS "EnumOrd",
  CASE WHEN ("e" IN ('bronze', 'gold')) THEN 1 ELSE 0 END AS "EnumIn",
  CASE WHEN ("d" < '2024-01-01') THEN 1 ELSE 0 END AS "DateAge",
  CASE WHEN ("d" >= '2024-02-29') THEN 1 ELSE 0 END AS "DateMonths",
  CASE WHEN ((CAST(julianday(min(date("_segc9", '+' || (CAST(strftime('%d', "_segc8") AS INTEGER) - 1) || ' days'), date("_segc9", '+1 months', '-1 days'))) - 2440587.5 AS INTEGER) + ("_segc6" - (-135140) - "_segc7") + 0) < 19813) THEN 1 ELSE 0 END AS "DateShift",
  CASE WHEN (("d" <= '2024-03-01') AND ("d" >= '2024-01-31')) THEN 1 ELSE 0 END AS "DateBetween",
  CASE WHEN (CAST(strftime('%s', "ts") AS INTEGER) > 1711849510) THEN 1 ELSE 0 END AS "TsAge",
  CASE WHEN (((CAST(julianday(min(date("_segc21", '+' || (CAST(strftime('%d', "_segc20") AS INTEGER) - 1) || ' days'), date("_segc21", '+1 months', '-1 days'))) - 2440587.5 AS INTEGER) + ("_segc18" - (-135140) - "_segc19") + 0) * 86400 + "_segc17") > 1711892710) THEN 1 ELSE 0 END AS "TsShift",
  CASE WHEN ((CAST(julianday("d") - 2440587.5 AS INTEGER) * 86400) < CAST(strftime('%s', "ts") AS INTEGER)) THEN 1 ELSE 0 END AS "DateVsTs",
  CASE WHEN (instr(';' || "tags" || ';', ';vip;') > 0) THEN 1 ELSE 0 END AS "SetHas",
  CASE WHEN (NOT (instr(';' || "tags" || ';', ';vip;') > 0)) THEN 1 ELSE 0 END AS "SetNot",
  CASE WHEN (("n" IS NULL) OR (NOT ("x" IS NULL))) THEN 1 ELSE 0 END AS "IsNull",
  CASE WHEN ((NOT ("b" OR ("n" > 1))) AND ("b" = 1)) THEN 1 ELSE 0 END AS "Logic",
  CASE WHEN 0 THEN 1 ELSE 0 END AS "InEmpty",
  CASE WHEN NULL THEN 1 ELSE 0 END AS "NullConst",
  CASE WHEN 1 THEN 1 ELSE 0 END AS "Constant"
FROM "_segc_l12"
exit 0
