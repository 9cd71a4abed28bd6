{{ config(
    materialized='incremental',
    schema='gold',
    unique_key=['run_id', 'table_name', 'check_name', 'check_subject'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
-- One row per check per run, appended: the run id is the scheduled run's (dbt var dq_run_id,
-- or the transform's --run-id, passed in RETAIL_DQ_RUN_ID: read when the model compiles, so a
-- new id does not make dbt parse the project again), else dbt's invocation id. A repeated run
-- replaces its own rows.
{%- set run_id = var('dq_run_id', none) or (env_var('RETAIL_DQ_RUN_ID', '') if execute else '') or invocation_id %}
{%- set fact_tables = ['fct_sales', 'fct_returns', 'fct_shipments', 'fct_sensor_readings'] %}

with rejection as (
    select
        source_table as table_name,
        'rejection_rate' as check_name,
        '' as check_subject,
        cast(rejection_rate as double) as measured_value,
        rows_processed as sample_rows
    from {{ ref('vw_data_quality_dashboard') }}
    where is_latest_load
),

freshness as (
    select
        source_table as table_name,
        'freshness_hours' as check_name,
        '' as check_subject,
        cast(hours_since_load as double) as measured_value,
        cast(null as bigint) as sample_rows
    from {{ ref('vw_data_quality_dashboard') }}
    where is_latest_load
),

foreign_keys as (
    select
        'silver_orders' as table_name,
        'fk_violation_rate' as check_name,
        'customer_id, store_id' as check_subject,
        avg(cast(is_customer_orphan or is_store_orphan as double)) as measured_value,
        count(*) as sample_rows
    from {{ ref('silver_orders') }}
    union all
    select
        'silver_order_lines' as table_name,
        'fk_violation_rate' as check_name,
        'product_id' as check_subject,
        (
            (select count(*) filter (where is_product_orphan) from {{ ref('silver_order_lines') }})
            + (select count(*) filter (where is_product_orphan) from {{ ref('silver_quarantined_order_lines') }})
        ) / nullif(
            (select count(*) from {{ ref('silver_order_lines') }})
            + (select count(*) from {{ ref('silver_quarantined_order_lines') }}), 0
        ) as measured_value,
        (select count(*) from {{ ref('silver_order_lines') }})
        + (select count(*) from {{ ref('silver_quarantined_order_lines') }}) as sample_rows
),

completeness as (
    select
        source_table as table_name,
        'completeness' as check_name,
        column_name as check_subject,
        cast(completeness as double) as measured_value,
        total_rows as sample_rows
    from {{ ref('vw_data_completeness') }}
),

duplicates as (
    select
        'orders_header' as table_name,
        'duplicate_rate' as check_name,
        'order_id' as check_subject,
        avg(cast(copy_rank > 1 as double)) as measured_value,
        count(*) as sample_rows
    from {{ ref('silver_order_copies') }}
    union all
    select
        'customers' as table_name,
        'duplicate_rate' as check_name,
        'natural_key' as check_subject,
        avg(cast(is_duplicate_registration as double)) as measured_value,
        count(*) as sample_rows
    from {{ ref('silver_customer_id_map') }}
),

recall as (
    select
        source_table as table_name,
        'anomaly_recall' as check_name,
        anomaly_class as check_subject,
        cast(recall as double) as measured_value,
        injected as sample_rows
    from {{ ref('dq_anomaly_reconciliation') }}
    where injected > 0
),

row_counts as (
    {% for table in fact_tables %}
        select
            '{{ table }}' as table_name,
            'row_count' as check_name,
            '' as check_subject,
            cast(count(*) as double) as measured_value,
            cast(null as bigint) as sample_rows
        from {{ ref(table) }}
        {{ "union all" if not loop.last }}
    {% endfor %}
),

{% if is_incremental() %}
    previous_run as (
        select run_id
        from {{ this }}
        where run_id <> '{{ run_id }}'
        order by run_at desc
        limit 1
    ),

    drift as (
        select
            c.table_name,
            'row_count_drift' as check_name,
            '' as check_subject,
            round((c.measured_value - p.measured_value) / nullif(p.measured_value, 0), 6) as measured_value,
            cast(null as bigint) as sample_rows
        from row_counts as c
        inner join {{ this }} as p
            on
                c.table_name = p.table_name
                and p.check_name = 'row_count'
                and p.run_id = (select previous_run.run_id from previous_run)
    ),
{% else %}
    drift as (
        -- the first run has nothing to compare with
        select * from row_counts
        where false
    ),
{% endif %}

measured as (
    select * from rejection
    union all
    select * from freshness
    union all
    select * from foreign_keys
    union all
    select * from completeness
    union all
    select * from duplicates
    union all
    select * from recall
    union all
    select * from row_counts
    union all
    select * from drift
),

thresholds as (
    select
        m.*,
        coalesce(own.warn_min, all_tables.warn_min) as warn_min,
        coalesce(own.warn_max, all_tables.warn_max) as warn_max,
        coalesce(own.alert_min, all_tables.alert_min) as alert_min,
        coalesce(own.alert_max, all_tables.alert_max) as alert_max,
        coalesce(own.min_sample_rows, all_tables.min_sample_rows) as min_sample_rows
    from measured as m
    left join {{ ref('dq_thresholds') }} as own
        on m.check_name = own.check_name and m.table_name = own.table_name
    left join {{ ref('dq_thresholds') }} as all_tables
        on m.check_name = all_tables.check_name and all_tables.table_name = '*' and own.check_name is null
)

select
    cast('{{ run_id }}' as {{ engine_type('varchar') }}) as run_id,
    cast('{{ run_started_at }}' as {{ engine_type('timestamp with time zone') }}) as run_at,
    cast(table_name as {{ engine_type('varchar') }}) as table_name,
    cast(check_name as {{ engine_type('varchar') }}) as check_name,
    cast(check_subject as {{ engine_type('varchar') }}) as check_subject,
    cast(measured_value as double) as measured_value,
    cast(sample_rows as bigint) as sample_rows,
    cast(warn_min as double) as warn_min,
    cast(warn_max as double) as warn_max,
    cast(alert_min as double) as alert_min,
    cast(alert_max as double) as alert_max,
    cast(case
        -- nothing measured, or too few rows for a rate to mean anything (one bad row in ten)
        when measured_value is null or sample_rows < min_sample_rows then 'OK'
        when measured_value < alert_min or measured_value > alert_max then 'ALERT'
        when measured_value < warn_min or measured_value > warn_max then 'WARNING'
        else 'OK'
    end as {{ engine_type('varchar') }}) as status
from thresholds
