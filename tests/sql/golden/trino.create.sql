-- segc: table for schema G, trino dialect
CREATE TABLE "customers" (
  "id" BIGINT NOT NULL,
  "n" BIGINT,
  "k" BIGINT NOT NULL,
  "x" DOUBLE,
  "rev" DECIMAL(21, 2),
  "jpy" DECIMAL(19, 0) NOT NULL,
  "s" VARCHAR,
  "e" VARCHAR,
  "d" DATE,
  "ts" TIMESTAMP(0) WITH TIME ZONE,
  "b" BOOLEAN,
  "tags" ARRAY(VARCHAR) NOT NULL,
  "opt" ARRAY(VARCHAR)
);
exit 0
