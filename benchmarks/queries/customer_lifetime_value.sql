-- Customer lifetime value: net sales (AUD) per customer with orders and order span, top 100.
SELECT c.customer_id, c.customer_segment,
       sum(f.net_amount_aud) AS lifetime_value_aud,
       count(DISTINCT f.order_number) AS orders,
       min(f.order_ts) AS first_order, max(f.order_ts) AS last_order
FROM gold.fct_sales AS f
JOIN gold.dim_customer AS c USING (customer_key)
WHERE NOT c.is_unknown
GROUP BY c.customer_id, c.customer_segment
ORDER BY lifetime_value_aud DESC
LIMIT 100
