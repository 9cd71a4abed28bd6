select
    s.shipment_id,
    s.order_id,
    {{ clean_text('s.carrier') }} as carrier,
    s.shipped_at,
    s.delivered_at,
    s.ship_cost,
    {{ date_diff_in('second', 's.shipped_at', 's.delivered_at') }} / 86400.0 as delivery_days,
    sla.sla_days,
    (s.delivered_at is null) as is_in_transit,
    -- on UTC wall-clock times: a day of the SLA is 24 hours whatever the reader's time zone
    coalesce(
        {{ utc_timestamp('s.delivered_at') }}
        > {{ utc_timestamp('s.shipped_at') }} + {{ days_interval('sla.sla_days') }},
        false
    ) as is_late,
    {{ audit_columns() }}
from {{ source('bronze', 'shipments') }} as s
left join {{ ref('carrier_sla') }} as sla on trim(s.carrier) = sla.carrier
