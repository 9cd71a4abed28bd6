-- GDPR: no email, phone or street address of a customer without consent may appear in
-- gold. Two checks:
--   1. in the rows of the customer themself (dim_customer, vw_customer_360), none of their
--      own values may appear unmasked — even when another, consenting person has the same;
--   2. in every text column of every gold model, no value held only by customers without
--      consent (a value a consenting customer also holds is theirs to show: two people
--      can share a street address, and generated emails can collide at full scale).
-- Every gold model is listed (dbt must see the refs when it parses); a gold model missing
-- from `gold_models` fails the test at compile time.
{% set pii %}
    select email as value from {{ ref('silver_customers') }} where not gdpr_consent and email is not null
    union select phone from {{ ref('silver_customers') }} where not gdpr_consent and phone is not null
    union select address_line1 from {{ ref('silver_customers') }} where not gdpr_consent and address_line1 is not null
    except (
        select email from {{ ref('silver_customers') }} where gdpr_consent
        union select phone from {{ ref('silver_customers') }} where gdpr_consent
        union select address_line1 from {{ ref('silver_customers') }} where gdpr_consent
    )
{% endset %}
{% set gold_models = ['dim_customer', 'dim_date', 'dim_product', 'dim_store', 'dim_supplier', 'fct_sales', 'fct_returns',
                      'fct_shipments', 'fct_sensor_readings', 'fct_ingestion_audit', 'public_holidays',
                      'vw_sales_performance', 'vw_customer_360', 'vw_product_performance', 'vw_delivery_performance',
                      'vw_store_environment', 'vw_data_quality_dashboard', 'vw_data_quality_anomalies',
                      'vw_schema_drift', 'vw_data_completeness'] %}
{% if execute %}
{% for node in graph.nodes.values() if node.resource_type == 'model' and node.config.schema == 'gold'
                                       and node.config.materialized != 'ephemeral' and node.name not in gold_models %}
{{ exceptions.raise_compiler_error("gold model " ~ node.name ~ " is not checked for personal data: add it to gold_models in " ~ this.name) }}
{% endfor %}
{% endif %}
with pii as ({{ pii }})
select 'dim_customer' as model, 'email, phone or address_line1' as column_name, s.email as leaked
from {{ ref('dim_customer') }} as d join {{ ref('silver_customers') }} as s using (customer_id)
where not s.gdpr_consent and (d.email = s.email or d.phone = s.phone or d.address_line1 = s.address_line1)
union all
select 'vw_customer_360', 'email or phone', s.email
from {{ ref('vw_customer_360') }} as v join {{ ref('silver_customers') }} as s on s.customer_id = v.customer_number
where not s.gdpr_consent and (v.email = s.email or v.phone = s.phone)
union all
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
