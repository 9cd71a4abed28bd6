with injected as (
    select distinct
        source as source_table,
        anomaly_class,
        row_key
    from {{ source('bronze', 'anomaly_log') }}
),

detected as (
    select distinct
        source_table,
        anomaly_class,
        row_key
    from {{ ref('dq_anomaly_detections') }}
),

matched as (
    select
        coalesce(i.source_table, d.source_table) as source_table,
        coalesce(i.anomaly_class, d.anomaly_class) as anomaly_class,
        i.row_key is not null as was_injected,
        d.row_key is not null as was_detected
    from injected as i
    full outer join detected as d
        on i.source_table = d.source_table and i.anomaly_class = d.anomaly_class and i.row_key = d.row_key
)

select
    source_table,
    anomaly_class,
    count(*) filter (where was_injected) as injected,
    count(*) filter (where was_detected) as detected,
    count(*) filter (where was_injected and was_detected) as true_positives,
    count(*) filter (where was_detected and not was_injected) as false_positives,
    count(*) filter (where was_injected and not was_detected) as missed,
    round(
        count(*) filter (where was_injected and was_detected)
        / nullif(count(*) filter (where was_injected), 0), 4
    ) as recall
from matched
group by source_table, anomaly_class
order by source_table, anomaly_class
