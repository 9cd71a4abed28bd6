select
    d.calendar_date as order_date,
    d.calendar_year as year,
    d.month_number as month,
    d.fiscal_year_au as fiscal_year,
    d.fiscal_period_au as fiscal_period,
    d.is_weekend,
    d.is_holiday_au as is_public_holiday_au,
    h.store_id is not null as is_store_holiday,
    h.holiday_name as store_holiday,
    s.store_name as store,
    s.store_id as store_number,
    s.store_code,
    s.region,
    s.state,
    s.country_code as country,
    f.channel,
    p.category,
    count(distinct f.order_number) as orders,
    count(*) as order_lines,
    cast(sum(f.quantity) as bigint) as units_sold,
    sum(f.line_total_aud) as sales_before_discount_aud,
    sum(f.discount_amount_aud) as discounts_aud,
    sum(f.net_amount_aud) as net_sales_aud,
    sum(f.tax_amount_aud) as tax_aud,
    sum(f.gross_amount_aud) as gross_sales_aud,
    round(sum(f.net_amount_aud) / count(distinct f.order_number), 2) as average_order_value_aud,
    round(sum(f.discount_amount_aud) / nullif(sum(f.line_total_aud), 0), 4) as discount_rate
from {{ ref('fct_sales') }} as f
inner join {{ ref('dim_date') }} as d on f.date_key = d.date_key
inner join {{ ref('dim_store') }} as s on f.store_key = s.store_key
inner join {{ ref('dim_product') }} as p on f.product_key = p.product_key
left join {{ ref('int_store_holidays') }} as h on s.store_id = h.store_id and d.calendar_date = h.holiday_date
group by all
