select
    *,
    case when is_price_invalid then null else current_price end as valid_price
from {{ ref('stg_products') }}
