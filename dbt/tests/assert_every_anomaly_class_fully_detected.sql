-- Target: 100% recall and zero false positives for every injected anomaly class.
select *
from {{ ref('dq_anomaly_reconciliation') }}
where recall is distinct from 1 or false_positives > 0
