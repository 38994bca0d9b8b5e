-- Waiting times per area × calendar year × service line × professional group: the evaluators' yearly table
-- (marts.md, exports). Computed from the visits, never from the monthly cells, so a suppressed month still
-- counts in its year; each visit is judged against the guarantee in force on its own assessment date.
with

visits_in_cells as (
    select * from {{ ref('int_visits_in_wait_cells') }}
),

cells as (
    select service_line, professional_group from {{ ref('wait_time_cells') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
    where source = 'avohilmo' and period_grain = 'year' and deliveries_expected > 0
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

cell_stats as (
    {{ wait_time_statistics('visits_in_cells', "date_trunc('year', visit_month)::date") }}
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
        cell_stats.over_90d::double / nullif(cell_stats.visits_nonurgent, 0) as share_over_90d,
        cell_stats.within_guarantee::double / nullif(cell_stats.judged_against_guarantee, 0)
            as share_within_guarantee
    from grid
    left join cell_stats
        on grid.area_code = cell_stats.area_code
        and grid.period_start = cell_stats.period_start
        and grid.service_line = cell_stats.service_line
        and grid.professional_group = cell_stats.professional_group
),

final as (
    select
        joined.area_code,
        joined.area_level,
        joined.period_start,
        'year' as period_grain,
        joined.service_line,
        joined.professional_group,
        {% set value_columns = ['visits_nonurgent', 'visits_nonurgent_unassessed', 'median_wait_days',
            'p90_wait_days', 'share_within_7d', 'share_within_14d', 'share_over_90d', 'share_within_guarantee'] %}
        {%- for column in value_columns %}
        case when is_suppressed then null else joined.{{ column }} end as {{ column }},
        {%- endfor %}
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
