-- segc: table for schema G, spark dialect
CREATE TABLE `customers` (
  `id` BIGINT NOT NULL,
  `n` BIGINT,
  `k` BIGINT NOT NULL,
  `x` DOUBLE,
  `rev` DECIMAL(21, 2),
  `jpy` DECIMAL(19, 0) NOT NULL,
  `s` STRING,
  `e` STRING,
  `d` DATE,
  `ts` TIMESTAMP,
  `b` BOOLEAN,
  `tags` ARRAY<STRING> NOT NULL,
  `opt` ARRAY<STRING>
);
exit 0
