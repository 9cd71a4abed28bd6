-- Year-over-year growth of net sales (AUD) per store.
WITH yearly AS (
    SELECT s.store_code, s.store_name, d.calendar_year, sum(f.net_amount_aud) AS net_sales_aud
    FROM gold.fct_sales AS f
    JOIN gold.dim_store AS s USING (store_key)
    JOIN gold.dim_date AS d USING (date_key)
    GROUP BY ALL
)
SELECT *,
       lag(net_sales_aud) OVER (PARTITION BY store_code ORDER BY calendar_year) AS previous_year_aud,
       round(net_sales_aud / lag(net_sales_aud) OVER (PARTITION BY store_code ORDER BY calendar_year) - 1, 4) AS yoy_growth
FROM yearly
ORDER BY store_code, calendar_year
