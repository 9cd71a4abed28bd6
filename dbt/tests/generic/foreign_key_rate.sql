{#
  References that point nowhere may not exceed max_rate (SPEC: under 1.5%). With
  `rejected_from`, a key whose row Bronze rejected still counts as existing.
#}
{% test foreign_key_rate(model, column_name, to, field, max_rate=0.015, rejected_from=none) %}
    {% set condition %}
        {{ column_name }} is not null
    and {{ column_name }} not in (select {{ field }} from {{ to }} where {{ field }} is not null)
    {% if rejected_from %}
    and {{ column_name }} not in (select key_value from {{ ref('stg_rejected_keys') }}
                                  where table_name = '{{ rejected_from }}')
    {% endif %}
    {% endset %}
    {{ test_violation_rate(model, column_name, condition, max_rate) }}
{% endtest %}
