-- fct_sales holds exactly the valid Silver lines: same count, same net amount (no silent
-- drop, no duplication through the dimension joins).
with silver as (
    select
        count(*) as lines,
        sum(net_amount) as net
    from {{ ref('silver_order_lines') }}
),

gold as (
    select
        count(*) as lines,
        sum(net_amount) as net
    from {{ ref('fct_sales') }}
)

select * from silver, gold
where silver.lines <> gold.lines or silver.net <> gold.net
