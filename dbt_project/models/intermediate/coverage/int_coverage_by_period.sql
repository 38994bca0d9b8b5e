-- Coverage and reliability of monthly sources rolled up to month, quarter and year, from the expected
-- slots of the months in the period (pipeline.md: the same rule at every grain).
with

coverage as (
    select * from {{ ref('int_source_coverage') }}
    where period_grain = 'month'
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

grains as (
    select unnest(['month', 'quarter', 'year']) as period_grain
),

rolled as (
    select
        coverage.source,
        coverage.area_code,
        coverage.area_level,
        grains.period_grain,
        date_trunc(grains.period_grain, coverage.period_start)::date as period_start,
        sum(coverage.deliveries_expected)::integer as deliveries_expected,
        sum(coverage.deliveries_accepted)::integer as deliveries_accepted,
        sum(coverage.deliveries_received)::integer as deliveries_received,
        sum(coverage.expected_with_blocking_failure)::integer as expected_with_blocking_failure
    from coverage
    cross join grains
    group by all
),

final as (
    select
        rolled.*,
        case when deliveries_expected > 0
            then deliveries_accepted::double / deliveries_expected end as coverage,
        case
            when deliveries_expected = 0 then null
            when deliveries_received = 0 then 'missing'
            when deliveries_accepted::double / deliveries_expected >= thresholds.good_coverage
                and expected_with_blocking_failure = 0 then 'good'
            when deliveries_accepted::double / deliveries_expected >= thresholds.partial_min_coverage
                then 'partial'
            else 'poor'
        end as reliability
    from rolled
    cross join thresholds
)

select * from final
