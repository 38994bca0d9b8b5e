-- The clients of the municipality-month cells that mark no more hash buckets than the largest suppressed
-- cell has persons (seed reliability_thresholds): one row per municipality × month × service line ×
-- professional group × client. A waiting-time cell of any area, period and group marks at least the buckets
-- of each cell it is made of, so a cell whose own buckets are that few is made only of cells listed here, and
-- its persons are counted exactly from these rows (macros/wait_time_cells.sql). Few rows: the tiny cells.
with

visit_counts as (
    select * from {{ ref('int_wait_visit_counts') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

few_client_cells as (
    select municipality_code, visit_month, service_line, professional_group
    from visit_counts
    group by all
    having coalesce(bit_count(bit_or(client_buckets)), 0) <= (select suppress_max_persons from thresholds)
),

visits as (
    select municipality_code, visit_month, service_line, professional_group, client_id
    from {{ ref('int_visits_with_wait_days') }}
    where service_line is not null and is_nonurgent and client_id is not null
),

final as (
    select distinct
        visits.municipality_code,
        visits.visit_month,
        visits.service_line,
        visits.professional_group,
        visits.client_id
    from visits
    semi join few_client_cells
        on visits.municipality_code = few_client_cells.municipality_code
        and visits.visit_month = few_client_cells.visit_month
        and visits.service_line = few_client_cells.service_line
        and visits.professional_group = few_client_cells.professional_group
)

select * from final
