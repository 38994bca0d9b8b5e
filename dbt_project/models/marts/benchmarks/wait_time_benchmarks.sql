-- Sotkanet's published waiting-time figures beside the whole country's and our own for the same definition,
-- area and year (sotkanet.md, "wait_time_benchmarks").
with

sotkanet as (
    select * from {{ ref('int_sotkanet_values') }}
),

catalog as (
    select indicator_id, sotkanet_id from {{ ref('indicator_definitions') }} where sotkanet_id is not null
),

own as (
    select * from {{ ref('int_own_wait_figures_by_year') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
    where source = 'avohilmo' and period_grain = 'year'
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

published as (
    select catalog.indicator_id, sotkanet.*
    from sotkanet
    inner join catalog on sotkanet.sotkanet_id = catalog.sotkanet_id
),

national as (
    select indicator_id, year, value as national_value from published where area_code = 'SSS'
),

final as (
    select
        published.indicator_id,
        published.sotkanet_id,
        published.area_code,
        published.area_level,
        make_date(published.year, 1, 1) as period_start,
        'year' as period_grain,
        published.value,
        national.national_value,
        published.value - national.national_value as difference,
        -- Our figure is left out when it rests on 1–4 clients (methods.md, "Suppression").
        case when own.persons not between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            then own.numerator::double / nullif(own.denominator, 0) end as own_value,
        case when own.persons not between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            then own.numerator::double / nullif(own.denominator, 0) - published.value end as own_minus_published,
        coalesce(own.persons between thresholds.suppress_min_persons and thresholds.suppress_max_persons, false)
            as is_suppressed,
        coverage.coverage,
        coverage.reliability
    from published
    cross join thresholds
    left join national on published.indicator_id = national.indicator_id and published.year = national.year
    left join own
        on published.indicator_id = own.indicator_id
        and published.area_code = own.area_code
        and published.year = own.year
    left join coverage
        on published.area_code = coverage.area_code
        and make_date(published.year, 1, 1) = coverage.period_start
)

select * from final
