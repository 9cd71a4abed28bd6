{#
  On Spark, the tables the project reads but does not build (bronze's sources, the
  holidays calendar) are declared over Parquet folders: the var `spark_tables` maps
  "schema.table" to a folder (pipelines/spark_build.py passes the bronze lake's). Every
  file under the folder is read (partition folders included; the partition columns are in
  the files), and files written by different loads are merged by column name.
#}
{% macro declare_lake_tables() -%}
    {{ return(adapter.dispatch('declare_lake_tables', 'retail_lakehouse')()) }}
{%- endmacro %}

{% macro duckdb__declare_lake_tables() -%}
{%- endmacro %}

{% macro spark__declare_lake_tables() -%}
    {%- set tables = var('spark_tables', {}) -%}
    {%- if execute and not tables -%}
        {{ exceptions.raise_compiler_error(
            "the spark target reads bronze from the lake: run it through `python -m pipelines.spark_build`"
        ) }}
    {%- endif -%}
    {%- for name, folder in tables.items() -%}
        {%- do run_query("create database if not exists " ~ name.split('.')[0]) -%}
        {%- do run_query("drop table if exists " ~ name) -%}
        {%- do run_query(
            "create table " ~ name ~ " using parquet options (path '" ~ folder ~ "', "
            ~ "recursiveFileLookup 'true', mergeSchema 'true')"
        ) -%}
    {%- endfor -%}
{%- endmacro %}
