select * from {{ ref('stg_returns') }}
