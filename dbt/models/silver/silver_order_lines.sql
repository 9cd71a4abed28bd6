{{ config(materialized='incremental', unique_key=['order_id', 'line_number'], incremental_strategy='delete+insert') }}
{{ refresh_scope_depends_on() }}
select
    {{ star_except(ref('stg_orders_lines'), ['quarantine_reasons', 'is_quarantined'], 'l') }},
    p.product_id is null and r.key_value is null as is_product_orphan,
    p.product_id is null and r.key_value is not null as is_product_rejected_in_bronze
from {{ ref('stg_orders_lines') }} as l
left join {{ ref('stg_products') }} as p on l.product_id = p.product_id
{{ join_rejected_keys('products', 'l.product_id', 'r') }}
where
    not l.is_quarantined
    and (
        {{ new_bronze_loads('l.bronze_load_id') }}
        -- a product delivered or rejected later: its orphan flags change
        {% if is_incremental() -%} or l.product_id in ({{ products_to_refresh() }}) {%- endif %}
    )
