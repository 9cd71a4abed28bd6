{% test in_range(model, column_name, min_value, max_value, max_rate=0) %}
{{ test_violation_rate(model, column_name,
    column_name ~ " is not null and " ~ column_name ~ " not between " ~ min_value ~ " and " ~ max_value, max_rate) }}
{% endtest %}
