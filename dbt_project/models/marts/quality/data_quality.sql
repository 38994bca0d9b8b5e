-- Area × period × source: what was expected, what arrived, what was rejected, and how reliable the
-- figures built on it are (marts.md). Monthly sources by month, population by year.
with

coverage as (
    select * from {{ ref('int_source_coverage') }}
),

final as (
    select
        area_code,
        area_level,
        period_start,
        period_grain,
        source,
        deliveries_expected,
        deliveries_accepted,
        thin_slots,
        files_received,
        files_quarantined,
        rows_received,
        rows_rejected,
        rows_expected,
        failed_checks,
        last_delivery_at,
        coverage,
        coverage_rows,
        reliability
    from coverage
    where deliveries_expected > 0 or files_received > 0
)

select * from final
