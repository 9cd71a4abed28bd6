{# Lineage carried from bronze into every staging model. #}
{% macro audit_columns() -%}
    ingestion_ts, src_filename, src_line, src_row_hash
{%- endmacro %}
