{{ config(materialized='incremental', unique_key=['order_number', 'line_number'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}
-- Incremental (docs/decisions.md §28): lines of newer bronze loads, and the old lines whose
-- keys those loads can change (their order, its customer or store, their product), or whose
-- exchange rate a newer load delivered (a corrected or late rate).
{{ refresh_scope_depends_on() }}
select
    l.order_id as order_number,
    l.line_number,
    -- -1 only for a broken reference: a missing order (no date, customer, store or
    -- currency), an orphan product; otherwise the key is taken without a fallback, so the
    -- not_null and relationships tests fail when a dimension lacks the row
    case when o.order_id is null then -1 else o.order_date_key end as date_key,
    case when o.order_id is null then -1 else o.customer_key end as customer_key,
    case when l.is_product_orphan or l.is_product_rejected_in_bronze then -1 else p.product_key end as product_key,
    case when o.order_id is null then -1 else o.store_key end as store_key,
    o.order_ts,
    o.channel,
    o.currency,
    l.qty as quantity,
    l.unit_price,
    l.line_total,
    l.discount_amount,
    l.net_amount,
    l.tax_amount,
    l.net_amount + l.tax_amount as gross_amount,
    o.rate_to_aud,
    cast(l.line_total * o.rate_to_aud as decimal(18, 4)) as line_total_aud,
    cast(l.discount_amount * o.rate_to_aud as decimal(18, 4)) as discount_amount_aud,
    cast(l.net_amount * o.rate_to_aud as decimal(18, 4)) as net_amount_aud,
    cast(l.tax_amount * o.rate_to_aud as decimal(18, 4)) as tax_amount_aud,
    cast((l.net_amount + l.tax_amount) * o.rate_to_aud as decimal(18, 4)) as gross_amount_aud,
    greatest(l.bronze_load_id, o.bronze_load_id) as bronze_load_id
from {{ ref('silver_order_lines') }} as l
left join {{ ref('int_order_keys') }} as o on l.order_id = o.order_id
-- the product version valid when the order was placed; for a line whose order header is
-- missing, at the start of the order date of the file the line came in
left join {{ ref('dim_product') }} as p
    on
        l.product_id = p.product_id
        and coalesce(o.order_ts_utc, cast(l.file_order_date as timestamp)) >= p.valid_from
        and coalesce(o.order_ts_utc, cast(l.file_order_date as timestamp)) < p.valid_to
{% if is_incremental() -%}
    where
        {{ new_bronze_loads('l.bronze_load_id') }}
        or l.order_id in ({{ orders_to_refresh() }})
        or l.product_id in ({{ products_to_refresh() }})
        or {{ new_bronze_loads('o.rate_bronze_load_id') }}
{%- endif %}
