{#
  SCD type 2 versions of a dimension from every delivered row (bronze keeps each version):
  one version per key and effective_from (a re-delivery of the same version: the newest
  load, file and line wins), valid from its effective_from until the next version's.
#}
{% macro versions_from_history(history, key) -%}
    with deliveries as (
        select
            *,
            row_number() over (
                partition by {{ key }}, effective_from
                order by bronze_load_id desc, src_filename desc, src_line desc
            ) as delivery_rank
        from {{ history }}
    )

    select
        {{ star_except(history, ['delivery_rank']) }},
        effective_from as valid_from,
        coalesce(lead(effective_from) over versions, timestamp '9999-12-31') as valid_to,
        lead(effective_from) over versions is null as is_current
    from deliveries
    where delivery_rank = 1
    window versions as (partition by {{ key }} order by effective_from)
{%- endmacro %}
