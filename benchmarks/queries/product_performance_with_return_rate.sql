-- Units sold, net sales (AUD), units returned and return rate per product.
WITH sold AS (
    SELECT p.product_id, sum(f.quantity) AS units_sold, sum(f.net_amount_aud) AS net_sales_aud
    FROM gold.fct_sales AS f JOIN gold.dim_product AS p USING (product_key)
    GROUP BY 1
),
returned AS (
    SELECT p.product_id, sum(r.returned_quantity) AS units_returned
    FROM gold.fct_returns AS r JOIN gold.dim_product AS p USING (product_key)
    GROUP BY 1
)
SELECT p.sku, p.product_name, p.category, s.units_sold, s.net_sales_aud,
       coalesce(r.units_returned, 0) AS units_returned,
       round(coalesce(r.units_returned, 0) / s.units_sold, 4) AS return_rate
FROM sold AS s
JOIN gold.dim_product AS p ON p.product_id = s.product_id AND p.is_current
LEFT JOIN returned AS r ON r.product_id = s.product_id
ORDER BY return_rate DESC
