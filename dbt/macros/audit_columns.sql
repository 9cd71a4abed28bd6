{# Lineage carried from bronze into every staging model; bronze_load_id drives incremental models. #}
{% macro audit_columns() -%}
    ingestion_ts, src_filename, src_line, src_row_hash, _dlt_load_id as bronze_load_id
{%- endmacro %}
