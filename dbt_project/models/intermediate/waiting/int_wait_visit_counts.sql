-- The visits of a known service line counted per municipality × month × service line × professional group ×
-- urgency × waiting day × guarantee verdict: every count, share and quantile of wait_times, wait_times_yearly
-- and the waiting indicators adds up from these rows (macros/wait_time_cells.sql, int_indicator_values), so
-- those never read the visits themselves.
-- client_buckets marks which of 64 hash buckets the rows' clients fall in: as many distinct clients as
-- marked buckets at least, which decides suppression for all but a few cells (int_wait_few_client_visits).
with

visits as (
    select
        municipality_code,
        visit_month,
        service_line,
        professional_group,
        is_nonurgent,
        is_assessed,
        wait_days,
        within_guarantee,
        client_id
    from {{ ref('int_visits_with_wait_days') }}
    where service_line is not null
),

final as (
    select
        municipality_code,
        visit_month,
        service_line,
        professional_group,
        is_nonurgent,
        is_assessed,
        wait_days,
        within_guarantee,
        count(*) as visits,
        bit_or({{ client_bucket('client_id') }}) as client_buckets
    from visits
    group by all
)

select * from final
