{#- The rows of `relation` (which has municipality_code) twice, with area_code: once for the municipality whose
    file delivered them, once for that municipality's welfare area. Every area figure adds up this way, so a
    welfare area's row always counts exactly its municipalities' rows. With `level_column`, also that column
    saying 'municipality' or 'welfare_area'. A join rather than a union of two selects: `relation` is then read
    once, so DuckDB streams it instead of holding a CTE's rows in memory (issue 7). A municipality missing from
    the seed keeps its own row only. -#}
{% macro in_own_and_welfare_area(relation, level_column=none) %}
    select delivered.*, coalesce(areas.area_code, delivered.municipality_code) as area_code
        {%- if level_column %}, coalesce(areas.area_level, 'municipality') as {{ level_column }}{% endif %}
    from {{ relation }} as delivered
    left join (
        select code as municipality_code, code as area_code, 'municipality' as area_level
        from {{ ref('municipalities') }}
        union all
        select code, welfare_area_code, 'welfare_area' from {{ ref('municipalities') }}
    ) as areas on delivered.municipality_code = areas.municipality_code
{% endmacro %}
