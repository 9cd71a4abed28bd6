{{ config(materialized='view') }}
-- Every delivered copy of an order header, ranked: the copy in the file of its own order
-- date survives (then the earliest file and line); re-deliveries rank after it.
select
    *,
    row_number() over (
        partition by order_id
        order by
            (src_filename like 'orders_header/order_dt=' || strftime(order_dt_local, '%Y-%m-%d') || '/%') desc,
            src_filename, src_line asc
    ) as copy_rank
from {{ ref('stg_orders_header') }}
