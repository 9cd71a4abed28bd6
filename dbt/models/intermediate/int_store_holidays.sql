select
    s.store_id,
    h.holiday_date,
    {{ sorted_string_agg('h.holiday_name', '; ') }} as holiday_name
from {{ ref('silver_stores') }} as s
inner join {{ ref('public_holidays') }} as h
    on s.country_code = h.country_code and s.state is not distinct from h.subdivision
group by s.store_id, h.holiday_date
