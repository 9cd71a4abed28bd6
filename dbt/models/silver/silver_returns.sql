-- Current returns: bronze applies the raw Delta table's upserts and deletes, and this table
-- is rebuilt from it (about 100k rows at full scale), so deleted returns disappear here too.
select * from {{ ref('stg_returns') }}
