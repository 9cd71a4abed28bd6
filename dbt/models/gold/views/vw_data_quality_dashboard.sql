with loads as (
    select
        table_name as source_table,
        load_id,
        max(finished_at) as loaded_at,
        count(*) as files,
        cast(sum(rows_processed) as bigint) as rows_processed,
        cast(sum(rows_loaded) as bigint) as rows_loaded,
        cast(sum(rows_rejected) as bigint) as rows_rejected,
        count(*) filter (where status in ('failed', 'rejected')) as files_failed,
        count(*) filter (where status = 'conflict') as files_in_conflict,
        cast(sum(size_bytes) as bigint) as bytes,
        max(finished_at) - min(started_at) as elapsed
    from {{ ref('fct_ingestion_audit') }}
    group by 1, 2
)

select
    source_table,
    loaded_at,
    files,
    rows_processed,
    rows_loaded,
    rows_rejected,
    round(rows_rejected / nullif(rows_processed, 0), 6) as rejection_rate,
    files_failed,
    files_in_conflict,
    round(bytes / 1048576.0, 3) as megabytes,
    round({{ interval_seconds('elapsed') }}, 3) as processing_seconds,
    round({{ interval_seconds('current_timestamp - loaded_at') }} / 3600.0, 1) as hours_since_load,
    loaded_at = max(loaded_at) over (partition by source_table) as is_latest_load,
    case
        when files_failed > 0 or rows_rejected / nullif(rows_processed, 0) > 0.01 then 'ALERT'
        when rows_rejected > 0 or files_in_conflict > 0 then 'WARNING'
        else 'OK'
    end as quality_status
from loads
