select
    f.carrier,
    cast(date_trunc('month', {{ utc_timestamp('f.shipped_at') }}) as date) as ship_month,
    f.sla_days,
    count(*) as shipments,
    count(*) filter (where not f.is_in_transit) as delivered,
    count(*) filter (where f.on_time_flag) as delivered_on_time,
    count(*) filter (where f.sla_status = 'late') as delivered_late,
    count(*) filter (where f.is_in_transit) as in_transit,
    count(*) filter (where f.sla_status = 'overdue') as overdue_in_transit,
    round(count(*) filter (where f.on_time_flag) / nullif(count(f.on_time_flag), 0), 4) as on_time_rate,
    round(avg(f.delivery_days), 2) as average_delivery_days,
    round({{ continuous_quantile('f.delivery_days', 0.9) }}, 2) as p90_delivery_days,
    sum(f.shipping_cost_aud) as shipping_cost_aud,
    round(avg(f.shipping_cost_aud), 2) as average_shipping_cost_aud
from {{ ref('fct_shipments') }} as f
group by all
