-- Products with their quality flags; an invalid price is kept (flagged) so history and
-- references stay intact, and is never used as a price downstream.
select
    *,
    case when is_price_invalid then null else current_price end as valid_price
from {{ ref('stg_products') }}
