-- One row per calendar day covering every fact (orders, events, sensors, shipments,
-- returns, bronze loads) and the exchange-rate calendar, plus the unknown member (date_key -1).
-- Fiscal periods follow the Australian year (July-June, named by the year it ends).
with bounds as (
    select
        min(d) as first_day,
        max(d) as last_day
    from (
        select min(order_date_utc) as d from {{ ref('silver_orders') }}
        union all
        select max(order_date_utc) from {{ ref('silver_orders') }}
        union all
        select min(event_date) from {{ ref('silver_events') }}
        union all
        select max(event_date) from {{ ref('silver_events') }}
        -- (the cast to a UTC date is monotonic: applied to the extreme, not to every row)
        union all
        select cast(min(sensor_ts) as date) from {{ ref('silver_sensor_readings') }}
        union all
        select cast(max(sensor_ts) as date) from {{ ref('silver_sensor_readings') }}
        union all
        select cast(max(delivered_at) as date) from {{ ref('silver_shipments') }}
        union all
        select cast(max(return_ts) as date) from {{ ref('silver_returns') }}
        union all
        select min(rate_date) from {{ ref('stg_exchange_rates') }}
        union all
        select max(rate_date) from {{ ref('stg_exchange_rates') }}
        union all
        select cast(min(finished_at) as date) from {{ source('bronze', 'file_manifest') }}
        union all
        select cast(max(finished_at) as date) from {{ source('bronze', 'file_manifest') }}
    )
    where d is not null
),

days as (
    select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as calendar_date
    from bounds
),

holidays as (
    select
        holiday_date,
        max(holiday_name) filter (where country_code = 'AU') as holiday_au,
        max(holiday_name) filter (where country_code = 'US') as holiday_us,
        max(holiday_name) filter (where country_code = 'GB') as holiday_gb
    from {{ ref('public_holidays') }}
    group by holiday_date
)

select
    cast(strftime(d.calendar_date, '%Y%m%d') as integer) as date_key,
    d.calendar_date,
    isodow(d.calendar_date) as day_of_week,
    dayname(d.calendar_date) as day_name,
    isodow(d.calendar_date) >= 6 as is_weekend,
    weekofyear(d.calendar_date) as iso_week,
    isoyear(d.calendar_date) as iso_year,
    month(d.calendar_date) as month_number,
    monthname(d.calendar_date) as month_name,
    quarter(d.calendar_date) as quarter_number,
    cast(date_trunc('quarter', d.calendar_date) as date) as quarter_start,
    cast(date_trunc('quarter', d.calendar_date) + interval 3 month - interval 1 day as date) as quarter_end,
    year(d.calendar_date) as calendar_year,
    year(d.calendar_date) + case when month(d.calendar_date) >= 7 then 1 else 0 end as fiscal_year_au,
    (month(d.calendar_date) + 5) % 12 + 1 as fiscal_period_au,
    ((month(d.calendar_date) + 5) % 12) // 3 + 1 as fiscal_quarter_au,
    h.holiday_au is not null as is_holiday_au,
    h.holiday_us is not null as is_holiday_us,
    h.holiday_gb is not null as is_holiday_gb,
    h.holiday_au,
    h.holiday_us,
    h.holiday_gb,
    false as is_unknown
from days as d
left join holidays as h on d.calendar_date = h.holiday_date
union all
select
    -1,
    null,
    null,
    'Unknown',
    null,
    null,
    null,
    null,
    'Unknown',
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    false,
    false,
    false,
    null,
    null,
    null,
    true
