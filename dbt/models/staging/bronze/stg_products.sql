with source as (
    select * from {{ source('bronze', 'products') }}
)
select
    product_id,
    {{ clean_text('sku') }} as sku,
    {{ clean_text('name') }} as product_name,
    {{ clean_text('category') }} as category,
    {{ clean_text('subcategory') }} as subcategory,
    current_price,
    upper({{ clean_text('currency') }}) as currency,
    coalesce(is_discontinued, false) as is_discontinued,
    introduced_dt,
    discontinued_dt,
    (current_price is null or current_price <= 0) as is_price_invalid,
    (coalesce(is_discontinued, false) and discontinued_dt is null) as is_discontinued_undated,
    {{ effective_from("coalesce(introduced_dt, date '1900-01-01')") }} as effective_from,
    {{ audit_columns() }}
from source
