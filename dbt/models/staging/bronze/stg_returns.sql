select
    return_id,
    order_id,
    product_id,
    return_ts,
    qty,
    {{ clean_text('reason') }} as reason,
    {{ clean_text('return_reason_code') }} as return_reason_code,
    {{ audit_columns() }}
from {{ source('bronze', 'returns') }}
