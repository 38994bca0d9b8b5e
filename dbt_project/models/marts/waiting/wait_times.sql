-- Waiting times from the needs assessment to the visit, per area × month × service line × professional
-- group (methods.md, "Waiting times"). One row for every expected area-month and every cell of the seed.
-- Incremental by month: a build recomputes the months from TIEDOLLA_REBUILD_FROM on (macros/rebuilt_periods.sql).
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_periods(\"'month'\") }}") }}
with

visit_counts as (
    select * from {{ ref('int_wait_visit_counts') }}
    where is_nonurgent and {{ in_rebuilt_periods('visit_month', "'month'") }}
),

few_client_visits as (
    select * from {{ ref('int_wait_few_client_visits') }}
    where is_nonurgent and {{ in_rebuilt_periods('visit_month', "'month'") }}
),

cells as (
    select service_line, professional_group from {{ ref('wait_time_cells') }}
),

coverage as (
    select * from {{ ref('int_source_coverage') }}
    where source = 'avohilmo' and deliveries_expected > 0
        and {{ in_rebuilt_periods('period_start', "'month'") }}
),

care_guarantee as (
    select * from {{ ref('care_guarantee') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

{{ wait_time_cells('visit_month', {
    'share_within_7d': 'wait_days <= 7', 'share_within_14d': 'wait_days <= 14',
    'share_within_21d': 'wait_days <= 21', 'share_over_90d': 'wait_days > 90',
    'share_over_180d': 'wait_days > 180'}) }},

final as (
    select
        cell.area_code,
        cell.area_level,
        cell.period_start,
        'month' as period_grain,
        cell.service_line,
        cell.professional_group,
        cell.visits_nonurgent,
        cell.visits_nonurgent_unassessed,
        cell.median_wait_days,
        cell.p90_wait_days,
        cell.share_within_7d,
        cell.share_within_14d,
        cell.share_within_21d,
        cell.share_over_90d,
        cell.share_over_180d,
        cell.share_within_guarantee,
        care_guarantee.days as guarantee_days,
        cell.is_suppressed,
        cell.coverage,
        cell.reliability
    from suppressed_cells as cell
    left join care_guarantee
        -- The adult (23+) limit in force on the month's first day, for reading the row.
        on cell.service_line = care_guarantee.service_line
        and 23 between care_guarantee.age_min and care_guarantee.age_max
        and cell.period_start >= care_guarantee.valid_from
        and (care_guarantee.valid_to is null or cell.period_start <= care_guarantee.valid_to)
)

select * from final
