-- Which clients the services reach, per area × quarter × scheme × segment (methods.md, "Segments"):
-- MAPLe levels from RAI (latest assessment at most 365 days old) and service use by primary-care visits; as
-- revision 2 amends it: empty segments have share 0, moves compare with the previous quarter's segment, and
-- window_complete marks look-back windows that start before the source's first expected slot.
-- Incremental by quarter: a build recomputes the quarters from TIEDOLLA_REBUILD_FROM on
-- (macros/rebuilt_periods.sql), reading visits from the first 12-month window that can touch them and every
-- assessment (the first rebuilt quarter's moves compare with the segments at the end of the kept one before it).
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_periods(\"'quarter'\") }}") }}
with

assessments as (
    select * from {{ ref('stg_rai__assessments') }}
),

-- Not materialized: read twice (client numbers, visits per quarter). DuckDB would otherwise hold every
-- primary-care visit in memory, which ran out of memory at thirty times the region's volume (issue 7).
visits as not materialized (
    select municipality_code, client_id, visit_date from {{ ref('int_visits_with_wait_days') }}
    where service_line = 'primary_care'
        and {{ in_rebuilt_periods("(visit_date + interval 9 month)::date", "'quarter'") }}
),

segments as (
    select * from {{ ref('segments') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
    where period_grain = 'quarter' and deliveries_expected > 0
        and {{ in_rebuilt_periods('period_start', "'quarter'") }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

quarters as (
    select distinct
        period_start as quarter_start,
        (period_start + interval 3 month - interval 1 day)::date as quarter_end
    from coverage
),

assessments_by_area as (
    {{ in_own_and_welfare_area('assessments') }}
),

latest_assessment as (
    -- Each client's latest assessment on or before the quarter's last day, at most 365 days old (ties: the
    -- higher MAPLe, then the municipality, so that the welfare area's pick is one of its municipalities').
    select
        assessments_by_area.area_code,
        quarters.quarter_start,
        quarters.quarter_end,
        assessments_by_area.client_id,
        assessments_by_area.municipality_code,
        assessments_by_area.maple,
        'maple_' || assessments_by_area.maple as segment
    from assessments_by_area
    inner join quarters
        on assessments_by_area.assessment_date <= quarters.quarter_end
        and assessments_by_area.assessment_date >= quarters.quarter_end - 365
    qualify row_number() over (
        partition by assessments_by_area.area_code, quarters.quarter_start, assessments_by_area.client_id
        order by assessments_by_area.assessment_date desc, assessments_by_area.maple desc,
            assessments_by_area.municipality_code desc
    ) = 1
),

welfare_areas as (
    select distinct welfare_area_code from {{ ref('municipalities') }}
),

previous_segment as (
    -- Each client's segment at the previous quarter's end, across the welfare area's municipalities: the
    -- latest assessment on or before that day, at most 365 days old. Read from every assessment, not only the
    -- rebuilt quarters': an incremental build compares its first quarter with the kept one before it.
    select
        assessments_by_area.area_code,
        quarters.quarter_start,
        assessments_by_area.client_id,
        assessments_by_area.maple as previous_maple
    from assessments_by_area
    inner join quarters
        on assessments_by_area.assessment_date <= quarters.quarter_start - 1
        and assessments_by_area.assessment_date >= quarters.quarter_start - 1 - 365
    where assessments_by_area.area_code in (select welfare_area_code from welfare_areas)
    qualify row_number() over (
        partition by assessments_by_area.area_code, quarters.quarter_start, assessments_by_area.client_id
        order by assessments_by_area.assessment_date desc, assessments_by_area.maple desc
    ) = 1
),

movements as (
    -- This quarter's MAPLe against the previous quarter's segment (methods.md, revision 2), per client of the
    -- welfare area with a segment in both; a client without one in the previous quarter is neither. Counted in
    -- the welfare area and in the municipality of this quarter's assessment (whose own latest assessment it is).
    select
        current_segment.area_code as welfare_area_code,
        current_segment.municipality_code,
        current_segment.quarter_start,
        current_segment.client_id,
        current_segment.maple > previous_segment.previous_maple as moved_up,
        current_segment.maple < previous_segment.previous_maple as moved_down
    from latest_assessment as current_segment
    inner join previous_segment
        on current_segment.area_code = previous_segment.area_code
        and current_segment.quarter_start = previous_segment.quarter_start
        and current_segment.client_id = previous_segment.client_id
),

movements_by_area as (
    select welfare_area_code as area_code, quarter_start, client_id, moved_up, moved_down from movements
    union all
    select municipality_code, quarter_start, client_id, moved_up, moved_down from movements
),

client_numbers as (
    -- A number per client: the 12-month windows below group tens of millions of rows by client, and a
    -- number keys that group several times faster than the identifier (issue 7).
    select client_id, row_number() over () as client_number
    from (select distinct client_id from visits where client_id is not null)
),

visits_by_quarter as (
    -- Primary-care visits per client and calendar quarter: the unit the 12-month windows add up.
    select
        visits.municipality_code,
        client_numbers.client_number,
        date_trunc('quarter', visits.visit_date)::date as visit_quarter,
        count(*) as visits
    from visits
    left join client_numbers on visits.client_id = client_numbers.client_id
    group by all
),

visits_by_area as (
    {{ in_own_and_welfare_area('visits_by_quarter') }}
),

windows_of_a_quarter as (
    -- A visit falls in the 12-month windows of its own quarter and the three after it.
    select unnest([0, 3, 6, 9]) as months_later
),

-- Primary-care visits (any urgency) in the 12 calendar months ending with the quarter's last month, per
-- area, quarter and client. Each quarter's visits shifted to the windows they fall in, then added up by
-- equality on the quarter: a range join on the dates ran out of memory at ten times the region's volume.
-- Read once, by the one aggregate below that serves both schemes: two passes over it (assessed clients,
-- everyone) held more than 3 GB at thirty times the volume (issue 7).
visits_in_window as (
    select
        visits_by_area.area_code,
        (visits_by_area.visit_quarter + to_months(windows_of_a_quarter.months_later))::date as quarter_start,
        visits_by_area.client_number,
        sum(visits_by_area.visits)::bigint as visits
    from visits_by_area
    cross join windows_of_a_quarter
    where (visits_by_area.visit_quarter + to_months(windows_of_a_quarter.months_later))::date
        in (select quarter_start from quarters)
    group by all
),

service_use_ranges as (
    select * from segments where scheme = 'service_use'
),

service_use_cap as (
    -- One past the largest bound: any larger number of visits is in the same segments as this one.
    select max(greatest(min_value, coalesce(max_value, min_value))) + 1 as visits from service_use_ranges
),

service_use_segment_of_visits as (
    -- The service-use segment of every number of visits up to the cap. An equality join on the capped number
    -- then places each client: a range join over every client held them all in memory (issue 7).
    select visit_numbers.visits, service_use_ranges.segment
    from (select range as visits from range((select visits from service_use_cap) + 1)) as visit_numbers
    inner join service_use_ranges
        on visit_numbers.visits >= service_use_ranges.min_value
        and (service_use_ranges.max_value is null or visit_numbers.visits <= service_use_ranges.max_value)
),

assessed_clients as (
    select latest_assessment.area_code, latest_assessment.quarter_start, latest_assessment.segment,
        client_numbers.client_number
    from latest_assessment
    inner join client_numbers on latest_assessment.client_id = client_numbers.client_id
),

visits_by_segments as (
    -- The clients with visits in the window and their visits, by service-use segment and, for clients with a
    -- current assessment in the area, MAPLe segment. One row per area, quarter and client goes in (the
    -- service-use segment of the one range that holds its visits: tests/assert_segment_ranges_do_not_overlap.sql),
    -- so counting rows counts distinct clients without count(distinct).
    select
        window_totals.area_code,
        window_totals.quarter_start,
        service_use_segment_of_visits.segment as service_use_segment,
        assessed_clients.segment as maple_segment,
        count(*) as clients,
        sum(window_totals.visits)::bigint as visits
    from (
        select *, least(visits, (select visits from service_use_cap)) as capped_visits from visits_in_window
    ) as window_totals
    inner join service_use_segment_of_visits on window_totals.capped_visits = service_use_segment_of_visits.visits
    left join assessed_clients
        on window_totals.area_code = assessed_clients.area_code
        and window_totals.quarter_start = assessed_clients.quarter_start
        and window_totals.client_number = assessed_clients.client_number
    group by all
),

maple_visits as (
    -- Assessed clients without visits in the window add to the clients below, not to the visits.
    select area_code, quarter_start, maple_segment as segment, sum(visits)::bigint as visits
    from visits_by_segments
    where maple_segment is not null
    group by all
),

per_segment as (
    -- The mean over a segment's clients is its visits ÷ its clients (as avg over one row per client).
    select
        'rai_maple' as scheme,
        latest_assessment.area_code,
        latest_assessment.quarter_start,
        latest_assessment.segment,
        count(*) as clients,
        coalesce(any_value(maple_visits.visits), 0)::double / count(*) as visits_per_client,
        count(*) filter (where movements_by_area.moved_up) as moved_up,
        count(*) filter (where movements_by_area.moved_down) as moved_down
    from latest_assessment
    left join movements_by_area
        on latest_assessment.area_code = movements_by_area.area_code
        and latest_assessment.quarter_start = movements_by_area.quarter_start
        and latest_assessment.client_id = movements_by_area.client_id
    left join maple_visits
        on latest_assessment.area_code = maple_visits.area_code
        and latest_assessment.quarter_start = maple_visits.quarter_start
        and latest_assessment.segment = maple_visits.segment
    group by latest_assessment.area_code, latest_assessment.quarter_start, latest_assessment.segment
    union all
    select
        'service_use',
        area_code,
        quarter_start,
        service_use_segment,
        sum(clients)::bigint,
        sum(visits)::double / sum(clients),
        0,
        0
    from visits_by_segments
    group by area_code, quarter_start, service_use_segment
),

per_scheme as (
    -- Each client is in one segment of each scheme, so the segments' clients add up to the scheme's.
    select scheme, area_code, quarter_start, sum(clients)::bigint as scheme_clients
    from per_segment
    group by all
),

first_slots as (
    -- Each municipality's first expected slot of each source (the seed's deliveries_expected_from).
    select source, municipality_code, min(period_start) as first_slot
    from {{ ref('int_expected_slots') }}
    where scope = 'municipality'
    group by all
),

first_slots_by_area as (
    {{ in_own_and_welfare_area('first_slots') }}
),

window_starts as (
    -- The first day each scheme's figure reads: the 365-day RAI look-back before the quarter's last day, or the
    -- first of the 12 calendar months of service use.
    select
        coverage.area_code,
        coverage.period_start,
        schemes.scheme,
        schemes.source,
        (coverage.period_start + interval 3 month - interval 1 day)::date as quarter_end,
        case schemes.scheme
            when 'rai_maple' then (coverage.period_start + interval 3 month - interval 1 day)::date - 365
            else (coverage.period_start - interval 9 month)::date
        end as window_start
    from coverage
    inner join (select distinct scheme, source from segments) as schemes on coverage.source = schemes.source
),

window_completeness as (
    -- Complete when the window starts on or after the first expected slot of every municipality that counts:
    -- the area's own, or for the welfare area each of its municipalities expected to deliver by the quarter's
    -- end (those its coverage rests on; one expected only later neither counts nor delivers yet).
    select
        window_starts.area_code,
        window_starts.period_start,
        window_starts.scheme,
        bool_and(window_starts.window_start >= first_slots_by_area.first_slot) as window_complete
    from window_starts
    inner join first_slots_by_area
        on window_starts.source = first_slots_by_area.source
        and window_starts.area_code = first_slots_by_area.area_code
        and first_slots_by_area.first_slot <= window_starts.quarter_end
    group by all
),

grid as (
    select
        coverage.area_code,
        coverage.area_level,
        coverage.period_start,
        segments.scheme,
        segments.segment,
        coverage.coverage,
        coverage.reliability,
        window_completeness.window_complete
    from segments
    inner join coverage on segments.source = coverage.source
    left join window_completeness
        on coverage.area_code = window_completeness.area_code
        and coverage.period_start = window_completeness.period_start
        and segments.scheme = window_completeness.scheme
),

joined as (
    select
        grid.*,
        coalesce(per_segment.clients, 0) as clients,
        -- A segment without clients has share 0 (zero is not suppressed), also when the scheme has no clients
        -- in the area and quarter (0 ÷ 0): nobody was reached, and clients = 0 says so.
        case
            when coalesce(per_segment.clients, 0) = 0 then 0.0
            else per_segment.clients::double / per_scheme.scheme_clients
        end as share_of_clients,
        per_segment.visits_per_client,
        case when grid.scheme = 'rai_maple' then coalesce(per_segment.moved_up, 0) end as moved_up,
        case when grid.scheme = 'rai_maple' then coalesce(per_segment.moved_down, 0) end as moved_down
    from grid
    left join per_segment
        on grid.scheme = per_segment.scheme
        and grid.area_code = per_segment.area_code
        and grid.period_start = per_segment.quarter_start
        and grid.segment = per_segment.segment
    left join per_scheme
        on grid.scheme = per_scheme.scheme
        and grid.area_code = per_scheme.area_code
        and grid.period_start = per_scheme.quarter_start
),

final as (
    select
        joined.area_code,
        joined.area_level,
        joined.period_start,
        'quarter' as period_grain,
        joined.scheme,
        joined.segment,
        {%- for column in ['clients', 'share_of_clients', 'visits_per_client', 'moved_up', 'moved_down'] %}
        case when is_suppressed then null else joined.{{ column }} end as {{ column }},
        {%- endfor %}
        is_suppressed,
        joined.coverage,
        -- A window reaching back before the source's first expected slot holds fewer months than it reads:
        -- the value stays, and a good reliability becomes partial (poor and missing stay).
        case when not joined.window_complete and joined.reliability = 'good' then 'partial'
            else joined.reliability end as reliability,
        joined.window_complete
    from joined
    cross join thresholds
    cross join lateral (
        select joined.clients between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            as is_suppressed
    )
)

select * from final
