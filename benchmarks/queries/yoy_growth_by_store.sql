-- Year-over-year growth of net sales (AUD) per store over like periods: each year's
-- period is the part of it the data covers, compared with the same dates one year
-- earlier. Growth is NULL when the data does not cover that earlier period in full
-- (the first year, or a partial year at the start of the data).
WITH daily AS (
    SELECT f.store_key, d.calendar_date, sum(f.net_amount_aud) AS net_sales_aud
    FROM gold.fct_sales AS f
    JOIN gold.dim_date AS d USING (date_key)
    GROUP BY ALL
),
data_span AS (
    SELECT min(calendar_date) AS first_day, max(calendar_date) AS last_day FROM daily
),
periods AS (
    SELECT t.year AS calendar_year,
           greatest(make_date(t.year, 1, 1), s.first_day) AS period_start,
           least(make_date(t.year, 12, 31), s.last_day) AS period_end,
           greatest(make_date(t.year, 1, 1), s.first_day) - INTERVAL 1 YEAR >= s.first_day AS has_previous_period
    FROM data_span AS s, range(year(s.first_day), year(s.last_day) + 1) AS t(year)
),
by_period AS (
    SELECT p.calendar_year, p.period_start, p.period_end, p.has_previous_period, daily.store_key,
           sum(daily.net_sales_aud) FILTER (WHERE daily.calendar_date >= p.period_start) AS net_sales_aud,
           sum(daily.net_sales_aud) FILTER (WHERE daily.calendar_date <= p.period_end - INTERVAL 1 YEAR)
               AS previous_period_aud
    FROM periods AS p
    JOIN daily
      ON daily.calendar_date BETWEEN p.period_start - INTERVAL 1 YEAR AND p.period_end
     AND (daily.calendar_date >= p.period_start OR daily.calendar_date <= p.period_end - INTERVAL 1 YEAR)
    GROUP BY ALL
)
SELECT s.store_code, s.store_name, b.calendar_year, b.period_start, b.period_end, b.net_sales_aud,
       CASE WHEN b.has_previous_period THEN coalesce(b.previous_period_aud, 0) END AS previous_period_aud,
       round(b.net_sales_aud / nullif(CASE WHEN b.has_previous_period THEN b.previous_period_aud END, 0) - 1, 4)
           AS yoy_growth
FROM by_period AS b
JOIN gold.dim_store AS s USING (store_key)
WHERE b.net_sales_aud IS NOT NULL
ORDER BY s.store_code, b.store_key, b.calendar_year
