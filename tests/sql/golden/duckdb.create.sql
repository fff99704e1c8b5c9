-- segc: table for schema G, duckdb dialect
CREATE TABLE "customers" (
  "id" BIGINT NOT NULL PRIMARY KEY,
  "n" BIGINT,
  "k" BIGINT NOT NULL,
  "x" DOUBLE,
  "rev" DECIMAL(21, 2),
  "jpy" DECIMAL(19, 0) NOT NULL,
  "s" VARCHAR,
  "e" VARCHAR CHECK ("e" IN ('bronze', 'silver', 'gold')),
  "d" DATE,
  "ts" TIMESTAMPTZ,
  "b" BOOLEAN,
  "tags" VARCHAR[] NOT NULL,
  "opt" VARCHAR[]
);
exit 0
