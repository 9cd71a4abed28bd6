{#
  SCD type 2 history (one row per version of `key`, valid in [valid_from, valid_to)):
  `one_current_version` fails for a key without exactly one current version (valid_to
  9999-12-31); `no_overlapping_windows` fails for a version that starts before the
  previous one of its key ends, or that ends before it starts.
#}
{% test one_current_version(model, column_name, valid_to='valid_to') %}
select {{ column_name }}, count(*) filter (where {{ valid_to }} = timestamp '9999-12-31') as current_versions
from {{ model }}
group by {{ column_name }}
having count(*) filter (where {{ valid_to }} = timestamp '9999-12-31') <> 1
{% endtest %}

{% test no_overlapping_windows(model, column_name, valid_from='valid_from', valid_to='valid_to') %}
with windows as (
    select
        {{ column_name }},
        {{ valid_from }} as window_start,
        {{ valid_to }} as window_end,
        lag({{ valid_to }}) over (partition by {{ column_name }} order by {{ valid_from }}) as previous_end
    from {{ model }}
)

select *
from windows
where window_start < previous_end or window_end <= window_start
{% endtest %}
