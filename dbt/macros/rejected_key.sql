{#
  Left join of the keys of `table_name` rows Bronze rejected (stg_rejected_keys) onto a
  reference column: a reference to a rejected row is not an orphan (the entity exists,
  its row could not be typed).
#}
{% macro join_rejected_keys(table_name, reference, alias) -%}
    left join {{ ref('stg_rejected_keys') }} as {{ alias }}
        on {{ alias }}.table_name = '{{ table_name }}' and {{ reference }} = {{ alias }}.key_value
{%- endmacro %}
