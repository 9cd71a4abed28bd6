{#
  What an incremental model must re-select besides the rows of newer bronze loads: the old
  rows whose keys or flags those loads can change (docs/decisions.md §28). Each macro is a
  subquery of keys; `new_bronze_loads` compares with the calling model's own watermark, so
  each model catches up on exactly the loads it has not seen. A full build selects all rows
  and never calls these.
#}

{#
  The refs the scopes read, for dbt's parser (they are only called inside is_incremental()).
  A unit test runs the full-build branch and gets no inputs for them.
#}
{% macro refresh_scope_depends_on() -%}
    {% if not (model is defined and model.resource_type == 'unit_test') -%}
        -- depends_on: {{ ref('stg_orders_header') }}, {{ ref('stg_orders_lines') }}
        -- depends_on: {{ ref('stg_customers_history') }}, {{ ref('stg_stores') }}
        -- depends_on: {{ ref('stg_products_history') }}, {{ ref('stg_rejected_keys') }}
    {%- endif %}
{%- endmacro %}

{# Keys of a dimension that newer loads rejected: a reference to them stops being an orphan. #}
{% macro newly_rejected_keys(table_name) -%}
    select rejected.key_value from {{ ref('stg_rejected_keys') }} as rejected
    where rejected.table_name = '{{ table_name }}' and {{ new_bronze_loads('rejected.bronze_load_id') }}
{%- endmacro %}

{#
  Registrations whose survivor or orphan flag can change: every registration of a person
  (by any natural key one of its versions had) of whom a newer load delivered a row, the
  delivered ids themselves (an orphan whose row arrives late) and newly rejected keys.
#}
{% macro customers_to_refresh() -%}
    select delivered.customer_id from {{ ref('stg_customers_history') }} as delivered
    where {{ new_bronze_loads('delivered.bronze_load_id') }}
    union
    select registration.customer_id from {{ ref('stg_customers_history') }} as registration
    where registration.natural_key in (
        select every_version.natural_key from {{ ref('stg_customers_history') }} as every_version
        where every_version.customer_id in (
            select delivered.customer_id from {{ ref('stg_customers_history') }} as delivered
            where {{ new_bronze_loads('delivered.bronze_load_id') }}
        )
    )
    union
    {{ newly_rejected_keys('customers') }}
{%- endmacro %}

{# Stores a newer load delivered (changed, or an orphan's row arriving late) or rejected. #}
{% macro stores_to_refresh() -%}
    select delivered.store_id from {{ ref('stg_stores') }} as delivered
    where {{ new_bronze_loads('delivered.bronze_load_id') }}
    union
    {{ newly_rejected_keys('stores') }}
{%- endmacro %}

{#
  Products with a new version (a change file, also a late one that closes a version sales
  were already keyed to, or the first row of an orphan) or a newly rejected row: every sale
  of them is re-keyed, as a new version can move the windows of all the others.
#}
{% macro products_to_refresh() -%}
    select delivered.product_id from {{ ref('stg_products_history') }} as delivered
    where {{ new_bronze_loads('delivered.bronze_load_id') }}
    union
    {{ newly_rejected_keys('products') }}
{%- endmacro %}

{#
  Orders whose Silver row or Gold keys can change: a newer copy of the header or newer
  lines (re-ranked over all copies, totals recomputed), and orders of a customer or store
  to refresh.
#}
{% macro orders_to_refresh() -%}
    select header.order_id from {{ ref('stg_orders_header') }} as header
    where {{ new_bronze_loads('header.bronze_load_id') }}
    union
    select line.order_id from {{ ref('stg_orders_lines') }} as line
    where {{ new_bronze_loads('line.bronze_load_id') }}
    union
    select header.order_id from {{ ref('stg_orders_header') }} as header
    where
        header.customer_id in ({{ customers_to_refresh() }})
        or header.store_id in ({{ stores_to_refresh() }})
{%- endmacro %}
