{#
  Dates and wall-clock times of instants (TIMESTAMPTZ), always in UTC: a cast to DATE or
  TIMESTAMP, date_trunc or interval arithmetic on a TIMESTAMPTZ would follow the reading
  session's TimeZone, and views are computed when they are read.
#}
{% macro utc_timestamp(instant) -%}
    timezone('UTC', {{ instant }})
{%- endmacro %}

{% macro utc_date(instant) -%}
    cast(timezone('UTC', {{ instant }}) as date)
{%- endmacro %}

{# Today's date in UTC (current_date would be the session's). #}
{% macro utc_today() -%}
    cast(timezone('UTC', current_timestamp) as date)
{%- endmacro %}

{# dim_date's key of a date: yyyymmdd, -1 when the date is unknown. #}
{% macro date_key(day) -%}
    coalesce(cast(strftime({{ day }}, '%Y%m%d') as integer), -1)
{%- endmacro %}
