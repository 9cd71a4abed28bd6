with versions as (
    select
        *,
        lag(current_price) over (partition by product_id order by valid_from) as previous_price,
        row_number() over (partition by product_id order by valid_from) as version_number
    from {{ ref('products_snapshot') }}
)

select
    {{ hash_key(['product_id', 'effective_from']) }} as product_key,
    product_id,
    sku,
    product_name,
    category,
    subcategory,
    case when is_price_invalid then null else current_price end as list_price,
    currency,
    is_discontinued,
    introduced_dt,
    discontinued_dt,
    -- the first version also covers any sale recorded before the product's start date
    case when version_number = 1 then timestamp '1900-01-01' else valid_from end as valid_from,
    valid_to,
    is_current,
    previous_price,
    coalesce(previous_price is not null and current_price <> previous_price, false) as is_price_changed,
    round((current_price - previous_price) / nullif(previous_price, 0), 4) as price_change_pct,
    false as is_unknown
from versions
union all
select
    -1 as product_key,
    null as product_id,
    'UNKNOWN' as sku,
    'Unknown product' as product_name,
    'Unknown' as category,
    'Unknown' as subcategory,
    null as list_price,
    null as currency,
    null as is_discontinued,
    null as introduced_dt,
    null as discontinued_dt,
    timestamp '1900-01-01' as valid_from,
    timestamp '9999-12-31' as valid_to,
    true as is_current,
    null as previous_price,
    false as is_price_changed,
    null as price_change_pct,
    true as is_unknown
