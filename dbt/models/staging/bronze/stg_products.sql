select {{ product_columns() }}
from {{ source('bronze', 'products') }}
