-- Waiting times from the needs assessment to the visit, per area × month × service line × professional
-- group (methods.md, "Waiting times"). One row for every expected area-month and every cell of the seed.
with

visits_in_cells as (
    select * from {{ ref('int_visits_in_wait_cells') }}
),

cells as (
    select service_line, professional_group from {{ ref('wait_time_cells') }}
),

coverage as (
    select * from {{ ref('int_source_coverage') }}
    where source = 'avohilmo' and deliveries_expected > 0
),

care_guarantee as (
    select * from {{ ref('care_guarantee') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

cell_stats as (
    {{ wait_time_statistics('visits_in_cells', 'visit_month') }}
),

grid as (
    select
        coverage.area_code,
        coverage.area_level,
        coverage.period_start,
        coverage.coverage,
        coverage.reliability,
        cells.service_line,
        cells.professional_group
    from coverage
    cross join cells
),

joined as (
    select
        grid.*,
        coalesce(cell_stats.persons, 0) as persons,
        coalesce(cell_stats.visits_nonurgent, 0) as visits_nonurgent,
        coalesce(cell_stats.visits_nonurgent_unassessed, 0) as visits_nonurgent_unassessed,
        cell_stats.median_wait_days,
        cell_stats.p90_wait_days,
        cell_stats.within_7d::double / nullif(cell_stats.visits_nonurgent, 0) as share_within_7d,
        cell_stats.within_14d::double / nullif(cell_stats.visits_nonurgent, 0) as share_within_14d,
        cell_stats.within_21d::double / nullif(cell_stats.visits_nonurgent, 0) as share_within_21d,
        cell_stats.over_90d::double / nullif(cell_stats.visits_nonurgent, 0) as share_over_90d,
        cell_stats.over_180d::double / nullif(cell_stats.visits_nonurgent, 0) as share_over_180d,
        cell_stats.within_guarantee::double / nullif(cell_stats.judged_against_guarantee, 0)
            as share_within_guarantee,
        care_guarantee.days as guarantee_days
    from grid
    left join cell_stats
        on grid.area_code = cell_stats.area_code
        and grid.period_start = cell_stats.period_start
        and grid.service_line = cell_stats.service_line
        and grid.professional_group = cell_stats.professional_group
    left join care_guarantee
        -- The adult (23+) limit in force on the month's first day, for reading the row.
        on grid.service_line = care_guarantee.service_line
        and 23 between care_guarantee.age_min and care_guarantee.age_max
        and grid.period_start >= care_guarantee.valid_from
        and (care_guarantee.valid_to is null or grid.period_start <= care_guarantee.valid_to)
),

final as (
    select
        joined.area_code,
        joined.area_level,
        joined.period_start,
        'month' as period_grain,
        joined.service_line,
        joined.professional_group,
        {% set value_columns = ['visits_nonurgent', 'visits_nonurgent_unassessed', 'median_wait_days',
            'p90_wait_days', 'share_within_7d', 'share_within_14d', 'share_within_21d', 'share_over_90d',
            'share_over_180d', 'share_within_guarantee'] %}
        {%- for column in value_columns %}
        case when is_suppressed then null else joined.{{ column }} end as {{ column }},
        {%- endfor %}
        joined.guarantee_days,
        is_suppressed,
        joined.coverage,
        joined.reliability
    from joined
    cross join thresholds
    cross join lateral (
        select joined.persons between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            as is_suppressed
    )
)

select * from final
