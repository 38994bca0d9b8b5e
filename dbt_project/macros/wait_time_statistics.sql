{#- The statistics of one waiting-time cell (methods.md, "Waiting times"), grouped by area, the period the
    caller names, service line and cell group. Shared by wait_times (month) and wait_times_yearly (year). -#}
{% macro wait_time_statistics(visits_in_cells, period_expression) %}
    select
        area_code,
        {{ period_expression }} as period_start,
        service_line,
        cell_group as professional_group,
        -- The persons behind the cell: the distinct clients of its visits, assessed or not (methods.md).
        count(distinct client_id) as persons,
        count(*) filter (where is_assessed) as visits_nonurgent,
        count(*) filter (where not is_assessed) as visits_nonurgent_unassessed,
        quantile_cont(wait_days, 0.5) filter (where is_assessed) as median_wait_days,
        quantile_cont(wait_days, 0.9) filter (where is_assessed) as p90_wait_days,
        count(*) filter (where wait_days <= 7) as within_7d,
        count(*) filter (where wait_days <= 14) as within_14d,
        count(*) filter (where wait_days <= 21) as within_21d,
        count(*) filter (where wait_days > 90) as over_90d,
        count(*) filter (where wait_days > 180) as over_180d,
        count(*) filter (where within_guarantee) as within_guarantee,
        count(*) filter (where within_guarantee is not null) as judged_against_guarantee
    from {{ visits_in_cells }}
    group by 1, 2, 3, 4
{% endmacro %}
