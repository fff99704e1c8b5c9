-- segc: table for schema G, postgres dialect
CREATE TABLE "customers" (
  "id" BIGINT NOT NULL PRIMARY KEY,
  "n" BIGINT,
  "k" BIGINT NOT NULL,
  "x" DOUBLE PRECISION,
  "rev" NUMERIC(21, 2),
  "jpy" NUMERIC(19, 0) NOT NULL,
  "s" TEXT,
  "e" TEXT CHECK ("e" IN ('bronze', 'silver', 'gold')),
  "d" DATE,
  "ts" TIMESTAMPTZ,
  "b" BOOLEAN,
  "tags" TEXT[] NOT NULL,
  "opt" TEXT[]
);
exit 0
