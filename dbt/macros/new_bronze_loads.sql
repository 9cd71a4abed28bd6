{#
  Incremental window: rows of bronze loads newer than the newest this model has seen.
  Load ids grow with every bronze load, so late files (whatever their dates) are picked up.
#}
{% macro new_bronze_loads(load_column='bronze_load_id') -%}
    {% if is_incremental() -%}
        {{ load_column }} > (select coalesce(max(seen.bronze_load_id), '') from {{ this }} as seen)
    {%- else -%}
        true
    {%- endif %}
{%- endmacro %}
