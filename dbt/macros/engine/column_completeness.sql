{#
  vw_data_completeness: one row per column of `columns` of `model`, with the model's row
  count and the column's non-null count.
#}
{% macro column_completeness(model, columns) -%}
    {{ return(adapter.dispatch('column_completeness', 'retail_lakehouse')(model, columns)) }}
{%- endmacro %}

{% macro duckdb__column_completeness(model, columns) -%}
    select
        '{{ model }}' as source_table,
        unnest([
            {%- for column in columns %}
                '{{ column }}'{{ "," if not loop.last }}
            {%- endfor %}
        ]) as column_name,
        cast(total_rows as bigint) as total_rows,
        cast(unnest(non_null) as bigint) as non_null_values,
        round(unnest(non_null) / nullif(total_rows, 0), 6) as completeness
    from (
        select
            count(*) as total_rows,
            [
                {%- for column in columns %}
                    count({{ column }}){{ "," if not loop.last }}
                {%- endfor %}
            ] as non_null
        from {{ ref(model) }}
    )
{%- endmacro %}

{% macro spark__column_completeness(model, columns) -%}
    select
        '{{ model }}' as source_table,
        column_name,
        cast(total_rows as bigint) as total_rows,
        cast(non_null as bigint) as non_null_values,
        round(non_null / nullif(total_rows, 0), 6) as completeness
    from (
        select
            total_rows,
            stack({{ columns | length }}
                {%- for column in columns %}, '{{ column }}', non_null_{{ loop.index }}{% endfor %}
            ) as (column_name, non_null)
        from (
            select
                count(*) as total_rows
                {%- for column in columns %}, count({{ column }}) as non_null_{{ loop.index }}{% endfor %}
            from {{ ref(model) }}
        )
    )
{%- endmacro %}
