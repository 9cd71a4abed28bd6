with order_rows as (
    -- One row per order and row of the view: orders are counted in two phases so that DuckDB can
    -- spill the work to disk. A count(distinct order_number) per row keeps a hash set of orders
    -- per row in memory, and at scale 3.0 it ran out of the profile's memory_limit
    -- (docs/decisions.md §31). Both phases group by keys, not by the row's text columns (which
    -- need twice the memory); those are joined last, one row of each dimension per key, and a key
    -- has one date (dim_date) and one store id (dim_store).
    select
        f.date_key,
        f.store_key,
        f.channel,
        p.category,
        f.order_number,
        count(*) as order_lines,
        sum(f.quantity) as units_sold,
        sum(f.line_total_aud) as sales_before_discount_aud,
        sum(f.discount_amount_aud) as discounts_aud,
        sum(f.net_amount_aud) as net_sales_aud,
        sum(f.tax_amount_aud) as tax_aud,
        sum(f.gross_amount_aud) as gross_sales_aud
    from {{ ref('fct_sales') }} as f
    inner join {{ ref('dim_product') }} as p on f.product_key = p.product_key
    group by f.date_key, f.store_key, f.channel, p.category, f.order_number
),

sales as (
    select
        date_key,
        store_key,
        channel,
        category,
        -- count(distinct) leaves a null order number out: so does count(order_number)
        count(order_number) as orders,
        cast(sum(order_lines) as bigint) as order_lines,
        cast(sum(units_sold) as bigint) as units_sold,
        sum(sales_before_discount_aud) as sales_before_discount_aud,
        sum(discounts_aud) as discounts_aud,
        sum(net_sales_aud) as net_sales_aud,
        sum(tax_aud) as tax_aud,
        sum(gross_sales_aud) as gross_sales_aud
    from order_rows
    group by date_key, store_key, channel, category
)

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
    f.category,
    f.orders,
    f.order_lines,
    f.units_sold,
    f.sales_before_discount_aud,
    f.discounts_aud,
    f.net_sales_aud,
    f.tax_aud,
    f.gross_sales_aud,
    round(f.net_sales_aud / f.orders, 2) as average_order_value_aud,
    round(f.discounts_aud / nullif(f.sales_before_discount_aud, 0), 4) as discount_rate
from sales as f
inner join {{ ref('dim_date') }} as d on f.date_key = d.date_key
inner join {{ ref('dim_store') }} as s on f.store_key = s.store_key
left join {{ ref('int_store_holidays') }} as h on s.store_id = h.store_id and d.calendar_date = h.holiday_date
