{# The whole of `value` matches `pattern` (false for NULL). #}
{% macro regex_full_match(value, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'retail_lakehouse')(value, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_full_match(value, pattern) -%}
    coalesce(regexp_full_match({{ value }}, '{{ pattern }}'), false)
{%- endmacro %}

{# Spark's string literals read backslash escapes: the pattern's backslashes are doubled. #}
{% macro spark__regex_full_match(value, pattern) -%}
    coalesce({{ value }} rlike '^(?:{{ pattern | replace("\\", "\\\\") }})$', false)
{%- endmacro %}
