select s.*
from {{ ref('stg_stores') }} as s
inner join {{ ref('silver_store_id_map') }} as m using (store_id)
where not m.is_duplicate_code
