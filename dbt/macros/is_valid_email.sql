{# A well-formed address: local part, one @, a domain with at least one dot. #}
{% macro is_valid_email(column) -%}
    {{ regex_full_match(column, '[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+') }}
{%- endmacro %}
