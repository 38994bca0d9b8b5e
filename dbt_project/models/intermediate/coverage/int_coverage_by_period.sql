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
        sum(coverage.expected_with_blocking_failure)::integer as expected_with_blocking_failure,
        sum(coverage.thin_slots)::integer as thin_slots,
        sum(coverage.lines_accepted)::bigint as lines_accepted,
        sum(coverage.lines_expected)::bigint as lines_expected
    from coverage
    cross join grains
    group by all
),

final as (
    select
        rolled.*,
        case when deliveries_expected > 0
            then deliveries_accepted::double / deliveries_expected end as coverage,
        {{ coverage_rows('lines_accepted', 'lines_expected') }} as coverage_rows,
        {{ reliability_rule('deliveries_expected', 'deliveries_received', 'deliveries_accepted',
            'expected_with_blocking_failure', coverage_rows('lines_accepted', 'lines_expected')) }} as reliability
    from rolled
    cross join thresholds
)

select * from final
