-- segc: table for schema G, sqlite dialect
CREATE TABLE "customers" (
  "id" INTEGER NOT NULL PRIMARY KEY,
  "n" INTEGER,
  "k" INTEGER NOT NULL,
  "x" REAL,
  "rev" INTEGER,
  "jpy" INTEGER NOT NULL,
  "s" TEXT,
  "e" TEXT CHECK ("e" IN ('bronze', 'silver', 'gold')),
  "d" TEXT,
  "ts" TEXT,
  "b" INTEGER,
  "tags" TEXT NOT NULL,
  "opt" TEXT
);
exit 0
