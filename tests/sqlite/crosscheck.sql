-- crosscheck.sql - the segments of examples/rules.seg, written by hand in
-- SQL over examples/customers.csv, as of 2026-11-23T00:00:00Z. The test
-- compares the members with those of `segc run --export`: two independent
-- computations of the same rules must agree record for record.
--
-- Empty CSV cells arrive as '' and become NULL here; money is compared in
-- cents; timestamps are compared as Unix seconds.
.mode csv
.import examples/customers.csv raw
CREATE VIEW c AS SELECT
  CAST(id AS INTEGER) AS id,
  country,
  region,
  account_type,
  NULLIF(industry, '') AS industry,
  CAST(NULLIF(employees, '') AS INTEGER) AS employees,
  signup,
  unixepoch(NULLIF(last_login, '')) AS last_login,
  NULLIF(last_order, '') AS last_order,
  CAST(orders AS INTEGER) AS orders,
  CAST(round(CAST(revenue AS REAL) * 100) AS INTEGER) AS revenue_cents,
  CAST(round(CAST(revenue_ytd AS REAL) * 100) AS INTEGER) AS revenue_ytd_cents,
  CAST(cart_items AS INTEGER) AS cart_items,
  unixepoch(NULLIF(cart_updated, '')) AS cart_updated,
  CAST(coupon_orders AS INTEGER) AS coupon_orders,
  CAST(NULLIF(avg_rating, '') AS REAL) AS avg_rating,
  newsletter = 'true' AS newsletter,
  tags
FROM raw;
CREATE TEMP TABLE t AS SELECT unixepoch('2026-11-23T00:00:00Z') AS as_of,
                              '2026-11-23' AS today;
CREATE TABLE members(segment TEXT, id INTEGER);
INSERT INTO members SELECT 'Dormant', id FROM c, t
  WHERE last_order < date(today, '-90 days') AND orders >= 2;
INSERT INTO members SELECT 'BigSpenders', id FROM c WHERE revenue_cents > 500000;
INSERT INTO members SELECT 'OneTimeBuyers', id FROM c WHERE orders = 1;
INSERT INTO members SELECT 'Prospects', id FROM c, t
  WHERE orders = 0 AND signup > date(today, '-30 days');
INSERT INTO members SELECT 'AbandonedCart', id FROM c, t
  WHERE cart_items > 0 AND cart_updated < as_of - 86400
    AND cart_updated > as_of - 14 * 86400;
INSERT INTO members SELECT 'CouponHunters', id FROM c
  WHERE orders >= 3 AND coupon_orders >= 0.8 * orders;
INSERT INTO members SELECT 'Loyal', id FROM c, t
  WHERE orders >= 5 AND last_order > date(today, '-60 days');
INSERT INTO members SELECT 'DachB2B', id FROM c
  WHERE account_type = 'b2b' AND country IN ('DE', 'AT', 'CH')
    AND employees >= 50;
INSERT INTO members SELECT 'Newsletter', id FROM c, t
  WHERE newsletter AND last_login > as_of - 30 * 86400;
INSERT INTO members SELECT 'Europe50k', id FROM c, t
  WHERE region = 'EU' AND revenue_ytd_cents > 5000000 AND cart_items > 15
    AND last_login < as_of - 14 * 86400;
INSERT INTO members SELECT 'HappyVIPs', id FROM c
  WHERE ';' || tags || ';' LIKE '%;vip;%' AND avg_rating >= 4.5;
.mode list
.separator ,
SELECT segment, id FROM members ORDER BY segment, id;
