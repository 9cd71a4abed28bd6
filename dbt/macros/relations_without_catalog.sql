{#
  Models name their inputs schema.table, without the catalog. DuckDB names the catalog
  after the file (warehouse.duckdb -> "warehouse"), so a view that names it breaks when the
  file is copied, restored or attached under another name; inside a view DuckDB resolves
  schema.table in the view's own catalog.
#}
{% macro ref() -%}
    {{ return(builtins.ref(*varargs, **kwargs).include(database=false)) }}
{%- endmacro %}

{% macro source() -%}
    {{ return(builtins.source(*varargs, **kwargs).include(database=false)) }}
{%- endmacro %}
