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
    (qty is null or qty <= 0) as is_qty_invalid,
    (unit_price is null or unit_price <= 0) as is_price_invalid,
    (line_discount_pct is null or line_discount_pct not between 0 and 1) as is_discount_invalid,
    {{ audit_columns() }}
from {{ source('bronze', 'orders_lines') }}
