-- GDPR: no email, phone or street address of a customer without consent may appear in
-- any text column of a gold model. Every gold model is listed here (dbt must see the
-- refs when it parses); add new ones to `gold_models`.
{% set pii %}
    select email as value from {{ ref('silver_customers') }} where not gdpr_consent and email is not null
    union select phone from {{ ref('silver_customers') }} where not gdpr_consent and phone is not null
    union select address_line1 from {{ ref('silver_customers') }} where not gdpr_consent and address_line1 is not null
{% endset %}
{% set gold_models = ['dim_customer', 'dim_date', 'dim_product', 'dim_store', 'dim_supplier', 'fct_sales', 'public_holidays'] %}
with pii as ({{ pii }})
{% for name in gold_models %}
{% set relation = ref(name) %}
{% set columns = adapter.get_columns_in_relation(relation) if execute else [] %}
{% for column in columns if column.dtype | lower in ('varchar', 'text', 'string') %}
select '{{ name }}' as model, '{{ column.name }}' as column_name, g."{{ column.name }}" as leaked
from {{ relation }} as g join pii on pii.value = g."{{ column.name }}"
union all
{% endfor %}
{% endfor %}
select null, null, null where false
