-- Waiting times per area × calendar year × service line × professional group: the evaluators' yearly table
-- (marts.md, exports). Computed from the visits, never from the monthly cells, so a suppressed month still
-- counts in its year; each visit is judged against the guarantee in force on its own assessment date.
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_periods(\"'year'\") }}") }}
with

visit_counts as (
    select * from {{ ref('int_wait_visit_counts') }}
    where is_nonurgent and {{ in_rebuilt_periods("date_trunc('year', visit_month)", "'year'") }}
),

few_client_visits as (
    select * from {{ ref('int_wait_few_client_visits') }}
    where is_nonurgent and {{ in_rebuilt_periods("date_trunc('year', visit_month)", "'year'") }}
),

cells as (
    select service_line, professional_group from {{ ref('wait_time_cells') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
    where source = 'avohilmo' and period_grain = 'year' and deliveries_expected > 0
        and {{ in_rebuilt_periods('period_start', "'year'") }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

{{ wait_time_cells("date_trunc('year', visit_month)::date", {
    'share_within_7d': 'wait_days <= 7', 'share_within_14d': 'wait_days <= 14',
    'share_over_90d': 'wait_days > 90'}) }}

select
    area_code,
    area_level,
    period_start,
    'year' as period_grain,
    service_line,
    professional_group,
    visits_nonurgent,
    visits_nonurgent_unassessed,
    median_wait_days,
    p90_wait_days,
    share_within_7d,
    share_within_14d,
    share_over_90d,
    share_within_guarantee,
    is_suppressed,
    coverage,
    reliability
from suppressed_cells
