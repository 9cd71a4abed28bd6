{% test email_format(model, column_name, max_rate=0) %}
    {{ test_violation_rate(model, column_name, column_name ~ " is not null and not " ~ is_valid_email(column_name), max_rate) }}
{% endtest %}
