-- segc: table for schema G, bigquery dialect
CREATE TABLE `customers` (
  `id` INT64 NOT NULL,
  `n` INT64,
  `k` INT64 NOT NULL,
  `x` FLOAT64,
  `rev` NUMERIC,
  `jpy` NUMERIC NOT NULL,
  `s` STRING,
  `e` STRING,
  `d` DATE,
  `ts` TIMESTAMP,
  `b` BOOL,
  `tags` ARRAY<STRING>,
  `opt` ARRAY<STRING>
);
exit 0
