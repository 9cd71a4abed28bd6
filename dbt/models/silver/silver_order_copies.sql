{{ config(materialized='view') }}
select
    *,
    row_number() over (
        partition by order_id
        order by
            (src_filename like 'orders_header/order_dt=' || {{ date_text('order_dt_local') }} || '/%') desc,
            src_filename, src_line asc
    ) as copy_rank
from {{ ref('stg_orders_header') }}
