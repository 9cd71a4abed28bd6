{#
  When a dimension row took effect: the change date of a change file
  (<table>_changes/change_dt=YYYY-MM-DD/...), or `base` for rows of the base file.
  The snapshots use it, so history is dated by the business change, not by the build.
#}
{% macro effective_from(base) -%}
    coalesce(
        try_cast(regexp_extract(src_filename, 'change_dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as timestamp),
        cast({{ base }} as timestamp))
{%- endmacro %}
