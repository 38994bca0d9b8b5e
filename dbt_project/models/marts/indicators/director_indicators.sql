-- The directors' indicators per indicator × area × period (month, quarter, year) with target, status,
-- national value and change over 12 months (methods.md, "Directors' indicators").
with

catalog as (
    select * from {{ ref('indicator_definitions') }}
),

figures as (
    select * from {{ ref('int_indicator_values') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
),

sotkanet as (
    select * from {{ ref('int_sotkanet_values') }} where area_code = 'SSS'
),

expected_sources as (
    select source from {{ ref('expected_sources') }} where grain = 'month'
),

status_thresholds as (
    select * from {{ ref('status_thresholds') }}
),

suppression as (
    select suppress_min_persons, suppress_max_persons from {{ ref('reliability_thresholds') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

pooled_coverage as (
    -- data_coverage rests on every monthly source of the area and period.
    select
        'all_monthly' as source,
        area_code,
        any_value(area_level) as area_level,
        period_grain,
        period_start,
        sum(deliveries_expected) as deliveries_expected,
        sum(deliveries_accepted) as deliveries_accepted,
        sum(deliveries_received) as deliveries_received,
        sum(expected_with_blocking_failure) as expected_with_blocking_failure
    from coverage
    where source in (select source from expected_sources)
    group by all
),

pooled_with_reliability as (
    select
        pooled_coverage.*,
        deliveries_accepted::double / nullif(deliveries_expected, 0) as coverage,
        case
            when deliveries_expected = 0 then null
            when deliveries_received = 0 then 'missing'
            when deliveries_accepted::double / deliveries_expected >= thresholds.good_coverage
                and expected_with_blocking_failure = 0 then 'good'
            when deliveries_accepted::double / deliveries_expected >= thresholds.partial_min_coverage
                then 'partial'
            else 'poor'
        end as reliability
    from pooled_coverage cross join thresholds
),

slots as (
    select source, area_code, area_level, period_grain, period_start, coverage, reliability
    from coverage where deliveries_expected > 0
    union all
    select source, area_code, area_level, period_grain, period_start, coverage, reliability
    from pooled_with_reliability where deliveries_expected > 0
),

grid as (
    -- One row per indicator × area × period for which its source has an expected slot.
    select catalog.indicator_id, catalog.unit, catalog.target_operator, catalog.target_value, catalog.sotkanet_id,
        slots.*
    from catalog
    inner join slots on catalog.source = slots.source
),

valued as (
    select
        grid.*,
        figures.persons between suppression.suppress_min_persons and suppression.suppress_max_persons
            as is_suppressed,
        figures.value,
        figures.numerator,
        figures.denominator
    from grid
    cross join suppression
    left join figures
        on grid.indicator_id = figures.indicator_id
        and grid.area_code = figures.area_code
        and grid.period_grain = figures.period_grain
        and grid.period_start = figures.period_start
),

published as (
    select
        valued.* exclude (value, numerator, denominator, is_suppressed),
        coalesce(is_suppressed, false) as is_suppressed,
        case when is_suppressed then null else value end as value,
        case when is_suppressed then null else numerator end as numerator,
        case when is_suppressed then null else denominator end as denominator
    from valued
),

with_status as (
    select
        published.*,
        -- How far the value misses its target (≤ 0 = on target), rounded so 0.85 vs ≥ 0.90 is `near`.
        round(case target_operator
            when '<=' then value - target_value
            when '>=' then target_value - value
            when '=' then abs(value - target_value)
        end, 10) as miss,
        case when unit = 'share' then share_near.near_miss else other_near.near_miss * abs(target_value) end
            as near_miss
    from published
    cross join (select near_miss from status_thresholds where unit_kind = 'share') as share_near
    cross join (select near_miss from status_thresholds where unit_kind = 'other') as other_near
),

final as (
    select
        with_status.indicator_id,
        with_status.area_code,
        with_status.area_level,
        with_status.period_start,
        with_status.period_grain,
        with_status.value,
        with_status.numerator,
        with_status.denominator,
        with_status.target_value as target,
        case
            when with_status.target_operator is null then null
            when with_status.value is null then 'no_data'
            when with_status.miss <= 0 then 'on_target'
            when with_status.miss <= round(with_status.near_miss, 10) then 'near'
            else 'off_target'
        end as status,
        sotkanet.value as national_value,
        with_status.value - previous.value as change_12m,
        with_status.is_suppressed,
        with_status.coverage,
        with_status.reliability
    from with_status
    left join sotkanet
        on with_status.sotkanet_id = sotkanet.sotkanet_id
        and year(with_status.period_start) = sotkanet.year
    left join published as previous
        on with_status.indicator_id = previous.indicator_id
        and with_status.area_code = previous.area_code
        and with_status.period_grain = previous.period_grain
        and previous.period_start = (with_status.period_start - interval 12 month)::date
)

select * from final
