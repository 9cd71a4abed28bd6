{#
  Every delivered copy of an order header, ranked: the copy in the file of its own order
  date survives (copy_rank 1; then the earliest file and line). Copies are ranked per
  order_id, so `order_filter` (whole orders) gives the same ranks as ranking all copies:
  an incremental silver_orders ranks only the orders it refreshes.
#}
{% macro ranked_order_copies(order_filter=none) -%}
    select
        *,
        row_number() over (
            partition by order_id
            order by
                (src_filename like 'orders_header/order_dt=' || {{ date_text('order_dt_local') }} || '/%') desc,
                src_filename, src_line asc
        ) as copy_rank
    from {{ ref('stg_orders_header') }}
    {%- if order_filter %}
        where {{ order_filter }}
    {%- endif %}
{%- endmacro %}
