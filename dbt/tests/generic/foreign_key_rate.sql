{# References that point nowhere may not exceed max_rate (SPEC: under 1.5%). #}
{% test foreign_key_rate(model, column_name, to, field, max_rate=0.015) %}
{{ test_violation_rate(model, column_name,
    column_name ~ " is not null and " ~ column_name ~ " not in (select " ~ field ~ " from " ~ to ~ " where " ~ field ~ " is not null)",
    max_rate) }}
{% endtest %}
