-- The clients of the few-client kinds of visit: one row per municipality × month × service line × professional
-- group × kind (urgency, assessed, with waiting days, judged against the guarantee) × client, for the kinds whose visits mark
-- no more client hash buckets (int_wait_visit_counts) than the largest suppressed cell has persons (seed
-- reliability_thresholds). A cell of any area, period and group marks at least the buckets of each kind it
-- is made of, so a cell whose own buckets are that few is made only of kinds listed here, and its persons
-- are counted exactly from these rows (macros/wait_time_cells.sql, int_indicator_values). Few rows: the tiny
-- cells'.
with

visit_counts as (
    select * from {{ ref('int_wait_visit_counts') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

few_client_kinds as (
    select
        municipality_code,
        visit_month,
        service_line,
        professional_group,
        is_nonurgent,
        is_assessed,
        wait_days is not null as has_wait_days,
        within_guarantee is not null as is_judged
    from visit_counts
    group by all
    having coalesce(bit_count(bit_or(client_buckets)), 0) <= (select suppress_max_persons from thresholds)
),

visits as (
    select
        municipality_code,
        visit_month,
        service_line,
        professional_group,
        is_nonurgent,
        is_assessed,
        wait_days is not null as has_wait_days,
        within_guarantee is not null as is_judged,
        client_id
    from {{ ref('int_visits_with_wait_days') }}
    where service_line is not null and client_id is not null
),

final as (
    select distinct visits.*
    from visits
    semi join few_client_kinds
        on visits.municipality_code = few_client_kinds.municipality_code
        and visits.visit_month = few_client_kinds.visit_month
        and visits.service_line = few_client_kinds.service_line
        and visits.professional_group = few_client_kinds.professional_group
        and visits.is_nonurgent = few_client_kinds.is_nonurgent
        and visits.is_assessed = few_client_kinds.is_assessed
        and visits.has_wait_days = few_client_kinds.has_wait_days
        and visits.is_judged = few_client_kinds.is_judged
)

select * from final
