select {{ customer_columns() }}
from {{ source('bronze', 'customers') }}
