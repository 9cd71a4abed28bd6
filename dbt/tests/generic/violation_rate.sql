{#
  Fails (returns a row) when the share of rows matching `condition` exceeds `max_rate`.
  Tests of rules the data is allowed to break a little use it, so they pass on the
  generated anomalies and still fail on data that breaks the rule beyond its level.
#}
{% test violation_rate(model, column_name, condition, max_rate=0) %}
with stats as (
    select count(*) as total_rows, count(*) filter (where {{ condition }}) as violations
    from {{ model }}
)
select total_rows, violations, violations / nullif(total_rows, 0) as violation_rate
from stats
where violations / nullif(total_rows, 0) > {{ max_rate }}
{% endtest %}
