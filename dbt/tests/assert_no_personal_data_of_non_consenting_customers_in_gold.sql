-- GDPR: no email, phone or street address of a customer without consent may appear in
-- gold, and neither may the plain (unkeyed) sha256 of their email. The personal data is
-- taken from every customer row bronze holds (current rows and every delivered version,
-- duplicate registrations included). Two checks:
--   1. in the rows of the customer themself (dim_customer, vw_customer_360), none of their
--      own values may appear unmasked, even when another, consenting person has the same;
--   2. in every text column of every gold model, no value held only by customers without
--      consent (a value a consenting customer also holds is theirs to show: two people
--      can share a street address, and generated emails can collide at full scale), and
--      no plain sha256 of their emails.
-- Every gold model is listed (dbt must see the refs when it parses); a gold model missing
-- from `gold_models` fails the test at compile time.
{% set gold_models = [
    'dim_customer', 'dim_date', 'dim_product', 'dim_store', 'dim_supplier', 'fct_sales', 'fct_returns',
    'fct_shipments', 'fct_sensor_readings', 'fct_ingestion_audit', 'public_holidays',
    'vw_sales_performance', 'vw_customer_360', 'vw_product_performance', 'vw_delivery_performance',
    'vw_store_environment', 'vw_data_quality_dashboard', 'vw_data_quality_anomalies',
    'vw_schema_drift', 'vw_data_completeness', 'dq_metrics'] %}
{{ check_every_gold_model_is_listed(gold_models) }}
with customer_rows as (
    select
        customer_id,
        email,
        phone,
        address_line1,
        gdpr_consent
    from {{ ref('stg_customers') }}
    union
    select
        customer_id,
        email,
        phone,
        address_line1,
        gdpr_consent
    from {{ ref('stg_customers_history') }}
),

personal as (
    select
        customer_id,
        {{ unnest_list(list_of(['email', 'phone', 'address_line1'])) }} as personal_value
    from customer_rows
    where not gdpr_consent
),

consented as (
    select {{ unnest_list(list_of(['email', 'phone', 'address_line1'])) }} as personal_value
    from customer_rows
    where gdpr_consent
),

pii as (
    select personal.personal_value from personal
    except
    select consented.personal_value from consented
    union
    select {{ sha256_hex('customer_rows.email') }} as personal_value from customer_rows
    where not customer_rows.gdpr_consent and customer_rows.email is not null
),

gold_text_values as (
    select
        null as model_name,
        null as column_name,
        null as text_value
    where false
    {% for name in gold_models %}
        {% for column in text_columns(ref(name)) %}
            union all
            select
                '{{ name }}' as model_name,
                '{{ column }}' as column_name,
                {{ adapter.quote(column) }} as text_value
            from {{ ref(name) }}
        {% endfor %}
    {% endfor %}
)

select
    'dim_customer' as model_name,
    'email, phone or address_line1' as column_name,
    p.personal_value as leaked
from {{ ref('dim_customer') }} as d
inner join personal as p on d.customer_id = p.customer_id
where p.personal_value in (d.email, d.phone, d.address_line1)
union all
select
    'vw_customer_360' as model_name,
    'email or phone' as column_name,
    p.personal_value as leaked
from {{ ref('vw_customer_360') }} as v
inner join personal as p on v.customer_number = p.customer_id
where p.personal_value in (v.email, v.phone)
union all
select
    g.model_name,
    g.column_name,
    g.text_value as leaked
from gold_text_values as g
inner join pii on g.text_value = pii.personal_value
