select
    supplier_id,
    {{ clean_text('supplier_code') }} as supplier_code,
    {{ clean_text('name') }} as supplier_name,
    upper({{ clean_text('country_code') }}) as country_code,
    lead_time_days,
    coalesce(preferred, false) as is_preferred,
    {{ audit_columns() }}
from {{ source('bronze', 'suppliers') }}
