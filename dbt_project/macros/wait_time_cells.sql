{#- The waiting-time cells of one period grain (methods.md, "Waiting times"), as the CTEs cell_visit_counts,
    cell_few_persons, cell_wait_day_counts, cell_quantiles, cell_counts, cell_stats, grid, joined and
    suppressed_cells. Expects the caller's CTEs visit_counts (rows of int_wait_visit_counts),
    few_client_visits (rows of int_wait_few_client_visits), cells, coverage (one row per expected area-period)
    and thresholds. Shared by wait_times (month) and wait_times_yearly (year); `period_expression` is read
    from visit_month. `shares`: output column → the condition on wait_days that counts a visit in.
    Every figure adds up from the visits counted per municipality-month, so the cells never read the visits
    themselves: ten times the region's volume ran out of memory that way (issue 7). -#}
{% macro wait_time_cells(period_expression, shares) %}
cell_visit_counts as (
    select
        area_code,
        {{ period_expression }} as period_start,
        service_line,
        cell_group as professional_group,
        is_assessed,
        wait_days,
        within_guarantee,
        sum(visits)::bigint as visits,
        bit_or(client_buckets) as client_buckets
    from ({{ in_wait_cells('visit_counts') }})
    group by all
),

-- The exact persons of the cells made only of few-client municipality-months (int_wait_few_client_visits).
cell_few_persons as (
    select area_code, period_start, service_line, professional_group, count(*) as persons
    from (
        select distinct area_code, {{ period_expression }} as period_start, service_line,
            cell_group as professional_group, client_id
        from ({{ in_wait_cells('few_client_visits') }})
    )
    group by all
),

cell_wait_day_counts as (
    {{ value_counts('cell_visit_counts', ['area_code', 'period_start', 'service_line', 'professional_group'],
        'wait_days', 'is_assessed', weight='visits') }}
),

cell_quantiles as (
    select
        area_code,
        period_start,
        service_line,
        professional_group,
        {{ quantile_from_counts(0.5, 'wait_days') }} as median_wait_days,
        {{ quantile_from_counts(0.9, 'wait_days') }} as p90_wait_days
    from cell_wait_day_counts
    group by all
),

cell_counts as (
    select
        area_code,
        period_start,
        service_line,
        professional_group,
        coalesce(sum(visits) filter (where is_assessed), 0)::bigint as visits_nonurgent,
        coalesce(sum(visits) filter (where not is_assessed), 0)::bigint as visits_nonurgent_unassessed,
        {%- for column, condition in shares.items() %}
        coalesce(sum(visits) filter (where {{ condition }}), 0)::bigint as {{ column }}_count,
        {%- endfor %}
        coalesce(sum(visits) filter (where within_guarantee), 0)::bigint as within_guarantee,
        coalesce(sum(visits) filter (where within_guarantee is not null), 0)::bigint as judged_against_guarantee,
        coalesce(bit_count(bit_or(client_buckets)), 0) as client_buckets_marked
    from cell_visit_counts
    group by all
),

cell_stats as (
    select
        cell_counts.*,
        -- The persons behind the cell: the distinct clients of its visits, assessed or not (methods.md). Exact
        -- up to the largest suppressed size, which is all suppression asks; above it, the marked buckets, a
        -- lower bound that is already too many to suppress.
        case when cell_counts.client_buckets_marked > thresholds.suppress_max_persons
            then cell_counts.client_buckets_marked
            else coalesce(cell_few_persons.persons, 0)
        end as persons,
        cell_quantiles.median_wait_days,
        cell_quantiles.p90_wait_days
    from cell_counts
    cross join thresholds
    left join cell_few_persons
        using (area_code, period_start, service_line, professional_group)
    left join cell_quantiles
        using (area_code, period_start, service_line, professional_group)
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
        {%- for column in shares %}
        cell_stats.{{ column }}_count::double / nullif(cell_stats.visits_nonurgent, 0) as {{ column }},
        {%- endfor %}
        cell_stats.within_guarantee::double / nullif(cell_stats.judged_against_guarantee, 0)
            as share_within_guarantee
    from grid
    left join cell_stats
        on grid.area_code = cell_stats.area_code
        and grid.period_start = cell_stats.period_start
        and grid.service_line = cell_stats.service_line
        and grid.professional_group = cell_stats.professional_group
),

-- A cell of 1–4 persons keeps its keys, coverage and reliability; every figure computed from it is NULL.
suppressed_cells as (
    select
        joined.area_code,
        joined.area_level,
        joined.period_start,
        joined.service_line,
        joined.professional_group,
        {%- for column in ['visits_nonurgent', 'visits_nonurgent_unassessed', 'median_wait_days', 'p90_wait_days']
            + (shares | list) + ['share_within_guarantee'] %}
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
{% endmacro %}
