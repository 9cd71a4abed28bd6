-- Net sales (AUD) per product category over the last 30 days of data.
SELECT p.category,
       sum(f.net_amount_aud) AS net_sales_aud,
       sum(f.quantity) AS units,
       count(DISTINCT f.order_number) AS orders
FROM gold.fct_sales AS f
JOIN gold.dim_product AS p USING (product_key)
JOIN gold.dim_date AS d USING (date_key)
WHERE d.calendar_date > (SELECT max(order_ts)::DATE - 30 FROM gold.fct_sales)
GROUP BY p.category
ORDER BY net_sales_aud DESC
