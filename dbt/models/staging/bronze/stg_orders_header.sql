select
    order_id,
    order_ts,
    {{ utc_date('order_ts') }} as order_date_utc,
    order_dt_local,
    customer_id,
    store_id,
    lower({{ clean_text('channel') }}) as channel,
    lower({{ clean_text('payment_method') }}) as payment_method,
    {{ clean_text('coupon_code') }} as coupon_code,
    upper({{ clean_text('currency') }}) as currency,
    shipping_fee,
    {{ audit_columns() }}
from {{ source('bronze', 'orders_header') }}
