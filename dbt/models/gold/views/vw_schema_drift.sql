with versions as (
    select
        version as schema_version,
        inserted_at as changed_at,
        {{ as_json('schema') }} as schema_json
    from {{ source('bronze_metadata', '_dlt_version') }}
    where schema_name = 'retail_bronze'
),

tables as (
    select
        schema_version,
        changed_at,
        schema_json,
        {{ unnest_list(json_keys_at('schema_json', ["'tables'"])) }} as table_name
    from versions
),

columns as (
    select
        schema_version,
        changed_at,
        table_name,
        {{ unnest_list(json_keys_at('schema_json', ["'tables'", 'table_name', "'columns'"])) }} as column_name,
        schema_json
    from tables
    where not {{ starts_with('table_name', "'_dlt'") }}
),

typed as (
    select
        schema_version,
        changed_at,
        table_name,
        column_name,
        {{ json_text_at('schema_json', ["'tables'", 'table_name', "'columns'", 'column_name', "'data_type'"]) }}
            as data_type
    from columns
    where not {{ starts_with('column_name', "'_dlt'") }}
),

ordered as (
    select
        schema_version,
        changed_at,
        lag(schema_version) over (order by schema_version) as previous_version
    from versions
),

current_columns as (
    select
        o.schema_version,
        o.changed_at,
        t.table_name,
        t.column_name,
        t.data_type
    from ordered as o
    inner join typed as t on o.schema_version = t.schema_version
    where o.previous_version is not null
),

previous_columns as (
    select
        o.schema_version,
        o.changed_at,
        t.table_name,
        t.column_name,
        t.data_type
    from ordered as o
    inner join typed as t on o.previous_version = t.schema_version
),

compared as (
    select
        coalesce(c.schema_version, p.schema_version) as schema_version,
        coalesce(c.changed_at, p.changed_at) as changed_at,
        coalesce(c.table_name, p.table_name) as table_name,
        coalesce(c.column_name, p.column_name) as column_name,
        c.data_type,
        p.data_type as previous_data_type,
        c.column_name is not null as is_in_version,
        p.column_name is not null as was_in_previous
    from current_columns as c
    full outer join previous_columns as p
        on
            c.schema_version = p.schema_version
            and c.table_name = p.table_name
            and c.column_name = p.column_name
),

previous_tables as (
    select distinct
        schema_version,
        table_name
    from previous_columns
)

select
    d.schema_version,
    d.changed_at,
    d.table_name,
    d.column_name,
    case
        when pt.table_name is null then 'table_added'
        when not d.was_in_previous then 'column_added'
        when not d.is_in_version then 'column_removed'
        else 'type_changed'
    end as change_type,
    d.data_type,
    d.previous_data_type
from compared as d
left join previous_tables as pt on d.schema_version = pt.schema_version and d.table_name = pt.table_name
where not (d.is_in_version and d.was_in_previous and d.data_type is not distinct from d.previous_data_type)
