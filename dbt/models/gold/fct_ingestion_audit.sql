select
    m.load_id,
    m.path as file_path,
    m.table_name,
    {{ date_key(utc_date('m.finished_at')) }} as load_date_key,
    m.status,
    m.reason as status_reason,
    m.rows_read as rows_processed,
    m.rows_loaded,
    m.rows_rejected,
    round(m.rows_rejected / nullif(m.rows_read, 0), 6) as rejection_rate,
    m.size_bytes,
    m.started_at,
    m.finished_at,
    -- bronze reads small files together: the time is the read batch's, shared by its files
    round(date_diff('millisecond', m.started_at, m.finished_at) / 1000.0, 3) as batch_seconds,
    count(*) over (partition by m.load_id, m.table_name, m.started_at, m.finished_at) as batch_file_count,
    m.sha256
from {{ source('bronze', 'file_manifest') }} as m
