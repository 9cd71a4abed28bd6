{#
  Dates and wall-clock times of instants (TIMESTAMPTZ), always in UTC: a cast to DATE or
  TIMESTAMP, date_trunc or interval arithmetic on a TIMESTAMPTZ would follow the reading
  session's TimeZone, and views are computed when they are read.
#}
{% macro utc_timestamp(instant) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'retail_lakehouse')(instant)) }}
{%- endmacro %}

{% macro duckdb__utc_timestamp(instant) -%}
    timezone('UTC', {{ instant }})
{%- endmacro %}

{# Spark's session time zone is UTC (profiles.yml): a TIMESTAMP already reads as UTC. #}
{% macro spark__utc_timestamp(instant) -%}
    {{ instant }}
{%- endmacro %}

{% macro utc_date(instant) -%}
    cast({{ utc_timestamp(instant) }} as date)
{%- endmacro %}

{# Today's date in UTC (current_date would be the session's). #}
{% macro utc_today() -%}
    cast({{ utc_timestamp('current_timestamp') }} as date)
{%- endmacro %}

{# dim_date's key of a date: yyyymmdd, -1 when the date is unknown. #}
{% macro date_key(day) -%}
    coalesce(cast({{ date_text(day, compact=true) }} as integer), -1)
{%- endmacro %}
