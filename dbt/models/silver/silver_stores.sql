select
    s.*,
    sub.country_code,
    sub.time_zone,
    count(*) over (partition by s.store_code) > 1 as is_store_code_shared,
    s.store_id > min(s.store_id) over (partition by s.store_code) as is_store_code_reused
from {{ ref('stg_stores') }} as s
left join {{ ref('store_subdivisions') }} as sub on s.region = sub.region and s.state = sub.state
