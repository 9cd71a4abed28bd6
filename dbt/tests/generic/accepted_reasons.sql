{# A list of reasons: not empty, and every reason one of `values`. #}
{% test accepted_reasons(model, column_name, values) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or len({{ column_name }}) = 0 or not list_has_all({{ values }}, {{ column_name }})
{% endtest %}
