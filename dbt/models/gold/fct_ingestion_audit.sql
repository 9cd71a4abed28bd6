-- Bronze ingestion per file and load (grain: load_id, file_path), from bronze.file_manifest:
-- what each load did with each raw file. seconds is the wall time of the read batch the
-- file was read in (small files share one batch, so they share its time).
select
    m.load_id,
    m.path as file_path,
    m.table_name,
    coalesce(d.date_key, -1) as load_date_key,
    m.status,
    m.reason as status_reason,
    m.rows_read as rows_processed,
    m.rows_loaded,
    m.rows_rejected,
    round(m.rows_rejected / nullif(m.rows_read, 0), 6) as rejection_rate,
    m.size_bytes,
    m.started_at,
    m.finished_at,
    round(date_diff('millisecond', m.started_at, m.finished_at) / 1000.0, 3) as seconds,
    m.sha256
from {{ source('bronze', 'file_manifest') }} as m
left join {{ ref('dim_date') }} as d on d.calendar_date = cast(m.finished_at as date)
