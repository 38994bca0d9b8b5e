-- The directors' indicators per indicator × area × period (month, quarter, year) with target, status,
-- national value and change over 12 months (methods.md, "Directors' indicators", and its revision 2:
-- maturity, person-based shares, series breaks at guarantee rule changes, confirmed Sotkanet ids only,
-- look-back windows).
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

as_of as (
    select * from {{ ref('int_source_as_of') }}
),

sotkanet as (
    select * from {{ ref('int_sotkanet_values') }} where area_code = 'SSS'
),

care_guarantee as (
    select * from {{ ref('care_guarantee') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

expected_sources as (
    select source from {{ ref('expected_sources') }} where grain = 'month'
),

status_thresholds as (
    select * from {{ ref('status_thresholds') }}
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
        sum(expected_with_blocking_failure) as expected_with_blocking_failure,
        sum(lines_accepted) as lines_accepted,
        sum(lines_expected) as lines_expected
    from coverage
    where source in (select source from expected_sources)
    group by all
),

pooled_with_reliability as (
    select
        pooled_coverage.*,
        deliveries_accepted::double / nullif(deliveries_expected, 0) as coverage,
        {{ reliability_rule('deliveries_expected', 'deliveries_received', 'deliveries_accepted',
            'expected_with_blocking_failure', coverage_rows('lines_accepted', 'lines_expected')) }} as reliability
    from pooled_coverage cross join thresholds
),

slots as (
    select source, area_code, area_level, period_grain, period_start, coverage, reliability
    from coverage where deliveries_expected > 0
    union all
    select source, area_code, area_level, period_grain, period_start, coverage, reliability
    from pooled_with_reliability where deliveries_expected > 0
),

first_slots as (
    -- The first expected month of each source and area.
    select source, area_code, min(period_start) as first_slot
    from coverage
    where period_grain = 'month' and deliveries_expected > 0
    group by all
),

window_firsts as (
    -- The latest first slot among what a row rests on: its own area's, and for a welfare area that of every
    -- municipality expected in the period (Kronoby, expected from 2023, makes 2023 against 2022 a comparison of
    -- 15 municipalities with 14). data_coverage takes the latest over every monthly source.
    select coverage.source, coverage.area_code, coverage.period_grain, coverage.period_start, first_slots.first_slot
    from coverage
    inner join first_slots using (source, area_code)
    where coverage.deliveries_expected > 0
    union all
    select member.source, municipalities.welfare_area_code, member.period_grain, member.period_start,
        first_slots.first_slot
    from coverage as member
    inner join municipalities on member.area_code = municipalities.code
    inner join first_slots on member.source = first_slots.source and member.area_code = first_slots.area_code
    where member.area_level = 'municipality' and member.deliveries_expected > 0
),

latest_first_slots as (
    select source, area_code, period_grain, period_start, max(first_slot) as first_slot
    from window_firsts
    group by all
    union all
    select 'all_monthly', area_code, period_grain, period_start, max(first_slot)
    from window_firsts
    where source in (select source from expected_sources)
    group by all
),

grid as (
    -- One row per indicator × area × period for which its source has an expected slot.
    select catalog.indicator_id, catalog.unit, catalog.target_operator, catalog.target_value, catalog.sotkanet_id,
        catalog.sotkanet_id_confirmed, catalog.guarantee_service_line, catalog.is_person_share,
        catalog.maturity_days, slots.*,
        (slots.period_start + case slots.period_grain when 'month' then interval 1 month
            when 'quarter' then interval 3 month else interval 1 year end - interval 1 day)::date as period_end,
        (slots.period_start - interval 12 month)::date as previous_start
    from catalog
    inner join slots on catalog.source = slots.source
),

guarantee_rules as (
    -- The care-guarantee rows in force on some day of each period a guarantee indicator is judged in (and of
    -- the period 12 months earlier): different rows on the two sides of change_12m are a series break.
    select periods.guarantee_service_line, periods.period_grain, periods.period_start,
        string_agg(care_guarantee.age_min || '-' || care_guarantee.age_max || '@' || care_guarantee.valid_from, ';'
            order by care_guarantee.valid_from, care_guarantee.age_min) as rules
    from (
        select distinct guarantee_service_line, period_grain, period_start, period_end from grid
        where guarantee_service_line is not null
        union
        select distinct guarantee_service_line, period_grain, previous_start,
            (previous_start + case period_grain when 'month' then interval 1 month
                when 'quarter' then interval 3 month else interval 1 year end - interval 1 day)::date
        from grid
        where guarantee_service_line is not null
    ) as periods
    left join care_guarantee
        on care_guarantee.service_line = periods.guarantee_service_line
        and care_guarantee.valid_from <= periods.period_end
        and (care_guarantee.valid_to is null or care_guarantee.valid_to >= periods.period_start)
    group by all
),

valued as (
    select
        grid.*,
        coalesce(figures.persons between thresholds.suppress_min_persons and thresholds.suppress_max_persons, false)
            -- A person-based share is hidden when its numerator or its complement is 1–4 persons: either gives the
            -- other by subtraction from the denominator.
            or coalesce(grid.is_person_share and (
                figures.numerator between thresholds.suppress_min_persons and thresholds.suppress_max_persons
                or figures.denominator - figures.numerator
                    between thresholds.suppress_min_persons and thresholds.suppress_max_persons), false)
            as is_suppressed,
        -- A period is mature when its last day + the indicator's follow-up (365 days for completion) has passed
        -- by the as-of month's last day: before that, ongoing enrolments would count as failures.
        grid.maturity_days is null
            or grid.period_end + grid.maturity_days
                <= (as_of.as_of_period_start + interval 1 month - interval 1 day)::date as is_mature,
        coalesce(grid.previous_start >= latest_first_slots.first_slot, false) as window_complete,
        figures.value,
        figures.numerator,
        figures.denominator
    from grid
    cross join thresholds
    left join as_of on as_of.source = grid.source
    left join latest_first_slots
        on grid.source = latest_first_slots.source
        and grid.area_code = latest_first_slots.area_code
        and grid.period_grain = latest_first_slots.period_grain
        and grid.period_start = latest_first_slots.period_start
    left join figures
        on grid.indicator_id = figures.indicator_id
        and grid.area_code = figures.area_code
        and grid.period_grain = figures.period_grain
        and grid.period_start = figures.period_start
),

published as (
    select
        valued.* exclude (value, numerator, denominator, is_suppressed),
        is_mature and is_suppressed as is_suppressed,
        case when is_suppressed or not is_mature then null else value end as value,
        case when is_suppressed or not is_mature then null else numerator end as numerator,
        case when is_suppressed or not is_mature then null else denominator end as denominator
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

{%- set series_break = "(with_status.guarantee_service_line is not null
            and this_rules.rules is distinct from previous_rules.rules)" %}

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
            when not with_status.is_mature then 'not_mature'
            when with_status.is_person_share and with_status.is_suppressed then 'no_data'
            when with_status.target_operator is null then null
            when with_status.value is null then 'no_data'
            when with_status.miss <= 0 then 'on_target'
            when with_status.miss <= round(with_status.near_miss, 10) then 'near'
            else 'off_target'
        end as status,
        case when with_status.sotkanet_id_confirmed then sotkanet.value end as national_value,
        case when not {{ series_break }} then with_status.value - previous.value end as change_12m,
        {{ series_break }} as series_break,
        with_status.window_complete,
        -- What a reader must see beside the figure (category figure_note): the first that applies.
        case
            when not with_status.is_mature then 'not_mature'
            when {{ series_break }} then 'rule_changed'
            when not with_status.window_complete then 'window_incomplete'
        end as figure_note,
        with_status.is_suppressed,
        with_status.coverage,
        case when not with_status.window_complete and with_status.reliability = 'good' then 'partial'
            else with_status.reliability end as reliability
    from with_status
    left join sotkanet
        on with_status.sotkanet_id = sotkanet.sotkanet_id
        and year(with_status.period_start) = sotkanet.year
    left join published as previous
        on with_status.indicator_id = previous.indicator_id
        and with_status.area_code = previous.area_code
        and with_status.period_grain = previous.period_grain
        and previous.period_start = with_status.previous_start
    left join guarantee_rules as this_rules
        on with_status.guarantee_service_line = this_rules.guarantee_service_line
        and with_status.period_grain = this_rules.period_grain
        and with_status.period_start = this_rules.period_start
    left join guarantee_rules as previous_rules
        on with_status.guarantee_service_line = previous_rules.guarantee_service_line
        and with_status.period_grain = previous_rules.period_grain
        and with_status.previous_start = previous_rules.period_start
)

select * from final
