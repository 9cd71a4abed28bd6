{#
  Incremental builds test the rows of the bronze loads no successful build has tested yet
  (docs/decisions.md §29). The transform names the newest load the last successful build of
  every node tested in RETAIL_TESTS_AFTER_LOAD, only on an incremental build of every node;
  a full refresh, a selected build, plain `dbt build` or `dbt test` leave it unset and every
  test reads its whole table, as before.

  Generic tests read their model through get_where_subquery (dbt's own macro, overridden
  here for every adapter). On a staging view or an incremental model with a bronze_load_id
  column, under that setting:
  - a row-level test (not_null, accepted_values, relationships, accepted_reasons, and the
    rate tests whose tolerated rate is 0) reads the rows of the new loads only;
  - a uniqueness test reads every row (old or new) whose key a new row has, so a new key
    that repeats an old one still fails;
  - any other test reads the whole table: a rate test with a tolerance (a share of the
    whole table: a small load would fail on a single tolerated anomaly) and unknown tests.
  Other models (dimensions, snapshots and other full rebuilds, views, data-quality models) and
  the singular tests in tests/ always read whole tables.
#}
{% macro default__get_where_subquery(relation) -%}
    {%- set scope = rows_under_test(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- if scope.where -%}
        {%- do conditions.append(scope.where) -%}
    {%- endif -%}
    {%- if not conditions and not scope.join -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- do return('(select tested.* from ' ~ relation ~ ' as tested' ~ scope.join
        ~ (' where ' ~ conditions | join(' and ') if conditions else '') ~ ') dbt_subquery') -%}
{%- endmacro %}

{#
  How the calling test is scoped to new rows: a condition on the tested rows (alias `tested`)
  or a semi join; both empty for the whole table.
#}
{% macro rows_under_test(relation) -%}
    {%- set whole_table = {'where': '', 'join': ''} -%}
    {%- set after_load = env_var('RETAIL_TESTS_AFTER_LOAD', '') if execute else '' -%}
    {%- set test = model.get('test_metadata') if model is mapping else none -%}
    {%- if not after_load or not test -%}
        {%- do return(whole_table) -%}
    {%- endif -%}
    {%- if not loaded_by_bronze_loads(relation) -%}
        {%- do return(whole_table) -%}
    {%- endif -%}
    {%- set new_rows = "bronze_load_id > '" ~ after_load ~ "'" -%}
    {#- a rule with a tolerated rate is a statistic of the whole table; at rate 0 it is row-level -#}
    {%- set default_rates = {'foreign_key_rate': 0.015, 'in_range': 0, 'email_format': 0, 'violation_rate': 0} -%}
    {%- set tolerated = test.kwargs.get('max_rate', default_rates.get(test.name, 0)) | float -%}
    {%- if test.name in ('not_null', 'accepted_values', 'relationships', 'accepted_reasons')
        or (test.name in default_rates and tolerated == 0) -%}
        {%- do return({'where': 'tested.' ~ new_rows, 'join': ''}) -%}
    {%- elif test.name in ('unique', 'unique_combination') -%}
        {#- every row whose key a new row has (NULLs match, as in the test's group by) -#}
        {%- set keys = [test.kwargs.column_name] if test.name == 'unique' else test.kwargs.combination -%}
        {%- set matches = [] -%}
        {%- for key in keys -%}
            {%- do matches.append('new_row.' ~ key ~ ' is not distinct from tested.' ~ key) -%}
        {%- endfor -%}
        {%- do return({'where': '', 'join': ' semi join (select * from ' ~ relation ~ ' where ' ~ new_rows
            ~ ') as new_row on ' ~ matches | join(' and ')}) -%}
    {%- endif -%}
    {%- do return(whole_table) -%}
{%- endmacro %}

{#
  Whether a row of the relation can only change with a newer bronze load: a staging view (one
  row per bronze row) or an incremental model, with a bronze_load_id column in its yml. Rows of
  a model rebuilt in full (snapshots: an old version closes when a new one arrives) can change
  under their old load id. Read from dbt's graph: no query per test.
#}
{% macro loaded_by_bronze_loads(relation) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and (node.alias or node.name) == relation.identifier and node.schema == relation.schema -%}
        {%- do return('bronze_load_id' in node.columns
            and (node.config.materialized == 'incremental' or node.fqn[1] == 'staging')) -%}
    {%- endfor -%}
    {%- do return(false) -%}
{%- endmacro %}
