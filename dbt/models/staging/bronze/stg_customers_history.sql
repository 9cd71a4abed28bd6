select {{ customer_columns() }}
from {{ source('bronze', 'customers_history') }}
