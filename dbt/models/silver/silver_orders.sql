{{ config(materialized='incremental', unique_key='order_id', incremental_strategy='delete+insert') }}
-- Incremental: orders touched by newer bronze loads (a copy, lines, their customer or store)
-- are re-ranked over all their copies and their references checked again.
{{ refresh_scope_depends_on() }}
{#- an incremental build ranks only the copies of the orders it refreshes (not every copy, then filtered) #}
{%- set order_copies = '(' ~ ranked_order_copies('order_id in (select touched.order_id from touched)') ~ ')'
    if is_incremental() else ref('silver_order_copies') %}
with
{% if is_incremental() -%}
    touched as (
        {{ orders_to_refresh() }}
    ),

{% endif -%}
totals as (
    -- order totals over the lines that obey the business rules (quarantined lines excluded)
    select
        order_id,
        count(*) as order_line_count,
        sum(net_amount) as order_net_amount,
        sum(tax_amount) as order_tax_amount,
        sum(net_amount + tax_amount) as order_gross_amount
    from {{ ref('stg_orders_lines') }}
    where
        not is_quarantined
        {% if is_incremental() -%} and order_id in (select touched.order_id from touched) {%- endif %}
    group by order_id
)

select
    {{ star_except(ref('silver_order_copies'), ['copy_rank'], 'o') }},
    coalesce(t.order_line_count, 0) as order_line_count,
    coalesce(t.order_net_amount, 0) as order_net_amount,
    coalesce(t.order_tax_amount, 0) as order_tax_amount,
    coalesce(t.order_gross_amount, 0) as order_gross_amount,
    cm.survivor_customer_id,
    cm.customer_id is null and rc.key_value is null as is_customer_orphan,
    cm.customer_id is null and rc.key_value is not null as is_customer_rejected_in_bronze,
    s.store_id is null and rs.key_value is null as is_store_orphan,
    s.store_id is null and rs.key_value is not null as is_store_rejected_in_bronze
from {{ order_copies }} as o
left join totals as t on o.order_id = t.order_id
left join {{ ref('silver_customer_id_map') }} as cm on o.customer_id = cm.customer_id
left join {{ ref('stg_stores') }} as s on o.store_id = s.store_id
{{ join_rejected_keys('customers', 'o.customer_id', 'rc') }}
{{ join_rejected_keys('stores', 'o.store_id', 'rs') }}
where
    o.copy_rank = 1
    {% if is_incremental() -%} and o.order_id in (select touched.order_id from touched) {%- endif %}
