-- Share of physically impossible shelf-sensor readings per store.
SELECT s.store_code, s.store_name,
       sum(f.reading_count) AS readings,
       sum(f.out_of_range_count) AS anomalies,
       round(sum(f.out_of_range_count) / sum(f.reading_count), 5) AS anomaly_rate
FROM gold.fct_sensor_readings AS f
JOIN gold.dim_store AS s USING (store_key)
GROUP BY ALL
ORDER BY anomaly_rate DESC
