{#
  Model contracts on Spark. The contracts' data types are DuckDB's (the default engine);
  Spark names some differently, and its arithmetic gives other types than DuckDB's (a
  decimal literal such as 86400.0 is a DECIMAL in Spark, a DOUBLE in DuckDB; other decimal
  precisions; integer widths). On Spark a contract therefore checks each column's name and
  type family (text, integer, numeric, date, timestamp, boolean); DuckDB checks exact types.
#}
{% macro spark_type(data_type) -%}
    {%- set duckdb_type = data_type | trim | lower -%}
    {%- set spark_names = {
        'varchar': 'string', 'text': 'string', 'varchar[]': 'array<string>', 'integer': 'int',
        'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
    } -%}
    {{- return(spark_names.get(duckdb_type, duckdb_type)) -}}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set spark_columns = {} -%}
    {%- for name, column in columns.items() -%}
        {%- do spark_columns.update({name: dict(column, data_type=spark_type(column['data_type']))}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(spark_columns)) }}
{%- endmacro %}

{% macro spark__format_column(column) -%}
    {%- set data_type = column.dtype | lower -%}
    {%- if data_type.startswith('decimal') or data_type in ('float', 'double') -%}
        {%- set data_type = 'numeric' -%}
    {%- elif data_type in ('tinyint', 'smallint', 'int', 'bigint') -%}
        {%- set data_type = 'integer' -%}
    {%- endif -%}
    {{ return({'name': column.name, 'data_type': data_type, 'formatted': column.column | lower ~ ' ' ~ data_type}) }}
{%- endmacro %}

{#
  Incremental models on Spark. The project's `delete+insert` has no Spark form on Parquet
  (dbt-spark's `merge` needs Delta, which Spark cannot load here): a Spark build is a full
  build (pipelines/spark_build.py starts every build from an empty catalog), where the
  strategy is never applied. An incremental run on Spark stops with this message instead.
#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {% if raw_strategy != 'delete+insert' %}
        {{ return(dbt_spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
    {% endif %}
    {% if load_relation(this) is not none and not should_full_refresh() %}
        {{ exceptions.raise_compiler_error(
            this ~ ": delete+insert needs Delta on Spark (incremental_strategy merge); "
            ~ "rebuild in full: python -m pipelines.spark_build"
        ) }}
    {% endif %}
    {{ return(raw_strategy) }}
{% endmacro %}
