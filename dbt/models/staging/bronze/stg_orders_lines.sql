with lines as (
    select
        *,
        -- the business rules of a line: every rule it breaks, each with its exact name
        {{ non_null_list([
            "case when qty is null then 'missing_qty' when qty <= 0 then 'non_positive_qty' end",
            "case when unit_price is null then 'missing_price' when unit_price = 0 then 'zero_price'"
            ~ " when unit_price < 0 then 'negative_price' end",
            "case when line_discount_pct is null then 'missing_discount'"
            ~ " when line_discount_pct not between 0 and 1 then 'discount_out_of_range' end",
        ]) }} as quarantine_reasons
    from {{ source('bronze', 'orders_lines') }}
)

select
    order_id,
    line_number,
    product_id,
    qty,
    unit_price,
    line_discount_pct,
    tax_pct,
    -- SPEC's measure definitions (amounts in the order's currency)
    cast(qty * unit_price as decimal(18, 4)) as line_total,
    cast(qty * unit_price * line_discount_pct as decimal(18, 4)) as discount_amount,
    cast(qty * unit_price * (1 - line_discount_pct) as decimal(18, 4)) as net_amount,
    cast(qty * unit_price * (1 - line_discount_pct) * tax_pct as decimal(18, 4)) as tax_amount,
    quarantine_reasons,
    {{ list_length('quarantine_reasons') }} > 0 as is_quarantined,
    -- the local order date of the file the line was delivered in (orders_lines/order_dt=...)
    try_cast(regexp_extract(src_filename, 'order_dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date) as file_order_date,
    {{ audit_columns() }}
from lines
