{% test email_format(model, column_name, max_rate=0) %}
    {% set malformed = column_name ~ " is not null and not " ~ is_valid_email(column_name) %}
    {{ test_violation_rate(model, column_name, malformed, max_rate) }}
{% endtest %}
