{#
  The expressions whose SQL differs between the engines the project builds on (DuckDB, the
  default; Spark, docs/scale_out.md). A model calls the macro; adapter.dispatch picks
  duckdb__* or spark__*. The DuckDB forms are the SQL the models held before. Spark runs
  with its session time zone pinned to UTC (profiles.yml), so its TIMESTAMP values are
  already UTC wall-clock times.
#}

{# -- dates and times ---------------------------------------------------------------- #}

{% macro date_diff_in(part, start, finish) -%}
    {{ return(adapter.dispatch('date_diff_in', 'retail_lakehouse')(part, start, finish)) }}
{%- endmacro %}

{% macro duckdb__date_diff_in(part, start, finish) -%}
    date_diff('{{ part }}', {{ start }}, {{ finish }})
{%- endmacro %}

{# DuckDB counts the boundaries of `part` crossed, which these Spark forms reproduce. #}
{% macro spark__date_diff_in(part, start, finish) -%}
    {%- if part == 'day' -%}
        datediff(cast({{ finish }} as date), cast({{ start }} as date))
    {%- elif part == 'year' -%}
        (year({{ finish }}) - year({{ start }}))
    {%- elif part == 'second' -%}
        (unix_seconds({{ finish }}) - unix_seconds({{ start }}))
    {%- elif part == 'microsecond' -%}
        (unix_micros({{ finish }}) - unix_micros({{ start }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("date_diff_in: no Spark form for part " ~ part) }}
    {%- endif -%}
{%- endmacro %}

{# Whole years between a birth date and `day` (the age on `day`). #}
{% macro age_in_years(birth, day) -%}
    {{ return(adapter.dispatch('age_in_years', 'retail_lakehouse')(birth, day)) }}
{%- endmacro %}

{% macro duckdb__age_in_years(birth, day) -%}
    date_diff('year', {{ birth }}, {{ day }}) - case
        when strftime({{ day }}, '%m%d') < strftime({{ birth }}, '%m%d') then 1 else 0
    end
{%- endmacro %}

{% macro spark__age_in_years(birth, day) -%}
    year({{ day }}) - year({{ birth }}) - case
        when date_format({{ day }}, 'MMdd') < date_format({{ birth }}, 'MMdd') then 1 else 0
    end
{%- endmacro %}

{# A date as text yyyy-mm-dd / yyyymmdd. #}
{% macro date_text(day, compact=false) -%}
    {{ return(adapter.dispatch('date_text', 'retail_lakehouse')(day, compact)) }}
{%- endmacro %}

{% macro duckdb__date_text(day, compact) -%}
    strftime({{ day }}, '{{ "%Y%m%d" if compact else "%Y-%m-%d" }}')
{%- endmacro %}

{% macro spark__date_text(day, compact) -%}
    date_format({{ day }}, '{{ "yyyyMMdd" if compact else "yyyy-MM-dd" }}')
{%- endmacro %}

{% macro days_interval(days) -%}
    {{ return(adapter.dispatch('days_interval', 'retail_lakehouse')(days)) }}
{%- endmacro %}

{% macro duckdb__days_interval(days) -%}
    to_days({{ days }})
{%- endmacro %}

{% macro spark__days_interval(days) -%}
    make_dt_interval({{ days }})
{%- endmacro %}

{# The seconds of an interval (a difference of two timestamps). #}
{% macro interval_seconds(elapsed) -%}
    {{ return(adapter.dispatch('interval_seconds', 'retail_lakehouse')(elapsed)) }}
{%- endmacro %}

{% macro duckdb__interval_seconds(elapsed) -%}
    epoch({{ elapsed }})
{%- endmacro %}

{% macro spark__interval_seconds(elapsed) -%}
    (extract(day from {{ elapsed }}) * 86400 + extract(hour from {{ elapsed }}) * 3600
        + extract(minute from {{ elapsed }}) * 60 + extract(second from {{ elapsed }}))
{%- endmacro %}

{# -- dim_date's calendar ------------------------------------------------------------- #}

{# One row per day from first_day to last_day of `bounds`, as calendar_date. #}
{% macro calendar_days(bounds) -%}
    {{ return(adapter.dispatch('calendar_days', 'retail_lakehouse')(bounds)) }}
{%- endmacro %}

{% macro duckdb__calendar_days(bounds) -%}
    select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as calendar_date
    from {{ bounds }}
{%- endmacro %}

{% macro spark__calendar_days(bounds) -%}
    select explode(sequence(first_day, last_day, interval 1 day)) as calendar_date
    from {{ bounds }}
{%- endmacro %}

{# Day of the week, ISO: Monday 1 .. Sunday 7. #}
{% macro iso_day_of_week(day) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'retail_lakehouse')(day)) }}
{%- endmacro %}

{% macro duckdb__iso_day_of_week(day) -%}
    isodow({{ day }})
{%- endmacro %}

{% macro spark__iso_day_of_week(day) -%}
    (weekday({{ day }}) + 1)
{%- endmacro %}

{% macro iso_year(day) -%}
    {{ return(adapter.dispatch('iso_year', 'retail_lakehouse')(day)) }}
{%- endmacro %}

{% macro duckdb__iso_year(day) -%}
    isoyear({{ day }})
{%- endmacro %}

{% macro spark__iso_year(day) -%}
    extract(yearofweek from {{ day }})
{%- endmacro %}

{% macro day_name(day) -%}
    {{ return(adapter.dispatch('day_name', 'retail_lakehouse')(day)) }}
{%- endmacro %}

{% macro duckdb__day_name(day) -%}
    dayname({{ day }})
{%- endmacro %}

{% macro spark__day_name(day) -%}
    date_format({{ day }}, 'EEEE')
{%- endmacro %}

{% macro month_name(day) -%}
    {{ return(adapter.dispatch('month_name', 'retail_lakehouse')(day)) }}
{%- endmacro %}

{% macro duckdb__month_name(day) -%}
    monthname({{ day }})
{%- endmacro %}

{% macro spark__month_name(day) -%}
    date_format({{ day }}, 'MMMM')
{%- endmacro %}

{% macro quarter_start(day) -%}
    {{ return(adapter.dispatch('quarter_start', 'retail_lakehouse')(day)) }}
{%- endmacro %}

{% macro duckdb__quarter_start(day) -%}
    cast(date_trunc('quarter', {{ day }}) as date)
{%- endmacro %}

{% macro spark__quarter_start(day) -%}
    trunc({{ day }}, 'quarter')
{%- endmacro %}

{% macro quarter_end(day) -%}
    {{ return(adapter.dispatch('quarter_end', 'retail_lakehouse')(day)) }}
{%- endmacro %}

{% macro duckdb__quarter_end(day) -%}
    cast(date_trunc('quarter', {{ day }}) + interval 3 month - interval 1 day as date)
{%- endmacro %}

{% macro spark__quarter_end(day) -%}
    date_add(add_months(trunc({{ day }}, 'quarter'), 3), -1)
{%- endmacro %}

{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'retail_lakehouse')(dividend, divisor)) }}
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    {{ dividend }} // {{ divisor }}
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    {{ dividend }} div {{ divisor }}
{%- endmacro %}

{# -- text, regex, JSON, hashing ------------------------------------------------------ #}

{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type', 'retail_lakehouse')()) }}
{%- endmacro %}

{% macro duckdb__text_type() -%}
    varchar
{%- endmacro %}

{% macro spark__text_type() -%}
    string
{%- endmacro %}

{# A scalar at a JSON path of a JSON text, as text (NULL when absent). #}
{% macro json_text(json, path) -%}
    {{ return(adapter.dispatch('json_text', 'retail_lakehouse')(json, path)) }}
{%- endmacro %}

{% macro duckdb__json_text(json, path) -%}
    json_extract_string({{ json }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(json, path) -%}
    get_json_object({{ json }}, '{{ path }}')
{%- endmacro %}

{# The lowercase hex SHA-256 of a text. #}
{% macro sha256_hex(value) -%}
    {{ return(adapter.dispatch('sha256_hex', 'retail_lakehouse')(value)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(value) -%}
    sha256({{ value }})
{%- endmacro %}

{% macro spark__sha256_hex(value) -%}
    sha2({{ value }}, 256)
{%- endmacro %}

{#
  A BIGINT surrogate key from a hash of the columns. The engines' hash functions differ, so
  the keys differ between engines (never the rows they identify).
#}
{% macro hash_key(columns) -%}
    {{ return(adapter.dispatch('hash_key', 'retail_lakehouse')(columns)) }}
{%- endmacro %}

{% macro duckdb__hash_key(columns) -%}
    (hash({{ columns | join(', ') }}) >> 1)::bigint
{%- endmacro %}

{% macro spark__hash_key(columns) -%}
    (xxhash64({{ columns | join(', ') }}) & 9223372036854775807)
{%- endmacro %}

{# -- lists and aggregates ------------------------------------------------------------ #}

{# The non-null items of a list of expressions. #}
{% macro non_null_list(items) -%}
    {{ return(adapter.dispatch('non_null_list', 'retail_lakehouse')(items)) }}
{%- endmacro %}

{% macro duckdb__non_null_list(items) -%}
    list_filter([{{ items | join(', ') }}], item -> item is not null)
{%- endmacro %}

{% macro spark__non_null_list(items) -%}
    filter(array({{ items | join(', ') }}), item -> item is not null)
{%- endmacro %}

{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length', 'retail_lakehouse')(list)) }}
{%- endmacro %}

{% macro duckdb__list_length(list) -%}
    len({{ list }})
{%- endmacro %}

{% macro spark__list_length(list) -%}
    size({{ list }})
{%- endmacro %}

{# Every item of `list` is one of `values` (a list of text). #}
{% macro list_within(list, values) -%}
    {{ return(adapter.dispatch('list_within', 'retail_lakehouse')(list, values)) }}
{%- endmacro %}

{% macro duckdb__list_within(list, values) -%}
    list_has_all({{ values }}, {{ list }})
{%- endmacro %}

{% macro spark__list_within(list, values) -%}
    size(array_except({{ list }}, array('{{ values | join("', '") }}'))) = 0
{%- endmacro %}

{# One row per item of a list (a set-returning expression in a select list). #}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list', 'retail_lakehouse')(list)) }}
{%- endmacro %}

{% macro duckdb__unnest_list(list) -%}
    unnest({{ list }})
{%- endmacro %}

{% macro spark__unnest_list(list) -%}
    explode({{ list }})
{%- endmacro %}

{# A list literal of expressions. #}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of', 'retail_lakehouse')(items)) }}
{%- endmacro %}

{% macro duckdb__list_of(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro spark__list_of(items) -%}
    array({{ items | join(', ') }})
{%- endmacro %}

{# Every value of a group, sorted, joined by `separator`. #}
{% macro sorted_string_agg(value, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'retail_lakehouse')(value, separator)) }}
{%- endmacro %}

{% macro duckdb__sorted_string_agg(value, separator) -%}
    string_agg({{ value }}, '{{ separator }}' order by {{ value }})
{%- endmacro %}

{% macro spark__sorted_string_agg(value, separator) -%}
    array_join(array_sort(collect_list({{ value }})), '{{ separator }}')
{%- endmacro %}

{% macro continuous_quantile(value, fraction) -%}
    {{ return(adapter.dispatch('continuous_quantile', 'retail_lakehouse')(value, fraction)) }}
{%- endmacro %}

{% macro duckdb__continuous_quantile(value, fraction) -%}
    quantile_cont({{ value }}, {{ fraction }})
{%- endmacro %}

{% macro spark__continuous_quantile(value, fraction) -%}
    percentile({{ value }}, {{ fraction }})
{%- endmacro %}

{#
  The columns of `relation` but `excluded`, each prefixed by `alias.` (DuckDB: * exclude;
  Spark has no such star, so the columns are listed from the built relation).
#}
{% macro star_except(relation, excluded, alias=none) -%}
    {{ return(adapter.dispatch('star_except', 'retail_lakehouse')(relation, excluded, alias)) }}
{%- endmacro %}

{% macro duckdb__star_except(relation, excluded, alias) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {{ prefix }}* exclude ({% for column in excluded %}{{ prefix }}{{ column }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__star_except(relation, excluded, alias) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name')
            | reject('in', excluded) | list -%}
        {%- for column in columns %}{{ prefix }}{{ column }}{{ ', ' if not loop.last }}{% endfor -%}
    {%- else -%}
        {{ prefix }}*
    {%- endif -%}
{%- endmacro %}

{% macro starts_with(value, prefix) -%}
    {{ return(adapter.dispatch('starts_with', 'retail_lakehouse')(value, prefix)) }}
{%- endmacro %}

{% macro duckdb__starts_with(value, prefix) -%}
    starts_with({{ value }}, {{ prefix }})
{%- endmacro %}

{% macro spark__starts_with(value, prefix) -%}
    startswith({{ value }}, {{ prefix }})
{%- endmacro %}

{# -- JSON documents (dlt's stored schemas) ------------------------------------------ #}

{# A JSON text as the engine's JSON value. #}
{% macro as_json(text) -%}
    {{ return(adapter.dispatch('as_json', 'retail_lakehouse')(text)) }}
{%- endmacro %}

{% macro duckdb__as_json(text) -%}
    cast({{ text }} as json)
{%- endmacro %}

{# Spark keeps JSON as text and reads it by path. #}
{% macro spark__as_json(text) -%}
    {{ text }}
{%- endmacro %}

{# The keys of the JSON object at `keys` (SQL text expressions, one per level) of `json`. #}
{% macro json_keys_at(json, keys) -%}
    {{ return(adapter.dispatch('json_keys_at', 'retail_lakehouse')(json, keys)) }}
{%- endmacro %}

{% macro duckdb__json_keys_at(json, keys) -%}
    json_keys({{ json }} -> {{ keys | join(' -> ') }})
{%- endmacro %}

{% macro spark__json_keys_at(json, keys) -%}
    map_keys(from_json({{ _spark_json_at(json, keys) }}, 'map<string, string>'))
{%- endmacro %}

{# The value at `keys` of `json`, as text. #}
{% macro json_text_at(json, keys) -%}
    {{ return(adapter.dispatch('json_text_at', 'retail_lakehouse')(json, keys)) }}
{%- endmacro %}

{% macro duckdb__json_text_at(json, keys) -%}
    {{ json }} -> {{ keys[:-1] | join(' -> ') }} ->> {{ keys[-1] }}
{%- endmacro %}

{% macro spark__json_text_at(json, keys) -%}
    {{ _spark_json_at(json, keys) }}
{%- endmacro %}

{% macro _spark_json_at(json, keys) -%}
    get_json_object({{ json }}, concat('$'{% for key in keys %}, '.', {{ key }}{% endfor %}))
{%- endmacro %}

{# -- types ---------------------------------------------------------------------------- #}

{# A column type written with DuckDB's name (varchar, timestamp with time zone), in the engine's name. #}
{% macro engine_type(data_type) -%}
    {{ return(adapter.dispatch('engine_type', 'retail_lakehouse')(data_type)) }}
{%- endmacro %}

{% macro duckdb__engine_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__engine_type(data_type) -%}
    {{ return(spark_type(data_type)) }}
{%- endmacro %}

{# -- exact arithmetic ---------------------------------------------------------------- #}

{#
  numerator / denominator (both non-negative, the numerator with at most `scale` decimals)
  rounded half up to `scale` decimals, the same on every engine. DuckDB divides decimals in
  floating point, where a tie such as 12.34565 can round down; Spark divides them exactly.
  Here the division is of integers (units of 10^-scale).
#}
{% macro exact_quotient(numerator, denominator, scale) -%}
    {{ return(adapter.dispatch('exact_quotient', 'retail_lakehouse')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro duckdb__exact_quotient(numerator, denominator, scale) -%}
    cast(
        ((2 * cast(({{ numerator }}) * {{ 10 ** scale }} as hugeint) + ({{ denominator }})) // (2 * ({{ denominator }})))
        / {{ 10 ** scale }} as decimal(18, {{ scale }})
    )
{%- endmacro %}

{% macro spark__exact_quotient(numerator, denominator, scale) -%}
    cast(
        ((2 * cast(({{ numerator }}) * {{ 10 ** scale }} as bigint) + ({{ denominator }})) div (2 * ({{ denominator }})))
        / {{ 10 ** scale }} as decimal(18, {{ scale }})
    )
{%- endmacro %}
