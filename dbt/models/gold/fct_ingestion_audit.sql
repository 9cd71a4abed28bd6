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
    -- bronze reads the small files of a table in one batch: started_at is when a file's read
    -- began, finished_at when its batch was validated and recorded. A file's time runs to the
    -- next file's start; the batch's last file also carries the validation.
    round(
        {{ date_diff_in('microsecond', 'm.started_at', 'coalesce(lead(m.started_at) over read_batch, m.finished_at)') }}
        / 1000000.0,
        6
    ) as seconds,
    m.sha256
from {{ source('bronze', 'file_manifest') }} as m
window read_batch as (partition by m.load_id, m.table_name, m.finished_at order by m.started_at, m.path)
