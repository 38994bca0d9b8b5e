-- Area × period × source: deliveries expected and accepted, coverage and reliability, and the delivery
-- counts of data_quality. Municipality rows come from the slots; the welfare-area row pools its
-- municipalities (expected ones for coverage; every delivered one for the counts).
with

expected as (
    select * from {{ ref('int_expected_slots') }}
),

delivered as (
    select * from {{ ref('int_delivery_slots') }}
),

as_of as (
    select * from {{ ref('int_source_as_of') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

load_log as (
    select * from {{ ref('stg_ingest__load_log') }}
),

municipality_slots as (
    select
        coalesce(expected.source, delivered.source) as source,
        coalesce(expected.municipality_code, delivered.municipality_code) as municipality_code,
        coalesce(expected.period_start, delivered.period_start) as period_start,
        expected.source is not null as is_expected,
        coalesce(delivered.files_received, 0) as files_received,
        coalesce(delivered.files_quarantined, 0) as files_quarantined,
        coalesce(delivered.is_accepted, false) as is_accepted,
        coalesce(delivered.rows_received, 0) as rows_received,
        coalesce(delivered.rows_rejected, 0) as rows_rejected,
        coalesce(delivered.failed_checks, 0) as failed_checks,
        coalesce(delivered.blocking_check_failed, false) as blocking_check_failed,
        delivered.last_delivery_at
    from expected
    full outer join delivered
        on expected.source = delivered.source
        and expected.municipality_code = delivered.municipality_code
        and expected.period_start = delivered.period_start
),

in_range as (
    -- Nothing after the source's as-of period enters a mart.
    select municipality_slots.*, as_of.grain as period_grain, as_of.scope
    from municipality_slots
    inner join as_of on municipality_slots.source = as_of.source
    where municipality_slots.period_start <= as_of.as_of_period_start
),

previous_accepted as (
    -- rows_expected: median rows of the previous 12 accepted periods, once there are 6 of them.
    select
        slot.source,
        slot.municipality_code,
        slot.period_start,
        previous.rows_received
    from in_range as slot
    inner join in_range as previous
        on slot.source = previous.source
        and slot.municipality_code = previous.municipality_code
        and previous.period_start < slot.period_start
        and previous.is_accepted
    qualify row_number() over (
        partition by slot.source, slot.municipality_code, slot.period_start
        order by previous.period_start desc
    ) <= 12
),

history as (
    select
        source,
        municipality_code,
        period_start,
        median(rows_received) as rows_expected,
        count(*) as history_periods
    from previous_accepted
    group by 1, 2, 3
),

judged_slots as (
    -- A thin slot (methods.md revision 2): an accepted file with fewer data lines than thin_slot_share × the
    -- slot's rows_expected (header-only files included). It is received, but not accepted.
    select
        in_range.*,
        case when history.history_periods >= 6 then history.rows_expected end as rows_expected,
        -- A slot that usually has fewer than thin_slot_min_expected lines is never thin: an empty month is
        -- ordinary for a small municipality (deviation from the letter of revision 2, documented in the seed).
        coalesce(in_range.is_expected and in_range.is_accepted and history.history_periods >= 6
            and history.rows_expected >= thresholds.thin_slot_min_expected
            and in_range.rows_received < thresholds.thin_slot_share * history.rows_expected, false) as is_thin
    from in_range
    cross join thresholds
    left join history
        on in_range.source = history.source
        and in_range.municipality_code = history.municipality_code
        and in_range.period_start = history.period_start
),

slot_rows as (
    select
        in_range.source,
        in_range.scope,
        in_range.period_grain,
        in_range.municipality_code as area_code,
        case when in_range.scope = 'region' then 'welfare_area' else 'municipality' end as area_level,
        in_range.period_start,
        in_range.is_expected::integer as deliveries_expected,
        (in_range.is_expected and in_range.is_accepted and not in_range.is_thin)::integer as deliveries_accepted,
        (in_range.is_expected and in_range.files_received > 0)::integer as deliveries_received,
        (in_range.is_expected and in_range.blocking_check_failed)::integer as expected_with_blocking_failure,
        in_range.is_thin::integer as thin_slots,
        -- Row coverage: the data lines of accepted slots (thin ones too) against the lines expected. A complete
        -- slot, and one without history, expects what it delivered; a thin, quarantined or missing slot with
        -- history expects its rows_expected; a slot without history that delivered nothing expects nothing.
        case when in_range.is_expected and in_range.is_accepted then in_range.rows_received else 0 end
            as lines_accepted,
        case
            when not in_range.is_expected then 0
            when in_range.is_accepted and not in_range.is_thin then in_range.rows_received
            else coalesce(in_range.rows_expected, case when in_range.is_accepted then in_range.rows_received end, 0)
        end as lines_expected,
        in_range.files_received,
        in_range.files_quarantined,
        in_range.rows_received,
        in_range.rows_rejected,
        in_range.rows_expected,
        in_range.failed_checks,
        in_range.last_delivery_at
    from judged_slots as in_range
),

municipality_rows as (
    select * exclude (scope) from slot_rows where scope = 'municipality'
),

region_rows as (
    -- Region-wide sources: the slot is the welfare area's own.
    select * exclude (scope) from slot_rows where scope = 'region'
),

regional_files as (
    -- Files without a municipality in their name (population) count once in the welfare-area row.
    select
        source,
        case when length(period) = 4 then (period || '-01-01')::date else (period || '-01')::date end
            as period_start,
        count(distinct load_id) as files_received,
        count(distinct load_id) filter (where status = 'quarantined') as files_quarantined,
        sum(rows_rejected) filter (where is_live) as rows_rejected
    from load_log
    where municipality_code is null and period is not null
    group by 1, 2
),

welfare_area_rows as (
    select
        municipality_rows.source,
        municipality_rows.period_grain,
        municipalities.welfare_area_code as area_code,
        'welfare_area' as area_level,
        municipality_rows.period_start,
        sum(deliveries_expected)::integer as deliveries_expected,
        sum(deliveries_accepted)::integer as deliveries_accepted,
        sum(deliveries_received)::integer as deliveries_received,
        sum(expected_with_blocking_failure)::integer as expected_with_blocking_failure,
        sum(thin_slots)::integer as thin_slots,
        sum(lines_accepted)::bigint as lines_accepted,
        sum(lines_expected)::bigint as lines_expected,
        coalesce(any_value(regional_files.files_received), sum(municipality_rows.files_received))::bigint
            as files_received,
        coalesce(any_value(regional_files.files_quarantined), sum(municipality_rows.files_quarantined))::bigint
            as files_quarantined,
        sum(municipality_rows.rows_received)::bigint as rows_received,
        (sum(municipality_rows.rows_rejected) + coalesce(any_value(regional_files.rows_rejected), 0))::bigint
            as rows_rejected,
        sum(municipality_rows.rows_expected) as rows_expected,
        sum(municipality_rows.failed_checks)::bigint as failed_checks,
        max(municipality_rows.last_delivery_at) as last_delivery_at
    from municipality_rows
    inner join municipalities on municipality_rows.area_code = municipalities.code
    left join regional_files
        on municipality_rows.source = regional_files.source
        and municipality_rows.period_start = regional_files.period_start
    group by 1, 2, 3, 4, 5
),

all_rows as (
    select * from municipality_rows
    union all by name
    select * from welfare_area_rows
    union all by name
    select * from region_rows
),

final as (
    select
        all_rows.*,
        case when deliveries_expected > 0
            then deliveries_accepted::double / deliveries_expected end as coverage,
        {{ coverage_rows('lines_accepted', 'lines_expected') }} as coverage_rows,
        {{ reliability_rule('deliveries_expected', 'deliveries_received', 'deliveries_accepted',
            'expected_with_blocking_failure', coverage_rows('lines_accepted', 'lines_expected')) }} as reliability
    from all_rows
    cross join thresholds
)

select * from final
