-- stg_stores flags exactly the stores whose delivered coordinates are impossible (read
-- from bronze here), and passes on no impossible coordinate: a store with a latitude
-- outside -90..90 or a longitude outside -180..180 must be flagged and nulled.
select
    delivered.store_id,
    delivered.latitude as delivered_latitude,
    delivered.longitude as delivered_longitude,
    stg.latitude,
    stg.longitude,
    stg.is_coordinates_invalid
from {{ source('bronze', 'stores') }} as delivered
inner join {{ ref('stg_stores') }} as stg on delivered.store_id = stg.store_id
where
    stg.is_coordinates_invalid
    is distinct from (abs(delivered.latitude) > 90 or abs(delivered.longitude) > 180)
    or abs(stg.latitude) > 90
    or abs(stg.longitude) > 180
