select
    source_table,
    anomaly_class,
    injected,
    detected,
    true_positives,
    false_positives,
    missed,
    recall,
    case
        when missed = 0 and false_positives = 0 then 'OK'
        when recall >= 0.99 then 'WARNING'
        else 'ALERT'
    end as detection_status
from {{ ref('dq_anomaly_reconciliation') }}
