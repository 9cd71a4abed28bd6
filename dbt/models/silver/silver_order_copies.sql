{{ config(materialized='view') }}
select
    *,
    row_number() over (
        partition by order_id
        order by
            (src_filename like 'orders_header/order_dt=' || strftime(order_dt_local, '%Y-%m-%d') || '/%') desc,
            src_filename, src_line asc
    ) as copy_rank
from {{ ref('stg_orders_header') }}
