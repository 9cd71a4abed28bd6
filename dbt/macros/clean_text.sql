{# Trimmed text with empty strings as typed NULLs. #}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
