with bounds as (
    select
        min(d) as first_day,
        max(d) as last_day
    from (
        select min(order_date_utc) as d from {{ ref('silver_orders') }}
        union all
        select max(order_date_utc) as d from {{ ref('silver_orders') }}
        union all
        select min(event_date) as d from {{ ref('silver_events') }}
        union all
        select max(event_date) as d from {{ ref('silver_events') }}
        -- (the UTC date is monotonic: applied to the extreme, not to every row)
        union all
        select {{ utc_date('min(sensor_ts)') }} as d from {{ ref('silver_sensor_readings') }}
        union all
        select {{ utc_date('max(sensor_ts)') }} as d from {{ ref('silver_sensor_readings') }}
        union all
        select {{ utc_date('max(delivered_at)') }} as d from {{ ref('silver_shipments') }}
        union all
        select {{ utc_date('max(return_ts)') }} as d from {{ ref('silver_returns') }}
        union all
        select min(rate_date) as d from {{ ref('stg_exchange_rates') }}
        union all
        select max(rate_date) as d from {{ ref('stg_exchange_rates') }}
        union all
        select {{ utc_date('min(finished_at)') }} as d from {{ source('bronze', 'file_manifest') }}
        union all
        select {{ utc_date('max(finished_at)') }} as d from {{ source('bronze', 'file_manifest') }}
    )
    where d is not null
),

days as (
    {{ calendar_days('bounds') }}
),

-- nationwide holidays (a state's own holidays are flagged per store: int_store_holidays)
holidays as (
    select
        holiday_date,
        max(holiday_name) filter (where country_code = 'AU') as holiday_au,
        max(holiday_name) filter (where country_code = 'US') as holiday_us,
        max(holiday_name) filter (where country_code = 'GB') as holiday_gb,
        max(holiday_name) filter (where country_code = 'CA') as holiday_ca
    from {{ ref('public_holidays') }}
    where subdivision is null
    group by holiday_date
)

select
    {{ date_key('d.calendar_date') }} as date_key,
    d.calendar_date,
    {{ iso_day_of_week('d.calendar_date') }} as day_of_week,
    {{ day_name('d.calendar_date') }} as day_name,
    {{ iso_day_of_week('d.calendar_date') }} >= 6 as is_weekend,
    weekofyear(d.calendar_date) as iso_week,
    {{ iso_year('d.calendar_date') }} as iso_year,
    month(d.calendar_date) as month_number,
    {{ month_name('d.calendar_date') }} as month_name,
    quarter(d.calendar_date) as quarter_number,
    {{ quarter_start('d.calendar_date') }} as quarter_start,
    {{ quarter_end('d.calendar_date') }} as quarter_end,
    year(d.calendar_date) as calendar_year,
    year(d.calendar_date) + case when month(d.calendar_date) >= 7 then 1 else 0 end as fiscal_year_au,
    (month(d.calendar_date) + 5) % 12 + 1 as fiscal_period_au,
    {{ integer_divide('((month(d.calendar_date) + 5) % 12)', 3) }} + 1 as fiscal_quarter_au,
    h.holiday_au is not null as is_holiday_au,
    h.holiday_us is not null as is_holiday_us,
    h.holiday_gb is not null as is_holiday_gb,
    h.holiday_ca is not null as is_holiday_ca,
    h.holiday_au,
    h.holiday_us,
    h.holiday_gb,
    h.holiday_ca,
    false as is_unknown
from days as d
left join holidays as h on d.calendar_date = h.holiday_date
union all
select
    -1 as date_key,
    null as calendar_date,
    null as day_of_week,
    'Unknown' as day_name,
    null as is_weekend,
    null as iso_week,
    null as iso_year,
    null as month_number,
    'Unknown' as month_name,
    null as quarter_number,
    null as quarter_start,
    null as quarter_end,
    null as calendar_year,
    null as fiscal_year_au,
    null as fiscal_period_au,
    null as fiscal_quarter_au,
    false as is_holiday_au,
    false as is_holiday_us,
    false as is_holiday_gb,
    false as is_holiday_ca,
    null as holiday_au,
    null as holiday_us,
    null as holiday_gb,
    null as holiday_ca,
    true as is_unknown
