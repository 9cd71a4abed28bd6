-- Products as SCD type 2 from snapshots.products_snapshot: one row per version, valid
-- from the business date of the change (the first version from the beginning), with
-- price change indicators; plus the unknown member -1.
with versions as (
    select
        *,
        lag(current_price) over (partition by product_id order by dbt_valid_from) as previous_price
    from {{ ref('products_snapshot') }}
)

select
    (hash(product_id, dbt_valid_from) >> 1)::bigint as product_key,
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
    -- the first version known is taken as valid since the product existed (history
    -- before the first snapshot cannot be reconstructed: bronze upserts products by key)
    case
        when row_number() over (partition by product_id order by dbt_valid_from) = 1
            then timestamp '1900-01-01'
        else dbt_valid_from
    end as valid_from,
    coalesce(dbt_valid_to, timestamp '9999-12-31') as valid_to,
    dbt_valid_to is null as is_current,
    previous_price,
    coalesce(previous_price is not null and current_price <> previous_price, false) as is_price_changed,
    round((current_price - previous_price) / nullif(previous_price, 0), 4) as price_change_pct,
    false as is_unknown
from versions
union all
select
    -1,
    null,
    'UNKNOWN',
    'Unknown product',
    'Unknown',
    'Unknown',
    null,
    null,
    null,
    null,
    null,
    timestamp '1900-01-01',
    timestamp '9999-12-31',
    true,
    null,
    false,
    null,
    true
