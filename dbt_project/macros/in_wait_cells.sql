{#- The rows of `relation` (with municipality_code, service_line and professional_group) once per area and
    waiting-time cell they count in: the municipality whose file delivered them and that municipality's welfare
    area (area_code), and the cell of their own professional group, where seed wait_time_cells lists one, and
    `all` (cell_group). The one place this rule lives; wait_times and wait_times_yearly read through it. -#}
{% macro in_wait_cells(relation) %}
    select by_area.*, cells.professional_group as cell_group
    from ({{ in_own_and_welfare_area(relation) }}) as by_area
    inner join {{ ref('wait_time_cells') }} as cells
        on by_area.service_line = cells.service_line
        and (cells.professional_group = by_area.professional_group or cells.professional_group = 'all')
{% endmacro %}
