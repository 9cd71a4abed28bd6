select
    date as rate_date,
    upper({{ clean_text('currency') }}) as currency,
    rate_to_aud,
    {{ audit_columns() }}
from {{ source('bronze', 'exchange_rates') }}
