select
    supplier_id as supplier_key,
    supplier_id,
    supplier_code,
    supplier_name,
    country_code,
    case country_code
        when 'AU' then 'Oceania' when 'NZ' then 'Oceania'
        when 'CN' then 'Asia' when 'JP' then 'Asia' when 'VN' then 'Asia' when 'IN' then 'Asia'
        when 'US' then 'North America' when 'CA' then 'North America'
        when 'DE' then 'Europe' when 'GB' then 'Europe'
        else 'Other'
    end as region,
    lead_time_days,
    case
        when lead_time_days <= 14 then 'tier 1 (<= 14 days)'
        when lead_time_days <= 45 then 'tier 2 (15-45 days)'
        else 'tier 3 (> 45 days)'
    end as supplier_tier,
    is_preferred,
    false as is_unknown
from {{ ref('stg_suppliers') }}
union all
select
    -1 as supplier_key,
    null as supplier_id,
    'UNKNOWN' as supplier_code,
    'Unknown supplier' as supplier_name,
    null as country_code,
    'Unknown' as region,
    null as lead_time_days,
    'unknown' as supplier_tier,
    false as is_preferred,
    true as is_unknown
