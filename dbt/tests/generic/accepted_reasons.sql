{# A list of reasons: not empty, and every reason one of `values`. #}
{% test accepted_reasons(model, column_name, values) %}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is null or {{ list_length(column_name) }} = 0
    or not {{ list_within(column_name, values) }}
{% endtest %}
